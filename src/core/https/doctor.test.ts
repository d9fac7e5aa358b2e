// doctor's HTTPS checks against real mkcert state, a temp hosts file and temp trust bundles.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { captureLogger } from '../../../test/helpers/logger.js';
import { tempDir } from '../../../test/helpers/temp.js';
import { createRunner } from '../process/start-child.js';
import type { DoctorCheck } from '../provider.js';
import { certificatePaths, ensureCertificates } from './certs.js';
import { type HttpsDoctorOptions, httpsDoctorChecks } from './doctor.js';
import { addHostsEntries } from './hosts-file.js';
import { type MkcertSandbox, mkcertSandbox, mkcertSkipReason } from './test-support.js';

const skip = mkcertSkipReason();
const DOMAINS = ['app.demo.localhost', 'api.acme.test'];

function doctorOptions(box: MkcertSandbox, extra: Partial<HttpsDoctorOptions> = {}): HttpsDoctorOptions {
  return {
    projectRoot: box.projectRoot,
    domains: DOMAINS,
    env: box.env,
    runner: createRunner(),
    signal: new AbortController().signal,
    trustBundleFiles: [],
    ...extra,
  };
}

function byName(checks: readonly DoctorCheck[]): Record<string, DoctorCheck> {
  return Object.fromEntries(checks.map((check) => [check.name, check]));
}

test('doctor: from nothing to everything fine, each check saying what is wrong and what to do', { skip, timeout: 180_000 }, async (t) => {
  const box = mkcertSandbox(t);
  const files = tempDir(t);
  const hostsFile = join(files, 'hosts');
  writeFileSync(hostsFile, '127.0.0.1 localhost\n');
  const bundle = join(files, 'bundle.crt');
  writeFileSync(bundle, '');
  const base = { hostsFile, trustBundleFiles: [bundle] };

  const fresh = byName(await httpsDoctorChecks(doctorOptions(box, base)));
  assert.equal(fresh.mkcert?.status, 'ok');
  assert.equal(fresh['mkcert CA']?.status, 'warn');
  assert.match(fresh['mkcert CA']?.fix ?? '', /mkcert -install/);
  assert.equal(fresh.certificate?.status, 'warn');
  assert.match(fresh.certificate?.message ?? '', /none yet/);
  assert.equal(fresh['hosts file']?.status, 'warn');
  assert.match(fresh['hosts file']?.message ?? '', /api\.acme\.test/);
  assert.doesNotMatch(fresh['hosts file']?.message ?? '', /app\.demo\.localhost/, '.localhost names need no entry');
  assert.ok(fresh['hosts file']?.fix?.endsWith(`127.0.0.1 api.acme.test  # stagecraft:${box.projectRoot}`), fresh['hosts file']?.fix);
  assert.throws(() => statSync(certificatePaths(box.projectRoot).certFile), /ENOENT/, 'doctor changes nothing');

  const certs = await ensureCertificates({ ...doctorOptions(box), logger: captureLogger().logger });
  await addHostsEntries({
    file: hostsFile,
    projectRoot: box.projectRoot,
    domains: ['api.acme.test'],
    elevate: false,
    runner: createRunner(),
  });
  const untrusted = byName(await httpsDoctorChecks(doctorOptions(box, base)));
  assert.equal(untrusted['mkcert CA']?.status, 'ok');
  assert.equal(untrusted['mkcert CA trusted']?.status, 'warn');
  assert.match(untrusted['mkcert CA trusted']?.message ?? '', /not in the system trust store/);
  assert.match(untrusted['mkcert CA trusted']?.fix ?? '', /mkcert -install/);
  assert.equal(untrusted.certificate?.status, 'ok');
  assert.equal(untrusted['hosts file']?.status, 'ok');

  writeFileSync(bundle, readFileSync(certs.caFile));
  const good = await httpsDoctorChecks(doctorOptions(box, base));
  assert.deepEqual(
    good.filter((check) => check.status !== 'ok'),
    [],
  );

  const changed = byName(await httpsDoctorChecks(doctorOptions(box, { ...base, domains: [...DOMAINS, 'new.demo.localhost'] })));
  assert.match(changed.certificate?.message ?? '', /SAN set differs \(\+new\.demo\.localhost\)/);
  // Two days before the expiry node:crypto reads (independently of the code under test).
  const twoDaysBefore = new Date(new Date(new X509Certificate(certs.cert).validTo).getTime() - 2 * 86_400_000);
  const later = byName(await httpsDoctorChecks(doctorOptions(box, { ...base, now: () => twoDaysBefore })));
  assert.match(later.certificate?.message ?? '', /expires in [12] days?/);
});

test('doctor: no mkcert is a failure with the install hint; an unreadable NODE_EXTRA_CA_CERTS is a failure', {
  timeout: 60_000,
}, async (t) => {
  const base = tempDir(t);
  const emptyBin = join(base, 'bin');
  mkdirSync(emptyBin);
  const box: MkcertSandbox = {
    env: { PATH: emptyBin, HOME: base, NODE_EXTRA_CA_CERTS: join(base, 'corp.pem') },
    caRoot: base,
    caFile: '',
    projectRoot: base,
  };
  const checks = byName(await httpsDoctorChecks(doctorOptions(box, { domains: ['app.demo.localhost'] })));
  assert.equal(checks.mkcert?.status, 'fail');
  assert.match(checks.mkcert?.fix ?? '', /apt-get install mkcert/);
  assert.equal(checks.NODE_EXTRA_CA_CERTS?.status, 'fail');
  assert.match(checks.NODE_EXTRA_CA_CERTS?.message ?? '', /ENOENT/);
  writeFileSync(join(base, 'corp.pem'), '');
  const fixed = byName(await httpsDoctorChecks(doctorOptions(box, { domains: ['app.demo.localhost'] })));
  assert.equal(fixed.NODE_EXTRA_CA_CERTS?.status, 'ok');
});
