#!/usr/bin/env node
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandOf, compileCacheDir, enableCompileCache } from './compile-cache.js';
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
  enableCompileCache(dirname(fileURLToPath(import.meta.url)), compileCacheDir(process.env), commandOf(args));
  void import('./cli/main.js').then(async ({ main }) => {
    // exitCode rather than process.exit(): pending stdout/stderr writes to pipes are flushed before exit.
    process.exitCode = await main(args);
  });
}
