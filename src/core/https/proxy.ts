import { createServer as createHttpServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { monotonicMs } from '../clock.js';
import type { Logger } from '../logging/logger.js';
import { badGatewayHtml, unknownHostHtml } from './proxy-error-page.js';
import { clientResponseHeaders, type ForwardedFor, hostName, upstreamRequestHeaders } from './proxy-headers.js';
import { type BoundListeners, bindPort, closeServer } from './proxy-ports.js';
import { createUpstream, type Upstream } from './proxy-upstream.js';
import { tunnelUpgrade } from './proxy-websocket.js';

/**
 * The in-process HTTPS proxy of `dev.https` (design.md, "HTTPS on dev domains"): one TLS listener per
 * loopback address, HTTP/2 via ALPN with HTTP/1.1 fallback, routing by Host (SNI when there is none) to each
 * component's internal URL, WebSocket upgrades tunnelled, everything streamed. Plain node:http/http2: a
 * library (http-proxy-3) was measured and bought nothing here (docs/https-proxy.md).
 */

export interface ProxyRoute {
  /** e.g. app.platform.localhost (matched case-insensitively; a port in Host is ignored). */
  readonly host: string;
  /** For the 502 page and the logs. */
  readonly component: string;
  /** The component's internal URL, e.g. http://127.0.0.1:5173 or http://localhost:4000 (both families dialled). */
  readonly upstream: string;
  /** 'starting' | 'ready' | 'stopped' | 'failed' ...: shown on the 502 page. */
  state(): string;
}

export interface ProxyPorts {
  readonly https: number;
  readonly http: number;
  readonly httpsFallback: number;
  readonly httpFallback: number;
}

export const DEFAULT_PROXY_PORTS: ProxyPorts = { https: 443, http: 80, httpsFallback: 8443, httpFallback: 8081 };

export interface ProxyOptions {
  /** PEM. */
  readonly cert: string;
  readonly key: string;
  readonly routes: readonly ProxyRoute[];
  /** Configured (dev.proxy.https_port): fails hard if it cannot be bound. */
  readonly httpsPort?: number;
  /** Configured (dev.proxy.http_port): fails hard. */
  readonly httpPort?: number;
  /** Access logs at debug; never an Authorization or Cookie value (no header is logged at all). */
  readonly logger: Logger;
  /** Internal: the unconfigured ports and their fallbacks (tests use ports they hold instead of 443/80). */
  readonly defaultPorts?: ProxyPorts;
}

export interface RunningProxy {
  /** What was really bound. */
  readonly httpsPort: number;
  /** undefined when no HTTP redirect listens (port 80 and its fallback both failed). */
  readonly httpPort: number | undefined;
  /** https://host, or https://host:8443 when it fell back. */
  url(host: string): string;
  /** Closes the listeners and every open connection (WebSocket tunnels included). */
  close(): Promise<void>;
}

interface Route {
  readonly route: ProxyRoute;
  readonly upstream: Upstream;
}

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const ports = options.defaultPorts ?? DEFAULT_PROXY_PORTS;
  const routes = new Map<string, Route>();
  for (const route of options.routes) routes.set(hostName(route.host), { route, upstream: createUpstream(route.upstream) });
  const logger = options.logger.child({ component: 'proxy' });
  const sockets = new Set<Duplex>();
  const track = (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const proxy = new ProxyHandler(routes, logger, track);

  const createTlsServer = (): Server => {
    const server = createSecureServer({ cert: options.cert, key: options.key, allowHTTP1: true, noDelay: true }, (req, res) =>
      proxy.handle(req, res),
    );
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => proxy.upgrade(req, socket, head));
    server.on('connection', track);
    // A client that hangs up mid-handshake is not the proxy's failure.
    server.on('tlsClientError', () => {});
    return server;
  };
  const https = (await bindPort({
    kind: 'https',
    configured: options.httpsPort,
    preferred: ports.https,
    fallback: ports.httpsFallback,
    configKey: 'dev.proxy.https_port',
    createServer: createTlsServer,
    logger,
  })) as BoundListeners;
  const url = (host: string) => `https://${host}${https.port === 443 ? '' : `:${https.port}`}`;

  let http: BoundListeners | undefined;
  try {
    http = await bindPort({
      kind: 'http',
      configured: options.httpPort,
      preferred: ports.http,
      fallback: ports.httpFallback,
      configKey: 'dev.proxy.http_port',
      createServer: () => {
        const server = createHttpServer((req, res) => redirectToHttps(req, res, https.port));
        server.on('connection', track);
        return server;
      },
      logger,
    });
  } catch (error) {
    await Promise.all(https.servers.map(closeServer));
    throw error;
  }
  logger.debug(`HTTPS proxy listening on loopback port ${https.port}${http ? `, HTTP redirect on ${http.port}` : ''}`);

  const servers = [...https.servers, ...(http?.servers ?? [])];
  let closing: Promise<void> | undefined;
  return {
    httpsPort: https.port,
    httpPort: http?.port,
    url,
    close() {
      closing ??= (async () => {
        const closed = Promise.all(servers.map(closeServer));
        for (const socket of sockets) socket.destroy();
        for (const { upstream } of routes.values()) upstream.agent.destroy();
        await closed;
      })();
      return closing;
    },
  };
}

