import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { startCli } from '../../../test/helpers/cli.js';
import { assertNoOrphans, freePort, portIsOpen } from '../../../test/helpers/processes.js';
import { tempDir, tempProject } from '../../../test/helpers/temp.js';
import { openWebSocket } from '../https/proxy-test-kit.js';

/** An HTTP server that answers with its name and the variables Stagecraft gave it. */
const SERVER = `
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
const [name, port] = process.argv.slice(2);
const seen = ['STAGECRAFT_BACKEND_URL', 'STAGECRAFT_BACKEND_INTERNAL_URL', 'NODE_EXTRA_CA_CERTS', '__VITE_ADDITIONAL_SERVER_ALLOWED_HOSTS'];
const server = createServer((req, res) => res.end(JSON.stringify({ name, host: req.headers.host, proto: req.headers['x-forwarded-proto'], env: Object.fromEntries(seen.map((k) => [k, process.env[k]])) })));
// A WebSocket echo (a hot-reload socket's stand-in): the handshake, then one text frame back per text frame in.
server.on('upgrade', (req, socket) => {
  const accept = createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: ' + accept + '\\r\\n\\r\\n');
  socket.on('data', (frame) => {
    const length = frame[1] & 0x7f; // short client frames only: this test sends a few bytes
    const mask = frame.subarray(2, 6);
    const text = Buffer.from(frame.subarray(6, 6 + length).map((byte, i) => byte ^ mask[i % 4])).toString();
    const reply = Buffer.from(name + ' echo:' + text);
    socket.write(Buffer.concat([Buffer.from([0x81, reply.length]), reply]));
  });
  socket.on('error', () => socket.destroy());
});
server.listen(Number(port), '127.0.0.1', () => console.log(name + ' listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

function mkcertMissing(): string | undefined {
  try {
    execFileSync('mkcert', ['-help'], { stdio: 'ignore' });
    return undefined;
  } catch {
    if (process.env.STAGECRAFT_REQUIRE_ENGINE === '1') throw new Error('mkcert is missing; CI installs it (.ci/apt-packages)');
    return 'mkcert is not installed (Debian: apt-get install mkcert)';
  }
}

interface HttpsWorld {
  readonly cwd: string;
  readonly caroot: string;
  readonly https: number;
  readonly http: number;
  readonly api: number;
  readonly web: number;
}

async function httpsWorld(t: TestContext, domains: string): Promise<HttpsWorld> {
  const [https, http, api, web] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const caroot = tempDir(t, 'stagecraft-caroot-');
  const cwd = tempProject(t, {
    'server.mjs': SERVER,
    'stagecraft.yml': `project: { name: Shop }
backend:
  provider: generic
  providers:
    generic:
      dev:
        command: [node, server.mjs, backend, "${api}"]
        ready: { tcp: "127.0.0.1:${api}" }
frontend:
  provider: generic
  providers:
    generic:
      dev:
        command: [node, server.mjs, frontend, "${web}"]
        url: http://127.0.0.1:${web}
        ready: { tcp: "127.0.0.1:${web}" }
dev:
  domains: ${domains}
  proxy: { https_port: ${https}, http_port: ${http} }
`,
  });
  return { cwd, caroot, https, http, api, web };
}

/** curl trusting only the test's mkcert CA; *.localhost resolves to loopback in curl itself, other names via --resolve. */
function curl(w: HttpsWorld, url: string, extra: readonly string[] = []): string {
  const { hostname, port } = new URL(url);
  return execFileSync(
    'curl',
    ['-sS', '--cacert', join(w.caroot, 'rootCA.pem'), '--resolve', `${hostname}:${port}:127.0.0.1`, ...extra, url],
    {
      encoding: 'utf8',
    },
  );
}

test('HTTPS on dev domains: mkcert certificate, our proxy (h2 and HTTP/1.1), https URLs wired, CA trusted, nothing left', async (t) => {
  const missing = mkcertMissing();
  if (missing) return t.skip(missing);
  const w = await httpsWorld(t, '{ frontend: app.shop.localhost }');
  const cli = startCli(['dev'], { cwd: w.cwd, env: { CAROOT: w.caroot } });
  await cli.waitForStderr(/all ready in/, 120_000);

  const app = `https://app.shop.localhost:${w.https}`;
  const api = `https://backend.shop.localhost:${w.https}`; // the default domain: <component>.<slug(project.name)>.localhost
  const page = JSON.parse(curl(w, `${app}/`, ['--http2'])) as { name: string; host: string; proto: string; env: Record<string, string> };
  assert.equal(page.name, 'frontend');
  assert.equal(page.host, `app.shop.localhost:${w.https}`, 'the Host header is preserved');
  assert.equal(page.proto, 'https');
  assert.equal(page.env.STAGECRAFT_BACKEND_URL, api);
  assert.equal(page.env.STAGECRAFT_BACKEND_INTERNAL_URL, `http://127.0.0.1:${w.api}`);
  assert.equal(page.env.NODE_EXTRA_CA_CERTS, join(w.caroot, 'rootCA.pem'));
  assert.deepEqual(page.env.__VITE_ADDITIONAL_SERVER_ALLOWED_HOSTS?.split(',').sort(), ['app.shop.localhost', 'backend.shop.localhost']);
  assert.match(curl(w, `${api}/`, ['--http1.1']), /"name":"backend"/);
  assert.equal(curl(w, `${api}/`, ['-o', '/dev/null', '-w', '%{http_version}', '--http2']), '2');
  // A WebSocket through the proxy, by name, trusting only the mkcert CA.
  const socket = await openWebSocket({ port: w.https, host: 'app.shop.localhost', ca: readFileSync(join(w.caroot, 'rootCA.pem'), 'utf8') });
  socket.send('hello');
  assert.equal(await socket.next(), 'frontend echo:hello');
  socket.close();
  // HTTP redirects to HTTPS.
  assert.match(
    curl(w, `http://app.shop.localhost:${w.http}/x`, ['-o', '/dev/null', '-w', '%{http_code} %{redirect_url}']),
    new RegExp(`^30[18] https://app\\.shop\\.localhost(:${w.https})?/x$`),
  );
  // The summary shows the URLs that really work.
  assert.match(cli.stderr, new RegExp(`^ {2}frontend +https://app\\.shop\\.localhost:${w.https} `, 'm'));
  // The certificate is where the contract says, in a directory that ignores itself.
  assert.match(readFileSync(join(w.cwd, '.stagecraft', 'dev', '.gitignore'), 'utf8'), /^\*$/m);
  assert.match(readFileSync(join(w.cwd, '.stagecraft', 'dev', 'certs', 'dev-local.pem'), 'utf8'), /BEGIN CERTIFICATE/);

  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
  for (const port of [w.https, w.http, w.api, w.web]) assert.equal(await portIsOpen(port), false, `port ${port} is still open`);
  await assertNoOrphans(cli.marker);
  assert.doesNotMatch(result.stderr, /BEGIN (RSA |EC )?PRIVATE KEY/);
});

