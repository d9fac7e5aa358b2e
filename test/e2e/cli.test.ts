import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, cliEnvironment, REPO_ROOT, runCli } from '../helpers/cli.js';
import { tempDir, tempProject } from '../helpers/temp.js';

const EXAMPLE = join(REPO_ROOT, 'examples', 'generic-node');
const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

test('--version and -V print the package version on stdout', async (t) => {
  const cwd = tempDir(t);
  for (const flag of ['--version', '-V']) {
    const result = await runCli([flag], { cwd });
    assert.deepEqual([result.code, result.stdout, result.stderr], [0, `${version}\n`, '']);
  }
});

test('--help is a result on stdout; no command prints help on stderr and exits 1', async (t) => {
  const cwd = tempDir(t);
  const help = await runCli(['--help'], { cwd });
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: stagecraft \[options\] <command>/);
  for (const command of ['dev', 'build', 'config validate', 'config schema', 'providers'])
    assert.match(help.stdout, new RegExp(`^ {2}${command} `, 'm'));
  assert.match(help.stdout, /Exit codes:/);
  const bare = await runCli([], { cwd });
  assert.equal(bare.code, 1);
  assert.equal(bare.stdout, '');
  assert.match(bare.stderr, /^Usage: stagecraft/);
  const build = await runCli(['build', '--help'], { cwd });
  assert.match(build.stdout, /--dry-run +print the plan/);
  // `help dev` and `dev -h` are the same page, and that page is dev's: each is checked on its own, so
  // two empty outputs (or two general help pages) do not pass as "equal".
  const helpDev = await runCli(['help', 'dev'], { cwd });
  const devH = await runCli(['dev', '-h'], { cwd });
  for (const result of [helpDev, devH]) {
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Usage: stagecraft dev \[components\.\.\.\] \[options\]\n/);
    assert.match(result.stdout, /^ +--listen ADDR +backend listen address/m);
    assert.equal(result.stderr, '');
  }
  assert.equal(helpDev.stdout, devH.stdout);
});

test('usage errors exit 1 with a suggestion', async (t) => {
  const cwd = tempDir(t);
  const cases: [string[], RegExp][] = [
    [['deploy'], /unknown command "deploy"/],
    [['biuld'], /unknown command "biuld"; did you mean "build"\?/],
    [['build', '--tagg', 'x'], /unknown option --tagg; did you mean --tag\?/],
    [['dev', '--push'], /option --push does not apply to stagecraft dev/],
    [['build', '--tag'], /option --tag needs a value/],
    [['--log-format', 'xml', 'providers'], /option --log-format must be one of text, json, not "xml"/],
    [['config'], /stagecraft config needs a subcommand: validate, schema/],
    [['providers', 'extra'], /unexpected argument "extra"/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(args, { cwd });
    assert.equal(result.code, 1, args.join(' '));
    assert.match(result.stderr, message);
    assert.equal(result.stdout, '');
  }
});

test('providers lists the registered providers, sorted, on stdout', async (t) => {
  const result = await runCli(['providers'], { cwd: tempDir(t) });
  assert.equal(result.code, 0);
  assert.deepEqual(
    result.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/)[0]),
    ['encore-ts', 'generic'],
  );
});

test('config schema prints a JSON Schema covering core and every provider block', async (t) => {
  const result = await runCli(['config', 'schema'], { cwd: tempDir(t) });
  assert.equal(result.code, 0);
  const schema = JSON.parse(result.stdout) as {
    $schema: string;
    properties: { backend: { properties: { providers: { properties: object } } } };
  };
  assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.deepEqual(Object.keys(schema.properties.backend.properties.providers.properties).sort(), ['encore-ts', 'generic']);
});

test('config validate: exit 0 on the example, exit 1 with every problem on a bad file', async (t) => {
  const good = await runCli(['config', 'validate'], { cwd: EXAMPLE });
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stderr, /stagecraft\.yml is valid \(provider generic\)/);
  const bad = await runCli(['config', 'validate'], {
    cwd: tempProject(t, { 'stagecraft.yml': 'project:\n  nam: x\nbackend:\n  provider: nope\n' }),
  });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /stagecraft\.yml has 3 problems/);
  assert.match(bad.stderr, /INVALID_CONFIG/);
});

test('colour only where allowed: never with --no-color or NO_COLOR, even when forced', async (t) => {
  const cwd = tempProject(t, { 'stagecraft.yml': 'project:\n  nam: x\n' });
  const forced = await runCli(['config', 'validate'], { cwd, env: { FORCE_COLOR: '1' } });
  assert.ok(forced.stderr.includes('\x1b['), 'FORCE_COLOR turns colour on without a terminal');
  for (const [args, env] of [
    [['--no-color', 'config', 'validate'], { FORCE_COLOR: '1' }],
    [['config', 'validate'], { FORCE_COLOR: '1', NO_COLOR: '1' }],
    [['config', 'validate'], {}],
  ] as const) {
    const result = await runCli([...args], { cwd, env });
    assert.ok(!result.stderr.includes('\x1b['), `${args.join(' ')} ${JSON.stringify(env)}`);
  }
});

