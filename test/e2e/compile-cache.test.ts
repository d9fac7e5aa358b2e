import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { tempDir, tempProject } from '../helpers/temp.js';

const CONFIG =
  'project:\n  name: c\nbackend:\n  provider: generic\n  providers:\n    generic:\n      dev:\n        command: [node, x.mjs]\n';

/** Every V8 cache entry under an XDG_CACHE_HOME (Node 20 writes one directory per install). */
function cacheFiles(cache: string): string[] {
  const dir = join(cache, 'stagecraft', 'v8', `${process.version}-${process.arch}`);
  try {
    return readdirSync(dir, { recursive: true })
      .map((file) => join(dir, String(file)))
      .filter((file) => file.endsWith('.v8'));
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
    files.some((file) => /\/boot-[\w-]+\.cjs\.config\.v8$/.test(file)),
    `cache entries: ${files.join(', ')}`,
  );
  const before = new Map(files.map((file) => [file, statSync(file).mtimeMs]));

  assert.equal((await runCli(['config', 'validate'], { cwd, env })).code, 0);
  for (const [file, mtime] of before) assert.equal(statSync(file).mtimeMs, mtime, `${file} was reused, not rewritten`);

  const victim = files.find((file) => file.includes('/boot-')) as string;
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

test('two installs sharing one cache never share entries: stack traces name their own files', async (t) => {
  const cwd = tempDir(t);
  const cache = tempDir(t);
  const [first, second] = [tempDir(t), tempDir(t)].map((root) => {
    cpSync(join(REPO_ROOT, 'dist'), join(root, 'dist'), { recursive: true });
    return join(root, 'dist', 'cli.cjs');
  });
  // A probe that fails inside Stagecraft's own code (its read of STAGECRAFT_CONFIG, an internal error whose
  // stack -v prints) and so shows whichever compiled code ran: its file names come from the code cache when
  // one is used.
  const probe = join(tempDir(t), 'probe.cjs');
  writeFileSync(
    probe,
    `const env = process.env;
Object.defineProperty(process, 'env', { value: new Proxy(env, { get(target, key) {
  if (key === 'STAGECRAFT_CONFIG') throw new TypeError('probe');
  return Reflect.get(target, key);
} }) });
`,
  );
  const env = { PATH: process.env.PATH, HOME: cwd, XDG_CACHE_HOME: cache };
  const run = (cli: string, preload: string[] = []) => {
    const args = preload.length > 0 ? ['config', 'validate', '-v'] : ['providers'];
    return spawnSync(process.execPath, [...preload, cli as string, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  };

  assert.equal(run(first as string).status, 0);
  const entriesOfFirst = cacheFiles(cache);
  assert.ok(entriesOfFirst.length > 0, 'the first install wrote its cache');
  const stamps = new Map(entriesOfFirst.map((file) => [file, statSync(file).mtimeMs]));

  const crash = run(second as string, ['--require', probe]);
  assert.notEqual(crash.status, 0);
  const frames = crash.stderr.split('\n').filter((line) => /^ +at .*\/dist\/[\w-]+\.cjs:/.test(line));
  assert.ok(frames.length > 0, crash.stderr);
  const secondDist = join(second as string, '..');
  for (const frame of frames) assert.ok(frame.includes(secondDist), `frame names another install: ${frame}\n${crash.stderr}`);

  assert.equal(run(second as string).status, 0);
  const entriesOfSecond = cacheFiles(cache).filter((file) => !stamps.has(file));
  assert.ok(entriesOfSecond.length > 0, 'the second install wrote entries of its own');
  for (const [file, mtime] of stamps) assert.equal(statSync(file).mtimeMs, mtime, `${file} (first install) was left alone`);
  const frameAgain = run(second as string, ['--require', probe]).stderr;
  assert.ok(!frameAgain.includes(join(first as string, '..')), frameAgain);
});
