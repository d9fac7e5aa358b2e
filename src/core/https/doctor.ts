import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isStagecraftError } from '../errors.js';
import { findExecutable } from '../process/executable.js';
import type { Runner } from '../process/start-child.js';
import type { DoctorCheck } from '../provider.js';
import { checkCaTrust } from './ca-trust.js';
import { certificatePaths, certificateProblem, MKCERT_INSTALL_HINT, mkcertCaRoot } from './certs.js';
import { domainsNeedingHosts } from './domains.js';
import { DEFAULT_HOSTS_FILE, hostsLine } from './hosts-file.js';

export interface HttpsDoctorOptions {
  readonly projectRoot: string;
  /** The dev domains (config `dev.domains` or the defaults). */
  readonly domains: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly runner: Runner;
  readonly signal: AbortSignal;
  /** The hosts file to look in; /etc/hosts by default. */
  readonly hostsFile?: string;
  readonly trustBundleFiles?: readonly string[];
  readonly now?: () => Date;
}

/**
 * What `doctor` reports about HTTPS on dev domains, without changing anything: mkcert, its CA and whether the
 * system trusts it, the certificate against the regeneration rules, the hosts file for non-.localhost domains,
 * and an existing NODE_EXTRA_CA_CERTS.
 */
export async function httpsDoctorChecks(options: HttpsDoctorOptions): Promise<DoctorCheck[]> {
  const mkcert = findExecutable('mkcert', options.env.PATH);
  if (!mkcert.found) {
    return [
      { name: 'mkcert', status: 'fail', message: mkcert.problem, fix: MKCERT_INSTALL_HINT },
      ...hostsChecks(options),
      ...nodeCaChecks(options),
    ];
  }
  const checks: DoctorCheck[] = [{ name: 'mkcert', status: 'ok', message: mkcert.path }];
  let caRoot: string;
  try {
    caRoot = await mkcertCaRoot(mkcert.path, { ...options, cwd: options.projectRoot });
  } catch (error) {
    if (!isStagecraftError(error)) throw error;
    checks.push({ name: 'mkcert CA', status: 'fail', message: error.message, fix: error.hint });
    return [...checks, ...hostsChecks(options), ...nodeCaChecks(options)];
  }
  const caFile = join(caRoot, 'rootCA.pem');
  checks.push(...caChecks(caFile, options), certificateCheck(caFile, options), ...hostsChecks(options), ...nodeCaChecks(options));
  return checks;
}

function caChecks(caFile: string, options: HttpsDoctorOptions): DoctorCheck[] {
  if (!existsSync(caFile)) {
    return [
      {
        name: 'mkcert CA',
        status: 'warn',
        message: `no CA at ${caFile} yet (mkcert creates one with the first certificate)`,
        fix: 'Run `mkcert -install` to create it and add it to the trust store.',
      },
    ];
  }
  const trust = checkCaTrust(caFile, options.trustBundleFiles);
  const trusted: DoctorCheck =
    trust.trusted === true
      ? { name: 'mkcert CA trusted', status: 'ok', message: `in the system trust store (${trust.checked})` }
      : {
          name: 'mkcert CA trusted',
          status: 'warn',
          message:
            trust.trusted === false
              ? `not in the system trust store (${trust.checked}): browsers and curl reject the dev certificate`
              : `could not tell whether the system trusts it (${trust.checked})`,
          fix: 'Run `mkcert -install` once (Stagecraft never runs it for you).',
        };
  return [{ name: 'mkcert CA', status: 'ok', message: caFile }, trusted];
}

function certificateCheck(caFile: string, options: HttpsDoctorOptions): DoctorCheck {
  const paths = certificatePaths(options.projectRoot);
  const problem = certificateProblem({ ...paths, caFile, domains: options.domains, now: options.now?.() ?? new Date() });
  if (problem === undefined)
    return { name: 'certificate', status: 'ok', message: `${paths.certFile} covers ${options.domains.join(', ')}` };
  return {
    name: 'certificate',
    status: 'warn',
    message: `${paths.certFile}: ${problem}`,
    fix: 'Nothing to do by hand: `stagecraft dev` regenerates it.',
  };
}

function hostsChecks(options: HttpsDoctorOptions): DoctorCheck[] {
  const needed = domainsNeedingHosts(options.domains);
  if (needed.length === 0) return [];
  const file = options.hostsFile ?? DEFAULT_HOSTS_FILE;
  const known = namesInHostsFile(file);
  const missing = needed.filter((domain) => !known.has(domain.toLowerCase()));
  if (missing.length === 0) return [{ name: 'hosts file', status: 'ok', message: `${file} maps ${needed.join(', ')}` }];
  return [
    {
      name: 'hosts file',
      status: 'warn',
      message: `${file} does not map ${missing.join(', ')} (not under .localhost, so they need an entry)`,
      fix: `Run \`stagecraft dev --hosts\`, or add this line to ${file}: ${hostsLine(missing, options.projectRoot)}`,
    },
  ];
}

/** Every host name an active (uncommented) line of the hosts file maps, lowercased. */
function namesInHostsFile(file: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return new Set();
  }
  const names = text.split('\n').flatMap((line) => line.replace(/#.*/, '').trim().split(/\s+/).slice(1) ?? []);
  return new Set(names.map((name) => name.toLowerCase()));
}

function nodeCaChecks(options: HttpsDoctorOptions): DoctorCheck[] {
  const existing = options.env.NODE_EXTRA_CA_CERTS;
  if (existing === undefined || existing === '') return [];
  const file = resolve(options.projectRoot, existing);
  try {
    accessSync(file, constants.R_OK);
    return [{ name: 'NODE_EXTRA_CA_CERTS', status: 'ok', message: `${file}: Node components get it bundled with the mkcert CA` }];
  } catch (error) {
    return [
      {
        name: 'NODE_EXTRA_CA_CERTS',
        status: 'fail',
        message: `${file} cannot be read (${(error as NodeJS.ErrnoException).code})`,
        fix: 'Point NODE_EXTRA_CA_CERTS at a readable PEM file, or unset it.',
      },
    ];
  }
}
