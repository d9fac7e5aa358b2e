#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's test runner (via tsx), streams its report,
// and ends with the line CI reads: "N passed, N failed". Arguments filter files by substring.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function findTests(dir) {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: false })
    .map((entry) => join(dir, String(entry)))
    .filter((file) => file.endsWith('.test.ts') && !file.includes('node_modules'));
}

const files = ['src', 'test']
  .flatMap(findTests)
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}

// Most test files wait on real processes and timers rather than the CPU, so more files run than there are
// cores. Not all: the config fuzz test is CPU-bound, and under a higher TEST_CONCURRENCY it competes with the
// process tests for the cores, which is why no test may assert on wall-clock durations.
const concurrency = process.env.TEST_CONCURRENCY ?? '4';
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FORCE_COLOR: '0' } },
);

let passed = 0;
let failed = 0;
let pending = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  pending += chunk.toString();
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const match = /^ℹ (pass|fail) (\d+)$/.exec(line.trim());
    if (match?.[1] === 'pass') passed = Number(match[2]);
    if (match?.[1] === 'fail') failed = Number(match[2]);
  }
});
child.on('close', (code) => {
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(code ?? 1);
});
