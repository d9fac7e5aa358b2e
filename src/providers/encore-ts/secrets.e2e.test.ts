import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encoreProject, records } from './test/fixtures.js';

const SECRETS = ['STRIPE_API_KEY=sk_test_abc123', 'STRIPE_WEBHOOK_SECRET=whsec_def456', 'EMPTY_ONE='];

function secretsBlock(lines: readonly string[]): string[] {
  return ['        encore_secrets:', ...lines.map((line) => `          ${line}`)];
}

test('platform store, grouped: one `encore secret set --type a,b NAME` per secret, the value on stdin only', async (t) => {
  const project = await encoreProject(t, {
    appId: 'platform-app-x1y2',
    env: SECRETS,
    dev: secretsBlock(['from_env: [STRIPE_API_KEY, STRIPE_WEBHOOK_SECRET, EMPTY_ONE, NOT_SET]', 'types: [local, dev]', 'store: platform']),
  });
  const cli = project.start(['dev']);
  await cli.waitForStderr(/ready at/);
  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
  const calls = project.bin.calls('encore').filter((call) => call.argv[0] === 'secret');
  assert.deepEqual(calls.map((call) => [call.argv.join(' '), call.stdin]).sort(), [
    ['secret set --type local,dev STRIPE_API_KEY', 'sk_test_abc123'],
    ['secret set --type local,dev STRIPE_WEBHOOK_SECRET', 'whsec_def456'],
  ]);
  for (const call of calls) assert.equal(call.cwd, project.dir, 'run from the app root');
  assert.match(result.stderr, /⚠ secret EMPTY_ONE is empty in the environment; not synced/);
  assert.match(result.stderr, /⚠ secret NOT_SET is not set in the environment; not synced/);
  assert.match(result.stderr, /synced 2 secrets to Encore \(local,dev\)/);
  assert.ok(!result.stderr.includes('sk_test_abc123') && !result.stderr.includes('whsec_def456'));
  const run = project.bin.calls('encore').find((call) => call.argv[0] === 'run');
  assert.ok(
    run !== undefined && (run.time as number) >= Math.max(...calls.map((call) => call.time as number)),
    'encore run starts after the sync',
  );
});

test('platform store, per_type: one call per (name, type)', async (t) => {
  const project = await encoreProject(t, {
    appId: 'platform-app-x1y2',
    env: SECRETS,
    dev: secretsBlock(['from_env: [STRIPE_API_KEY]', 'types: [dev, preview, local]', 'mode: per_type', 'store: platform']),
  });
  const cli = project.start(['dev']);
  await cli.waitForStderr(/ready at/);
  cli.signal('SIGINT');
  assert.equal((await cli.finish()).code, 0);
  const argvs = project.bin
    .calls('encore')
    .filter((call) => call.argv[0] === 'secret')
    .map((call) => call.argv.join(' '))
    .sort();
  assert.deepEqual(argvs, [
    'secret set --type dev STRIPE_API_KEY',
    'secret set --type local STRIPE_API_KEY',
    'secret set --type preview STRIPE_API_KEY',
  ]);
});

test('at most `concurrency` calls run at once, and more than one does', async (t) => {
  const names = Array.from({ length: 8 }, (_, i) => `SECRET_${i}`);
  const project = await encoreProject(t, {
    appId: 'platform-app-x1y2',
    env: names.map((name, i) => `${name}=value-${i}`),
    dev: secretsBlock([`from_env: [${names.join(', ')}]`, 'concurrency: 3', 'store: platform']),
  });
  const cli = project.start(['dev'], { STANDIN_ENCORE_SECRET_DELAY_MS: '400' });
  await cli.waitForStderr(/ready at/, 30_000);
  cli.signal('SIGINT');
  assert.equal((await cli.finish()).code, 0);
  // Each call's real start (after its stdin was read) and end, as the stand-in recorded them.
  const ends = new Map(project.bin.calls('encore-end').map((call) => [call.pid, (call as unknown as { end: number }).end]));
  const spans = project.bin
    .calls('encore')
    .filter((call) => call.argv[0] === 'secret')
    .map((call) => ({ start: call.time as number, end: ends.get(call.pid) as number }));
  assert.equal(spans.length, 8);
  assert.ok(
    spans.every((span) => span.end >= span.start),
    'every call recorded its end',
  );
  // True overlap: the most calls running at one instant (sweep over start/end events; an end at the
  // same millisecond as a start counts first, so back-to-back calls do not overlap).
  const events = spans.flatMap((span) => [
    [span.start, 1],
    [span.end, -1],
  ]) as [number, number][];
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let most = 0;
  for (const [, change] of events) {
    running += change;
    most = Math.max(most, running);
  }
  assert.ok(most <= 3, `no more than 3 at once (saw ${most})`);
  assert.ok(most >= 2, `calls ran concurrently (saw ${most})`);
});

