// PostgreSQL refuses to run as root (initdb and postgres both check). When this example runs as root (a CI
// machine, a container), its PostgreSQL commands run as `nobody` instead, through setpriv; otherwise as you.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const isRoot = process.getuid?.() === 0;

/** argv that runs `argv` as an unprivileged user when we are root. */
export function unprivileged(argv) {
  return isRoot ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', ...argv] : argv;
}

/** A directory the PostgreSQL user owns (mode 700, as postgres demands). */
export function ownedDirectory(dir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (isRoot) {
    const ids = (flag) => Number(spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, ids('-u'), ids('-g'));
  }
}

/**
 * Where the data lives: `dir`, or as root a directory under /tmp, because `nobody` may not be able to reach a
 * checkout under root's home (mode 700). One per project path, so two checkouts do not share a database.
 */
export function dataDirectory(dir) {
  const wanted = resolve(dir);
  if (!isRoot) return wanted;
  return join(tmpdir(), `stagecraft-example-pg-${createHash('sha256').update(wanted).digest('hex').slice(0, 12)}`);
}
