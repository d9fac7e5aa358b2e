import { spawnSync } from 'node:child_process';
import type { Dirent } from 'node:fs';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isFile } from './paths.js';

/** How deep the walk goes outside git (inside git, `git ls-files` lists everything). */
const MAX_WALK_DEPTH = 8;
const SKIPPED_DIRECTORY = 'node_modules';

/**
 * Files named `fileName` anywhere under `root`, as paths relative to it with `/` separators, sorted. Inside a
 * git repository the files git knows decide (tracked first, else untracked but not ignored), so vendored or
 * ignored copies never count; outside git the tree is walked, skipping node_modules, .git and other hidden
 * directories. Only regular files that exist now are returned. For providers' `detect`.
 */
export function findProjectFiles(root: string, fileName: string): string[] {
  const tracked = gitListed(root, fileName, ['--cached']) ?? [];
  const listed = tracked.length > 0 ? tracked : gitListed(root, fileName, ['--others', '--exclude-standard']);
  const files = (listed ?? walk(root, fileName, '', 0)).filter(
    (file) => basename(file) === fileName && !file.split('/').some((part) => part === SKIPPED_DIRECTORY || part === '.git'),
  );
  return [...new Set(files)].filter((file) => isFile(join(root, file))).sort();
}

/** `git ls-files` under `root` for files named `fileName`, or undefined outside a repository (or without git). */
function gitListed(root: string, fileName: string, which: string[]): string[] | undefined {
  const result = spawnSync('git', ['ls-files', '-z', ...which, '--', `:(glob)**/${fileName}`], {
    cwd: root,
    encoding: 'utf8',
    timeout: 10_000,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (result.status !== 0) return undefined;
  return result.stdout.split('\0').filter(Boolean);
}

function walk(root: string, fileName: string, dir: string, depth: number): string[] {
  if (depth > MAX_WALK_DEPTH) return [];
  let entries: Dirent[];
  try {
    entries = readdirSync(join(root, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const entry of entries) {
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isFile() && entry.name === fileName) found.push(path);
    else if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== SKIPPED_DIRECTORY) {
      found.push(...walk(root, fileName, path, depth + 1));
    }
  }
  return found;
}

// A local copy: issue 12's provider toolkit gathers the isFile helpers into one.
