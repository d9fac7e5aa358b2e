import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runInThisContext } from 'node:vm';
import { escapeNonAscii } from '../scripts/ascii-chunks.js';
import { REPO_ROOT } from './helpers/cli.js';

/**
 * The bundle is written in ASCII so V8 keeps each chunk as a one-byte string (scripts/ascii-chunks.ts).
 * These check the built chunks themselves and that the escaping keeps every character's meaning.
 */
test('every chunk of the built bundle is ASCII', () => {
  const dist = join(REPO_ROOT, 'dist');
  const chunks = readdirSync(dist).filter((file) => file.endsWith('.cjs'));
  assert.ok(chunks.length > 5, `the bundle is built: ${chunks.join(', ')}`);
  for (const chunk of chunks) {
    const bytes = readFileSync(join(dist, chunk));
    const offset = bytes.findIndex((byte) => byte > 0x7f);
    assert.equal(offset, -1, `${chunk} has a non-ASCII byte at ${offset}`);
  }
});

test('escaped characters mean the same in strings, templates, regular expressions and comments', () => {
  // Written with escapes here so this file's own meaning does not depend on its encoding.
  const arrow = '\u2192';
  const face = '\u{1F600}';
  const source = [
    '(() => {',
    `const plain = "a ${arrow} b";`,
    `const template = \`${face} \${plain}\`;`,
    `const pattern = /^${arrow}+$/u;`,
    `// a comment: ${arrow}`,
    `return { plain, template, matches: pattern.test("${arrow}${arrow}"), astral: /^.$/u.test("${face}") };`,
    '})()',
  ].join('\n');
  const escaped = escapeNonAscii(source);
  assert.doesNotMatch(escaped, /[^\0-\x7f]/);
  assert.deepEqual(runInThisContext(escaped), runInThisContext(source));
  assert.deepEqual(runInThisContext(escaped), { plain: `a ${arrow} b`, template: `${face} a ${arrow} b`, matches: true, astral: true });
});

test('a backslash right before a non-ASCII character fails the build instead of changing its meaning', () => {
  assert.throws(() => escapeNonAscii('const s = "\\\u00e9";', 'x.cjs'), /x\.cjs: a backslash before a non-ASCII character/);
});
