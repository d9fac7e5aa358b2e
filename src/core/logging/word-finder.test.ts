import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wordFinder } from './word-finder.js';

/** The obvious search: the first index at or after `from` where some word starts, with the longest word there. */
function naiveFind(words: readonly string[], text: string, from: number): [number, string] {
  for (let index = from; index < text.length; index++) {
    const here = words.filter((word) => text.startsWith(word, index)).sort((a, b) => b.length - a.length);
    if (here.length > 0) return [index, here[0] as string];
  }
  return [-1, ''];
}

/** A small deterministic generator (the test must be reproducible). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}

test('the word finder agrees with the obvious search: short and long words, shared prefixes, overlaps', () => {
  const next = random(42);
  // A tiny alphabet makes words share prefixes and overlap, and texts contain them often.
  const pick = (length: number, alphabet: string) => Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
  for (let round = 0; round < 500; round++) {
    const alphabet = ['ab', 'abcé😀', 'abcdefghijklmnopqrstuvwxyz0123456789'][round % 3] as string;
    const words: string[] = [];
    for (let count = 1 + Math.floor(next() * 6); words.length < count; ) {
      // Some words extend others (a short and a long one then start at the same place), some stand alone.
      const base = words.length > 0 && next() < 0.5 ? (words[Math.floor(next() * words.length)] as string) : '';
      const word = (base + pick(4 + Math.floor(next() * (next() < 0.5 ? 4 : 29)), alphabet)).slice(0, 32);
      if (!words.includes(word)) words.push(word);
    }
    // Texts: random characters, whole words and starts of words.
    let text = '';
    while (text.length < 150 && next() < 0.9) {
      const word = words[Math.floor(next() * words.length)] as string;
      const roll = next();
      text += roll < 0.4 ? pick(Math.floor(next() * 20), alphabet) : roll < 0.8 ? word : word.slice(0, Math.floor(next() * word.length));
    }
    const finder = wordFinder(words);
    let from = 0;
    for (;;) {
      const [expected, word] = naiveFind(words, text, from);
      const found = finder.find(text, from);
      assert.equal(found, expected, `words ${JSON.stringify(words)} text ${JSON.stringify(text)} from ${from}`);
      if (found === -1) break;
      assert.equal(finder.found, word, `longest word at ${found} in ${JSON.stringify(text)}`);
      from = found + 1;
    }
  }
});
