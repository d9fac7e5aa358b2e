import { stripVTControlCharacters } from 'node:util';
import type { Level, Logger } from '../logging/logger.js';
import type { ProcessExit, Runner, StartOptions } from './start-child.js';
import { stopProcessGroup } from './stop.js';
import { TailBuffer } from './tail.js';

export interface RunOptions extends StartOptions {
  /** Aborting stops the process group (stop signal, grace, SIGKILL). */
  readonly signal?: AbortSignal;
  /** Stops the group when the command runs longer than this. */
  readonly timeoutMs?: number;
  readonly stopSignal?: NodeJS.Signals;
  readonly graceMs?: number;
}

export interface RunResult extends ProcessExit {
  readonly timedOut: boolean;
}

/**
 * Runs a command to completion. Whatever happens (success, failure, timeout, abort), nothing of its
 * process group is left running when this settles. Rejects with SpawnError when it could not start,
 * and with the signal's reason when aborted (after the group is stopped).
 */
export async function runToCompletion(runner: Runner, command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const { signal, timeoutMs } = options;
  const stop = { signal: options.stopSignal ?? 'SIGTERM', graceMs: options.graceMs ?? 5000 } as const;
  signal?.throwIfAborted();
  const child = runner.start(command, args, options);
  let timedOut = false;
  let aborted = false;
  let stopping: Promise<unknown> | undefined;
  const requestStop = () => {
    stopping ??= stopProcessGroup(child, stop);
  };
  const onAbort = () => {
    aborted = true;
    requestStop();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          requestStop();
        }, timeoutMs);
  try {
    const exit = await child.exit;
    requestStop(); // the leader is done; this ends anything it left behind in its group
    await stopping;
    if (aborted) throw signal?.reason;
    return { ...exit, timedOut };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Exit code and signal as a phrase: "exit code 1", "signal SIGKILL". */
export function describeExit(exit: Pick<ProcessExit, 'code' | 'signal'>): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code ?? 'unknown'}`;
}

export interface LoggedRunOptions extends Omit<RunOptions, 'onLine'> {
  /** Child output goes here, line by line (masked by the logger). */
  readonly logger: Logger;
  /** Level of an output line (ANSI removed); info by default. */
  readonly classify?: (line: string) => Level;
  /** Also sees each line (ANSI removed), e.g. to notice that a push has begun. */
  readonly observe?: (line: string) => void;
}

export interface LoggedRunResult extends RunResult {
  /** The last output lines, ANSI removed and masked, for error details. */
  readonly tail: string;
}

/** `runToCompletion` with output streamed to the log and its tail kept for error reports. */
export async function runLogged(
  runner: Runner,
  command: string,
  args: readonly string[],
  options: LoggedRunOptions,
): Promise<LoggedRunResult> {
  const { logger, classify, observe } = options;
  const tail = new TailBuffer();
  const result = await runToCompletion(runner, command, args, {
    ...options,
    onLine(line, stream) {
      const plain = line.includes('\x1b') ? stripVTControlCharacters(line) : line;
      logger.output(stream, classify?.(plain) ?? 'info', line);
      tail.push(plain);
      observe?.(plain);
    },
  });
  return { ...result, tail: tail.masked(logger.redactor) };
}
