// Hosts-file edits on a temp file: everything not ours stays byte for byte, our lines come and go exactly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../../test/helpers/temp.js';
import { StagecraftError } from '../errors.js';
import { type ChildProcessHandle, createRunner, type Runner, type StartOptions } from '../process/start-child.js';
import {
  addHostsEntries,
  type HostsOptions,
  hostsFilePath,
  hostsLine,
  missingHostsWarning,
  removeHostsEntries,
  writeHostsElevated,
} from './hosts-file.js';

const ROOT = '/srv/proj';
/** Someone else's lines: comments, tabs, a raw non-UTF-8 byte, another project's marker, a root sharing our prefix. */
const OTHERS = Buffer.concat([
  Buffer.from('127.0.0.1\tlocalhost\n# comment \u00fcnicode\n::1 localhost ip6-localhost\n\n'),
  Buffer.from([0x23, 0x20, 0xe9, 0x0a]), // "# \xe9\n": latin1, invalid as UTF-8
  Buffer.from('10.0.0.5 db.internal   # mine, keep\n'),
  Buffer.from('127.0.0.1 x.other.test  # stagecraft:/srv/other\n'),
  Buffer.from('127.0.0.1 y.prefix.test  # stagecraft:/srv/proj-2\n'),
  Buffer.from('127.0.0.1 z.parent.test  # stagecraft:/srv\n'),
]);

function hostsFile(t: Parameters<typeof tempDir>[0], content: Buffer = OTHERS, mode = 0o640): string {
  const dir = tempDir(t, 'stagecraft-hosts-');
  const file = join(dir, 'hosts');
  writeFileSync(file, content);
  chmodSync(file, mode);
  return file;
}

function options(file: string, domains: string[], overrides: Partial<HostsOptions> = {}): HostsOptions {
  return { file, projectRoot: ROOT, domains, elevate: false, runner: createRunner(), ...overrides };
}

const ourLine = (domains: string[]) => Buffer.from(`127.0.0.1 ${domains.join(' ')}  # stagecraft:${ROOT}\n`);

test('hostsLine: 127.0.0.1, the domains, two spaces, the project marker; names the file cannot hold are refused', () => {
  assert.equal(hostsLine(['app.acme.test', 'api.acme.test'], ROOT), '127.0.0.1 app.acme.test api.acme.test  # stagecraft:/srv/proj');
  for (const bad of [['*.acme.test'], ['a b.test'], ['x#y.test'], ['evil.test\n0.0.0.0 bank.test'], []]) {
    assert.throws(
      () => hostsLine(bad, ROOT),
      (error: unknown) => error instanceof StagecraftError && error.category === 'INVALID_CONFIG',
      JSON.stringify(bad),
    );
  }
});

test('missingHostsWarning gives the exact line; STAGECRAFT_HOSTS_FILE overrides /etc/hosts', () => {
  const warning = missingHostsWarning(['app.acme.test'], ROOT);
  assert.ok(warning.endsWith(': 127.0.0.1 app.acme.test  # stagecraft:/srv/proj'), warning);
  assert.match(warning, /\/etc\/hosts/);
  assert.match(warning, /--hosts/);
  assert.equal(hostsFilePath({}), '/etc/hosts');
  assert.equal(hostsFilePath({ STAGECRAFT_HOSTS_FILE: '/tmp/h' }), '/tmp/h');
});

test('add then remove: our line appended, everything else byte-identical, mode kept, renamed into place, no temp left', async (t) => {
  const file = hostsFile(t);
  const inode = statSync(file).ino;
  const domains = ['app.acme.test', 'api.acme.test'];
  await addHostsEntries(options(file, domains));
  assert.deepEqual(readFileSync(file), Buffer.concat([OTHERS, ourLine(domains)]));
  assert.equal(statSync(file).mode & 0o7777, 0o640);
  assert.notEqual(statSync(file).ino, inode, 'a new file renamed over the old one, not an in-place rewrite');
  assert.deepEqual(readdirSync(join(file, '..')), ['hosts']);

  await removeHostsEntries(options(file, []));
  assert.deepEqual(readFileSync(file), OTHERS);
  assert.equal(statSync(file).mode & 0o7777, 0o640);
  assert.deepEqual(readdirSync(join(file, '..')), ['hosts']);
});

