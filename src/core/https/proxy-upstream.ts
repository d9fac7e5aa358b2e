import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { Agent } from 'node:http';
import type { LookupFunction } from 'node:net';

/** A component's internal URL, parsed once, with the keep-alive pool every request to it shares. */
export interface Upstream {
  readonly url: URL;
  readonly hostname: string;
  readonly port: number;
  readonly agent: Agent;
}

export function createUpstream(upstream: string): Upstream {
  const url = new URL(upstream);
  if (url.protocol !== 'http:') throw new Error(`upstream ${upstream}: only http:// upstreams are proxied`);
  return {
    url,
    // `[::1]` in a URL is `::1` to connect().
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port || 80),
    agent: new Agent({ keepAlive: true, scheduling: 'lifo', ...DIAL_OPTIONS }),
  };
}

/**
 * `localhost` is loopback by definition (RFC 6761), but a dev server bound to `localhost` may listen on ::1
 * only (Node ≥ 17 keeps the resolver's order) while /etc/hosts lists only 127.0.0.1, or the reverse. So both
 * families are dialled for it, whatever the resolver says: with `autoSelectFamily`, Node tries each address
 * in turn (happy eyeballs) and keeps the first that answers. Other names resolve as usual.
 */
export const loopbackAwareLookup = ((hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback) => {
  const name = hostname.toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) {
    const both: LookupAddress[] = [
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ];
    if ((options as LookupAllOptions).all) callback(null, both);
    else callback(null, '127.0.0.1', 4);
    return;
  }
  dnsLookup(hostname, options as LookupAllOptions, callback as never);
}) as LookupFunction;

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** Connection options for every dial to an upstream (pooled requests and WebSocket upgrades alike). */
// noDelay: a small response written in two pieces (head, body) otherwise waits for the peer's delayed ACK
// (Nagle): 40 ms per request at one connection, measured (docs/https-proxy.md).
export const DIAL_OPTIONS = {
  lookup: loopbackAwareLookup,
  autoSelectFamily: true,
  autoSelectFamilyAttemptTimeout: 250,
  noDelay: true,
} as const;
