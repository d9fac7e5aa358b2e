import { ConfigError } from '../core/config/issues.js';
import type { LoadedConfig } from '../core/config/load.js';
import { type EnvironmentPlan, PlanError, type PlannedComponent, planEnvironment } from '../core/local-env/plan.js';
import { resolveProjectPath } from '../core/paths.js';
import type { DevFlags } from './dev.js';

/** Whether the config asks for more than the backend alone (frontend, services, Compose). */
export function hasLocalEnvironment(config: LoadedConfig): boolean {
  const { frontend, services, compose } = config.localEnv;
  return frontend !== undefined || Object.keys(services).length > 0 || compose !== undefined;
}

/** A dev command line selecting nothing: every component, with no flags. */
export const ALL_COMPONENTS: DevFlags = { components: [], noDeps: undefined, logs: undefined, listen: undefined, dryRun: undefined };

/** The plan for this run: names, order and URLs; config problems found here are positioned like load's. */
export function planDev(config: LoadedConfig, flags: DevFlags): EnvironmentPlan {
  const { localEnv, provider } = config;
  const frontend = localEnv.frontend;
  try {
    return planEnvironment({
      localEnv,
      backendUrl: provider.devUrl?.(config.providerConfig, flags.listen),
      frontendUrl: frontend?.provider.devUrl?.(frontend.config, undefined),
      composeServices: [],
      selection: flags.components,
      noDeps: flags.noDeps === true,
    });
  } catch (error) {
    if (error instanceof PlanError) throw new ConfigError(config.locateIssues(error.issues), provider.id);
    throw error;
  }
}

/**
 * `stagecraft dev --dry-run`: the plan as text, deterministic (start order; names sorted), with env
 * variable names but never their values, so it is safe to paste anywhere.
 */
export function renderPlan(config: LoadedConfig, plan: EnvironmentPlan): string {
  const lines = [`# stagecraft dev plan for ${config.displayFile} (environment ${config.environment})`];
  const started = plan.components.filter((component) => plan.selected.has(component.name));
  lines.push(`order: ${started.map((component) => component.name).join(' → ')}`);
  for (const component of plan.components) {
    if (!plan.selected.has(component.name) && !plan.assumed.has(component.name)) continue;
    lines.push('', `${component.name} (${component.kind})${plan.assumed.has(component.name) ? ': assumed running (--no-deps)' : ''}`);
    lines.push(...componentLines(config, plan, component).map((line) => `  ${line}`));
  }
  lines.push('', `STAGECRAFT_* variables (every component): ${Object.keys(plan.urlEnv).sort().join(', ') || '(none)'}`);
  return `${lines.join('\n')}\n`;
}

function componentLines(config: LoadedConfig, plan: EnvironmentPlan, component: PlannedComponent): string[] {
  const lines: string[] = [];
  const deps = component.dependsOn.filter((name) => plan.selected.has(name) || plan.assumed.has(name));
  if (deps.length > 0) lines.push(`waits for: ${deps.join(', ')}`);
  if (component.url !== undefined) lines.push(`url: ${component.url}`);
  if (component.internalUrl !== undefined && component.internalUrl !== component.url) lines.push(`internal url: ${component.internalUrl}`);
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
