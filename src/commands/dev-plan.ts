// describe.js, not the index: validating a config must not load the session code.
import { describeCompose } from '../core/compose/describe.js';
import type { ComposeConfig, ComposeDescription } from '../core/compose/types.js';
import { ConfigError } from '../core/config/issues.js';
import type { LoadedConfig } from '../core/config/load.js';
import { composeEnvironment } from '../core/env/environment.js';
import { type HttpsPlan, planHttps } from '../core/local-env/https-plan.js';
import { type EnvironmentPlan, PlanError, type PlannedComponent, planEnvironment } from '../core/local-env/plan.js';
import { resolveProjectPath } from '../core/paths.js';
import type { DevFlags } from './dev.js';

/** A dev command line selecting nothing: every component, with no flags. */
export const ALL_COMPONENTS: DevFlags = {
  components: [],
  noDeps: undefined,
  logs: undefined,
  listen: undefined,
  dryRun: undefined,
  hosts: undefined,
  noHosts: undefined,
  noHttps: undefined,
  noTraefik: undefined,
  detach: undefined,
};

/**
 * The base environment of the whole environment: environments.<env>.env_file, then the process environment.
 * Compose interpolates its files with it; every component's environment starts from it.
 */
export function baseEnvironment(config: LoadedConfig, processEnv: NodeJS.ProcessEnv): Record<string, string> {
  const files = config.environmentEnvFile
    ? [{ path: config.environmentEnvFile, source: `environments.${config.environment}.env_file` }]
    : [];
  return composeEnvironment(files, processEnv).env;
}

/** Compose as this run drives it: the validated block made absolute, and what its files say. */
export interface PlannedCompose {
  readonly config: ComposeConfig;
  readonly description: ComposeDescription;
}

export interface DevPlan extends EnvironmentPlan {
  readonly compose: PlannedCompose | undefined;
  /** HTTPS on dev domains for this run, when on. */
  readonly https: HttpsPlan | undefined;
}

/**
 * The plan for this run: names, order and URLs; config problems found here are positioned like load's.
 * `baseEnv` is what Compose interpolates its files with (env files and the process environment).
 */
export function planDev(config: LoadedConfig, flags: DevFlags, baseEnv: Readonly<Record<string, string>>): DevPlan {
  const { localEnv, provider } = config;
  const frontend = localEnv.frontend;
  const compose = plannedCompose(config, baseEnv);
  try {
    const plan = planEnvironment({
      localEnv,
      backendUrl: provider.devUrl?.(config.providerConfig, flags.listen),
      frontendUrl: frontend?.provider.devUrl?.(frontend.config, undefined),
      composeServices: compose?.description.services ?? [],
      selection: flags.components,
      noDeps: flags.noDeps === true,
    });
    const https = planHttps(plan.components, localEnv.https, config.project.name, flags.noHttps === true);
    if (https.issues.length > 0) throw new PlanError(https.issues);
    return { ...plan, compose, https: https.https };
  } catch (error) {
    if (error instanceof PlanError) throw new ConfigError(config.locateIssues(error.issues), provider.id);
    throw error;
  }
}

function plannedCompose(config: LoadedConfig, env: Readonly<Record<string, string>>): PlannedCompose | undefined {
  const block = config.localEnv.compose;
  if (block === undefined) return undefined;
  const composeConfig: ComposeConfig = {
    files: block.file.map((file) => resolveProjectPath(config.projectRoot, file)),
    project: block.project,
    services: block.services,
    ready: Object.fromEntries(
      Object.entries(block.ready).map(([name, ready]) => [
        name,
        { tcp: ready.tcp, http: ready.http, log: ready.log, timeoutMs: ready.timeout },
      ]),
    ),
    onExit: block.on_exit,
  };
  const description = describeCompose(composeConfig, { projectRoot: config.projectRoot, projectName: config.project.name, env });
  return { config: composeConfig, description };
}