test("a killed run's line is replaced at the next add; other projects' lines stay", async (t) => {
  const file = hostsFile(t);
  await addHostsEntries(options(file, ['old.acme.test']));
  // SIGKILL: no remove. The next run wants other domains.
  await addHostsEntries(options(file, ['new.acme.test']));
  assert.deepEqual(readFileSync(file), Buffer.concat([OTHERS, ourLine(['new.acme.test'])]));
  // A stale line in the middle (hand-moved, or written by another version) goes too; its neighbours stay.
  const middle = Buffer.concat([OTHERS.subarray(0, 20), ourLine(['mid.acme.test']), OTHERS.subarray(20)]);
  writeFileSync(file, middle);
  await removeHostsEntries(options(file, []));
  assert.deepEqual(readFileSync(file), OTHERS);
});

test('remove with nothing of ours does not rewrite the file; a missing file is fine', async (t) => {
  const file = hostsFile(t);
  const before = statSync(file);
  await removeHostsEntries(options(file, []));
  assert.equal(statSync(file).ino, before.ino);
  assert.equal(statSync(file).mtimeMs, before.mtimeMs);
  await removeHostsEntries(options(join(file, '..', 'absent'), []));
});

test('the owner is kept too (as root, which CI is: a hosts file owned by another user)', {
  skip: process.getuid?.() !== 0 && 'needs root to chown',
}, async (t) => {
  const file = hostsFile(t);
  chownSync(file, 4321, 4322);
  await addHostsEntries(options(file, ['app.acme.test']));
  assert.deepEqual([statSync(file).uid, statSync(file).gid], [4321, 4322]);
  await removeHostsEntries(options(file, []));
  assert.deepEqual([statSync(file).uid, statSync(file).gid], [4321, 4322]);
  assert.deepEqual(readFileSync(file), OTHERS);
});

test('a file without a final newline or with CRLF endings keeps its bytes', async (t) => {
  const unterminated = Buffer.from('127.0.0.1 localhost');
  const file = hostsFile(t, unterminated);
  await addHostsEntries(options(file, ['a.acme.test']));
  assert.deepEqual(readFileSync(file), Buffer.concat([unterminated, Buffer.from('\n'), ourLine(['a.acme.test'])]));
  await removeHostsEntries(options(file, []));
  assert.deepEqual(readFileSync(file), Buffer.from('127.0.0.1 localhost\n'), 'only the newline we had to add remains');

  const crlf = Buffer.from('127.0.0.1 localhost\r\n# windows\r\n');
  const other = hostsFile(t, crlf);
  await addHostsEntries(options(other, ['a.acme.test']));
  assert.deepEqual(readFileSync(other), Buffer.concat([crlf, Buffer.from(`127.0.0.1 a.acme.test  # stagecraft:${ROOT}\r\n`)]));
  await removeHostsEntries(options(other, []));
  assert.deepEqual(readFileSync(other), crlf);
});

