// Builds against a real engine: podman from Debian's packages, in a private sandbox (see sandbox.ts).
// `npm test` runs this whenever podman is usable; CI sets STAGECRAFT_REQUIRE_ENGINE=1 so it can never skip there.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { runCli, startCli } from '../helpers/cli.js';
import { tempProject } from '../helpers/temp.js';
import { fileInImage, realDockerCli } from './sandbox.js';
import { engineSuite, skipReason } from './suite.js';

if (skipReason !== undefined) {
  console.log(`engine suite skipped (${skipReason}); install podman podman-docker docker-registry apache2-utils busybox-static to run it`);
}

const { sandbox, engineTest } = engineSuite();

const DOCKERFILE = 'FROM scratch\nARG GREETING=none\nLABEL greeting=$GREETING\nCOPY hello.txt /hello.txt\n';

function project(t: TestContext, build: string[] = [], files: Record<string, string> = {}) {
  const yaml = [
    'project:',
    '  name: app',
    'backend:',
    '  provider: generic',
    '  providers:',
    '    generic:',
    '      build:',
    '        context: ctx',
    ...build.map((line) => `        ${line}`),
    '',
  ].join('\n');
  return tempProject(t, { 'stagecraft.yml': yaml, 'ctx/Dockerfile': DOCKERFILE, 'ctx/hello.txt': 'hello from the context\n', ...files });
}

/** Options for a CLI run against the sandbox; `engine` picks podman through STAGECRAFT_ENGINE. */
function engineRun(cwd: string, options: { engine?: 'podman'; podmanAsDocker?: boolean } = {}) {
  const realDocker = realDockerDir();
  return {
    cwd,
    env: { ...sandbox().env, ...(options.engine ? { STAGECRAFT_ENGINE: options.engine } : {}) },
    // Without the wrapper, `docker` is the real Docker CLI when there is one (its daemon never answers here).
    path: options.podmanAsDocker ? [sandbox().podmanDockerDir] : realDocker ? [realDocker] : [],
    timeoutMs: 180_000,
  };
}

/** A directory whose `docker` is the real Docker CLI (not podman-docker's wrapper), if this machine has one. */
function realDockerDir(): string | undefined {
  const docker = realDockerCli();
  if (docker === undefined) return undefined;
  const dir = join(sandbox().dir, 'real-docker');
  if (!existsSync(dir)) {
    mkdirSync(dir);
    symlinkSync(docker, join(dir, 'docker'));
  }
  return dir;
}

function jsonRecords(stderr: string): Record<string, unknown>[] {
  return stderr
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

engineTest('build through `docker` (podman-docker): stdout is exactly the reference, and that image holds the context file', async (t) => {
  const cwd = project(t);
  const result = await runCli(['build', '--tag', 'v1'], engineRun(cwd, { podmanAsDocker: true }));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'app:v1\n', "podman-docker's notice on stderr never reaches the result");
  assert.match(result.stderr, /Emulate Docker CLI using podman/, 'the wrapper really ran');
  const inspected = sandbox().podman(['image', 'inspect', '--format', '{{index .RepoTags 0}}', result.stdout.trim()]);
  assert.equal(inspected.code, 0, inspected.stderr);
  assert.equal(inspected.stdout.trim(), 'localhost/app:v1');
  assert.equal(fileInImage(sandbox(), 'app:v1', '/hello.txt'), 'hello from the context\n');

  const json = await runCli(['build', '--tag', 'v2', '--json'], engineRun(cwd, { podmanAsDocker: true }));
  assert.equal(json.code, 0, json.stderr);
  const document = JSON.parse(json.stdout) as { image: string; pushed: boolean };
  assert.deepEqual([document.image, document.pushed], ['app:v2', false]);
  assert.equal(sandbox().podman(['image', 'exists', 'app:v2']).code, 0);
});

engineTest('build.engine: podman runs podman; build.args reach a LABEL; build.target picks a stage', async (t) => {
  const cwd = project(t, ['engine: podman', 'target: first', 'args:', '  GREETING: hello-from-args'], {
    'ctx/Dockerfile': [
      'FROM scratch AS first',
      'ARG GREETING=none',
      'LABEL greeting=$GREETING stage=first',
      'COPY first.txt /stage.txt',
      'FROM scratch AS second',
      'LABEL stage=second',
      'COPY second.txt /stage.txt',
      '',
    ].join('\n'),
    'ctx/first.txt': 'first stage\n',
    'ctx/second.txt': 'second stage\n',
  });
  // The real Docker CLI (no daemon), where there is one, comes first on PATH: only build.engine makes this work.
  const result = await runCli(['build', '--tag', 'staged'], engineRun(cwd));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'app:staged\n');
  const labels = sandbox().podman(['image', 'inspect', '--format', '{{.Labels.greeting}} {{.Labels.stage}}', 'app:staged']);
  assert.equal(labels.stdout.trim(), 'hello-from-args first');
  assert.equal(fileInImage(sandbox(), 'app:staged', '/stage.txt'), 'first stage\n');
});

engineTest("a bad Dockerfile is BUILD_FAILED (exit 3) with the engine's error line in the detail", async (t) => {
  const cwd = project(t, [], { 'ctx/Dockerfile': 'FROM scratch\nCOPY not-in-context.txt /x\n' });
  const result = await runCli(['--log-format', 'json', 'build', '--tag', 'bad'], engineRun(cwd, { engine: 'podman' }));
  assert.equal(result.code, 3, result.stderr);
  assert.equal(result.stdout, '');
  const error = jsonRecords(result.stderr).at(-1) as Record<string, unknown>;
  assert.equal(error.category, 'BUILD_FAILED');
  const detail = String(error.detail).split('\n');
  assert.ok(detail.length <= 5, `at most 5 lines: ${error.detail}`);
  assert.equal(new Set(detail).size, detail.length, 'no line repeated');
  assert.ok(
    detail.some((line) => /^Error: .*not-in-context\.txt/.test(line)),
    `podman's own error line is in the detail: ${error.detail}`,
  );
});

