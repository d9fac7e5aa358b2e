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
  /**
   * Expands `${NAME}` in the provider's own `env`-like values against `env`. `field` is where the values sit,
   * relative to the provider block (['dev', 'env']): a name defined nowhere is INVALID_CONFIG at that place.
   */
  expandEnv(values: Readonly<Record<string, string>>, field: ConfigPath): Record<string, string>;
  /**
   * Called once when the dev server is ready (or at once after it starts, when it has no readiness check).
   * In a whole local environment the components that depend on it start then.
   */
  readonly onReady?: () => void;
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

/** A flag of `stagecraft init` that only some providers read (`--command`, `--secrets`). Plain data. */
export interface InitOption {
  readonly type: 'string' | 'boolean';
  /** Placeholder for the value in help: `--entry FILE`. */
  readonly value?: string;
  readonly description: string;
}

/**
 * What `detect` found. Init picks the provider with the strongest fit: `strong` is a file only this kind of
 * project has (encore.app), `weak` a general sign (a start script in package.json), `none` nothing at all.
 * Two providers fitting equally well is ambiguous: init then asks for `--provider`.
 */
export interface Detection {
  readonly fit: 'strong' | 'weak' | 'none';
  /** What was found or missed, in words: "encore.app in backend", "no encore.app in this directory or below it". */
  readonly reason: string;
}

/** The user's choices for `stagecraft init`, as the provider's template gets them. */
export interface InitChoices {
  /** Absolute path of the directory init runs in: the project root of the config it writes. */
  readonly projectDir: string;
  /** The project name, already fit for an image name (lowercase letters, digits, dashes). */
  readonly name: string;
  /** `--workdir`: the app's directory, relative to projectDir, if given. */
  readonly workdir: string | undefined;
  /** `--listen`: the dev listen address (host:port), if given. */
  readonly listen: string | undefined;
  /** The provider's own flags (its `initOptions`), by flag name: a string, `true` for a boolean, or absent. */
  readonly options: Readonly<Record<string, string | true | undefined>>;
}

/** A file the config names, which init creates (mode 600) when it is missing, so the config validates at once. */
export interface InitFile {
  /** Relative to the project directory. */
  readonly path: string;
  readonly text: string;
}

/** What a provider's template gives `stagecraft init`. Core writes the header, project block and `backend.provider`. */
export interface InitTemplate {
  /** Completes the header comment "`stagecraft dev` ...": "runs your dev server, `stagecraft build` builds its image." */
  readonly purpose: string;
  /**
   * The provider's block (`backend.providers.<id>`), one line each, indented as if the block started at
   * column 0; core indents it. Write every value with `yamlScalar` or `yamlFlowList`, never by hand.
   */
  readonly block: readonly string[];
  readonly files?: readonly InitFile[];
  /** Files that will hold secret values: init checks that git ignores each one and offers to add it (`--gitignore`). */
  readonly secretFiles?: readonly string[];
  /** What to do after init, one line. */
  readonly next?: string;
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
  /**
   * The URL the dev server will serve, known before it starts (`--listen` applied), for STAGECRAFT_BACKEND_URL;
   * undefined when the config does not say.
   */
  devUrl?(config: Config, listen: string | undefined): string | undefined;
  /** Builds (and with `push`, pushes) the image; returns its reference. */
  buildDocker(options: BuildOptions<Config>): Promise<BuildResult>;
  /** What `buildDocker` would do, without running or writing anything. */
  plan(options: BuildOptions<Config>): Promise<BuildPlan>;
  /**
   * `stagecraft init` flags only this provider reads, by name (without `--`). Read whenever init's command
   * line is parsed, so plain data; they must not reuse init's own flag names. Values reach `initTemplate` in
   * `choices.options`. A flag given on its own implies the provider(s) declaring it.
   */
  readonly initOptions?: Readonly<Record<string, InitOption>>;
  /**
   * Whether the project in `projectDir` looks like this provider's kind, for `stagecraft init` without
   * `--provider`. Keep the work in a lazily loaded module, like the operations.
   */
  detect?(projectDir: string): Promise<Detection>;
  /** The provider's part of a starter stagecraft.yml. A provider without one cannot be chosen by `stagecraft init`. */
  initTemplate?(choices: InitChoices): Promise<InitTemplate>;
}

/**
 * A frontend provider (`frontend.provider`): the web app's dev server, run beside the backend. Same
 * pattern as a backend provider (schema, validation, lazily loaded operations), without images.
 */
export interface FrontendProvider<Config = unknown>
  extends Pick<
    BackendProvider<Config>,
    'id' | 'description' | 'feature' | 'logPrefix' | 'configSchema' | 'validate' | 'devEnvFiles' | 'doctor' | 'dev' | 'devUrl'
  > {
  /** Whether `projectDir` holds a web app of this kind (a Vite or Next app folder), and where. */
  detect?(projectDir: string): Promise<FrontendDetection>;
  /** The provider's block (`frontend.providers.<id>`) for `stagecraft init`, one line each. */
  initTemplate?(found: FrontendDetection): Promise<readonly string[]>;
}

export interface FrontendDetection extends Detection {
  /** The app folder, relative to the project directory. */
  readonly workdir?: string;
  /** What kind of app: "vite", "next". */
  readonly kind?: string;
  /** Its dev script's default port. */
  readonly port?: number;
}
