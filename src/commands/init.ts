import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Flags, FlagsOf } from '../cli/command-spec.js';
import type { CommandContext } from '../cli/context.js';
import type { INIT_OPTIONS } from '../cli/options.js';
import { yamlScalar } from '../core/config/yaml-text.js';
import { processEnvironment } from '../core/env/environment.js';
import { StagecraftError, UsageError } from '../core/errors.js';
import { imageSafeName } from '../core/image-ref.js';
import type { BackendProvider, Detection, InitFile, InitTemplate } from '../core/provider.js';
import { gitIgnores } from '../core/provider-kit/git.js';
import { providerInitOptions, readersOf } from './init-options.js';
import { backendProviders, frontendProviders } from './project-context.js';

export type InitFlags = FlagsOf<typeof INIT_OPTIONS>;

const CONFIG = 'stagecraft.yml';
/** The strongest fit first: detection picks from the best level that has any provider. */
const FITS = ['strong', 'weak'] as const;

type InitProvider = BackendProvider & Required<Pick<BackendProvider, 'initTemplate'>>;

/**
 * `stagecraft init`: a commented stagecraft.yml for the project in the current directory. The provider is
 * --provider, else the one whose `detect` fits best (its own flags, such as --command, narrow the choice);
 * the provider's template writes its block. Non-interactive: every choice has a flag. Never overwrites
 * without --force.
 */
export async function initCommand(ctx: CommandContext, flags: InitFlags): Promise<number> {
  const target = join(ctx.cwd, CONFIG);
  if (existsSync(target) && !flags.force) {
    throw new UsageError(`${CONFIG} already exists here; pass --force to overwrite it`, 'init');
  }
  const own = providerFlags(flags);
  const provider = await chooseProvider(ctx, flags.provider, Object.keys(own));
  const name = imageSafeName(flags.name ?? basename(ctx.cwd)) || 'app';
  const template = await provider.initTemplate({
    projectDir: ctx.cwd,
    name,
    workdir: flags.workdir,
    listen: flags.listen,
    options: own,
  });
  const frontend = await frontendBlock(ctx);
  writeFileSync(target, configText({ schema: schemaReference(ctx.cwd), name, provider: provider.id, template }) + frontend.join('\n'));
  ctx.logger.info(`wrote ${CONFIG} for ${provider.id}`);
  for (const file of template.files ?? []) createFile(ctx, file);
  const acceptIgnore = flags.gitignore === true || flags.yes === true;
  for (const file of template.secretFiles ?? []) await offerGitignore(ctx, file, acceptIgnore);
  ctx.logger.info(`next: ${template.next ?? 'run `stagecraft doctor`, then `stagecraft dev`'}`);
  ctx.print(target);
  return 0;
}

/** A `frontend:` block when a frontend provider recognises a web app folder (Vite, Next) in the project. */
async function frontendBlock(ctx: CommandContext): Promise<string[]> {
  for (const provider of frontendProviders.list()) {
    const found = await provider.detect?.(ctx.cwd);
    if (found === undefined || found.fit === 'none' || provider.initTemplate === undefined) continue;
    ctx.logger.info(`detected a web app: ${found.reason} (frontend ${provider.id})`);
    const block = await provider.initTemplate(found);
    return [
      '',
      '# The web app, run beside the backend by `stagecraft dev` (docs/local-environment.md).',
      'frontend:',
      `  provider: ${yamlScalar(provider.id)}`,
      '  # depends_on: [backend]   # start it once the backend is ready',
      '  providers:',
      `    ${yamlScalar(provider.id)}:`,
      ...block.map((line) => (line === '' ? '' : `      ${line}`)),
      '',
    ];
  }
  return [];
}

/** The providers' own init flags that were given, by flag name. */
function providerFlags(flags: InitFlags): Record<string, string | true> {
  const given: Record<string, string | true> = {};
  for (const name of Object.keys(providerInitOptions())) {
    const value = (flags as unknown as Flags)[flagKey(name)];
    if (typeof value === 'string' || value === true) given[name] = value;
  }
  return given;
}

function initProviders(): InitProvider[] {
  return backendProviders.list().filter((provider): provider is InitProvider => provider.initTemplate !== undefined);
}

/** --provider if given; else the candidates' detections decide (see FITS); ties and no fit are usage errors. */
async function chooseProvider(ctx: CommandContext, requested: string | undefined, ownFlags: readonly string[]): Promise<InitProvider> {
  if (requested !== undefined) return requestedProvider(requested, ownFlags);
  const candidates = initProviders().filter((provider) => ownFlags.every((flag) => flag in (provider.initOptions ?? {})));
  if (candidates.length === 0) {
    throw new UsageError(`no provider reads all of ${ownFlags.map((flag) => `--${flag}`).join(', ')}`, 'init');
  }
  const detections = await Promise.all(
    candidates.map(async (provider) => ({
      provider,
      detection: (await provider.detect?.(ctx.cwd)) ?? ({ fit: 'none', reason: 'cannot detect projects' } satisfies Detection),
    })),
  );
  for (const fit of FITS) {
    const fitting = detections.filter(({ detection }) => detection.fit === fit);
    if (fitting.length > 1) {
      const found = fitting.map(({ provider, detection }) => `${provider.id} (${detection.reason})`).join(', ');
      throw new UsageError(`more than one provider fits this project: ${found}; pick one with --provider`, 'init');
    }
    const [chosen] = fitting;
    if (chosen !== undefined) {
      ctx.logger.info(`detected ${chosen.provider.id}: ${chosen.detection.reason}`);
      return chosen.provider;
    }
  }
  // Nothing fits, but the provider's own flags (init --command ...) say which one is meant.
  if (ownFlags.length > 0 && candidates.length === 1) return candidates[0] as InitProvider;
  throw nothingFits(detections);
}

