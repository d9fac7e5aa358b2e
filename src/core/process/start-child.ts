import type { ChildProcess } from 'node:child_process';
import { monotonicMs } from '../clock.js';
import type { OutputStream } from '../logging/logger.js';
import type { FlowControl } from '../logging/output.js';
import { type GroupGuard, startGroupGuard } from './group-guard.js';
import { LineSplitter, type SafeCut } from './lines.js';
import { isGroupAlive, signalGroup } from './process-group.js';
import { spawnDetached } from './spawn-detached.js';

export interface StartOptions {
  readonly cwd: string;
  /** The child's complete environment (nothing is inherited implicitly). */
  readonly env: Readonly<Record<string, string>>;
  /** Written to the child's stdin, which is then closed. Without it stdin is /dev/null. */
  readonly stdin?: string;
  /** Receives each whole line of output, without its newline. Without it output is discarded. */
  readonly onLine?: (line: string, stream: OutputStream) => void;
  readonly maxLineBytes?: number;
  /**
   * Receives an unterminated line once it has waited PENDING_LINE_MS with no more output on its stream
   * (a prompt, or `process.stdout.write('listening on …')`). It still reaches `onLine` once completed.
   */
  readonly onPendingLine?: (text: string, stream: OutputStream) => void;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly durationMs: number;
}

/** A started child process, which leads its own process group. */
export interface ChildProcessHandle {
  readonly command: string;
  readonly pid: number | undefined;
  readonly startedAt: number;
  /** Settles true once the orphan guard holds this group (false when none could be started). */
  readonly guarded?: Promise<boolean>;
  /** Settles when the group leader has exited and its output has been read; rejects with SpawnError. */
  readonly exit: Promise<ProcessExit>;
  readonly hasExited: boolean;
  /** Sends `signal` to the whole process group. */
  signal(signal: NodeJS.Signals): void;
  isGroupAlive(): boolean;
  /** Called once the group is known to be gone: stops tracking it and dismisses its guard. */
  release(): void;
}

/** How Stagecraft starts processes. Tests may supply their own; `createRunner` is the real one. */
export interface Runner {
  start(command: string, args: readonly string[], options: StartOptions): ChildProcessHandle;
  /** Signals every group this runner started that has not been released (second Ctrl+C, last-resort cleanup). */
  signalAll(signal: NodeJS.Signals): void;
}

export class SpawnError extends Error {
  readonly code: string;
  readonly command: string;

  constructor(command: string, cause: NodeJS.ErrnoException) {
    super(`could not start ${command}: ${cause.code ?? cause.message}`, { cause });
    this.name = 'SpawnError';
    this.code = cause.code ?? 'UNKNOWN';
    this.command = command;
  }
}

/**
 * How long to wait, after the leader exits, for its output pipes to close. A grandchild that inherited
 * them can keep them open indefinitely; its output keeps flowing, but the exit is reported without it.
 */
const OUTPUT_DRAIN_MS = 250;

/** A line without its newline counts as pending after this long without further output. Long enough that
 * a line written in pieces is complete (a URL cut in half is not a URL), short enough not to be noticed. */
const PENDING_LINE_MS = 100;

export interface RunnerOptions {
  /**
   * Where child output ends up. While it is congested, reading a child's pipes pauses, so a flood is
   * held back by the child blocking on its own writes instead of piling up in Stagecraft's memory.
   */
  readonly flow?: FlowControl;
  /** Where an over-long output line may be cut without showing the start of a secret (the redactor's). */
  readonly safeCut?: SafeCut;
}

export function createRunner(runnerOptions: RunnerOptions = {}): Runner {
  const live = new Set<ChildProcessHandle>();
  return {
    start(command, args, options) {
      const handle = startProcess(command, args, options, runnerOptions, (done) => live.delete(done));
      live.add(handle);
      return handle;
    },
    signalAll(signal) {
      for (const handle of live) handle.signal(signal);
    },
  };
}

