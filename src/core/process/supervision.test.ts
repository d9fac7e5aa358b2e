import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { captureLogger } from '../../../test/helpers/logger.js';
import { freePort, isRunning, waitUntil } from '../../../test/helpers/processes.js';
import { tempDir, writeFiles } from '../../../test/helpers/temp.js';
import { StagecraftError } from '../errors.js';
import { readProcStat } from './process-group.js';
import { httpReadiness, logLineReadiness, ReadinessTimeoutError, tcpReadiness, waitUntilReady } from './readiness.js';
import { runToCompletion } from './run-to-completion.js';
import { createRunner } from './start-child.js';
import { stopProcessGroup } from './stop.js';
import { superviseDevServer } from './supervise.js';

const NODE = process.execPath;
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

/** Running (non-zombie) members of a process group, from /proc. */
function runningMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => readProcStat(entry))
    .filter((stat) => stat !== undefined && stat.pgid === pgid && stat.state !== 'Z' && stat.state !== 'X')
    .map((stat) => stat?.pid as number);
}

/** Collects a child's output lines and resolves `line(pattern)` once one matches (the event, not a delay). */
function outputLines() {
  const lines: string[] = [];
  return {
    lines,
    onLine: (line: string) => void lines.push(line),
    async line(pattern: RegExp): Promise<string> {
      await waitUntil(() => lines.some((line) => pattern.test(line)), `a line matching ${pattern}`);
      return lines.find((line) => pattern.test(line)) as string;
    },
  };
}

/** The pids a shell child reports as `pids <its own pid> <background pid>...`. */
async function reportedPids(output: ReturnType<typeof outputLines>): Promise<number[]> {
  const line = await output.line(/^pids( \d+)+$/);
  return line.split(' ').slice(1).map(Number);
}

test('stopping a group ends a child and the grandchild it forked', async () => {
  const runner = createRunner();
  const output = outputLines();
  const child = runner.start('sh', ['-c', 'sleep 1000 & echo "pids $$ $!"; exec sleep 1000'], { cwd: process.cwd(), env, ...output });
  const pids = await reportedPids(output);
  assert.equal(pids[0], child.pid, 'the shell the runner spawned reported itself');
  assert.ok(pids.every(isRunning), 'the child and its grandchild run');
  assert.equal(readProcStat(pids[1] as number)?.pgid, child.pid, 'the grandchild is in the child group');
  const result = await stopProcessGroup(child, { signal: 'SIGTERM', graceMs: 5000 });
  assert.equal(result.forced, false);
  assert.deepEqual(pids.filter(isRunning), [], 'checked by pid: neither is running');
  assert.deepEqual(runningMembers(child.pid as number), []);
});

test('a child that ignores the stop signal is SIGKILLed after the grace period', async () => {
  const runner = createRunner();
  const output = outputLines();
  const child = runner.start(
    NODE,
    ['-e', "process.on('SIGTERM', () => console.log('ignored')); console.log('up'); setInterval(() => {}, 1000)"],
    { cwd: process.cwd(), env, ...output },
  );
  const pgid = child.pid as number;
  await output.line(/^up$/); // printed after its SIGTERM handler is installed
  const started = performance.now();
  const result = await stopProcessGroup(child, { signal: 'SIGTERM', graceMs: 300 });
  assert.equal(result.forced, true);
  assert.ok(performance.now() - started >= 300, 'it got its grace period first');
  assert.deepEqual(runningMembers(pgid), []);
  assert.equal((await child.exit).signal, 'SIGKILL');
});

test('runToCompletion writes stdin, closes it, and collects output', async () => {
  const lines: string[] = [];
  const result = await runToCompletion(createRunner(), 'cat', [], {
    cwd: process.cwd(),
    env,
    stdin: 'first\nsecond',
    onLine: (line) => lines.push(line),
  });
  assert.equal(result.code, 0);
  assert.deepEqual(lines, ['first', 'second'], 'cat saw EOF, so stdin was closed');
});

/** Guard shells this test process started (each watches one child group), by pid, from /proc. */
function guardPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && readProcStat(entry)?.ppid === process.pid)
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'latin1').includes('stagecraft-guard');
      } catch {
        return false;
      }
    })
    .map(Number)
    .filter(isRunning);
}

