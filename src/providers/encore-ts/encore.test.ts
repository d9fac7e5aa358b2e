import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { captureLogger } from '../../../test/helpers/logger.js';
import { tempDir } from '../../../test/helpers/temp.js';
import { StagecraftError } from '../../core/errors.js';
import { backendProviders } from '../../core/registry.js';
import { runArguments } from './dev.js';
import { LOCAL_SECRETS_FILE, updateLocalSecrets } from './local-secrets.js';
import { encoreLineLevel, explainEncoreExit } from './log-lines.js';
import type { EncoreDevConfig } from './schema.js';
import { decodeCueString } from './test/cue-decode.js';
import { compareVersions, parseEncoreVersion, parseVersion } from './version.js';

test('importing the provider registers encore-ts, with exactly that ID and feature', async () => {
  const { encoreTsProvider } = await import('./index.js');
  assert.equal(encoreTsProvider.id, 'encore-ts');
  assert.equal(encoreTsProvider.feature, 'PROVIDER_BACKEND_ENCORE');
  assert.equal(backendProviders.get('encore-ts'), encoreTsProvider);
});

test('versions: the first line of `encore version`, dev builds unknown, compared numerically', () => {
  assert.deepEqual(parseEncoreVersion('encore version v1.58.2'), [1, 58, 2]);
  assert.deepEqual(parseEncoreVersion('v1.42.1'), [1, 42, 1]);
  assert.equal(parseEncoreVersion('encore version v0.0.0-develop+3f2a1b'), undefined);
  assert.equal(parseEncoreVersion('something else'), undefined);
  assert.ok(compareVersions(parseVersion('1.42.1'), parseVersion('1.9.9')) > 0);
  assert.ok(compareVersions(parseVersion('1.42.0'), parseVersion('1.42.1')) < 0);
  assert.equal(compareVersions(parseVersion('1.52.1'), [1, 52, 1]), 0);
});

test("Encore's level markers map to log levels; unmarked lines are info", () => {
  assert.equal(encoreLineLevel('3:04PM TRC detail'), 'debug');
  assert.equal(encoreLineLevel('3:04PM DBG detail'), 'debug');
  assert.equal(encoreLineLevel('3:04PM INF request'), 'info');
  assert.equal(encoreLineLevel('15:04:05.123 WRN slow'), 'warn');
  assert.equal(encoreLineLevel('ERR handler failed'), 'error');
  assert.equal(encoreLineLevel('3:04PM FTL dying'), 'error');
  assert.equal(encoreLineLevel('  Encore development server running!'), 'info');
  assert.equal(encoreLineLevel('INFO-ish INFER'), 'info');
});

test('"port is already in use" becomes a clear message with the suggested address', () => {
  const explained = explainEncoreExit([
    'encore: Building Encore application graph...',
    'Failed to run on 0.0.0.0:4000 - port is already in use',
    'Note: address 0.0.0.0:4001 is available; specify --listen=0.0.0.0:4001 to use it',
  ]);
  assert.equal(
    explained?.message,
    'encore run could not listen on 0.0.0.0:4000: the port is already in use; Encore says 0.0.0.0:4001 is available',
  );
  assert.equal(explained?.hint, 'Stop whatever holds 0.0.0.0:4000, or run: stagecraft dev --listen 0.0.0.0:4001');
  assert.equal(explainEncoreExit(['error: something else']), undefined);
});

const DEV: EncoreDevConfig = {
  env_file: '.env.local',
  listen: '127.0.0.1:4000',
  workdir: '.',
  disable_telemetry: false,
  debug: 'enabled',
  verbose: true,
  watch: true,
  browser: 'never',
  ready_timeout: 120_000,
  stop_timeout: 10_000,
};

test('encore run arguments follow the config; --watch is always explicit; --debug=break uses =', () => {
  const encore = { path: '/bin/encore', version: [1, 58, 2] as const };
  const logger = captureLogger().logger;
  const args = (dev: Partial<EncoreDevConfig>) => runArguments({ ...DEV, ...dev }, '127.0.0.1:4000', encore, logger);
  assert.deepEqual(args({}), ['run', '--debug', '--verbose', '--watch', '--listen', '127.0.0.1:4000', '--browser=never']);
  assert.deepEqual(args({ debug: 'break', verbose: false, browser: 'auto' }), [
    'run',
    '--debug=break',
    '--watch',
    '--listen',
    '127.0.0.1:4000',
    '--browser=auto',
  ]);
  assert.deepEqual(args({ debug: false, watch: false }), [
    'run',
    '--verbose',
    '--watch=false',
    '--listen',
    '127.0.0.1:4000',
    '--browser=never',
  ]);
  assert.deepEqual(args({ log_level: 'debug' }).at(-1), '--level=debug');
});

test('--level is left out, with a warning, for an Encore older than v1.52.1', () => {
  const captured = captureLogger();
  const args = runArguments({ ...DEV, log_level: 'info' }, '127.0.0.1:4000', { path: '/bin/encore', version: [1, 50, 0] }, captured.logger);
  assert.ok(!args.some((arg) => arg.startsWith('--level')));
  assert.match(captured.text(), /⚠ dev\.log_level needs Encore v1\.52\.1 or later/);
});

