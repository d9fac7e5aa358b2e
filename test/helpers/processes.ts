import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** Name of the variable that marks every process a test starts (children inherit it). */
export const MARKER_VARIABLE = 'STAGECRAFT_TEST_MARKER';
/**
 * Set (to 1) on a stand-in's background daemon (the encore stand-in's, like the real `encore daemon`),
 * which outlives each run on purpose and is stopped by its own fixture: not an orphan.
 */
export const DAEMON_VARIABLE = 'STAGECRAFT_TEST_DAEMON';

export interface MarkedProcess {
  readonly pid: number;
  readonly command: string;
}

/**
 * Running (non-zombie) processes whose environment carries `marker`. Environment is inherited through
 * every fork and exec, so this finds a test's whole process tree, even members that were reparented
 * or that left their process group.
 */
export function processesWithMarker(marker: string): MarkedProcess[] {
  const needle = `${MARKER_VARIABLE}=${marker}`;
  const found: MarkedProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') continue;
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (!environ.includes(needle) || environ.includes(`${DAEMON_VARIABLE}=1`)) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' ').trim();
      found.push({ pid: Number(entry), command });
    } catch {
      // The process exited while we looked: not an orphan.
    }
  }
  return found;
}

/**
 * The orphan check every end-to-end test ends with: within `graceMs`, no process started under
 * `marker` may still be running. Throws listing the survivors (and kills them, so one failure does not
 * leak into the next test).
 */
export async function assertNoOrphans(marker: string, graceMs = 3000): Promise<void> {
  const deadline = Date.now() + graceMs;
  let alive = processesWithMarker(marker);
  while (alive.length > 0 && Date.now() < deadline) {
    await delay(50);
    alive = processesWithMarker(marker);
  }
  if (alive.length === 0) return;
  for (const orphan of alive) {
    try {
      process.kill(orphan.pid, 'SIGKILL');
    } catch {}
  }
  throw new Error(`processes left running: ${alive.map((p) => `${p.pid} ${p.command}`).join('; ')}`);
}

/** Whether anything still listens on 127.0.0.1:port (connect succeeds). */
export async function portIsOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A TCP port that was free a moment ago, chosen below the kernel's ephemeral range. A port from `listen(0)` is
 * an ephemeral one, which the kernel may hand to any outgoing connection (every readiness probe of every test
 * running beside this one) between our check and the server's bind: "port already in use" under load. Below
 * the range only a listener can take it, and the bind check rules that out.
 */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const [first] = ephemeralRange();
  const low = 10_000; // above the ports developers use (3000, 4000, 5432, 8080...), never 3000 or 4000
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = low + Math.floor(Math.random() * (first - low));
    const bound = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
    });
    if (bound) return port;
  }
  throw new Error(`no free port found between ${low} and ${first}`);
}

/** The kernel's range for ephemeral ports (Linux's default when it cannot be read). */
function ephemeralRange(): [number, number] {
  try {
    const [first, last] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (first !== undefined && last !== undefined && first > 10_100) return [first, last];
  } catch {}
  return [32_768, 60_999];
}

/**
 * Resolves once `condition()` holds, checking every 20 ms; rejects after `timeoutMs` naming `what`.
 * For waiting on something visible only by looking (a pid appearing or vanishing, a file): the wait
 * ends on the event, and the timeout is a generous bound for a busy machine, never the expected delay.
 */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(20);
  }
}

/** Whether process `pid` exists and is not a zombie (checked by pid, from /proc). */
export function isRunning(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}
