import type { StagecraftError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { Runner } from '../process/start-child.js';

/** How one Compose service proves it is ready beyond Compose health: exactly one of tcp/http/log. */
export interface ComposeReadySpec {
  readonly tcp?: string;
  readonly http?: string;
  readonly log?: string;
  readonly timeoutMs: number;
}

/** `dev.compose`, already validated and defaulted by the config schema. */
export interface ComposeConfig {
  /** Absolute paths. */
  readonly files: readonly string[];
  readonly project: string | undefined;
  /** Default: every service of the file(s). */
  readonly services: readonly string[] | undefined;
  readonly ready: Readonly<Record<string, ComposeReadySpec>>;
  readonly onExit: 'stop' | 'down' | 'keep';
}

export interface ComposeContext {
  readonly projectRoot: string;
  /** `project.name` from stagecraft.yml (for the default Compose project name). */
  readonly projectName: string;
  /** The base environment (env files + process env): Compose runs with it, so file interpolation agrees. */
  readonly env: Readonly<Record<string, string>>;
  readonly runner: Runner;
  readonly logger: Logger;
  /** First Ctrl+C / SIGTERM / SIGHUP, or another component failed. */
  readonly signal: AbortSignal;
  /** Second Ctrl+C: `compose kill` on the services this run started, at once. */
  readonly forced: AbortSignal;
}

export interface ComposePlanStep {
  readonly description: string;
  readonly argv: readonly string[];
  readonly cwd: string;
}

export interface ComposeServiceDescription {
  readonly name: string;
  /** From ready.http / ready.tcp, else the first published port (see describe.ts for the scheme). */
  readonly url: string | undefined;
}

export interface ComposeDescription {
  readonly project: string;
  readonly services: readonly ComposeServiceDescription[];
  /** For `dev --dry-run`: argv only, never an environment value. */
  readonly plan: readonly ComposePlanStep[];
}

export interface ComposeSession {
  readonly project: string;
  /** Selected services that were not already running before this run. */
  readonly startedByUs: readonly string[];
  /** Resolves when every selected service is up, healthy and passes its `ready` check; rejects with DEV_SERVER_FAILED. */
  readonly ready: Promise<void>;
  /** Settles (resolves with the error) if a service dies after it was ready; never settles otherwise. */
  readonly failed: Promise<StagecraftError>;
  /** Applies on_exit to the services this run started and ends the log followers. Safe to call twice. */
  shutdown(): Promise<void>;
}
