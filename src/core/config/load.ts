import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative } from 'node:path';
import * as v from 'valibot';
import { type Operation, StagecraftError } from '../errors.js';
import { type LocalEnvConfig, localEnvIssues } from '../local-env/config-issues.js';
import { fileProblem, resolveProjectPath } from '../paths.js';
import type { BackendProvider, FrontendProvider, ProjectInfo, ValidationContext } from '../provider.js';
import { frontendProviders, type ProviderRegistry } from '../registry.js';
import { discoverConfigFile } from './discover.js';
import { ConfigError, type ConfigIssue, formatPath, type LocatedIssue } from './issues.js';
import { buildConfigSchema } from './schema.js';
import { translateIssues } from './schema-issues.js';
import { restoreSourceText } from './source-text.js';
import { parseYaml, type YamlSource } from './yaml-source.js';

/** A config file larger than this is refused before parsing (real ones are a few hundred bytes). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export const DEFAULT_ENVIRONMENT = 'dev';

export interface LoadConfigOptions {
  readonly cwd: string;
  /** `--config FILE`. */
  readonly configPath?: string | undefined;
  readonly processEnv: NodeJS.ProcessEnv;
  /** What the config must be fit for: ['dev'] for `stagecraft dev`, both for `config validate`. */
  readonly operations: readonly Operation[];
  /** `--env NAME`. */
  readonly environment: string;
  readonly registry: ProviderRegistry;
  /** Frontend providers (default: the process-wide registry). */
  readonly frontends?: ProviderRegistry<FrontendProvider>;
}

export interface LoadedConfig {
  /** Absolute path of the config file. */
  readonly file: string;
  /** The config file as messages name it (relative to the current directory when inside it). */
  readonly displayFile: string;
  readonly projectRoot: string;
  readonly project: ProjectInfo;
  readonly environment: string;
  /** Absolute path of `environments.<env>.env_file`, when set. */
  readonly environmentEnvFile: string | undefined;
  readonly provider: BackendProvider;
  /** The provider's block, validated, with defaults applied. */
  readonly providerConfig: unknown;
  /** The rest of the local environment (frontend, services, Compose), validated; empty when the config has none. */
  readonly localEnv: LocalEnvConfig;
  /** Gives issues found later (while planning `dev`) their place in the config file, as load's own issues have. */
  locateIssues(issues: readonly ConfigIssue[]): LocatedIssue[];
}

export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const file = discoverConfigFile({
    cwd: options.cwd,
    explicit: options.configPath,
    fromEnv: options.processEnv.STAGECRAFT_CONFIG,
  });
  const displayFile = displayName(options.cwd, file);
  return parseConfig(readConfigText(file, displayFile), { ...options, file, displayFile });
}

export interface ParseConfigOptions extends LoadConfigOptions {
  readonly file: string;
  readonly displayFile: string;
}

/**
 * Validates config text completely and reports every problem at once: YAML syntax, then the schema of
 * core and of every provider block present, then the checks of the selected provider.
 */
export function parseConfig(text: string, options: ParseConfigOptions): LoadedConfig {
  const parsed = parseYaml(text, options.displayFile);
  if (!parsed.ok) throw new ConfigError(parsed.issues);
  const { source } = parsed;
  const frontends = options.frontends ?? frontendProviders;
  const schema = buildConfigSchema(options.registry, frontends);
  restoreSourceText(source, schema);
  const result = v.safeParse(schema, source.data);
  const issues: ConfigIssue[] = result.success ? [] : translateIssues(result.issues, schema);
  const projectRoot = dirname(options.file);
  const data = asRecord(source.data);
  const project = readProject(data);
  issues.push(...environmentIssues(data, options, projectRoot));
  const selected = selectedProvider(data, options.registry);
  let providerConfig: unknown;
  if (selected !== undefined) {
    const checked = providerIssues(selected, data, { projectRoot, operations: options.operations, project });
    issues.push(...checked.issues);
    providerConfig = checked.config;
  }
  const context: ValidationContext = { projectRoot, operations: options.operations, project };
  const localEnv = localEnvIssues(data, result.success ? result.output : undefined, frontends, context);
  issues.push(...localEnv.issues);
  if (issues.length > 0 || !result.success || selected === undefined) {
    throw new ConfigError(locate(issues, source, options.displayFile), selected?.id);
  }
  const environmentEnvFile = environmentOf(data, options.environment)?.env_file;
  return {
    file: options.file,
    displayFile: options.displayFile,
    projectRoot,
    project: { name: result.output.project.name, registry: result.output.project.registry },
    environment: options.environment,
    environmentEnvFile: typeof environmentEnvFile === 'string' ? resolveProjectPath(projectRoot, environmentEnvFile) : undefined,
    provider: selected,
    providerConfig,
    localEnv: localEnv.config,
    locateIssues: (later) => locate(later, source, options.displayFile),
  };
}

