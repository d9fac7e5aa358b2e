import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { pathHash } from './core/path-hash.js';

/**
 * V8 code cache for Stagecraft's own bundle. Measured on Node 20 (docs/benchmarks.md, "Compile cache"),
 * it saves 11 ms of 164 on `config validate` and 17 ms of 190 from `stagecraft dev` to the child's start,
 * which keeps time-to-spawn within its target, so it stays.
 *
 * Where Node has `module.enableCompileCache()` (22.1 and later), that public API does the work: it keys
 * entries by file path and content itself. Node 20 has nothing public, so each chunk is compiled here
 * with the cached data from the previous run (through Module.prototype._compile, a private hook: any
 * failure in it just means no cache). Entries live in a directory per install (a hash of the bundle's
 * path), and each chunk's file name carries the bundler's hash of its content, so two installs never
 * share an entry (a shared one made stack traces name the other install's files) and a new build never
 * reads a stale one. V8 also rejects data whose source does not match. The cache is written at exit if
 * it was missing or rejected: after execution, so it also holds the functions compiled lazily on first
 * call (the YAML parser, the schema checks), which is most of the start-up work.
 *
 * Only files of this bundle are affected. Any failure (read-only home, full disk) just means no cache.
 * STAGECRAFT_NO_CACHE=1 turns it off.
 */
export function enableCompileCache(bundleDir: string, cacheRoot: string | undefined, command: string): void {
  if (cacheRoot === undefined) return;
  const require = createRequire(join(bundleDir, 'cli.cjs'));
  const Module = require('node:module') as ModuleInternals;
  if (typeof Module.enableCompileCache === 'function') {
    try {
      Module.enableCompileCache(join(cacheRoot, 'node'));
    } catch {
      // No cache this time.
    }
    return;
  }
  patchCompile(Module, bundleDir, installCacheDir(cacheRoot, bundleDir), command);
}

/** Node 20: the directory holding this install's entries, for this V8 only. */
export function installCacheDir(cacheRoot: string, bundleDir: string): string {
  const install = pathHash(bundleDir, 16);
  return join(cacheRoot, 'v8', `${process.version}-${process.arch}`, install);
}

function patchCompile(Module: ModuleInternals, bundleDir: string, cacheDir: string, command: string): void {
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

type ModuleWrapper = (this: unknown, exports: unknown, require: unknown, module: unknown, filename: string, dirname: string) => unknown;

interface ModuleInstance {
  exports: unknown;
  require(id: string): unknown;
}

interface ModuleInternals {
  /** Node ≥ 22.1. */
  enableCompileCache?: (directory: string) => unknown;
  prototype: { _compile(this: ModuleInstance, content: string, filename: string): unknown };
  wrap(content: string): string;
  _resolveFilename(request: string, parent: unknown, isMain: boolean): string;
  _cache: Record<string, unknown>;
}
