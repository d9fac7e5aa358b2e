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

test('library code that only runs for its side effects at load time is left out: jsonc-parser builds no formatter caches', () => {
  // jsonc-parser's string-intern module builds 1,200 whitespace strings when it loads (~280 kB of garbage on every
  // start of dev, one more scavenge) for a formatter Stagecraft never imports; tsdown.config.ts marks the package
  // side-effect free so the bundler drops it.
  const dist = join(REPO_ROOT, 'dist');
  const chunks = readdirSync(dist).filter((file) => file.endsWith('.cjs'));
  const withParser = chunks.filter((chunk) => readFileSync(join(dist, chunk), 'utf8').includes('printParseErrorCode'));
  assert.equal(withParser.length, 1, `jsonc-parser is bundled once: ${withParser.join(', ')}`);
  for (const chunk of chunks) {
    const text = readFileSync(join(dist, chunk), 'utf8');
    assert.doesNotMatch(text, /maxCachedValues|\.repeat\(index\)/, `${chunk} builds jsonc-parser's whitespace caches`);
  }
});
