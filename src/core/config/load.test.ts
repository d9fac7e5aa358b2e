import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../test/helpers/cli.js';
import { tempDir, tempProject, writeFiles } from '../../../test/helpers/temp.js';
import { processSpecOf, type RawProcess } from '../provider-kit/process-schema.js';
import '../../providers/index.js';
import type { Operation } from '../errors.js';
import { backendProviders } from '../registry.js';
import { ConfigError, closestMatch, formatIssue } from './issues.js';
import { type LoadConfigOptions, loadConfig, MAX_CONFIG_BYTES } from './load.js';

const GENERIC = `project:
  name: demo
backend:
  provider: generic
  providers:
    generic:
      dev:
        command: [node, server.mjs]
`;

function options(cwd: string, extra: Partial<LoadConfigOptions> = {}): LoadConfigOptions {
  return { cwd, processEnv: {}, operations: ['dev', 'build'] as Operation[], environment: 'dev', registry: backendProviders, ...extra };
}

/** The formatted problems of loading `yaml` as stagecraft.yml in a temp project. */
function problems(
  t: Parameters<typeof tempProject>[0],
  yaml: string,
  extra: Partial<LoadConfigOptions> = {},
  files: Record<string, string> = {},
): string[] {
  const dir = tempProject(t, { 'stagecraft.yml': yaml, ...files });
  try {
    loadConfig(options(dir, extra));
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.category, 'INVALID_CONFIG');
    return error.issues.map(formatIssue);
  }
  assert.fail('expected the config to be rejected');
}

test('a valid generic config loads with defaults applied and the project root set', (t) => {
  const dir = tempProject(t, { 'stagecraft.yml': GENERIC });
  const loaded = loadConfig(options(dir));
  assert.equal(loaded.projectRoot, dir);
  assert.equal(loaded.provider.id, 'generic');
  assert.equal(loaded.displayFile, 'stagecraft.yml');
  assert.deepEqual(loaded.project, { name: 'demo', registry: undefined });
  const config = loaded.providerConfig as { dev: RawProcess };
  assert.equal(config.dev.workdir, '.');
  // Stop settings have two forms (stop_signal, shutdown.signal): their defaults apply once folded together.
  const spec = processSpecOf(config.dev);
  assert.equal(spec.stopSignal, 'SIGTERM');
  assert.equal(spec.stopTimeoutMs, 10_000);
});

test('an unknown key is reported at the key with a did-you-mean hint', (t) => {
  const found = problems(t, GENERIC.replace('command: [node, server.mjs]', 'command: [node, server.mjs]\n        stop_signl: SIGINT'));
  assert.deepEqual(found, [
    'stagecraft.yml:9:9  backend.providers.generic.dev.stop_signl: unknown key "stop_signl"; did you mean "stop_signal"? (generic, dev)',
  ]);
});

test('a wrong type says what was expected and what was found, at the value', (t) => {
  const found = problems(t, GENERIC.replace('name: demo', 'name: 42'));
  assert.deepEqual(found, ['stagecraft.yml:2:9  project.name: expected a string, found number 42']);
});

test('a missing required field points at the block that lacks it', (t) => {
  const found = problems(t, GENERIC.replace('  name: demo\n', '  registry: ghcr.io/acme\n'));
  assert.deepEqual(found, ['stagecraft.yml:1:1  project.name: expected a string (required), found nothing']);
});

test('a YAML syntax error names its line', (t) => {
  const found = problems(t, 'project:\n  name: demo\n  registry: [unclosed\nbackend: {}\n');
  assert.equal(found.length >= 1, true);
  assert.match(found[0] as string, /^stagecraft\.yml:\d+:\d+ {2}\(YAML syntax\): /);
  const line = Number((found[0] as string).split(':')[1]);
  assert.ok(line >= 3 && line <= 5, `the error should be near line 3, got ${found[0]}`);
});

test('duplicate keys are errors with their position', (t) => {
  const found = problems(t, 'project:\n  name: a\n  name: b\nbackend:\n  provider: generic\n');
  assert.match(found.join('\n'), /stagecraft\.yml:3:3 {2}\(YAML syntax\): Map keys must be unique/);
});

