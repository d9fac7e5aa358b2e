import { mkdirSync, realpathSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StagecraftError } from '../errors.js';
import { pathHash } from '../path-hash.js';

// node:net is imported as usual: a command that locks has loaded it anyway (the host:port fields of the provider
// schemas use it, and a piped or terminal stdout is a net.Socket), so deferring it would save nothing.

export interface InstanceLock {
  /** Frees the lock for the next run (it is freed anyway when this process dies, however it dies). */
  release(): void;
}

export interface InstanceLockOptions {
  /** What is locked: one owner per key (e.g. the config file's path). */
  readonly key: string;
  /** How messages name the locked thing ("stagecraft dev for stagecraft.yml"). */
  readonly what: string;
  /** The lock's socket address; derived from the key by default (tests pass their own). */
  readonly address?: string;
}

/** How long the running owner gets to say who it is. */
const QUERY_TIMEOUT_MS = 5000;

/**
 * One owner per key at a time, held as a listening unix socket. The kernel frees a socket when its
 * owner dies (SIGKILL and crashes included), so a crashed run never blocks the next: on Linux the
 * socket is abstract (no file at all); elsewhere a socket file whose owner is gone refuses connections,
 * which marks it stale. Whoever finds the lock taken asks the owner, over the socket, for its pid.
 */
export async function acquireInstanceLock(options: InstanceLockOptions): Promise<InstanceLock> {
  const address = options.address ?? defaultAddress(options.key);
  for (let attempt = 0; ; attempt++) {
    const server = await listen(address);
    if (server !== undefined) {
      return {
        release() {
          server.close();
        },
      };
    }
    const owner = await askOwner(address);
    if (owner === 'stale' && attempt === 0 && !address.startsWith('\0')) {
      rmSync(address, { force: true }); // a socket file left by a run that died
      continue;
    }
    throw lockedError(options.what, owner === 'stale' ? undefined : owner);
  }
}

function defaultAddress(key: string): string {
  let canonical = key;
  try {
    canonical = realpathSync(key);
  } catch {}
  const hash = pathHash(canonical);
  if (process.platform === 'linux') return `\0stagecraft-lock-${hash}`;
  const dir = join(tmpdir(), `stagecraft-${process.getuid?.() ?? 'user'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return join(dir, `${hash}.sock`);
}

/** The listening lock server, or undefined when the address is taken. */
function listen(address: string): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.end(`${JSON.stringify({ pid: process.pid })}\n`);
    });
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(undefined);
      else reject(error);
    });
    server.listen({ path: address, exclusive: true }, () => {
      server.unref(); // the lock never keeps Stagecraft alive
      resolve(server);
    });
  });
}

/** The owner's pid; 'stale' when nobody answers at the address; undefined when the owner did not say. */
function askOwner(address: string): Promise<number | 'stale' | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const socket = connect({ path: address });
    socket.setTimeout(QUERY_TIMEOUT_MS, () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    socket.once('end', () => {
      try {
        const pid = (JSON.parse(text) as { pid?: unknown }).pid;
        resolve(typeof pid === 'number' ? pid : undefined);
      } catch {
        resolve(undefined);
      }
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? 'stale' : undefined);
    });
  });
}

function lockedError(what: string, pid: number | undefined): StagecraftError {
  return new StagecraftError({
    category: 'DEV_SERVER_FAILED',
    operation: 'dev',
    message: `${what} is already running${pid === undefined ? '' : ` (pid ${pid})`}; only one may run at a time`,
    hint:
      pid === undefined
        ? 'Stop the other run (Ctrl+C in its terminal), then try again.'
        : `Stop it with Ctrl+C in its terminal, or run \`kill ${pid}\`, then try again.`,
  });
}
