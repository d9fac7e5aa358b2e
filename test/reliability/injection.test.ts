import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { encoreProject } from '../../src/providers/encore-ts/test/fixtures.js';
import { runCli, startCli } from '../helpers/cli.js';
import { standinBin } from '../helpers/standins.js';
import { tempDir, tempProject } from '../helpers/temp.js';
import { recordFigure } from './figures.js';

/**
 * Hostile values for every string field that reaches a process. Whatever a field does with them, no
 * shell may ever run them: each would append a line to the counter file if a shell did.
 */
function hostileValues(counter: string, outside: string): Record<string, string> {
  return {
    semicolon: `x; echo ran >> ${counter}`,
    and: `x && echo ran >> ${counter}`,
    substitution: `$(echo ran >> ${counter})`,
    backticks: `\`echo ran >> ${counter}\``,
    newline: `x\necho ran >> ${counter}`,
    'leading dash': '-rf',
    spaces: 'with some spaces',
    dotdot: '../outside',
    absolute: outside,
    'symlink out': 'link-out',
  };
}

/**
 * Which hostile values each validated field accepts, written out by hand from the documented grammars
 * (not computed by the product's validators): listen is host:port with an IP or localhost; secret names
 * are [A-Za-z_][A-Za-z0-9_]*; an image name is lowercase components joined by . _ - and /, never
 * starting with a separator; a tag is [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; a tag suffix is what keeps
 * a tag valid when appended. Everything else in the list is rejected.
 */
const ACCEPTED: Record<string, readonly string[]> = {
  'dev.listen': [],
  'dev.encore_secrets.from_env': [],
  'build.image_name': ['link-out'],
  'build.docker_tag_suffix': ['-rf', 'link-out'],
  '--tag': ['link-out'],
};

const accepts = (field: string, value: string) => (ACCEPTED[field] ?? []).includes(value);

interface Case {
  readonly field: string;
  readonly value: string;
  readonly outcome: 'rejected' | 'exact';
}

const cases: Case[] = [];

/** Shell runs of a hostile value, counted from the lines they appended, over every test in this file. */
let shellRuns = 0;

/** The counter a shell would append to, and a directory outside every project to point symlinks at. */
function setup(t: Parameters<typeof tempDir>[0]) {
  const scratch = tempDir(t);
  const canary = join(scratch, 'shell-runs');
  t.after(() => {
    shellRuns += countRuns(canary);
  });
  return { canary, outside: tempDir(t) };
}

function countRuns(counter: string): number {
  return existsSync(counter) ? readFileSync(counter, 'utf8').split('\n').filter(Boolean).length : 0;
}

function assertNoShellRan(canary: string, context: string): void {
  assert.equal(countRuns(canary), 0, `a shell ran a hostile value (${context})`);
}

/** Writes a YAML string scalar safely (the value is data, never YAML syntax). */
const yamlString = (value: string) => JSON.stringify(value);

test('encore-ts fields: each hostile value is rejected as INVALID_CONFIG or reaches encore exactly, never a shell', async (t) => {
  const { canary, outside } = setup(t);
  for (const [name, value] of Object.entries(hostileValues(canary, outside))) {
    // Fields that must be rejected outright: listen, secret names, image parts.
    for (const [field, lines] of [
      ['dev.listen', [`        listen: ${yamlString(value)}`]],
      ['dev.encore_secrets.from_env', ['        encore_secrets:', `          from_env: [${yamlString(value)}]`]],
      ['build.image_name', []],
      ['build.docker_tag_suffix', []],
    ] as const) {
      const build = field.startsWith('build.') ? [`        ${field.slice(6)}: ${yamlString(value)}`] : undefined;
      const project = await encoreProject(t, { ...(field === 'dev.listen' ? {} : { dev: [...lines] }), ...(build ? { build } : {}) });
      if (field === 'dev.listen')
        writeFileSync(
          join(project.dir, 'stagecraft.yml'),
          readFileSync(join(project.dir, 'stagecraft.yml'), 'utf8').replace(/ {8}listen: .*/, lines[0] as string),
        );
      const result = await project.run(['config', 'validate']);
      const rejected = result.code === 1 && /INVALID_CONFIG/.test(result.stderr);
      // Accepted only if the documented grammar allows it (`link-out` is a fine image name, say).
      assert.equal(result.code, rejected ? 1 : 0, `${field} = ${JSON.stringify(value)}: ${result.stderr}`);
      assert.equal(rejected, !accepts(field, value), `${field} = ${JSON.stringify(value)}: ${result.stderr}`);
      cases.push({ field, value, outcome: rejected ? 'rejected' : 'exact' });
      assertNoShellRan(canary, `${field} ${name}`);
    }
    // --tag reaches `encore build docker` only if valid, and then exactly.
    const project = await encoreProject(t);
    const tagged = await project.run(['build', '--tag', value]);
    if (accepts('--tag', value)) {
      assert.equal(tagged.code, 0, tagged.stderr);
      assert.equal(
        project.bin
          .calls('encore')
          .find((call) => call.argv[0] === 'build')
          ?.argv.at(-1),
        `ghcr.io/your-org/platform/api:${value}`,
      );
      cases.push({ field: '--tag', value, outcome: 'exact' });
    } else {
      assert.equal(tagged.code, 1, `--tag ${JSON.stringify(value)}`);
      assert.equal(project.bin.calls().length, 0);
      cases.push({ field: '--tag', value, outcome: 'rejected' });
    }
    assertNoShellRan(canary, `--tag ${name}`);
  }
});

