import { join } from 'node:path';

/**
 * $XDG_CACHE_HOME (or ~/.cache)/stagecraft: where Stagecraft keeps what it can always recompute (the compile
 * cache, the encore version per binary). Undefined when there is no home to put it in, or when
 * STAGECRAFT_NO_CACHE is set: then nothing is cached.
 */
export function stagecraftCacheDir(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.STAGECRAFT_NO_CACHE) return undefined;
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : undefined);
  return base === undefined ? undefined : join(base, 'stagecraft');
}
