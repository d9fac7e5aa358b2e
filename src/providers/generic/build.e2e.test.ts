import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { runCli, startCli } from '../../../test/helpers/cli.js';
import { standinBin } from '../../../test/helpers/standins.js';
import { tempDir, tempProject } from '../../../test/helpers/temp.js';

const CONFIG = `project:
  name: shop
  registry: ghcr.io/acme
backend:
  provider: generic
  providers:
    generic:
      dev:
        command: [node, server.mjs]
        workdir: app
      build:
        image_name: web
`;

function project(t: Parameters<typeof tempProject>[0], yaml = CONFIG) {
  return tempProject(t, { 'stagecraft.yml': yaml, 'app/Dockerfile': 'FROM scratch\n', 'app/server.mjs': '' });
}

test('build runs docker build -t REF -f DOCKERFILE CONTEXT and prints only the reference on stdout', async (t) => {
  const cwd = project(t);
  const bin = standinBin(t, ['docker']);
  const result = await runCli(['build', '--tag', 'v1.2.3'], { cwd, path: [bin.dir], env: { STANDIN_LOG: bin.log } });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'ghcr.io/acme/web:v1.2.3\n');
  const calls = bin.calls('docker');
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0]?.argv, ['build', '-t', 'ghcr.io/acme/web:v1.2.3', '-f', join(cwd, 'app', 'Dockerfile'), join(cwd, 'app')]);
  assert.equal(calls[0]?.cwd, cwd);
  assert.match(result.stderr, /docker │ #9 naming to ghcr\.io\/acme\/web:v1\.2\.3 done/, 'docker output goes to stderr, prefixed');
});

test('without a registry the reference is <image_name>:<tag>; image_name defaults to project.name', async (t) => {
  const cwd = project(t, CONFIG.replace('  registry: ghcr.io/acme\n', '').replace('      build:\n        image_name: web\n', ''));
  const bin = standinBin(t, ['docker']);
  const result = await runCli(['build', '--tag', 'abc'], { cwd, path: [bin.dir], env: { STANDIN_LOG: bin.log } });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'shop:abc\n');
});

test('--push pushes after building; --json prints one document', async (t) => {
  const cwd = project(t);
  const bin = standinBin(t, ['docker']);
  const result = await runCli(['build', '--tag', 't1', '--push', '--json'], { cwd, path: [bin.dir], env: { STANDIN_LOG: bin.log } });
  assert.equal(result.code, 0, result.stderr);
  const document = JSON.parse(result.stdout) as Record<string, unknown>;
  assert.deepEqual(
    { ...document, durationMs: typeof document.durationMs },
    { image: 'ghcr.io/acme/web:t1', provider: 'generic', pushed: true, durationMs: 'number' },
  );
  assert.deepEqual(
    bin.calls('docker').map((call) => call.argv.slice(0, 2)),
    [
      ['build', '-t'],
      ['push', 'ghcr.io/acme/web:t1'],
    ],
  );
});

test('a failing build is exit 3 BUILD_FAILED with the reference and the log tail; no push is attempted', async (t) => {
  const cwd = project(t);
  const bin = standinBin(t, ['docker']);
  const result = await runCli(['build', '--tag', 't1', '--push'], {
    cwd,
    path: [bin.dir],
    env: { STANDIN_LOG: bin.log, STANDIN_DOCKER_FAIL: 'build' },
  });
  assert.equal(result.code, 3);
  assert.match(result.stderr, /✗ docker build failed \(exit code 1\) for ghcr\.io\/acme\/web:t1/);
  assert.match(result.stderr, / {2}ERROR: failed to solve/);
  assert.match(result.stderr, /BUILD_FAILED · generic · build · exit code 1/);
  assert.equal(result.stdout, '');
  assert.equal(bin.calls('docker').length, 1);
});

test('a failing push is exit 4 PUSH_FAILED, reported as one JSON error record', async (t) => {
  const cwd = project(t);
  const bin = standinBin(t, ['docker']);
  const result = await runCli(['--log-format', 'json', 'build', '--tag', 't1', '--push'], {
    cwd,
    path: [bin.dir],
    env: { STANDIN_LOG: bin.log, STANDIN_DOCKER_FAIL: 'push' },
  });
  assert.equal(result.code, 4);
  const records = result.stderr
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  for (const record of records) {
    assert.equal(typeof record.time, 'string');
    assert.ok(['debug', 'info', 'warn', 'error'].includes(String(record.level)));
    assert.equal(typeof record.msg, 'string');
  }
  const childRecords = records.filter((record) => record.stream !== undefined);
  assert.ok(childRecords.length > 0);
  for (const record of childRecords)
    assert.deepEqual([record.provider, record.operation, record.feature], ['generic', 'build', 'PROVIDER_BACKEND_GENERIC']);
  const errors = records.filter((record) => record.level === 'error' && record.category !== undefined);
  assert.equal(errors.length, 1);
  assert.equal(records.at(-1), errors[0], 'the failure ends the log');
  assert.deepEqual(
    { category: errors[0]?.category, provider: errors[0]?.provider, operation: errors[0]?.operation, exitCode: errors[0]?.exitCode },
    { category: 'PUSH_FAILED', provider: 'generic', operation: 'build', exitCode: 1 },
  );
  assert.match(String(errors[0]?.detail), /denied: requested access to the resource is denied/);
});

