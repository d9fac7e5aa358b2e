import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir, tempProject } from '../helpers/temp.js';

const CONFIG =
  'project:\n  name: c\nbackend:\n  provider: generic\n  providers:\n    generic:\n      dev:\n        command: [node, x.mjs]\n';

function cacheFiles(cache: string): string[] {
  const dir = join(cache, 'stagecraft', 'v8', `${process.version}-${process.arch}`);
  try {
    return readdirSync(dir).map((file) => join(dir, file));
  } catch {
    return [];
  }
}

test('the V8 code cache is written after a run, reused unchanged, and replaced when corrupt', async (t) => {
  const cwd = tempProject(t, { 'stagecraft.yml': CONFIG });
  const cache = tempDir(t);
  const env = { XDG_CACHE_HOME: cache };
  assert.equal((await runCli(['config', 'validate'], { cwd, env })).code, 0);
  const files = cacheFiles(cache);
  assert.ok(
    files.some((file) => /\/main-[\w-]+\.cjs\.config\.v8$/.test(file)),
    `cache entries: ${files.join(', ')}`,
  );
  const before = new Map(files.map((file) => [file, statSync(file).mtimeMs]));

  assert.equal((await runCli(['config', 'validate'], { cwd, env })).code, 0);
  for (const [file, mtime] of before) assert.equal(statSync(file).mtimeMs, mtime, `${file} was reused, not rewritten`);

  const victim = files.find((file) => file.includes('/main-')) as string;
  assert.ok(victim);
  writeFileSync(victim, 'not a V8 code cache');
  const result = await runCli(['config', 'validate'], { cwd, env });
  assert.equal(result.code, 0, result.stderr);
  assert.ok(statSync(victim).size > 1000, 'the rejected entry was written again');
});

test('STAGECRAFT_NO_CACHE=1 writes no cache at all', async (t) => {
  const cwd = tempProject(t, { 'stagecraft.yml': CONFIG });
  const cache = tempDir(t);
  assert.equal((await runCli(['config', 'validate'], { cwd, env: { XDG_CACHE_HOME: cache, STAGECRAFT_NO_CACHE: '1' } })).code, 0);
  assert.deepEqual(cacheFiles(cache), []);
});

test('the bundle has no native import(): code compiled through the cache could not run one', () => {
  const dist = join(import.meta.dirname, '..', '..', 'dist');
  const offenders = readdirSync(dist)
    .filter((file) => file.endsWith('.cjs'))
    .filter((file) => /\bimport\(\s*["'`]/.test(readFileSync(join(dist, file), 'utf8')));
  assert.deepEqual(offenders, []);
});
