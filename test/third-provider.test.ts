import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliEnvironment, REPO_ROOT } from './helpers/cli.js';
import { assertNoOrphans, freePort, portIsOpen } from './helpers/processes.js';
import { standinBin } from './helpers/standins.js';
import { tempProject } from './helpers/temp.js';

const CUSTOM_CLI = join(REPO_ROOT, 'test', 'fixtures', 'third-provider', 'cli.ts');
/** tsx, found from here: the child runs in a temp project where no node_modules exists. */
const TSX = import.meta.resolve('tsx');

/** Runs the fixture's own CLI (the built package plus one provider registered from outside). */
function run(args: string[], cwd: string, env: Record<string, string> = {}, untilStderr?: RegExp) {
  const marker = randomUUID();
  const child = spawn(process.execPath, ['--import', TSX, CUSTOM_CLI, ...args], {
    cwd,
    env: { ...cliEnvironment({ cwd, env }, marker) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  let stopped = false;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!stopped && untilStderr?.test(stderr)) {
      stopped = true;
      child.kill('SIGINT');
    }
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) =>
    child.on('close', (code) => assertNoOrphans(marker).then(() => resolve({ code, stdout, stderr }), reject)),
  );
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
