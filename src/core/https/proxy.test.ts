import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, type TestContext, test } from 'node:test';
import { captureLogger } from '../../../test/helpers/logger.js';
import { portIsOpen } from '../../../test/helpers/processes.js';
import { tempDir } from '../../../test/helpers/temp.js';
import { isStagecraftError } from '../errors.js';
import { type ProxyOptions, type ProxyRoute, type RunningProxy, startProxy } from './proxy.js';
import { clientRequest, hasMkcert, makeCerts, openWebSocket, startUpstream, type TestCerts, toLoopback } from './proxy-test-kit.js';

const APP = 'app.test.localhost';
const API = 'api.test.localhost';
/** Ephemeral ports everywhere: tests never need 443 or 80. */
const EPHEMERAL = { https: 0, http: 0, httpsFallback: 0, httpFallback: 0 };
const skip = hasMkcert() ? false : 'mkcert is not installed (apt-get install mkcert; CI installs it from .ci/apt-packages)';

let certs: TestCerts;
let certDir: string;

function route(host: string, component: string, upstream: string, state = 'ready'): ProxyRoute {
  return { host, component, upstream, state: () => state };
}

async function proxyFor(t: TestContext, routes: ProxyRoute[], extra: Partial<ProxyOptions> = {}) {
  const log = captureLogger('text', { verbose: true });
  const proxy = await startProxy({ cert: certs.cert, key: certs.key, routes, logger: log.logger, defaultPorts: EPHEMERAL, ...extra });
  t.after(() => proxy.close());
  return { proxy, log };
}

/** Holds a TCP port on 127.0.0.1 (and ::1 when it can) so the proxy finds it taken. */
async function holdPort(t: TestContext): Promise<number> {
  const v4 = createNetServer();
  await new Promise<void>((resolve) => v4.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const port = (v4.address() as { port: number }).port;
  t.after(() => v4.close());
  return port;
}

function curl(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) =>
    execFile('curl', ['-sS', '--max-time', '60', ...args], { encoding: 'utf8' }, (error, stdout, stderr) =>
      error ? reject(new Error(`curl ${args.join(' ')}: ${stderr || error.message}`)) : resolve({ stdout, stderr }),
    ),
  );
}

