import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCli } from '../../../test/helpers/cli.js';
import { tempDir, tempProject } from '../../../test/helpers/temp.js';

/** A generic project whose server writes the variables it got (those starting with X_) to a file, then says so. */
function recordingProject(t: Parameters<typeof tempDir>[0], envFile: string, devEnv: string[]) {
  const record = join(tempDir(t), 'env.json');
  const dir = tempProject(t, {
    'recorder.mjs': `import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(record)}, JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('X_')))));
console.log('recorded');
setInterval(() => {}, 1000);
`,
    '.env.dev': envFile,
    'stagecraft.yml': `project:
  name: rec
environments:
  dev:
    env_file: .env.dev
backend:
  provider: generic
  providers:
    generic:
      dev:
        command: [node, recorder.mjs]
        ready:
          log: recorded
        env:
${devEnv.map((line) => `          ${line}`).join('\n')}
`,
  });
  const home = tempDir(t);
  return { dir, record, env: { HOME: home, XDG_CACHE_HOME: home } };
}

test('the built CLI gives the server env-file values by the documented rules, and dev.env numbers as written', async (t) => {
  const project = recordingProject(
    t,
    [
      'X_LATER=${X_DEFINED_BELOW}',
      "X_SINGLE='${X_HOST} \\n'",
      'X_DOUBLE="a\\tb \\"q\\" ${X_HOST}"',
      'X_DEFAULTS=${X_UNSET:-d1}|${X_EMPTY-d2}|${X_HOST:+alt}',
      'X_NESTED=${X_UNSET:-${X_ALSO_UNSET:-deep}}',
      'X_PROCESS_WINS=${X_HOST}',
      'X_HOST=from-file',
      'X_EMPTY=',
      'X_DEFINED_BELOW=below',
    ].join('\n'),
    ['X_PIN: 01234', 'X_VERSION: 1.10', 'X_MASK: 0x1F', 'X_BIG: 12345678901234567890'],
  );
  const cli = startCli(['dev'], { cwd: project.dir, env: { ...project.env, X_HOST: 'from-process' } });
  await cli.waitForStderr(/› ready in/, 30_000);
  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(readFileSync(project.record, 'utf8')), {
    X_LATER: 'below',
    X_SINGLE: '${X_HOST} \\n',
    X_DOUBLE: 'a\tb "q" from-process',
    X_DEFAULTS: 'd1||alt',
    X_NESTED: 'deep',
    X_PROCESS_WINS: 'from-process',
    X_HOST: 'from-process',
    X_EMPTY: '',
    X_DEFINED_BELOW: 'below',
    X_PIN: '01234',
    X_VERSION: '1.10',
    X_MASK: '0x1F',
    X_BIG: '12345678901234567890',
  });
});

test('${VAR:?message} stops dev before the server starts: INVALID_CONFIG naming the env file and line', async (t) => {
  const project = recordingProject(t, '# database\nX_DB=postgres://${X_DB_HOST:?set X_DB_HOST in .env.dev}/app\n', ['X_A: a']);
  const cli = startCli(['dev'], { cwd: project.dir, env: project.env });
  const result = await cli.finish();
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /\.env\.dev:2: required variable X_DB_HOST is not set: set X_DB_HOST in \.env\.dev/);
  assert.match(result.stderr, /INVALID_CONFIG/);
  assert.equal(existsSync(project.record), false, 'the server never ran');
});
