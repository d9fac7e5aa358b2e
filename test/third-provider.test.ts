import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { REPO_ROOT } from './helpers/cli.js';
import { runCustomCli } from './helpers/custom-cli.js';
import { freePort, portIsOpen } from './helpers/processes.js';
import { standinBin } from './helpers/standins.js';
import { tempProject } from './helpers/temp.js';

const CUSTOM_CLI = join(REPO_ROOT, 'test', 'fixtures', 'third-provider', 'cli.ts');

function run(args: string[], cwd: string, env: Record<string, string> = {}, untilStderr?: RegExp) {
  return runCustomCli(CUSTOM_CLI, args, cwd, env, untilStderr);
}

test('a provider registered from outside the core shows up, validates, runs and builds through the real CLI', async (t) => {
  const port = await freePort();
  const cwd = tempProject(t, {
    'stagecraft.yml': `project:\n  name: hello\nbackend:\n  provider: node-watch\n  providers:\n    node-watch:\n      entry: server.mjs\n      port: ${port}\n`,
    'server.mjs':
      "import { createServer } from 'node:http';\ncreateServer((req, res) => res.end('hi')).listen(Number(process.env.PORT), '127.0.0.1');\n",
  });

  const providers = await run(['providers'], cwd);
  assert.deepEqual(
    providers.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/)[0]),
    ['encore-ts', 'generic', 'node-watch'],
  );

  const schema = JSON.parse((await run(['config', 'schema'], cwd)).stdout) as {
    properties: { backend: { properties: { providers: { properties: Record<string, unknown> } } } };
  };
  assert.ok('node-watch' in schema.properties.backend.properties.providers.properties, 'its block is in the JSON Schema');

  const dev = await run(['dev'], cwd, {}, /ready at/);
  assert.equal(dev.code, 0, dev.stderr);
  assert.match(dev.stderr, new RegExp(`ready at http://127\\.0\\.0\\.1:${port} in`));
  assert.equal(await portIsOpen(port), false, 'stopped with the CLI');

  const bin = standinBin(t, ['docker']);
  const build = await run(['build', '--tag', 'v1'], cwd, { PATH: `${bin.dir}:${process.env.PATH}`, STANDIN_LOG: bin.log });
  assert.equal(build.code, 0, build.stderr);
  assert.equal(build.stdout, 'hello:v1\n');
  assert.deepEqual(bin.calls('docker')[0]?.argv, ['build', '-t', 'hello:v1', '-f', '-', cwd]);
});

test("the third provider's config errors carry its ID and positions like the built-in ones", async (t) => {
  const cwd = tempProject(t, {
    'stagecraft.yml':
      'project:\n  name: hello\nbackend:\n  provider: node-watch\n  providers:\n    node-watch:\n      entry: missing.mjs\n      prot: 3000\n',
  });
  const result = await run(['config', 'validate'], cwd);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /stagecraft\.yml:8:7 {2}backend\.providers\.node-watch\.prot: unknown key "prot"; did you mean "port"\? \(node-watch\)/,
  );
});

test('the third provider detects its project, initialises it with its own flags, and the config validates and runs', async (t) => {
  const port = await freePort();
  const cwd = tempProject(t, {
    'package.json': JSON.stringify({ name: 'hello', main: 'server.mjs' }),
    'server.mjs':
      "import { createServer } from 'node:http';\ncreateServer((req, res) => res.end('hi')).listen(Number(process.env.PORT), '127.0.0.1');\n",
  });

  // Its flags are init's flags, described with its ID.
  const help = await run(['init', '--help'], cwd);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /--entry FILE +node-watch: the Node entry file/);
  assert.match(help.stdout, /--port PORT +node-watch: the port/);

  // No flag names it: only its detection (package.json "main") fits this project.
  const detected = await run(['init'], cwd);
  assert.equal(detected.code, 0, detected.stderr);
  assert.match(detected.stderr, /detected node-watch: package\.json "main": server\.mjs/);
  const first = readFileSync(join(cwd, 'stagecraft.yml'), 'utf8');
  assert.match(first, /^backend:\n {2}provider: node-watch\n {2}providers:\n {4}node-watch:\n {6}entry: server\.mjs/m);

  const init = await run(['init', '--force', '--port', String(port)], cwd);
  assert.equal(init.code, 0, init.stderr);
  const written = parse(readFileSync(join(cwd, 'stagecraft.yml'), 'utf8')) as {
    backend: { provider: string; providers: Record<string, unknown> };
  };
  assert.equal(written.backend.provider, 'node-watch');
  assert.deepEqual(written.backend.providers['node-watch'], { entry: 'server.mjs', port });

  const validate = await run(['config', 'validate'], cwd);
  assert.equal(validate.code, 0, validate.stderr);
  const dev = await run(['dev'], cwd, {}, /ready at/);
  assert.equal(dev.code, 0, dev.stderr);
  assert.match(dev.stderr, new RegExp(`ready at http://127\\.0\\.0\\.1:${port} in`));
  assert.equal(await portIsOpen(port), false, 'stopped with the CLI');
});

test('two providers fitting equally well make init ask for --provider', async (t) => {
  const cwd = tempProject(t, {
    'package.json': JSON.stringify({ main: 'server.mjs', scripts: { dev: 'node --watch server.mjs' } }),
    'server.mjs': '',
  });
  const result = await run(['init'], cwd);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /more than one provider fits this project: generic \(a "dev" script in package\.json\), node-watch \(package\.json "main": server\.mjs\); pick one with --provider/,
  );
  assert.equal(existsSync(join(cwd, 'stagecraft.yml')), false);
  const chosen = await run(['init', '--provider', 'node-watch'], cwd);
  assert.equal(chosen.code, 0, chosen.stderr);
  assert.match(readFileSync(join(cwd, 'stagecraft.yml'), 'utf8'), /provider: node-watch/);
});
