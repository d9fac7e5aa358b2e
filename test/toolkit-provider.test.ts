import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './helpers/cli.js';
import { runCustomCli } from './helpers/custom-cli.js';
import { freePort, portIsOpen } from './helpers/processes.js';
import { tempProject } from './helpers/temp.js';

// The provider docs/providers.md builds with the toolkit (test/fixtures/toolkit-provider/), through its own CLI.
const CUSTOM_CLI = join(REPO_ROOT, 'test', 'fixtures', 'toolkit-provider', 'cli.ts');
const TOKEN = 'tok-3f9a71c2e4b8';

function run(args: string[], cwd: string, env: Record<string, string> = {}, untilStderr?: RegExp) {
  return runCustomCli(CUSTOM_CLI, args, cwd, env, untilStderr);
}

const SERVER =
  "import { createServer } from 'node:http';\n" +
  'console.log(`token ${process.env.API_TOKEN}`);\n' +
  "createServer((req, res) => res.end('hi')).listen(Number(process.env.PORT), process.env.HOST);\n";

function project(t: Parameters<typeof tempProject>[0], block: string) {
  return tempProject(t, {
    'stagecraft.yml': `project:\n  name: hello\nbackend:\n  provider: node-app\n  providers:\n    node-app:\n${block}`,
    'app/server.mjs': SERVER,
  });
}

test('a toolkit-built provider: the dev block is required for dev, and dev.workdir must exist', { timeout: 120_000 }, async (t) => {
  const none = await run(['config', 'validate'], project(t, '      build: {}\n'));
  assert.equal(none.code, 1);
  assert.match(none.stderr, /backend\.providers\.node-app\.dev: expected a dev block with at least entry and listen, found nothing/);

  const badDir = await run(
    ['config', 'validate'],
    project(t, '      dev:\n        entry: server.mjs\n        workdir: nope\n        listen: 127.0.0.1:3000\n'),
  );
  assert.equal(badDir.code, 1);
  assert.match(
    badDir.stderr,
    /backend\.providers\.node-app\.dev\.workdir: expected an existing directory inside the project root, found "nope"/,
  );

  const badListen = await run(['config', 'validate'], project(t, '      dev:\n        entry: server.mjs\n        listen: nowhere\n'));
  assert.equal(badListen.code, 1);
  assert.match(badListen.stderr, /dev\.listen: expected host:port with a port 1-65535, such as 127\.0\.0\.1:3000/);
});

test('a toolkit-built provider runs its dev server: --listen overrides, declared secrets are masked', { timeout: 120_000 }, async (t) => {
  const port = await freePort();
  const cwd = project(
    t,
    '      dev:\n        entry: server.mjs\n        workdir: app\n        listen: 127.0.0.1:1\n        secrets: [API_TOKEN]\n',
  );
  const bad = await run(['dev', '--listen', 'not an address'], cwd);
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /--listen: expected host:port with a port 1-65535, found "not an address"/);

  const dev = await run(['dev', '--listen', `127.0.0.1:${port}`], cwd, { API_TOKEN: TOKEN }, /ready at/);
  assert.equal(dev.code, 0, dev.stderr);
  assert.match(dev.stderr, new RegExp(`ready at http://127\\.0\\.0\\.1:${port} in`));
  assert.match(dev.stderr, /token \*\*\*/, 'the declared secret is masked in the server output');
  assert.ok(!dev.stderr.includes(TOKEN) && !dev.stdout.includes(TOKEN), 'the secret value never appears');
  assert.equal(await portIsOpen(port), false, 'stopped with the CLI');
});
