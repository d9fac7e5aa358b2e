import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir, writeFiles } from '../../../test/helpers/temp.js';
import { composeEnvironment } from './environment.js';

/** The environment one env file gives, with `processEnv` above it. Expected values below are written out by hand. */
function load(t: Parameters<typeof tempDir>[0], text: string, processEnv: NodeJS.ProcessEnv = {}) {
  const dir = tempDir(t);
  writeFiles(dir, { '.env': text });
  return composeEnvironment([{ path: join(dir, '.env'), source: 'dev.env_file' }], processEnv);
}

/** The INVALID_CONFIG message loading `text` fails with. */
function failure(t: Parameters<typeof tempDir>[0], text: string, processEnv: NodeJS.ProcessEnv = {}): string {
  try {
    load(t, text, processEnv);
  } catch (error) {
    assert.equal((error as { category?: string }).category, 'INVALID_CONFIG', String(error));
    return (error as Error).message;
  }
  assert.fail('expected the env file to be rejected');
}

test('syntax: comments, export, inline comments, empty values, a BOM, CRLF line ends', (t) => {
  const { env } = load(
    t,
    '\uFEFFPLAIN=value\r\n# a comment\r\nexport EXPORTED=yes\nTRAILING=value # trailing comment\nHASH=value#not-a-comment\nCOLOR=#fff\nSPACED = around  \nEMPTY=\nBLANK= # only a comment\n',
  );
  assert.deepEqual(env, {
    PLAIN: 'value',
    EXPORTED: 'yes',
    TRAILING: 'value',
    HASH: 'value#not-a-comment',
    COLOR: '#fff',
    SPACED: 'around',
    EMPTY: '',
    BLANK: '',
  });
});

test('single quotes are literal: no ${...}, no escapes; backticks likewise', (t) => {
  const { env, unresolved } = load(t, "A=x\nSINGLE='${A} \\n \\t $HOME # kept'\nTICKS=`${A}\\n`\nMULTI='one\ntwo'\n");
  assert.equal(env.SINGLE, '${A} \\n \\t $HOME # kept');
  assert.equal(env.TICKS, '${A}\\n');
  assert.equal(env.MULTI, 'one\ntwo');
  assert.deepEqual(unresolved, []);
});

test('double quotes unescape \\n \\t \\r \\" \\\\ and \\$, keep other backslashes, expand ${...}, span lines', (t) => {
  const { env } = load(
    t,
    'A=x\nD="tab\\there\\nnew \\"quoted\\" back\\\\slash \\$A \\${A} ${A} \\d # not a comment" # comment\nM="first\nsecond ${A}"\nR="cr\\r"\n',
  );
  assert.equal(env.D, 'tab\there\nnew "quoted" back\\slash $A ${A} x \\d # not a comment');
  assert.equal(env.M, 'first\nsecond x');
  assert.equal(env.R, 'cr\r');
});

test('unquoted values: ${...} expands, \\$ is a literal $, other backslashes and a bare $word stay', (t) => {
  const { env } = load(t, 'A=x\nU=${A}-\\${A}-pa$word-C:\\dir-$(cmd)\n');
  assert.equal(env.U, 'x-${A}-pa$word-C:\\dir-$(cmd)');
});

test('${VAR:-d} ${VAR-d} ${VAR:+alt} ${VAR+alt}: unset, empty and set each give the documented result', (t) => {
  const { env } = load(
    t,
    [
      'EMPTY=',
      'SET=v',
      'A1=${UNSET:-d}|${EMPTY:-d}|${SET:-d}',
      'A2=${UNSET-d}|${EMPTY-d}|${SET-d}',
      'A3=${UNSET:+alt}|${EMPTY:+alt}|${SET:+alt}',
      'A4=${UNSET+alt}|${EMPTY+alt}|${SET+alt}',
      'A5=${EMPTY?never shown}|${SET:?never shown}',
    ].join('\n'),
  );
  assert.equal(env.A1, 'd|d|v');
  assert.equal(env.A2, 'd||v');
  assert.equal(env.A3, '||alt');
  assert.equal(env.A4, '|alt|alt');
  assert.equal(env.A5, '|v');
});

test('nesting: defaults and alternatives may hold references, to any depth up to 16', (t) => {
  const { env } = load(t, 'B=b\nN1=${A:-${B}}\nN2=${A:-${C:-${B:-z}}}\nN3="${B:+[${B}]}"\nN4=${A:-x${B}y}\n');
  assert.equal(env.N1, 'b');
  assert.equal(env.N2, 'b');
  assert.equal(env.N3, '[b]');
  assert.equal(env.N4, 'xby');
  const deep = `${'${A:-'.repeat(17)}x${'}'.repeat(17)}`;
  assert.match(failure(t, `D=${deep}\n`), /\.env:1: \$\{\.\.\.\} nested more than 16 levels deep \(dev\.env_file\)$/);
});

test('${VAR:?message} and ${VAR?message} are INVALID_CONFIG naming the file and line, with the message as written', (t) => {
  const message = failure(t, '# first\nOK=1\nURL="postgres://${DB_HOST:?set DB_HOST in .env}/app"\n');
  assert.match(message, /\/\.env:3: required variable DB_HOST is not set: set DB_HOST in \.env \(dev\.env_file\)$/);
  assert.match(failure(t, 'E=\nX=${E:?E must not be empty}\n'), /\.env:2: required variable E is empty: E must not be empty/);
  assert.match(failure(t, 'X=${NOPE?}\n'), /\.env:1: required variable NOPE is not set \(dev\.env_file\)$/);
  // The message is shown as written, never expanded: it could otherwise print a secret.
  assert.match(failure(t, 'S=secret\nX=${NOPE:?${S}}\n'), /required variable NOPE is not set: \$\{S\}/);
  // Set in the process environment, the requirement holds.
  assert.equal(load(t, 'X=${DB_HOST:?required}\n', { DB_HOST: 'db' }).env.X, 'db');
});

