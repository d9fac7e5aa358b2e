import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stagecraftCacheDir } from './cache-dir.js';

test('the cache directory: XDG_CACHE_HOME, else ~/.cache, then stagecraft; none without a home or with STAGECRAFT_NO_CACHE', () => {
  const cases: [Record<string, string>, string | undefined][] = [
    [{ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' }, '/x/cache/stagecraft'],
    [{ XDG_CACHE_HOME: '', HOME: '/home/u' }, '/home/u/.cache/stagecraft'],
    [{ HOME: '/home/u' }, '/home/u/.cache/stagecraft'],
    [{}, undefined],
    [{ HOME: '/home/u', STAGECRAFT_NO_CACHE: '1' }, undefined],
  ];
  for (const [env, expected] of cases) {
    assert.equal(stagecraftCacheDir(env), expected, JSON.stringify(env));
  }
});
