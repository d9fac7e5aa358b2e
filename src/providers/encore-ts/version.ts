/** The oldest Encore release the provider supports: `build docker` defaults to node:slim for TS apps. */
export const MINIMUM_VERSION = '1.42.1';

/** Flags of `encore run` that appeared after the minimum version, with the release that added them. */
export const FLAG_SINCE = {
  '--level': '1.52.1',
} as const;

export type Version = readonly [number, number, number];

/** Reads `encore version v1.58.2` (or `v1.58.2`); undefined for dev builds (`v0.0.0-develop+sha`) and noise. */
export function parseEncoreVersion(line: string): Version | undefined {
  const match = /\bv?(\d+)\.(\d+)\.(\d+)(-[\w.+-]+)?\b/.exec(line);
  if (match === null || match[4]?.startsWith('-develop') || line.includes('develop')) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function parseVersion(text: string): Version {
  const [major = 0, minor = 0, patch = 0] = text.split('.').map(Number);
  return [major, minor, patch];
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export function formatVersion(version: Version): string {
  return `v${version.join('.')}`;
}
