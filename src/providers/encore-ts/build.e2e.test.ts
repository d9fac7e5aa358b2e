import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { encoreProject, records } from './test/fixtures.js';

test('build runs `encore build docker <ref>` in the build workdir and prints exactly the reference', async (t) => {
  const project = await encoreProject(t, { appDir: 'apps/api', build: ['        docker_tag_suffix: -encore'] });
  const result = await project.run(['build', '--tag', 'abc1234']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'ghcr.io/your-org/platform/api:abc1234-encore\n');
  const build = project.bin.calls('encore').find((call) => call.argv[0] === 'build');
  assert.deepEqual(build?.argv, ['build', 'docker', 'ghcr.io/your-org/platform/api:abc1234-encore']);
  assert.equal(build?.cwd, join(project.dir, 'apps', 'api'), 'defaults to dev.workdir');
  assert.match(result.stderr, /encore │ 4:22PM INF successfully exported app as docker image/);
});

test('--push passes Encore its own --push; build options become flags; --json reports it', async (t) => {
  const project = await encoreProject(t, {
    project: [],
    build: [
      '        image_name: backend',
      '        arch: arm64',
      '        base_image: node:20-slim',
      '        infra_config: infra/config.json',
      '        services: [hello, world]',
      '        gateways: [api-gateway]',
    ],
    files: { 'infra/config.json': '{}\n' },
  });
  const result = await project.run(['build', '--tag', 'v2', '--push', '--json']);
  assert.equal(result.code, 0, result.stderr);
  const document = JSON.parse(result.stdout) as Record<string, unknown>;
  assert.deepEqual([document.image, document.provider, document.pushed], ['backend:v2', 'encore-ts', true]);
  assert.deepEqual(project.bin.calls('encore').find((call) => call.argv[0] === 'build')?.argv, [
    'build',
    'docker',
    '--push',
    '--arch=arm64',
    '--base=node:20-slim',
    `--config=${join(project.dir, 'infra', 'config.json')}`,
    '--services=hello,world',
    '--gateways=api-gateway',
    'backend:v2',
  ]);
});

test('a compile failure is exit 3 BUILD_FAILED with exit code, log tail and the reference', async (t) => {
  const project = await encoreProject(t);
  const result = await project.run(['--log-format', 'json', 'build', '--tag', 't1'], { STANDIN_ENCORE_BUILD_FAIL: 'compile' });
  assert.equal(result.code, 3);
  const error = records(result.stderr).at(-1);
  assert.deepEqual([error?.category, error?.provider, error?.operation, error?.exitCode], ['BUILD_FAILED', 'encore-ts', 'build', 1]);
  assert.match(String(error?.msg), /encore build docker failed \(exit code 1\) for ghcr\.io\/your-org\/platform\/api:t1/);
  assert.match(String(error?.detail), /compilation failed: .*Cannot find name "wrld"/);
  assert.equal(result.stdout, '');
});

test('`unable to push docker image` is exit 4 PUSH_FAILED; the hint follows the cause; the JSON record carries it', async (t) => {
  const project = await encoreProject(t);
  const auth = await project.run(['build', '--tag', 't1', '--push'], { STANDIN_ENCORE_BUILD_FAIL: 'push' });
  assert.equal(auth.code, 4, auth.stderr);
  assert.match(auth.stderr, /✗ encore build docker built the image but could not push it \(exit code 1\)/);
  assert.match(auth.stderr, /unable to push docker image/);
  assert.match(auth.stderr, /hint: .*`docker login ghcr\.io`/);

  const refused = await project.run(['--log-format', 'json', 'build', '--tag', 't1', '--push'], {
    STANDIN_ENCORE_BUILD_FAIL: 'push-refused',
  });
  assert.equal(refused.code, 4, refused.stderr);
  const error = records(refused.stderr).at(-1);
  assert.equal(error?.category, 'PUSH_FAILED');
  assert.match(String(error?.hint), /Is the registry ghcr\.io reachable from here\? .*insecure registry/);
  assert.doesNotMatch(String(error?.hint), /docker login/);
  // The detail reminds, it does not replay: at most 5 lines, none repeated.
  const detail = String(error?.detail).split('\n');
  assert.ok(detail.length <= 5 && new Set(detail).size === detail.length, String(error?.detail));
  assert.match(detail.at(-1) ?? '', /unable to push docker image .*connection refused/);
});

test('`unable to save docker image` (no local Docker daemon) is exit 2 PROVIDER_NOT_AVAILABLE with the doctor hint', async (t) => {
  const project = await encoreProject(t);
  const result = await project.run(['--log-format', 'json', 'build', '--tag', 't1'], { STANDIN_ENCORE_BUILD_FAIL: 'save' });
  assert.equal(result.code, 2, result.stderr);
  const error = records(result.stderr).at(-1);
  assert.equal(error?.category, 'PROVIDER_NOT_AVAILABLE');
  assert.match(String(error?.msg), /could not save the image: no local Docker daemon answered/);
  assert.match(String(error?.hint), /needs a running Docker daemon \(check with `stagecraft doctor`\); stagecraft build --push does not/);
  assert.equal(result.stdout, '');
});

test('an unreadable encore.app is INVALID_PROJECT (exit 1) naming the file, not an internal error', async (t) => {
  const project = await encoreProject(t);
  const { chmodSync, rmSync, symlinkSync } = await import('node:fs');
  const app = join(project.dir, 'encore.app');
  if (process.getuid?.() === 0) {
    // chmod does not stop root (CI runs as root): a file whose read fails for anyone (EIO at offset 0).
    rmSync(app);
    symlinkSync('/proc/self/mem', app);
  } else {
    chmodSync(app, 0o000);
  }
  const result = await project.run(['build', '--tag', 't']);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /cannot read .*encore\.app: (EACCES|EIO)/);
  assert.match(result.stderr, /INVALID_PROJECT · encore-ts · build/);
});

test('--dry-run lists preflight, the reference and the exact command, and calls nothing', async (t) => {
  const project = await encoreProject(t);
  const result = await project.run(['build', '--tag', 't1', '--dry-run']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    [
      'image: ghcr.io/your-org/platform/api:t1',
      'preflight:',
      '  - find encore on PATH',
      '  - check that `encore version` is v1.42.1 or later',
      `  - find encore.app in ${project.dir} or its parents up to the project root`,
      '  - needs a running local Docker daemon (or use --push)',
      'commands:',
      `  # build the image into the local Docker daemon (in ${project.dir})`,
      '  encore build docker ghcr.io/your-org/platform/api:t1',
      '',
    ].join('\n'),
  );
  assert.deepEqual(project.bin.calls(), []);
});

test('build does not sync secrets or read env files, and refuses a project without encore.app', async (t) => {
  const project = await encoreProject(t, { env: ['SECRET=x'], dev: ['        encore_secrets:', '          from_env: [SECRET]'] });
  const ok = await project.run(['build', '--tag', 't']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(
    project.bin.calls('encore').some((call) => call.argv[0] === 'secret'),
    false,
  );
  const { rmSync } = await import('node:fs');
  rmSync(join(project.dir, 'encore.app'));
  const missing = await project.run(['build', '--tag', 't']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /INVALID_PROJECT · encore-ts · build/);
  assert.match(missing.stderr, /Set backend\.providers\.encore-ts\.build\.workdir/);
});