test('an alias bomb is refused quickly instead of being expanded', (t) => {
  const layers = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) {
    const previous = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    layers.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(',')}]`);
  }
  const started = Date.now();
  const found = problems(t, `${layers.join('\n')}\nproject:\n  name: bomb\n`);
  assert.match(found.join('\n'), /too many alias expansions/);
  assert.match(found[0] as string, /^stagecraft\.yml:\d+:\d+ {2}\(document\)/);
  // 10^9 nodes would take minutes and gigabytes; refusing takes milliseconds (generous bound).
  assert.ok(Date.now() - started < 10_000);
});

test('a config file over 1 MiB is refused before parsing', (t) => {
  const found = problems(t, `${GENERIC}# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
  assert.match(found[0] as string, /^stagecraft\.yml:1:1 {2}\(file\): expected at most 1048576 bytes/);
});

test('every problem is reported at once, sorted by position', (t) => {
  const found = problems(
    t,
    `project:
  nme: demo
  registry: Not A Registry
backend:
  provider: generic
  providers:
    generic:
      dev:
        command: npm run dev
        stop_signal: SIGFOO
        stop_timeout: soon
`,
  );
  assert.equal(found.length, 5, found.join('\n'));
  const lines = found.map((problem) => Number(problem.split(':')[1]));
  assert.deepEqual(
    lines,
    [...lines].sort((a, b) => a - b),
  );
  assert.match(found.join('\n'), /project\.nme: unknown key "nme"; did you mean "name"\? \("name" is required\)/);
  assert.match(found.join('\n'), /project\.registry: expected a registry/);
  assert.match(
    found.join('\n'),
    /dev\.command: expected an argv list \(no shell runs it\), such as \["npm","run","dev"\], found "npm run dev" \(generic, dev\)/,
  );
  assert.match(found.join('\n'), /stop_signal: expected one of "SIGTERM".*found "SIGFOO"/);
  assert.match(found.join('\n'), /stop_timeout: expected a duration such as 90s/);
});

test('an unknown provider ID lists the registered ones and suggests the closest', (t) => {
  const found = problems(t, GENERIC.replace('provider: generic', 'provider: generc'));
  assert.equal(found.length, 1, found.join('\n'));
  assert.match(
    found[0] as string,
    /^stagecraft\.yml:4:13 {2}backend\.provider: expected one of "encore-ts", "generic", found "generc"; did you mean "generic"\?$/,
  );
});

test('the selected provider must have a block', (t) => {
  const found = problems(t, 'project:\n  name: demo\nbackend:\n  provider: generic\n  providers: {}\n');
  assert.deepEqual(found, [
    'stagecraft.yml:5:3  backend.providers: expected a "generic" block (backend.provider is "generic"), found nothing',
  ]);
});

test('environments.<env>.env_file must exist when dev will read it, and only then', (t) => {
  const yaml = `${GENERIC}environments:\n  dev:\n    env_file: .env.dev\n`;
  const found = problems(t, yaml, { operations: ['dev'] });
  assert.equal(found.length, 1);
  assert.match(
    found[0] as string,
    /^stagecraft\.yml:11:15 {2}environments\.dev\.env_file: expected an existing file, found "\.env\.dev" \(no such file: /,
  );
  const dir = tempProject(t, { 'stagecraft.yml': yaml, Dockerfile: 'FROM scratch\n' }); // build needs one (generic)
  assert.doesNotThrow(() => loadConfig(options(dir, { operations: ['build'] })));
});

test('a missing env file with a committed .example template says how to start from it', (t) => {
  const yaml = `${GENERIC}environments:\n  dev:\n    env_file: .env.dev\n`;
  const found = problems(t, yaml, { operations: ['dev'] }, { '.env.dev.example': 'A=1\n' });
  assert.match(found[0] as string, /start from the template: cp \.env\.dev\.example \.env\.dev/);
});

test('an --env name that is not defined is an error listing the defined ones', (t) => {
  const found = problems(t, `${GENERIC}environments:\n  dev: {}\n  staging: {}\n`, { environment: 'prod' });
  assert.deepEqual(found, ['stagecraft.yml:9:1  environments: expected an environment named "prod" (from --env), found only dev, staging']);
});

test('a workdir outside the project root is rejected, through .. and through a symlink', (t) => {
  const outside = tempDir(t);
  const found = problems(t, GENERIC.replace('command: [node, server.mjs]', 'command: [node, server.mjs]\n        workdir: ..'));
  assert.match(found[0] as string, /dev\.workdir: expected a directory inside the project root/);

  const dir = tempProject(t, {
    'stagecraft.yml': GENERIC.replace('command: [node, server.mjs]', 'command: [node, server.mjs]\n        workdir: escape'),
  });
  symlinkSync(outside, join(dir, 'escape'));
  assert.throws(
    () => loadConfig(options(dir)),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(formatIssue(error.issues[0] as never), /dev\.workdir: expected a directory inside the project root .*resolves to/);
      return true;
    },
  );
});

