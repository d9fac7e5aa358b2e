// Real mkcert with CAROOT in a temp dir, real certificates, read back with node:crypto independently of the code.
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { captureLogger } from '../../../test/helpers/logger.js';
import { tempDir } from '../../../test/helpers/temp.js';
import { StagecraftError } from '../errors.js';
import { createRunner } from '../process/start-child.js';
import { type CertificateOptions, ensureCertificates } from './certs.js';
import { type MkcertSandbox, makeCa, mkcertSandbox, mkcertSkipReason, recordingRunner, signLeaf } from './test-support.js';

const skip = mkcertSkipReason();
const DOMAINS = ['app.demo.localhost', 'api.demo.localhost'];
const CERT = ['.stagecraft', 'dev', 'certs', 'dev-local.pem'];
const KEY = ['.stagecraft', 'dev', 'certs', 'dev-local-key.pem'];

function options(box: MkcertSandbox, overrides: Partial<CertificateOptions> = {}): CertificateOptions {
  return {
    projectRoot: box.projectRoot,
    domains: DOMAINS,
    runner: createRunner(),
    env: box.env,
    logger: captureLogger().logger,
    signal: new AbortController().signal,
    trustBundleFiles: [],
    ...overrides,
  };
}

function readCert(file: string): X509Certificate {
  return new X509Certificate(readFileSync(file));
}

function sans(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .map((entry) => entry.replace(/^DNS:/, ''))
    .sort();
}

function verifiesAgainst(certFile: string, caFile: string): boolean {
  const ca = readCert(caFile);
  return readCert(certFile).verify(ca.publicKey);
}

/** Puts the pair's mtimes in the past, so a rewrite (even within the same second) shows. */
function ageFiles(...files: string[]): Map<string, number> {
  const past = new Date('2020-01-01T00:00:00Z');
  for (const file of files) utimesSync(file, past, past);
  return new Map(files.map((file) => [file, statSync(file).mtimeMs]));
}

test('first run: mkcert writes one certificate for all domains, key mode 600, .stagecraft/dev ignores itself', {
  skip,
  timeout: 120_000,
}, async (t) => {
  const box = mkcertSandbox(t);
  const userIgnore = join(box.projectRoot, '.gitignore');
  writeFileSync(userIgnore, 'node_modules\n# mine\n');
  const before = statSync(userIgnore).mtimeMs;
  const log = captureLogger();
  const result = await ensureCertificates(options(box, { logger: log.logger }));

  const certFile = join(box.projectRoot, ...CERT);
  const keyFile = join(box.projectRoot, ...KEY);
  assert.equal(result.certFile, certFile);
  assert.equal(result.keyFile, keyFile);
  assert.equal(result.caFile, join(box.caRoot, 'rootCA.pem'));
  assert.equal(result.regenerated, true);
  assert.equal(result.reason, 'none yet');
  assert.deepEqual(sans(readCert(certFile)), [...DOMAINS].sort());
  assert.ok(verifiesAgainst(certFile, result.caFile), 'signed by the CA in CAROOT');
  assert.equal(result.cert, readFileSync(certFile, 'utf8'));
  assert.equal(result.key, readFileSync(keyFile, 'utf8'));
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  assert.match(readFileSync(join(box.projectRoot, '.stagecraft', 'dev', '.gitignore'), 'utf8'), /^\*$/m);
  assert.equal(readFileSync(userIgnore, 'utf8'), 'node_modules\n# mine\n');
  assert.equal(statSync(userIgnore).mtimeMs, before);
  const keyBody = result.key.split('\n')[1] ?? '';
  assert.ok(keyBody.length > 20 && !log.text().includes(keyBody), 'the key is never logged');
});

test('reuse: a fitting certificate is not rewritten and mkcert runs only for -CAROOT', { skip, timeout: 120_000 }, async (t) => {
  const box = mkcertSandbox(t);
  await ensureCertificates(options(box));
  const files = [join(box.projectRoot, ...CERT), join(box.projectRoot, ...KEY)];
  const mtimes = ageFiles(...files);
  const { runner, calls } = recordingRunner();
  const again = await ensureCertificates(options(box, { runner, domains: [...DOMAINS].reverse() }));
  assert.equal(again.regenerated, false);
  assert.equal(again.reason, undefined);
  for (const file of files) assert.equal(statSync(file).mtimeMs, mtimes.get(file), `${file} untouched`);
  assert.deepEqual(
    calls.map((argv) => argv.slice(1)),
    [['-CAROOT']],
  );
});