test("mode: per_type meeting a secret Encore has grouped (dev,local) fails with Encore's conflict and says how to fix it", async (t) => {
  const project = await encoreProject(t, {
    appId: 'platform-app-x1y2',
    env: SECRETS,
    dev: secretsBlock(['from_env: [STRIPE_API_KEY]', 'types: [dev, local]', 'mode: per_type', 'store: platform', 'concurrency: 1']),
  });
  const result = await project.run(['--log-format', 'json', 'dev'], { STANDIN_ENCORE_SECRET_GROUPS: 'STRIPE_API_KEY=dev,local' });
  assert.equal(result.code, 6, result.stderr);
  const error = records(result.stderr).at(-1);
  assert.equal(error?.category, 'SECRET_SYNC_FAILED');
  assert.match(String(error?.msg), /STRIPE_API_KEY .*the environment selection conflicts with other secret values/);
  assert.match(String(error?.detail), /secgrp_0001 development/);
  assert.match(String(error?.hint), /mode: grouped .*types match the existing group/);
  assert.ok(!project.bin.calls('encore').some((call) => call.argv[0] === 'run'));

  // The fix the hint names works: grouped, the same types, is an update of that group.
  const fixed = await encoreProject(t, {
    appId: 'platform-app-x1y2',
    env: SECRETS,
    dev: secretsBlock(['from_env: [STRIPE_API_KEY]', 'types: [local, dev]', 'store: platform']),
  });
  const cli = fixed.start(['dev'], { STANDIN_ENCORE_SECRET_GROUPS: 'STRIPE_API_KEY=dev,local' });
  await cli.waitForStderr(/ready at/);
  cli.signal('SIGINT');
  assert.equal((await cli.finish()).code, 0);
});

test('Encore not logged in: exit 6 with its message and a way out', async (t) => {
  const project = await encoreProject(t, {
    appId: 'platform-app-x1y2',
    env: SECRETS,
    dev: secretsBlock(['from_env: [STRIPE_API_KEY]', 'store: platform']),
  });
  const result = await project.run(['dev'], { STANDIN_ENCORE_LOGGED_OUT: '1' });
  assert.equal(result.code, 6, result.stderr);
  assert.match(result.stderr, /encore secret set failed for STRIPE_API_KEY \(type local\): Encore is not logged in/);
  assert.match(result.stderr, /not logged in: run 'encore auth login' first/);
  assert.match(result.stderr, /hint: Run `encore auth login`, or keep secrets on this machine with dev\.encore_secrets\.store: local/);
});

test('a failing `secret set` is exit 6 naming the secret, types, exit code and masked stderr; encore run never starts', async (t) => {
  const project = await encoreProject(t, {
    appId: 'platform-app-x1y2',
    env: SECRETS,
    dev: secretsBlock(['from_env: [STRIPE_API_KEY, STRIPE_WEBHOOK_SECRET]', 'types: [dev]', 'store: platform', 'concurrency: 1']),
  });
  const result = await project.run(['--log-format', 'json', 'dev'], { STANDIN_ENCORE_SECRET_FAIL: 'STRIPE_API_KEY' });
  assert.equal(result.code, 6, result.stderr);
  const error = records(result.stderr).at(-1);
  assert.equal(error?.category, 'SECRET_SYNC_FAILED');
  assert.equal(error?.provider, 'encore-ts');
  assert.equal(error?.operation, 'dev');
  assert.equal(error?.exitCode, 1);
  assert.match(String(error?.msg), /encore secret set failed for STRIPE_API_KEY \(type dev\): exit code 1; the dev server was not started/);
  assert.match(String(error?.detail), /PermissionDenied/);
  assert.ok(!result.stderr.includes('sk_test_abc123'));
  assert.equal(
    project.bin.calls('encore').some((call) => call.argv[0] === 'run'),
    false,
  );
  assert.equal(project.bin.calls('encore').filter((call) => call.argv[0] === 'secret').length, 1, 'no new call starts after a failure');
});

test('a hanging `secret set` hits its timeout: exit 6 and no process left', async (t) => {
  const project = await encoreProject(t, {
    appId: 'platform-app-x1y2',
    env: SECRETS,
    dev: secretsBlock(['from_env: [STRIPE_API_KEY]', 'store: platform', 'timeout: 1s']),
  });
  const result = await project.run(['dev'], { STANDIN_ENCORE_SECRET_HANG: '*' });
  assert.equal(result.code, 6, result.stderr);
  assert.match(result.stderr, /encore secret set failed for STRIPE_API_KEY \(type local\): timed out after 1\.0s/);
});

