import type { CommandContext } from '../cli/context.js';
import { ConfigError, type ConfigPath } from '../core/config/issues.js';
import type { LoadedConfig } from '../core/config/load.js';
import { composeEnvironment, type EnvironmentFile } from '../core/env/environment.js';
import { expandEnvValues } from '../core/env/expand.js';
import { UsageError } from '../core/errors.js';
import type { FrontendSelection } from '../core/local-env/config-issues.js';
import type { EnvironmentPlan, PlannedComponent } from '../core/local-env/plan.js';
import type { ServiceConfig } from '../core/local-env/schema.js';
import { superviseEnvironment, type Unit } from '../core/local-env/supervise-environment.js';
import type { Logger } from '../core/logging/logger.js';
import { resolveProjectPath } from '../core/paths.js';
import { runProcess } from '../core/process/run-process.js';
import type { DevOptions } from '../core/provider.js';
import { processSpecOf } from '../core/provider-kit/process-schema.js';
import type { DevFlags } from './dev.js';
import { startHttps } from './dev-https.js';
import { baseEnvironment, type DevPlan, type PlannedCompose } from './dev-plan.js';
import { providerContext } from './project-context.js';

/** `stagecraft dev` for a whole local environment: every selected component under one supervisor. */
export async function runDevEnvironment(ctx: CommandContext, config: LoadedConfig, plan: DevPlan, flags: DevFlags): Promise<void> {
  const shown = shownComponents(plan, flags.logs);
  if (plan.https === undefined) return superviseUnits(ctx, config, plan, { listen: flags.listen, shown }, undefined);
  // The proxy starts before the components it fronts and stops after them.
  const https = await startHttps(ctx, config, plan, plan.https, flags.hosts === true);
  try {
    await superviseUnits(ctx, config, https.plan, { listen: flags.listen, shown }, https.states);
  } finally {
    await https.close();
  }
}

async function superviseUnits(
  ctx: CommandContext,
  config: LoadedConfig,
  plan: DevPlan,
  options: UnitOptions,
  states: Map<string, string> | undefined,
): Promise<void> {
  const selected = plan.components.filter((component) => plan.selected.has(component.name));
  const composed = selected.filter((component) => component.kind === 'compose');
  const units = selected
    .filter((component) => component.kind !== 'compose')
    .map((component) => unitFor(ctx, config, plan, component, options));
  // Compose starts its services together (one `up`): one unit carrying every selected Compose service's name.
  if (composed.length > 0 && plan.compose) units.unshift(composeUnit(ctx, config, plan.compose, composed, options.shown));
  for (const name of plan.assumed) ctx.logger.info(`${name}: assumed to be running already (--no-deps)`);
  await superviseEnvironment({
    units: states ? units.map((unit) => reportingState(unit, states)) : units,
    logger: ctx.logger,
    signal: ctx.signal,
  });
}

/** The unit, telling `states` what it is doing (the proxy's 502 page shows it). */
function reportingState(unit: Unit, states: Map<string, string>): Unit {
  const set = (state: string) => {
    for (const name of unit.names) states.set(name, state);
  };
  return {
    ...unit,
    async start(signal, onReady) {
      set('starting');
      try {
        await unit.start(signal, () => {
          set('ready');
          onReady();
        });
        set(signal.aborted ? 'stopped' : 'done');
      } catch (error) {
        set('failed');
        throw error;
      }
    },
  };
}

/** `--logs a,b`: names this config has, else a usage error listing them. */
function shownComponents(plan: EnvironmentPlan, logs: string | undefined): Set<string> | undefined {
  if (logs === undefined) return undefined;
  const names = logs
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const known = plan.components.map((component) => component.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new UsageError(`--logs ${JSON.stringify(logs)}: expected component names from ${known.join(', ')}`, 'dev');
  }
  return new Set(names);
}

interface UnitOptions {
  readonly listen: string | undefined;
  readonly shown: ReadonlySet<string> | undefined;
}

function unitFor(
  ctx: CommandContext,
  config: LoadedConfig,
  plan: EnvironmentPlan,
  component: PlannedComponent,
  options: UnitOptions,
): Unit {
  const dependsOn = component.dependsOn.filter((name) => plan.selected.has(name));
  const base = { names: [component.name], kind: component.kind, dependsOn, urls: { [component.name]: component.url } };
  const hideOutput = options.shown !== undefined && !options.shown.has(component.name);
  switch (component.kind) {
    case 'backend':
      return {
        ...base,
        start: (signal, onReady) => startBackend(ctx, config, plan, { signal, onReady, listen: options.listen, hideOutput }),
      };
    case 'frontend':
      return {
        ...base,
        start: (signal, onReady) =>
          startFrontend(ctx, config, plan, config.localEnv.frontend as FrontendSelection, { signal, onReady, hideOutput }),
      };
    case 'service':
      return {
        ...base,
        start: (signal, onReady) =>
          startService(ctx, config, plan, component.name, config.localEnv.services[component.name] as ServiceConfig, {
            signal,
            onReady,
            hideOutput,
          }),
      };
    default:
      throw new Error(`${component.kind} components run as one Compose unit`);
  }
}

