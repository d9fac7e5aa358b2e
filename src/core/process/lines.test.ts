import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter } from './lines.js';

function split(chunks: (string | Buffer)[], max?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), max);
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  splitter.end();
  return lines;
}

test('lines split across chunks are reassembled; the last partial line is flushed at the end', () => {
  assert.deepEqual(split(['hel', 'lo\nwor', 'ld\n', 'tail']), ['hello', 'world', 'tail']);
  assert.deepEqual(split(['a\nb\n\nc']), ['a', 'b', '', 'c']);
  assert.deepEqual(split(['only\n']), ['only']);
  assert.deepEqual(split([]), []);
});

test('CRLF line endings lose their carriage return', () => {
  assert.deepEqual(split(['one\r\ntwo\r', '\nthree\r\n']), ['one', 'two', 'three']);
});

test('a multi-byte character split between chunks is decoded whole', () => {
  const bytes = Buffer.from('naïve → ✓\n');
  const cut = bytes.indexOf(Buffer.from('✓')) + 1;
  assert.deepEqual(split([bytes.subarray(0, cut), bytes.subarray(cut)]), ['naïve → ✓']);
});

test('a 1 MB line without a newline keeps its first bytes and is marked truncated', () => {
  const max = 64 * 1024;
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), max);
  const chunk = Buffer.alloc(16 * 1024, 'z');
  for (let i = 0; i < 64; i++) splitter.push(chunk); // 1 MiB, no newline
  splitter.push(Buffer.from('\nnext\n'));
  assert.equal(lines.length, 2);
  const [long, next] = lines as [string, string];
  assert.ok(long.startsWith('z'.repeat(max)));
  assert.match(long, /… \[line truncated: 983040 more bytes\]$/);
  assert.ok(long.length < max + 100, 'only the kept part is held, not the megabyte');
  assert.equal(next, 'next');
});

test('an over-long line inside one chunk is truncated the same way', () => {
  const [line] = split([`${'a'.repeat(100)}\n`], 10);
  assert.equal(line, `${'a'.repeat(10)} … [line truncated: 90 more bytes]`);
});

test('an unterminated over-long last line is flushed truncated at the end', () => {
  const [line] = split(['b'.repeat(30)], 10);
  assert.equal(line, `${'b'.repeat(10)} … [line truncated: 20 more bytes]`);
});
