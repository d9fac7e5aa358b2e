import type { GenericSchema } from 'valibot';
import type { ConfigIssue, ConfigPath } from './config/issues.js';
import type { Operation } from './errors.js';
import type { Logger } from './logging/logger.js';
import type { Progress } from './logging/progress.js';
import type { Redactor } from './logging/redactor.js';
import type { Runner } from './process/start-child.js';

export interface EnvFileField {
  readonly path: string;
  /** Where the config names it, relative to the provider block: ['dev', 'env_file']. */
  readonly field: ConfigPath;
}

export interface DoctorCheck {
  /** What was checked, short: "encore", "encore.app", "secret STRIPE_API_KEY". */
  readonly name: string;
  readonly status: 'ok' | 'warn' | 'fail';
  readonly message: string;
  /** What to do about a warning or failure. */
  readonly fix?: string;
}

/** What doctor checks get: the provider context and the dev environment (env files that exist, process env). */
export interface DoctorOptions<Config> extends ProviderContext<Config> {
  readonly env: Readonly<Record<string, string>>;
}

/** Project-wide settings from the `project` block, which providers may need (e.g. for image references). */
export interface ProjectInfo {
  readonly name: string;
  readonly registry: string | undefined;
}

/** What every provider operation gets from core. */
export interface ProviderContext<Config> {
  /** The provider's own block (`backend.providers.<id>`), validated, with defaults applied. */
  readonly config: Config;
  readonly project: ProjectInfo;
  /** Absolute path of the directory holding stagecraft.yml; relative config paths resolve against it. */
  readonly projectRoot: string;
  /** Provider-scoped logger: its records carry provider, operation and feature. */
  readonly logger: Logger;
  /** Secret values registered here are masked in every record, error and result. */
  readonly secrets: Redactor;
  readonly runner: Runner;
  /** For steps the user waits on (a live status line on a terminal, a log line elsewhere). */
  readonly progress: Progress;
  /** Aborted when the user asks Stagecraft to stop (first Ctrl+C, SIGTERM, SIGHUP). */
  readonly signal: AbortSignal;
}

export interface DevOptions<Config> extends ProviderContext<Config> {
  /**
   * The environment for the dev server, built by core: environments.<env>.env_file, then the provider's
   * own env files (`devEnvFiles`), then the process environment. Variables the provider sets itself go on top.
   */
  readonly env: Readonly<Record<string, string>>;
  /** `stagecraft dev --listen`: overrides the provider's configured listen address. */
  readonly listen: string | undefined;
}

export interface BuildOptions<Config> extends ProviderContext<Config> {
  /** The image tag (from --tag, else derived from git or the time). */
  readonly tag: string;
  readonly push: boolean;
  /** The process environment: builds do not read env files. */
  readonly env: Readonly<Record<string, string>>;
}

export interface BuildResult {
  readonly image: string;
  readonly pushed: boolean;
}

/** A command a plan would run, exactly: argv (no shell) and working directory. */
export interface PlannedCommand {
  readonly description: string;
  readonly argv: readonly string[];
  readonly cwd: string;
}

export interface BuildPlan {
  readonly image: string;
  /** Checks that would run first (binary lookup, version, project files), in words. */
  readonly preflight: readonly string[];
  readonly commands: readonly PlannedCommand[];
}

export interface ValidationContext {
  readonly projectRoot: string;
  /** The operations the config must be fit for: ['dev'] for `dev`, both for `config validate`. */
  readonly operations: readonly Operation[];
  readonly project: ProjectInfo;
}

/**
 * A backend provider. Core knows nothing of a provider's fields: it validates the provider's block with
 * `configSchema`, asks `validate` for checks a schema cannot express, and hands the result to the
 * operations. Operations live in separately loaded modules, so registering a provider costs little.
 */
export interface BackendProvider<Config = unknown> {
  readonly id: string;
  /** One line for `stagecraft providers`. */
  readonly description: string;
  /** Feature ID carried by every record the provider emits. */
  readonly feature: string;
  /** Text-mode prefix for child output lines (`encore │ ...`). */
  readonly logPrefix: string;
  /** Schema of `backend.providers.<id>`, with descriptions and defaults (also used for the JSON Schema). */
  readonly configSchema: GenericSchema<unknown, Config>;
  /** Checks beyond the schema (paths exist, values parse); issue paths are relative to the provider block. */
  validate?(config: Config, context: ValidationContext): ConfigIssue[];
  /**
   * Dotenv files the provider's dev environment reads (lowest precedence first): the path relative to
   * the project root and the config field naming it. Core loads them and checks that they exist.
   */
  devEnvFiles?(config: Config): readonly EnvFileField[];
  /** Checks for `stagecraft doctor` beyond the config: tools, versions, project files, ports. */
  doctor?(options: DoctorOptions<Config>): Promise<DoctorCheck[]>;
  /** Runs the dev server until `signal` aborts; throws a StagecraftError on failure. */
  dev(options: DevOptions<Config>): Promise<void>;
  /** Builds (and with `push`, pushes) the image; returns its reference. */
  buildDocker(options: BuildOptions<Config>): Promise<BuildResult>;
  /** What `buildDocker` would do, without running or writing anything. */
  plan(options: BuildOptions<Config>): Promise<BuildPlan>;
}
