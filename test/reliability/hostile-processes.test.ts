import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { CLI, type CliOptions, type CliResult, startCli } from '../helpers/cli.js';
import { assertNoOrphans, freePort, isRunning } from '../helpers/processes.js';
import { tempDir, tempProject } from '../helpers/temp.js';

/** A server that records each start in starts.log, then listens on PORT and says so. */
const SERVER = `
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
appendFileSync('starts.log', process.pid + '\\n');
const server = createServer((req, res) => res.end('ok'));
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening pid=' + process.pid));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

function genericProject(t: TestContext, port: number, files: Record<string, string> = {}, dev = ''): string {
  return tempProject(t, {
    'server.mjs': SERVER,
    'stagecraft.yml': `project:
  name: demo
backend:
  provider: generic
  providers:
    generic:
      dev:
        command: [node, server.mjs]
        env:
          PORT: "${port}"
        ready:
          tcp: 127.0.0.1:${port}
          timeout: 60s
${dev}`,
    ...files,
  });
}

/** Options for a CLI run with its own HOME and cache, so nothing outside temp dirs is touched. */
function isolated(t: TestContext, cwd: string, extra: Partial<CliOptions> = {}): CliOptions {
  const home = tempDir(t, 'stagecraft-home-');
  return { cwd, timeoutMs: 120_000, ...extra, env: { HOME: home, XDG_CACHE_HOME: join(home, '.cache'), ...extra.env } };
}

function starts(cwd: string): number {
  const file = join(cwd, 'starts.log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

test('a second `stagecraft dev` in the same project refuses at once, naming the running pid; a SIGKILLed owner blocks nobody', async (t) => {
  const port = await freePort();
  const cwd = genericProject(t, port);
  const first = startCli(['dev'], isolated(t, cwd));
  await first.waitForStderr(/ready at/, 60_000);
  assert.equal(starts(cwd), 1);

  const second = await startCli(['dev'], isolated(t, cwd)).finish();
  assert.equal(second.code, 7, second.stderr);
  assert.match(second.stderr, new RegExp(`stagecraft dev for stagecraft\\.yml is already running \\(pid ${first.pid}\\)`));
  assert.match(second.stderr, new RegExp(`kill ${first.pid}`));
  assert.match(second.stderr, /DEV_SERVER_FAILED/);
  assert.equal(starts(cwd), 1, 'the second run spawned nothing');
  assert.doesNotMatch(second.stderr, /starting |\bready (at|in)\b/, 'nor got as far as starting or probing');

  // The owner dies without any chance to clean up: the next run must not be blocked.
  first.signal('SIGKILL');
  await first.result;
  await assertNoOrphans(first.marker, 30_000); // its guard kills the server it left behind
  const third = startCli(['dev'], isolated(t, cwd));
  await third.waitForStderr(/ready at/, 60_000);
  assert.equal(starts(cwd), 2);
  third.signal('SIGINT');
  const result = await third.finish();
  assert.equal(result.code, 0, result.stderr);
});

test('a listen port another process already holds: dev fails at once, naming the address and --listen', async (t) => {
  const holder = createServer((socket) => {
    socket.on('error', () => {}); // probes hang up abruptly
    socket.end('someone else\n');
  });
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  t.after(() => holder.close());
  const { port } = holder.address() as { port: number };
  const cwd = genericProject(t, port);
  const result = await startCli(['dev'], isolated(t, cwd)).finish();
  assert.equal(result.code, 7, result.stderr);
  assert.match(result.stderr, new RegExp(`port ${port} is already in use: another process listens on 127\\.0\\.0\\.1:${port}`));
  assert.match(result.stderr, /--listen/);
  assert.doesNotMatch(result.stderr, /\bready (at|in)\b/);
  assert.equal(starts(cwd), 0, 'the server was never started');
});

test('spawn E2BIG (a 200 KB environment value) is DEV_SERVER_FAILED with a hint, not an internal error', async (t) => {
  const port = await freePort();
  const cwd = genericProject(t, port, { '.env.big': `BIG=${'x'.repeat(200_000)}\n` });
  const yaml = readFileSync(join(cwd, 'stagecraft.yml'), 'utf8').replace(
    'backend:',
    'environments:\n  dev:\n    env_file: .env.big\nbackend:',
  );
  writeFileSync(join(cwd, 'stagecraft.yml'), yaml);
  const result = await startCli(['dev'], isolated(t, cwd)).finish();
  assert.equal(result.code, 7, result.stderr);
  assert.match(result.stderr, /could not start .*E2BIG/);
  assert.match(result.stderr, /hint: The command line or environment is too large/);
  assert.doesNotMatch(result.stderr, /internal error|^\s+at /m);
});

/** Runs the built CLI with raw stdio choices (a closed or full stdout, a deleted cwd). */
function runRaw(command: string, args: string[], options: { cwd: string; stdout: 'closed' | number }): Promise<CliResult> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    stdio: ['ignore', options.stdout === 'closed' ? 'pipe' : options.stdout, 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.cwd, XDG_CACHE_HOME: options.cwd },
  });
  if (options.stdout === 'closed') child.stdout?.destroy(); // nobody will ever read: writes fail with EPIPE
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout: '', stderr })));
}

test('a result that cannot be written (stdout closed or full) is exit 1, not 0', async (t) => {
  const cwd = tempDir(t);
  const full = openSync('/dev/full', 'w');
  t.after(() => closeSync(full));
  for (const [stdout, reason] of [
    ['closed', 'EPIPE'],
    [full, 'ENOSPC'],
  ] as const) {
    const schema = await runRaw(process.execPath, [CLI, 'config', 'schema'], { cwd, stdout });
    assert.equal(schema.code, 1, `config schema, stdout ${stdout}: ${schema.stderr}`);
    assert.match(schema.stderr, new RegExp(`could not write the result to stdout \\(${reason}\\)`));
    const version = await runRaw(process.execPath, [CLI, '--version'], { cwd, stdout });
    assert.equal(version.code, 1, `--version, stdout ${stdout}: ${version.stderr}`);
    assert.doesNotMatch(version.stderr, /^\s+at /m, 'no stack trace');
  }
});

test('a deleted working directory is INVALID_PROJECT (exit 1) with a clear message', async (t) => {
  const gone = join(tempDir(t), 'gone');
  const script = 'mkdir "$1" && cd "$1" && rmdir "$1" && exec "$2" "$3" dev';
  const result = await runRaw('/bin/sh', ['-c', script, 'sh', gone, process.execPath, CLI], { cwd: tempDir(t), stdout: 'closed' });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /the current working directory no longer exists/);
  assert.match(result.stderr, /INVALID_PROJECT/);
  assert.doesNotMatch(result.stderr, /internal error|^\s+at /m);
});

test('in --log-format json no Node warning reaches stderr as text: it becomes a warn record', async (t) => {
  const port = await freePort();
  const cwd = genericProject(t, port, {
    'warn.cjs': "process.on('SIGINT', () => process.emitWarning('a hostile warning', 'MaxListenersExceededWarning'));\n",
  });
  const cli = startCli(['dev', '--log-format', 'json'], isolated(t, cwd, { env: { NODE_OPTIONS: `--require ${join(cwd, 'warn.cjs')}` } }));
  await cli.waitForStderr(/ready at/, 60_000);
  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
  const records = result.stderr
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      assert.doesNotThrow(() => JSON.parse(line), `not a JSON record: ${line}`);
      return JSON.parse(line) as { level: string; msg: string };
    });
  assert.ok(
    records.some((record) => record.level === 'warn' && /MaxListenersExceededWarning: a hostile warning/.test(record.msg)),
    result.stderr,
  );
});

test('a readiness timeout interrupted by Ctrl+C during its cleanup still reports the timeout (exit 7)', async (t) => {
  const cwd = tempProject(t, {
    // The handler first: on a loaded machine the 1 s timeout can fire before a later line has run.
    'slow.mjs': `process.on('SIGTERM', () => { console.log('got SIGTERM, cleaning up'); setTimeout(() => process.exit(0), 5000); });
console.log('up');
setInterval(() => {}, 1000);
`,
    'stagecraft.yml': `project:
  name: demo
backend:
  provider: generic
  providers:
    generic:
      dev:
        command: [node, slow.mjs]
        ready:
          log: never printed
          timeout: 1s
        stop_timeout: 60s
`,
  });
  const cli = startCli(['dev'], isolated(t, cwd));
  await cli.waitForStderr(/got SIGTERM, cleaning up/, 60_000); // the timeout fired and the stop is under way
  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 7, result.stderr);
  assert.match(result.stderr, /not ready after 1\.0s/);
  assert.doesNotMatch(result.stderr, /stopped before the dev server started/);
  assert.equal(isRunning(cli.pid), false);
});
