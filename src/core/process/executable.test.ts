import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../../test/helpers/temp.js';
import { StagecraftError } from '../errors.js';
import { findExecutable, requireExecutable } from './executable.js';

test('finds the first executable file on PATH and explains what was found instead', (t) => {
  const dir = tempDir(t);
  const [first, second, third] = ['a', 'b', 'c'].map((name) => join(dir, name)) as [string, string, string];
  for (const bin of [first, second, third]) mkdirSync(bin);
  mkdirSync(join(first, 'tool')); // a directory in the way
  writeFileSync(join(second, 'tool'), '#!/bin/sh\n'); // not executable
  writeFileSync(join(third, 'tool'), '#!/bin/sh\n');
  chmodSync(join(third, 'tool'), 0o755);
  assert.deepEqual(findExecutable('tool', [first, second, third].join(':')), { found: true, path: join(third, 'tool') });
  const missing = findExecutable('tool', [first, second].join(':'));
  assert.equal(missing.found, false);
  assert.match(missing.found ? '' : missing.problem, /tool is a directory, not an executable/);
  const onlyPlain = findExecutable('tool', second);
  assert.match(onlyPlain.found ? '' : onlyPlain.problem, /exists but is not executable/);
  const nowhere = findExecutable('nope', dir);
  assert.equal(nowhere.found ? '' : nowhere.problem, 'nope was not found on PATH');
});

test('a program with a slash is a path, resolved from the given working directory', (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'server'), '#!/bin/sh\n');
  chmodSync(join(dir, 'bin', 'server'), 0o755);
  assert.deepEqual(findExecutable('./bin/server', '', dir), { found: true, path: join(dir, 'bin', 'server') });
});

test('requireExecutable fails with PROVIDER_NOT_AVAILABLE and the install hint', (t) => {
  const dir = tempDir(t);
  assert.throws(
    () =>
      requireExecutable('encore', { env: { PATH: dir }, cwd: dir, provider: 'encore-ts', operation: 'dev', installHint: 'Install it.' }),
    (error: unknown) =>
      error instanceof StagecraftError &&
      error.category === 'PROVIDER_NOT_AVAILABLE' &&
      error.provider === 'encore-ts' &&
      error.operation === 'dev' &&
      error.hint === 'Install it.' &&
      /encore is not available: encore was not found on PATH/.test(error.message),
  );
});