function readConfigText(file: string, displayFile: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    if (size > MAX_CONFIG_BYTES) {
      throw new ConfigError([
        { file: displayFile, line: 1, column: 1, field: '(file)', message: `expected at most ${MAX_CONFIG_BYTES} bytes, found ${size}` },
      ]);
    }
    const buffer = Buffer.alloc(size);
    readSync(fd, buffer, 0, size, 0);
    return buffer.toString('utf8');
  } catch (error) {
    if (error instanceof StagecraftError) throw error;
    throw new StagecraftError({
      category: 'INVALID_CONFIG',
      message: `cannot read ${displayFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      cause: error,
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function displayName(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel === '' || isAbsolute(rel) ? basename(file) : rel;
}

type Data = Record<string, unknown>;

function asRecord(value: unknown): Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Data) : {};
}

function readProject(data: Data): ProjectInfo {
  const project = asRecord(data.project);
  return {
    name: typeof project.name === 'string' ? project.name : '',
    registry: typeof project.registry === 'string' ? project.registry : undefined,
  };
}

/** Only environments the config defines as its own keys: `--env __proto__` or `--env constructor` is not one. */
function environmentOf(data: Data, name: string): Data | undefined {
  const environments = asRecord(data.environments);
  return Object.hasOwn(environments, name) ? asRecord(environments[name]) : undefined;
}

/** The --env environment must exist (unless it is the default), and its env file too when dev will read it. */
function environmentIssues(data: Data, options: ParseConfigOptions, projectRoot: string): ConfigIssue[] {
  const environment = environmentOf(data, options.environment);
  if (environment === undefined) {
    if (options.environment === DEFAULT_ENVIRONMENT) return [];
    const defined = Object.keys(asRecord(data.environments));
    return [
      {
        path: ['environments'],
        atKey: true,
        message: `expected an environment named "${options.environment}" (from --env), found ${defined.length > 0 ? `only ${defined.join(', ')}` : 'none defined'}`,
      },
    ];
  }
  const envFile = environment.env_file;
  if (typeof envFile !== 'string' || envFile === '' || !options.operations.includes('dev')) return [];
  const problem = fileProblem(projectRoot, envFile);
  return problem ? [{ path: ['environments', options.environment, 'env_file'], message: problem }] : [];
}

function selectedProvider(data: Data, registry: ProviderRegistry): BackendProvider | undefined {
  const id = asRecord(data.backend).provider;
  return typeof id === 'string' && registry.has(id) ? registry.get(id) : undefined;
}

/** The selected provider's block: present, valid by its schema, and passing the provider's own checks. */
function providerIssues(provider: BackendProvider, data: Data, context: ValidationContext): { issues: ConfigIssue[]; config: unknown } {
  const providers = asRecord(asRecord(data.backend).providers);
  const prefix = ['backend', 'providers', provider.id];
  if (!(provider.id in providers)) {
    return {
      issues: [
        {
          path: ['backend', 'providers'],
          atKey: true,
          message: `expected a "${provider.id}" block (backend.provider is "${provider.id}"), found nothing`,
        },
      ],
      config: undefined,
    };
  }
  const result = v.safeParse(provider.configSchema, providers[provider.id]);
  // Schema problems inside the block are already reported by the whole-document parse.
  if (!result.success) return { issues: [], config: undefined };
  const issues = [...(provider.validate?.(result.output, context) ?? []), ...envFileIssues(provider, result.output, context)].map(
    (issue) => ({
      ...issue,
      path: [...prefix, ...issue.path],
    }),
  );
  return { issues, config: result.output };
}

/** The provider's env files must exist when dev will read them (core loads them, so core checks). */
function envFileIssues(provider: BackendProvider, config: unknown, context: ValidationContext): ConfigIssue[] {
  if (!context.operations.includes('dev')) return [];
  return (provider.devEnvFiles?.(config) ?? []).flatMap((file) => {
    const problem = fileProblem(context.projectRoot, file.path);
    return problem ? [{ path: file.field, message: problem }] : [];
  });
}

function locate(issues: readonly ConfigIssue[], source: YamlSource, file: string): LocatedIssue[] {
  const located = issues.map((issue) => {
    const { line, column } = source.locate(issue.path, issue.atKey);
    return { file, line, column, field: formatPath(issue.path), message: issue.message + providerNote(issue) };
  });
  located.sort((a, b) => a.line - b.line || a.column - b.column);
  return located.filter((issue, index) => index === 0 || formatIssueKey(issue) !== formatIssueKey(located[index - 1] as LocatedIssue));
}

function formatIssueKey(issue: LocatedIssue): string {
  return `${issue.line}:${issue.column}:${issue.field}:${issue.message}`;
}

/** Issues inside a provider block say which provider and operation they concern. */
function providerNote(issue: ConfigIssue): string {
  const [kind, providers, id, section] = issue.path;
  if ((kind !== 'backend' && kind !== 'frontend') || providers !== 'providers' || typeof id !== 'string') return '';
  if (kind === 'frontend') return ` (${id} frontend, dev)`;
  const operation = issue.operation ?? (section === 'dev' || section === 'build' ? section : undefined);
  return operation ? ` (${id}, ${operation})` : ` (${id})`;
}
