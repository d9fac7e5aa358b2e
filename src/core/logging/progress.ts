import { monotonicMs } from '../clock.js';
import type { Logger } from './logger.js';
import type { LogOutput } from './output.js';

/** A long step the user waits for: syncing secrets, waiting for readiness, building. */
export interface ProgressStep {
  /** Replaces the detail shown after the label (e.g. `3/13`). */
  update(detail: string): void;
  /** Ends the step (its status line disappears). Safe to call twice. */
  done(): void;
}

export interface Progress {
  step(label: string): ProgressStep;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const REDRAW_MS = 100;

/**
 * On an interactive terminal (text logs), a single status line below the log with a spinner, the
 * step, its detail and the elapsed time, redrawn in place; log lines are written above it and never
 * cut in two (LogOutput clears and redraws it around them). Anywhere else, one plain log line when a
 * step starts, so pipes, files and JSON logs get no control codes.
 */
export function createProgress(options: {
  readonly logger: Logger;
  readonly output: LogOutput;
  readonly interactive: boolean;
  /** Terminal width, to keep the status on one line. */
  readonly columns?: number;
}): Progress {
  if (!options.interactive) {
    return {
      step(label) {
        options.logger.info(`${label}…`);
        return { update() {}, done() {} };
      },
    };
  }
  const { output } = options;
  // A terminal without a size (a bare pseudo-terminal) reports 0 columns.
  const width = Math.max(20, (options.columns || 80) - 1);
  let active: { label: string; detail: string; startedAt: number } | undefined;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    if (active === undefined) return;
    const seconds = ((monotonicMs() - active.startedAt) / 1000).toFixed(1);
    const text = `${FRAMES[frame++ % FRAMES.length]} ${active.label}${active.detail ? ` ${active.detail}` : ''} · ${seconds}s`;
    output.setStatus(text.length > width ? `${text.slice(0, width - 1)}…` : text);
  };
  return {
    step(label) {
      const step = { label, detail: '', startedAt: monotonicMs() };
      active = step;
      clearInterval(timer);
      timer = setInterval(draw, REDRAW_MS);
      timer.unref();
      draw();
      return {
        update(detail) {
          step.detail = detail;
          if (active === step) draw();
        },
        done() {
          if (active !== step) return;
          active = undefined;
          clearInterval(timer);
          output.setStatus('');
        },
      };
    },
  };
}

/** For code paths and tests that need a Progress but show nothing. */
export const silentProgress: Progress = { step: () => ({ update() {}, done() {} }) };
