import { connect, createServer } from 'node:net';
import { type Operation, StagecraftError } from '../errors.js';
import { formatHostPort } from '../provider-kit/host-port.js';

export interface PortCheck {
  /** The address the server will listen on, as the user wrote it ("127.0.0.1", "0.0.0.0", "::", "localhost"). */
  readonly host: string;
  readonly port: number;
  /** Where a readiness probe would connect (loopback for wildcard hosts). */
  readonly probeHosts: readonly string[];
  readonly provider?: string;
  readonly operation?: Operation;
}

/**
 * Fails at once (DEV_SERVER_FAILED) when another process already holds the port the server is about to
 * listen on. Otherwise a readiness probe would be answered by that process and "ready" reported for a
 * server that never started. Two looks: can this address be bound (it cannot while someone listens on
 * it, or on a wildcard covering it), and does anything answer where the probe would connect.
 */
export async function assertPortFree(check: PortCheck): Promise<void> {
  const bindable = !(await addressInUse(check.host, check.port));
  const answering = bindable ? await anyAccepts(check.probeHosts, check.port) : true;
  if (!answering) return;
  const address = formatAddress(check.host, check.port);
  throw new StagecraftError({
    category: 'DEV_SERVER_FAILED',
    provider: check.provider,
    operation: check.operation,
    message: `port ${check.port} is already in use: another process listens on ${address}, so the server cannot start there`,
    hint: `Stop the process using port ${check.port} (e.g. \`lsof -i :${check.port}\` shows it), or choose another address with --listen host:port.`,
  });
}

function formatAddress(host: string, port: number): string {
  return formatHostPort(host.replace(/^\[(.*)\]$/, '$1') || '0.0.0.0', port);
}

/**
 * Binds host:port for a moment: undefined when that works, else the error code (EADDRINUSE when someone
 * listens there or on a wildcard covering it; EACCES for a privileged port; EADDRNOTAVAIL for an address
 * this machine does not have). The one bind probe behind every port check.
 */
export function bindError(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host: host.replace(/^\[(.*)\]$/, '$1') || undefined, port, exclusive: true }, () => {
      server.close(() => resolve(undefined));
    });
  });
}

/** Whether the address is in use; other bind failures (no such local address, a privileged port) are not ours to judge. */
export async function addressInUse(host: string, port: number): Promise<boolean> {
  return (await bindError(host, port)) === 'EADDRINUSE';
}

function anyAccepts(hosts: readonly string[], port: number): Promise<boolean> {
  return Promise.all(
    hosts.map(
      (host) =>
        new Promise<boolean>((resolve) => {
          const socket = connect({ host, port });
          const done = (accepted: boolean) => {
            socket.destroy();
            resolve(accepted);
          };
          socket.setTimeout(1000, () => done(false));
          socket.once('connect', () => done(true));
          socket.once('error', () => done(false));
        }),
    ),
  ).then((results) => results.includes(true));
}
