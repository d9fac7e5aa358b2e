import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse } from 'yaml';
import { StagecraftError } from '../errors.js';
import type { ComposeConfig, ComposeContext, ComposeDescription, ComposePlanStep, ComposeReadySpec } from './types.js';

/** What Stagecraft needs from the compose file(s): the project's own name, each service's first published port. */
export interface ComposeFileFacts {
  readonly name: string | undefined;
  /** Service names in file order (later files add services and override ports, as Compose merges them). */
  readonly services: readonly string[];
  readonly ports: ReadonlyMap<string, PublishedPort>;
}

export interface PublishedPort {
  readonly host: string;
  readonly published: number;
  readonly target: number;
  readonly protocol: string;
}

type Env = Readonly<Record<string, string>>;

/** Reads and merges the compose files. A missing or unparsable file is INVALID_CONFIG naming it. */
export function readComposeFiles(files: readonly string[], env: Env): ComposeFileFacts {
  let name: string | undefined;
  const services: string[] = [];
  const ports = new Map<string, PublishedPort>();
  for (const file of files) {
    const document = loadYaml(file);
    if (typeof document.name === 'string') name = interpolate(document.name, env);
    const block = isRecord(document.services) ? document.services : {};
    for (const [service, definition] of Object.entries(block)) {
      if (!services.includes(service)) services.push(service);
      const port = isRecord(definition) ? firstPublishedPort(definition.ports, env) : undefined;
      if (port) ports.set(service, port);
    }
  }
  return { name, services, ports };
}

function loadYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw invalidFile(file, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  try {
    const document: unknown = parse(text);
    return isRecord(document) ? document : {};
  } catch (error) {
    throw invalidFile(file, (error as Error).message.split('\n')[0] ?? 'invalid YAML');
  }
}

function invalidFile(file: string, problem: string): StagecraftError {
  return new StagecraftError({
    category: 'INVALID_CONFIG',
    operation: 'dev',
    message: `dev.compose.file: cannot read ${file}: ${problem}`,
  });
}

/**
 * The first published port of a service. Short syntax `[host:]published:target[/proto]` (a range takes its
 * first port) or the long syntax; a port without a published side is ephemeral, so it gives no URL.
 */
function firstPublishedPort(ports: unknown, env: Env): PublishedPort | undefined {
  if (!Array.isArray(ports)) return undefined;
  for (const entry of ports) {
    const port = isRecord(entry) ? longSyntaxPort(entry, env) : shortSyntaxPort(interpolate(String(entry), env));
    if (port) return port;
  }
  return undefined;
}

function shortSyntaxPort(text: string): PublishedPort | undefined {
  const [spec = '', protocol = 'tcp'] = text.split('/');
  const parts = spec.startsWith('[') ? spec.replace(/^\[([^\]]*)\]:/, '$1|').split(/[|:]/) : spec.split(':');
  if (parts.length < 2) return undefined;
  const target = firstOfRange(parts.at(-1));
  const published = firstOfRange(parts.at(-2));
  const host = parts.length > 2 ? (parts[0] as string) : '';
  if (published === undefined || target === undefined) return undefined;
  return { host, published, target, protocol };
}

function longSyntaxPort(entry: Record<string, unknown>, env: Env): PublishedPort | undefined {
  const published = firstOfRange(entry.published === undefined ? undefined : interpolate(String(entry.published), env));
  const target = firstOfRange(entry.target === undefined ? undefined : String(entry.target));
  if (published === undefined || target === undefined) return undefined;
  const host = typeof entry.host_ip === 'string' ? entry.host_ip : '';
  return { host, published, target, protocol: typeof entry.protocol === 'string' ? entry.protocol : 'tcp' };
}

function firstOfRange(text: string | undefined): number | undefined {
  const value = Number(text?.split('-')[0]);
  return Number.isInteger(value) && value > 0 && value < 65536 ? value : undefined;
}

/** Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$VAR`, enough for names and ports. */
export function interpolate(text: string, env: Env): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced, op, fallback, bare) => {
      if (whole === '$$') return '$';
      const value = env[braced ?? bare];
      if (op === ':-') return value === undefined || value === '' ? fallback : value;
      if (op === '-') return value ?? fallback;
      return value ?? '';
    },
  );
}

/** Compose's own rule for project names: lower case, letters, digits, `-` and `_`, starting with a letter or digit. */
export function composeProjectSlug(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|-+$/g, '');
  return slug === '' ? 'stagecraft' : slug;
}

