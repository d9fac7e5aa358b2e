import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { createRequire } from 'node:module';

// node:child_process costs start-up time; commands that run no process (`config validate`, `--help`) should
// not pay it, so it is loaded on first use. (It also loads node:net, but deferring it does not keep node:net
// out: encore-ts's listen.ts imports it to validate the config, and a piped stdout is a net.Socket.)
const requireBuiltin = createRequire(import.meta.url);
let childProcess: typeof import('node:child_process') | undefined;

/**
 * Spawns without a shell, as the leader of a new process group (detached), so a stop can reach the
 * whole tree and the terminal's Ctrl+C reaches only Stagecraft.
 */
export function spawnDetached(command: string, args: readonly string[], options: Omit<SpawnOptions, 'detached' | 'shell'>): ChildProcess {
  childProcess ??= requireBuiltin('node:child_process') as typeof import('node:child_process');
  return childProcess.spawn(command, args, { ...options, detached: true, shell: false });
}
