import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { type CliOptions, REPO_ROOT, runCli, startCli } from '../helpers/cli.js';
import { freePort } from '../helpers/processes.js';
import { tempDir, tempProject } from '../helpers/temp.js';

const APP = '// created by encore app create\n{\n\t"id": "",\n\t"lang": "typescript",\n}\n';

type Context = Parameters<typeof tempDir>[0];

/** Each CLI run gets its own HOME and cache: nothing outside temp dirs is read or written. */
function isolated(t: Context, cwd: string): CliOptions {
  const home = tempDir(t);
  return { cwd, env: { HOME: home, XDG_CACHE_HOME: join(home, '.cache'), GIT_CONFIG_NOSYSTEM: '1' } };
}

async function init(t: Context, cwd: string, args: string[] = []) {
  return runCli(['init', ...args], isolated(t, cwd));
}

/** `stagecraft init` must exit 0 and leave a config that `config validate` accepts (exit 0) at once. */
async function initValid(t: Context, cwd: string, args: string[] = []) {
  const result = await init(t, cwd, args);
  assert.equal(result.code, 0, result.stderr);
  const validate = await runCli(['config', 'validate'], isolated(t, cwd));
  assert.equal(validate.code, 0, `the config init wrote does not validate:\n${validate.stderr}\n${configText(cwd)}`);
  return result;
}

function configText(cwd: string): string {
  return readFileSync(join(cwd, 'stagecraft.yml'), 'utf8');
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read whichever provider block init wrote.
function config(cwd: string): any {
  return parse(configText(cwd), { strict: true, uniqueKeys: true });
}

function git(cwd: string, ...args: string[]): void {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: cwd } });
  assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
}

test('init next to an encore.app writes a commented encore-ts config that validates at once, creating the env file', async (t) => {
  const cwd = tempProject(t, { 'encore.app': APP });
  const result = await initValid(t, cwd);
  assert.equal(result.stdout.trim(), join(cwd, 'stagecraft.yml'));
  const text = configText(cwd);
  assert.match(text, /^# yaml-language-server: \$schema=.*schema\/stagecraft\.schema\.json\n/);
  assert.match(text, /listen: 127\.0\.0\.1:4000/);
  assert.match(text, /env_file: \.env\.local/);
  assert.match(
    text,
    /# encore_secrets:\n {8}# {3}from_env: \[STRIPE_API_KEY\]/,
    'the secrets block is there, commented out, with an explanation',
  );
  const block = config(cwd).backend.providers['encore-ts'];
  assert.equal(block.dev.encore_secrets, undefined);
  assert.match(block.build.image_name, /^stagecraft-project-/);
  // The env file it names exists, holds only comments, and is private.
  const envFile = readFileSync(join(cwd, '.env.local'), 'utf8');
  assert.ok(envFile.length > 0 && envFile.split('\n').every((line) => line === '' || line.startsWith('#')), envFile);
  assert.equal(statSync(join(cwd, '.env.local')).mode & 0o777, 0o600);
  const schemaPath = /\$schema=(\S+)/.exec(text)?.[1] as string;
  assert.equal(
    readFileSync(join(cwd, schemaPath), 'utf8'),
    readFileSync(join(REPO_ROOT, 'schema', 'stagecraft.schema.json'), 'utf8'),
    'the $schema line points at the shipped schema',
  );
  // Outside git, .env.local (secret values) is not ignored: init says so and how to fix it.
  assert.match(result.stderr, /\.env\.local holds secret values: add it to \.gitignore \(rerun with --gitignore/);
});

test('an existing env file is kept as it is', async (t) => {
  const cwd = tempProject(t, { 'encore.app': APP, '.env.local': 'KEEP=me\n' });
  await initValid(t, cwd);
  assert.equal(readFileSync(join(cwd, '.env.local'), 'utf8'), 'KEEP=me\n');
});

test('init finds an app one level down and names the image after it; never overwrites without --force', async (t) => {
  const cwd = tempProject(t, { 'backend/encore.app': APP.replace('"id": ""', '"id": "shop-backend-x2"') });
  await initValid(t, cwd, ['--name', 'Shop']);
  const block = config(cwd).backend.providers['encore-ts'];
  assert.equal(config(cwd).project.name, 'shop');
  assert.equal(block.dev.workdir, 'backend');
  assert.equal(block.build.image_name, 'shop-backend-x2');
  writeFileSync(join(cwd, 'stagecraft.yml'), 'keep me\n');
  const again = await init(t, cwd);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /stagecraft\.yml already exists here; pass --force to overwrite it/);
  assert.equal(configText(cwd), 'keep me\n');
  assert.equal((await init(t, cwd, ['--force'])).code, 0);
  assert.notEqual(configText(cwd), 'keep me\n');
});

test('outside git, init finds an encore.app at any depth, skipping node_modules and hidden directories', async (t) => {
  const cwd = tempProject(t, {
    'services/platform/api/encore.app': APP,
    'node_modules/some-template/encore.app': APP,
    '.cache/copy/encore.app': APP,
  });
  await initValid(t, cwd);
  assert.equal(config(cwd).backend.providers['encore-ts'].dev.workdir, 'services/platform/api');
});

test('inside git, init prefers the encore.app git tracks over ignored or vendored copies', async (t) => {
  const cwd = tempProject(t, {
    'apps/api/encore.app': APP,
    'vendor/old/encore.app': APP,
    '.gitignore': 'vendor/\n',
  });
  git(cwd, 'init', '-q');
  git(cwd, 'add', 'apps/api/encore.app', '.gitignore');
  await initValid(t, cwd);
  assert.equal(config(cwd).backend.providers['encore-ts'].dev.workdir, 'apps/api');

  // Two apps git knows about: init asks which one.
  const two = tempProject(t, { 'a/encore.app': APP, 'b/encore.app': APP });
  git(two, 'init', '-q');
  git(two, 'add', '.');
  const result = await init(t, two);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /found encore\.app in a, b; pick one with --workdir/);
});

