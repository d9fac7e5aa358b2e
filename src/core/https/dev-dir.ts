import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** `.stagecraft/dev/` under the project root: generated dev state (certificates, CA bundle). */
export function devStateDir(projectRoot: string): string {
  return join(projectRoot, '.stagecraft', 'dev');
}

/** `.stagecraft/dev/certs/`: the certificate, its key and the CA bundle. */
export function certsDir(projectRoot: string): string {
  return join(devStateDir(projectRoot), 'certs');
}

/**
 * Creates `.stagecraft/dev/certs/` and, once, `.stagecraft/dev/.gitignore` holding `*`: the directory ignores
 * itself, so a key never gets committed and the user's own `.gitignore` is never edited. An existing
 * `.gitignore` there is left as it is.
 */
export function ensureDevStateDir(projectRoot: string): string {
  const dir = certsDir(projectRoot);
  mkdirSync(dir, { recursive: true });
  const ignore = join(devStateDir(projectRoot), '.gitignore');
  if (!existsSync(ignore)) writeFileAtomic(ignore, '# Written by Stagecraft: generated dev state, never committed.\n*\n', 0o644);
  return dir;
}

/** Writes a file through a temp file in the same directory and a rename, so a reader never sees half of it. */
export function writeFileAtomic(file: string, content: string | Uint8Array, mode: number): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  // A temp file left by a killed run could have a wider mode, which `writeFileSync` would keep: start afresh.
  rmSync(temp, { force: true });
  writeFileSync(temp, content, { mode, flag: 'wx' });
  renameSync(temp, file);
}
