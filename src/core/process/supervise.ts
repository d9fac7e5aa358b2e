import { stripVTControlCharacters } from 'node:util';
import { monotonicMs } from '../clock.js';
import { type Operation, StagecraftError } from '../errors.js';
import type { Level, Logger } from '../logging/logger.js';
import type { Progress } from '../logging/progress.js';
import { formatSeconds, type ReadinessCheck, ReadinessTimeoutError, waitUntilReady } from './readiness.js';
import { describeExit } from './run-to-completion.js';
import { type ProcessExit, type Runner, SpawnError } from './start-child.js';
import { type StopOptions, stopProcessGroup } from './stop.js';
import { TailBuffer } from './tail.js';

export interface SuperviseOptions {
  readonly runner: Runner;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Provider-scoped logger: child output and lifecycle records carry its fields. */
  readonly logger: Logger;
  readonly provider: string;
  readonly operation: Operation;
  /** Name used in messages, e.g. "encore run". */
  readonly displayName: string;
  /** Level of an output line (ANSI removed); every line is info by default. */
  readonly classify?: (line: string) => Level;
  readonly stop: StopOptions;
  /** The user's stop request. */
  readonly signal: AbortSignal;
  readonly readiness?: { readonly check: ReadinessCheck; readonly timeoutMs: number };
  /** Shows the wait for readiness (a status line on a terminal). */
  readonly progress?: Progress;
  /** A debug record every `intervalMs` while the server runs. */
  readonly heartbeat?: { readonly intervalMs: number; readonly message: string };
  /**
   * Called once when the server is ready: after the readiness check passes, at once after the spawn when
   * there is none, or (a oneshot) when it exits 0. Dependants start then.
   */
  readonly onReady?: () => void;
  /** A task that runs to completion (a migration): exit 0 is success, and supervision resolves. */
  readonly oneshot?: boolean;
  /** Turns the last output lines into a clearer explanation of an unexpected exit, where it can. */
  readonly explainExit?: (tail: readonly string[]) => { message: string; hint?: string } | undefined;
}

const TAIL_LINES = 20;

/**
 * Runs a long-lived dev server until the user stops it. Resolves after a requested stop, once nothing
 * of the child's process group is left. Throws DEV_SERVER_FAILED if the child exits by itself (exit
 * code 0 included: a dev server is supposed to keep running) or does not become ready in time.
 */
export async function superviseDevServer(options: SuperviseOptions): Promise<void> {
  const { logger, readiness, signal } = options;
  const tail = new TailBuffer(TAIL_LINES);
  const classify = options.classify ?? (() => 'info' as const);
  // Lines stop going to the readiness check once it has decided (a flood must not pay for it).
  const watch = { observing: readiness !== undefined };

  signal.throwIfAborted();
  logger.debug(`starting ${[options.command, ...options.args].join(' ')}`, { cwd: options.cwd });
  const child = options.runner.start(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    onLine(line, stream) {
      const plain = line.includes('\x1b') ? stripVTControlCharacters(line) : line;
      logger.output(stream, classify(plain), line);
      tail.push(plain);
      if (watch.observing) readiness?.check.observe?.(plain);
    },
    // A server may announce itself without a newline (`process.stdout.write('listening on …')`).
    onPendingLine: readiness?.check.observe
      ? (text) => {
          if (watch.observing) readiness.check.observe?.(text.includes('\x1b') ? stripVTControlCharacters(text) : text);
        }
      : undefined,
  });
  const heartbeat = options.heartbeat
    ? setInterval(
        () => logger.debug(options.heartbeat?.message ?? '', { uptimeMs: Math.round(monotonicMs() - child.startedAt) }),
        options.heartbeat.intervalMs,
      )
    : undefined;
  heartbeat?.unref();
  if (readiness === undefined && !options.oneshot) options.onReady?.();

  const readinessAbort = new AbortController();
  try {
    const outcome = await Promise.race([
      child.exit.then((exit) => ({ kind: 'exited' as const, exit })),
      waitForStop(signal),
      readiness ? watchReadiness(options, readiness, readinessAbort.signal, watch) : new Promise<never>(() => {}),
    ]);
    if (outcome.kind === 'stop') {
      await stopOnRequest(options, child);
      return;
    }
    if (outcome.kind === 'not-ready') {
      await stopProcessGroup(child, options.stop);
      throw failure(options, outcome.message, tail, undefined, 'Increase the readiness timeout if the server is just slow to start.');
    }
    await stopProcessGroup(child, options.stop); // whatever the leader left behind in its group
    if (options.oneshot && outcome.exit.code === 0) {
      logger.info(`${options.displayName} done in ${formatSeconds(outcome.exit.durationMs)}`, {
        elapsedMs: Math.round(outcome.exit.durationMs),
      });
      options.onReady?.();
      return;
    }
    throw unexpectedExit(options, outcome.exit, tail);
  } catch (error) {
    if (error instanceof SpawnError) throw spawnFailure(options, error);
    throw error;
  } finally {
    readinessAbort.abort();
    clearInterval(heartbeat);
  }
}

