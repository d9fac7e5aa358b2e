import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection, not the message: a proxy drops them both
 * ways. HTTP/2 forbids them outright (Node throws on a response carrying one), so an HTTP/1.1 upstream's
 * `Connection: keep-alive` must never reach an h2 client. `host` is rebuilt from the request's authority.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

export interface ForwardedFor {
  /** The Host the client asked for, as sent (with its port): upstreams see the public name. */
  readonly host: string;
  readonly clientAddress: string | undefined;
}

/**
 * Request headers for an HTTP/1.1 upstream: HTTP/2 pseudo-headers (`:authority`, `:path`, ...) become a
 * request line and `Host`; hop-by-hop headers go; X-Forwarded-For is appended to, -Proto and -Host set.
 */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders, forwarded: ForwardedFor): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const dropped = connectionNamed(headers.connection);
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.startsWith(':') || name === 'host' || HOP_BY_HOP.has(name) || dropped.has(name)) continue;
    out[name] = value;
  }
  out.host = forwarded.host;
  const previous = headers['x-forwarded-for'];
  const client = forwarded.clientAddress ?? 'unknown';
  out['x-forwarded-for'] = previous ? `${Array.isArray(previous) ? previous.join(', ') : previous}, ${client}` : client;
  out['x-forwarded-proto'] = 'https';
  out['x-forwarded-host'] = forwarded.host;
  return out;
}

/** Response headers from the upstream with the hop-by-hop ones removed (HTTP/1.1 or HTTP/2 client alike). */
export function clientResponseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const dropped = connectionNamed(headers.connection);
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || dropped.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** Headers a `Connection` header names are hop-by-hop too. */
function connectionNamed(connection: string | undefined): Set<string> {
  if (!connection) return new Set();
  return new Set(
    connection
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** The host name a request is for, lower-cased, without its port or a trailing dot (`[::1]:8443` → `[::1]`). */
export function hostName(authority: string): string {
  const lower = authority.trim().toLowerCase();
  const name = lower.startsWith('[') ? lower.slice(0, lower.indexOf(']') + 1) : lower.replace(/:\d*$/, '');
  return name.endsWith('.') ? name.slice(0, -1) : name;
}