test('atomic: a reader polling the file during 100 edits only ever sees a whole version', { timeout: 120_000 }, async (t) => {
  const file = hostsFile(t);
  const withOurs = Buffer.concat([OTHERS, ourLine(['app.acme.test'])]);
  // The reader, a separate process, counts reads that are neither version; it stops when its stdin closes.
  const reader = spawn(
    process.execPath,
    [
      '-e',
      `const fs = require('node:fs');
       const valid = new Set([${JSON.stringify(OTHERS.toString('base64'))}, ${JSON.stringify(withOurs.toString('base64'))}]);
       let reads = 0, torn = 0, open = true;
       process.stdin.on('end', () => { open = false; }).resume();
       console.log('ready');
       (function loop() {
         for (let i = 0; i < 200; i++) { reads++; try { if (!valid.has(fs.readFileSync(${JSON.stringify(file)}).toString('base64'))) torn++; } catch { torn++; } }
         if (open) setImmediate(loop); else console.log(JSON.stringify({ reads, torn }));
       })();`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  t.after(() => reader.kill('SIGKILL'));
  let out = '';
  reader.stdout.on('data', (chunk) => {
    out += chunk;
  });
  await new Promise<void>((resolve) => reader.stdout.on('data', () => out.includes('ready') && resolve()));
  for (let i = 0; i < 100; i++) {
    await addHostsEntries(options(file, ['app.acme.test']));
    await removeHostsEntries(options(file, []));
  }
  reader.stdin.end();
  await new Promise((resolve) => reader.on('close', resolve));
  const result = JSON.parse(out.split('\n')[1] ?? '{}') as { reads: number; torn: number };
  assert.ok(result.reads > 0);
  assert.equal(result.torn, 0, `${result.torn} of ${result.reads} reads saw a partial or missing file`);
});

/** A runner that records argv and runs it without its leading `sudo -n` (tests run as whoever they run as). */
function unsudoRunner(record: string[][]): Runner {
  const real = createRunner();
  return {
    start(command: string, args: readonly string[], startOptions: StartOptions): ChildProcessHandle {
      record.push([command, ...args]);
      assert.equal(command, 'sudo');
      assert.equal(args[0], '-n');
      return real.start(args[1] as string, args.slice(2), startOptions);
    },
    signalAll: (signal) => real.signalAll(signal),
  };
}

test('elevated write: sudo -n install (mode, owner) next to the file, then sudo -n mv over it; no shell', {
  timeout: 60_000,
}, async (t) => {
  const file = hostsFile(t);
  const { uid, gid } = statSync(file);
  const calls: string[][] = [];
  const content = Buffer.concat([OTHERS, ourLine(['app.acme.test'])]);
  await writeHostsElevated({ file, projectRoot: ROOT, elevate: true, runner: unsudoRunner(calls) }, file, content);
  const staged = join(file, '..', '.hosts.stagecraft.tmp');
  assert.equal(calls.length, 2);
  const [install, move] = calls as [string[], string[]];
  const source = install[9] as string;
  assert.deepEqual(install, ['sudo', '-n', 'install', '-m', '640', '-o', String(uid), '-g', String(gid), source, staged]);
  assert.deepEqual(move, ['sudo', '-n', 'mv', '-f', staged, file]);
  assert.deepEqual(readFileSync(file), content);
  assert.equal(statSync(file).mode & 0o7777, 0o640);
  assert.throws(() => statSync(source), /ENOENT/, 'our unprivileged temp copy is removed');
});

test('elevated write refused (sudo wants a password): a clear error with the way out, the file unchanged', {
  timeout: 60_000,
}, async (t) => {
  const file = hostsFile(t);
  const real = createRunner();
  const refusing: Runner = {
    start: (_command, _args, startOptions) =>
      real.start(process.execPath, ['-e', "process.stderr.write('sudo: a password is required\\n'); process.exit(1)"], startOptions),
    signalAll: (signal) => real.signalAll(signal),
  };
  const error = await writeHostsElevated({ file, projectRoot: ROOT, elevate: true, runner: refusing }, file, Buffer.from('x')).then(
    () => assert.fail('expected an error'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof StagecraftError);
  assert.equal(error.category, 'PROVIDER_NOT_AVAILABLE');
  assert.match(error.message, /sudo -n \(exit code 1\)/);
  assert.match(error.detail ?? '', /a password is required/);
  assert.match(error.hint ?? '', /sudo -v/);
  assert.deepEqual(readFileSync(file), OTHERS);
});