test('.secrets.local.cue: a marked block, CUE-escaped values, mode 0600, other lines untouched', (t) => {
  const dir = tempDir(t);
  const file = join(dir, LOCAL_SECRETS_FILE);
  writeFileSync(file, '// my own secrets\nMyOwn: "kept"\nSTRIPE_API_KEY: "mine"\n');
  const tricky = 'quote " backslash \\ newline\nend ✓ \\(x)';
  const result = updateLocalSecrets(dir, [
    { name: 'DB_PASSWORD', value: tricky },
    { name: 'STRIPE_API_KEY', value: 'from-env' },
    { name: '_HIDDEN', value: 'h' },
  ]);
  assert.deepEqual(result.written, ['DB_PASSWORD', '_HIDDEN']);
  assert.deepEqual(result.definedElsewhere, ['STRIPE_API_KEY']);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  assert.deepEqual(lines.slice(0, 3), ['// my own secrets', 'MyOwn: "kept"', 'STRIPE_API_KEY: "mine"']);
  assert.match(lines[3] as string, /^\/\/ BEGIN stagecraft-managed secrets/);
  assert.equal(lines[4], `DB_PASSWORD: ${JSON.stringify(tricky)}`);
  assert.equal(JSON.parse((lines[4] as string).slice('DB_PASSWORD: '.length)), tricky, 'JSON string escaping round-trips');
  assert.equal(lines[5], '"_HIDDEN": "h"', 'a name CUE would hide is quoted');
  assert.equal(lines[6], '// END stagecraft-managed secrets');
  assert.ok(result.allValues.includes('kept') && result.allValues.includes('mine'), 'values outside the block are known, for masking');
});

test('.secrets.local.cue: unchanged values leave the file alone; changed ones rewrite only the block', (t) => {
  const dir = tempDir(t);
  const file = join(dir, LOCAL_SECRETS_FILE);
  assert.equal(updateLocalSecrets(dir, [{ name: 'A', value: '1' }]).changed, true);
  writeFileSync(file, `${readFileSync(file, 'utf8')}Extra: "after"\n`);
  const before = statSync(file).mtimeMs;
  assert.equal(updateLocalSecrets(dir, [{ name: 'A', value: '1' }]).changed, false);
  assert.equal(statSync(file).mtimeMs, before);
  assert.equal(updateLocalSecrets(dir, [{ name: 'A', value: '2' }]).changed, true);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^\/\/ BEGIN[^\n]*\nA: "2"\n\/\/ END stagecraft-managed secrets\nExtra: "after"\n$/);
});

test('.secrets.local.cue: a block without its END line is refused and the file is left as it was', (t) => {
  const dir = tempDir(t);
  const file = join(dir, LOCAL_SECRETS_FILE);
  const broken = 'Mine: "x"\n// BEGIN stagecraft-managed secrets: written by stagecraft\nA: "1"\n';
  writeFileSync(file, broken);
  assert.throws(
    () => updateLocalSecrets(dir, [{ name: 'A', value: '2' }]),
    (error: unknown) =>
      error instanceof StagecraftError &&
      error.category === 'SECRET_SYNC_FAILED' &&
      /no "\/\/ END stagecraft-managed secrets" line/.test(error.message),
  );
  assert.equal(readFileSync(file, 'utf8'), broken);
});

test('.secrets.local.cue is not created when there is nothing to write', (t) => {
  const dir = tempDir(t);
  assert.equal(updateLocalSecrets(dir, []).changed, false);
  assert.throws(() => statSync(join(dir, LOCAL_SECRETS_FILE)));
});

/** The `NAME: "…"` line Stagecraft wrote, its literal decoded as CUE would. */
function readBack(file: string, name: string): string {
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((candidate) => candidate.startsWith(`${name}: `));
  assert.ok(line !== undefined, `${name} was written`);
  return decodeCueString(line.slice(name.length + 2));
}

test('.secrets.local.cue: every value reads back byte for byte with CUE string rules', (t) => {
  const dir = tempDir(t);
  const file = join(dir, LOCAL_SECRETS_FILE);
  const values = [
    'plain',
    '\uFEFFstarts with a byte order mark\uFEFF',
    'quote " backslash \\ slash / interpolation-looking \\(x)',
    'controls \u0000 \u0001 \u0007 \b \f \n \r \t \v \u001f \u007f',
    'line separators \u2028 \u2029 and NEL \u0085',
    'astral 😀 𝄞 and BMP é ✓ 中',
    '-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----\n',
  ];
  updateLocalSecrets(
    dir,
    values.map((value, index) => ({ name: `V${index}`, value })),
  );
  for (const [index, value] of values.entries()) assert.equal(readBack(file, `V${index}`), value, JSON.stringify(value));
  const raw = readFileSync(file, 'utf8');
  assert.ok(!raw.slice(1).includes('\uFEFF'), 'no raw byte order mark anywhere (CUE rejects it)');
});

