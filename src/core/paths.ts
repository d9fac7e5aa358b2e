import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

/** Resolves a config path: relative paths are relative to the project root. */
export function resolveProjectPath(projectRoot: string, path: string): string {
  return resolve(projectRoot, path);
}

/** Whether `path` lies inside `root` (or is it), after following symlinks of both. */
export function isInsideRoot(root: string, path: string): boolean {
  const from = safeRealpath(root);
  const to = safeRealpath(path);
  const rel = relative(from, to);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Checks a path the config names as a file that will be read. Returns the problem in
 * "expected ..., found ..." form, or undefined when it is fine.
 */
export function fileProblem(projectRoot: string, path: string): string | undefined {
  const absolute = resolveProjectPath(projectRoot, path);
  const kind = kindOf(absolute);
  if (kind === 'file') return undefined;
  const found = kind === 'missing' ? `no such file: ${absolute}` : `${absolute} is a ${kind}`;
  // A committed template next to a missing git-ignored file is the usual first-run situation.
  const template =
    kind === 'missing' && kindOf(`${absolute}.example`) === 'file' ? `; start from the template: cp ${path}.example ${path}` : '';
  return `expected an existing file, found ${JSON.stringify(path)} (${found})${template}`;
}

/**
 * Checks a working directory: it must exist, be a directory, and lie inside the project root even after
 * symlinks are followed, so a config cannot make Stagecraft run commands elsewhere.
 */
export function workdirProblem(projectRoot: string, path: string): string | undefined {
  const absolute = resolveProjectPath(projectRoot, path);
  const kind = kindOf(absolute);
  if (kind === 'missing')
    return `expected an existing directory inside the project root, found ${JSON.stringify(path)} (no such directory: ${absolute})`;
  if (kind !== 'directory') return `expected a directory, found ${JSON.stringify(path)} (${absolute} is a ${kind})`;
  if (!isInsideRoot(projectRoot, absolute)) {
    return `expected a directory inside the project root ${projectRoot}, found ${JSON.stringify(path)} (resolves to ${safeRealpath(absolute)})`;
  }
  return undefined;
}

/** Whether `path` is a regular file (symlinks followed); false when it is missing or unreadable. */
export function isFile(path: string): boolean {
  return kindOf(path) === 'file';
}

function kindOf(path: string): 'file' | 'directory' | 'missing' | 'special file' {
  try {
    const stats = statSync(path);
    return stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'special file';
  } catch {
    return 'missing';
  }
}