test('encore-ts paths: workdirs outside the project are refused; odd names inside it reach encore as the exact cwd', async (t) => {
  const { canary, outside } = setup(t);
  for (const [name, value] of Object.entries(hostileValues(canary, outside))) {
    const project = await encoreProject(t, { appDir: 'app', dev: [] });
    symlinkSync(outside, join(project.dir, 'link-out'));
    const inside = !['dotdot', 'absolute', 'symlink out'].includes(name);
    if (inside) {
      mkdirSync(join(project.dir, value), { recursive: true });
      writeFileSync(join(project.dir, value, 'encore.app'), '{"id": "", "lang": "typescript"}\n');
    }
    for (const field of ['workdir', 'env_file', 'node_extra_ca_certs'] as const) {
      const yaml = readFileSync(join(project.dir, 'stagecraft.yml'), 'utf8');
      const line = field === 'workdir' ? `        workdir: ${yamlString(value)}` : `        ${field}: ${yamlString(join(value, 'file'))}`;
      const text = yaml
        .replace(/ {8}workdir: app\n/, field === 'workdir' ? `${line}\n` : `        workdir: app\n${line}\n`)
        .replace(field === 'env_file' ? /\n {8}env_file: \.env\.local/ : /^$/, '');
      writeFileSync(join(project.dir, 'stagecraft.yml'), text);
      if (field !== 'workdir' && inside) writeFileSync(join(project.dir, value, 'file'), 'A=1\n');
      const cli = project.start(['dev']);
      const result = await Promise.race([
        cli.result,
        // Exiting before ready rejects the wait: that outcome is the process result, never "ready".
        cli
          .waitForStderr(/ready at/)
          .then(() => undefined)
          .catch(() => cli.result),
      ]);
      if (result === undefined) {
        cli.signal('SIGINT');
        await cli.finish();
        const run = project.bin
          .calls('encore')
          .filter((call) => call.argv[0] === 'run')
          .at(-1);
        const expectedCwd = field === 'workdir' ? join(project.dir, value) : join(project.dir, 'app');
        assert.equal(run?.cwd, realpathSync(expectedCwd), `${field} = ${JSON.stringify(value)}`);
        assert.ok(!relative(realpathSync(project.dir), run?.cwd ?? '/').startsWith('..'), 'the workdir lies inside the project');
        cases.push({ field: `dev.${field}`, value, outcome: 'exact' });
      } else {
        await cli.finish();
        assert.ok(field !== 'workdir' || !inside, `${field} = ${JSON.stringify(value)} inside the project should work: ${cli.stderr}`);
        assert.equal((await cli.result).code, 1, `${field} ${name}: ${cli.stderr}`);
        assert.match(cli.stderr, /INVALID_CONFIG/);
        cases.push({ field: `dev.${field}`, value, outcome: 'rejected' });
      }
      for (const call of project.bin.calls('encore')) {
        assert.ok(!relative(realpathSync(project.dir), call.cwd).startsWith('..'), `encore ran outside the project: ${call.cwd}`);
      }
      writeFileSync(join(project.dir, 'stagecraft.yml'), yaml);
      assertNoShellRan(canary, `dev.${field} ${name}`);
    }
  }
});

test('secret values of any shape reach `encore secret set` on stdin, byte for byte, never in argv', async (t) => {
  const { canary, outside } = setup(t);
  const values = Object.values(hostileValues(canary, outside)).filter((value) => !value.endsWith('\n'));
  const env = values.map((value, i) => `S${i}=${JSON.stringify(value)}`);
  const project = await encoreProject(t, {
    appId: 'linked-app-1',
    env,
    dev: ['        encore_secrets:', `          from_env: [${values.map((_, i) => `S${i}`).join(', ')}]`, '          store: platform'],
  });
  const cli = project.start(['dev']);
  await cli.waitForStderr(/ready at/);
  cli.signal('SIGINT');
  await cli.finish();
  const calls = project.bin.calls('encore').filter((call) => call.argv[0] === 'secret');
  assert.equal(calls.length, values.length);
  for (const call of calls) {
    const index = Number((call.argv.at(-1) as string).slice(1));
    assert.equal(call.stdin, values[index], `S${index}`);
    assert.deepEqual(call.argv, ['secret', 'set', '--type', 'local', `S${index}`]);
    cases.push({ field: 'secret value', value: values[index] as string, outcome: 'exact' });
  }
  assertNoShellRan(canary, 'secret values');
});