test('a child that ends by itself releases its guard: the guard is gone while the runner lives on', async (t) => {
  const dir = tempDir(t);
  const go = join(dir, 'go');
  const before = new Set(guardPids());
  const output = outputLines();
  // The child runs until the test creates a file, so its guard can be seen while it runs.
  const child = createRunner().start('sh', ['-c', 'echo started; while [ ! -e "$1" ]; do sleep 0.05; done', 'sh', go], {
    cwd: process.cwd(),
    env,
    ...output,
  });
  t.after(() => writeFiles(dir, { go: '' })); // ends the child even when an assertion below fails
  await output.line(/^started$/);
  assert.equal(await child.guarded, true, 'the guard holds the group');
  const guards = guardPids().filter((pid) => !before.has(pid));
  assert.equal(guards.length, 1, 'one guard shell watches this child');
  writeFiles(dir, { go: '' });
  assert.equal((await child.exit).code, 0);
  await waitUntil(() => guards.every((pid) => !isRunning(pid)), 'the guard of the ended child to leave');
});

test('runToCompletion stops the group on timeout and reports it', async () => {
  const runner = createRunner();
  const result = await runToCompletion(runner, 'sh', ['-c', 'sleep 1000 & sleep 1000'], {
    cwd: process.cwd(),
    env,
    timeoutMs: 200,
    graceMs: 1000,
  });
  assert.equal(result.timedOut, true);
  assert.equal(result.signal, 'SIGTERM');
});

// A stop that misses part of the group never ends: the timeout turns that hang into a failure.
test('runToCompletion rejects with the abort reason and leaves nothing running', { timeout: 120_000 }, async () => {
  const controller = new AbortController();
  const runner = createRunner();
  const output = outputLines();
  // The spawned command names its own group: the shell's pid ($$) leads it, and it reports its grandchild.
  const running = runToCompletion(runner, 'sh', ['-c', 'sleep 1000 & echo "pids $$ $!"; sleep 1000'], {
    cwd: process.cwd(),
    env,
    signal: controller.signal,
    ...output,
  });
  const pids = await reportedPids(output);
  const pgid = pids[0] as number;
  assert.equal(readProcStat(pgid)?.pgid, pgid, 'the shell leads its own group');
  assert.equal(readProcStat(pids[1] as number)?.pgid, pgid, 'the grandchild is in it');
  assert.ok(runningMembers(pgid).length >= 3, 'the shell and both sleeps run in it');
  const reason = new Error('user stop');
  controller.abort(reason);
  await assert.rejects(running, (error) => error === reason);
  assert.deepEqual(pids.filter(isRunning), [], 'checked by pid: the shell and its grandchild are gone');
  assert.deepEqual(runningMembers(pgid), [], 'nothing of the group is left');
});

test('an unstartable command rejects with SpawnError', async () => {
  await assert.rejects(
    runToCompletion(createRunner(), '/nonexistent/binary', [], { cwd: process.cwd(), env }),
    /could not start \/nonexistent\/binary: ENOENT/,
  );
});

function supervise(args: string[], overrides: Partial<Parameters<typeof superviseDevServer>[0]> = {}, verbose = false) {
  const captured = captureLogger('text', { verbose });
  const controller = new AbortController();
  const running = superviseDevServer({
    runner: createRunner(),
    command: NODE,
    args,
    cwd: process.cwd(),
    env,
    logger: captured.logger.child({ provider: 'test', operation: 'dev' }, { prefix: 'child' }),
    provider: 'test',
    operation: 'dev',
    displayName: 'the test server',
    stop: { signal: 'SIGTERM', graceMs: 2000 },
    signal: controller.signal,
    ...overrides,
  });
  return { running, controller, captured };
}

test('a crash is DEV_SERVER_FAILED with the exit code, the uptime and the last 20 lines', async () => {
  const { running } = supervise(['-e', 'for (let i = 1; i <= 30; i++) console.log(`line ${i}`); process.exit(3)']);
  await assert.rejects(running, (error: unknown) => {
    assert.ok(error instanceof StagecraftError);
    assert.equal(error.category, 'DEV_SERVER_FAILED');
    assert.equal(error.exitCode, 3);
    assert.match(error.message, /the test server exited unexpectedly \(exit code 3\) after \d+\.\ds/);
    const tail = (error.detail ?? '').split('\n');
    assert.equal(tail.length, 20);
    assert.equal(tail[0], 'line 11');
    assert.equal(tail[19], 'line 30');
    return true;
  });
});

test('exiting with code 0 without a stop request is a failure too', async () => {
  const { running } = supervise(['-e', "console.log('done already')"]);
  await assert.rejects(running, /exited with code 0 .* but a dev server should run until it is stopped/);
});

