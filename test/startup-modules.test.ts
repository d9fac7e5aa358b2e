import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, REPO_ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';

/**
 * What a command loads is a start-up cost (docs/benchmarks.md cases 1–2). The whole environment's code (the
 * HTTPS proxy, certificates, Compose sessions) and the modules only it needs must not load for a config
 * without an environment: `config validate` and `dev` of a lone backend stay as fast as before issue 13.
 */
function modulesLoaded(t: Parameters<typeof tempDir>[0], args: readonly string[], cwd: string): { builtins: string[]; chunks: string[] } {
  const dir = tempDir(t, 'stagecraft-startup-');
  const out = join(dir, 'loaded.json');
  const hook = join(dir, 'hook.cjs');
  writeFileSync(
    hook,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({ builtins: process.moduleLoadList, chunks: Object.keys(require.cache) })));\n`,
  );
  try {
    execFileSync(process.execPath, ['-r', hook, CLI, ...args], { cwd, stdio: 'ignore', env: { PATH: process.env.PATH ?? '', HOME: dir } });
  } catch {
    // The exit code is not what this test is about; the list is written on exit either way.
  }
  return JSON.parse(readFileSync(out, 'utf8')) as { builtins: string[]; chunks: string[] };
}

test('config validate of a lone backend loads neither the environment chunk, the JSON Schema converter nor crypto, http2, tls or perf_hooks', (t) => {
  const { builtins, chunks } = modulesLoaded(t, ['config', 'validate'], join(REPO_ROOT, 'examples', 'generic-node'));
  assert.ok(
    chunks.some((chunk) => /[\\/]config-[^/]*\.cjs$/.test(chunk)),
    `the config chunk loads: ${chunks.join(', ')}`,
  );
  assert.equal(chunks.filter((chunk) => /environment-/.test(chunk)).length, 0, chunks.join(', '));
  assert.equal(chunks.filter((chunk) => /[\\/]run-/.test(chunk)).length, 0, 'validating runs nothing');
  assert.equal(chunks.filter((chunk) => /json-schema-/.test(chunk)).length, 0, 'only `config schema` converts to JSON Schema');
  for (const name of ['crypto', 'http2', 'tls', 'perf_hooks']) assert.ok(!builtins.includes(`NativeModule ${name}`), `${name} was loaded`);
});

test('config schema loads the JSON Schema converter (the check above can fail)', (t) => {
  const { chunks } = modulesLoaded(t, ['config', 'schema'], join(REPO_ROOT, 'examples', 'generic-node'));
  assert.equal(chunks.filter((chunk) => /json-schema-/.test(chunk)).length, 1, chunks.join(', '));
});

test('--dry-run of a config with services loads the environment chunk (the check above can fail)', (t) => {
  const dir = tempDir(t, 'stagecraft-startup-project-');
  writeFileSync(
    join(dir, 'stagecraft.yml'),
    'project: { name: x }\nbackend: { provider: generic, providers: { generic: { dev: { command: [node] } } } }\ndev: { services: { db: { command: [node] } } }\n',
  );
  const { chunks } = modulesLoaded(t, ['dev', '--dry-run'], dir);
  assert.equal(chunks.filter((chunk) => /environment-/.test(chunk)).length, 1, chunks.join(', '));
});

test('dev of a lone backend loads the run chunk but not the environment chunk, nor crypto, http2 or perf_hooks', (t) => {
  const dir = tempDir(t, 'stagecraft-startup-project-');
  // A dev server that ends at once: dev fails (exit 7), after having loaded everything it needs to start one.
  writeFileSync(
    join(dir, 'stagecraft.yml'),
    'project: { name: x }\nbackend: { provider: generic, providers: { generic: { dev: { command: [node, -e, "0"] } } } }\n',
  );
  const { builtins, chunks } = modulesLoaded(t, ['dev'], dir);
  assert.equal(chunks.filter((chunk) => /[\\/]run-/.test(chunk)).length, 1, chunks.join(', '));
  assert.equal(chunks.filter((chunk) => /environment-/.test(chunk)).length, 0, chunks.join(', '));
  // perf_hooks (with seven more internal modules) is what the `performance` global loads on first use: ~0.9 ms.
  for (const name of ['crypto', 'http2', 'perf_hooks']) assert.ok(!builtins.includes(`NativeModule ${name}`), `${name} was loaded`);
});
