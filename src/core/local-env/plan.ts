import type { ConfigIssue, ConfigPath } from '../config/issues.js';
import { UsageError } from '../errors.js';
import { processSpecOf, readinessUrl } from '../provider-kit/process-schema.js';
import type { LocalEnvConfig } from './config-issues.js';
import { COMPONENT_NAME, RESERVED_NAMES } from './schema.js';

export type ComponentKind = 'compose' | 'service' | 'backend' | 'frontend';

/** One component of the local environment, as planned before anything starts. */
export interface PlannedComponent {
  readonly name: string;
  readonly kind: ComponentKind;
  /** Every component it waits for, explicit (`depends_on`) and implied (backend and frontend wait for services and Compose). */
  readonly dependsOn: readonly string[];
  /** Loopback URL (`…_INTERNAL_URL`), when known. */
  readonly internalUrl: string | undefined;
  /** The URL a browser uses (`…_URL`): the internal one until HTTPS serves the component. */
  readonly url: string | undefined;
  /** STAGECRAFT_BACKEND, STAGECRAFT_SERVICE_DB, ...: the stem of its two URL variables. */
  readonly envStem: string;
}

export interface EnvironmentPlan {
  /** Every component of the config, in start order (dependencies first; ties by kind, then name). */
  readonly components: readonly PlannedComponent[];
  /** The names this run starts (a selection and its dependencies, or all). */
  readonly selected: ReadonlySet<string>;
  /** Named on the command line with --no-deps: their dependencies are assumed to be running already. */
  readonly assumed: ReadonlySet<string>;
  /** STAGECRAFT_*_URL and _INTERNAL_URL for every component whose URL is known: every component gets them all. */
  readonly urlEnv: Readonly<Record<string, string>>;
}

export interface PlanInput {
  readonly localEnv: LocalEnvConfig;
  /** The backend's URL, from its provider (`--listen` applied). */
  readonly backendUrl: string | undefined;
  /** The frontend's URL, from its provider. */
  readonly frontendUrl: string | undefined;
  /** The Compose services this config runs, with their URLs where known (compose/describe). */
  readonly composeServices: readonly { readonly name: string; readonly url: string | undefined }[];
  /** `stagecraft dev NAME...`; empty: everything. */
  readonly selection: readonly string[];
  readonly noDeps: boolean;
}

export class PlanError extends Error {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map((issue) => issue.message).join('; '));
    this.issues = issues;
  }
}

const KIND_ORDER: Record<ComponentKind, number> = { compose: 0, service: 1, backend: 2, frontend: 3 };

/**
 * Names, dependencies, order and URLs of the whole local environment, decided before anything starts.
 * Throws PlanError (config issues, positioned by the caller) for a bad name, an unknown dependency or a
 * cycle, and UsageError for a selection naming no component.
 */
export function planEnvironment(input: PlanInput): EnvironmentPlan {
  const drafts = draftComponents(input);
  const issues = nameIssues(input, drafts);
  if (issues.length > 0) throw new PlanError(issues);
  const components = startOrder(drafts);
  const selected = selectComponents(components, input.selection, input.noDeps);
  const assumed = new Set(input.noDeps ? components.filter((c) => !selected.has(c.name)).map((c) => c.name) : []);
  return { components, selected, assumed, urlEnv: urlEnvironment(components) };
}

interface Draft extends PlannedComponent {
  /** Where `depends_on` is written, for issues. */
  readonly dependsOnField: ConfigPath | undefined;
  readonly explicitDeps: readonly string[];
}

function draftComponents(input: PlanInput): Draft[] {
  const { localEnv } = input;
  const infrastructure = [...input.composeServices.map((s) => s.name), ...Object.keys(localEnv.services)];
  const drafts: Draft[] = input.composeServices.map((service) =>
    draft(service.name, 'compose', `STAGECRAFT_COMPOSE_${envWord(service.name)}`, service.url, [], undefined, []),
  );
  for (const [name, service] of Object.entries(localEnv.services)) {
    const url = service.url ?? readinessUrl(processSpecOf(service).ready, 'tcp');
    drafts.push(
      draft(
        name,
        'service',
        `STAGECRAFT_SERVICE_${envWord(name)}`,
        url,
        service.depends_on,
        ['dev', 'services', name, 'depends_on'],
        service.depends_on,
      ),
    );
  }
  drafts.push(draft('backend', 'backend', 'STAGECRAFT_BACKEND', input.backendUrl, infrastructure, undefined, []));
  const { frontend } = localEnv;
  if (frontend !== undefined) {
    const deps = [...new Set([...infrastructure, ...frontend.dependsOn])];
    drafts.push(
      draft('frontend', 'frontend', 'STAGECRAFT_FRONTEND', input.frontendUrl, deps, ['frontend', 'depends_on'], frontend.dependsOn),
    );
  }
  return drafts;
}

function draft(
  name: string,
  kind: ComponentKind,
  envStem: string,
  url: string | undefined,
  dependsOn: readonly string[],
  dependsOnField: ConfigPath | undefined,
  explicitDeps: readonly string[],
): Draft {
  const internalUrl = url === undefined ? undefined : loopbackUrl(url);
  return { name, kind, envStem, dependsOn: [...dependsOn], internalUrl, url: internalUrl, dependsOnField, explicitDeps };
}

