/**
 * A name derived from a path (the compile cache's directory per install, the dev lock's address per config
 * file): FNV-1a, 128 bits, as hex. Not node:crypto's sha256: loading node:crypto costs about 6 ms, on every
 * command that uses the compile cache and again on `dev` for its lock (docs/benchmarks.md, case 2), and
 * nothing here needs a cryptographic hash: names only have to differ for different paths. (Anyone on the
 * machine can take an abstract socket name or write under one's cache anyway.)
 */
const FNV_OFFSET_128 = 0x6c62272e07bb014262b821756295c58dn;
const FNV_PRIME_128 = 0x0000000001000000000000000000013bn;
const MASK_128 = (1n << 128n) - 1n;

export function pathHash(text: string, hexDigits = 32): string {
  let hash = FNV_OFFSET_128;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash = ((hash ^ BigInt(byte)) * FNV_PRIME_128) & MASK_128;
  }
  return hash.toString(16).padStart(32, '0').slice(0, hexDigits);
}