test('--dry-run prints the plan and the exact commands and invokes nothing', async (t) => {
  const cwd = project(t);
  const bin = standinBin(t, ['docker']);
  const text = await runCli(['build', '--tag', 't1', '--push', '--dry-run'], { cwd, path: [bin.dir], env: { STANDIN_LOG: bin.log } });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^image: ghcr\.io\/acme\/web:t1$/m);
  assert.match(
    text.stdout,
    new RegExp(`^ {2}docker build -t ghcr\\.io/acme/web:t1 -f ${join(cwd, 'app', 'Dockerfile')} ${join(cwd, 'app')}$`, 'm'),
  );
  assert.match(text.stdout, /^ {2}docker push ghcr\.io\/acme\/web:t1$/m);
  const json = await runCli(['build', '--tag', 't1', '--dry-run', '--json'], { cwd, path: [bin.dir], env: { STANDIN_LOG: bin.log } });
  const plan = JSON.parse(json.stdout) as { dryRun: boolean; image: string; commands: { argv: string[] }[] };
  assert.equal(plan.dryRun, true);
  assert.equal(plan.image, 'ghcr.io/acme/web:t1');
  assert.deepEqual(plan.commands[0]?.argv.slice(0, 3), ['docker', 'build', '-t']);
  assert.deepEqual(bin.calls(), [], 'the stand-in was never called');
});

test('docker missing is exit 2 PROVIDER_NOT_AVAILABLE with how to install it', async (t) => {
  const cwd = project(t);
  const onlyNode = tempDir(t);
  symlinkSync(process.execPath, join(onlyNode, 'node'));
  const result = await runCli(['build', '--tag', 't1'], { cwd, env: { PATH: onlyNode } });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /docker is not available: docker was not found on PATH/);
  assert.match(result.stderr, /hint: Install Docker/);
});

test('an invalid --tag or image name is exit 1 naming the field', async (t) => {
  const cwd = project(t);
  const bin = standinBin(t, ['docker']);
  const tag = await runCli(['build', '--tag', 'bad tag'], { cwd, path: [bin.dir], env: { STANDIN_LOG: bin.log } });
  assert.equal(tag.code, 1);
  assert.match(tag.stderr, /--tag: expected up to 128 letters/);
  const name = await runCli(['build', '--tag', 't1'], {
    cwd: project(t, CONFIG.replace('image_name: web', 'image_name: Web')),
    path: [bin.dir],
  });
  assert.equal(name.code, 1);
  assert.match(name.stderr, /stagecraft\.yml:12:21 {2}backend\.providers\.generic\.build\.image_name: expected an image name/);
  assert.deepEqual(bin.calls(), []);
});

test('the default tag is the git short SHA, -dirty with uncommitted changes, else rel-<UTC time>', async (t) => {
  const bin = standinBin(t, ['docker']);
  const outside = project(t);
  const noGit = await runCli(['build'], { cwd: outside, path: [bin.dir], env: { STANDIN_LOG: bin.log, GIT_CEILING_DIRECTORIES: outside } });
  assert.match(noGit.stdout, /^ghcr\.io\/acme\/web:rel-\d{8}-\d{6}\n$/);

  const repo = project(t);
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: repo,
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
    })
      .toString()
      .trim();
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'initial');
  const sha = git('rev-parse', '--short', 'HEAD');
  const clean = await runCli(['build'], { cwd: repo, path: [bin.dir], env: { STANDIN_LOG: bin.log } });
  assert.equal(clean.stdout, `ghcr.io/acme/web:${sha}\n`);
  writeFileSync(join(repo, 'app', 'server.mjs'), 'changed\n');
  const dirty = await runCli(['build'], { cwd: repo, path: [bin.dir], env: { STANDIN_LOG: bin.log } });
  assert.equal(dirty.stdout, `ghcr.io/acme/web:${sha}-dirty\n`);
});

test('Ctrl+C during a build stops docker and exits 130 with nothing left running', async (t) => {
  const cwd = project(t);
  const bin = standinBin(t, ['docker']);
  const cli = startCli(['build', '--tag', 't1'], { cwd, path: [bin.dir], env: { STANDIN_LOG: bin.log, STANDIN_DOCKER_SLEEP_MS: '60000' } });
  await cli.waitForStderr(/load build definition/);
  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 130, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /stopped by SIGINT/);
});

test('a build context outside the project root is refused before docker runs', async (t) => {
  const elsewhere = tempDir(t);
  const cwd = project(t);
  writeFileSync(
    join(cwd, 'stagecraft.yml'),
    CONFIG.replace('image_name: web', `image_name: web\n        context: ${relative(cwd, elsewhere)}`),
  );
  const bin = standinBin(t, ['docker']);
  const result = await runCli(['build', '--tag', 't'], { cwd, path: [bin.dir], env: { STANDIN_LOG: bin.log } });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /build\.context: expected a directory inside the project root/);
  assert.deepEqual(bin.calls(), []);
});

