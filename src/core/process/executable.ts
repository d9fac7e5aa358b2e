import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { type Operation, StagecraftError } from '../errors.js';

export type ExecutableLookup = { readonly found: true; readonly path: string } | { readonly found: false; readonly problem: string };

/**
 * Finds `name` the way execvp would (first executable file on PATH; a name with a slash is a path,
 * relative to `cwd`), but says why it failed: a file that is not executable or a directory in the way
 * is worth telling the user about.
 */
export function findExecutable(name: string, pathVariable: string | undefined, cwd = process.cwd()): ExecutableLookup {
  const candidates = name.includes('/')
    ? [resolve(cwd, name)]
    : (pathVariable ?? '')
        .split(delimiter)
        .filter((dir) => dir.length > 0 && isAbsolute(dir))
        .map((dir) => join(dir, name));
  let problem: string | undefined;
  for (const candidate of candidates) {
    const verdict = inspect(candidate);
    if (verdict === 'ok') return { found: true, path: candidate };
    if (verdict !== 'missing') problem ??= `${candidate} ${verdict}`;
  }
  return { found: false, problem: problem ?? `${name} was not found on PATH` };
}

function inspect(candidate: string): 'ok' | 'missing' | string {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(candidate);
  } catch {
    return 'missing';
  }
  if (stats.isDirectory()) return 'is a directory, not an executable';
  if (!stats.isFile()) return 'is not a regular file';
  try {
    accessSync(candidate, constants.X_OK);
    return 'ok';
  } catch {
    return 'exists but is not executable (chmod +x?)';
  }
}

export interface RequireExecutableOptions {
  /** The environment whose PATH is searched. */
  readonly env: Readonly<Record<string, string>>;
  /** Where a relative program path (`./bin/server`) is resolved from: the child's working directory. */
  readonly cwd: string;
  readonly provider: string;
  readonly operation: Operation;
  /** How to get it, e.g. "Install Encore: https://encore.dev/docs/install". */
  readonly installHint: string;
}

/** The executable's path, or PROVIDER_NOT_AVAILABLE saying what was found instead and how to install it. */
export function requireExecutable(name: string, options: RequireExecutableOptions): string {
  const lookup = findExecutable(name, options.env.PATH, options.cwd);
  if (lookup.found) return lookup.path;
  throw new StagecraftError({
    category: 'PROVIDER_NOT_AVAILABLE',
    provider: options.provider,
    operation: options.operation,
    message: `${name} is not available: ${lookup.problem}`,
    hint: options.installHint,
  });
}