test('a workdir inside the project root, through a symlink that stays inside, is accepted', (t) => {
  const dir = tempProject(t, {
    'stagecraft.yml': GENERIC.replace('command: [node, server.mjs]', 'command: [node, server.mjs]\n        workdir: link'),
  });
  mkdirSync(join(dir, 'apps', 'api'), { recursive: true });
  symlinkSync(join(dir, 'apps', 'api'), join(dir, 'link'));
  assert.doesNotThrow(() => loadConfig(options(dir)));
});

test('discovery: --config, then STAGECRAFT_CONFIG, then the nearest stagecraft.yml or .yaml upwards', (t) => {
  const root = tempDir(t);
  writeFiles(root, {
    'stagecraft.yml': GENERIC,
    'nested/deeper/.keep': '',
    'other/custom.yml': GENERIC.replace('name: demo', 'name: custom'),
    'yaml-project/stagecraft.yaml': GENERIC.replace('name: demo', 'name: yaml'),
  });
  assert.equal(loadConfig(options(join(root, 'nested', 'deeper'))).project.name, 'demo');
  assert.equal(loadConfig(options(join(root, 'nested', 'deeper'))).projectRoot, root);
  assert.equal(loadConfig(options(join(root, 'yaml-project'))).project.name, 'yaml');
  assert.equal(loadConfig(options(root, { processEnv: { STAGECRAFT_CONFIG: 'other/custom.yml' } })).project.name, 'custom');
  const explicit = loadConfig(options(root, { configPath: 'other/custom.yml', processEnv: { STAGECRAFT_CONFIG: 'nope.yml' } }));
  assert.equal(explicit.project.name, 'custom');
  assert.equal(explicit.projectRoot, join(root, 'other'), 'the project root is the directory holding the config file');
});

test('discovery failures say what was looked for and what to do', (t) => {
  const empty = tempDir(t);
  assert.throws(() => loadConfig(options(empty)), /no stagecraft\.yml found in .* or any parent directory/);
  assert.throws(() => loadConfig(options(empty, { configPath: 'missing.yml' })), /--config: no config file at .*missing\.yml/);
  assert.throws(
    () => loadConfig(options(empty, { processEnv: { STAGECRAFT_CONFIG: 'gone.yml' } })),
    /STAGECRAFT_CONFIG: no config file at/,
  );
});

test('a top level that is not a map is one clear error', (t) => {
  const found = problems(t, '- just\n- a list\n');
  assert.equal(found.length, 1);
  assert.match(found[0] as string, /^stagecraft\.yml:1:1 {2}\(top level\): expected a map, found a list of 2$/);
});

test('a misspelt required key is one issue: the unknown key, its suggestion, and that it is required', (t) => {
  const found = problems(t, GENERIC.replace('command:', 'comand:'), { operations: ['dev'] });
  assert.deepEqual(found, [
    'stagecraft.yml:8:9  backend.providers.generic.dev.comand: unknown key "comand"; did you mean "command"? ("command" is required) (generic, dev)',
  ]);
});

test('"did you mean" skips words and candidates longer than 64 characters (they are never typos)', () => {
  const long = 'a'.repeat(3000);
  // One edit apart: without the limit this would be suggested, after a quadratic comparison (a 100 KB
  // value would need a 10^10-cell table).
  assert.ok(closestMatch(long, [`${long}b`]) === undefined, 'a 3000-character word got a suggestion');
  assert.equal(closestMatch('a'.repeat(65), ['a'.repeat(64)]), undefined);
  assert.equal(closestMatch('listen', ['l'.repeat(65), 'lsiten']), 'lsiten');
  assert.equal(closestMatch('a'.repeat(64), [`${'a'.repeat(63)}b`]), `${'a'.repeat(63)}b`);
});

