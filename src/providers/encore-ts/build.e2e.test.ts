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

test('a failure after Encore reported pushing is exit 4 PUSH_FAILED', async (t) => {
  const project = await encoreProject(t);
  const result = await project.run(['build', '--tag', 't1', '--push'], { STANDIN_ENCORE_BUILD_FAIL: 'push' });
  assert.equal(result.code, 4, result.stderr);
  assert.match(result.stderr, /✗ encore build docker built but could not push \(exit code 1\)/);
  assert.match(result.stderr, /unable to push docker image/);
  assert.match(result.stderr, /hint: Check that you are logged in to the registry/);
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