class ProxyHandler {
  readonly #routes: ReadonlyMap<string, Route>;
  readonly #logger: Logger;
  readonly #track: (socket: Duplex) => void;

  constructor(routes: ReadonlyMap<string, Route>, logger: Logger, track: (socket: Duplex) => void) {
    this.#routes = routes;
    this.#logger = logger;
    this.#track = track;
  }

  handle(req: AnyRequest, res: AnyResponse): void {
    const started = monotonicMs();
    const authority = requestAuthority(req);
    const target = this.#routes.get(hostName(authority));
    const protocol = req.httpVersion === '2.0' ? 'h2' : `http/${req.httpVersion}`;
    res.once('close', () => this.#accessLog(req, authority, res.statusCode, protocol, target, started));
    if (target === undefined) {
      sendPage(
        res,
        404,
        unknownHostHtml(
          hostName(authority),
          [...this.#routes.values()].map(({ route }) => route.host),
        ),
      );
      return;
    }
    const forwarded: ForwardedFor = { host: authority, clientAddress: req.socket?.remoteAddress };
    const upstreamReq = request({
      host: target.upstream.hostname,
      port: target.upstream.port,
      method: req.method,
      path: req.url,
      headers: upstreamRequestHeaders(req.headers, forwarded),
      agent: target.upstream.agent,
    });
    upstreamReq.on('response', (upstreamRes) => {
      const headers = clientResponseHeaders(upstreamRes.headers);
      const status = upstreamRes.statusCode ?? 502;
      if (protocol === 'h2') (res as Http2ServerResponse).writeHead(status, headers);
      else (res as ServerResponse).writeHead(status, upstreamRes.statusMessage, headers);
      // Headers go out now, before any body: an SSE stream or a long poll is visibly open at once.
      if (protocol !== 'h2') (res as ServerResponse).flushHeaders();
      upstreamRes.pipe(res as NodeJS.WritableStream);
      upstreamRes.on('error', () => res.destroy());
    });
    upstreamReq.on('error', (error: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendPage(res, 502, badGatewayHtml({ ...pageFields(target, authority), reason: error.code ?? error.message }));
    });
    // The client went away (or the response ended): stop whatever is still running upstream.
    res.once('close', () => upstreamReq.destroy());
    req.on('error', () => upstreamReq.destroy());
    (req as NodeJS.ReadableStream).pipe(upstreamReq);
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const started = monotonicMs();
    const authority = requestAuthority(req);
    const target = this.#routes.get(hostName(authority));
    if (target === undefined) {
      socket.end(
        rawResponse(
          404,
          unknownHostHtml(
            hostName(authority),
            [...this.#routes.values()].map(({ route }) => route.host),
          ),
        ),
      );
      this.#accessLog(req, authority, 404, 'http/1.1 upgrade', target, started);
      return;
    }
    tunnelUpgrade(req, socket, head, {
      upstream: target.upstream,
      forwarded: { host: authority, clientAddress: req.socket.remoteAddress },
      track: this.#track,
      badGateway: (reason) => rawResponse(502, badGatewayHtml({ ...pageFields(target, authority), reason })),
      onDone: (status) => this.#accessLog(req, authority, status, 'http/1.1 upgrade', target, started),
    });
  }

  /** Method, host, path without its query (a token may ride there), status, time: never a header. */
  #accessLog(req: AnyRequest, authority: string, status: number, protocol: string, target: Route | undefined, started: number): void {
    if (!this.#logger.verbose) return;
    const path = (req.url ?? '/').split('?')[0];
    this.#logger.debug(`${req.method} https://${authority}${path} → ${status} (${protocol}, ${(monotonicMs() - started).toFixed(1)} ms)`, {
      target: target?.route.component,
    });
  }
}

/** The Host the client asked for: `:authority` over HTTP/2, `Host` over HTTP/1.1, the TLS SNI when neither. */
function requestAuthority(req: AnyRequest): string {
  const authority = req.headers[':authority'] ?? req.headers.host;
  if (typeof authority === 'string' && authority !== '') return authority;
  return (req.socket as { servername?: string | false } | undefined)?.servername || '';
}

function pageFields(target: Route, authority: string) {
  return { host: hostName(authority), component: target.route.component, state: target.route.state(), upstream: target.route.upstream };
}

function sendPage(res: AnyResponse, status: number, html: string): void {
  const body = Buffer.from(html);
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-store' });
  res.end(body);
}

/** A whole HTTP/1.1 response as text, for a socket taken over by an upgrade. */
function rawResponse(status: number, html: string): string {
  const reason = status === 404 ? 'Not Found' : 'Bad Gateway';
  const body = Buffer.from(html);
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${body.length}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${html}`;
}

/** Port 80 (or its fallback): every request is sent to the same place over https. */
function redirectToHttps(req: IncomingMessage, res: ServerResponse, httpsPort: number): void {
  const host = req.headers.host ? hostName(req.headers.host) : '';
  if (host === '') {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('A Host header is required.\n');
    return;
  }
  const location = `https://${host}${httpsPort === 443 ? '' : `:${httpsPort}`}${req.url ?? '/'}`;
  // 308 keeps the method and body (a form POST to http:// arrives as a POST).
  res.writeHead(308, { location, 'content-length': 0 }).end();
}
