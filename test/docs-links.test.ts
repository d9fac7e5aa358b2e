import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './helpers/cli.js';

const DOCS = ['README.md', ...readdirSync(join(REPO_ROOT, 'docs')).map((file) => join('docs', file))].filter((file) =>
  file.endsWith('.md'),
);

/** Inside the repository (a file of a clone), not somewhere only the authors' machine has. */
function insideRepo(path: string): boolean {
  const fromRoot = relative(REPO_ROOT, path);
  return fromRoot !== '' && !fromRoot.startsWith('..') && existsSync(path);
}

test('every relative link in README.md and docs/*.md resolves to a file inside the repository', () => {
  const broken: string[] = [];
  for (const doc of DOCS) {
    const text = readFileSync(join(REPO_ROOT, doc), 'utf8');
    // [text](target) and [label]: target, minus URLs and in-page anchors.
    const targets = [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g), ...text.matchAll(/^\[[^\]]+\]:\s+(\S+)/gm)]
      .map((match) => match[1] as string)
      .filter((target) => !/^([a-z][a-z+.-]*:|#)/i.test(target));
    for (const target of targets) {
      const path = resolve(REPO_ROOT, dirname(doc), decodeURIComponent(target.replace(/#.*$/, '')));
      if (!insideRepo(path)) broken.push(`${doc}: (${target})`);
    }
  }
  assert.deepEqual(broken, []);
});

test('every repository path the docs name in code (`dir/file.ext`, `dir/`) exists in the repository', () => {
  const missing: string[] = [];
  for (const doc of DOCS) {
    const text = readFileSync(join(REPO_ROOT, doc), 'utf8');
    // Relative paths only (absolute ones such as /proc/PID/stat are the machine's), ending in a file
    // extension or a slash, so image names like ghcr.io/acme/api are not taken for paths.
    for (const match of text.matchAll(/`((?:\.{1,2}\/)*[\w.-]+(?:\/[\w.-]+)*\/(?:[\w-]+\.[a-z]{1,4})?)`/g)) {
      const path = match[1] as string;
      if (!/\/$|\.[a-z]{1,4}$/.test(path)) continue;
      const candidates = [resolve(REPO_ROOT, path), resolve(REPO_ROOT, dirname(doc), path)];
      if (!candidates.some(insideRepo)) missing.push(`${doc}: \`${path}\``);
    }
  }
  assert.deepEqual(missing, []);
});
