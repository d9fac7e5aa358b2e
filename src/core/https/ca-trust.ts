import { existsSync, readFileSync } from 'node:fs';

/**
 * The system CA bundles of the common Linux families. `mkcert -install` adds its CA to the system store
 * (Debian: /usr/local/share/ca-certificates + update-ca-certificates; Fedora: update-ca-trust), which ends up in
 * one of these files. What this does not see: the NSS databases of Firefox and Chrome (~/.pki/nssdb, profiles),
 * which mkcert -install also fills when `certutil` is present; and macOS's keychain (see `checkCaTrust`).
 */
export const LINUX_TRUST_BUNDLES: readonly string[] = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Alpine, Arch
  '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, RHEL
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', // Fedora, RHEL (newer layout)
  '/etc/ssl/ca-bundle.pem', // openSUSE
];

export interface CaTrust {
  /** true: found in a trust bundle; false: the bundles were read and it is not there; undefined: could not tell. */
  readonly trusted: boolean | undefined;
  /** What was checked, for the message: "looked in /etc/ssl/certs/ca-certificates.crt". */
  readonly checked: string;
}

/**
 * Whether the CA at `caFile` is in the system trust store, by looking for its exact encoding in the system's
 * PEM bundle files (whitespace ignored, so a re-wrapped copy counts). On macOS the keychain is not a file:
 * there it cannot tell (undefined) and the docs say how to check by hand.
 */
export function checkCaTrust(caFile: string, bundleFiles?: readonly string[]): CaTrust {
  const files = bundleFiles ?? (process.platform === 'linux' ? LINUX_TRUST_BUNDLES : []);
  const existing = files.filter((file) => existsSync(file));
  if (existing.length === 0) {
    return {
      trusted: undefined,
      checked: files.length === 0 ? `no trust bundle file known on ${process.platform}` : `none of ${files.join(', ')} exists`,
    };
  }
  if (!existsSync(caFile)) return { trusted: undefined, checked: `no CA at ${caFile} yet` };
  const body = pemBody(readFileSync(caFile, 'utf8'));
  if (body === undefined) return { trusted: undefined, checked: `${caFile} holds no certificate` };
  const trusted = existing.some((file) => readFileSync(file, 'utf8').replace(/\s+/g, '').includes(body));
  return { trusted, checked: `looked in ${existing.join(', ')}` };
}

/** The base64 body of the first PEM certificate, whitespace removed. */
function pemBody(pem: string): string | undefined {
  const match = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  return match?.[1]?.replace(/\s+/g, '');
}