test('inside git, an env file git already ignores (by any pattern) is not flagged; one it does not is, and --yes ignores it', async (t) => {
  const ignored = tempProject(t, { 'encore.app': APP, '.gitignore': '.env*\n' });
  git(ignored, 'init', '-q');
  const quiet = await initValid(t, ignored);
  assert.doesNotMatch(quiet.stderr, /\.gitignore/);
  assert.equal(readFileSync(join(ignored, '.gitignore'), 'utf8'), '.env*\n');

  const exposed = tempProject(t, { 'encore.app': APP, '.gitignore': 'node_modules/' });
  git(exposed, 'init', '-q');
  const warned = await initValid(t, exposed);
  assert.match(warned.stderr, /\.env\.local holds secret values: add it to \.gitignore/);
  assert.equal(readFileSync(join(exposed, '.gitignore'), 'utf8'), 'node_modules/');
  await initValid(t, exposed, ['--force', '--yes']);
  assert.equal(readFileSync(join(exposed, '.gitignore'), 'utf8'), 'node_modules/\n.env.local\n');
  const checked = spawnSync('git', ['check-ignore', '-q', '.env.local'], { cwd: exposed });
  assert.equal(checked.status, 0, 'git itself now ignores .env.local');
});

test('init with secrets on an unlinked app writes store: local and offers .gitignore for both secret files; --yes accepts', async (t) => {
  const cwd = tempProject(t, { 'encore.app': APP, '.gitignore': 'node_modules/' });
  const offered = await initValid(t, cwd, ['--secrets', 'STRIPE_API_KEY, DB_URL']);
  assert.match(offered.stderr, /\.secrets\.local\.cue holds secret values: add it to \.gitignore \(rerun with --gitignore/);
  assert.equal(readFileSync(join(cwd, '.gitignore'), 'utf8'), 'node_modules/');
  assert.deepEqual(config(cwd).backend.providers['encore-ts'].dev.encore_secrets, {
    from_env: ['STRIPE_API_KEY', 'DB_URL'],
    types: ['local'],
    store: 'local',
  });
  await initValid(t, cwd, ['--force', '--yes', '--secrets', 'STRIPE_API_KEY']);
  assert.equal(readFileSync(join(cwd, '.gitignore'), 'utf8'), 'node_modules/\n.env.local\n.secrets.local.cue\n');
});

test('without encore.app, init writes a generic config from package.json (dev, else start)', async (t) => {
  const cwd = tempProject(t, {
    'package.json': JSON.stringify({ scripts: { start: 'node server.js', dev: 'node --watch server.js' } }),
    'pnpm-lock.yaml': '',
  });
  await initValid(t, cwd, ['--listen', '127.0.0.1:3000']);
  const block = config(cwd).backend.providers.generic;
  assert.equal(config(cwd).backend.provider, 'generic');
  assert.deepEqual(block.dev.command, ['pnpm', 'run', 'dev']);
  assert.equal(block.dev.ready.tcp, '127.0.0.1:3000');
  assert.deepEqual(block.dev.env, { HOST: '127.0.0.1', PORT: '3000' }, 'the server is told to listen where the probe looks');
  assert.equal(existsSync(join(cwd, '.env.local')), false, 'generic names no env file, so none is created');

  const start = tempProject(t, { 'package.json': JSON.stringify({ scripts: { start: 'node server.js' } }) });
  await initValid(t, start);
  assert.deepEqual(config(start).backend.providers.generic.dev.command, ['npm', 'run', 'start']);
});

test('generic --listen: the server init configures listens where the probe looks, so dev becomes ready', async (t) => {
  const port = await freePort();
  const cwd = tempProject(t, {
    'server.mjs':
      "import { createServer } from 'node:http';\nconst server = createServer((_, res) => res.end('ok'));\nserver.listen(Number(process.env.PORT), process.env.HOST, () => console.log(`serving on ${process.env.HOST}:${process.env.PORT}`));\n",
  });
  await initValid(t, cwd, ['--command', 'node server.mjs', '--listen', `127.0.0.1:${port}`]);
  const cli = startCli(['dev'], isolated(t, cwd));
  // Both the server's own line and Stagecraft's ready, in either order: the probe can connect before the
  // server's stdout line has been read and relayed (seen with two suites sharing two cores).
  await cli.waitForStderr(new RegExp(`› ready at http://127\\.0\\.0\\.1:${port}`), 30_000);
  await cli.waitForStderr(new RegExp(`serving on 127\\.0\\.0\\.1:${port}`), 30_000);
  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
});

test('init never writes invalid YAML, whatever --listen or directory name it gets', async (t) => {
  const awkward = [
    '@backend',
    '[app]',
    'a: b',
    '#hash',
    '- dash',
    '*star',
    '&amp',
    '!bang',
    '%pct',
    "'q'",
    '"dq"',
    'yes',
    'null',
    '01',
    'a, b',
  ];
  const parent = tempDir(t);
  for (const name of awkward) {
    const cwd = join(parent, `p${awkward.indexOf(name)}`);
    mkdirSync(join(cwd, name), { recursive: true });
    writeFileSync(join(cwd, name, 'encore.app'), APP);
    const result = await init(t, cwd, ['--listen', '[::1]:4000']);
    assert.equal(result.code, 0, `${name}: ${result.stderr}`);
    const block = config(cwd).backend.providers['encore-ts'];
    assert.equal(block.dev.workdir, name, `workdir ${JSON.stringify(name)} reads back as written`);
    assert.equal(block.dev.listen, '[::1]:4000');
  }
  // A directory named like a YAML indicator as the project itself, with a generic IPv6 listen.
  const named = join(parent, '@backend');
  mkdirSync(named);
  await initValid(t, named, ['--command', 'node server.mjs', '--listen', '[::1]:4000']);
  const generic = config(named).backend.providers.generic;
  assert.equal(config(named).project.name, 'backend');
  assert.equal(generic.dev.ready.tcp, '[::1]:4000');
  assert.deepEqual(generic.dev.env, { HOST: '::1', PORT: '4000' });
  assert.deepEqual(generic.dev.command, ['node', 'server.mjs']);

  const bad = await init(t, tempDir(t), ['--command', 'node x', '--listen', 'nonsense']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--listen "nonsense": expected host:port/);
});

test('with nothing to go on, init says which flag to pass; --command supplies it', async (t) => {
  const cwd = tempDir(t);
  const result = await init(t, cwd);
  assert.equal(result.code, 1);
  // Each provider says what it looked for; the hint names --provider and the providers' own flags.
  assert.match(
    result.stderr,
    /no provider recognises this project: no encore\.app in this directory or below it \(encore-ts\); no "dev" or "start" script in package\.json \(generic\)/,
  );
  assert.match(result.stderr, /stagecraft init --provider ID \(encore-ts, generic\)/);
  assert.match(result.stderr, /stagecraft init --command CMD \(generic\)/);
  await initValid(t, cwd, ['--command', 'python3 -m http.server 8000']);
  assert.deepEqual(config(cwd).backend.providers.generic.dev.command, ['python3', '-m', 'http.server', '8000']);
});

test("providers' own init flags: listed in help with their provider, imply it, and are refused for another provider", async (t) => {
  const help = await runCli(['init', '--help'], isolated(t, tempDir(t)));
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /--command CMD +generic: dev command/);
  assert.match(help.stdout, /--secrets NAMES +encore-ts: comma-separated variables/);

  // Next to an encore.app, --command still means generic: only generic reads it.
  const cwd = tempProject(t, { 'encore.app': APP });
  await initValid(t, cwd, ['--command', 'node server.mjs']);
  assert.equal(config(cwd).backend.provider, 'generic');
  assert.deepEqual(config(cwd).backend.providers.generic.dev.command, ['node', 'server.mjs']);

  const refused = await init(t, tempDir(t), ['--provider', 'generic', '--command', 'node x', '--secrets', 'A']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /--secrets is not a generic choice \(it is for encore-ts\)/);
  const unknown = await init(t, tempDir(t), ['--provider', 'encore']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /--provider "encore": expected one of encore-ts, generic/);
});

test('init says which provider it detected and why; a strong sign (encore.app) beats a weak one (a start script)', async (t) => {
  const cwd = tempProject(t, {
    'api/encore.app': APP,
    'package.json': JSON.stringify({ scripts: { dev: 'encore run' } }),
  });
  const result = await initValid(t, cwd);
  assert.match(result.stderr, /detected encore-ts: encore\.app in api/);
  assert.equal(config(cwd).backend.provider, 'encore-ts');
});

test('init reads encore.app with the same parser as dev: a broken one is reported with its position, not guessed around', async (t) => {
  const cwd = tempProject(t, { 'encore.app': '{\n  "id": "shop"\n  "lang": "typescript"\n}\n' });
  const result = await init(t, cwd);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /encore\.app is not a valid encore\.app file at 3:3 \(CommaExpected\)/);
  assert.equal(existsSync(join(cwd, 'stagecraft.yml')), false, 'nothing written');
});
