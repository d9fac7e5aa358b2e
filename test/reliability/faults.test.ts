import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { encoreProject } from '../../src/providers/encore-ts/test/fixtures.js';
import type { CliProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { recordFigure } from './figures.js';

let faults = 0;
let peakRssMb = 0;

/** Stagecraft's peak RSS so far, from /proc (read while it runs). */
function peakRss(cli: CliProcess): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${cli.pid}/status`, 'latin1'));
  return match ? Number(match[1]) / 1024 : 0;
}

test('encore crashing at any moment is DEV_SERVER_FAILED (7) with nothing left running', async (t) => {
  const project = await encoreProject(t, { dev: ['        ready_timeout: 20s'] });
  // Each moment with how the child's end must be reported (the footer of the error block).
  const moments: [string, Record<string, string>, RegExp][] = [
    ['before the banner', { STANDIN_ENCORE_BANNER_DELAY_MS: '2000', STANDIN_ENCORE_EXIT_AFTER_MS: '100' }, /exit code 1$/m],
    ['between banner and listening', { STANDIN_ENCORE_NO_LISTEN: '1', STANDIN_ENCORE_EXIT_AFTER_MS: '600' }, /exit code 1$/m],
    // Late enough that a loaded machine still reaches ready first; that it did is checked below.
    ['after ready', { STANDIN_ENCORE_EXIT_AFTER_MS: '8000' }, /exit code 1$/m],
    ['by a signal', { STANDIN_ENCORE_EXIT_AFTER_MS: '300', STANDIN_ENCORE_EXIT_SIGNAL: 'SIGABRT' }, /signal SIGABRT$/m],
    ['with code 0', { STANDIN_ENCORE_EXIT_AFTER_MS: '300', STANDIN_ENCORE_EXIT_CODE: '0' }, /exit code 0$/m],
    ['leaving a grandchild', { STANDIN_ENCORE_EXIT_AFTER_MS: '500', STANDIN_ENCORE_GRANDCHILD: '1' }, /exit code 1$/m],
  ];
  // Plus random moments, including during start-up, drawn reproducibly.
  for (const ms of fc.sample(fc.integer({ min: 0, max: 1500 }), { numRuns: 6, seed: 20261124 })) {
    moments.push([`at ${ms} ms`, { STANDIN_ENCORE_EXIT_AFTER_MS: String(ms), STANDIN_ENCORE_EXIT_CODE: '3' }, /exit code 3$/m]);
  }
  for (const [moment, env, childEnd] of moments) {
    const result = await project.run(['dev'], env); // runCli ends with the orphan check
    assert.equal(result.code, 7, `${moment}: ${result.stderr.slice(-800)}`);
    assert.match(result.stderr, /DEV_SERVER_FAILED · encore-ts · dev/, moment);
    assert.match(result.stderr, childEnd, `${moment}: ${result.stderr.slice(-800)}`);
    if (moment === 'after ready') assert.match(result.stderr, /ready at http:/, 'the crash came after ready was reached');
    faults++;
  }
});

test('a hanging `secret set` is cut off by its timeout: SECRET_SYNC_FAILED (6), nothing left', async (t) => {
  const project = await encoreProject(t, {
    appId: 'linked-1',
    env: ['A=value-one', 'B=value-two'],
    dev: ['        encore_secrets:', '          from_env: [A, B]', '          store: platform', '          timeout: 1s'],
  });
  const result = await project.run(['dev'], { STANDIN_ENCORE_SECRET_HANG: 'B' });
  assert.equal(result.code, 6, result.stderr);
  assert.match(result.stderr, /encore secret set failed for B .*timed out after 1\.0s/);
  faults++;
});

test('a flood of 1,000,000 lines streams through with bounded memory', async (t) => {
  const project = await encoreProject(t);
  // Generous limits: on a 2-core machine shared with another suite the flood took over 100 s to pass through.
  const cli = project.start(['dev'], { STANDIN_ENCORE_FLOOD_LINES: '1000000' }, { timeoutMs: 420_000 });
  await cli.waitForStderr(/encore: flood done/, 360_000);
  const rss = peakRss(cli);
  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0);
  const lines = result.stderr.split('\n').filter((line) => line.includes('INF request handled')).length;
  assert.equal(lines, 1_000_000, 'every line was shown');
  assert.ok(rss < 150, `peak RSS ${rss.toFixed(0)} MB`);
  peakRssMb = Math.max(peakRssMb, rss);
  recordFigure('faults-flood', { lines, peakRssMb: Math.round(rss) });
  faults++;
});

test('invalid UTF-8, a 10 MB line without a newline, and a closed stdout do not break Stagecraft', async (t) => {
  for (const kind of ['invalid-utf8', 'huge-line', 'close-stdout']) {
    const project = await encoreProject(t);
    const cli = project.start(['dev'], { STANDIN_ENCORE_EMIT: kind }, { timeoutMs: 60_000 });
    await cli.waitForStderr(/ready at/);
    const marker = { 'invalid-utf8': /tail after a cut sequence/, 'huge-line': /after the huge line/, 'close-stdout': /stdout closed/ }[
      kind
    ] as RegExp;
    await cli.waitForStderr(marker, 30_000);
    const rss = peakRss(cli);
    cli.signal('SIGINT');
    const result = await cli.finish();
    assert.equal(result.code, 0, `${kind}: ${result.stderr.slice(-500)}`);
    if (kind === 'invalid-utf8')
      assert.match(result.stderr, /3:04 \uFFFD\uFFFD\uFFFD\(/, 'undecodable bytes become replacement characters');
    if (kind === 'huge-line') {
      assert.match(result.stderr, /x{1000} … \[line truncated: \d+ more bytes\]/);
      assert.ok(result.stderr.length < 2 * 2 ** 20, 'the 10 MB line was not copied to the log');
      assert.ok(rss < 150, `peak RSS ${rss.toFixed(0)} MB`);
      peakRssMb = Math.max(peakRssMb, rss);
    }
    faults++;
  }
});

test('an encore that is not executable, or a directory, is PROVIDER_NOT_AVAILABLE (2)', async (t) => {
  const project = await encoreProject(t);
  const node = tempDir(t);
  symlinkSync(process.execPath, join(node, 'node'));
  const plain = tempDir(t);
  writeFileSync(join(plain, 'encore'), '#!/bin/sh\necho "encore version v1.58.2"\n');
  chmodSync(join(plain, 'encore'), 0o644);
  const directory = tempDir(t);
  mkdirSync(join(directory, 'encore'));
  for (const [bin, message] of [
    [plain, /exists but is not executable/],
    [directory, /is a directory, not an executable/],
  ] as const) {
    const result = await project.run(['dev'], { PATH: `${bin}:${node}` });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
    faults++;
  }
  recordFigure('faults', { faults, peakRssMb: Math.round(peakRssMb) });
});
