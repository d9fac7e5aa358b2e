import type { FlagsOf } from '../cli/command-spec.js';
import type { CommandContext } from '../cli/context.js';
import type { DEV_OPTIONS, DEV_POSITIONALS } from '../cli/options.js';
import { ConfigError } from '../core/config/issues.js';
import type { LoadedConfig } from '../core/config/load.js';
import { composeEnvironment, type EnvironmentFile } from '../core/env/environment.js';
import { expandEnvValues } from '../core/env/expand.js';
import { InterruptedError, StagecraftError, UsageError } from '../core/errors.js';
import { hasLocalEnvironment } from '../core/local-env/config-issues.js';
import { resolveProjectPath } from '../core/paths.js';
import { acquireInstanceLock } from '../core/process/instance-lock.js';
import { loadProjectConfig, providerContext } from './project-context.js';

export type DevFlags = FlagsOf<typeof DEV_OPTIONS, typeof DEV_POSITIONALS>;

/**
 * `stagecraft dev`: validate, build the environment, hand over to the provider until the user stops it.
 * A stop requested by the user (Ctrl+C, SIGTERM, SIGHUP) is a success once everything has exited.
 */
export async function devCommand(ctx: CommandContext, flags: DevFlags): Promise<number> {
  if (flags.detach) {
    throw new UsageError(
      '--detach is not available yet: `stagecraft dev` runs in the foreground (run it in a terminal multiplexer or with `&` meanwhile)',
      'dev',
    );
  }
  if (flags.noTraefik) ctx.logger.debug('--no-traefik: nothing to do, Stagecraft runs no Traefik container');
  const config = loadProjectConfig(ctx, ['dev']);
  // Planning and the environment's supervisor load only when used: the backend alone starts as fast as before.
  const planning = wholeEnvironment(config, flags) || flags.dryRun ? await import('./dev-plan.js') : undefined;
  const plan = planning?.planDev(config, flags, planning.baseEnvironment(config, ctx.processEnv));
  if (flags.dryRun && planning && plan) {
    ctx.print(planning.renderPlan(config, plan));
    return 0;
  }
  // Before anything is touched (secrets written, processes spawned, ports probed): one run per config file.
  const lock = await acquireInstanceLock({ key: config.file, what: `stagecraft dev for ${config.displayFile}` });
  try {
    if (plan !== undefined) await (await import('./dev-environment.js')).runDevEnvironment(ctx, config, plan, flags);
    else await runBackendAlone(ctx, config, flags);
    return 0;
  } catch (error) {
    // Whatever was under way when the user asked to stop has been stopped; that is the outcome they wanted.
    if (!ctx.signal.aborted || decidedBeforeStop(error)) throw error;
    ctx.logger.info('stopped before the dev server started');
    return 0;
  } finally {
    lock.release();
  }
}

/** The backend alone, exactly as before the whole environment existed (prefix `encore │`, no component field). */
async function runBackendAlone(ctx: CommandContext, config: LoadedConfig, flags: DevFlags): Promise<void> {
  const env = devEnvironment(ctx, config);
  await config.provider.dev({
    ...providerContext(ctx, config, 'dev', ctx.signal),
    env,
    listen: flags.listen,
    expandEnv(values, field) {
      const { env: expanded, issues } = expandEnvValues(values, env, ['backend', 'providers', config.provider.id, ...field]);
      if (issues.length > 0) throw new ConfigError(config.locateIssues(issues), config.provider.id);
      return expanded;
    },
  });
}

/** A config with a frontend, services or Compose, or a command line selecting components, runs the whole environment. */
function wholeEnvironment(config: LoadedConfig, flags: DevFlags): boolean {
  return (
    hasLocalEnvironment(config.localEnv) ||
    flags.components.length > 0 ||
    flags.noDeps === true ||
    flags.logs !== undefined ||
    flags.hosts === true
  );
}

/**
 * A dev server failure (a crash, a readiness timeout) is decided before any stop request: supervision
 * resolves, never fails, once the user asks to stop. A Ctrl+C while it is being cleaned up must not turn
 * it into a success.
 */
function decidedBeforeStop(error: unknown): boolean {
  return error instanceof StagecraftError && !(error instanceof InterruptedError) && error.category === 'DEV_SERVER_FAILED';
}

/** environments.<env>.env_file, then the provider's env files, then the process environment. */
function devEnvironment(ctx: CommandContext, config: LoadedConfig): Record<string, string> {
  const { env, unresolved } = composeEnvironment(devEnvironmentFiles(config), ctx.processEnv);
  for (const { file, names } of unresolved) {
    ctx.logger.warn(`${file}: ${names.map((name) => `\${${name}}`).join(', ')} not defined anywhere; expanded to ""`);
  }
  return env;
}

/** The env files of a dev run, lowest precedence first, with where each was configured. */
export function devEnvironmentFiles(config: LoadedConfig): EnvironmentFile[] {
  const files: EnvironmentFile[] = [];
  if (config.environmentEnvFile) {
    files.push({ path: config.environmentEnvFile, source: `environments.${config.environment}.env_file` });
  }
  for (const file of config.provider.devEnvFiles?.(config.providerConfig) ?? []) {
    files.push({
      path: resolveProjectPath(config.projectRoot, file.path),
      source: `backend.providers.${config.provider.id}.${file.field.join('.')}`,
    });
  }
  return files;
}
