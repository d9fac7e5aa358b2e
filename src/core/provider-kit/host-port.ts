import { isIP } from 'node:net';
import { type Operation, StagecraftError } from '../errors.js';

/** A parsed `host:port`; an IPv6 host is given without its brackets. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Which hosts a provider accepts. `name`: any host name, an IPv4 address or a bracketed IPv6 address (the
 * generic provider hands it to the server as HOST). `ip-or-localhost`: an IP literal or `localhost` only
 * (`encore run --listen` fails on any other host name with "failed to parse listen address").
 */
export type HostRule = 'name' | 'ip-or-localhost';

/** What each rule expects, in the words of every message about it (schema issues and --listen errors). */
const EXPECTED: Record<HostRule, string> = {
  name: 'host:port with a port 1-65535',
  'ip-or-localhost': 'host:port with an IP address or localhost and a port 1-65535',
};

export function expectedHostPort(rule: HostRule): string {
  return EXPECTED[rule];
}

/** `host:port` with a port 1-65535 and a host the rule allows; IPv6 hosts are bracketed. */
export function parseHostPort(value: string, rule: HostRule = 'name'): HostPort | undefined {
  const match = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(value);
  if (match === null) return undefined;
  const raw = match[1] as string;
  const bracketed = raw.startsWith('[');
  const host = bracketed ? raw.slice(1, -1) : raw;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  if (bracketed) return isIP(host) === 6 ? { host, port } : undefined;
  const valid = rule === 'name' ? /^[A-Za-z0-9.-]+$/.test(host) : host === 'localhost' || isIP(host) === 4;
  return valid ? { host, port } : undefined;
}

/** `stagecraft dev --listen`: the parsed address, or a USAGE error naming what the provider expects. */
export function parseListenFlag(value: string, rule: HostRule, where: { provider: string; operation?: Operation }): HostPort {
  const parsed = parseHostPort(value, rule);
  if (parsed !== undefined) return parsed;
  throw new StagecraftError({
    category: 'USAGE',
    provider: where.provider,
    operation: where.operation ?? 'dev',
    message: `--listen: expected ${EXPECTED[rule]}, found ${JSON.stringify(value)}`,
  });
}

/** host:port as written in messages and argv: an IPv6 host in brackets. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The URL a user would open for a listen address: wildcards are reached on localhost. */
export function listenUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::') return `http://localhost:${port}`;
  return `http://${formatHostPort(host, port)}`;
}