test('-v shows debug records; without it they are hidden', async (t) => {
  const cwd = tempProject(t, {
    'stagecraft.yml':
      'project:\n  name: v\nbackend:\n  provider: generic\n  providers:\n    generic:\n      dev:\n        command: [node, -e, "process.exit(2)"]\n',
  });
  const quiet = await runCli(['dev'], { cwd });
  const loud = await runCli(['dev', '-v'], { cwd });
  assert.equal(quiet.code, 7);
  assert.doesNotMatch(quiet.stderr, /^· /m);
  assert.match(loud.stderr, /^· starting .*node -e process\.exit\(2\)/m);
});

test('the test harness gives every CLI run its own temp HOME and XDG_CACHE_HOME', () => {
  const first = cliEnvironment({ cwd: '/' }, 'a');
  const second = cliEnvironment({ cwd: '/' }, 'b');
  for (const env of [first, second]) {
    assert.ok(env.HOME?.startsWith(`${tmpdir()}/`), env.HOME);
    assert.notEqual(env.HOME, process.env.HOME);
    assert.equal(env.XDG_CACHE_HOME, join(env.HOME as string, '.cache'));
  }
  assert.notEqual(first.HOME, second.HOME);
  const shared = cliEnvironment({ cwd: '/', env: { XDG_CACHE_HOME: '/tmp/shared-cache' } }, 'c');
  assert.equal(shared.XDG_CACHE_HOME, '/tmp/shared-cache', 'a test can still share one cache between runs');
});

/** Makes the first read of STAGECRAFT_CONFIG throw: a bug inside a command, as far as Stagecraft can tell. */
const BUG_PROBE = `const env = process.env;
Object.defineProperty(process, 'env', {
  value: new Proxy(env, {
    get(target, key) {
      if (key === 'STAGECRAFT_CONFIG') throw new TypeError('probe: a bug inside a command');
      return Reflect.get(target, key);
    },
  }),
});
`;

test('an internal error (exit 5) prints a pre-filled bug-report line: versions, platform, command name, nothing else', async (t) => {
  const cwd = tempProject(t, {
    'stagecraft.yml':
      'project:\n  name: p\nbackend:\n  provider: generic\n  providers:\n    generic:\n      dev:\n        command: [node]\n',
  });
  const probe = join(tempDir(t), 'probe.cjs');
  writeFileSync(probe, BUG_PROBE);
  const secret = 'hunter2-not-for-bug-reports';
  const expected = `stagecraft ${version} · Node ${process.version} · ${process.platform}-${process.arch} · command: stagecraft config validate`;
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['--require', probe, CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: cwd, API_TOKEN: secret },
      encoding: 'utf8',
      timeout: 60_000,
    });

  const text = run(['config', 'validate', '--env', 'dev', '--no-color']);
  assert.equal(text.status, 5, text.stderr);
  const hint = text.stderr.split('\n').find((line) => line.includes('hint:')) ?? '';
  assert.equal(
    hint,
    `  hint: This is a bug in Stagecraft. Please report it with this line (run again with -v for the stack trace): ${expected}`,
  );
  for (const leak of ['--env', '--no-color', cwd, secret]) assert.ok(!hint.includes(leak), `the line holds no ${leak}`);

  const verbose = run(['-v', 'config', 'validate']);
  assert.equal(verbose.status, 5);
  assert.match(verbose.stderr, /TypeError: probe: a bug inside a command\n\s+at /);
  assert.ok(verbose.stderr.includes(`with this line and the stack trace above: ${expected}\n`), verbose.stderr);

  const json = run(['--log-format', 'json', 'config', 'validate']);
  assert.equal(json.status, 5);
  const record = JSON.parse(json.stderr.trim().split('\n').at(-1) as string) as { category: string; hint: string };
  assert.equal(record.category, 'INTERNAL');
  assert.ok(record.hint.endsWith(`: ${expected}`), record.hint);
});

test('a Ctrl+C after the command has finished (its output still flushing) leaves the exit code as it was', async (t) => {
  const dir = tempDir(t);
  const printed = join(dir, 'printed');
  // Keeps the process alive after main() has returned and tells the test when the result has been written,
  // standing in for a slow reader of stdout.
  const hook = join(dir, 'linger.cjs');
  writeFileSync(
    hook,
    `const { writeFileSync } = require('node:fs');
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (...args) => { const done = write(...args); writeFileSync(${JSON.stringify(printed)}, 'x'); return done; };
setTimeout(() => {}, 60_000);
`,
  );
  const child = spawn(process.execPath, ['--require', hook, CLI, 'providers'], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir },
    stdio: 'ignore',
  });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (code, signal) => resolve([code, signal])),
  );
  const deadline = Date.now() + 30_000;
  while (!existsSync(printed)) {
    assert.ok(Date.now() < deadline, 'stagecraft providers printed its result');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGINT');
  assert.deepEqual(await exited, [0, null]);
});
