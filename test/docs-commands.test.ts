import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { parseCommandLine } from '../src/cli/parse.js';
import { REPO_ROOT, runCli, startCli } from './helpers/cli.js';
import { freePort } from './helpers/processes.js';
import { standinBin } from './helpers/standins.js';
import { tempDir } from './helpers/temp.js';

const DOCS = ['README.md', ...readdirSync(join(REPO_ROOT, 'docs')).map((file) => join('docs', file))].filter((file) =>
  file.endsWith('.md'),
);

/** Every command line of the ```sh blocks of the docs (comments dropped, `a && b` split). */
function shellCommands(): { doc: string; command: string }[] {
  const found: { doc: string; command: string }[] = [];
  for (const doc of DOCS) {
    const text = readFileSync(join(REPO_ROOT, doc), 'utf8');
    for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
      for (const line of (block[1] as string).split('\n')) {
        const command = line.replace(/\s+#.*$/, '').trim();
        for (const part of command.split(' && ')) if (part.trim()) found.push({ doc, command: part.trim() });
      }
    }
  }
  return found;
}

/** `stagecraft ...` in inline code anywhere in the docs, with placeholders made concrete. */
function inlineInvocations(): { doc: string; command: string }[] {
  const found: { doc: string; command: string }[] = [];
  for (const doc of DOCS) {
    for (const match of readFileSync(join(REPO_ROOT, doc), 'utf8').matchAll(/`(stagecraft [^`]+)`/g)) {
      found.push({ doc, command: match[1] as string });
    }
  }
  return found;
}

/** npm commands the docs mention that must not run inside the test suite (network, recursion, global state). */
const NOT_RUN_HERE =
  /^(npm ci( --no-audit --no-fund)?|npm test|npm link|npm install --save-dev \/path\/to\/stagecraft|npm run (build|bench|docs|typecheck|lint))$/;

test('every stagecraft invocation mentioned in the docs is a valid command line', () => {
  const invocations = inlineInvocations();
  assert.ok(invocations.length > 30, `found ${invocations.length}`);
  const failures: string[] = [];
  for (const { doc, command } of invocations) {
    const argv = command
      .replace(/^stagecraft /, '')
      .replace(/bash\\?\|zsh\\?\|fish/, 'bash')
      .split(/\s+/)
      .map((word) => (/^[A-Z]+$/.test(word) ? 'dev' : word))
      .filter((word) => !['[options]', '[--json]', '[--listen', 'ADDR]', '[--tag', 'TAG]', '[--push]', '[--dry-run]'].includes(word));
    try {
      parseCommandLine(argv);
    } catch (error) {
      failures.push(`${doc}: \`${command}\`: ${(error as Error).message}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('every command in the docs runs: stagecraft commands in a copy of the Encore example, npm scripts exist', async (t) => {
  const sandbox = tempDir(t);
  cpSync(join(REPO_ROOT, 'examples', 'encore-ts'), sandbox, { recursive: true });
  copyFileSync(join(sandbox, '.env.local.example'), join(sandbox, '.env.local'));
  // The example's 127.0.0.1:4000 is where our users run `encore run`: the copy listens on a free port.
  await movePort(join(sandbox, 'stagecraft.yml'), '127.0.0.1:4000');
  execFileSync('git', ['init', '-q'], { cwd: sandbox });
  const bin = standinBin(t, ['encore', 'docker']);
  const env = { STANDIN_LOG: bin.log, XDG_CACHE_HOME: tempDir(t) };
  const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const commands = shellCommands();
  assert.ok(commands.length >= 8, `found ${commands.length}`);
  for (const { doc, command } of commands) {
    const where = `${doc}: ${command}`;
    if (NOT_RUN_HERE.test(command)) {
      const script = /^npm run (\S+)/.exec(command)?.[1];
      if (script) assert.ok(script in scripts, `${where}: no such npm script`);
      continue;
    }
    if (command === 'npm run example') {
      await runExample(t, where, scripts.example);
      continue;
    }
    if (command.startsWith('eval "$(stagecraft completion')) {
      const shell = /completion (\w+)/.exec(command)?.[1] as string;
      const script = await runCli(['completion', shell], { cwd: sandbox });
      execFileSync('bash', ['-c', `${script.stdout}\ncomplete -p stagecraft`]);
      continue;
    }
    assert.match(command, /^stagecraft /, `${where}: a command this test does not know how to run`);
    const argv = command.replace(/^stagecraft /, '').split(/\s+/);
    if (argv.includes('init')) {
      const fresh = tempDir(t);
      cpSync(join(REPO_ROOT, 'examples', 'encore-ts', 'encore.app'), join(fresh, 'encore.app'));
      const result = await runCli(argv, { cwd: fresh, path: [bin.dir], env });
      assert.equal(result.code, 0, `${where}\n${result.stderr}`);
    } else if (argv.includes('dev')) {
      // A documented `--listen 127.0.0.1:4001` gets a free port instead: the doc is about the flag.
      const listen = argv.indexOf('--listen');
      if (listen >= 0) argv[listen + 1] = `127.0.0.1:${await freePort()}`;
      const cli = startCli(argv, { cwd: sandbox, path: [bin.dir], env });
      await cli.waitForStderr(/ready at/, 60_000);
      cli.signal('SIGINT');
      const result = await cli.finish();
      assert.equal(result.code, 0, `${where}\n${result.stderr}`);
    } else {
      const result = await runCli(argv, { cwd: sandbox, path: [bin.dir], env });
      assert.equal(result.code, 0, `${where}\n${result.stderr}`);
    }
  }
  rmSync(join(sandbox, '.secrets.local.cue'), { force: true });
});

/** Rewrites every `address` in a config to 127.0.0.1:<a free port>; returns the new address. */
async function movePort(file: string, address: string): Promise<string> {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(address), `${file} mentions ${address}`);
  const port = await freePort();
  const [, oldPort] = address.split(':') as [string, string];
  writeFileSync(file, text.replaceAll(address, `127.0.0.1:${port}`).replace(new RegExp(`PORT: ${oldPort}\\b`, 'g'), `PORT: ${port}`));
  return `127.0.0.1:${port}`;
}

/**
 * The README's first command after `npm ci`. Its build step is not rerun here (it would replace dist/
 * under the other tests); the script is checked to be exactly "build, then dev in the example", and the
 * dev part runs for real, in a copy of the example moved from port 3000 to a free one.
 */
async function runExample(t: TestContext, where: string, script: string | undefined): Promise<void> {
  assert.equal(script, 'npm run build --silent && cd examples/generic-node && node ../../dist/cli.cjs dev', where);
  const example = tempDir(t);
  cpSync(join(REPO_ROOT, 'examples', 'generic-node'), example, { recursive: true });
  const address = await movePort(join(example, 'stagecraft.yml'), '127.0.0.1:3000');
  const cli = startCli(['dev'], { cwd: example });
  await cli.waitForStderr(new RegExp(`ready at http://${address.replaceAll('.', '\\.')} in`), 60_000);
  const response = await fetch(`http://${address}/`);
  assert.match(await response.text(), /"greeting":"hello from stagecraft"/, where);
  cli.signal('SIGINT');
  assert.equal((await cli.finish()).code, 0, where);
}
