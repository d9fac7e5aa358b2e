import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { CommandIo } from './context.js';
import { main } from './main.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** In-memory stdout/stderr, as main() takes them when Stagecraft is embedded or tested. */
function memoryIo(cwd: string): CommandIo & { out(): string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  stderr.resume();
  return {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    env: { PATH: process.env.PATH, HOME: cwd },
    cwd,
    out: () => Buffer.concat(chunks).toString('utf8'),
  };
}

const listenerCounts = () => STOP_SIGNALS.map((signal) => process.listenerCount(signal));

test('main() removes its signal handlers when it returns, so a second main() in the process starts from none', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'stagecraft-main-'));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  const before = listenerCounts();
  for (const argv of [['providers'], ['providers'], ['--version'], ['no-such-command']]) {
    const io = memoryIo(cwd);
    const code = await main(argv, io);
    assert.equal(code, argv[0] === 'no-such-command' ? 1 : 0, argv.join(' '));
    assert.deepEqual(listenerCounts(), before, `after main(${JSON.stringify(argv)})`);
  }
});
