import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { encoreProject } from '../../src/providers/encore-ts/test/fixtures.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, tempProject } from '../helpers/temp.js';

interface Report {
  ok: boolean;
  failures: number;
  checks: { name: string; status: string; message: string; fix?: string }[];
}

/**
 * A `docker` client whose daemon is not running, as on a laptop where Docker Desktop is closed: the
 * same answer on every machine, whether or not it has a real docker.
 */
function dockerWithoutDaemon(t: TestContext): string {
  const dir = tempDir(t, 'stagecraft-bin-');
  const docker = join(dir, 'docker');
  writeFileSync(
    docker,
    '#!/bin/sh\necho "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2\nexit 1\n',
  );
  chmodSync(docker, 0o755);
  return dir;
}

test('doctor on a healthy Encore project: every check passes, docker (no daemon) only warns, exit 0', async (t) => {
  const project = await encoreProject(t, {
    env: ['STRIPE_API_KEY=x'],
    dev: ['        encore_secrets:', '          from_env: [STRIPE_API_KEY, MISSING_ONE]'],
    files: { '.gitignore': '.secrets.local.cue\n' },
  });
  execFileSync('git', ['init', '-q'], { cwd: project.dir });
  const result = await project.run(['doctor', '--json'], {}, { path: [project.bin.dir, dockerWithoutDaemon(t)] });
  const report = JSON.parse(result.stdout) as Report;
  const status = Object.fromEntries(report.checks.map((check) => [check.name, check.status]));
  assert.deepEqual(
    report.checks.filter((check) => check.status === 'fail'),
    [],
    'no check fails',
  );
  assert.equal(status.config, 'ok');
  assert.equal(status['env file'], 'ok');
  assert.equal(status.encore, 'ok');
  assert.equal(status['encore.app'], 'ok');
  assert.equal(status['secret STRIPE_API_KEY'], 'ok');
  assert.equal(status['secret MISSING_ONE'], 'warn');
  assert.equal(status['.secrets.local.cue'], 'ok');
  assert.equal(status.listen, 'ok');
  assert.equal(status.docker, 'warn');
  assert.deepEqual([report.ok, report.failures], [true, 0]);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(!result.stdout.includes('STRIPE_API_KEY=x') && !/"x"/.test(result.stdout), 'secret values never appear, only names');
});

test('doctor reports each problem with its fix and exits 1: busy port, old encore, unignored secrets file', async (t) => {
  const project = await encoreProject(t, { env: ['TOKEN=t'], dev: ['        encore_secrets:', '          from_env: [TOKEN]'] });
  execFileSync('git', ['init', '-q'], { cwd: project.dir });
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(project.port, '127.0.0.1', resolve));
  try {
    const result = await project.run(['doctor'], { STANDIN_ENCORE_VERSION: 'v1.30.0' });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^✗ encore: encore v1\.30\.0 is too old.*\n {4}fix: Update Encore with `encore version update`/m);
    assert.match(result.stdout, new RegExp(`^✗ listen: 127\\.0\\.0\\.1:${project.port} already in use\\n {4}fix: `, 'm'));
    assert.match(
      result.stdout,
      /^✗ \.secrets\.local\.cue: will hold secret values but git does not ignore it\n {4}fix: echo \.secrets\.local\.cue >> \.gitignore/m,
    );
    assert.match(result.stdout, /\n\d+ problems?(, \d+ warnings?)?\n$/);
  } finally {
    holder.close();
  }
});

test('doctor lists config problems one by one with where to fix them, and still checks the rest', async (t) => {
  const project = await encoreProject(t);
  const { rmSync } = await import('node:fs');
  rmSync(`${project.dir}/.env.local`);
  const result = await project.run(['doctor']);
  assert.equal(result.code, 1);
  assert.match(
    result.stdout,
    /^✗ backend\.providers\.encore-ts\.dev\.env_file: expected an existing file, found "\.env\.local".*\n {4}fix: edit stagecraft\.yml:9:19$/m,
  );
  assert.match(result.stdout, /^✓ encore: v1\.58\.2/m, 'the provider checks ran anyway');
});

test('doctor without a config says to run init', async (t) => {
  const cwd = tempProject(t, {});
  const result = await runCli(['doctor'], { cwd });
  assert.equal(result.code, 1);
  assert.match(result.stdout, /^✗ config: no stagecraft\.yml found in .*\n {4}fix: Run `stagecraft init`/m);
});

test('doctor for the generic provider checks the dev command and docker', async (t) => {
  const cwd = tempProject(t, {
    'stagecraft.yml':
      'project:\n  name: g\nbackend:\n  provider: generic\n  providers:\n    generic:\n      dev:\n        command: [not-a-real-program]\n',
  });
  const result = await runCli(['doctor', '--json'], { cwd });
  const report = JSON.parse(result.stdout) as Report;
  assert.equal(result.code, 1);
  const command = report.checks.find((check) => check.name === 'dev command');
  assert.equal(command?.status, 'fail');
  assert.match(command?.message ?? '', /not-a-real-program was not found on PATH/);
  assert.ok(report.checks.some((check) => check.name === 'docker'));
});
