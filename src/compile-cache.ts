import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * V8 code cache for Stagecraft's own bundle (Node 22's module.enableCompileCache() does this; Node 20
 * has nothing). Each chunk is compiled with the cached data from the previous run, and at exit the
 * cache is written again if it was missing or rejected — after execution, so it also holds the
 * functions compiled lazily on first call (the YAML parser, the schema checks), which is most of the
 * start-up work. Chunk file names carry a content hash, so a new build never reads a stale entry, and
 * V8 itself rejects data that does not match its source.
 *
 * Only files of this bundle are affected. Any failure (read-only home, full disk) just means no cache.
 * STAGECRAFT_NO_CACHE=1 turns it off.
 */
export function enableCompileCache(bundleDir: string, cacheDir: string | undefined, command: string): void {
  if (cacheDir === undefined) return;
  const require = createRequire(join(bundleDir, 'cli.cjs'));
  const Module = require('node:module') as ModuleInternals;
  const original = Module.prototype._compile;
  const pending: { script: Script; file: string }[] = [];

  Module.prototype._compile = function compile(this: ModuleInstance, content: string, filename: string) {
    if (dirname(filename) !== bundleDir) return original.call(this, content, filename);
    const file = join(cacheDir, `${basename(filename)}.${command}.v8`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    const script = new Script(Module.wrap(content.replace(/^#!.*/, '')), { filename, cachedData });
    if (cachedData === undefined || script.cachedDataRejected) pending.push({ script, file });
    const wrapper = script.runInThisContext({ displayErrors: true }) as ModuleWrapper;
    const localRequire = Object.assign((id: string) => this.require(id), {
      resolve: (request: string) => Module._resolveFilename(request, this, false),
      cache: Module._cache,
    });
    return wrapper.call(this.exports, this.exports, localRequire, this, filename, dirname(filename));
  };

  process.once('exit', () => {
    if (pending.length === 0) return;
    try {
      mkdirSync(cacheDir, { recursive: true });
      for (const { script, file } of pending) {
        const temporary = `${file}.${process.pid}.tmp`;
        writeFileSync(temporary, script.createCachedData());
        renameSync(temporary, file);
      }
    } catch {
      // No cache this time; the next run compiles from source, as without one.
    }
  });
}

/** The command a run is for (its first word), naming its cache entries; `default` for flags alone. */
export function commandOf(args: readonly string[]): string {
  const word = args.find((arg) => !arg.startsWith('-'));
  return word !== undefined && /^[a-z]+$/.test(word) ? word : 'default';
}

/** $XDG_CACHE_HOME (or ~/.cache)/stagecraft/v8/<node version>: V8's data is only valid for one V8. */
export function compileCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.STAGECRAFT_NO_CACHE) return undefined;
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : undefined);
  return base === undefined ? undefined : join(base, 'stagecraft', 'v8', `${process.version}-${process.arch}`);
}

type ModuleWrapper = (this: unknown, exports: unknown, require: unknown, module: unknown, filename: string, dirname: string) => unknown;

interface ModuleInstance {
  exports: unknown;
  require(id: string): unknown;
}

interface ModuleInternals {
  prototype: { _compile(this: ModuleInstance, content: string, filename: string): unknown };
  wrap(content: string): string;
  _resolveFilename(request: string, parent: unknown, isMain: boolean): string;
  _cache: Record<string, unknown>;
}
