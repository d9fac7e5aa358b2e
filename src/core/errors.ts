import { constants } from 'node:os';

/**
 * The one error type that crosses module boundaries. Everything a user can be told about a failure lives
 * on it; `reportError` (cli/report-error.ts) turns it into records and `exitCodeFor` into the process exit code.
 */

export type ErrorCategory =
  | 'USAGE'
  | 'INVALID_CONFIG'
  | 'INVALID_PROJECT'
  | 'PROVIDER_NOT_AVAILABLE'
  | 'BUILD_FAILED'
  | 'PUSH_FAILED'
  | 'INTERNAL'
  | 'SECRET_SYNC_FAILED'
  | 'DEV_SERVER_FAILED'
  | 'INTERRUPTED';

export type Operation = 'dev' | 'build';

const EXIT_CODES: Record<ErrorCategory, number> = {
  USAGE: 1,
  INVALID_CONFIG: 1,
  INVALID_PROJECT: 1,
  PROVIDER_NOT_AVAILABLE: 2,
  BUILD_FAILED: 3,
  PUSH_FAILED: 4,
  INTERNAL: 5,
  SECRET_SYNC_FAILED: 6,
  DEV_SERVER_FAILED: 7,
  // A build or check interrupted by the user; refined to 128 + signal number by `exitCodeFor`.
  INTERRUPTED: 130,
};

/** The process exit code for an error, as the product contract's table gives it. */
export function exitCodeFor(error: StagecraftError): number {
  if (error instanceof InterruptedError) {
    // The shell convention, so `stagecraft build && deploy` never deploys after Ctrl+C.
    return 128 + (constants.signals[error.signalName] ?? 2);
  }
  return EXIT_CODES[error.category];
}

export interface StagecraftErrorOptions {
  category: ErrorCategory;
  message: string;
  provider?: string;
  operation?: Operation;
  /** In a whole local environment: the component that failed (`db`, `backend`, `frontend`). */
  component?: string;
  /** A short excerpt (e.g. the masked tail of a child's output), shown under the message. */
  detail?: string;
  /** Exit code of the child process that failed, when one did. */
  exitCode?: number;
  /** Signal that ended the child process, when one did. */
  signal?: string;
  /** One line telling the user what to do about it. */
  hint?: string;
  cause?: unknown;
}

export class StagecraftError extends Error {
  readonly category: ErrorCategory;
  readonly provider: string | undefined;
  readonly operation: Operation | undefined;
  readonly component: string | undefined;
  readonly detail: string | undefined;
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly hint: string | undefined;

  constructor(options: StagecraftErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StagecraftError';
    this.category = options.category;
    this.provider = options.provider;
    this.operation = options.operation;
    this.component = options.component;
    this.detail = options.detail;
    this.exitCode = options.exitCode;
    this.signal = options.signal;
    this.hint = options.hint;
  }
}

export function isStagecraftError(value: unknown): value is StagecraftError {
  return value instanceof StagecraftError;
}

/** Bad usage of the command line (an unknown command or option, a missing value): exit 1 with a help hint. */
export class UsageError extends StagecraftError {
  /** `topic`: the command whose help the hint points at (`init` → `stagecraft init --help`). */
  constructor(message: string, topic?: string) {
    super({ category: 'USAGE', message, hint: `Run \`stagecraft ${topic ? `${topic} ` : ''}--help\` for usage.` });
    this.name = 'UsageError';
  }
}

/** Raised when the user stops a command (Ctrl+C, SIGTERM, SIGHUP) before it finished. */
export class InterruptedError extends StagecraftError {
  readonly signalName: NodeJS.Signals;

  constructor(signalName: NodeJS.Signals, operation?: Operation) {
    super({ category: 'INTERRUPTED', message: `stopped by ${signalName}`, operation });
    this.name = 'InterruptedError';
    this.signalName = signalName;
  }
}
