// "A new provider touches no core file" (docs/providers.md), checked: outside src/providers/, no code names
// a provider, by import or by ID, except the one list that registers the built-in ones.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';

const SRC = join(REPO_ROOT, 'src');
const PROVIDERS = join(SRC, 'providers');
/** The single list of built-in providers: importing it registers them. */
const REGISTRATION_LIST = join(PROVIDERS, 'index.ts');
/** Code that must stay provider-agnostic. Tests are left out: they exercise core with the real providers. */
const CORE_DIRS = ['core', 'cli', 'commands'].map((dir) => join(SRC, dir));
const CORE_FILES = [join(SRC, 'index.ts'), join(SRC, 'cli.ts'), join(REPO_ROOT, 'tsdown.config.ts')];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => join(dir, entry))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && statSync(file).isFile());
}

/** Folders under src/providers/: one per provider, found on disk rather than from the registry. */
function providerFolders(): string[] {
  return readdirSync(PROVIDERS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
}

interface Mention {
  readonly kind: 'import' | 'string';
  readonly text: string;
  readonly line: number;
}

/** Every module specifier (static, dynamic, re-export) and every string or template text of a file. */
function mentions(file: string): Mention[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Mention[] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  /** Specifiers already recorded as imports, not to be counted again as strings. */
  const specifiers = new Set<ts.Node>();
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push({ kind: 'import', text: node.moduleSpecifier.text, line: lineOf(node) });
      specifiers.add(node.moduleSpecifier);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteralLike(argument)) {
        found.push({ kind: 'import', text: argument.text, line: lineOf(node) });
        specifiers.add(argument);
      }
    } else if (specifiers.has(node)) {
      // Recorded above as an import.
    } else if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) {
      found.push({ kind: 'string', text: node.text, line: lineOf(node) });
    } else if (ts.isRegularExpressionLiteral(node)) {
      found.push({ kind: 'string', text: node.text, line: lineOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The file a relative specifier points at (`../providers/generic/schema.js` → .../src/providers/generic/schema.js). */
function target(file: string, specifier: string): string | undefined {
  return specifier.startsWith('.') || isAbsolute(specifier) ? resolve(dirname(file), specifier) : undefined;
}

function insideFolder(path: string, folder: string): boolean {
  const rel = relative(join(PROVIDERS, folder), path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'));
}

/** A provider ID as a word of its own: `encore-ts` in "encore-ts: ...", not `generic` in "GenericSchema". */
function namesId(text: string, id: string): boolean {
  return new RegExp(`(?<![\\w-])${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`).test(text);
}

/** Where `file` imports a provider folder or names a provider ID or folder in a string, regex or template. */
function providerMentions(file: string, ids: readonly string[], folders: readonly string[]): string[] {
  const violations: string[] = [];
  for (const mention of mentions(file)) {
    const where = `${relative(REPO_ROOT, file)}:${mention.line}`;
    const path = mention.kind === 'import' ? target(file, mention.text) : undefined;
    const folder = path === undefined ? undefined : folders.find((candidate) => insideFolder(path, candidate));
    if (folder !== undefined) {
      violations.push(`${where} imports ${mention.text} (provider folder ${folder})`);
      continue;
    }
    for (const name of new Set([...ids, ...folders])) {
      if (namesId(mention.text, name)) violations.push(`${where} names ${name}: ${JSON.stringify(mention.text)}`);
    }
  }
  return violations;
}

test('no file of core, the CLI or the commands names a provider; only src/providers/index.ts lists them', async (t) => {
  const folders = providerFolders();
  assert.ok(folders.length >= 2, `provider folders: ${folders.join(', ')}`);
  // The IDs as the built CLI reports them: a black box, so a renamed ID cannot slip past this check.
  const listed = await runCli(['providers'], { cwd: tempDir(t) });
  assert.equal(listed.code, 0, listed.stderr);
  const ids = listed.stdout
    .trim()
    .split('\n')
    .map((line) => line.split(/\s+/)[0] as string);
  assert.ok(ids.length >= 2, `provider IDs: ${ids.join(', ')}`);

  const files = [...CORE_DIRS.flatMap(sourceFiles), ...CORE_FILES];
  assert.ok(files.length > 30, `scanned ${files.length} files`);
  const violations = files.flatMap((file) => providerMentions(file, ids, folders));
  assert.deepEqual(violations, []);

  // The one list names every provider folder, and it is the only file outside them that imports one.
  const registered = mentions(REGISTRATION_LIST)
    .filter((mention) => mention.kind === 'import')
    .map((mention) => folders.find((folder) => insideFolder(target(REGISTRATION_LIST, mention.text) ?? '', folder)));
  assert.deepEqual(registered.sort(), [...folders].sort(), 'src/providers/index.ts imports each provider folder once');
});

test('the check sees an import of a provider folder and an ID in a string, but not a comment or a longer word', (t) => {
  const file = join(tempDir(t), 'leak.ts');
  writeFileSync(
    file,
    [
      `import { x } from '${join(PROVIDERS, 'gadget', 'schema.js')}';`,
      "const lazy = () => import('./elsewhere.js');",
      '// gadget-ts is mentioned in a comment only',
      "export const id = 'gadget-ts';",
      'export const word = `GadgetSchema ${lazy} gadget-tsx`;',
      'export const pattern = /gadget[-]ts/;',
    ].join('\n'),
  );
  assert.deepEqual(providerMentions(file, ['gadget-ts'], ['gadget']), [
    `${relative(REPO_ROOT, file)}:1 imports ${join(PROVIDERS, 'gadget', 'schema.js')} (provider folder gadget)`,
    `${relative(REPO_ROOT, file)}:4 names gadget-ts: "gadget-ts"`,
    `${relative(REPO_ROOT, file)}:6 names gadget: "/gadget[-]ts/"`,
  ]);
});

/**
 * Chunking may group src/providers/ as a whole, or by its registration list (index.ts), but never by the
 * files inside a provider's folder: a new provider must not need an edit to the bundler's config.
 */
test('the bundler config names no file inside a provider folder', () => {
  const config = join(REPO_ROOT, 'tsdown.config.ts');
  // In the regex source, a path separator is written [\\/]; what follows `providers` then is a file or folder.
  const inside = mentions(config)
    .filter((mention) => mention.kind === 'string')
    .flatMap((mention) => [...mention.text.matchAll(/providers\[\\\\\/\]([^)|]*)/g)].map((match) => match[1] as string))
    .filter((rest) => rest !== '' && rest !== 'index\\.ts');
  assert.deepEqual(inside, []);
});
