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
// A behaviour that breaks by hanging (a stop that never ends) must fail, not stall the run. Node applies this
// limit to each test file as a whole; the slowest file took about 4 min with two suites sharing two cores, so
// 15 min leaves room. Tests whose failure mode is a hang set a tighter limit of their own.
const testTimeoutMs = process.env.TEST_TIMEOUT_MS ?? '900000';
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${testTimeoutMs}`, '--test-reporter=spec', ...files],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FORCE_COLOR: '0' } },
);

let passed = 0;
let failed = 0;
let cancelled = 0;
let pending = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  pending += chunk.toString();
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const match = /^ℹ (pass|fail|cancelled) (\d+)$/.exec(line.trim());
    if (match?.[1] === 'pass') passed = Number(match[2]);
    if (match?.[1] === 'fail') failed = Number(match[2]);
    if (match?.[1] === 'cancelled') cancelled = Number(match[2]);
  }
});
child.on('close', (code) => {
  // A test cut off by its timeout is reported as cancelled: it failed to finish, so it counts as failed.
  console.log(`\n${passed} passed, ${failed + cancelled} failed`);
  process.exit(code ?? 1);
});