test('--no-https: components on their own URLs, no proxy; a configured https port that is taken fails hard', async (t) => {
  const missing = mkcertMissing();
  if (missing) return t.skip(missing);
  const w = await httpsWorld(t, '{ frontend: app.shop.localhost }');
  const off = startCli(['dev', '--no-https'], { cwd: w.cwd, env: { CAROOT: w.caroot } });
  await off.waitForStderr(/all ready in/, 120_000);
  assert.equal(await portIsOpen(w.https), false);
  assert.match(off.stderr, new RegExp(`^ {2}frontend +http://127\\.0\\.0\\.1:${w.web} `, 'm'));
  off.signal('SIGINT');
  assert.equal((await off.finish()).code, 0);

  const { createServer } = await import('node:net');
  const holder = createServer().listen(w.https, '127.0.0.1');
  await new Promise((resolve) => holder.once('listening', resolve));
  t.after(() => holder.close());
  const taken = await startCli(['dev'], { cwd: w.cwd, env: { CAROOT: w.caroot } }).finish();
  assert.notEqual(taken.code, 0);
  assert.match(taken.stderr, new RegExp(`${w.https}`));
  assert.equal(await portIsOpen(w.api), false, 'no component started');
});

test('a domain outside .localhost: a warning with the exact hosts line; with --hosts the line is added, then removed', async (t) => {
  const missing = mkcertMissing();
  if (missing) return t.skip(missing);
  const w = await httpsWorld(t, '{ frontend: app.shop.test }');
  const hostsFile = join(tempDir(t, 'stagecraft-hosts-'), 'hosts');
  const before = '127.0.0.1 localhost\n# keep me\n10.0.0.1 other.example  # stagecraft:/somewhere/else\n';
  writeFileSync(hostsFile, before);
  const env = { CAROOT: w.caroot, STAGECRAFT_HOSTS_FILE: hostsFile };

  const warned = startCli(['dev'], { cwd: w.cwd, env });
  await warned.waitForStderr(/all ready in/, 120_000);
  assert.match(
    warned.stderr,
    new RegExp(`127\\.0\\.0\\.1 app\\.shop\\.test +# stagecraft:${w.cwd.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
  );
  assert.equal(readFileSync(hostsFile, 'utf8'), before, 'without --hosts the file is not touched');
  warned.signal('SIGINT');
  assert.equal((await warned.finish()).code, 0);

  const added = startCli(['dev', '--hosts'], { cwd: w.cwd, env });
  await added.waitForStderr(/all ready in/, 120_000);
  const during = readFileSync(hostsFile, 'utf8');
  assert.ok(during.startsWith(before), 'everything else kept as it was');
  assert.match(during, /app\.shop\.test/);
  assert.match(curl(w, `https://app.shop.test:${w.https}/`), /"name":"frontend"/);
  added.signal('SIGINT');
  assert.equal((await added.finish()).code, 0);
  assert.equal(readFileSync(hostsFile, 'utf8'), before, 'its own lines removed, nothing else');
  await assertNoOrphans(added.marker);
});

test('doctor checks HTTPS: mkcert and its CA, the certificate, the hosts file for other domains', async (t) => {
  const missing = mkcertMissing();
  if (missing) return t.skip(missing);
  const w = await httpsWorld(t, '{ frontend: app.shop.test }');
  const hostsFile = join(tempDir(t, 'stagecraft-hosts-'), 'hosts');
  writeFileSync(hostsFile, '127.0.0.1 localhost\n');
  execFileSync('mkcert', ['-CAROOT'], { env: { ...process.env, CAROOT: w.caroot } });
  const result = await startCli(['doctor'], { cwd: w.cwd, env: { CAROOT: w.caroot, STAGECRAFT_HOSTS_FILE: hostsFile } }).finish();
  assert.match(result.stdout, /mkcert/);
  assert.match(result.stdout, /app\.shop\.test/);
  assert.match(result.stdout, /certificate/i);
});
