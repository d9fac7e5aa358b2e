import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cliEnvironment } from './cli.js';
import { assertNoOrphans } from './processes.js';

/** tsx, found from here: the child runs in a temp project where no node_modules exists. */
const TSX = import.meta.resolve('tsx');

export interface CustomCliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a fixture's own CLI (the built package plus a provider registered from outside it) with tsx. With
 * `untilStderr`, sends SIGINT once stderr matches (a dev server reached ready). Resolves after the orphan check.
 */
export function runCustomCli(
  cliPath: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  untilStderr?: RegExp,
): Promise<CustomCliResult> {
  const marker = randomUUID();
  const child = spawn(process.execPath, ['--import', TSX, cliPath, ...args], {
    cwd,
    env: { ...cliEnvironment({ cwd, env }, marker) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  let stopped = false;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!stopped && untilStderr?.test(stderr)) {
      stopped = true;
      child.kill('SIGINT');
    }
  });
  return new Promise((resolve, reject) =>
    child.on('close', (code) => assertNoOrphans(marker).then(() => resolve({ code, stdout, stderr }), reject)),
  );
}