test('a reference to a key defined later in the same file works, and a later definition of a key wins', (t) => {
  const { env } = load(t, 'URL=http://${HOST}:${PORT}\nHOST=localhost\nPORT=1\nPORT=2\n');
  assert.equal(env.URL, 'http://localhost:2');
  assert.equal(env.PORT, '2');
});

test('references see the final precedence: the process environment wins inside ${...} too', (t) => {
  const dir = tempDir(t);
  writeFiles(dir, {
    'base.env': 'A=base\nB=base\nC=base\nFROM_BASE=${B}\n',
    'local.env': 'B=local\nC=local\nREF=${A}-${B}-${C}\nDEFAULTED=${C:-unused}\n',
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
  assert.equal(env.REF, 'base-local-process');
  assert.equal(env.DEFAULTED, 'process');
  // A lower file's reference sees the value a higher file gives: the final one.
  assert.equal(env.FROM_BASE, 'local');
});

test("inside a key's own definition, ${KEY} is the value below it; cycles are INVALID_CONFIG", (t) => {
  const dir = tempDir(t);
  writeFiles(dir, { 'base.env': 'LIST=a\n', 'local.env': 'LIST=${LIST},b\nSELF=${SELF:-first}\n' });
  const { env } = composeEnvironment(
    [
      { path: join(dir, 'base.env'), source: 'environments.dev.env_file' },
      { path: join(dir, 'local.env'), source: 'dev.env_file' },
    ],
    {},
  );
  assert.equal(env.LIST, 'a,b');
  assert.equal(env.SELF, 'first');
  assert.match(failure(t, 'A=${B}\nB=${C}\nC=${A}\n'), /\.env:\d: references form a cycle: (A → B → C → A|B → C → A → B|C → A → B → C)/);
});

test('a value that expands beyond 16 Mi characters is refused (doubling references cannot exhaust memory)', (t) => {
  const lines = ['L0=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'];
  for (let i = 1; i <= 40; i++) lines.push(`L${i}=\${L${i - 1}}\${L${i - 1}}`);
  assert.match(failure(t, `${lines.join('\n')}\n`), /L\d+ expands to more than 16777216 characters/);
});

test('syntax errors name the file and line and never quote the value', (t) => {
  assert.match(failure(t, 'A=1\nnot a definition\n'), /\.env:2: expected KEY=value \(a value that spans lines must be quoted\)/);
  assert.match(failure(t, 'A="never closed\nB=2\n'), /\.env:1: unterminated double-quoted value/);
  assert.match(failure(t, "A='never closed\n"), /\.env:1: unterminated single-quoted value/);
  assert.match(failure(t, 'A="x"y\n'), /\.env:1: unexpected text after the closing quote/);
  assert.match(failure(t, 'A=1\nB=${C\n'), /\.env:2: unterminated \$\{C\.\.\. \(no closing \}\)/);
  assert.match(failure(t, 'A=${1X}\n'), /\.env:1: expected a variable name after \$\{/);
  assert.match(failure(t, 'A=${X/a/b}\n'), /\.env:1: unsupported expansion \$\{X\/\.\.\.\}/);
  const secret = 'hunter2-very-secret';
  assert.doesNotMatch(failure(t, `PEM=-----BEGIN-----\n${secret}\n`), new RegExp(secret));
});

test('$(...) and backticks stay text in every kind of value: nothing is ever executed', (t) => {
  const dir = tempDir(t);
  const marker = join(dir, 'pwned');
  const { env } = load(
    t,
    `SUB=$(touch ${marker})\nTICKS=\`touch ${marker}\`\nINSIDE=run \`touch ${marker}\` now\nNESTED=\${X:-$(touch ${marker})}\nDQ="$(touch ${marker})"\n`,
  );
  assert.equal(env.SUB, `$(touch ${marker})`);
  assert.equal(env.TICKS, `touch ${marker}`);
  assert.equal(env.INSIDE, `run \`touch ${marker}\` now`);
  assert.equal(env.NESTED, `$(touch ${marker})`, 'a default is text too');
  assert.equal(env.DQ, `$(touch ${marker})`);
  assert.equal(existsSync(marker), false, 'no command ran');
});

test('unresolved plain references are reported per file; references with a default or in unused branches are not', (t) => {
  const { env, unresolved } = load(t, 'URL=${SCHEME}://${HOST}\nD=${NOPE:-x}${NOPE2:+${NEVER}}\n', { HOST: 'x' });
  assert.equal(env.URL, '://x');
  assert.equal(env.D, 'x');
  assert.equal(unresolved.length, 1);
  assert.deepEqual(unresolved[0]?.names, ['SCHEME']);
});

test('an unreadable env file is INVALID_CONFIG naming where it was configured', (t) => {
  const dir = tempDir(t);
  assert.throws(
    () => composeEnvironment([{ path: join(dir, 'gone.env'), source: 'environments.dev.env_file' }], {}),
    (error: Error & { category?: string }) =>
      error.category === 'INVALID_CONFIG' && /environments\.dev\.env_file: cannot read .*gone\.env: ENOENT/.test(error.message),
  );
});