function requestedProvider(id: string, ownFlags: readonly string[]): InitProvider {
  const providers = initProviders();
  const provider = providers.find((candidate) => candidate.id === id);
  if (provider === undefined) {
    throw new UsageError(
      `--provider ${JSON.stringify(id)}: expected one of ${providers.map((candidate) => candidate.id).join(', ')}`,
      'init',
    );
  }
  for (const flag of ownFlags) {
    if (!(flag in (provider.initOptions ?? {}))) {
      const readers = readersOf(flag).map((reader) => reader.id);
      throw new UsageError(`--${flag} is not a ${id} choice (it is for ${readers.join(', ')})`, 'init');
    }
  }
  return provider;
}

function nothingFits(detections: readonly { provider: InitProvider; detection: Detection }[]): StagecraftError {
  const examples = detections.flatMap(({ provider }) =>
    Object.entries(provider.initOptions ?? {}).map(
      ([flag, option]) => `stagecraft init --${flag}${option.value ? ` ${option.value}` : ''} (${provider.id})`,
    ),
  );
  return new StagecraftError({
    category: 'USAGE',
    message: `no provider recognises this project: ${detections.map(({ provider, detection }) => `${detection.reason} (${provider.id})`).join('; ')}`,
    hint: `Say which: stagecraft init --provider ID (${detections.map(({ provider }) => provider.id).join(', ')})${examples.length > 0 ? `, or a provider's own flag: ${examples.join(', ')}` : ''}.`,
  });
}

/** The whole file: schema pointer, what the file is for, project, and the provider's block under backend. */
function configText(o: { schema: string; name: string; provider: string; template: InitTemplate }): string {
  return [
    // A comment ends at a line break: a path holding one is left out rather than break the file.
    /[\r\n]/.test(o.schema)
      ? '# yaml-language-server: $schema=<path to stagecraft.schema.json>'
      : `# yaml-language-server: $schema=${o.schema}`,
    `# Stagecraft: \`stagecraft dev\` ${o.template.purpose}`,
    '# Every option, with its default: `stagecraft config schema`, or docs/configuration.md.',
    'project:',
    `  name: ${yamlScalar(o.name)}`,
    `  # registry: ghcr.io/your-org/${o.name}   # prefix of built image references`,
    '',
    'backend:',
    `  provider: ${yamlScalar(o.provider)}`,
    '  providers:',
    `    ${yamlScalar(o.provider)}:`,
    ...o.template.block.map((line) => (line === '' ? '' : `      ${line}`)),
    '',
  ].join('\n');
}

/** Where editors find the JSON Schema: the project's own install if any, else this package's copy. */
function schemaReference(cwd: string): string {
  const installed = join(cwd, 'node_modules', 'stagecraft', 'schema', 'stagecraft.schema.json');
  if (existsSync(installed)) return `./${relative(cwd, installed)}`;
  const own = join(packageRoot(), 'schema', 'stagecraft.schema.json');
  const rel = relative(cwd, own);
  return rel.startsWith('..') || rel.startsWith('/') ? rel : `./${rel}`;
}

function packageRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schema'))) return dir;
  }
  return process.cwd();
}

/** A file the config names, created empty but for its comment unless it exists; private, as it may hold secrets. */
function createFile(ctx: CommandContext, file: InitFile): void {
  const path = join(ctx.cwd, file.path);
  if (existsSync(path)) return;
  writeFileSync(path, file.text, { mode: 0o600 });
  ctx.logger.info(`created ${file.path} (empty)`);
}

/** Files holding secret values must never be committed: check that git ignores `name`; offer to add it. */
async function offerGitignore(ctx: CommandContext, name: string, accept: boolean): Promise<void> {
  if (await isIgnored(ctx, name)) return;
  if (accept) {
    const file = join(ctx.cwd, '.gitignore');
    const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
    appendFileSync(file, `${current === '' || current.endsWith('\n') ? '' : '\n'}${name}\n`);
    ctx.logger.info(`added ${name} to .gitignore`);
  } else {
    ctx.logger.warn(`${name} holds secret values: add it to .gitignore (rerun with --gitignore, or: echo ${name} >> .gitignore)`);
  }
}

/** Whether git ignores `name` (asking git itself inside a repository; else reading .gitignore's lines). */
async function isIgnored(ctx: CommandContext, name: string): Promise<boolean> {
  const env = processEnvironment(ctx.processEnv);
  const answer = await gitIgnores({ runner: ctx.runner, env, cwd: ctx.cwd, file: name, signal: ctx.signal });
  if (answer !== 'unknown' && answer !== 'no-git') return answer === 'ignored';
  const file = join(ctx.cwd, '.gitignore');
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  return lines.some((line) => line.trim() === name || line.trim() === `/${name}`);
}

/**
 * The key the parser gives a flag's value (`dry-run` → `dryRun`, as FlagsOf types it). Repeated here rather
 * than imported: a value import from cli/ would split its module into a chunk of its own, loaded by every command.
 */
function flagKey(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