test('.secrets.local.cue: a lone surrogate cannot be stored: SECRET_SYNC_FAILED naming the secret, not its value', (t) => {
  const dir = tempDir(t);
  assert.throws(
    () => updateLocalSecrets(dir, [{ name: 'BROKEN', value: 'abc\uD800def-secret' }]),
    (error: unknown) =>
      error instanceof StagecraftError &&
      error.category === 'SECRET_SYNC_FAILED' &&
      /BROKEN .*lone UTF-16 surrogate/.test(error.message) &&
      !error.message.includes('def-secret'),
  );
  assert.throws(() => statSync(join(dir, LOCAL_SECRETS_FILE)), 'nothing written');
});

test('.secrets.local.cue: only top-level fields count as defined by the user (a small CUE scanner, not a line regex)', (t) => {
  const dir = tempDir(t);
  const file = join(dir, LOCAL_SECRETS_FILE);
  const user = [
    '// NOT_A_FIELD: "in a comment"',
    'Outer: {',
    '\tFirst: 1',
    '\tNESTED: "inside a struct"',
    '}',
    'Chain: CHAINED: "a shorthand chain nests CHAINED in Chain"',
    'Foo: 1, SECOND: "a second field on one line is top-level in CUE"',
    'Text: """',
    '\tMULTI: "inside a multi-line string"',
    '\t"""',
    '"QUOTED": "a quoted label"',
    'Interp: "\\("x: y") OTHER: z"',
    '_HIDDEN: "a hidden field is not the regular field _HIDDEN"',
    'List: [',
    '\tLISTED: 1,',
    ']',
  ].join('\n');
  writeFileSync(file, `${user}\n`, { mode: 0o600 });
  const names = ['NOT_A_FIELD', 'NESTED', 'CHAINED', 'SECOND', 'MULTI', 'QUOTED', 'OTHER', '_HIDDEN', 'LISTED'];
  const result = updateLocalSecrets(
    dir,
    names.map((name) => ({ name, value: `value-of-${name}` })),
  );
  assert.deepEqual([...result.definedElsewhere].sort(), ['QUOTED', 'SECOND']);
  assert.deepEqual([...result.written].sort(), ['CHAINED', 'LISTED', 'MULTI', 'NESTED', 'NOT_A_FIELD', 'OTHER', '_HIDDEN'].sort());
  assert.ok(readFileSync(file, 'utf8').startsWith(`${user}\n// BEGIN stagecraft-managed secrets`), 'the user part is untouched');
});

test('.secrets.local.cue: a symlink is written through (the link stays), a loose mode is tightened even if unchanged', (t) => {
  const dir = tempDir(t);
  const elsewhere = tempDir(t);
  const target = join(elsewhere, 'real-secrets.cue');
  writeFileSync(target, 'Mine: "kept"\n', { mode: 0o644 });
  chmodSync(target, 0o644);
  const link = join(dir, LOCAL_SECRETS_FILE);
  symlinkSync(target, link);
  const first = updateLocalSecrets(dir, [{ name: 'A', value: 'value-a' }]);
  assert.equal(lstatSync(link).isSymbolicLink(), true, 'the link is not replaced');
  assert.equal(first.target, target);
  assert.match(readFileSync(target, 'utf8'), /^Mine: "kept"\n\/\/ BEGIN[^\n]*\nA: "value-a"\n/);
  assert.equal(statSync(target).mode & 0o777, 0o600);
  assert.equal(first.tightenedFrom, 0o644);

  chmodSync(target, 0o640);
  const again = updateLocalSecrets(dir, [{ name: 'A', value: 'value-a' }]);
  assert.equal(again.changed, false);
  assert.equal(again.tightenedFrom, 0o640, 'reported although the content did not change');
  assert.equal(statSync(target).mode & 0o777, 0o600);

  rmSync(target);
  assert.throws(
    () => updateLocalSecrets(dir, [{ name: 'A', value: 'value-a' }]),
    (error: unknown) =>
      error instanceof StagecraftError &&
      error.category === 'SECRET_SYNC_FAILED' &&
      /symbolic link whose target cannot be reached/.test(error.message),
  );
  assert.equal(lstatSync(link).isSymbolicLink(), true, 'a dangling link is refused, not replaced');
});

test('.secrets.local.cue: a directory or an unreadable file in its place is SECRET_SYNC_FAILED', (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, LOCAL_SECRETS_FILE));
  assert.throws(
    () => updateLocalSecrets(dir, [{ name: 'A', value: 'value-a' }]),
    (error: unknown) => error instanceof StagecraftError && error.category === 'SECRET_SYNC_FAILED' && /is a directory/.test(error.message),
  );
  const other = tempDir(t);
  const file = join(other, LOCAL_SECRETS_FILE);
  if (process.getuid?.() === 0)
    symlinkSync('/proc/self/mem', file); // root reads through chmod 000: EIO instead
  else writeFileSync(file, 'A: "x"\n', { mode: 0o000 });
  assert.throws(
    () => updateLocalSecrets(other, [{ name: 'A', value: 'value-a' }]),
    (error: unknown) =>
      error instanceof StagecraftError && error.category === 'SECRET_SYNC_FAILED' && /cannot read .*(EACCES|EIO)/.test(error.message),
  );
});