test('build.args, build.target and build.platform are argv items, shown by --dry-run; STAGECRAFT_ENGINE picks the CLI', async (t) => {
  const cwd = project(
    t,
    CONFIG.replace(
      'image_name: web',
      'image_name: web\n        target: runtime\n        platform: linux/amd64\n        args:\n          NODE_VERSION: 20\n          NOTE: "two words; $(not run)"',
    ),
  );
  const bin = standinBin(t, ['docker']);
  const dry = await runCli(['build', '--tag', 't1', '--dry-run', '--json'], { cwd, path: [bin.dir], env: { STAGECRAFT_ENGINE: 'podman' } });
  assert.equal(dry.code, 0, dry.stderr);
  const plan = JSON.parse(dry.stdout) as { preflight: string[]; commands: { argv: string[] }[] };
  assert.deepEqual(plan.commands[0]?.argv, [
    'podman',
    'build',
    '-t',
    'ghcr.io/acme/web:t1',
    '-f',
    join(cwd, 'app', 'Dockerfile'),
    '--target',
    'runtime',
    '--platform',
    'linux/amd64',
    '--build-arg',
    'NODE_VERSION=20',
    '--build-arg',
    'NOTE=two words; $(not run)',
    join(cwd, 'app'),
  ]);
  assert.match(plan.preflight.join('\n'), /find podman on PATH \(chosen by STAGECRAFT_ENGINE\)/);
  const result = await runCli(['build', '--tag', 't1'], { cwd, path: [bin.dir], env: { STANDIN_LOG: bin.log } });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(bin.calls('docker')[0]?.argv.slice(5, 13), plan.commands[0]?.argv.slice(6, 14), 'the run uses the planned argv');
  const bad = await runCli(['build', '--tag', 't1'], { cwd, path: [bin.dir], env: { STAGECRAFT_ENGINE: 'buildah' } });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /STAGECRAFT_ENGINE: expected one of docker, podman, found "buildah"/);
});

test('a missing Dockerfile is INVALID_CONFIG at build.context (or build.dockerfile) from build, doctor and validate, before docker runs', async (t) => {
  const bin = standinBin(t, ['docker']);
  const cwd = tempProject(t, { 'stagecraft.yml': CONFIG, 'app/server.mjs': '' });
  const run = (args: string[]) => runCli(args, { cwd, path: [bin.dir], env: { STANDIN_LOG: bin.log } });
  const expected =
    /backend\.providers\.generic\.build\.context: expected a Dockerfile in the build context "app" \(dev\.workdir, the default\), found none/;
  // A dev-only project stays valid; with build.context set, validate reports it too (below).
  assert.equal((await run(['config', 'validate'])).code, 0);
  const build = await run(['build', '--tag', 't1']);
  assert.equal(build.code, 1);
  assert.match(build.stderr, expected);
  const doctor = await run(['doctor']);
  assert.equal(doctor.code, 1);
  assert.match(doctor.stdout, expected);
  // doctor asks `docker version` (its engine check); nothing ever builds.
  assert.deepEqual(
    bin.calls('docker').filter((call) => call.argv[0] !== 'version'),
    [],
    'docker never built',
  );

  writeFileSync(join(cwd, 'stagecraft.yml'), CONFIG.replace('image_name: web', 'image_name: web\n        context: app'));
  const validate = await run(['config', 'validate']);
  assert.equal(validate.code, 1);
  assert.match(validate.stderr, /build\.context: expected a Dockerfile in the build context "app" \(build\.context\), found none/);

  writeFileSync(join(cwd, 'stagecraft.yml'), CONFIG.replace('image_name: web', 'image_name: web\n        dockerfile: app/Dockerfile.prod'));
  const named = await run(['build', '--tag', 't1']);
  assert.equal(named.code, 1);
  assert.match(named.stderr, /build\.dockerfile: expected an existing file, found "app\/Dockerfile\.prod"/);
  assert.deepEqual(
    bin.calls('docker').filter((call) => call.argv[0] !== 'version'),
    [],
  );
});

test('when git status fails, the default tag is -dirty: it never claims a clean commit it cannot prove', async (t) => {
  const bin = standinBin(t, ['docker']);
  const repo = project(t);
  const identity = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repo, env: { ...process.env, ...identity } })
      .toString()
      .trim();
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'initial');
  const sha = git('rev-parse', '--short', 'HEAD');
  // A git whose `status` fails (a corrupt index, a lock, a permission problem), while rev-parse works.
  const brokenGit = tempDir(t);
  const realGit = execFileSync('sh', ['-c', 'command -v git']).toString().trim();
  writeFileSync(
    join(brokenGit, 'git'),
    `#!/bin/sh\nif [ "$1" = status ]; then echo "fatal: index file corrupt" >&2; exit 128; fi\nexec ${realGit} "$@"\n`,
    { mode: 0o755 },
  );
  const result = await runCli(['build'], { cwd: repo, path: [brokenGit, bin.dir], env: { STANDIN_LOG: bin.log } });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `ghcr.io/acme/web:${sha}-dirty\n`);
});
