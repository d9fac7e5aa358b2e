import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { encoreProject } from '../../src/providers/encore-ts/test/fixtures.js';
import { type CliResult, runCli, startCli } from '../helpers/cli.js';
import { standinBin } from '../helpers/standins.js';
import { tempProject } from '../helpers/temp.js';
import { recordFigure } from './figures.js';

/** A canary whose URL-encoded and base64 forms differ from it (characters that encoders change). */
function canary(): string {
  return `cnry-${randomBytes(6).toString('hex')} @/+=?&`;
}

/** The forms a leak could take: raw, base64 (padded, unpadded, URL-safe) and URL-encoded. */
function forms(value: string): string[] {
  const base64 = Buffer.from(value).toString('base64');
  return [
    value,
    base64,
    base64.replace(/=+$/, ''),
    base64.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'),
    encodeURIComponent(value),
  ];
}

let scanned = 0;
let scenarios = 0;

type Snapshot = Map<string, string>;

/** Files of the project with their size and mtime, to tell which ones a run wrote. */
function snapshot(project: string): Snapshot {
  return new Map(projectFiles(project).map((file) => [file, `${statSync(file).size}:${statSync(file).mtimeMs}`]));
}

/**
 * Scans everything a run left where a user could see it: stdout, stderr, the argv given to tools, and
 * every file the run wrote under the project (new or changed since `before`).
 */
function assertNoLeak(
  name: string,
  values: readonly string[],
  result: CliResult,
  argvs: readonly string[][],
  project: string,
  before: Snapshot,
): void {
  const written = projectFiles(project).filter((file) => before.get(file) !== `${statSync(file).size}:${statSync(file).mtimeMs}`);
  const places: [string, string][] = [
    ['stdout', result.stdout],
    ['stderr', result.stderr],
    ...argvs.map((argv, i): [string, string] => [`argv of call ${i}`, argv.join('\0')]),
    ...written.map((file): [string, string] => [relative(project, file), readFileSync(file, 'latin1')]),
  ];
  for (const value of values) {
    for (const form of forms(value)) {
      for (const [where, text] of places) {
        assert.ok(!text.includes(form), `${name}: a secret (${JSON.stringify(form)}) leaked into ${where}`);
        scanned++;
      }
    }
  }
  scenarios++;
}

/** Every file under the project, except Encore's own secret store (the one place values may live). */
function projectFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === '.git' || entry === '.secrets.local.cue') return [];
    return statSync(path).isDirectory() ? projectFiles(path) : [path];
  });
}