/** dev.compose.project, else the file's `name:`, else slug(project.name). */
export function composeProjectName(config: ComposeConfig, facts: ComposeFileFacts, projectName: string): string {
  return config.project ?? facts.name ?? composeProjectSlug(projectName);
}

/** The selected services: dev.compose.services, else all; an unknown name is INVALID_CONFIG. */
export function selectedServices(config: ComposeConfig, facts: ComposeFileFacts): readonly string[] {
  const selected = config.services ?? facts.services;
  const unknown = selected.filter((service) => !facts.services.includes(service));
  if (unknown.length > 0) {
    throw new StagecraftError({
      category: 'INVALID_CONFIG',
      operation: 'dev',
      message: `dev.compose.services: no service ${unknown.join(', ')} in ${config.files.join(', ')}`,
      hint: `The files define: ${facts.services.join(', ') || 'no services'}.`,
    });
  }
  return selected;
}

/**
 * Ports whose protocol is known not to be HTTP (databases, brokers, caches): their URL is `tcp://`, so nobody
 * proxies or opens them in a browser. Any other published port is taken for HTTP, the common case for a web
 * service; `ready.http` or `ready.tcp` overrides the guess.
 */
const NON_HTTP_PORTS = new Set([1433, 1521, 3306, 4222, 5432, 5672, 6379, 9042, 9092, 11211, 27017]);

/** A service's URL: ready.http as is; ready.tcp as tcp://; else its first published port on loopback. */
export function serviceUrl(ready: ComposeReadySpec | undefined, port: PublishedPort | undefined): string | undefined {
  if (ready?.http) return ready.http;
  if (ready?.tcp) return `tcp://${ready.tcp}`;
  if (port === undefined || port.protocol !== 'tcp') return undefined;
  const host = port.host === '' || port.host === '0.0.0.0' || port.host === '::' ? '127.0.0.1' : port.host;
  const shown = host.includes(':') ? `[${host}]` : host;
  return `${NON_HTTP_PORTS.has(port.target) ? 'tcp' : 'http'}://${shown}:${port.published}`;
}

/** The `-p NAME -f FILE…` every Compose command starts with. */
export function projectArgs(project: string, files: readonly string[]): string[] {
  return ['-p', project, ...files.flatMap((file) => ['-f', file])];
}

export function describeCompose(
  config: ComposeConfig,
  context: Pick<ComposeContext, 'projectRoot' | 'projectName' | 'env'>,
): ComposeDescription {
  const facts = readComposeFiles(config.files, context.env);
  const project = composeProjectName(config, facts, context.projectName);
  const services = selectedServices(config, facts);
  return {
    project,
    services: services.map((name) => ({ name, url: serviceUrl(config.ready[name], facts.ports.get(name)) })),
    plan: composePlan(config, project, services, context.projectRoot),
  };
}

/** The plan as Compose v2 runs it (detection happens at run time; v1 and podman-compose poll `ps` instead of --wait). */
function composePlan(config: ComposeConfig, project: string, services: readonly string[], cwd: string): ComposePlanStep[] {
  const base = ['docker', 'compose', ...projectArgs(project, config.files)];
  const steps: ComposePlanStep[] = [
    { description: 'detect Compose (v2 plugin, else docker-compose, else podman-compose)', argv: ['docker', 'compose', 'version'], cwd },
    {
      description: `check that project ${project} belongs to ${dirname(config.files[0] ?? cwd)}`,
      argv: ['docker', 'ps', '--all', '--filter', `label=com.docker.compose.project=${project}`, '--format', 'json'],
      cwd,
    },
    { description: 'start and wait for health', argv: [...base, 'up', '--detach', '--wait', ...services], cwd },
    {
      description: 'follow logs from this run, one follower per service',
      argv: [...base, 'logs', '--follow', '--since', '<start>', '--no-log-prefix', '<service>'],
      cwd,
    },
  ];
  if (config.onExit === 'stop') {
    steps.push({
      description: 'on exit: stop the services this run started',
      argv: [...base, 'stop', '<services started by this run>'],
      cwd,
    });
  }
  if (config.onExit === 'down') {
    const description =
      'on exit: down (never -v); when part of the project ran before, only rm --stop --force of the services this run started';
    steps.push({ description, argv: [...base, 'down'], cwd });
  }
  return steps;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