type Outcome = { kind: 'exited'; exit: ProcessExit } | { kind: 'stop' } | { kind: 'not-ready'; message: string };

function waitForStop(signal: AbortSignal): Promise<Outcome> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve({ kind: 'stop' });
    else signal.addEventListener('abort', () => resolve({ kind: 'stop' }), { once: true });
  });
}

/** Never settles unless the server failed to become ready; readiness itself is just logged. */
async function watchReadiness(
  options: SuperviseOptions,
  readiness: NonNullable<SuperviseOptions['readiness']>,
  abort: AbortSignal,
  watch: { observing: boolean },
): Promise<Outcome> {
  const step = options.progress?.step(`waiting for ${options.displayName} to be ready`);
  try {
    const { elapsedMs } = await waitUntilReady(readiness.check, { timeoutMs: readiness.timeoutMs, signal: abort });
    watch.observing = false;
    step?.done();
    const { url } = readiness.check;
    options.logger.info(`${url ? `ready at ${url}` : 'ready'} in ${formatSeconds(elapsedMs)}`, {
      url: url || undefined,
      elapsedMs: Math.round(elapsedMs),
    });
    options.onReady?.();
  } catch (error) {
    if (error instanceof ReadinessTimeoutError) return { kind: 'not-ready', message: `${options.displayName} is ${error.message}` };
  } finally {
    step?.done();
  }
  return new Promise<never>(() => {});
}

async function stopOnRequest(options: SuperviseOptions, child: Parameters<typeof stopProcessGroup>[0]): Promise<void> {
  const { logger, stop } = options;
  logger.info(`stopping ${options.displayName} (${stop.signal}, up to ${formatSeconds(stop.graceMs)} before SIGKILL)`);
  const result = await stopProcessGroup(child, stop);
  if (result.forced) {
    logger.warn(`${options.displayName} did not exit within ${formatSeconds(stop.graceMs)} of ${stop.signal}; killed it`);
  } else {
    logger.info(`${options.displayName} stopped`);
  }
}

function unexpectedExit(options: SuperviseOptions, exit: ProcessExit, tail: TailBuffer): StagecraftError {
  const explained = options.explainExit?.(tail.lines());
  const ran = `after ${formatSeconds(exit.durationMs)}`;
  const message =
    explained?.message ??
    (options.oneshot
      ? `${options.displayName} failed (${describeExit(exit)}) ${ran}`
      : exit.code === 0
        ? `${options.displayName} exited with code 0 ${ran}, but a dev server should run until it is stopped`
        : `${options.displayName} exited unexpectedly (${describeExit(exit)}) ${ran}`);
  return failure(options, message, tail, exit, explained?.hint);
}

function failure(
  options: SuperviseOptions,
  message: string,
  tail: TailBuffer,
  exit: ProcessExit | undefined,
  hint: string | undefined,
): StagecraftError {
  return new StagecraftError({
    category: 'DEV_SERVER_FAILED',
    provider: options.provider,
    operation: options.operation,
    message,
    detail: tail.masked(options.logger.redactor) || undefined,
    exitCode: exit?.code ?? undefined,
    signal: exit?.signal ?? undefined,
    hint,
  });
}

function spawnFailure(options: SuperviseOptions, error: SpawnError): StagecraftError {
  const missing = error.code === 'ENOENT' || error.code === 'EACCES';
  return new StagecraftError({
    category: missing ? 'PROVIDER_NOT_AVAILABLE' : 'DEV_SERVER_FAILED',
    provider: options.provider,
    operation: options.operation,
    message: `${error.message} (in ${options.cwd})`,
    hint: spawnHint(error.code),
    cause: error,
  });
}

/** What to do about a failure the system reports when starting a process. */
export function spawnHint(code: string): string | undefined {
  if (code === 'E2BIG') {
    return 'The command line or environment is too large for the system (one value over 128 KiB, or all together over a few MiB): look for a huge value in the env files or the environment.';
  }
  if (code === 'ENOENT') return 'Check that the command exists and that its working directory still exists.';
  return undefined;
}
