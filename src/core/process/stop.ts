import { monotonicMs } from '../clock.js';
import type { ChildProcessHandle } from './start-child.js';

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

/**
 * Resolves true as soon as the group is gone, false if it is still running after `timeoutMs`. Waits by
 * events and timers only (the leader's exit, then a poll every POLL_MS), so signals and the output of
 * members that are still draining are handled while it waits.
 */
export async function waitForGroupExit(child: ChildProcessHandle, timeoutMs: number): Promise<boolean> {
  const deadline = monotonicMs() + timeoutMs;
  const leaderExit = child.exit.then(
    () => undefined,
    () => undefined,
  );
  for (;;) {
    // While the leader runs the group is alive by definition; only then is /proc worth scanning.
    if (child.hasExited && !child.isGroupAlive()) return true;
    const remaining = deadline - monotonicMs();
    if (remaining <= 0) return false;
    const tick = delay(Math.min(POLL_MS, remaining));
    // Once the leader has exited only the timer may end a round: an already settled promise in the race
    // would make this loop spin on microtasks and never let the event loop run.
    await (child.hasExited ? tick : Promise.race([leaderExit, tick]));
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
