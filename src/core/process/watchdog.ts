import type { ChildProcess } from 'node:child_process';
import { spawnDetached } from './spawn.js';

/**
 * If Stagecraft itself is killed with SIGKILL it gets no chance to stop its children, and a detached
 * child group would run on as orphans. Each group therefore gets a tiny guard: a `sh` in its own
 * session that blocks reading a pipe only Stagecraft holds. When Stagecraft dies, the kernel closes the
 * pipe, the read returns EOF, and the guard SIGKILLs the group. On a normal stop Stagecraft writes
 * `done` first and the guard exits quietly.
 *
 * The script is a constant and the group ID its only argument (a number we produced): no user input
 * ever reaches this shell. `sh` costs ~1 MB and ~2 ms to start; a Node watchdog would cost ~40 MB.
 */
const GUARD_SCRIPT = 'trap "" INT TERM HUP; read -r line; [ "$line" = done ] || kill -s KILL -- -"$1" 2>/dev/null';

export interface GroupGuard {
  /** The group is gone: let the guard exit without killing anything. */
  release(): void;
}

export function guardProcessGroup(pgid: number): GroupGuard {
  let released = false;
  let guard: ChildProcess | undefined;
  try {
    guard = spawnDetached('/bin/sh', ['-c', GUARD_SCRIPT, 'stagecraft-guard', String(pgid)], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    guard.on('error', () => {});
    guard.stdin?.on('error', () => {});
    guard.unref();
  } catch {
    // No /bin/sh (unusual): the normal stop path still cleans up; only the SIGKILL case is unguarded.
    guard = undefined;
  }
  return {
    release() {
      if (released || guard === undefined) return;
      released = true;
      guard.stdin?.end('done\n');
    },
  };
}
