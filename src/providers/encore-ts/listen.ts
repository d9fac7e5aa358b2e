import { isIP } from 'node:net';

export type ListenAddress = { readonly ok: true; readonly host: string; readonly port: number } | { readonly ok: false };

/**
 * `encore run --listen` takes host:port where the host is an IP literal or `localhost` (the real CLI
 * fails on any other hostname with "failed to parse listen address"). IPv6 hosts are bracketed.
 */
export function parseListenAddress(value: string): ListenAddress {
  const match = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(value);
  if (match === null) return { ok: false };
  const rawHost = match[1] as string;
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  const port = Number(match[2]);
  const hostValid = rawHost.startsWith('[') ? isIP(host) === 6 : host === 'localhost' || isIP(host) === 4;
  if (!hostValid || port < 1 || port > 65535) return { ok: false };
  return { ok: true, host, port };
}

/** The URL a user would open for a listen address: wildcards are reached on localhost. */
export function listenUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::') return `http://localhost:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}