function composeUnit(
  ctx: CommandContext,
  config: LoadedConfig,
  compose: PlannedCompose,
  components: readonly PlannedComponent[],
  shown: ReadonlySet<string> | undefined,
): Unit {
  const names = components.map((component) => component.name);
  return {
    names,
    kind: 'compose',
    dependsOn: [],
    urls: Object.fromEntries(components.map((component) => [component.name, component.url])),
    start: async (signal, onReady) => {
      const logger = ctx.logger.child({ operation: 'dev', component: 'compose' }, { prefix: 'compose', lockPrefix: false });
      const { startCompose } = await import('../core/compose/session.js');
      const session = await startCompose(
        // Only the selected services: `stagecraft dev redis` brings up redis alone.
        { ...compose.config, services: names },
        {
          projectRoot: config.projectRoot,
          projectName: config.project.name,
          env: baseEnvironment(config, ctx.processEnv),
          runner: ctx.runner,
          logger: shown === undefined ? logger : logger.child({}, { hideOutput: !names.some((name) => shown.has(name)) }),
          signal,
          forced: ctx.forced,
        },
      );
      try {
        await session.ready;
        onReady();
        const failed = await Promise.race([session.failed, aborted(signal)]);
        if (failed) throw failed;
      } finally {
        await session.shutdown();
      }
    },
  };
}

/** Resolves (with nothing) once `signal` aborts. */
function aborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(undefined);
    else signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
}

interface StartOptions {
  readonly signal: AbortSignal;
  readonly onReady: () => void;
  readonly hideOutput: boolean;
}

function componentLogger(ctx: CommandContext, name: string, fields: Record<string, string>, hideOutput: boolean): Logger {
  return ctx.logger.child({ ...fields, operation: 'dev', component: name }, { prefix: name, lockPrefix: true, hideOutput });
}

async function startBackend(
  ctx: CommandContext,
  config: LoadedConfig,
  plan: EnvironmentPlan,
  options: StartOptions & { readonly listen: string | undefined },
): Promise<void> {
  const { provider } = config;
  const logger = componentLogger(ctx, 'backend', { provider: provider.id, feature: provider.feature }, options.hideOutput);
  const env = { ...environmentFrom(ctx, backendEnvFiles(config), logger), ...plan.urlEnv };
  await provider.dev({
    ...providerContext(ctx, config, 'dev', options.signal),
    logger,
    env,
    listen: options.listen,
    expandEnv: expander(config, env, ['backend', 'providers', provider.id]),
    onReady: options.onReady,
  });
}

async function startFrontend(
  ctx: CommandContext,
  config: LoadedConfig,
  plan: EnvironmentPlan,
  frontend: FrontendSelection,
  options: StartOptions,
): Promise<void> {
  const { provider } = frontend;
  const logger = componentLogger(ctx, 'frontend', { provider: provider.id, feature: provider.feature }, options.hideOutput);
  const files = [
    ...environmentFile(config),
    ...providerEnvFiles(config, provider.devEnvFiles?.(frontend.config) ?? [], ['frontend', 'providers', provider.id]),
  ];
  const env = { ...environmentFrom(ctx, files, logger), ...plan.urlEnv };
  const devOptions: DevOptions<unknown> = {
    ...providerContext(ctx, config, 'dev', options.signal),
    config: frontend.config,
    logger,
    env,
    listen: undefined,
    expandEnv: expander(config, env, ['frontend', 'providers', provider.id]),
    onReady: options.onReady,
  };
  await provider.dev(devOptions);
}

async function startService(
  ctx: CommandContext,
  config: LoadedConfig,
  plan: EnvironmentPlan,
  name: string,
  service: ServiceConfig,
  options: StartOptions,
): Promise<void> {
  const logger = componentLogger(ctx, name, {}, options.hideOutput);
  const scope = { ...environmentFrom(ctx, environmentFile(config), logger), ...plan.urlEnv };
  const own = expander(config, scope, ['dev', 'services', name])(service.env, ['env']);
  await runProcess({
    spec: processSpecOf(service),
    env: { ...scope, ...own, ...plan.urlEnv },
    projectRoot: config.projectRoot,
    runner: ctx.runner,
    logger,
    progress: ctx.progress,
    provider: 'stagecraft',
    operation: 'dev',
    signal: options.signal,
    commandField: `dev.services.${name}.command`,
    displayName: name,
    oneshot: service.oneshot,
    tcpScheme: 'tcp',
    onReady: options.onReady,
  });
}

/** `${NAME}` in a block's env values, against the component's environment; unknown names are positioned config errors. */
function expander(config: LoadedConfig, scope: Readonly<Record<string, string>>, block: ConfigPath) {
  return (values: Readonly<Record<string, string>>, field: ConfigPath): Record<string, string> => {
    const { env, issues } = expandEnvValues(values, scope, [...block, ...field]);
    if (issues.length > 0) throw new ConfigError(config.locateIssues(issues), config.provider.id);
    return env;
  };
}

function environmentFrom(ctx: CommandContext, files: readonly EnvironmentFile[], logger: Logger): Record<string, string> {
  const { env, unresolved } = composeEnvironment(files, ctx.processEnv);
  for (const { file, names } of unresolved) {
    logger.warn(`${file}: ${names.map((name) => `\${${name}}`).join(', ')} not defined anywhere; expanded to ""`);
  }
  return env;
}

function environmentFile(config: LoadedConfig): EnvironmentFile[] {
  return config.environmentEnvFile ? [{ path: config.environmentEnvFile, source: `environments.${config.environment}.env_file` }] : [];
}

export function backendEnvFiles(config: LoadedConfig): EnvironmentFile[] {
  return [
    ...environmentFile(config),
    ...providerEnvFiles(config, config.provider.devEnvFiles?.(config.providerConfig) ?? [], ['backend', 'providers', config.provider.id]),
  ];
}

function providerEnvFiles(
  config: LoadedConfig,
  files: readonly { readonly path: string; readonly field: ConfigPath }[],
  block: ConfigPath,
): EnvironmentFile[] {
  return files.map((file) => ({ path: resolveProjectPath(config.projectRoot, file.path), source: [...block, ...file.field].join('.') }));
}