test('death by signal is reported with the signal', async () => {
  const { running } = supervise(['-e', "process.kill(process.pid, 'SIGSEGV')"]);
  await assert.rejects(
    running,
    (error: unknown) => error instanceof StagecraftError && error.signal === 'SIGSEGV' && /signal SIGSEGV/.test(error.message),
  );
});

test('a user stop resolves once the group is gone, after logging the stop', async () => {
  const { running, controller, captured } = supervise(['-e', "console.log('serving'); setInterval(() => {}, 1000)"]);
  await waitUntil(() => /serving/.test(captured.text()), 'the child to serve');
  controller.abort();
  await running;
  assert.match(captured.text(), /child │ serving/);
  assert.match(captured.text(), /› the test server stopped/);
});

test('a long-running server gets a periodic debug heartbeat with its uptime', async () => {
  const { running, controller, captured } = supervise(
    ['-e', 'setInterval(() => {}, 1000)'],
    { heartbeat: { intervalMs: 100, message: 'still running' } },
    true,
  );
  await waitUntil(() => (captured.text().match(/^· still running$/gm) ?? []).length >= 2, 'two heartbeats');
  controller.abort();
  await running;
  const beats = captured.text().match(/^· still running$/gm) ?? [];
  assert.ok(beats.length >= 2, `expected several heartbeats, got ${beats.length}`);
});

test('readiness: ready is logged once with the URL; a timeout stops the child and fails', async () => {
  const ok = supervise(['-e', "console.log('listening on http://127.0.0.1:1234 now'); setInterval(() => {}, 1000)"], {
    readiness: { check: logLineReadiness(/listening on (http:\/\/\S+)/), timeoutMs: 10_000 },
  });
  await waitUntil(() => /ready at/.test(ok.captured.text()), 'ready');
  assert.match(ok.captured.text(), /› ready at http:\/\/127\.0\.0\.1:1234 in \d+\.\ds/);
  ok.controller.abort();
  await ok.running;

  const never = supervise(['-e', 'setInterval(() => {}, 1000)'], {
    readiness: { check: logLineReadiness(/never printed/), timeoutMs: 300 },
  });
  await assert.rejects(
    never.running,
    (error: unknown) =>
      error instanceof StagecraftError && error.category === 'DEV_SERVER_FAILED' && /not ready after 0\.3s/.test(error.message),
  );
});

test('a secret the child splits across two writes is still masked', async () => {
  const secret = 'sk_live_0123456789abcdef';
  const script = `process.stdout.write('token=${secret.slice(0, 10)}'); setTimeout(() => { process.stdout.write('${secret.slice(10)} ok\\n'); process.exit(1); }, 100);`;
  const { running, captured } = supervise(['-e', script]);
  captured.redactor.add(secret);
  await assert.rejects(
    running,
    (error: unknown) =>
      error instanceof StagecraftError && !(error.detail ?? '').includes(secret) && (error.detail ?? '').includes('token=*** ok'),
  );
  assert.match(captured.text(), /child │ token=\*\*\* ok/);
  assert.doesNotMatch(captured.text(), /sk_live/);
});

