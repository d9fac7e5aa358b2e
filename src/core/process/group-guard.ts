import type { ChildProcess } from 'node:child_process';
import { spawnDetached } from './spawn-detached.js';

/**
 * If Stagecraft itself is killed with SIGKILL it gets no chance to stop its children, and a detached
 * child group would run on as orphans. Each group therefore gets a tiny guard: a `sh` in its own
 * session that blocks reading a pipe only Stagecraft holds. When Stagecraft dies, the kernel closes the
 * pipe, the read returns EOF, and the guard SIGKILLs the group. On a normal stop Stagecraft writes
 * `done` first and the guard exits quietly.
 *
 * The guard is started BEFORE the child it guards, and told the group ID by a write that reaches the
 * pipe synchronously right after the child is spawned: there is no moment in which the child runs and
 * Stagecraft could die without the guard already waiting on its pipe. (A SIGKILL between the two spawns
 * leaves a guard with nothing to guard; it exits on EOF.) The guard answers `armed` on stdout once it
 * holds the group ID.
 *
 * The script is a constant and the group ID (a number we produced) arrives on the pipe: no user input
 * ever reaches this shell. `sh` costs ~1 MB and ~2 ms to start; a Node watchdog would cost ~40 MB.
 */
const GUARD_SCRIPT =
  'trap "" INT TERM HUP; read -r pgid || exit 0; echo armed; read -r line; [ "$line" = done ] || kill -s KILL -- -"$pgid" 2>/dev/null';

export interface GroupGuard {
  /** Tells the guard which group to kill if Stagecraft dies. Call right after spawning the child. */
  arm(pgid: number): void;
  /** Settles once the guard confirmed it holds the group ID (false: no guard could be started). */
  readonly armed: Promise<boolean>;
  /** The group is gone (or was never started): let the guard exit without killing anything. */
  release(): void;
}

export function startGroupGuard(): GroupGuard {
  let released = false;
  let armedWith: number | undefined;
  let guard: ChildProcess | undefined;
  try {
    guard = spawnDetached('/bin/sh', ['-c', GUARD_SCRIPT, 'stagecraft-guard'], { stdio: ['pipe', 'pipe', 'ignore'] });
    guard.on('error', () => {});
    guard.stdin?.on('error', () => {});
    guard.unref();
  } catch {
    // No /bin/sh (unusual): the normal stop path still cleans up; only the SIGKILL case is unguarded.
    guard = undefined;
  }
  const armed = new Promise<boolean>((resolve) => {
    const stdout = guard?.stdout;
    if (!stdout) return resolve(false);
    stdout.once('data', () => {
      resolve(true);
      stdout.destroy(); // nothing else comes; the pipe must not keep Stagecraft alive
    });
    stdout.once('close', () => resolve(false));
    (stdout as unknown as { unref?: () => void }).unref?.();
  });
  return {
    arm(pgid) {
      if (released || armedWith !== undefined) return;
      armedWith = pgid;
      guard?.stdin?.write(`${pgid}\n`);
    },
    armed,
    release() {
      if (released || guard === undefined) return;
      released = true;
      // Unarmed, EOF alone dismisses it; armed, `done` tells it the group ended normally.
      guard.stdin?.end(armedWith === undefined ? undefined : 'done\n');
    },
  };
}
