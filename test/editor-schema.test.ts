import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { getLanguageService } from 'yaml-language-server';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { tempProject } from './helpers/temp.js';

let version = 0;

/** What an editor running yaml-language-server reports for a document, schema found through its modeline. */
async function diagnose(file: string, text: string): Promise<string[]> {
  const service = getLanguageService({
    schemaRequestService: (uri) => readFile(fileURLToPath(uri), 'utf8'),
    workspaceContext: { resolveRelativePath: (relative, resource) => new URL(relative, resource).href },
  });
  service.configure({ validate: true, schemas: [], yamlVersion: '1.2' });
  // The server caches parsed documents by URI and version, as an editor bumps the version on each edit.
  const diagnostics = await service.doValidation(TextDocument.create(pathToFileURL(file).href, 'yaml', ++version, text), false);
  return diagnostics.map((diagnostic) => `${diagnostic.range.start.line + 1}: ${diagnostic.message}`);
}

test('yaml-language-server accepts the examples through their $schema line, and flags a typo', async () => {
  for (const example of ['generic-node', 'encore-ts']) {
    const file = join(REPO_ROOT, 'examples', example, 'stagecraft.yml');
    assert.deepEqual(await diagnose(file, readFileSync(file, 'utf8')), [], example);
  }
  const file = join(REPO_ROOT, 'examples', 'encore-ts', 'stagecraft.yml');
  const typo = await diagnose(file, readFileSync(file, 'utf8').replace('listen:', 'lisen:'));
  assert.ok(
    typo.some((message) => /Property lisen is not allowed/.test(message)),
    typo.join('\n'),
  );
  assert.ok(
    typo.some((message) => /Missing property "listen"/.test(message)),
    typo.join('\n'),
  );
});

test('the file `stagecraft init` writes points editors at the shipped schema', async (t) => {
  const cwd = tempProject(t, { 'encore.app': '{"id": "", "lang": "typescript"}\n' });
  const init = await runCli(['init'], { cwd });
  assert.equal(init.code, 0, init.stderr);
  const file = join(cwd, 'stagecraft.yml');
  const text = readFileSync(file, 'utf8');
  assert.deepEqual(await diagnose(file, text), []);
  const wrong = await diagnose(file, text.replace('provider: encore-ts', 'provider: encore'));
  assert.ok(
    wrong.some((message) => /Value is not accepted\. Valid values: "encore-ts", "generic"/.test(message)),
    wrong.join('\n'),
  );
});
