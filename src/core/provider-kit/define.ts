import type { ConfigIssue } from '../config/issues.js';
import { StagecraftError } from '../errors.js';
import { workdirProblem } from '../paths.js';
import type {
  BackendProvider,
  BuildOptions,
  BuildPlan,
  BuildResult,
  Detection,
  DevOptions,
  DoctorCheck,
  DoctorOptions,
  InitChoices,
  InitTemplate,
  ValidationContext,
} from '../provider.js';

/**
 * A provider block whose `dev` is optional in the schema (a CI that only builds needs none) but required
 * by `stagecraft dev`, and whose dev server runs in `dev.workdir`.
 */
export interface WithDevBlock {
  readonly dev?: { readonly workdir: string } | undefined;
}

/** The dev block, known to be there. */
export type DevBlock<Config extends WithDevBlock> = NonNullable<Config['dev']>;

/** Loads an operation's module when the operation first runs: `() => import('./dev.js').then((m) => m.runDev)`. */
export type Load<Operation> = () => Promise<Operation>;

export interface ProviderOperations<Config extends WithDevBlock> {
  /** Runs the dev server; gets the dev block, which `defineProvider` has checked is there. */
  readonly dev: Load<(options: DevOptions<Config>, dev: DevBlock<Config>) => Promise<void>>;
  readonly buildDocker: Load<(options: BuildOptions<Config>) => Promise<BuildResult>>;
  readonly plan: Load<(options: BuildOptions<Config>) => Promise<BuildPlan>>;
  readonly doctor?: Load<(options: DoctorOptions<Config>) => Promise<DoctorCheck[]>>;
  /** For `stagecraft init`: how well a project directory fits this provider, and the config block it writes. */
  readonly detect?: Load<(projectDir: string) => Promise<Detection>>;
  readonly initTemplate?: Load<(choices: InitChoices) => Promise<InitTemplate>>;
}

export interface ProviderDefinition<Config extends WithDevBlock>
  extends Pick<
    BackendProvider<Config>,
    'id' | 'description' | 'feature' | 'logPrefix' | 'configSchema' | 'devEnvFiles' | 'initOptions' | 'devUrl'
  > {
  readonly devBlock: {
    /** What a dev block must hold at least, for the message when it is missing: "at least `command`". */
    readonly requires: string;
    /**
     * Whether builds run in dev.workdir too (the build block names no directory of its own): dev.workdir is
     * then checked when validating for builds as well, once, for either use.
     */
    readonly buildUsesDevWorkdir: (config: Config) => boolean;
  };
  /** Checks beyond the schema and the dev block's; issue paths are relative to the provider block. */
  validate?(config: Config, context: ValidationContext): ConfigIssue[];
  /** Each operation in a module of its own, loaded when used: registering the provider stays cheap. */
  readonly operations: ProviderOperations<Config>;
}

/**
 * Builds a BackendProvider from its schema and its operations, with what every provider needs done once:
 * operations loaded lazily, the dev block required for `dev` (a positioned config issue from `validate`,
 * and a typed error for callers of the API that skip validation), and dev.workdir checked to exist inside
 * the project root.
 */
export function defineProvider<Config extends WithDevBlock>(definition: ProviderDefinition<Config>): BackendProvider<Config> {
  const { operations, devBlock, validate, ...identity } = definition;
  const { doctor, detect, initTemplate } = operations;
  return {
    ...identity,
    validate(config, context) {
      return [...devBlockIssues(config, context, devBlock), ...(validate?.(config, context) ?? [])];
    },
    async dev(options) {
      const dev = options.config.dev as DevBlock<Config> | undefined;
      if (dev === undefined) {
        throw new StagecraftError({
          category: 'INVALID_CONFIG',
          provider: definition.id,
          operation: 'dev',
          message: `backend.providers.${definition.id}.dev is required: expected a dev block with ${devBlock.requires}`,
        });
      }
      return (await operations.dev())(options, dev);
    },
    buildDocker: async (options) => (await operations.buildDocker())(options),
    plan: async (options) => (await operations.plan())(options),
    ...(doctor === undefined ? {} : { doctor: async (options: DoctorOptions<Config>) => (await doctor())(options) }),
    ...(detect === undefined ? {} : { detect: async (projectDir: string) => (await detect())(projectDir) }),
    ...(initTemplate === undefined ? {} : { initTemplate: async (choices: InitChoices) => (await initTemplate())(choices) }),
  };
}

function devBlockIssues<Config extends WithDevBlock>(
  config: Config,
  { projectRoot, operations }: ValidationContext,
  devBlock: ProviderDefinition<Config>['devBlock'],
): ConfigIssue[] {
  const { dev } = config;
  if (dev === undefined) {
    return operations.includes('dev')
      ? [{ path: ['dev'], atKey: true, operation: 'dev', message: `expected a dev block with ${devBlock.requires}, found nothing` }]
      : [];
  }
  if (!operations.includes('dev') && !devBlock.buildUsesDevWorkdir(config)) return [];
  const problem = workdirProblem(projectRoot, dev.workdir);
  return problem ? [{ path: ['dev', 'workdir'], message: problem }] : [];
}
