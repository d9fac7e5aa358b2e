import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMMANDS, GLOBAL_OPTIONS } from '../../src/cli/commands.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

async function script(t: Parameters<typeof tempDir>[0], shell: string): Promise<string> {
  const result = await runCli(['completion', shell], { cwd: tempDir(t) });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

/** What bash offers for a command line (the cursor at its end), using the generated script. */
function complete(file: string, line: string): string[] {
  const words = line.split(' ');
  const program = `source ${file}; COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _stagecraft; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', program]).toString().split('\n').filter(Boolean).sort();
}

test('bash completion offers commands, subcommands, options and choices', async (t) => {
  const file = join(tempDir(t), 'stagecraft.bash');
  writeFileSync(file, await script(t, 'bash'));
  execFileSync('bash', ['-n', file]);
  assert.deepEqual(complete(file, 'stagecraft '), ['build', 'completion', 'config', 'dev', 'doctor', 'help', 'init', 'providers']);
  assert.deepEqual(complete(file, 'stagecraft b'), ['build']);
  assert.deepEqual(complete(file, 'stagecraft config '), ['schema', 'validate']);
  assert.ok(complete(file, 'stagecraft build --').includes('--dry-run'));
  assert.ok(complete(file, 'stagecraft build --').includes('--log-format'), 'global options too');
  assert.ok(!complete(file, 'stagecraft dev --').includes('--push'), "not another command's options");
  assert.deepEqual(complete(file, 'stagecraft --log-format '), ['json', 'text']);
  assert.deepEqual(complete(file, 'stagecraft -c x.yml --env dev bu'), ['build'], 'option values are skipped when finding the command');
  assert.deepEqual(complete(file, 'stagecraft completion '), ['bash', 'fish', 'zsh']);
});

test('zsh and fish scripts cover every command and option', async (t) => {
  const zsh = await script(t, 'zsh');
  const fish = await script(t, 'fish');
  assert.match(zsh, /^#compdef stagecraft/);
  for (const command of COMMANDS) {
    const word = command.name.split(' ').at(-1) as string;
    assert.ok(zsh.includes(`'${word}:`), `zsh: ${command.name}`);
    assert.match(fish, new RegExp(`-a ${word} -d`), `fish: ${command.name}`);
    for (const option of Object.keys(command.options)) {
      assert.ok(zsh.includes(`--${option}`), `zsh: ${command.name} --${option}`);
      assert.match(fish, new RegExp(`__fish_seen_subcommand_from ${word}' -l ${option}\\b`), `fish: ${command.name} --${option}`);
    }
  }
  for (const option of Object.keys(GLOBAL_OPTIONS)) {
    assert.ok(zsh.includes(`--${option}`));
    assert.match(fish, new RegExp(`^complete -c stagecraft -l ${option}\\b`, 'm'));
  }
  // Providers' own init flags are not in the static table: the registered providers contribute them.
  for (const option of ['command', 'secrets']) {
    assert.ok(zsh.includes(`--${option}`), `zsh: init --${option}`);
    assert.match(fish, new RegExp(`__fish_seen_subcommand_from init' -l ${option} -r`), `fish: init --${option}`);
  }
});

test('an unknown shell is a usage error', async (t) => {
  const result = await runCli(['completion', 'powershell'], { cwd: tempDir(t) });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /shell must be one of bash, zsh, fish, not "powershell"/);
});