test('an unlinked app with store: platform fails before calling Encore and offers both ways out', async (t) => {
  const project = await encoreProject(t, { env: SECRETS, dev: secretsBlock(['from_env: [STRIPE_API_KEY]', 'store: platform']) });
  const result = await project.run(['dev']);
  assert.equal(result.code, 6);
  assert.match(result.stderr, /is not linked to Encore's platform \(it has no id\)/);
  assert.match(result.stderr, /hint: Set dev\.encore_secrets\.store: local .* or link the app with `encore app link`/);
  assert.equal(
    project.bin.calls('encore').some((call) => call.argv[0] === 'secret'),
    false,
  );
});

test('store auto on an unlinked app writes .secrets.local.cue (0600) and runs no `secret set`', async (t) => {
  const project = await encoreProject(t, {
    env: [`API_TOKEN='a "quoted" \\ value ✓'`, 'PLAIN=plain-value-123'],
    dev: secretsBlock(['from_env: [API_TOKEN, PLAIN]']),
    files: { '.gitignore': '.secrets.local.cue\n' },
  });
  execFileSync('git', ['init', '-q'], { cwd: project.dir });
  const cli = project.start(['dev']);
  await cli.waitForStderr(/ready at/);
  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
  const file = join(project.dir, '.secrets.local.cue');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const lines = readFileSync(file, 'utf8').split('\n');
  assert.equal(lines[1], `API_TOKEN: ${JSON.stringify('a "quoted" \\ value ✓')}`);
  assert.equal(lines[2], 'PLAIN: "plain-value-123"');
  assert.equal(
    project.bin.calls('encore').some((call) => call.argv[0] === 'secret'),
    false,
  );
  assert.match(result.stderr, /synced 2 secrets to \.secrets\.local\.cue/);
  assert.doesNotMatch(result.stderr, /git does NOT ignore/);
});

test('a .secrets.local.cue that git would commit gets a loud warning', async (t) => {
  const project = await encoreProject(t, { env: SECRETS, dev: secretsBlock(['from_env: [STRIPE_API_KEY]', 'store: local']) });
  execFileSync('git', ['init', '-q'], { cwd: project.dir });
  const cli = project.start(['dev']);
  await cli.waitForStderr(/ready at/);
  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /⚠ .*\.secrets\.local\.cue holds secret values but git does NOT ignore it: add it to \.gitignore now/);
});

test('local store: names defined outside the block are left alone with a warning; reruns do not rewrite', async (t) => {
  const project = await encoreProject(t, {
    env: SECRETS,
    dev: secretsBlock(['from_env: [STRIPE_API_KEY, STRIPE_WEBHOOK_SECRET]', 'store: local', 'types: [local, dev]']),
    files: { '.secrets.local.cue': 'STRIPE_API_KEY: "my-own-override"\n' },
  });
  const file = join(project.dir, '.secrets.local.cue');
  const start = async () => {
    const cli = project.start(['dev']);
    await cli.waitForStderr(/ready at/);
    cli.signal('SIGINT');
    return cli.finish();
  };
  const first = await start();
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /secret STRIPE_API_KEY is already defined in .* outside Stagecraft's block; left as it is/);
  assert.match(first.stderr, /dev\.encore_secrets\.types dev apply to store: platform only/);
  const text = readFileSync(file, 'utf8');
  assert.match(
    text,
    /^STRIPE_API_KEY: "my-own-override"\n\/\/ BEGIN stagecraft-managed secrets[^\n]*\nSTRIPE_WEBHOOK_SECRET: "whsec_def456"\n\/\/ END/,
  );
  const mtime = statSync(file).mtimeMs;
  assert.equal((await start()).code, 0);
  assert.equal(statSync(file).mtimeMs, mtime, 'unchanged values do not touch the file (Encore reloads on change)');
  assert.ok(!first.stderr.includes('my-own-override'), 'values the user keeps in the file are masked too');
});

test('a broken Stagecraft block is exit 6 and the file is left exactly as it was', async (t) => {
  const broken = 'Mine: "x"\n// BEGIN stagecraft-managed secrets: old\nSTRIPE_API_KEY: "old"\n';
  const project = await encoreProject(t, {
    env: SECRETS,
    dev: secretsBlock(['from_env: [STRIPE_API_KEY]', 'store: local']),
    files: { '.secrets.local.cue': broken },
  });
  const result = await project.run(['dev']);
  assert.equal(result.code, 6);
  assert.equal(readFileSync(join(project.dir, '.secrets.local.cue'), 'utf8'), broken);
  assert.equal(
    project.bin.calls('encore').some((call) => call.argv[0] === 'run'),
    false,
  );
});

test('a value ending in a newline is synced with a warning (Encore strips it)', async (t) => {
  const project = await encoreProject(t, { env: ['MULTI="line one\nline two\n"'], dev: secretsBlock(['from_env: [MULTI]']) });
  writeFileSync(join(project.dir, '.gitignore'), '.secrets.local.cue\n');
  const cli = project.start(['dev']);
  await cli.waitForStderr(/ready at/);
  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /⚠ secret MULTI ends with a newline, which Encore strips from secret values/);
});

test('a secret too short to mask is synced with a warning instead of garbling the log', async (t) => {
  const project = await encoreProject(t, {
    env: ['PIN=42', 'TOKEN=long-enough-token'],
    dev: secretsBlock(['from_env: [PIN, TOKEN]', 'store: local']),
    files: { '.gitignore': '.secrets.local.cue\n' },
  });
  const cli = project.start(['dev']);
  await cli.waitForStderr(/ready at/);
  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /⚠ secret PIN is shorter than 4 characters: it is synced, but cannot be masked in output/);
  assert.match(result.stderr, /synced 2 secrets/, 'numbers in the log are left alone');
  assert.ok(!result.stderr.includes('long-enough-token'));
});