test('encore-ts: no scenario leaks a secret, in any format, success or failure', async (t) => {
  const a = canary();
  const b = canary();
  const secretsBlock = (store: string) => [
    '        encore_secrets:',
    '          from_env: [CANARY_A, CANARY_B]',
    `          store: ${store}`,
  ];
  const env = [`CANARY_A=${JSON.stringify(a)}`, `CANARY_B=${JSON.stringify(b)}`];
  type Scenario = {
    name: string;
    args: string[];
    env?: Record<string, string>;
    store?: string;
    linked?: boolean;
    untilReady?: boolean;
    code: number;
    setup?: (dir: string) => void;
  };
  const print = { STANDIN_ENCORE_PRINT_ENV: 'CANARY_A,CANARY_B' };
  const list: Scenario[] = [];
  for (const format of ['text', 'json']) {
    for (const verbose of [[], ['-v']]) {
      const args = ['--log-format', format, ...verbose];
      list.push(
        { name: `dev ok ${format} ${verbose}`, args: [...args, 'dev'], env: print, store: 'local', untilReady: true, code: 0 },
        {
          name: `dev ok platform ${format} ${verbose}`,
          args: [...args, 'dev'],
          env: print,
          store: 'platform',
          linked: true,
          untilReady: true,
          code: 0,
        },
        {
          name: `SECRET_SYNC_FAILED ${format} ${verbose}`,
          args: [...args, 'dev'],
          env: { STANDIN_ENCORE_SECRET_FAIL: 'CANARY_A', STANDIN_ENCORE_SECRET_ECHO: '1' },
          store: 'platform',
          linked: true,
          code: 6,
        },
        {
          name: `DEV_SERVER_FAILED ${format} ${verbose}`,
          args: [...args, 'dev'],
          env: { ...print, STANDIN_ENCORE_EXIT_AFTER_MS: '400' },
          store: 'local',
          code: 7,
        },
        {
          name: `PROVIDER_NOT_AVAILABLE ${format} ${verbose}`,
          args: [...args, 'dev'],
          env: { STANDIN_ENCORE_VERSION: 'v1.2.3' },
          store: 'local',
          code: 2,
        },
        {
          name: `INVALID_PROJECT ${format} ${verbose}`,
          args: [...args, 'dev'],
          store: 'local',
          code: 1,
          setup: (dir) => rmSync(join(dir, 'encore.app')),
        },
        { name: `INVALID_CONFIG ${format} ${verbose}`, args: [...args, 'dev', '--listen', 'nope'], store: 'local', code: 1 },
        {
          name: `build ok ${format} ${verbose}`,
          args: [...args, 'build', '--tag', 't'],
          env: { ...print, CANARY_A: a, CANARY_B: b },
          store: 'local',
          code: 0,
        },
        {
          name: `BUILD_FAILED ${format} ${verbose}`,
          args: [...args, 'build', '--tag', 't'],
          env: { ...print, CANARY_A: a, CANARY_B: b, STANDIN_ENCORE_BUILD_FAIL: 'compile' },
          store: 'local',
          code: 3,
        },
        {
          name: `PUSH_FAILED ${format} ${verbose}`,
          args: [...args, 'build', '--tag', 't', '--push'],
          env: { ...print, CANARY_A: a, CANARY_B: b, STANDIN_ENCORE_BUILD_FAIL: 'push' },
          store: 'local',
          code: 4,
        },
        {
          name: `dry run ${format} ${verbose}`,
          args: [...args, 'build', '--tag', 't', '--dry-run'],
          env: { CANARY_A: a },
          store: 'local',
          code: 0,
        },
        {
          name: `doctor ${format} ${verbose}`,
          args: [...verbose, 'doctor', ...(format === 'json' ? ['--json'] : [])],
          store: 'local',
          code: 0,
        },
      );
    }
  }
  for (const scenario of list) {
    const project = await encoreProject(t, {
      env,
      appId: scenario.linked ? 'linked-1' : '',
      dev: secretsBlock(scenario.store ?? 'local'),
      files: { '.gitignore': '.secrets.local.cue\n' },
    });
    execFileSync('git', ['init', '-q'], { cwd: project.dir });
    scenario.setup?.(project.dir);
    const before = snapshot(project.dir);
    let result: CliResult;
    if (scenario.untilReady) {
      const cli = project.start(scenario.args, scenario.env);
      await cli.waitForStderr(/ready at|"msg":"ready at/);
      await cli.waitForStderr(/from the environment[\s\S]*from the environment/);
      cli.signal('SIGINT');
      result = await cli.finish();
    } else {
      result = await project.run(scenario.args, scenario.env);
    }
    assert.equal(result.code, scenario.code, `${scenario.name}: ${result.stderr.slice(-1500)}`);
    assertNoLeak(
      scenario.name,
      [a, b],
      result,
      project.bin.calls().map((call) => call.argv),
      project.dir,
      before,
    );
  }
});

test('generic: no scenario leaks a secret, in any format, success or failure', async (t) => {
  const secret = canary();
  const script = `process.stdout.write('key=' + process.env.API_KEY.slice(0, 9)); setTimeout(() => { console.log(process.env.API_KEY.slice(9)); console.log(encodeURIComponent(process.env.API_KEY)); console.log(Buffer.from(process.env.API_KEY).toString('base64')); console.log('listening'); }, 30); setInterval(() => {}, 1000);`;
  const yaml = (extra = '') =>
    `project:\n  name: gen\nbackend:\n  provider: generic\n  providers:\n    generic:\n      dev:\n        command: [node, -e, ${JSON.stringify(script)}]\n        secrets: [API_KEY]\n        ready:\n          log: listening\n${extra}`;
  const bin = standinBin(t, ['docker']);
  for (const format of ['text', 'json']) {
    for (const verbose of [[], ['-v']]) {
      const args = ['--log-format', format, ...verbose];
      const cwd = tempProject(t, { 'stagecraft.yml': yaml(), Dockerfile: 'FROM scratch\n' });
      const before = snapshot(cwd);
      const cli = startCli([...args, 'dev'], { cwd, env: { API_KEY: secret } });
      await cli.waitForStderr(/ready in|"msg":"ready in/);
      cli.signal('SIGINT');
      assertNoLeak(`generic dev ${format}`, [secret], await cli.finish(), [], cwd, before);
      const crashDir = tempProject(t, {
        'stagecraft.yml': yaml().replace('setInterval(() => {}, 1000);', 'setTimeout(() => process.exit(3), 100);'),
      });
      const crashBefore = snapshot(crashDir);
      const crash = await runCli([...args, 'dev'], { cwd: crashDir, env: { API_KEY: secret } });
      assert.equal(crash.code, 7);
      assertNoLeak(`generic DEV_SERVER_FAILED ${format}`, [secret], crash, [], crashDir, crashBefore);
      for (const [name, extra, code] of [
        ['build ok', {}, 0],
        ['BUILD_FAILED', { STANDIN_DOCKER_FAIL: 'build' }, 3],
        ['PUSH_FAILED', { STANDIN_DOCKER_FAIL: 'push' }, 4],
      ] as const) {
        const buildDir = tempProject(t, { 'stagecraft.yml': yaml(), Dockerfile: 'FROM scratch\n' });
        const buildBefore = snapshot(buildDir);
        const result = await runCli([...args, 'build', '--tag', 't', ...(name === 'PUSH_FAILED' ? ['--push'] : [])], {
          cwd: buildDir,
          path: [bin.dir],
          env: { API_KEY: secret, STANDIN_LOG: bin.log, STANDIN_DOCKER_PRINT_ENV: 'API_KEY', ...extra },
        });
        assert.equal(result.code, code, `${name}: ${result.stderr}`);
        assertNoLeak(
          `generic ${name} ${format}`,
          [secret],
          result,
          bin.calls().map((call) => call.argv),
          buildDir,
          buildBefore,
        );
      }
    }
  }
  recordFigure('canaries', { scenarios, checks: scanned });
});
