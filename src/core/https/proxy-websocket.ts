import { type IncomingMessage, request } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ForwardedFor, upstreamRequestHeaders } from './proxy-headers.js';
import { DIAL_OPTIONS, type Upstream } from './proxy-upstream.js';

export interface UpgradeTarget {
  readonly upstream: Upstream;
  readonly forwarded: ForwardedFor;
  /** Called with each socket the tunnel opens, so closing the proxy can end it. */
  readonly track: (socket: Duplex) => void;
  /** The answer when the upstream cannot be dialled: a whole raw HTTP/1.1 response. */
  readonly badGateway: (reason: string) => string;
  readonly onDone: (status: number) => void;
}

/**
 * Tunnels an HTTP/1.1 Upgrade (WebSocket: a Vite hot-reload socket) to the upstream. The handshake is
 * forwarded with its Upgrade and Connection headers (hop-by-hop, but they are the request here); the
 * upstream's 101 goes back as it came, and from then on bytes flow both ways untouched. An upstream that
 * refuses the upgrade (Vite's host check answers 403) has its answer relayed to the client.
 */
export function tunnelUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, target: UpgradeTarget): void {
  const headers = upstreamRequestHeaders(req.headers, target.forwarded);
  headers.connection = 'Upgrade';
  headers.upgrade = req.headers.upgrade;
  const upstreamReq = request({
    host: target.upstream.hostname,
    port: target.upstream.port,
    method: req.method,
    path: req.url,
    headers,
    agent: false,
    ...DIAL_OPTIONS,
  });
  const fail = () => {
    upstreamReq.destroy();
    client.destroy();
  };
  client.on('error', fail);
  upstreamReq.on('upgrade', (response, upstream, upstreamHead) => {
    target.track(upstream);
    client.write(rawHead(101, response.statusMessage ?? 'Switching Protocols', response.rawHeaders));
    if (upstreamHead.length > 0) client.write(upstreamHead);
    if (head.length > 0) upstream.write(head);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.pipe(client).pipe(upstream);
    target.onDone(101);
  });
  upstreamReq.on('response', (response) => {
    // Refused: relay status, headers and body, then close (the body arrives decoded, so no framing headers).
    const raw: string[] = [];
    for (let i = 0; i < response.rawHeaders.length; i += 2) {
      const name = response.rawHeaders[i] ?? '';
      if (!/^(connection|transfer-encoding|content-length|keep-alive)$/i.test(name)) raw.push(name, response.rawHeaders[i + 1] ?? '');
    }
    client.write(rawHead(response.statusCode ?? 502, response.statusMessage ?? '', [...raw, 'Connection', 'close']));
    response.pipe(client);
    response.on('error', fail);
    target.onDone(response.statusCode ?? 502);
  });
  upstreamReq.on('error', (error: NodeJS.ErrnoException) => {
    if (!client.writable) return;
    client.end(target.badGateway(error.code ?? error.message));
    target.onDone(502);
  });
  upstreamReq.end();
}

function rawHead(status: number, message: string, rawHeaders: readonly string[]): string {
  let head = `HTTP/1.1 ${status} ${message}\r\n`;
  for (let i = 0; i < rawHeaders.length; i += 2) head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return `${head}\r\n`;
}
