import { spawnSync } from 'node:child_process';
import { appendFileSync, type Dirent, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { FlagsOf } from '../cli/command-spec.js';
import type { CommandContext } from '../cli/context.js';
import type { INIT_OPTIONS } from '../cli/options.js';
import { StagecraftError, UsageError } from '../core/errors.js';
import { parseHostPort } from '../providers/generic/schema.js';

export type InitFlags = FlagsOf<typeof INIT_OPTIONS>;

const CONFIG = 'stagecraft.yml';
const LOCAL_SECRETS = '.secrets.local.cue';
/** The env file the encore-ts template names: local settings and the values of secrets. */
const ENV_FILE = '.env.local';
/** How deep the search for encore.app goes outside git (inside git, `git ls-files` lists everything). */
const MAX_SEARCH_DEPTH = 8;

/**
 * `stagecraft init`: a commented stagecraft.yml for the project in the current directory — encore-ts
 * when an encore.app is in this directory or below it, else generic from package.json's dev/start script.
 * Non-interactive: every choice has a flag. Never overwrites without --force.
 */
export async function initCommand(ctx: CommandContext, flags: InitFlags): Promise<number> {
  const target = join(ctx.cwd, CONFIG);
  if (existsSync(target) && !flags.force) {
    throw new UsageError(`${CONFIG} already exists here; pass --force to overwrite it`, 'init');
  }
  const apps = flags.workdir ? [flags.workdir] : findEncoreApps(ctx.cwd);
  const provider = flags.provider ?? (apps.length > 0 ? 'encore-ts' : 'generic');
  const name = imageSafe(flags.name ?? basename(ctx.cwd)) || 'app';
  const schema = schemaReference(ctx.cwd);
  let text: string;
  let storesLocally = false;
  if (provider === 'encore-ts') {
    if (apps.length > 1) throw new UsageError(`found encore.app in ${apps.join(', ')}; pick one with --workdir`, 'init');
    const workdir = apps[0] ?? '.';
    const app = readAppId(join(ctx.cwd, workdir));
    const secrets =
      flags.secrets
        ?.split(',')
        .map((secret) => secret.trim())
        .filter(Boolean) ?? [];
    storesLocally = secrets.length > 0 && app.id === '';
    text = encoreConfig({
      schema,
      name,
      workdir,
      listen: flags.listen ?? '127.0.0.1:4000',
      image: imageSafe(app.id || basename(join(ctx.cwd, workdir))) || name,
      secrets,
      linked: app.id !== '',
    });
  } else {
    if (flags.listen !== undefined && parseHostPort(flags.listen) === undefined) {
      throw new UsageError(`--listen ${JSON.stringify(flags.listen)}: expected host:port, such as 127.0.0.1:3000`, 'init');
    }
    text = genericConfig({
      schema,
      name,
      workdir: flags.workdir ?? '.',
      command: devCommand(ctx.cwd, flags.command),
      listen: flags.listen,
    });
  }
  writeFileSync(target, text);
  ctx.logger.info(`wrote ${CONFIG} for ${provider}`);
  const acceptIgnore = flags.gitignore === true || flags.yes === true;
  if (provider === 'encore-ts') {
    // The config names the env file, and dev requires it: create it so the config validates at once.
    createEnvFile(ctx);
    offerGitignore(ctx, ENV_FILE, acceptIgnore);
  }
  if (storesLocally) offerGitignore(ctx, LOCAL_SECRETS, acceptIgnore);
  ctx.logger.info(
    provider === 'encore-ts'
      ? `next: put your local settings in ${ENV_FILE}, then run \`stagecraft doctor\` and \`stagecraft dev\``
      : 'next: run `stagecraft doctor`, then `stagecraft dev`',
  );
  ctx.print(target);
  return 0;
}

/**
 * Directories (relative to `cwd`, `.` for itself) holding an encore.app file, anywhere below `cwd`.
 * Inside a git repository the files git knows decide (tracked first, else untracked but not ignored),
 * so vendored or ignored copies never count; outside git the tree is walked, skipping node_modules,
 * .git and other hidden directories.
 */
function findEncoreApps(cwd: string): string[] {
  const fromGit = gitListed(cwd, ['--cached']) ?? [];
  const listed = fromGit.length > 0 ? fromGit : gitListed(cwd, ['--others', '--exclude-standard']);
  const files = listed ?? walkForEncoreApps(cwd, '', 0);
  const dirs = files
    .filter((file) => basename(file) === 'encore.app' && !file.split('/').some((part) => part === 'node_modules' || part === '.git'))
    .map((file) => dirname(file))
    .filter((dir) => isFile(join(cwd, dir, 'encore.app')));
  return [...new Set(dirs)].sort();
}

/** `git ls-files` under `cwd` for encore.app files, or undefined outside a repository (or without git). */
function gitListed(cwd: string, which: string[]): string[] | undefined {
  const result = spawnSync('git', ['ls-files', '-z', ...which, '--', ':(glob)**/encore.app'], {
    cwd,
    encoding: 'utf8',
    timeout: 10_000,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (result.status !== 0) return undefined;
  return result.stdout.split('\0').filter(Boolean);
}

function walkForEncoreApps(cwd: string, dir: string, depth: number): string[] {
  if (depth > MAX_SEARCH_DEPTH) return [];
  let entries: Dirent[];
  try {
    entries = readdirSync(join(cwd, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const entry of entries) {
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isFile() && entry.name === 'encore.app') found.push(path);
    else if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') {
      found.push(...walkForEncoreApps(cwd, path, depth + 1));
    }
  }
  return found;
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** The app's platform ID, read loosely (a JSON-with-comments file): only used for naming and a hint. */
function readAppId(dir: string): { id: string } {
  try {
    const match = /"id"\s*:\s*"([^"]*)"/.exec(readFileSync(join(dir, 'encore.app'), 'utf8'));
    return { id: match?.[1] ?? '' };
  } catch {
    throw new UsageError(`no encore.app in ${dir}`, 'init');
  }
}

/** Lowercase letters, digits and dashes: valid as a project name and an image name. */
function imageSafe(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The dev command: --command, else `<package manager> run dev` or `... start` from package.json. */
function devCommand(cwd: string, command: string | undefined): string[] {
  if (command !== undefined) {
    const argv = command.trim().split(/\s+/).filter(Boolean);
    if (argv.length === 0) throw new UsageError('--command is empty', 'init');
    return argv;
  }
  let scripts: Record<string, unknown> = {};
  try {
    scripts = (JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> }).scripts ?? {};
  } catch {
    // No package.json (or not JSON): nothing to infer.
  }
  const manager = isFile(join(cwd, 'pnpm-lock.yaml')) ? 'pnpm' : isFile(join(cwd, 'yarn.lock')) ? 'yarn' : 'npm';
  if (typeof scripts.dev === 'string') return [manager, 'run', 'dev'];
  if (typeof scripts.start === 'string') return [manager, 'run', 'start'];
  throw new StagecraftError({
    category: 'USAGE',
    message: 'no encore.app in this directory or below it, and no "dev" or "start" script in package.json',
    hint: 'Say how to start the dev server: stagecraft init --command "node server.js" (or --provider encore-ts --workdir DIR).',
  });
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

/**
 * A YAML scalar for any text, on one line: quoted whenever plain would be misread (`@backend`,
 * `[::1]:4000`, `yes`, `01`), escaped when it holds line breaks. Never hand-built.
 */
function scalar(value: string): string {
  return stringify(value, { lineWidth: 0, blockQuote: false }).trimEnd();
}

/** A one-line flow list of texts (`[ npm, run, dev ]`), each item quoted as flow context requires. */
function flowList(values: readonly string[]): string {
  return stringify(values, { collectionStyle: 'flow', lineWidth: 0, blockQuote: false }).trimEnd();
}

/** The lines both templates open with: schema pointer, what the file is for, project, and the provider's block. */
function configHeader(o: { schema: string; name: string; provider: string; purpose: string }): string[] {
  return [
    // A comment ends at a line break: a path holding one is left out rather than break the file.
    /[\r\n]/.test(o.schema)
      ? '# yaml-language-server: $schema=<path to stagecraft.schema.json>'
      : `# yaml-language-server: $schema=${o.schema}`,
    `# Stagecraft: \`stagecraft dev\` ${o.purpose}`,
    '# Every option, with its default: `stagecraft config schema`, or docs/configuration.md.',
    'project:',
    `  name: ${scalar(o.name)}`,
    `  # registry: ghcr.io/your-org/${o.name}   # prefix of built image references`,
    '',
    'backend:',
    `  provider: ${o.provider}`,
    '  providers:',
    `    ${o.provider}:`,
  ];
}

function encoreConfig(o: {
  schema: string;
  name: string;
  workdir: string;
  listen: string;
  image: string;
  secrets: string[];
  linked: boolean;
}): string {
  const secrets =
    o.secrets.length > 0
      ? [
          '        encore_secrets:',
          `          from_env: ${flowList(o.secrets)}   # names of variables in ${ENV_FILE}`,
          '          types: [local]                # dev/preview/production are shared by your whole team',
          `          store: ${o.linked ? 'auto ' : 'local'}                  # ${o.linked ? 'platform while encore.app has an id' : "Encore's .secrets.local.cue on this machine (keep it out of git)"}`,
        ]
      : [
          '        # Secrets: variables of .env.local to give the app as Encore secrets before each start. They are',
          '        # never printed (masked as *** in all output). store: auto keeps them in .secrets.local.cue',
          "        # (Encore's local store; keep it out of git) until the app is linked to Encore's platform.",
          '        # encore_secrets:',
          '        #   from_env: [STRIPE_API_KEY]',
          '        #   types: [local]   # dev, preview and production are shared by your whole team',
          '        #   store: auto',
        ];
  return [
    ...configHeader({ ...o, provider: 'encore-ts', purpose: 'runs this Encore.ts app, `stagecraft build` builds its image.' }),
    '      dev:',
    `        workdir: ${scalar(o.workdir)}                   # the directory holding encore.app`,
    `        env_file: ${ENV_FILE}          # your local settings and secret values: keep it out of git`,
    `        listen: ${scalar(o.listen)}        # an IP address or localhost, and a port`,
    ...secrets,
    '      build:',
    `        image_name: ${scalar(o.image)}                # → <registry>/${o.image}:<git short sha>`,
    '',
  ].join('\n');
}

function genericConfig(o: { schema: string; name: string; workdir: string; command: string[]; listen: string | undefined }): string {
  return [
    ...configHeader({ ...o, provider: 'generic', purpose: 'runs your dev server, `stagecraft build` builds its image with docker.' }),
    '      dev:',
    `        command: ${flowList(o.command)}   # an argv list: no shell runs it`,
    `        workdir: ${scalar(o.workdir)}`,
    ...(o.listen
      ? listenLines(o.listen)
      : [
          '        # ready:',
          '        #   tcp: 127.0.0.1:3000   # tell Stagecraft how to know the server is up (or http: URL, log: REGEX)',
        ]),
    '      build:',
    `        image_name: ${scalar(o.name)}`,
    '        # dockerfile: Dockerfile',
    '',
  ].join('\n');
}

/**
 * For generic, --listen is where the server must listen as well as where readiness is probed: the
 * server gets HOST and PORT (as `dev --listen` sets them), so the two agree.
 */
function listenLines(listen: string): string[] {
  const { host, port } = parseHostPort(listen) as { host: string; port: number };
  return [
    '        env:                           # the server listens where the probe looks',
    `          HOST: ${scalar(host)}`,
    `          PORT: ${scalar(String(port))}`,
    '        ready:',
    `          tcp: ${scalar(listen)}           # ready once this accepts a connection`,
  ];
}

/** An empty env file with a comment, unless one exists: the config names it and `dev` requires it. */
function createEnvFile(ctx: CommandContext): void {
  const path = join(ctx.cwd, ENV_FILE);
  if (existsSync(path)) return;
  writeFileSync(
    path,
    '# Local settings for `stagecraft dev`, one KEY=value per line, and the values of secrets.\n# Keep this file out of git.\n',
    { mode: 0o600 },
  );
  ctx.logger.info(`created ${ENV_FILE} (empty)`);
}

/** Files holding secret values must never be committed: check that git ignores `name`; offer to add it. */
function offerGitignore(ctx: CommandContext, name: string, accept: boolean): void {
  if (isIgnored(ctx.cwd, name)) return;
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
function isIgnored(cwd: string, name: string): boolean {
  const check = spawnSync('git', ['check-ignore', '-q', '--', name], { cwd, timeout: 10_000, stdio: 'ignore' });
  if (check.status === 0) return true;
  if (check.status === 1) return false;
  const file = join(cwd, '.gitignore');
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  return lines.some((line) => line.trim() === name || line.trim() === `/${name}`);
}
