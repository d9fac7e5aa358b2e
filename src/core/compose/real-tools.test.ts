import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { createSandbox } from '../../../test/engine/sandbox.js';
import { captureLogger } from '../../../test/helpers/logger.js';
import { assertNoOrphans, MARKER_VARIABLE } from '../../../test/helpers/processes.js';
import { tempDir } from '../../../test/helpers/temp.js';
import { StagecraftError } from '../errors.js';
import { createRunner } from '../process/start-child.js';
import { type ComposeConfig, type ComposeContext, detectCompose, startCompose } from './index.js';

/**
 * The real tools of these machines, as far as they go without a running container: Debian's docker-compose
 * 1.29.2 and podman-compose 1.0.3 (.ci/apt-packages installs them), and the preinstalled daemonless Docker CLI.
 * Where a tool is missing the test is skipped, unless STAGECRAFT_REQUIRE_ENGINE=1 (CI), where it fails.
 */
const REAL = {
  dockerCompose: '/usr/bin/docker-compose',
  podmanCompose: '/usr/bin/podman-compose',
  podman: '/usr/bin/podman',
  docker: '/usr/local/bin/docker',
};
const REQUIRE = process.env.STAGECRAFT_REQUIRE_ENGINE === '1';

function skipUnless(...paths: string[]): string | false {
  const missing = paths.filter((path) => !existsSync(path));
  return missing.length > 0 && !REQUIRE ? `not installed: ${missing.join(', ')}` : false;
}

/** A bin directory holding only the named tools, so nothing else on the machine is found by accident. */
function binWith(t: TestContext, tools: Record<string, string>): string {
  const bin = tempDir(t, 'stagecraft-bin-');
  for (const [name, target] of Object.entries(tools)) symlinkSync(target, join(bin, name));
  return bin;
}

function contextFor(projectRoot: string, env: Record<string, string>): ComposeContext {
  return {
    projectRoot,
    projectName: 'probe',
    env,
    runner: createRunner(),
    logger: captureLogger().logger,
    signal: new AbortController().signal,
    forced: new AbortController().signal,
  };
}

function composeFile(dir: string, image: string): string {
  const file = join(dir, 'compose.yml');
  writeFileSync(file, `services:\n  web:\n    image: ${image}\n    ports: ["127.0.0.1:18088:8080"]\n`);
  return file;
}

const config = (file: string): ComposeConfig => ({ files: [file], project: undefined, services: undefined, ready: {}, onExit: 'stop' });

test('real docker-compose 1.29.2 is detected as v1; with the real daemonless Docker CLI, dev stops at PROVIDER_NOT_AVAILABLE', {
  skip: skipUnless(REAL.dockerCompose, REAL.docker),
  timeout: 120_000,
}, async (t) => {
  const home = tempDir(t, 'stagecraft-home-');
  const marker = randomUUID();
  // The Docker CLI first reports `docker compose` as an unknown command (no plugin), so detection moves on.
  const bin = binWith(t, { docker: REAL.docker, 'docker-compose': REAL.dockerCompose });
  const env = {
    PATH: bin,
    HOME: home,
    DOCKER_CONFIG: join(home, '.docker'),
    DOCKER_HOST: `unix://${join(home, 'no.sock')}`,
    [MARKER_VARIABLE]: marker,
  };
  const tool = await detectCompose(createRunner(), env, home, new AbortController().signal);
  assert.deepEqual({ kind: tool.kind, version: tool.version, engine: tool.engine }, { kind: 'v1', version: '1.29.2', engine: 'docker' });
  const error = await startCompose(config(composeFile(home, 'nothing:1')), contextFor(home, env)).then(
    () => assert.fail('expected PROVIDER_NOT_AVAILABLE'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof StagecraftError);
  assert.equal(error.category, 'PROVIDER_NOT_AVAILABLE');
  assert.match(error.message, /Cannot connect to the Docker daemon/);
  await assertNoOrphans(marker);
});

test('no Compose at all next to the real Docker CLI: PROVIDER_NOT_AVAILABLE with the install hint', {
  skip: skipUnless(REAL.docker),
  timeout: 60_000,
}, async (t) => {
  const home = tempDir(t, 'stagecraft-home-');
  const env = { PATH: binWith(t, { docker: REAL.docker }), HOME: home, DOCKER_CONFIG: join(home, '.docker') };
  const error = await detectCompose(createRunner(), env, home, new AbortController().signal).then(
    () => assert.fail('expected PROVIDER_NOT_AVAILABLE'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof StagecraftError);
  assert.equal(error.category, 'PROVIDER_NOT_AVAILABLE');
  assert.match(error.detail ?? '', /docker compose: docker: unknown command: docker compose/);
  assert.match(error.hint ?? '', /Install Docker with the Compose plugin/);
});

test('real podman-compose 1.0.3: detected by its version, up -d, then podman ps (a JSON array) shows the container never started', {
  skip: skipUnless(REAL.podmanCompose, REAL.podman, '/bin/busybox'),
  timeout: 240_000,
}, async (t) => {
  const sandbox = createSandbox('stagecraft-compose-engine-');
  t.after(() => sandbox.remove());
  const marker = randomUUID();
  const image = join(sandbox.dir, 'image');
  mkdirSync(image);
  copyFileSync('/bin/busybox', join(image, 'busybox'));
  writeFileSync(
    join(image, 'Containerfile'),
    'FROM scratch\nCOPY busybox /bin/busybox\nCMD ["/bin/busybox", "httpd", "-f", "-p", "8080"]\n',
  );
  const built = sandbox.podman(['build', '-q', '-t', 'localhost/compose-probe:1', '-f', join(image, 'Containerfile'), image]);
  assert.equal(built.code, 0, built.stderr);
  const project = join(sandbox.dir, 'project');
  mkdirSync(project);
  const env = {
    ...sandbox.env,
    PATH: binWith(t, { 'podman-compose': REAL.podmanCompose, podman: REAL.podman }),
    [MARKER_VARIABLE]: marker,
  };
  const tool = await detectCompose(createRunner(), env, project, new AbortController().signal);
  assert.deepEqual(
    { kind: tool.kind, version: tool.version, engine: tool.engine },
    { kind: 'podman-compose', version: '1.0.3', engine: 'podman' },
  );
  const session = await startCompose(config(composeFile(project, 'localhost/compose-probe:1')), contextFor(project, env));
  // Containers cannot start on these machines (see docs/compose.md); podman-compose still exits 0, so only ps tells.
  const error = await session.ready.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  await session.shutdown();
  await assertNoOrphans(marker);
  if (error === undefined) return; // an engine that runs containers: the path went all the way
  assert.ok(error instanceof StagecraftError, String(error));
  assert.equal(error.category, 'DEV_SERVER_FAILED');
  assert.match(error.message, /compose service web did not start \(state created\)/);
});