test('a duration above 24h is INVALID_CONFIG at its field, through the built CLI too (a timer cannot hold it)', async (t) => {
  const withTimeouts = (ready: string, stop: string) =>
    GENERIC.replace(
      'command: [node, server.mjs]',
      `command: [node, server.mjs]\n        ready:\n          log: up\n          timeout: ${ready}\n        stop_timeout: ${stop}`,
    );
  assert.deepEqual(problems(t, withTimeouts('720h', '86400001')), [
    'stagecraft.yml:11:20  backend.providers.generic.dev.ready.timeout: expected a duration of at most 24h, found "720h" (generic, dev)',
    'stagecraft.yml:12:23  backend.providers.generic.dev.stop_timeout: expected a duration of at most 24h, found number 86400001 (generic, dev)',
  ]);
  assert.deepEqual(problems(t, withTimeouts('soon', '1e400')), [
    'stagecraft.yml:11:20  backend.providers.generic.dev.ready.timeout: expected a duration such as 90s, 2m, 500ms or a number of milliseconds, found "soon" (generic, dev)',
    'stagecraft.yml:12:23  backend.providers.generic.dev.stop_timeout: expected a duration such as 90s, 2m, 500ms or a number of milliseconds, found number Infinity (generic, dev)',
  ]);
  const limit = tempProject(t, { 'stagecraft.yml': withTimeouts('24h', '86400000') });
  const config = loadConfig(options(limit)).providerConfig as { dev: { stop_timeout: number; ready: { timeout: number } } };
  assert.equal(config.dev.ready.timeout, 86_400_000);
  assert.equal(config.dev.stop_timeout, 86_400_000);

  const cli = tempProject(t, { 'stagecraft.yml': withTimeouts('720h', '10s'), 'server.mjs': '' });
  const home = tempDir(t);
  const result = await runCli(['config', 'validate'], { cwd: cli, env: { HOME: home, XDG_CACHE_HOME: home } });
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    /stagecraft\.yml:11:20 {2}backend\.providers\.generic\.dev\.ready\.timeout: expected a duration of at most 24h/,
  );
  assert.match(result.stderr, /INVALID_CONFIG/);
});

test('--env accepts only environments the config defines as its own keys (not __proto__, constructor)', async (t) => {
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    assert.deepEqual(problems(t, `${GENERIC}environments:\n  dev: {}\n`, { environment: name }), [
      `stagecraft.yml:9:1  environments: expected an environment named "${name}" (from --env), found only dev`,
    ]);
    assert.deepEqual(problems(t, GENERIC, { environment: name }), [
      `stagecraft.yml:1:1  environments: expected an environment named "${name}" (from --env), found none defined`,
    ]);
  }
  const cwd = tempProject(t, { 'stagecraft.yml': GENERIC, 'server.mjs': '' });
  const home = tempDir(t);
  for (const name of ['__proto__', 'constructor']) {
    const result = await runCli(['config', 'validate', '--env', name], { cwd, env: { HOME: home, XDG_CACHE_HOME: home } });
    assert.equal(result.code, 1, `--env ${name}: ${result.stderr}`);
    assert.match(result.stderr, new RegExp(`expected an environment named "${name}" \\(from --env\\), found none defined`));
    assert.match(result.stderr, /INVALID_CONFIG/);
  }
});

test('dev.env values YAML reads as numbers or booleans keep the text the user wrote', (t) => {
  const written = ['01234', '1.10', '0x1F', '0o17', '12345678901234567890', '1e3', '-0', '.5', 'True', '42'];
  const yaml = GENERIC.replace(
    'command: [node, server.mjs]',
    `command: [node, server.mjs]\n        stop_timeout: 5000\n        env:\n${written.map((text, i) => `          V${i}: ${text}`).join('\n')}\n          QUOTED: "007"\n          LIST_ITEM_STAYS_AN_ERROR: [1]`,
  );
  // A list is still not a value: the schema is untouched, only the text is restored.
  assert.match(
    problems(t, yaml).join('\n'),
    /env\.LIST_ITEM_STAYS_AN_ERROR: expected a string or a number or true or false, found a list of 1/,
  );
  const dir = tempProject(t, { 'stagecraft.yml': yaml.replace(/\n {10}LIST_ITEM_STAYS_AN_ERROR: \[1\]/, '') });
  const config = loadConfig(options(dir)).providerConfig as { dev: { env: Record<string, string>; stop_timeout: number } };
  assert.deepEqual(config.dev.env, { ...Object.fromEntries(written.map((text, i) => [`V${i}`, text])), QUOTED: '007' });
  assert.equal(config.dev.stop_timeout, 5000, 'a field that wants a number still gets one');
});
