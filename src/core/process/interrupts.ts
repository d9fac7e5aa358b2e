import { InterruptedError } from '../errors.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface InterruptOptions {
  /** The first SIGINT/SIGTERM/SIGHUP: a graceful stop has begun. */
  readonly onStop?: (signal: NodeJS.Signals) => void;
  /** Any further one: the user wants it over now. */
  readonly onForce?: (signal: NodeJS.Signals) => void;
}

export interface Interrupts {
  /** Aborted (with an InterruptedError as reason) by the first stop signal. */
  readonly signal: AbortSignal;
  /** The command is over: from now on a stop signal exits at once with `code` (it must not change the outcome). */
  finish(code: number): void;
}

/**
 * Turns the stop signals into an AbortSignal, for the whole life of the process. Children run in their
 * own process groups, so the terminal's Ctrl+C reaches only Stagecraft; what happens to them is decided
 * here and by whoever listens to `signal`. The handlers are never removed: a Ctrl+C that lands while a
 * finished command is still writing its last lines must not turn its exit code into death by SIGINT.
 */
export function listenForInterrupts(options: InterruptOptions = {}): Interrupts {
  const controller = new AbortController();
  let finished: number | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (finished !== undefined) process.exit(finished);
    if (controller.signal.aborted) {
      options.onForce?.(signal);
      return;
    }
    controller.abort(new InterruptedError(signal));
    options.onStop?.(signal);
  };
  for (const name of STOP_SIGNALS) process.on(name, handler);
  return {
    signal: controller.signal,
    finish(code) {
      finished = code;
    },
  };
}
