import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlagsOf } from '../cli/command-spec.js';
import type { CommandContext } from '../cli/context.js';
import type { INIT_OPTIONS } from '../cli/options.js';
import { StagecraftError, UsageError } from '../core/errors.js';

export type InitFlags = FlagsOf<typeof INIT_OPTIONS>;

const CONFIG = 'stagecraft.yml';
const LOCAL_SECRETS = '.secrets.local.cue';

/**
 * `stagecraft init`: a commented stagecraft.yml for the project in the current directory — encore-ts
 * when an encore.app is here or one level down, else generic from package.json's dev/start script.
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
  if (storesLocally) offerGitignore(ctx, flags.gitignore === true || flags.yes === true);
  ctx.logger.info(
    provider === 'encore-ts'
      ? 'next: create .env.local (your local settings), then run `stagecraft doctor` and `stagecraft dev`'
      : 'next: run `stagecraft doctor`, then `stagecraft dev`',
  );
  ctx.print(target);
  return 0;
}

/** Directories (`.` or one level down) holding an encore.app file. */
function findEncoreApps(cwd: string): string[] {
  if (isFile(join(cwd, 'encore.app'))) return ['.'];
  return readdirSync(cwd, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
    .filter((entry) => isFile(join(cwd, entry.name, 'encore.app')))
    .map((entry) => entry.name)
    .sort();
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
    message: 'no encore.app here or one level down, and no "dev" or "start" script in package.json',
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

/** The lines both templates open with: schema pointer, what the file is for, project, and the provider's block. */
function configHeader(o: { schema: string; name: string; provider: string; purpose: string }): string[] {
  return [
    `# yaml-language-server: $schema=${o.schema}`,
    `# Stagecraft: \`stagecraft dev\` ${o.purpose}`,
    '# Every option, with its default: `stagecraft config schema`, or docs/configuration.md.',
    'project:',
    `  name: ${o.name}`,
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
          `          from_env: [${o.secrets.join(', ')}]   # names of variables in .env.local`,
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
    `        workdir: ${o.workdir}                   # the directory holding encore.app`,
    '        env_file: .env.local          # your local settings and secret values: keep it out of git',
    `        listen: ${o.listen}        # an IP address or localhost, and a port`,
    ...secrets,
    '      build:',
    `        image_name: ${o.image}                # → <registry>/${o.image}:<git short sha>`,
    '',
  ].join('\n');
}

function genericConfig(o: { schema: string; name: string; workdir: string; command: string[]; listen: string | undefined }): string {
  return [
    ...configHeader({ ...o, provider: 'generic', purpose: 'runs your dev server, `stagecraft build` builds its image with docker.' }),
    '      dev:',
    `        command: ${JSON.stringify(o.command)}   # an argv list: no shell runs it`,
    `        workdir: ${o.workdir}`,
    ...(o.listen
      ? ['        ready:', `          tcp: ${o.listen}           # ready once this accepts a connection`]
      : [
          '        # ready:',
          '        #   tcp: 127.0.0.1:3000   # tell Stagecraft how to know the server is up (or http: URL, log: REGEX)',
        ]),
    '      build:',
    `        image_name: ${o.name}`,
    '        # dockerfile: Dockerfile',
    '',
  ].join('\n');
}

/** Secrets in .secrets.local.cue must never be committed: add it to .gitignore, or say how to. */
function offerGitignore(ctx: CommandContext, accept: boolean): void {
  const file = join(ctx.cwd, '.gitignore');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (current.split('\n').some((line) => line.trim() === LOCAL_SECRETS || line.trim() === `/${LOCAL_SECRETS}`)) return;
  if (accept) {
    appendFileSync(file, `${current === '' || current.endsWith('\n') ? '' : '\n'}${LOCAL_SECRETS}\n`);
    ctx.logger.info(`added ${LOCAL_SECRETS} to .gitignore`);
  } else {
    ctx.logger.warn(
      `secrets will be kept in ${LOCAL_SECRETS}: add it to .gitignore (rerun with --gitignore, or: echo ${LOCAL_SECRETS} >> .gitignore)`,
    );
  }
}