function startProcess(
  command: string,
  args: readonly string[],
  options: StartOptions,
  runnerOptions: RunnerOptions,
  onRelease: (handle: ChildProcessHandle) => void,
): ChildProcessHandle {
  const startedAt = monotonicMs();
  // The guard exists before the child does, so no child ever runs unguarded (see group-guard.ts).
  const guard = startGroupGuard();
  let child: ChildProcess;
  try {
    // detached: the child leads a new process group, so a stop reaches its whole tree (and the terminal's
    // Ctrl+C reaches only Stagecraft, which decides what the children get). No shell: argv goes as is.
    child = spawnDetached(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    // Node throws some spawn failures (E2BIG, EINVAL) instead of emitting them: report them like ENOENT.
    guard.release();
    return failedToStart(command, startedAt, error as NodeJS.ErrnoException);
  }
  if (child.pid !== undefined) guard.arm(child.pid);
  readOutput(child, options, runnerOptions);
  if (options.stdin !== undefined && child.stdin) {
    // A child that exits without reading stdin makes this write fail with EPIPE: not our error.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin);
  }
  return childHandle({ command, child, startedAt, guard, onRelease });
}

/** Splits each output stream into lines for `onLine` (or discards it), pausing while the output is congested. */
function readOutput(child: ChildProcess, options: StartOptions, { flow, safeCut }: RunnerOptions): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    const source = child[stream];
    if (source === null) continue;
    if (options.onLine === undefined) {
      source.resume();
      continue;
    }
    const onLine = options.onLine;
    const splitter = new LineSplitter((line) => onLine(line, stream), options.maxLineBytes, safeCut);
    const watchPending = options.onPendingLine && pendingLineWatcher(splitter, (text) => options.onPendingLine?.(text, stream));
    source.on('data', (chunk: Buffer) => {
      splitter.push(chunk);
      watchPending?.();
      if (flow?.congested && !source.isPaused()) {
        source.pause();
        flow.whenDrained(() => source.resume());
      }
    });
    source.on('end', () => splitter.end());
  }
}

interface StartedChild {
  readonly command: string;
  readonly child: ChildProcess;
  readonly startedAt: number;
  readonly guard: GroupGuard;
  readonly onRelease: (handle: ChildProcessHandle) => void;
}

/** The handle of a started child: its exit, and signals to its group until the group is released. */
function childHandle({ command, child, startedAt, guard: startedGuard, onRelease }: StartedChild): ChildProcessHandle {
  const pid = child.pid;
  let guard: GroupGuard | undefined = startedGuard;
  let exited = false;
  let released = false;
  const handle: ChildProcessHandle = {
    command,
    pid,
    startedAt,
    guarded: startedGuard.armed,
    get hasExited() {
      return exited;
    },
    exit: new Promise<ProcessExit>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        if (pid === undefined || error.syscall?.startsWith('spawn')) {
          exited = true;
          handle.release();
          reject(new SpawnError(command, error));
        }
      });
      child.once('exit', (code, signal) => {
        exited = true;
        const result = { code, signal, durationMs: monotonicMs() - startedAt };
        const drained = setTimeout(() => resolve(result), OUTPUT_DRAIN_MS);
        child.once('close', () => {
          clearTimeout(drained);
          resolve(result);
        });
        if (!handle.isGroupAlive()) handle.release();
      });
    }),
    signal(signal) {
      if (pid !== undefined && !released) signalGroup(pid, signal);
    },
    isGroupAlive() {
      return pid !== undefined && !released && isGroupAlive(pid);
    },
    release() {
      if (released) return;
      released = true;
      guard?.release();
      guard = undefined;
      onRelease(handle);
    },
  };
  return handle;
}

/** The handle of a child that never started: its exit rejects with SpawnError; there is no group. */
function failedToStart(command: string, startedAt: number, cause: NodeJS.ErrnoException): ChildProcessHandle {
  const exit = Promise.reject(new SpawnError(command, cause));
  exit.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
  return {
    command,
    pid: undefined,
    startedAt,
    guarded: Promise.resolve(false),
    exit,
    hasExited: true,
    signal() {},
    isGroupAlive: () => false,
    release() {},
  };
}

/** Returns a function to call after each chunk: it (re)starts a timer while a line is unterminated. */
function pendingLineWatcher(splitter: LineSplitter, onPending: (text: string) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  return () => {
    if (!splitter.hasPending) {
      clearTimeout(timer);
      timer = undefined;
      return;
    }
    if (timer === undefined) {
      timer = setTimeout(() => {
        const text = splitter.pending();
        if (text !== undefined) onPending(text);
      }, PENDING_LINE_MS);
      timer.unref();
    } else {
      timer.refresh();
    }
  };
}