engineTest("a Docker CLI whose daemon does not answer is PROVIDER_NOT_AVAILABLE (exit 2) with doctor's hint", async (t) => {
  const docker = realDockerCli();
  if (docker === undefined) {
    t.skip('no real Docker CLI on PATH (this machine kind ships one in /usr/local/bin)');
    return;
  }
  const cwd = project(t);
  const build = await runCli(['--log-format', 'json', 'build', '--tag', 'nodaemon'], engineRun(cwd));
  assert.equal(build.code, 2, build.stderr);
  const error = jsonRecords(build.stderr).at(-1) as Record<string, unknown>;
  assert.equal(error.category, 'PROVIDER_NOT_AVAILABLE');
  assert.match(String(error.msg), /^docker build: no Docker daemon answers \(exit code 1\) for app:nodaemon$/);
  assert.match(String(error.detail), /Cannot connect to the Docker daemon/);
  const doctor = await runCli(['doctor', '--json'], engineRun(cwd));
  const check = (JSON.parse(doctor.stdout) as { checks: { name: string; status: string; message: string; fix?: string }[] }).checks.find(
    (entry) => entry.name === 'docker',
  );
  assert.equal(check?.status, 'fail');
  assert.match(check?.message ?? '', /no Docker daemon answers/);
  assert.equal(error.hint, check?.fix, 'build gives the hint doctor gives');
  assert.match(String(error.hint), /Start Docker/);
});

engineTest("podman as a remote client whose service does not answer is PROVIDER_NOT_AVAILABLE (exit 2) with doctor's hint", async (t) => {
  const cwd = project(t);
  const run = engineRun(cwd, { engine: 'podman' });
  // CONTAINER_HOST makes podman a client of a service (as on macOS); nothing listens on this socket.
  const env = { ...run.env, CONTAINER_HOST: `unix://${join(sandbox().dir, 'no-podman.sock')}` };
  const build = await runCli(['--log-format', 'json', 'build', '--tag', 'noservice'], { ...run, env });
  assert.equal(build.code, 2, build.stderr);
  const error = jsonRecords(build.stderr).at(-1) as Record<string, unknown>;
  assert.equal(error.category, 'PROVIDER_NOT_AVAILABLE');
  const doctor = await runCli(['doctor', '--json'], { ...run, env });
  const check = (JSON.parse(doctor.stdout) as { checks: { name: string; status: string; fix?: string }[] }).checks.find(
    (entry) => entry.name === 'podman',
  );
  assert.equal(check?.status, 'fail');
  assert.equal(error.hint, check?.fix, 'build gives the hint doctor gives');
});

engineTest('doctor names the engine, its version (from stdout only) and whether it answers', async (t) => {
  const cwd = project(t);
  const version = sandbox().podman(['version', '--format', '{{.Client.Version}}']).stdout.trim();
  assert.match(version, /^\d+\.\d+/);
  const viaWrapper = await runCli(['doctor', '--json'], engineRun(cwd, { podmanAsDocker: true }));
  const checks = (JSON.parse(viaWrapper.stdout) as { checks: { name: string; status: string; message: string }[] }).checks;
  const docker = checks.find((check) => check.name === 'docker');
  assert.equal(docker?.status, 'ok', JSON.stringify(checks));
  assert.match(docker?.message ?? '', new RegExp(`^daemon ${version.replaceAll('.', '\\.')} answers \\(`));
  assert.doesNotMatch(docker?.message ?? '', /Emulate/);

  const podman = await runCli(['doctor', '--json'], engineRun(cwd, { engine: 'podman' }));
  const check = (JSON.parse(podman.stdout) as { checks: { name: string; status: string; message: string }[] }).checks.find(
    (entry) => entry.name === 'podman',
  );
  assert.equal(check?.status, 'ok');
  assert.match(check?.message ?? '', new RegExp(`^podman ${version.replaceAll('.', '\\.')} answers .*from STAGECRAFT_ENGINE`));
});

engineTest('Ctrl+C during a real build exits 130 and leaves no engine process running', async (t) => {
  // The build blocks on ADD from a server that never finishes its answer: slow by construction, not by size.
  let requested: () => void = () => {};
  const gotRequest = new Promise<void>((resolve) => {
    requested = resolve;
  });
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-length': '1000000' });
    response.write('x');
    requested();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const cwd = project(t, [], { 'ctx/Dockerfile': `FROM scratch\nCOPY hello.txt /hello.txt\nADD http://127.0.0.1:${port}/slow /slow\n` });
  const cli = startCli(['build', '--tag', 'interrupted'], engineRun(cwd, { engine: 'podman' }));
  await cli.waitForStderr(/STEP \d+\/\d+: ADD/, 120_000);
  await gotRequest;
  cli.signal('SIGINT');
  const result = await cli.finish(); // fails if any process of this run (podman, its copier) is still running
  assert.equal(result.code, 130, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /stopped by SIGINT/);
  assert.notEqual(sandbox().podman(['image', 'exists', 'app:interrupted']).code, 0, 'no image was tagged');
});
