import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StagecraftError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { findExecutable } from '../process/executable.js';
import { describeExit, runToCompletion } from '../process/run-to-completion.js';
import { type Runner, SpawnError } from '../process/start-child.js';
import { checkCaTrust } from './ca-trust.js';
import { certsDir, ensureDevStateDir } from './dev-dir.js';
import { isValidDomain } from './domains.js';

/** Regenerate a certificate that expires within this long, so it never lapses in the middle of a session. */
export const RENEW_BEFORE_MS = 7 * 24 * 60 * 60 * 1000;

export const MKCERT_INSTALL_HINT =
  'Install mkcert (Debian/Ubuntu: `apt-get install mkcert`; macOS: `brew install mkcert`), or run without HTTPS: `stagecraft dev --no-https`.';

export interface CertificateOptions {
  readonly projectRoot: string;
  readonly domains: readonly string[];
  readonly runner: Runner;
  /** The environment mkcert runs in (PATH to find it, CAROOT when set, HOME for its default CA root). */
  readonly env: Readonly<Record<string, string>>;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Where to look for the CA in the system trust store; the platform's bundle files by default (tests pass their own). */
  readonly trustBundleFiles?: readonly string[];
  /** The clock, for the expiry rule (tests). */
  readonly now?: () => Date;
}

export interface Certificates {
  readonly certFile: string;
  readonly keyFile: string;
  /** `$(mkcert -CAROOT)/rootCA.pem`. */
  readonly caFile: string;
  readonly cert: string;
  /** The private key (PEM). Never log it. */
  readonly key: string;
  readonly regenerated: boolean;
  /** Why it was regenerated: "none yet", "key missing", "SAN set differs (+x, -y)", "expires in 3 days", ... */
  readonly reason: string | undefined;
  /** Whether the CA is in the system trust store; undefined when this platform's store could not be checked. */
  readonly caTrusted: boolean | undefined;
}

export interface CertificatePaths {
  readonly certFile: string;
  readonly keyFile: string;
}

/** `.stagecraft/dev/certs/dev-local.pem` and `dev-local-key.pem` (the Go reference's names). */
export function certificatePaths(projectRoot: string): CertificatePaths {
  const dir = certsDir(projectRoot);
  return { certFile: join(dir, 'dev-local.pem'), keyFile: join(dir, 'dev-local-key.pem') };
}

/**
 * One certificate for all dev domains, signed by the user's mkcert CA. Reused while it still fits; regenerated
 * exactly when `certificateProblem` names a reason. Warns (never runs `mkcert -install`) when the CA is not trusted.
 */
export async function ensureCertificates(options: CertificateOptions): Promise<Certificates> {
  const { projectRoot, domains, logger } = options;
  assertDomains(domains);
  const mkcert = requireMkcert(options.env);
  const caFile = join(await mkcertCaRoot(mkcert, { ...options, cwd: projectRoot }), 'rootCA.pem');
  ensureDevStateDir(projectRoot);
  const paths = certificatePaths(projectRoot);
  const reason = certificateProblem({ ...paths, caFile, domains, now: options.now?.() ?? new Date() });
  if (reason !== undefined) {
    logger.info(`generating the HTTPS certificate for ${domains.join(', ')} (${reason})`);
    await generateCertificate(mkcert, paths, options);
  } else {
    logger.debug(`reusing the HTTPS certificate ${paths.certFile}`);
  }
  const caTrusted = warnIfCaUntrusted(caFile, options);
  return {
    ...paths,
    caFile,
    cert: readFileSync(paths.certFile, 'utf8'),
    key: readFileSync(paths.keyFile, 'utf8'),
    regenerated: reason !== undefined,
    reason,
    caTrusted,
  };
}

function assertDomains(domains: readonly string[]): void {
  const bad = domains.filter((domain) => !isValidDomain(domain));
  if (domains.length > 0 && bad.length === 0) return;
  throw new StagecraftError({
    category: 'INVALID_CONFIG',
    operation: 'dev',
    message:
      domains.length === 0
        ? 'no domains to put on the HTTPS certificate'
        : `not a valid domain name for a certificate: ${bad.map((d) => JSON.stringify(d)).join(', ')}`,
    hint: 'Domains are host names such as app.example.localhost (letters, digits, dashes and dots).',
  });
}

/** mkcert's path on the environment's PATH, or PROVIDER_NOT_AVAILABLE with the install hint. */
export function requireMkcert(env: Readonly<Record<string, string>>): string {
  const lookup = findExecutable('mkcert', env.PATH);
  if (lookup.found) return lookup.path;
  throw new StagecraftError({
    category: 'PROVIDER_NOT_AVAILABLE',
    operation: 'dev',
    message: `mkcert is needed for HTTPS on dev domains: ${lookup.problem}`,
    hint: MKCERT_INSTALL_HINT,
  });
}

export interface CaRootOptions {
  /** Where mkcert runs; the current directory by default. */
  readonly cwd?: string;
  readonly runner: Runner;
  readonly env: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
}

/** `mkcert -CAROOT`: where the CA lives (CAROOT from the environment when set, else mkcert's default). */
export async function mkcertCaRoot(mkcert: string, options: CaRootOptions): Promise<string> {
  const { lines, result } = await runMkcert(mkcert, ['-CAROOT'], { ...options, cwd: options.cwd ?? process.cwd() });
  const root = lines.find((line) => line.trim() !== '')?.trim();
  if (result.code === 0 && root !== undefined) return root;
  throw mkcertFailed('mkcert -CAROOT', describeExit(result), lines);
}

