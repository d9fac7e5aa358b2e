#!/usr/bin/env node
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandOf, enableCompileCache } from './compile-cache.js';
import { stagecraftCacheDir } from './core/cache-dir.js';
import { VERSION } from './version.js';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // The most scripted call answers before the CLI framework is even loaded. An answer that cannot be
  // written (stdout closed or full) is a failure, not exit 0.
  process.stdout.on('error', () => {
    process.exitCode = 1;
  });
  process.stdout.write(`${VERSION}\n`);
} else {
  enableCompileCache(dirname(fileURLToPath(import.meta.url)), stagecraftCacheDir(process.env), commandOf(args));
  const keepExitCode = exitOnStopSignal();
  void import('./cli/main.js').then(async ({ main }) => {
    const code = await main(args);
    keepExitCode(code);
    // Exit explicitly once the output is out, rather than letting the event loop run dry: on a natural exit
    // Node closes its signal watchers, and libuv then restores the default action, so a Ctrl+C landing in
    // those last milliseconds killed the process by SIGINT. process.exit() skips that teardown.
    // One turn first: log text is batched and written on the next turn (core/logging/output.ts).
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
    process.exit(code);
  });
}

/** Resolves once everything written to `stream` so far has reached the OS, or the stream has failed. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) return resolve();
    stream.write('', () => resolve());
  });
}

/**
 * main() removes its signal handlers when it returns. A Ctrl+C that lands after that, while the last
 * lines are still being written, must not turn the command's exit code into death by SIGINT: these
 * handlers, installed before main() and idle while main's own run, exit with the command's code instead.
 * Before main() has its handlers (still loading), a stop signal ends the process as it would by default.
 */
function exitOnStopSignal(): (code: number) => void {
  const signalExit = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
  let finished: number | undefined;
  const handler = (signal: keyof typeof signalExit) => {
    if (finished !== undefined) process.exit(finished);
    if (process.listenerCount(signal) === 1) process.exit(signalExit[signal]);
  };
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(name, handler);
  return (code) => {
    finished = code;
  };
}
