import type { ChildProcessHandle } from './runner.js';

export interface StopOptions {
  /** Sent first to the whole group (e.g. SIGINT for `encore run`, SIGTERM by default). */
  readonly signal: NodeJS.Signals;
  /** How long the group gets to exit before it is SIGKILLed. */
  readonly graceMs: number;
}

export interface StopResult {
  /** The grace period ran out and the group had to be SIGKILLed. */
  readonly forced: boolean;
}

const POLL_MS = 25;
/** After SIGKILL only the kernel is left to act; this bounds the wait if something is stuck in D state. */
const KILL_WAIT_MS = 2000;

/**
 * Stops a child's whole process group: the stop signal, then up to `graceMs` for every member to exit,
 * then SIGKILL. Resolves once no member is running. Safe to call on a group that is already gone.
 */
export async function stopProcessGroup(child: ChildProcessHandle, options: StopOptions): Promise<StopResult> {
  if (!child.isGroupAlive()) {
    child.release();
    return { forced: false };
  }
  child.signal(options.signal);
  if (await waitForGroupExit(child, options.graceMs)) {
    child.release();
    return { forced: false };
  }
  child.signal('SIGKILL');
  await waitForGroupExit(child, KILL_WAIT_MS);
  child.release();
  return { forced: true };
}

/** Resolves true as soon as the group is gone, false if it is still running after `timeoutMs`. */
export async function waitForGroupExit(child: ChildProcessHandle, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  const leaderExit = child.exit.then(
    () => undefined,
    () => undefined,
  );
  for (;;) {
    // While the leader runs the group is alive by definition; only then is /proc worth scanning.
    if (child.hasExited && !child.isGroupAlive()) return true;
    const remaining = deadline - performance.now();
    if (remaining <= 0) return false;
    await Promise.race([child.hasExited ? undefined : leaderExit, delay(Math.min(POLL_MS, remaining))]);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