/** `-` becomes `_`, letters upper-case: `redis-cache` → `REDIS_CACHE`. */
export function envWord(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/** The URL as reached from this machine: a wildcard bind address (0.0.0.0, ::) is reached on 127.0.0.1. */
export function loopbackUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === '0.0.0.0' || parsed.hostname === '[::]') parsed.hostname = '127.0.0.1';
  // URL keeps a trailing slash on a bare origin; users write (and concatenate onto) the origin.
  return parsed.pathname === '/' && !url.endsWith('/') ? parsed.origin : parsed.href;
}

function nameIssues(input: PlanInput, drafts: readonly Draft[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const composeNames = new Set(input.composeServices.map((service) => service.name));
  const stems = new Map<string, string>();
  for (const component of drafts) {
    if (component.kind === 'service') issues.push(...serviceNameIssues(component.name, composeNames));
    const other = stems.get(component.envStem);
    if (other !== undefined && other !== component.name && component.kind === 'service') {
      issues.push({
        path: ['dev', 'services', component.name],
        atKey: true,
        message: `expected a name whose variables differ from "${other}"'s: both give ${component.envStem}_URL`,
      });
    }
    stems.set(component.envStem, component.name);
  }
  const names = new Set(drafts.map((component) => component.name));
  for (const component of drafts) {
    component.explicitDeps.forEach((dep, index) => {
      if (names.has(dep) && dep !== component.name) return;
      issues.push({
        path: [...(component.dependsOnField ?? []), index],
        message:
          dep === component.name
            ? `expected another component, found "${dep}" itself`
            : `expected a component name (${[...names].sort().join(', ')}), found "${dep}"`,
      });
    });
  }
  if (issues.length === 0) issues.push(...cycleIssues(drafts));
  return issues;
}

function serviceNameIssues(name: string, composeNames: ReadonlySet<string>): ConfigIssue[] {
  const at = ['dev', 'services', name];
  if ((RESERVED_NAMES as readonly string[]).includes(name)) {
    return [{ path: at, atKey: true, message: `expected a name other than ${RESERVED_NAMES.join(', ')} (reserved), found "${name}"` }];
  }
  if (!COMPONENT_NAME.test(name)) {
    return [
      { path: at, atKey: true, message: `expected a name of lowercase letters, digits, - and _ starting with a letter, found "${name}"` },
    ];
  }
  if (composeNames.has(name)) {
    return [{ path: at, atKey: true, message: `expected a name no Compose service has, found "${name}" (a service of the compose file)` }];
  }
  return [];
}

/** A dependency cycle, reported once at the `depends_on` of its first member that has one. */
function cycleIssues(drafts: readonly Draft[]): ConfigIssue[] {
  const byName = new Map(drafts.map((component) => [component.name, component]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const dep of byName.get(name)?.dependsOn ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const component of drafts) {
    const cycle = visit(component.name);
    if (cycle === undefined) continue;
    const at = cycle.map((name) => byName.get(name)).find((c) => c?.dependsOnField !== undefined && c.explicitDeps.length > 0);
    const implied =
      cycle.includes('backend') || cycle.includes('frontend') ? ' (backend and frontend wait for every service and Compose)' : '';
    return [
      { path: at?.dependsOnField ?? ['dev', 'services'], message: `expected no dependency cycle, found ${cycle.join(' → ')}${implied}` },
    ];
  }
  return [];
}

/** Kahn's order, deterministic: among components whose dependencies are placed, kind first, then name. */
function startOrder(drafts: readonly Draft[]): PlannedComponent[] {
  const placed = new Set<string>();
  const order: PlannedComponent[] = [];
  const rest = [...drafts].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name));
  while (rest.length > 0) {
    const index = rest.findIndex((component) => component.dependsOn.every((dep) => placed.has(dep)));
    const [next] = rest.splice(index, 1) as [Draft];
    placed.add(next.name);
    const { dependsOnField: _field, explicitDeps: _explicit, ...component } = next;
    order.push(component);
  }
  return order;
}

function selectComponents(components: readonly PlannedComponent[], selection: readonly string[], noDeps: boolean): Set<string> {
  if (selection.length === 0) return new Set(components.map((component) => component.name));
  const byName = new Map(components.map((component) => [component.name, component]));
  const unknown = selection.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `no component named ${unknown.map((name) => `"${name}"`).join(', ')}; this config has ${components.map((c) => c.name).join(', ')}`,
      'dev',
    );
  }
  const selected = new Set<string>();
  const add = (name: string) => {
    if (selected.has(name)) return;
    selected.add(name);
    if (!noDeps) for (const dep of byName.get(name)?.dependsOn ?? []) add(dep);
  };
  for (const name of selection) add(name);
  return selected;
}

function urlEnvironment(components: readonly PlannedComponent[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const component of components) {
    if (component.url !== undefined) env[`${component.envStem}_URL`] = component.url;
    if (component.internalUrl !== undefined) env[`${component.envStem}_INTERNAL_URL`] = component.internalUrl;
  }
  return env;
}
