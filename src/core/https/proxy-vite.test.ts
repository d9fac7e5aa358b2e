import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, type TestContext, test } from 'node:test';
import { captureLogger } from '../../../test/helpers/logger.js';
import { freePort, waitUntil } from '../../../test/helpers/processes.js';
import { tempDir, writeFiles } from '../../../test/helpers/temp.js';
import { startProxy } from './proxy.js';
import { clientRequest, hasMkcert, makeCerts, openWebSocket, type TestCerts } from './proxy-test-kit.js';

/**
 * A real Vite dev server (the npm package, a devDependency) behind the proxy, on a domain that is not under
 * .localhost (Vite allows *.localhost by itself, so only another name shows what its host check needs).
 */
const HOST = 'app.stagecraft.test';
const VITE = join(import.meta.dirname, '../../../node_modules/vite/bin/vite.js');
const skip = hasMkcert() ? false : 'mkcert is not installed (apt-get install mkcert; CI installs it from .ci/apt-packages)';

let certs: TestCerts;

async function startVite(t: TestContext, env: Record<string, string>) {
  const dir = tempDir(t, 'stagecraft-vite-');
  writeFiles(dir, {
    'index.html': '<!doctype html><html><body><h1>vite behind the proxy</h1><script type="module" src="/main.js"></script></body></html>\n',
    'main.js': 'document.body.append("v1");\n',
  });
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [VITE, '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--clearScreen', 'false'],
    {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: join(dir, '.cache'), NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  t.after(() => {
    if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  await waitUntil(() => /Local:\s+http:\/\/127\.0\.0\.1/.test(output) || child.exitCode !== null, 'vite to print its Local URL', 90_000);
  assert.equal(child.exitCode, null, `vite exited: ${output}`);
  return { dir, url: `http://127.0.0.1:${port}` };
}

async function proxyTo(t: TestContext, upstream: string) {
  const log = captureLogger('text', { verbose: true });
  const proxy = await startProxy({
    cert: certs.cert,
    key: certs.key,
    routes: [{ host: HOST, component: 'frontend', upstream, state: () => 'ready' }],
    logger: log.logger,
    defaultPorts: { https: 0, http: 0, httpsFallback: 0, httpFallback: 0 },
  });
  t.after(() => proxy.close());
  return proxy;
}

describe('Vite dev server behind the HTTPS proxy', { skip }, () => {
  before(() => {
    certs = makeCerts(tempDirOnce(), [HOST]);
  });

  test('without __VITE_ADDITIONAL_SERVER_ALLOWED_HOSTS, Vite refuses the proxied host (what the env var is for)', async (t) => {
    const vite = await startVite(t, {});
    const proxy = await proxyTo(t, vite.url);
    const page = await clientRequest({ port: proxy.httpsPort, host: HOST, ca: certs.ca });
    assert.equal(page.status, 403);
    assert.match(page.body.toString(), /Blocked request.*app\.stagecraft\.test/s);
  });

  test('with it: the page over h2, and the hot-reload socket (vite-hmr) connects and receives a reload', async (t) => {
    const vite = await startVite(t, { __VITE_ADDITIONAL_SERVER_ALLOWED_HOSTS: HOST });
    const proxy = await proxyTo(t, vite.url);
    const page = await clientRequest({ port: proxy.httpsPort, host: HOST, ca: certs.ca, h2: true });
    assert.equal(page.status, 200);
    assert.match(page.body.toString(), /\/@vite\/client/);
    const client = await clientRequest({ port: proxy.httpsPort, host: HOST, ca: certs.ca, path: '/@vite/client', h2: true });
    const token = /const wsToken = "([^"]+)"/.exec(client.body.toString())?.[1];
    assert.ok(token, 'the client module carries the socket token');
    // Load main.js as a browser would, so it is in Vite's module graph and an edit to it is announced.
    const main = await clientRequest({ port: proxy.httpsPort, host: HOST, ca: certs.ca, path: '/main.js', h2: true });
    assert.equal(main.status, 200);

    const socket = await openWebSocket({ port: proxy.httpsPort, host: HOST, ca: certs.ca, path: `/?token=${token}`, protocol: 'vite-hmr' });
    t.after(() => socket.close());
    assert.match(socket.handshake, /sec-websocket-protocol: vite-hmr/i);
    assert.equal(JSON.parse(await socket.next()).type, 'connected');
    writeFileSync(join(vite.dir, 'main.js'), 'document.body.append("v2");\n');
    // Vite may first send pings or other messages; wait for the reload it owes us.
    for (;;) {
      const message = JSON.parse(await socket.next());
      if (message.type === 'full-reload' || message.type === 'update') break;
    }
  });
});

function tempDirOnce(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-vite-certs-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
