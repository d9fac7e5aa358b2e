import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir, writeFiles } from '../../../test/helpers/temp.js';
import { expandReferences, readEnvFile } from './dotenv.js';
import { composeEnvironment } from './environment.js';

const none = { above: () => undefined, below: () => undefined };

test('dotenv syntax: quotes, export, comments, multi-line quoted values, a BOM', (t) => {
  const dir = tempDir(t);
  writeFiles(dir, {
    '.env': `\uFEFFPLAIN=value
# a comment
export EXPORTED=yes
SINGLE='single quoted # not a comment'
DOUBLE="line one\\nline two"
MULTI="first
second"
TRAILING=value # trailing comment
EMPTY=
`,
  });
  const { values } = readEnvFile(join(dir, '.env'), none);
  assert.deepEqual(values, {
    PLAIN: 'value',
    EXPORTED: 'yes',
    SINGLE: 'single quoted # not a comment',
    DOUBLE: 'line one\nline two',
    MULTI: 'first\nsecond',
    TRAILING: 'value',
    EMPTY: '',
  });
});

test('${VAR} forms expand; bare $word and escaped references stay literal', () => {
  const unresolved = new Set<string>();
  const lookup = (name: string) => ({ HOST: 'localhost', EMPTY: '' })[name];
  assert.equal(expandReferences('http://${HOST}:4000', lookup, unresolved), 'http://localhost:4000');
  assert.equal(expandReferences('${MISSING:-fallback}', lookup, unresolved), 'fallback');
  assert.equal(expandReferences('${EMPTY:-fallback}', lookup, unresolved), 'fallback');
  assert.equal(expandReferences('${EMPTY-fallback}', lookup, unresolved), '');
  assert.equal(expandReferences('${MISSING-fallback}', lookup, unresolved), 'fallback');
  assert.equal(expandReferences('\\${HOST}', lookup, unresolved), '${HOST}');
  assert.equal(expandReferences('pa$word and $HOST', lookup, unresolved), 'pa$word and $HOST');
  assert.deepEqual([...unresolved], []);
  assert.equal(expandReferences('${NOPE}', lookup, unresolved), '');
  assert.deepEqual([...unresolved], ['NOPE']);
});

test('$(...) and backticks in values stay literal: nothing is ever executed', (t) => {
  const dir = tempDir(t);
  const marker = join(dir, 'pwned');
  writeFiles(dir, {
    '.env': `SUB=$(touch ${marker})\nTICKS=\`touch ${marker}\`\nINSIDE=run \`touch ${marker}\` now\nNESTED=\${X:-$(touch ${marker})}\n`,
  });
  const { values } = readEnvFile(join(dir, '.env'), none);
  assert.equal(values.SUB, `$(touch ${marker})`);
  // dotenv reads backticks as quotes: the value is the text between them, as text.
  assert.equal(values.TICKS, `touch ${marker}`);
  assert.equal(values.INSIDE, `run \`touch ${marker}\` now`);
  assert.equal(values.NESTED, `$(touch ${marker})`, 'a default is text too');
  assert.equal(existsSync(marker), false, 'no command ran');
});

test('precedence: earlier files < later files < process environment', (t) => {
  const dir = tempDir(t);
  writeFiles(dir, {
    'base.env': 'A=base\nB=base\nC=base\n',
    'local.env': 'B=local\nC=local\nREF=${A}-${B}-${C}\n',
  });
  const { env } = composeEnvironment(
    [
      { path: join(dir, 'base.env'), source: 'environments.dev.env_file' },
      { path: join(dir, 'local.env'), source: 'dev.env_file' },
    ],
    { C: 'process', PATH: '/bin' },
  );
  assert.equal(env.A, 'base');
  assert.equal(env.B, 'local');
  assert.equal(env.C, 'process');
  assert.equal(env.PATH, '/bin');
  // References resolve the way the final environment will: the process value of C wins there too.
  assert.equal(env.REF, 'base-local-process');
});

test('unresolved references are reported per file', (t) => {
  const dir = tempDir(t);
  writeFiles(dir, { '.env': 'URL=${SCHEME}://${HOST}\n' });
  const { unresolved } = composeEnvironment([{ path: join(dir, '.env'), source: 'dev.env_file' }], { HOST: 'x' });
  assert.deepEqual(unresolved, [{ file: join(dir, '.env'), names: ['SCHEME'] }]);
});

test('an unreadable env file is INVALID_CONFIG naming where it was configured', (t) => {
  const dir = tempDir(t);
  assert.throws(
    () => composeEnvironment([{ path: join(dir, 'gone.env'), source: 'environments.dev.env_file' }], {}),
    (error: Error & { category?: string }) =>
      error.category === 'INVALID_CONFIG' && /environments\.dev\.env_file: cannot read .*gone\.env: ENOENT/.test(error.message),
  );
});