test('generic: command items and env values reach the program exactly; build fields are exact or rejected', async (t) => {
  const { canary, outside } = setup(t);
  const values = Object.values(hostileValues(canary, outside));
  const record = join(tempDir(t), 'argv.json');
  const cwd = tempProject(t, {
    'recorder.mjs': `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(record)}, JSON.stringify({ argv: process.argv.slice(2), env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('V'))) }));\nconsole.log('recorded');\nsetInterval(() => {}, 1000);\n`,
    'stagecraft.yml': `project:\n  name: rec\nbackend:\n  provider: generic\n  providers:\n    generic:\n      dev:\n        command: ${JSON.stringify(['node', 'recorder.mjs', ...values])}\n        env: ${JSON.stringify(Object.fromEntries(values.map((value, i) => [`V${i}`, value])))}\n        ready:\n          log: recorded\n`,
  });
  const cli = startCli(['dev'], { cwd });
  await cli.waitForStderr(/› ready in/);
  cli.signal('SIGINT');
  await cli.finish();
  const seen = JSON.parse(readFileSync(record, 'utf8')) as { argv: string[]; env: Record<string, string> };
  assert.deepEqual(seen.argv, values, 'argv received equals argv intended');
  for (const [i, value] of values.entries()) assert.equal(seen.env[`V${i}`], value);
  for (const value of values)
    cases.push({ field: 'generic dev.command item', value, outcome: 'exact' }, { field: 'generic dev.env value', value, outcome: 'exact' });
  assertNoShellRan(canary, 'generic command');

  const bin = standinBin(t, ['docker']);
  for (const value of values) {
    for (const field of ['dockerfile', 'context', 'image_name'] as const) {
      const project = tempProject(t, { Dockerfile: 'FROM scratch\n' });
      symlinkSync(outside, join(project, 'link-out'));
      const inside = !['../outside', outside, 'link-out'].includes(value);
      if (field === 'context' && inside) mkdirSync(join(project, value), { recursive: true });
      if (field === 'dockerfile' && inside) {
        mkdirSync(dirname(join(project, value)), { recursive: true });
        writeFileSync(join(project, value), 'FROM scratch\n');
      }
      writeFileSync(
        join(project, 'stagecraft.yml'),
        `project:\n  name: rec\nbackend:\n  provider: generic\n  providers:\n    generic:\n      build:\n        ${field}: ${yamlString(value)}\n`,
      );
      const log = join(tempDir(t), 'calls.jsonl');
      const result = await runCli(['build', '--tag', 't1'], { cwd: project, path: [bin.dir], env: { STANDIN_LOG: log } });
      if (result.code === 0) {
        assert.ok(
          field !== 'image_name' || accepts('build.image_name', value),
          `an image name like ${JSON.stringify(value)} must be rejected`,
        );
        assert.ok(field === 'image_name' || inside, `${field} ${JSON.stringify(value)} outside the project must be rejected`);
        const argv = JSON.parse(readFileSync(log, 'utf8').trim()).argv as string[];
        const expected = {
          dockerfile: ['build', '-t', 'rec:t1', '-f', join(project, value), project],
          context: ['build', '-t', 'rec:t1', '-f', join(project, value, 'Dockerfile'), join(project, value)],
          image_name: ['build', '-t', `${value}:t1`, '-f', join(project, 'Dockerfile'), project],
        }[field];
        assert.deepEqual(argv, expected, `argv received equals argv intended (${field} = ${JSON.stringify(value)})`);
        cases.push({ field: `generic build.${field}`, value, outcome: 'exact' });
      } else {
        assert.equal(result.code, 1, `${field} = ${JSON.stringify(value)}: ${result.stderr}`);
        assert.match(result.stderr, /INVALID_CONFIG/);
        cases.push({ field: `generic build.${field}`, value, outcome: 'rejected' });
      }
      assertNoShellRan(canary, `generic build.${field}`);
    }
  }
});

test('the matrix covered every field with every hostile value, and no shell ever ran one', () => {
  assert.equal(shellRuns, 0, `hostile values were run by a shell ${shellRuns} times`);
  const fields = new Set(cases.map((entry) => entry.field));
  assert.ok(fields.size >= 14, `fields: ${[...fields].join(', ')}`);
  recordFigure('injection', {
    cases: cases.length,
    fields: fields.size,
    rejected: cases.filter((entry) => entry.outcome === 'rejected').length,
    exact: cases.filter((entry) => entry.outcome === 'exact').length,
    shellRuns,
  });
});
