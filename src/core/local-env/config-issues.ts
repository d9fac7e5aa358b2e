import * as v from 'valibot';
import type { ConfigIssue } from '../config/issues.js';
import { fileProblem, workdirProblem } from '../paths.js';
import type { FrontendProvider, ValidationContext } from '../provider.js';
import { processAliasIssues } from '../provider-kit/process-schema.js';
import type { ProviderRegistry } from '../registry.js';
import type { ComposeBlock, ServiceConfig } from './schema.js';

/** The frontend, services and Compose blocks as core hands them on: validated, defaults applied. */
export interface LocalEnvConfig {
  readonly frontend: FrontendSelection | undefined;
  readonly services: Readonly<Record<string, ServiceConfig>>;
  readonly compose: ComposeBlock | undefined;
  /** dev.domains, dev.https and dev.proxy as written (planning decides what they mean for this run). */
  readonly https: HttpsBlock;
}

export interface HttpsBlock {
  readonly domains: Readonly<Record<string, string>> | undefined;
  readonly enabled: boolean | undefined;
  readonly httpsPort: number | undefined;
  readonly httpPort: number | undefined;
}

export interface FrontendSelection {
  readonly provider: FrontendProvider;
  /** The provider's block (`frontend.providers.<id>`), validated. */
  readonly config: unknown;
  readonly dependsOn: readonly string[];
}

type Data = Record<string, unknown>;
type Parsed = {
  frontend?: { provider: string; depends_on: string[] };
  dev?: {
    services: Record<string, ServiceConfig>;
    compose?: ComposeBlock;
    domains?: Record<string, string>;
    https?: boolean;
    proxy?: { https_port?: number; http_port?: number };
  };
};

/**
 * Checks of the local environment blocks that need the file system or the frontend provider: workdirs
 * and files exist, no setting given in two forms, the provider's own checks. Checks that need the whole
 * set of component names (Compose's included) run when `dev` plans the environment (plan.ts).
 */
export function localEnvIssues(
  data: Data,
  parsed: Parsed | undefined,
  frontends: ProviderRegistry<FrontendProvider>,
  context: ValidationContext,
): { issues: ConfigIssue[]; config: LocalEnvConfig } {
  const issues: ConfigIssue[] = [];
  const frontend = parsed?.frontend ? frontendSelection(parsed.frontend, data, frontends, context, issues) : undefined;
  const services = parsed?.dev?.services ?? {};
  if (context.operations.includes('dev')) {
    for (const [name, service] of Object.entries(services)) issues.push(...serviceIssues(name, service, context));
    if (parsed?.dev?.compose) issues.push(...composeIssues(parsed.dev.compose, context));
  }
  const dev = parsed?.dev;
  const https = { domains: dev?.domains, enabled: dev?.https, httpsPort: dev?.proxy?.https_port, httpPort: dev?.proxy?.http_port };
  return { issues, config: { frontend, services, compose: dev?.compose, https } };
}

function frontendSelection(
  block: { provider: string; depends_on: string[] },
  data: Data,
  frontends: ProviderRegistry<FrontendProvider>,
  context: ValidationContext,
  issues: ConfigIssue[],
): FrontendSelection | undefined {
  if (!frontends.has(block.provider)) return undefined;
  const provider = frontends.get(block.provider);
  const providers = asRecord(asRecord(data.frontend).providers);
  if (!Object.hasOwn(providers, provider.id)) {
    issues.push({
      path: ['frontend', 'providers'],
      atKey: true,
      message: `expected a "${provider.id}" block (frontend.provider is "${provider.id}"), found nothing`,
    });
    return undefined;
  }
  const result = v.safeParse(provider.configSchema, providers[provider.id]);
  if (!result.success) return undefined; // reported by the whole-document parse
  const prefix = ['frontend', 'providers', provider.id];
  if (context.operations.includes('dev')) {
    const own = provider.validate?.(result.output, context) ?? [];
    const envFiles = (provider.devEnvFiles?.(result.output) ?? []).flatMap((file) => {
      const problem = fileProblem(context.projectRoot, file.path);
      return problem ? [{ path: file.field, message: problem }] : [];
    });
    issues.push(...[...own, ...envFiles].map((issue) => ({ ...issue, path: [...prefix, ...issue.path] })));
  }
  return { provider, config: result.output, dependsOn: block.depends_on };
}

function serviceIssues(name: string, service: ServiceConfig, { projectRoot }: ValidationContext): ConfigIssue[] {
  const at = ['dev', 'services', name];
  const issues = processAliasIssues(service, at);
  const problem = workdirProblem(projectRoot, service.workdir);
  if (problem) issues.push({ path: [...at, 'workdir'], message: problem });
  if (service.oneshot && (service.ready !== undefined || service.ready_pattern !== undefined)) {
    issues.push({ path: [...at, 'oneshot'], message: 'expected no readiness check on a oneshot: it is done when it exits 0' });
  }
  if (service.oneshot && service.restart !== 'no') {
    issues.push({ path: [...at, 'restart'], message: 'expected no restart policy on a oneshot: a failed oneshot fails dev' });
  }
  return issues;
}

function composeIssues(compose: ComposeBlock, { projectRoot }: ValidationContext): ConfigIssue[] {
  return compose.file.flatMap((file, index) => {
    const problem = fileProblem(projectRoot, file);
    return problem ? [{ path: ['dev', 'compose', 'file', ...(compose.file.length > 1 ? [index] : [])], message: problem }] : [];
  });
}

function asRecord(value: unknown): Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Data) : {};
}

/** Whether the config asks for more than the backend alone (frontend, services, Compose, HTTPS domains). */
export function hasLocalEnvironment(localEnv: LocalEnvConfig): boolean {
  const { frontend, services, compose, https } = localEnv;
  return (
    frontend !== undefined ||
    Object.keys(services).length > 0 ||
    compose !== undefined ||
    https.enabled === true ||
    https.domains !== undefined
  );
}
