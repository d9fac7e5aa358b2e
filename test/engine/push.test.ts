// Pushes against real registries on the loopback interface (`docker-registry`, one open, one requiring
// login) and a port where nothing listens, with podman in a private sandbox (see sandbox.ts).
import assert from 'node:assert/strict';
import { after, before, type TestContext } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/processes.js';
import { tempProject } from '../helpers/temp.js';
import { type Registry, registryTags, startRegistry } from './sandbox.js';
import { engineSuite, skipReason } from './suite.js';

const { sandbox, engineTest } = engineSuite();

let open: Registry | undefined;
let locked: Registry | undefined;
/** A port nothing listens on: a push there is refused at once. */
let refusedHost = '';

before(async () => {
  if (skipReason !== undefined) return;
  open = await startRegistry(sandbox(), 'open');
  locked = await startRegistry(sandbox(), 'locked', { auth: true });
  refusedHost = `127.0.0.1:${await freePort()}`;
  // Plain HTTP on loopback: podman is told so through the sandbox's registries.conf, never /etc/containers.
  for (const host of [open.host, locked.host, refusedHost]) sandbox().allowInsecure(host);
});

after(async () => {
  await open?.stop();
  await locked?.stop();
});

function project(t: TestContext, registry: string) {
  return tempProject(t, {
    'stagecraft.yml': [
      'project:',
      '  name: app',
      `  registry: ${registry}`,
      'backend:',
      '  provider: generic',
      '  providers:',
      '    generic:',
      '      build:',
      '        image_name: app',
      '',
    ].join('\n'),
    Dockerfile: 'FROM scratch\nCOPY payload.txt /payload.txt\n',
    'payload.txt': 'pushed\n',
  });
}

function engineRun(cwd: string, options: { podmanAsDocker?: boolean } = {}) {
  return {
    cwd,
    env: { ...sandbox().env, ...(options.podmanAsDocker ? {} : { STAGECRAFT_ENGINE: 'podman' }) },
    path: options.podmanAsDocker ? [sandbox().podmanDockerDir] : [],
    timeoutMs: 180_000,
  };
}

function errorRecord(stderr: string): Record<string, unknown> {
  const records = stderr
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return records.at(-1) as Record<string, unknown>;
}

function assertShortDetail(detail: unknown): string[] {
  const lines = String(detail).split('\n');
  assert.ok(lines.length <= 5, `at most 5 lines: ${detail}`);
  assert.equal(new Set(lines).size, lines.length, `no line repeated: ${detail}`);
  return lines;
}

engineTest('build --push with --tag and a registry with a port: the registry holds the tag, the reference round-trips', async (t) => {
  const registry = (open as Registry).host;
  const cwd = project(t, `${registry}/team`);
  const result = await runCli(['build', '--tag', 'release-1', '--push'], engineRun(cwd));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `${registry}/team/app:release-1\n`);
  assert.deepEqual(await registryTags(open as Registry, 'team/app'), ['release-1']);
  const inspected = sandbox().podman(['image', 'inspect', '--format', '{{index .RepoTags 0}}', result.stdout.trim()]);
  assert.equal(inspected.stdout.trim(), `${registry}/team/app:release-1`);
});

engineTest('a push to a port that refuses the connection is PUSH_FAILED (exit 4): is the registry reachable?', async (t) => {
  const cwd = project(t, `${refusedHost}/team`);
  const result = await runCli(['--log-format', 'json', 'build', '--tag', 'refused', '--push'], engineRun(cwd));
  assert.equal(result.code, 4, result.stderr);
  assert.equal(result.stdout, '');
  const error = errorRecord(result.stderr);
  assert.equal(error.category, 'PUSH_FAILED');
  assert.match(String(error.hint), new RegExp(`registry ${refusedHost} reachable.*insecure registry`));
  assert.ok(
    assertShortDetail(error.detail).some((line) => /connection refused/.test(line)),
    `the engine's reason: ${error.detail}`,
  );
});

engineTest('a push to a registry that requires login, without credentials, is PUSH_FAILED (exit 4): docker login REGISTRY', async (t) => {
  const registry = (locked as Registry).host;
  const cwd = project(t, `${registry}/team`);
  const json = await runCli(['--log-format', 'json', 'build', '--tag', 'nologin', '--push'], engineRun(cwd, { podmanAsDocker: true }));
  assert.equal(json.code, 4, json.stderr);
  const error = errorRecord(json.stderr);
  assert.equal(error.category, 'PUSH_FAILED');
  assert.match(String(error.hint), new RegExp(`docker login ${registry}`));
  assert.ok(
    assertShortDetail(error.detail).some((line) => /authentication required|unauthorized/.test(line)),
    String(error.detail),
  );
  assert.deepEqual(await registryTags(locked as Registry, 'team/app'), []);

  const text = await runCli(['build', '--tag', 'nologin', '--push'], engineRun(cwd));
  assert.equal(text.code, 4);
  assert.match(text.stderr, new RegExp(`hint: Log in first: podman login ${registry}`), 'the hint names the engine in use');
});
