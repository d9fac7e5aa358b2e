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
  /** Aborted by a second stop signal: whatever still winds down gracefully must end now (`compose kill`). */
  readonly forced: AbortSignal;
  /** The command is over: removes the handlers, so a second run in the same process starts from none. */
  dispose(): void;
}

/**
 * Turns the stop signals into an AbortSignal for the life of one command. Children run in their own
 * process groups, so the terminal's Ctrl+C reaches only Stagecraft; what happens to them is decided here
 * and by whoever listens to `signal`. The handlers are removed by `dispose()` when the command is over
 * (the CLI entry keeps the exit code safe from a late Ctrl+C by other means: src/cli.ts).
 */
export function listenForInterrupts(options: InterruptOptions = {}): Interrupts {
  const controller = new AbortController();
  const force = new AbortController();
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      options.onForce?.(signal);
      force.abort(new InterruptedError(signal));
      return;
    }
    controller.abort(new InterruptedError(signal));
    options.onStop?.(signal);
  };
  for (const name of STOP_SIGNALS) process.on(name, handler);
  return {
    signal: controller.signal,
    forced: force.signal,
    dispose() {
      for (const name of STOP_SIGNALS) process.off(name, handler);
    },
  };
}
