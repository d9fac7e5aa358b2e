import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { createRequire } from 'node:module';

// node:child_process costs start-up time; commands that run no process (`config validate`, `--help`) should
// not pay it, so it is loaded on first use. (node:net, which it also loads, is not deferred anywhere: the
// host:port fields of the provider schemas use it (core/provider-kit/host-port.ts), and a piped or terminal
// stdout is a net.Socket.)
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
