// Shared by the HTTPS tests (not shipped: nothing in the CLI imports it).
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { tempDir } from '../../../test/helpers/temp.js';
import { findExecutable } from '../process/executable.js';
import { type ChildProcessHandle, createRunner, type Runner, type StartOptions } from '../process/start-child.js';

/** Why the real-mkcert tests cannot run here, or undefined. CI (STAGECRAFT_REQUIRE_ENGINE=1) never skips. */
export function mkcertSkipReason(): string | undefined {
  if (process.env.STAGECRAFT_REQUIRE_ENGINE === '1') return undefined;
  for (const tool of ['mkcert', 'openssl']) {
    if (!findExecutable(tool, process.env.PATH).found) return `${tool} is not installed (apt-get install mkcert openssl)`;
  }
  return undefined;
}

export interface MkcertSandbox {
  /** The environment for mkcert: PATH, a temp HOME, CAROOT in a temp dir. */
  readonly env: Record<string, string>;
  readonly caRoot: string;
  readonly caFile: string;
  readonly projectRoot: string;
}

/** A temp project and a temp CAROOT whose CA exists (made by `mkcert -CAROOT`'s sibling: a throwaway cert). */
export function mkcertSandbox(t: TestContext): MkcertSandbox {
  const base = tempDir(t, 'stagecraft-https-');
  const caRoot = join(base, 'ca');
  const home = join(base, 'home');
  const projectRoot = join(base, 'project');
  for (const dir of [home, projectRoot]) mkdirSync(dir);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CAROOT: caRoot };
  return { env, caRoot, caFile: join(caRoot, 'rootCA.pem'), projectRoot };
}

/**
 * A CA of its own in `dir` (as a user's corporate CA would be), made with openssl. `impersonate`: copy that CA's
 * subject and subject key identifier (with a key of its own), so only a signature check can tell them apart.
 */
export function makeCa(dir: string, name: string, impersonate?: string): { certFile: string; keyFile: string } {
  mkdirSync(dir, { recursive: true });
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}-key.pem`);
  const subject = impersonate ? `/${new X509Certificate(readFileSync(impersonate)).subject.split('\n').join('/')}` : `/CN=${name}`;
  const keyId = impersonate ? ['-addext', `subjectKeyIdentifier=${subjectKeyIdentifier(impersonate)}`] : [];
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '30',
    '-subj',
    subject,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    ...keyId,
  ]);
  return { certFile, keyFile };
}

function subjectKeyIdentifier(certFile: string): string {
  const out = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-ext', 'subjectKeyIdentifier'], { encoding: 'utf8' });
  return (out.trim().split('\n').pop() ?? '').replace(/[\s:]/g, '');
}

/** A leaf certificate for `domains`, valid `days` days from now, signed by the CA given, written where asked. */
export function signLeaf(options: {
  ca: { certFile: string; keyFile: string };
  domains: readonly string[];
  days: number;
  certFile: string;
  keyFile: string;
}): void {
  const dir = join(options.certFile, '..');
  const csr = join(dir, 'leaf.csr');
  const ext = join(dir, 'leaf.ext');
  writeFileSync(ext, `subjectAltName=${options.domains.map((d) => `DNS:${d}`).join(',')}\nextendedKeyUsage=serverAuth\n`);
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', options.keyFile, '-out', csr, '-subj', `/CN=${options.domains[0]}`]);
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    options.ca.certFile,
    '-CAkey',
    options.ca.keyFile,
    '-set_serial',
    String(Date.now()),
    '-days',
    String(options.days),
    '-extfile',
    ext,
    '-out',
    options.certFile,
  ]);
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A real runner that also records every argv it was asked to start. */
export function recordingRunner(): { runner: Runner; calls: string[][] } {
  const real = createRunner();
  const calls: string[][] = [];
  return {
    calls,
    runner: {
      start(command: string, args: readonly string[], options: StartOptions): ChildProcessHandle {
        calls.push([command, ...args]);
        return real.start(command, args, options);
      },
      signalAll: (signal) => real.signalAll(signal),
    },
  };
}