describe('HTTPS proxy', { skip }, () => {
  before(() => {
    certDir = tempDirNoContext();
    certs = makeCerts(certDir, [APP, API, 'app.stagecraft.test']);
  });

  test('routes by Host to two upstreams over h2 and HTTP/1.1, preserving Host and adding X-Forwarded-*', async (t) => {
    const seen: Record<string, string | string[] | undefined>[] = [];
    const upstream = (name: string) =>
      startUpstream((req, res) => {
        seen.push({
          name,
          host: req.headers.host,
          xff: req.headers['x-forwarded-for'],
          proto: req.headers['x-forwarded-proto'],
          xfh: req.headers['x-forwarded-host'],
          drop: req.headers['x-drop-me'],
          path: req.url,
        });
        res.writeHead(200, {
          'content-type': 'text/plain',
          connection: 'keep-alive, x-upstream-private',
          'keep-alive': 'timeout=5',
          'x-upstream-private': 'hop',
        });
        res.end(`hello from ${name}`);
      });
    const app = await upstream('app');
    const api = await upstream('api');
    t.after(() => Promise.all([app.close(), api.close()]));
    const { proxy } = await proxyFor(t, [route(APP, 'frontend', app.url), route('API.test.localhost', 'backend', api.url)]);
    const port = proxy.httpsPort;

    const h2 = await clientRequest({ port, host: APP, ca: certs.ca, path: '/h2?x=1', h2: true });
    assert.equal(h2.httpVersion, '2.0');
    assert.equal(h2.body.toString(), 'hello from app');
    // Connection-specific headers from an HTTP/1.1 upstream never reach an HTTP/2 client (it would be a protocol error).
    assert.equal(h2.headers['x-upstream-private'], undefined);
    assert.equal(h2.headers['keep-alive'], undefined);

    const h1 = await clientRequest({ port, host: API, ca: certs.ca, path: '/h1', headers: { connection: 'x-drop-me', 'x-drop-me': '1' } });
    assert.equal(h1.httpVersion, '1.1');
    assert.equal(h1.body.toString(), 'hello from api');
    assert.equal(h1.headers['x-upstream-private'], undefined);

    assert.deepEqual(seen[0], {
      name: 'app',
      host: `${APP}:${port}`,
      xff: '127.0.0.1',
      proto: 'https',
      xfh: `${APP}:${port}`,
      drop: undefined,
      path: '/h2?x=1',
    });
    assert.deepEqual(seen[1], {
      name: 'api',
      host: `${API}:${port}`,
      xff: '127.0.0.1',
      proto: 'https',
      xfh: `${API}:${port}`,
      drop: undefined,
      path: '/h1',
    });

    const unknown = await clientRequest({ port, host: 'app.stagecraft.test', ca: certs.ca });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.toString(), /app\.test\.localhost/);
    assert.equal(proxy.url(APP), `https://${APP}:${port}`);
  });

  test('a request without Host (HTTP/1.0) is routed by the TLS server name (SNI)', { timeout: 120_000 }, async (t) => {
    const app = await startUpstream((_req, res) => res.end('app'));
    const api = await startUpstream((req, res) => res.end(`api saw host ${req.headers.host}`));
    t.after(() => Promise.all([app.close(), api.close()]));
    const { proxy } = await proxyFor(t, [route(APP, 'frontend', app.url), route(API, 'backend', api.url)]);
    const { connect: tls } = await import('node:tls');
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = tls({ host: '127.0.0.1', port: proxy.httpsPort, servername: API, ca: certs.ca, ALPNProtocols: ['http/1.1'] }, () =>
        socket.write('GET / HTTP/1.0\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.[01] 200/);
    assert.match(answer, new RegExp(`api saw host ${API.replaceAll('.', '\\.')}$`));
  });

  test('curl with only the mkcert CA: --http2 negotiates h2 by ALPN, --http1.1 falls back', async (t) => {
    const app = await startUpstream((_req, res) => res.end('curl ok'));
    t.after(() => app.close());
    const { proxy } = await proxyFor(t, [route(APP, 'frontend', app.url)]);
    const target = `https://${APP}:${proxy.httpsPort}/`;
    const resolve = `${APP}:${proxy.httpsPort}:127.0.0.1`;
    const h2 = await curl(['--cacert', certs.caFile, '--resolve', resolve, '--http2', '-w', ' %{http_version}', target]);
    assert.equal(h2.stdout, 'curl ok 2');
    const h1 = await curl(['--cacert', certs.caFile, '--resolve', resolve, '--http1.1', '-w', ' %{http_version}', target]);
    assert.equal(h1.stdout, 'curl ok 1.1');
  });

  test('WebSocket upgrade: echo through the proxy', { timeout: 120_000 }, async (t) => {
    const echo = await startUpstream((_req, res) => res.end(), { webSocketEcho: true });
    t.after(() => echo.close());
    const { proxy } = await proxyFor(t, [route(APP, 'frontend', echo.url)]);
    const socket = await openWebSocket({ port: proxy.httpsPort, host: APP, ca: certs.ca, path: '/socket' });
    t.after(() => socket.close());
    socket.send('one');
    assert.equal(await socket.next(), 'echo:one');
    const big = 'x'.repeat(70_000);
    socket.send(big);
    assert.equal(await socket.next(), `echo:${big}`);
  });

  test('server-sent events arrive one by one: each before the next is sent (h2 and HTTP/1.1)', { timeout: 120_000 }, async (t) => {
    let received: (() => void) | undefined;
    const sse = await startUpstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (let i = 1; i <= 3; i++) {
        const acknowledged = new Promise<void>((resolve) => {
          received = resolve;
        });
        res.write(`data: event ${i}\n\n`);
        // The next event is written only once the client has read this one through the proxy.
        await acknowledged;
      }
      res.end();
    });
    t.after(() => sse.close());
    const { proxy } = await proxyFor(t, [route(APP, 'frontend', sse.url)]);
    for (const h2 of [true, false]) {
      const events = await readEvents(proxy, h2, () => received?.());
      assert.deepEqual(events, ['data: event 1', 'data: event 2', 'data: event 3']);
    }
  });

  test('a 10 MB upload streams to the upstream intact (h2 and HTTP/1.1)', { timeout: 120_000 }, async (t) => {
    const upload = await startUpstream((req, res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      req.on('end', () => res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') })));
    });
    t.after(() => upload.close());
    const { proxy } = await proxyFor(t, [route(API, 'backend', upload.url)]);
    const body = randomBytes(10 * 1024 * 1024);
    const expected = { bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') };
    for (const h2 of [true, false]) {
      const response = await clientRequest({ port: proxy.httpsPort, host: API, ca: certs.ca, method: 'POST', path: '/upload', body, h2 });
      assert.equal(response.status, 200);
      assert.deepEqual(JSON.parse(response.body.toString()), expected);
    }
  });

  test('a 502 page names the component and its state while the upstream is down; it recovers once it listens', async (t) => {
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const downPort = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    let state = 'starting';
    const { proxy } = await proxyFor(t, [
      { host: APP, component: 'frontend', upstream: `http://127.0.0.1:${downPort}`, state: () => state },
    ]);
    for (const h2 of [true, false]) {
      const page = await clientRequest({ port: proxy.httpsPort, host: APP, ca: certs.ca, h2 });
      assert.equal(page.status, 502);
      assert.match(String(page.headers['content-type']), /text\/html/);
      assert.match(page.body.toString(), /502 · frontend is starting/);
      assert.match(page.body.toString(), /ECONNREFUSED/);
    }
    const refused = await openWebSocket({ port: proxy.httpsPort, host: APP, ca: certs.ca }).then(
      () => 'upgraded',
      (error: Error) => error.message,
    );
    assert.match(refused, /HTTP\/1.1 502[\s\S]*frontend is starting/);
    state = 'ready';
    await startUpstreamOn(downPort, t);
    const ok = await clientRequest({ port: proxy.httpsPort, host: APP, ca: certs.ca });
    assert.equal(ok.body.toString(), 'back');
  });

  test('an upstream at http://localhost that listens on ::1 only is reached (both families dialled)', async (t) => {
    const v6 = await startUpstream((_req, res) => res.end('from ::1'), { host: '::1', urlHost: 'localhost' }).catch(() => undefined);
    if (v6 === undefined) {
      t.skip('no IPv6 loopback on this machine');
      return;
    }
    t.after(() => v6.close());
    const { proxy } = await proxyFor(t, [route(APP, 'frontend', v6.url)]);
    const response = await clientRequest({ port: proxy.httpsPort, host: APP, ca: certs.ca, h2: true });
    assert.equal(response.body.toString(), 'from ::1');
  });

  test('HTTP redirects to HTTPS with 308, keeping host, path and the real HTTPS port', async (t) => {
    const { proxy } = await proxyFor(t, [route(APP, 'frontend', 'http://127.0.0.1:9')]);
    assert.ok(proxy.httpPort);
    const { stdout } = await curl([
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{redirect_url}',
      '--resolve',
      `${APP}:${proxy.httpPort}:127.0.0.1`,
      `http://${APP}:${proxy.httpPort}/a/b?c=d`,
    ]);
    assert.equal(stdout, `308 https://${APP}:${proxy.httpsPort}/a/b?c=d`);
  });

  test('listens on 127.0.0.1 and ::1 only, and close() ends listeners and open connections (WebSocket, h2 session, a stream)', {
    timeout: 120_000,
  }, async (t) => {
    const echo = await startUpstream(
      (req, res) => {
        if (req.url === '/forever') res.writeHead(200, { 'content-type': 'text/event-stream' }).write('data: open\n\n');
        else res.end('ok');
      },
      { webSocketEcho: true },
    );
    t.after(() => echo.close());
    const { proxy } = await proxyFor(t, [route(APP, 'frontend', echo.url)]);
    const port = proxy.httpsPort;
    // ::1 where this machine has an IPv6 loopback (a CI container may not).
    const loopback = (await ipv6Loopback()) ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
    assert.deepEqual(listeningAddresses(port), loopback);
    if (proxy.httpPort) assert.deepEqual(listeningAddresses(proxy.httpPort), loopback);
    const socket = await openWebSocket({ port, host: APP, ca: certs.ca });
    socket.send('before close');
    assert.equal(await socket.next(), 'echo:before close');
    await clientRequest({ port, host: APP, ca: certs.ca, h2: true });
    // A response still streaming over HTTP/1.1: not idle, so only closing its connection ends it.
    const { request } = await import('node:https');
    const streamEnded = new Promise<string>((resolve) => {
      const req = request({ host: APP, port, path: '/forever', ca: certs.ca, agent: false, lookup: toLoopback }, (res) => {
        res.once('data', () => {
          proxyClosed = proxy.close();
        });
        res.on('close', () => resolve('closed'));
        res.on('error', () => resolve('closed'));
      });
      req.on('error', () => resolve('closed'));
      req.end();
    });
    let proxyClosed: Promise<void> | undefined;
    assert.equal(await streamEnded, 'closed');
    await proxyClosed;
    // The tunnel was cut: the client sees its socket close.
    assert.match(await socket.next(), /socket closed/);
    assert.equal(await portIsOpen(port, '127.0.0.1'), false);
    assert.equal(await portIsOpen(port, '::1'), false);
    assert.deepEqual(listeningAddresses(port), []);
  });

  test('access log at debug: method, host, path and status, never an Authorization or Cookie value, nor the query', async (t) => {
    const app = await startUpstream((_req, res) => res.end('ok'));
    t.after(() => app.close());
    const secrets = { authorization: 'Bearer tok-AUTH-5ecret', cookie: 'session=COOKIE-5ecret' };
    // Both formats: JSON records carry every field, text shows the message only.
    for (const format of ['text', 'json'] as const) {
      const log = captureLogger(format, { verbose: true });
      const proxy = await startProxy({
        cert: certs.cert,
        key: certs.key,
        routes: [route(APP, 'frontend', app.url)],
        logger: log.logger,
        defaultPorts: EPHEMERAL,
      });
      t.after(() => proxy.close());
      await clientRequest({
        port: proxy.httpsPort,
        host: APP,
        ca: certs.ca,
        path: '/private?token=QUERY-5ecret',
        headers: secrets,
        h2: true,
      });
      await clientRequest({ port: proxy.httpsPort, host: APP, ca: certs.ca, path: '/h1', headers: secrets });
      await waitFor(() => /\/h1 → 200/.test(log.text()));
      const text = log.text();
      assert.match(text, new RegExp(`GET https://${APP.replaceAll('.', '\\.')}:${proxy.httpsPort}/private → 200 \\(h2`));
      assert.doesNotMatch(text, /5ecret/);
    }
  });

  describe('ports', () => {
    test('a taken default port falls back, naming the holder; a taken HTTP port is never fatal', async (t) => {
      const https = await holdPort(t);
      const http = await holdPort(t);
      const httpFallback = await holdPort(t);
      const app = await startUpstream((_req, res) => res.end('fallback ok'));
      t.after(() => app.close());
      const { proxy, log } = await proxyFor(t, [route(APP, 'frontend', app.url)], {
        defaultPorts: { https, http, httpsFallback: 0, httpFallback },
      });
      assert.notEqual(proxy.httpsPort, https);
      assert.equal(proxy.httpPort, undefined);
      const text = log.text();
      assert.match(
        text,
        new RegExp(`port ${https} is in use by \\S+ \\(pid ${process.pid}\\) \\(EADDRINUSE\\): the HTTPS proxy listens on port 0 instead`),
      );
      assert.match(text, /the HTTP redirect is off/);
      const response = await clientRequest({ port: proxy.httpsPort, host: APP, ca: certs.ca });
      assert.equal(response.body.toString(), 'fallback ok');
      assert.equal(proxy.url(APP), `https://${APP}:${proxy.httpsPort}`);
    });

    test('a configured port that is taken fails hard (DEV_SERVER_FAILED), leaving no listener', async (t) => {
      const taken = await holdPort(t);
      const log = captureLogger('text', { verbose: true });
      const httpProbe = await holdPort(t);
      const error = await startProxy({
        cert: certs.cert,
        key: certs.key,
        routes: [],
        logger: log.logger,
        httpsPort: taken,
        defaultPorts: EPHEMERAL,
      }).then(
        (proxy) => proxy.close().then(() => undefined),
        (thrown: unknown) => thrown,
      );
      assert.ok(isStagecraftError(error), String(error));
      assert.equal(error.category, 'DEV_SERVER_FAILED');
      assert.match(error.message, new RegExp(`dev\\.proxy\\.https_port is ${taken}.*in use by \\S+ \\(pid ${process.pid}\\)`));
      // The configured HTTP port too, after HTTPS was bound: the HTTPS listeners are closed again.
      const free = await holdPort(t);
      const httpError = await startProxy({
        cert: certs.cert,
        key: certs.key,
        routes: [],
        logger: log.logger,
        httpPort: httpProbe,
        defaultPorts: { ...EPHEMERAL, https: 0 },
      }).then(
        (proxy) => proxy.close().then(() => undefined),
        (thrown: unknown) => thrown,
      );
      assert.ok(isStagecraftError(httpError));
      assert.match(httpError.message, /dev\.proxy\.http_port/);
      assert.ok(free > 0);
    });

    test('EACCES on 443 as an unprivileged user: falls back with the Linux fix; a configured 443 fails hard', async (t) => {
      const start = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
      if (!(start > 443)) {
        t.skip(`net.ipv4.ip_unprivileged_port_start is ${start}: anyone may bind 443 here, EACCES cannot happen`);
        return;
      }
      if (process.getuid?.() !== 0) {
        t.skip('needs root to switch to the nobody user with setpriv');
        return;
      }
      const dir = tempDir(t);
      // The nobody user reads the script and writes tsx's cache here (the certificate goes through stdin).
      chmodSync(dir, 0o777);
      const script = join(dir, 'eacces.mts');
      const proxyModule = join(import.meta.dirname, 'proxy.ts');
      const loggerModule = join(import.meta.dirname, '../../../test/helpers/logger.ts');
      writeFileSync(
        script,
        `import { startProxy } from ${JSON.stringify(proxyModule)};
import { captureLogger } from ${JSON.stringify(loggerModule)};
const { cert, key } = JSON.parse(await new Promise((resolve) => { let text = ''; process.stdin.on('data', (c) => (text += c)); process.stdin.on('end', () => resolve(text)); }));
const log = captureLogger('text', { verbose: true });
const proxy = await startProxy({ cert, key, routes: [], logger: log.logger, defaultPorts: { https: 443, http: 80, httpsFallback: 0, httpFallback: 0 } });
const fallback = { httpsPort: proxy.httpsPort, httpPort: proxy.httpPort, log: log.text() };
await proxy.close();
const configured = await startProxy({ cert, key, routes: [], logger: log.logger, httpsPort: 443 }).then(() => 'bound', (error) => ({ category: error.category, message: error.message, hint: error.hint }));
console.log(JSON.stringify({ fallback, configured }));
`,
      );
      const tsx = join(import.meta.dirname, '../../../node_modules/tsx/dist/loader.mjs');
      // The checkout must be readable by nobody (it is not under a private home such as /root).
      const setpriv = ['--reuid=nobody', '--regid=nogroup', '--clear-groups'];
      const readable = spawnSync('setpriv', [
        ...setpriv,
        process.execPath,
        '-e',
        `for (const f of process.argv.slice(1)) require('node:fs').accessSync(f)`,
        tsx,
        proxyModule,
        loggerModule,
      ]);
      if (readable.status !== 0) {
        t.skip(`the nobody user cannot read this checkout, so it cannot run the proxy: ${String(readable.stderr).split('\n')[0]}`);
        return;
      }
      const output = await new Promise<string>((resolve, reject) => {
        const child = execFile(
          'setpriv',
          [...setpriv, process.execPath, '--import', tsx, script],
          { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, TMPDIR: dir }, encoding: 'utf8', timeout: 120_000 },
          (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
        );
        child.stdin?.end(JSON.stringify({ cert: certs.cert, key: certs.key }));
      });
      const result = JSON.parse(output.trim().split('\n').pop() ?? '{}');
      assert.notEqual(result.fallback.httpsPort, 443);
      assert.ok(result.fallback.httpsPort > 1023);
      assert.match(
        result.fallback.log,
        /port 443 needs privileges this process does not have \(EACCES\): the HTTPS proxy listens on port 0 instead/,
      );
      assert.match(result.fallback.log, /sysctl -w net\.ipv4\.ip_unprivileged_port_start=443/);
      assert.match(result.fallback.log, /setcap cap_net_bind_service=\+ep/);
      assert.match(result.fallback.log, /port 80 needs privileges/);
      assert.equal(result.configured.category, 'DEV_SERVER_FAILED');
      assert.match(result.configured.message, /dev\.proxy\.https_port is 443/);
      assert.match(result.configured.hint, /ip_unprivileged_port_start=443/);
    });
  });
});

/** Reads an event stream through the proxy; `onEvent` is called as each event arrives. */
async function readEvents(proxy: RunningProxy, h2: boolean, onEvent: () => void): Promise<string[]> {
  const { connect: h2connect } = await import('node:http2');
  const { request } = await import('node:https');
  const { connect: tls } = await import('node:tls');
  return new Promise((resolve, reject) => {
    const events: string[] = [];
    let pending = '';
    const onData = (chunk: Buffer) => {
      pending += chunk.toString();
      let end = pending.indexOf('\n\n');
      while (end >= 0) {
        events.push(pending.slice(0, end));
        pending = pending.slice(end + 2);
        onEvent();
        end = pending.indexOf('\n\n');
      }
    };
    if (h2) {
      const session = h2connect(`https://${APP}:${proxy.httpsPort}`, {
        createConnection: () => tls({ host: '127.0.0.1', port: proxy.httpsPort, servername: APP, ca: certs.ca, ALPNProtocols: ['h2'] }),
      });
      session.on('error', reject);
      const stream = session.request({ ':path': '/events' });
      stream.on('data', onData);
      stream.on('end', () => {
        session.close();
        resolve(events);
      });
      stream.on('error', reject);
      stream.end();
      return;
    }
    const req = request(
      {
        host: APP,
        port: proxy.httpsPort,
        path: '/events',
        ca: certs.ca,
        agent: false,
        lookup: toLoopback,
      },
      (res) => {
        res.on('data', onData);
        res.on('end', () => resolve(events));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function startUpstreamOn(port: number, t: TestContext): Promise<Server> {
  const { createServer } = await import('node:http');
  const server = createServer((_req, res) => res.end('back'));
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port }, resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return server as unknown as Server;
}

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The local addresses listening on `port`, from /proc/net/tcp and tcp6 (what `ss -ltn` shows). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const addresses: string[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/net/${table}`, 'latin1').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== '0A' || local?.split(':')[1] !== hexPort) continue;
      const hex = local.split(':')[0] ?? '';
      addresses.push(
        hex === '0100007F' ? '127.0.0.1' : hex === '00000000000000000000000001000000' ? '::1' : hex === '00000000' ? '0.0.0.0' : hex,
      );
    }
  }
  return addresses.sort();
}

function ipv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createNetServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '::1', port: 0 }, () => server.close(() => resolve(true)));
  });
}

function tempDirNoContext(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-proxy-certs-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