async function generateCertificate(mkcert: string, paths: CertificatePaths, options: CertificateOptions): Promise<void> {
  // mkcert writes to temp names, renamed into place only once both exist: a killed run never leaves half a pair.
  const temp = { certFile: `${paths.certFile}.${process.pid}.tmp`, keyFile: `${paths.keyFile}.${process.pid}.tmp` };
  rmSync(temp.keyFile, { force: true });
  const args = ['-cert-file', temp.certFile, '-key-file', temp.keyFile, ...options.domains];
  const { lines, result } = await runMkcert(mkcert, args, { ...options, cwd: certsDir(options.projectRoot) });
  for (const line of lines) options.logger.debug(`mkcert: ${line}`);
  if (result.code !== 0) throw mkcertFailed('mkcert', describeExit(result), lines);
  chmodSync(temp.keyFile, 0o600); // mkcert already does; the key must never be readable by others
  renameSync(temp.keyFile, paths.keyFile);
  renameSync(temp.certFile, paths.certFile);
}

interface MkcertRun extends Omit<CaRootOptions, 'cwd'> {
  readonly cwd: string;
}

async function runMkcert(mkcert: string, args: readonly string[], options: MkcertRun) {
  const lines: string[] = [];
  try {
    const result = await runToCompletion(options.runner, mkcert, args, {
      cwd: options.cwd,
      env: options.env,
      signal: options.signal,
      timeoutMs: 120_000,
      onLine: (line) => void lines.push(line),
    });
    return { lines, result };
  } catch (error) {
    if (!(error instanceof SpawnError)) throw error;
    throw new StagecraftError({
      category: 'PROVIDER_NOT_AVAILABLE',
      operation: 'dev',
      message: `could not run mkcert: ${error.code}`,
      hint: MKCERT_INSTALL_HINT,
      cause: error,
    });
  }
}

function mkcertFailed(command: string, how: string, lines: readonly string[]): StagecraftError {
  return new StagecraftError({
    category: 'DEV_SERVER_FAILED',
    operation: 'dev',
    message: `${command} failed (${how})`,
    detail: lines.slice(-10).join('\n'),
    hint: 'Run it by hand to see why; `stagecraft dev --no-https` starts without HTTPS.',
  });
}

export interface CertificateCheck extends CertificatePaths {
  readonly caFile: string;
  readonly domains: readonly string[];
  readonly now: Date;
}

/**
 * Why the certificate must be regenerated, or undefined when it can be reused. The rules, in order: none yet,
 * key missing, unreadable, SAN set differs, expires within 7 days, no longer verifies against the CA; plus the
 * key not matching the certificate (a pair broken by hand), which would fail every handshake.
 */
export function certificateProblem(check: CertificateCheck): string | undefined {
  const certPem = readIfExists(check.certFile);
  if (certPem === undefined) return 'none yet';
  const keyPem = readIfExists(check.keyFile);
  if (keyPem === undefined) return 'key missing';
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (error) {
    return `unreadable certificate (${(error as Error).message})`;
  }
  return sanDifference(cert, check.domains) ?? expiryProblem(cert, check.now) ?? caProblem(cert, check.caFile) ?? keyProblem(cert, keyPem);
}

/** The DNS names on the certificate, lowercased. */
export function certificateDomains(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase());
}

function sanDifference(cert: X509Certificate, domains: readonly string[]): string | undefined {
  const have = new Set(certificateDomains(cert));
  const want = new Set(domains.map((domain) => domain.toLowerCase()));
  const added = [...want].filter((domain) => !have.has(domain)).map((domain) => `+${domain}`);
  const removed = [...have].filter((domain) => !want.has(domain)).map((domain) => `-${domain}`);
  const changes = [...added, ...removed];
  return changes.length === 0 ? undefined : `SAN set differs (${changes.join(', ')})`;
}

function expiryProblem(cert: X509Certificate, now: Date): string | undefined {
  const left = new Date(cert.validTo).getTime() - now.getTime();
  if (left >= RENEW_BEFORE_MS) return undefined;
  if (left <= 0) return `expired on ${cert.validTo}`;
  const days = Math.floor(left / (24 * 60 * 60 * 1000));
  return days === 0 ? 'expires within a day' : `expires in ${days} day${days === 1 ? '' : 's'}`;
}

function caProblem(cert: X509Certificate, caFile: string): string | undefined {
  const caPem = readIfExists(caFile);
  if (caPem === undefined) return `no longer verifies against the CA (no CA at ${caFile})`;
  try {
    const ca = new X509Certificate(caPem);
    // checkIssued compares names only; verify checks the signature with the CA's key.
    if (cert.checkIssued(ca) && cert.verify(ca.publicKey)) return undefined;
  } catch {
    // an unreadable CA verifies nothing
  }
  return 'no longer verifies against the CA';
}

function keyProblem(cert: X509Certificate, keyPem: string): string | undefined {
  try {
    if (cert.checkPrivateKey(createPrivateKey(keyPem))) return undefined;
  } catch {
    // an unreadable key matches nothing
  }
  return 'key does not match the certificate';
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function warnIfCaUntrusted(caFile: string, options: CertificateOptions): boolean | undefined {
  const trust = checkCaTrust(caFile, options.trustBundleFiles);
  if (trust.trusted === false) {
    options.logger.warn(
      `the mkcert CA ${caFile} is not in the system trust store (${trust.checked}): browsers and curl will reject the ` +
        'dev certificate. Run `mkcert -install` once to trust it (Stagecraft never runs it for you).',
    );
  } else if (trust.trusted === undefined) {
    options.logger.debug(`could not tell whether the mkcert CA is trusted: ${trust.checked}`);
  }
  return trust.trusted;
}