test('readiness helpers: TCP connects, HTTP accepts any answer below 500, timeouts say what they waited for', async () => {
  const port = await freePort();
  const server = createServer((req, res) => {
    res.statusCode = req.url === '/broken' ? 503 : 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  try {
    const signal = new AbortController().signal;
    await waitUntilReady(tcpReadiness(['127.0.0.1'], port, 'x'), { timeoutMs: 5000, signal });
    await waitUntilReady(httpReadiness(`http://127.0.0.1:${port}/missing`), { timeoutMs: 5000, signal });
    await assert.rejects(
      waitUntilReady(httpReadiness(`http://127.0.0.1:${port}/broken`), { timeoutMs: 400, signal }),
      (error: unknown) => error instanceof ReadinessTimeoutError && /still waiting for an HTTP response from/.test(error.message),
    );
  } finally {
    server.close();
  }
  const closed = await freePort();
  await assert.rejects(
    waitUntilReady(tcpReadiness(['127.0.0.1'], closed, 'x'), { timeoutMs: 300, signal: new AbortController().signal }),
    ReadinessTimeoutError,
  );
});

test('if Stagecraft is SIGKILLed, the guard kills the child group it left behind', async (t) => {
  const dir = tempDir(t);
  const runnerModule = join(import.meta.dirname, 'start-child.ts');
  writeFiles(dir, {
    'parent.ts': `import { createRunner } from ${JSON.stringify(runnerModule)};
const child = createRunner().start('sh', ['-c', 'sleep 1000 & echo "pids $$ $!"; exec sleep 1000'], {
  cwd: '/',
  env: { PATH: process.env.PATH ?? '' },
  onLine: async (line) => console.log(line, 'guarded', await child.guarded),
});
setInterval(() => {}, 1000);
`,
  });
  const parent = spawn(NODE, ['--import', 'tsx', join(dir, 'parent.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => parent.kill('SIGKILL'));
  let printed = '';
  parent.stdout.on('data', (chunk: Buffer) => {
    printed += chunk.toString();
  });
  await waitUntil(() => /\n/.test(printed), 'the parent to report its child', 60_000);
  const match = /^pids (\d+) (\d+) guarded (\w+)$/m.exec(printed);
  assert.ok(match, printed);
  const [leader, grandchild] = [Number(match[1]), Number(match[2])];
  assert.equal(match[3], 'true', 'the guard confirmed it holds the group');
  assert.ok(isRunning(leader) && isRunning(grandchild), 'the child and its grandchild run');
  assert.equal(readProcStat(grandchild)?.pgid, leader, 'in the group the runner started');
  parent.kill('SIGKILL');
  await waitUntil(() => !isRunning(leader) && !isRunning(grandchild), 'the guard to kill the orphaned group');
  assert.deepEqual(runningMembers(leader), [], 'nothing of the group is left');
});

test('while the log is congested the runner stops reading a child, which then blocks instead of filling memory', async () => {
  let congested = true;
  const waiting: (() => void)[] = [];
  const flow = {
    get congested() {
      return congested;
    },
    whenDrained(resume: () => void) {
      if (congested) waiting.push(resume);
      else resume();
    },
  };
  let lines = 0;
  const child = createRunner({ flow }).start('yes', ['y'], { cwd: process.cwd(), env, onLine: () => lines++ });
  const pid = child.pid as number;
  // The event: `yes` is asleep in a write to its full pipe, so nobody is reading it.
  await waitUntil(() => lines > 0 && blockedWriting(pid), 'the child to block on its full pipe');
  const whilePaused = lines;
  await waitUntil(() => blockedWriting(pid), 'the child to still be blocked');
  assert.equal(lines, whilePaused, 'no more output was read while congested');
  assert.ok(whilePaused < 100_000, `at most a chunk or so was read (${whilePaused} lines)`);
  congested = false;
  for (const resume of waiting.splice(0)) resume();
  await waitUntil(() => lines > whilePaused, 'reading to resume once drained');
  await stopProcessGroup(child, { signal: 'SIGTERM', graceMs: 2000 });
});

/**
 * Whether `pid` is blocked writing its output: `yes` does nothing but write, so it sleeps only in a write
 * that cannot complete, and then its written-bytes counter stands still since the previous look.
 */
function blockedWriting(pid: number): boolean {
  let written: string | undefined;
  try {
    written = /wchar: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'latin1'))?.[1];
  } catch {}
  const previous = lastWritten.get(pid);
  lastWritten.set(pid, written);
  return written !== undefined && written === previous && readProcStat(pid)?.state === 'S';
}
const lastWritten = new Map<number, string | undefined>();

test('readiness: a log pattern matches output that has no newline yet', async () => {
  const ok = supervise(['-e', "process.stdout.write('listening on http://127.0.0.1:1234'); setInterval(() => {}, 1000)"], {
    readiness: { check: logLineReadiness(/listening on (http:\/\/\S+)/), timeoutMs: 60_000 },
  });
  await waitUntil(() => /ready at/.test(ok.captured.text()), 'ready');
  assert.match(ok.captured.text(), /› ready at http:\/\/127\.0\.0\.1:1234 in \d+\.\ds/);
  ok.controller.abort();
  await ok.running;
  assert.match(ok.captured.text(), /child │ listening on http:\/\/127\.0\.0\.1:1234/, 'the line is shown once the child ends');
});

test('readiness: polling adds no abort listener per attempt (no MaxListenersExceededWarning)', async (t) => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => void warnings.push(warning);
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  let attempts = 0;
  const server = createServer((_req, res) => {
    attempts++;
    res.statusCode = 503; // up, but not ready: the probe keeps polling
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as { port: number };
  const controller = new AbortController();
  const waiting = waitUntilReady(httpReadiness(`http://127.0.0.1:${port}/`), { timeoutMs: 600_000, signal: controller.signal });
  await waitUntil(() => attempts >= 25, '25 probe attempts', 60_000);
  controller.abort(new Error('enough'));
  await assert.rejects(waiting, /enough/);
  await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
  assert.deepEqual(
    warnings.map((warning) => warning.name),
    [],
  );
});