/**
 * `stagecraft dev --dry-run`: the plan as text, deterministic (start order; names sorted), with env
 * variable names but never their values, so it is safe to paste anywhere.
 */
export function renderPlan(config: LoadedConfig, plan: DevPlan): string {
  const lines = [`# stagecraft dev plan for ${config.displayFile} (environment ${config.environment})`];
  const started = plan.components.filter((component) => plan.selected.has(component.name));
  lines.push(`order: ${started.map((component) => component.name).join(' → ')}`);
  for (const component of plan.components) {
    if (!plan.selected.has(component.name) && !plan.assumed.has(component.name)) continue;
    lines.push('', `${component.name} (${component.kind})${plan.assumed.has(component.name) ? ': assumed running (--no-deps)' : ''}`);
    lines.push(...componentLines(config, plan, component).map((line) => `  ${line}`));
  }
  if (plan.compose && plan.components.some((c) => c.kind === 'compose' && plan.selected.has(c.name))) {
    lines.push('', `compose (project ${plan.compose.description.project}, on_exit: ${plan.compose.config.onExit})`);
    for (const step of plan.compose.description.plan) lines.push(`  ${step.description}: ${JSON.stringify(step.argv)} in ${step.cwd}`);
  }
  if (plan.https) {
    const { httpsPort, httpPort } = plan.https;
    lines.push(
      '',
      `proxy (HTTPS, started first): 127.0.0.1 and ::1, port ${httpsPort ?? '443 if permitted, else 8443'}; http ${httpPort ?? '80 if permitted, else 8081'} redirects`,
      '  certificate: .stagecraft/dev/certs/dev-local.pem (mkcert), trusted by every component through NODE_EXTRA_CA_CERTS',
    );
  }
  lines.push('', `STAGECRAFT_* variables (every component): ${Object.keys(plan.urlEnv).sort().join(', ') || '(none)'}`);
  return `${lines.join('\n')}\n`;
}

function componentLines(config: LoadedConfig, plan: DevPlan, component: PlannedComponent): string[] {
  const lines: string[] = [];
  const deps = component.dependsOn.filter((name) => plan.selected.has(name) || plan.assumed.has(name));
  if (deps.length > 0) lines.push(`waits for: ${deps.join(', ')}`);
  const domain = plan.https?.domains[component.name];
  if (domain !== undefined) lines.push(`url: https://${domain} (port ${plan.https?.httpsPort ?? '443 if permitted, else 8443'})`);
  else if (component.url !== undefined) lines.push(`url: ${component.url}`);
  if (component.internalUrl !== undefined && (domain !== undefined || component.internalUrl !== component.url)) {
    lines.push(`internal url: ${component.internalUrl}`);
  }
  const process = processOf(config, component);
  if (process !== undefined) {
    lines.push(`argv: ${JSON.stringify(process.command)}`);
    lines.push(`workdir: ${resolveProjectPath(config.projectRoot, process.workdir)}`);
    const names = Object.keys(process.env).sort();
    if (names.length > 0) lines.push(`env: ${names.join(', ')}`);
  } else if (component.kind === 'backend') {
    lines.push(`provider: ${config.provider.id} (its dev command; see \`stagecraft dev --help\`)`);
  }
  return lines;
}

interface ProcessLike {
  readonly command: readonly string[];
  readonly workdir: string;
  readonly env: Readonly<Record<string, string>>;
}

/** The command a component runs, where the config spells it out (services, and process-schema providers). */
function processOf(config: LoadedConfig, component: PlannedComponent): ProcessLike | undefined {
  if (component.kind === 'service') return config.localEnv.services[component.name];
  const block =
    component.kind === 'frontend' ? config.localEnv.frontend?.config : component.kind === 'backend' ? config.providerConfig : undefined;
  const dev = (block as { dev?: Partial<ProcessLike> } | undefined)?.dev;
  return Array.isArray(dev?.command) && typeof dev?.workdir === 'string' && typeof dev?.env === 'object' ? (dev as ProcessLike) : undefined;
}
