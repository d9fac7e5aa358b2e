import type { AddressInfo, Server } from 'node:net';
import { StagecraftError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { findPortHolder } from './proxy-port-holder.js';

/** Loopback only: the proxy serves this machine's browser, never the network. */
export const LOOPBACK_HOSTS = ['127.0.0.1', '::1'] as const;

export interface BoundListeners {
  readonly port: number;
  /** One server per loopback address that could be bound (::1 is skipped where IPv6 is off). */
  readonly servers: readonly Server[];
}

export interface PortPlan {
  /** `https` or `http`: named in warnings and errors. */
  readonly kind: 'https' | 'http';
  /** From config (`dev.proxy.https_port` / `http_port`): used as is, failing hard. */
  readonly configured: number | undefined;
  readonly preferred: number;
  readonly fallback: number;
  /** The config key named when a configured port cannot be bound. */
  readonly configKey: string;
  /** Makes a fresh, unbound server (one per address). */
  readonly createServer: () => Server;
  readonly logger: Logger;
}

/**
 * Binds a port on 127.0.0.1 and ::1 by the contract's rules: a configured port or nothing (a hard failure);
 * else the preferred port, falling back on EACCES (with the platform's fix) or EADDRINUSE (naming the
 * holder). Returns undefined only for `http`, whose failure is never fatal.
 */
export async function bindPort(plan: PortPlan): Promise<BoundListeners | undefined> {
  if (plan.configured !== undefined) return bindConfigured(plan, plan.configured);
  try {
    return await bindLoopback(plan.createServer, plan.preferred);
  } catch (error) {
    const code = errorCode(error);
    const fix = fixFor(plan.preferred, code);
    const what = plan.kind === 'https' ? 'the HTTPS proxy' : 'the HTTP redirect';
    // One record (the fix inside it), so JSON output carries the fix too.
    plan.logger.warn(`${fallbackReason(plan, code)}: ${what} listens on port ${plan.fallback} instead${fix ? `. ${fix}` : ''}`, {
      port: plan.preferred,
      fallback: plan.fallback,
      code,
    });
  }
  try {
    return await bindLoopback(plan.createServer, plan.fallback);
  } catch (error) {
    const code = errorCode(error);
    if (plan.kind === 'http') {
      plan.logger.warn(`the HTTP redirect is off: port ${plan.fallback} cannot be bound either (${code}); use the https:// URLs`, { code });
      return undefined;
    }
    throw new StagecraftError({
      category: 'DEV_SERVER_FAILED',
      operation: 'dev',
      component: 'proxy',
      message: `the HTTPS proxy cannot listen: port ${plan.preferred} and its fallback ${plan.fallback} both failed (${code})`,
      hint: `Free port ${plan.fallback}, or set ${plan.configKey} to a free port.`,
      cause: error,
    });
  }
}

async function bindConfigured(plan: PortPlan, port: number): Promise<BoundListeners> {
  try {
    return await bindLoopback(plan.createServer, port);
  } catch (error) {
    const code = errorCode(error);
    // DEV_SERVER_FAILED, not INVALID_CONFIG: the value is valid, the machine refuses it now (as for any
    // dev server whose port is taken, see core/net/port.ts); the user asked for this port, so no fallback.
    throw new StagecraftError({
      category: 'DEV_SERVER_FAILED',
      operation: 'dev',
      component: 'proxy',
      message: `${plan.configKey} is ${port}, and it cannot be bound on loopback: ${fallbackReason({ ...plan, preferred: port }, code)}`,
      hint: fixFor(port, code) ?? `Choose another port for ${plan.configKey}, or remove it to let Stagecraft fall back by itself.`,
      cause: error,
    });
  }
}

/** Binds 127.0.0.1 and then ::1 on the same port (port 0: the one the first bind got). */
export async function bindLoopback(createServer: () => Server, port: number): Promise<BoundListeners> {
  for (let attempt = 0; ; attempt++) {
    const v4 = createServer();
    await listen(v4, LOOPBACK_HOSTS[0], port);
    const bound = (v4.address() as AddressInfo).port;
    const v6 = createServer();
    try {
      await listen(v6, LOOPBACK_HOSTS[1], bound);
      return { port: bound, servers: [v4, v6] };
    } catch (error) {
      const code = errorCode(error);
      // No IPv6 loopback on this machine: 127.0.0.1 alone serves (browsers try both).
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') return { port: bound, servers: [v4] };
      await closeServer(v4);
      // An ephemeral port free on 127.0.0.1 but taken on ::1: draw another.
      if (port === 0 && code === 'EADDRINUSE' && attempt < 10) continue;
      throw error;
    }
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true, ipv6Only: host === '::1' }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (error instanceof Error ? error.message : String(error));
}

function fallbackReason(plan: Pick<PortPlan, 'preferred'>, code: string): string {
  const port = plan.preferred;
  if (code === 'EACCES') return `port ${port} needs privileges this process does not have (EACCES)`;
  if (code === 'EADDRINUSE') {
    const holder = findPortHolder(port);
    const who = holder ? `${holder.command} (pid ${holder.pid})` : `another process (\`ss -ltnp 'sport = :${port}'\` as root shows which)`;
    return `port ${port} is in use by ${who} (EADDRINUSE)`;
  }
  return `port ${port} cannot be bound on loopback (${code})`;
}

/** The platform's way to let an unprivileged process bind a low port; undefined when not a privilege problem. */
export function fixFor(port: number, code: string, platform: NodeJS.Platform = process.platform): string | undefined {
  if (code !== 'EACCES') return undefined;
  if (platform === 'linux') {
    return `To serve on ${port}: \`sudo sysctl -w net.ipv4.ip_unprivileged_port_start=${port}\` (persist it in /etc/sysctl.d/), or \`sudo setcap cap_net_bind_service=+ep ${process.execPath}\`.`;
  }
  if (platform === 'darwin') {
    return `macOS lets unprivileged processes bind ports below 1024 only on the wildcard address, and the proxy binds loopback only: keep port ${port === 80 ? 8081 : 8443}, or forward ${port} with pf.`;
  }
  return `Binding ports below 1024 needs privileges on this system: keep the fallback port.`;
}
