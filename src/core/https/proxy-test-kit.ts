/**
 * Test helpers for the HTTPS proxy (imported by tests only): real mkcert certificates in a temp CAROOT,
 * clients that trust only that CA and map every test host to loopback themselves (Node cannot resolve
 * *.localhost), upstream servers, and a minimal WebSocket client and echo server (RFC 6455 by hand, so
 * the tests need no `ws` dependency and see every byte).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo, LookupFunction, Socket } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';

export function hasMkcert(): boolean {
  return spawnSync('mkcert', ['-help'], { stdio: 'ignore' }).status !== null;
}

export interface TestCerts {
  readonly cert: string;
  readonly key: string;
  /** The temp CA's root certificate (PEM), the only one clients trust. */
  readonly ca: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** A fresh mkcert CA in `dir`/ca (never the machine's) and one certificate for `hosts`. */
export function makeCerts(dir: string, hosts: readonly string[]): TestCerts {
  const caroot = join(dir, 'ca');
  const certFile = join(dir, 'dev-local.pem');
  const keyFile = join(dir, 'dev-local-key.pem');
  // No -install: the trust stores of this machine stay untouched; mkcert creates the CA in CAROOT.
  execFileSync('mkcert', ['-cert-file', certFile, '-key-file', keyFile, ...hosts], {
    env: { ...process.env, CAROOT: caroot, HOME: dir },
    stdio: 'pipe',
  });
  const caFile = join(caroot, 'rootCA.pem');
  return {
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    ca: readFileSync(caFile, 'utf8'),
    caFile,
    certFile,
    keyFile,
  };
}

export interface ClientResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  /** '1.1' or '2.0'. */
  readonly httpVersion: string;
}

export interface ClientRequest {
  readonly port: number;
  /** The name asked for (SNI and Host); dialled at 127.0.0.1 whatever it is. */
  readonly host: string;
  readonly ca: string;
  readonly path?: string;
  readonly method?: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: Buffer;
  /** Offer only h2 by ALPN (an HTTP/2 session); else only http/1.1. */
  readonly h2?: boolean;
}

/** One request through TLS that trusts only `ca`. */
export function clientRequest(options: ClientRequest): Promise<ClientResponse> {
  return options.h2 ? h2Request(options) : h1Request(options);
}

function h1Request(options: ClientRequest): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: options.host,
        port: options.port,
        path: options.path ?? '/',
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: options.ca,
        servername: options.host,
        agent: false,
        lookup: toLoopback,
      },
      (res) => collect(res, res.httpVersion).then(resolve, reject),
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A `lookup` that sends every name to 127.0.0.1 (Node cannot resolve *.localhost; test names are fake). */
export const toLoopback = ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}) as unknown as LookupFunction;

function h2Request(options: ClientRequest): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(`https://${options.host}:${options.port}`, {
      createConnection: () =>
        tlsConnect({ host: '127.0.0.1', port: options.port, servername: options.host, ca: options.ca, ALPNProtocols: ['h2'] }),
    });
    session.on('error', reject);
    const stream = session.request({ ':method': options.method ?? 'GET', ':path': options.path ?? '/', ...options.headers });
    stream.on('response', (headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        session.close();
        const { ':status': status, ...rest } = headers;
        resolve({ status: Number(status), headers: rest as ClientResponse['headers'], body: Buffer.concat(chunks), httpVersion: '2.0' });
      });
    });
    stream.on('error', reject);
    stream.end(options.body);
  });
}

function collect(res: IncomingMessage, httpVersion: string): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), httpVersion }));
    res.on('error', reject);
  });
}

