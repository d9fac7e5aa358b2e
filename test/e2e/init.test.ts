import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { tempDir, tempProject } from '../helpers/temp.js';

const APP = '// created by encore app create\n{\n\t"id": "",\n\t"lang": "typescript",\n}\n';

test('init next to an encore.app writes a commented encore-ts config that validates', async (t) => {
  const cwd = tempProject(t, { 'encore.app': APP, '.env.local': '' });
  const result = await runCli(['init'], { cwd });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim(), join(cwd, 'stagecraft.yml'));
  const text = readFileSync(join(cwd, 'stagecraft.yml'), 'utf8');
  assert.match(text, /^# yaml-language-server: \$schema=.*schema\/stagecraft\.schema\.json\n/);
  assert.match(text, /listen: 127\.0\.0\.1:4000/);
  assert.match(text, /env_file: \.env\.local/);
  assert.match(
    text,
    /# encore_secrets:\n {8}# {3}from_env: \[STRIPE_API_KEY\]/,
    'the secrets block is there, commented out, with an explanation',
  );
  const config = parse(text) as {
    backend: { providers: { 'encore-ts': { dev: Record<string, unknown>; build: { image_name: string } } } };
  };
  assert.equal(config.backend.providers['encore-ts'].dev.encore_secrets, undefined);
  assert.match(config.backend.providers['encore-ts'].build.image_name, /^stagecraft-project-/);
  const schemaPath = /\$schema=(\S+)/.exec(text)?.[1] as string;
  assert.equal(
    readFileSync(join(cwd, schemaPath), 'utf8'),
    readFileSync(join(REPO_ROOT, 'schema', 'stagecraft.schema.json'), 'utf8'),
    'the $schema line points at the shipped schema',
  );
  const validate = await runCli(['config', 'validate'], { cwd });
  assert.equal(validate.code, 0, validate.stderr);
});

test('init finds an app one level down and names the image after it; never overwrites without --force', async (t) => {
  const cwd = tempProject(t, { 'backend/encore.app': APP.replace('"id": ""', '"id": "shop-backend-x2"') });
  assert.equal((await runCli(['init', '--name', 'Shop'], { cwd })).code, 0);
  const text = readFileSync(join(cwd, 'stagecraft.yml'), 'utf8');
  assert.match(text, /name: shop\n/);
  assert.match(text, /workdir: backend /);
  assert.match(text, /image_name: shop-backend-x2 /);
  writeFileSync(join(cwd, 'stagecraft.yml'), 'keep me\n');
  const again = await runCli(['init'], { cwd });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /stagecraft\.yml already exists here; pass --force to overwrite it/);
  assert.equal(readFileSync(join(cwd, 'stagecraft.yml'), 'utf8'), 'keep me\n');
  assert.equal((await runCli(['init', '--force'], { cwd })).code, 0);
  assert.notEqual(readFileSync(join(cwd, 'stagecraft.yml'), 'utf8'), 'keep me\n');
});

test('init with secrets on an unlinked app writes store: local and offers .gitignore; --yes accepts', async (t) => {
  const cwd = tempProject(t, { 'encore.app': APP, '.gitignore': 'node_modules/' });
  const offered = await runCli(['init', '--secrets', 'STRIPE_API_KEY, DB_URL'], { cwd });
  assert.match(offered.stderr, /add it to \.gitignore \(rerun with --gitignore/);
  assert.equal(readFileSync(join(cwd, '.gitignore'), 'utf8'), 'node_modules/');
  const config = parse(readFileSync(join(cwd, 'stagecraft.yml'), 'utf8')) as {
    backend: { providers: { 'encore-ts': { dev: { encore_secrets: unknown } } } };
  };
  assert.deepEqual(config.backend.providers['encore-ts'].dev.encore_secrets, {
    from_env: ['STRIPE_API_KEY', 'DB_URL'],
    types: ['local'],
    store: 'local',
  });
  assert.equal((await runCli(['init', '--force', '--yes', '--secrets', 'STRIPE_API_KEY'], { cwd })).code, 0);
  assert.equal(readFileSync(join(cwd, '.gitignore'), 'utf8'), 'node_modules/\n.secrets.local.cue\n');
});

test('without encore.app, init writes a generic config from package.json (dev, else start)', async (t) => {
  const cwd = tempProject(t, {
    'package.json': JSON.stringify({ scripts: { start: 'node server.js', dev: 'node --watch server.js' } }),
    'pnpm-lock.yaml': '',
  });
  assert.equal((await runCli(['init', '--listen', '127.0.0.1:3000'], { cwd })).code, 0);
  const config = parse(readFileSync(join(cwd, 'stagecraft.yml'), 'utf8')) as {
    backend: { provider: string; providers: { generic: { dev: { command: string[]; ready: { tcp: string } } } } };
  };
  assert.equal(config.backend.provider, 'generic');
  assert.deepEqual(config.backend.providers.generic.dev.command, ['pnpm', 'run', 'dev']);
  assert.equal(config.backend.providers.generic.dev.ready.tcp, '127.0.0.1:3000');
  assert.equal((await runCli(['config', 'validate'], { cwd })).code, 0);

  const start = tempProject(t, { 'package.json': JSON.stringify({ scripts: { start: 'node server.js' } }) });
  await runCli(['init'], { cwd: start });
  assert.match(readFileSync(join(start, 'stagecraft.yml'), 'utf8'), /command: \["npm","run","start"\]/);
});

test('with nothing to go on, init says which flag to pass; --command supplies it', async (t) => {
  const cwd = tempDir(t);
  const result = await runCli(['init'], { cwd });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /no encore\.app here or one level down, and no "dev" or "start" script in package\.json/);
  assert.match(result.stderr, /stagecraft init --command/);
  assert.equal((await runCli(['init', '--command', 'python3 -m http.server 8000'], { cwd })).code, 0);
  assert.match(readFileSync(join(cwd, 'stagecraft.yml'), 'utf8'), /command: \["python3","-m","http\.server","8000"\]/);
});