test('SAN set change: a domain added and one removed regenerate, naming both', { skip, timeout: 120_000 }, async (t) => {
  const box = mkcertSandbox(t);
  await ensureCertificates(options(box));
  const wanted = ['app.demo.localhost', 'admin.demo.localhost'];
  const result = await ensureCertificates(options(box, { domains: wanted }));
  assert.equal(result.regenerated, true);
  assert.equal(result.reason, 'SAN set differs (+admin.demo.localhost, -api.demo.localhost)');
  assert.deepEqual(sans(readCert(result.certFile)), [...wanted].sort());
});

test('key deleted or not matching: regenerated, and the new key belongs to the new certificate', { skip, timeout: 120_000 }, async (t) => {
  const box = mkcertSandbox(t);
  const first = await ensureCertificates(options(box));
  rmSync(first.keyFile);
  const result = await ensureCertificates(options(box));
  assert.equal(result.reason, 'key missing');
  assert.ok(readCert(result.certFile).checkPrivateKey(createPrivateKey(readFileSync(result.keyFile))));

  // A key that is not this certificate's (another pair's, copied over by hand) fails every handshake: regenerated.
  const elsewhere = join(tempDir(t), 'elsewhere');
  mkdirSync(elsewhere);
  const other = await ensureCertificates(options(box, { projectRoot: elsewhere }));
  writeFileSync(result.keyFile, other.key);
  const mismatched = await ensureCertificates(options(box));
  assert.equal(mismatched.reason, 'key does not match the certificate');
  assert.ok(readCert(mismatched.certFile).checkPrivateKey(createPrivateKey(readFileSync(mismatched.keyFile))));
});

test('a different CA (CAROOT changed): the old certificate no longer verifies and is regenerated by the new CA', {
  skip,
  timeout: 120_000,
}, async (t) => {
  const box = mkcertSandbox(t);
  const first = await ensureCertificates(options(box));
  const otherRoot = join(tempDir(t), 'other-ca');
  const env = { ...box.env, CAROOT: otherRoot };
  // The other CA exists already (another project made it): the plain reason.
  const elsewhere = join(tempDir(t), 'elsewhere');
  mkdirSync(elsewhere);
  await ensureCertificates(options(box, { env, projectRoot: elsewhere }));
  const result = await ensureCertificates(options(box, { env }));
  assert.equal(result.reason, 'no longer verifies against the CA');
  assert.equal(result.caFile, join(otherRoot, 'rootCA.pem'));
  assert.ok(verifiesAgainst(result.certFile, result.caFile));
  assert.ok(!verifiesAgainst(result.certFile, first.caFile));

  // A CAROOT with no CA yet: mkcert creates one, and the reason says where it looked.
  const fresh = await ensureCertificates(options(box, { env: { ...box.env, CAROOT: join(tempDir(t), 'fresh-ca') } }));
  assert.match(fresh.reason ?? '', /^no longer verifies against the CA \(no CA at .*fresh-ca\/rootCA\.pem\)$/);
  assert.ok(verifiesAgainst(fresh.certFile, fresh.caFile));
});

test('expiry: a certificate (openssl, signed by the mkcert CA) expiring in 3 days is regenerated; one of 30 days is kept', {
  skip,
  timeout: 120_000,
}, async (t) => {
  const box = mkcertSandbox(t);
  const first = await ensureCertificates(options(box)); // creates the CA
  const ca = { certFile: first.caFile, keyFile: join(box.caRoot, 'rootCA-key.pem') };

  signLeaf({ ca, domains: DOMAINS, days: 30, certFile: first.certFile, keyFile: first.keyFile });
  const kept = await ensureCertificates(options(box));
  assert.equal(kept.reason, undefined, 'an openssl certificate with the right SANs, 30 days left, verifying: reused');
  assert.equal(kept.regenerated, false);

  signLeaf({ ca, domains: DOMAINS, days: 3, certFile: first.certFile, keyFile: first.keyFile });
  const shortLived = readCert(first.certFile);
  assert.ok(new Date(shortLived.validTo).getTime() - Date.now() < 4 * 86_400_000);
  const renewed = await ensureCertificates(options(box));
  assert.match(renewed.reason ?? '', /^expires in [23] days$/);
  assert.ok(new Date(readCert(renewed.certFile).validTo).getTime() - Date.now() > 30 * 86_400_000);
});

