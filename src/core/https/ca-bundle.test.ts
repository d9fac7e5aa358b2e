// The bundle for an environment that already sets NODE_EXTRA_CA_CERTS, proven with real TLS: a server with the
// mkcert certificate and a server signed by the user's own CA, reached by clients that trust only the bundle.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
import { captureLogger } from '../../../test/helpers/logger.js';
import { tempDir } from '../../../test/helpers/temp.js';
import { StagecraftError } from '../errors.js';
import { createRunner } from '../process/start-child.js';
import { caBundlePath, nodeCaEnvironment } from './ca-bundle.js';
import { ensureCertificates } from './certs.js';
import { makeCa, mkcertSandbox, mkcertSkipReason, signLeaf } from './test-support.js';

const skip = mkcertSkipReason();

async function listen(t: { after: (fn: () => Promise<void>) => void }, cert: string, key: string, body: string): Promise<number> {
  const server: Server = createServer({ cert, key }, (_request, response) => response.end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/** A TLS handshake from this process trusting only `ca` (the `ca` option replaces Node's built-in roots). */
function handshake(port: number, servername: string, ca: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca }, () => {
      socket.end();
      resolve('trusted');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

test('without NODE_EXTRA_CA_CERTS: the mkcert root itself, and no bundle file', { skip, timeout: 60_000 }, (t) => {
  const box = mkcertSandbox(t);
  const result = nodeCaEnvironment({ projectRoot: box.projectRoot, env: {}, caFile: box.caFile });
  assert.deepEqual(result, { NODE_EXTRA_CA_CERTS: box.caFile });
  assert.throws(() => statSync(caBundlePath(box.projectRoot)), /ENOENT/);
});

test('with NODE_EXTRA_CA_CERTS set: a bundle trusted for both servers, the user file untouched', { skip, timeout: 180_000 }, async (t) => {
  const box = mkcertSandbox(t);
  const mkcertPair = await ensureCertificates({
    projectRoot: box.projectRoot,
    domains: ['app.demo.localhost'],
    runner: createRunner(),
    env: box.env,
    logger: captureLogger().logger,
    signal: new AbortController().signal,
    trustBundleFiles: [],
  });
  const corp = tempDir(t);
  const corporateCa = makeCa(corp, 'Corporate CA');
  const corpLeaf = { certFile: join(corp, 'intranet.pem'), keyFile: join(corp, 'intranet-key.pem') };
  signLeaf({ ca: corporateCa, domains: ['intranet.corp.test'], days: 30, ...corpLeaf });
  const userCaBytes = readFileSync(corporateCa.certFile);
  const userCaMtime = statSync(corporateCa.certFile).mtimeMs;

  const env = nodeCaEnvironment({
    projectRoot: box.projectRoot,
    env: { NODE_EXTRA_CA_CERTS: corporateCa.certFile },
    caFile: mkcertPair.caFile,
  });
  const bundle = caBundlePath(box.projectRoot);
  assert.deepEqual(env, { NODE_EXTRA_CA_CERTS: bundle });
  assert.ok(readFileSync(corporateCa.certFile).equals(userCaBytes), "the user's CA file is byte-identical");
  assert.equal(statSync(corporateCa.certFile).mtimeMs, userCaMtime);

  const appPort = await listen(t, mkcertPair.cert, mkcertPair.key, 'app');
  const corpPort = await listen(t, readFileSync(corpLeaf.certFile, 'utf8'), readFileSync(corpLeaf.keyFile, 'utf8'), 'intranet');
  const bundlePem = readFileSync(bundle, 'utf8');
  assert.equal(await handshake(appPort, 'app.demo.localhost', bundlePem), 'trusted');
  assert.equal(await handshake(corpPort, 'intranet.corp.test', bundlePem), 'trusted');
  // Control: the user's CA alone does not reach the mkcert server, so the bundle is what made the difference.
  assert.equal(await handshake(appPort, 'app.demo.localhost', userCaBytes.toString()), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');

  // And the way components get it: a Node process whose only extra trust is NODE_EXTRA_CA_CERTS=<bundle>.
  const script = `
    const https = require('node:https');
    const get = (port, servername) => new Promise((resolve) => https.get({ host: '127.0.0.1', port, servername, headers: { host: servername } },
      (res) => { let body = ''; res.on('data', (c) => body += c); res.on('end', () => resolve(body)); }).on('error', (e) => resolve(e.code)));
    Promise.all([get(${appPort}, 'app.demo.localhost'), get(${corpPort}, 'intranet.corp.test')]).then((r) => console.log(r.join(',')));`;
  const run = (extra: Record<string, string>) =>
    promisify(execFile)(process.execPath, ['-e', script], { env: { PATH: process.env.PATH ?? '', ...extra }, timeout: 60_000 });
  assert.equal((await run(env)).stdout.trim(), 'app,intranet');
  assert.equal((await run({})).stdout.trim(), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE,UNABLE_TO_VERIFY_LEAF_SIGNATURE');
});

test('NODE_EXTRA_CA_CERTS naming a file that cannot be read: a clear error, nothing written', { skip, timeout: 60_000 }, (t) => {
  const box = mkcertSandbox(t);
  assert.throws(
    () => nodeCaEnvironment({ projectRoot: box.projectRoot, env: { NODE_EXTRA_CA_CERTS: '/nonexistent/corp.pem' }, caFile: box.caFile }),
    (error: unknown) =>
      error instanceof StagecraftError &&
      error.category === 'INVALID_PROJECT' &&
      /NODE_EXTRA_CA_CERTS at \/nonexistent\/corp\.pem: ENOENT/.test(error.message),
  );
  assert.throws(() => statSync(caBundlePath(box.projectRoot)), /ENOENT/);
});
