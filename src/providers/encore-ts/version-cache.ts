import { mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stagecraftCacheDir } from '../../core/cache-dir.js';

/**
 * Remembers the `encore version` line per binary, so a routine `stagecraft dev` does not start an extra
 * process before `encore run`. The key is the binary's real path, size and times: an upgrade replaces
 * the file and so misses the cache. Stored under $XDG_CACHE_HOME (or ~/.cache)/stagecraft; holds no
 * secrets. Any I/O problem just means no cache. STAGECRAFT_NO_CACHE=1 disables it.
 */
type Env = Readonly<Record<string, string>>;

function cacheFile(env: Env): string | undefined {
  const dir = stagecraftCacheDir(env);
  return dir === undefined ? undefined : join(dir, 'encore-version.json');
}

function fingerprint(binary: string): string | undefined {
  try {
    const real = realpathSync(binary);
    const stats = statSync(real);
    return `${real}|${stats.size}|${stats.mtimeMs}|${stats.ctimeMs}`;
  } catch {
    return undefined;
  }
}

export function readCachedVersion(binary: string, env: Env): string | undefined {
  const file = cacheFile(env);
  const key = fingerprint(binary);
  if (file === undefined || key === undefined) return undefined;
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as { key?: unknown; line?: unknown };
    return entry.key === key && typeof entry.line === 'string' ? entry.line : undefined;
  } catch {
    return undefined;
  }
}

export function writeCachedVersion(binary: string, env: Env, line: string): void {
  const file = cacheFile(env);
  const key = fingerprint(binary);
  if (file === undefined || key === undefined) return;
  try {
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ key, line }));
    renameSync(temporary, file);
  } catch {
    // A read-only home or a full disk costs one extra `encore version` next time; nothing more.
  }
}