test('a certificate from another CA altogether (the user replaced it): regenerated', { skip, timeout: 120_000 }, async (t) => {
  const box = mkcertSandbox(t);
  const first = await ensureCertificates(options(box));
  const foreign = makeCa(join(tempDir(t), 'foreign'), 'Foreign CA');
  signLeaf({ ca: foreign, domains: DOMAINS, days: 30, certFile: first.certFile, keyFile: first.keyFile });
  const result = await ensureCertificates(options(box));
  assert.equal(result.reason, 'no longer verifies against the CA');
  assert.ok(verifiesAgainst(result.certFile, first.caFile));
});

test('an impostor CA (same name and key identifier as the mkcert CA, another key): only the signature check catches it', {
  skip,
  timeout: 120_000,
}, async (t) => {
  const box = mkcertSandbox(t);
  const first = await ensureCertificates(options(box));
  const impostor = makeCa(join(tempDir(t), 'impostor'), 'impostor', first.caFile);
  signLeaf({ ca: impostor, domains: DOMAINS, days: 30, certFile: first.certFile, keyFile: first.keyFile });
  assert.ok(readCert(first.certFile).checkIssued(readCert(first.caFile)), 'names and key identifiers match: checkIssued alone is fooled');
  const result = await ensureCertificates(options(box));
  assert.equal(result.reason, 'no longer verifies against the CA');
  assert.ok(verifiesAgainst(result.certFile, first.caFile));
});

test('no mkcert on PATH: PROVIDER_NOT_AVAILABLE with the install hint and --no-https', { timeout: 60_000 }, async (t) => {
  const base = tempDir(t);
  const emptyBin = join(base, 'bin');
  mkdirSync(emptyBin);
  const box: MkcertSandbox = { env: { PATH: emptyBin, HOME: base }, caRoot: base, caFile: '', projectRoot: base };
  const error = await ensureCertificates(options(box)).then(
    () => assert.fail('expected an error'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof StagecraftError);
  assert.equal(error.category, 'PROVIDER_NOT_AVAILABLE');
  assert.match(error.message, /mkcert/);
  assert.match(error.hint ?? '', /apt-get install mkcert/);
  assert.match(error.hint ?? '', /brew install mkcert/);
  assert.match(error.hint ?? '', /--no-https/);
});

test('CA not in the trust store: a warning naming mkcert -install, which is never run; in the bundle: no warning', {
  skip,
  timeout: 120_000,
}, async (t) => {
  const box = mkcertSandbox(t);
  const bundles = tempDir(t);
  const without = join(bundles, 'without.crt');
  writeFileSync(without, '# a system bundle without the mkcert CA\n');
  const untrusted = captureLogger();
  const { runner, calls } = recordingRunner();
  const first = await ensureCertificates(options(box, { logger: untrusted.logger, runner, trustBundleFiles: [without] }));
  assert.equal(first.caTrusted, false);
  assert.match(untrusted.text(), /not in the system trust store[\s\S]*`mkcert -install`/);
  assert.ok(!calls.some((argv) => argv.includes('-install')), 'mkcert -install never runs');

  // The CA as update-ca-certificates would have it: among others, wrapped differently.
  const caBody = readFileSync(first.caFile, 'utf8')
    .replace(/-----[^-]+-----/g, '')
    .replace(/\s+/g, '');
  const rewrapped = `-----BEGIN CERTIFICATE-----\n${caBody.match(/.{1,76}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
  const withCa = join(bundles, 'with.crt');
  writeFileSync(withCa, `${readFileSync(makeCa(join(bundles, 'other'), 'Other').certFile, 'utf8')}${rewrapped}`);
  const trusted = captureLogger();
  const second = await ensureCertificates(options(box, { logger: trusted.logger, trustBundleFiles: [without, withCa] }));
  assert.equal(second.caTrusted, true);
  assert.doesNotMatch(trusted.text(), /mkcert -install/);
});