export interface TestUpstream {
  readonly port: number;
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

/** A plain HTTP server on `host` (port 0), optionally speaking WebSocket echo on upgrade. */
export async function startUpstream(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  options: { host?: string; urlHost?: string; webSocketEcho?: boolean } = {},
): Promise<TestUpstream> {
  const server = createServer(handler);
  // Upgraded sockets are no longer the server's (closeAllConnections misses them): track every one.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  if (options.webSocketEcho) server.on('upgrade', (req: IncomingMessage, socket: Duplex) => acceptEcho(req, socket));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen({ host, port: 0 }, resolve));
  const port = (server.address() as AddressInfo).port;
  const urlHost = options.urlHost ?? (host.includes(':') ? `[${host}]` : host);
  return {
    port,
    server,
    url: `http://${urlHost}:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Server side of the handshake, then every text frame is echoed back prefixed with `echo:`. */
function acceptEcho(req: IncomingMessage, socket: Duplex): void {
  const key = req.headers['sec-websocket-key'];
  const accept = createHash('sha1').update(`${key}${WS_GUID}`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  const reader = new FrameReader();
  socket.on('data', (chunk: Buffer) => {
    for (const frame of reader.push(chunk)) {
      if (frame.opcode === 0x8) socket.end(encodeFrame(0x8, Buffer.alloc(0), false));
      else if (frame.opcode === 0x1) socket.write(encodeFrame(0x1, Buffer.from(`echo:${frame.payload.toString()}`), false));
    }
  });
  socket.on('error', () => socket.destroy());
}

export interface WebSocketClient {
  /** The 101 response's head, as received. */
  readonly handshake: string;
  send(text: string): void;
  /** The next text message (waits for it). */
  next(): Promise<string>;
  close(): void;
}

/** A WebSocket over TLS (HTTP/1.1 ALPN) through the proxy: the raw upgrade handshake, masked client frames. */
export function openWebSocket(options: {
  port: number;
  host: string;
  ca: string;
  path?: string;
  protocol?: string;
}): Promise<WebSocketClient> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: options.port,
      servername: options.host,
      ca: options.ca,
      ALPNProtocols: ['http/1.1'],
    });
    const key = randomBytes(16).toString('base64');
    socket.on('error', reject);
    socket.once('secureConnect', () => {
      socket.write(
        [
          `GET ${options.path ?? '/'} HTTP/1.1`,
          `Host: ${options.host}${options.port === 443 ? '' : `:${options.port}`}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${key}`,
          'Sec-WebSocket-Version: 13',
          ...(options.protocol ? [`Sec-WebSocket-Protocol: ${options.protocol}`] : []),
          '',
          '',
        ].join('\r\n'),
      );
    });
    let buffered = Buffer.alloc(0);
    const onHead = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onHead);
      const handshake = buffered.subarray(0, end).toString();
      if (!handshake.startsWith('HTTP/1.1 101')) {
        reject(new Error(`upgrade refused: ${buffered.toString()}`));
        socket.destroy();
        return;
      }
      const expected = createHash('sha1').update(`${key}${WS_GUID}`).digest('base64');
      if (!handshake.toLowerCase().includes(`sec-websocket-accept: ${expected.toLowerCase()}`)) {
        reject(new Error(`bad Sec-WebSocket-Accept for key ${key} (expected ${expected}) in ${handshake}`));
        return;
      }
      resolve(clientOn(socket, handshake, buffered.subarray(end + 4)));
    };
    socket.on('data', onHead);
  });
}

function clientOn(socket: Socket, handshake: string, rest: Buffer): WebSocketClient {
  const reader = new FrameReader();
  const messages: string[] = [];
  const waiting: ((text: string) => void)[] = [];
  let failure: Error | undefined;
  const failWaiting = (error: Error) => {
    failure = error;
    for (const waiter of waiting.splice(0)) waiter(`<${error.message}>`);
  };
  const take = (chunk: Buffer) => {
    for (const frame of reader.push(chunk)) {
      if (frame.opcode !== 0x1) continue;
      const text = frame.payload.toString();
      const waiter = waiting.shift();
      if (waiter) waiter(text);
      else messages.push(text);
    }
  };
  socket.on('data', take);
  socket.on('close', () => failWaiting(new Error('socket closed')));
  if (rest.length > 0) take(rest);
  return {
    handshake,
    send: (text) => socket.write(encodeFrame(0x1, Buffer.from(text), true)),
    next: () => {
      const ready = messages.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      if (failure) return Promise.resolve(`<${failure.message}>`);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close: () => socket.destroy(),
  };
}

interface Frame {
  readonly opcode: number;
  readonly payload: Buffer;
}

/** Unfragmented frames only: all these tests send. */
class FrameReader {
  #buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      const buffer = this.#buffer;
      if (buffer.length < 2) return frames;
      const masked = ((buffer[1] ?? 0) & 0x80) !== 0;
      let length = (buffer[1] ?? 0) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return frames;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return frames;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const maskOffset = offset;
      if (masked) offset += 4;
      if (buffer.length < offset + length) return frames;
      const payload = Buffer.from(buffer.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (buffer[maskOffset + (i % 4)] ?? 0);
      frames.push({ opcode: (buffer[0] ?? 0) & 0x0f, payload });
      this.#buffer = buffer.subarray(offset + length);
    }
  }
}

function encodeFrame(opcode: number, payload: Buffer, mask: boolean): Buffer {
  const lengthBytes = payload.length < 126 ? 0 : payload.length < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + lengthBytes + (mask ? 4 : 0));
  head[0] = 0x80 | opcode;
  const marker = mask ? 0x80 : 0;
  if (lengthBytes === 0) head[1] = marker | payload.length;
  else if (lengthBytes === 2) {
    head[1] = marker | 126;
    head.writeUInt16BE(payload.length, 2);
  } else {
    head[1] = marker | 127;
    head.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  if (!mask) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  key.copy(head, 2 + lengthBytes);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] ?? 0) ^ (key[i % 4] ?? 0);
  return Buffer.concat([head, body]);
}
