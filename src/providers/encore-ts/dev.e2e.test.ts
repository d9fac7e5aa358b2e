import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, portIsOpen } from '../../../test/helpers/processes.js';
import { encoreProject, records } from './test/fixtures.js';

test('dev runs `encore run` with the spec arguments, in the app directory, with the provider variables', async (t) => {
  const project = await encoreProject(t, {
    appDir: 'apps/api',
    dev: ['        disable_telemetry: true', '        node_extra_ca_certs: certs/root.pem', '        log_level: info'],
    files: { 'certs/root.pem': 'PEM\n' },
  });
  const cli = project.start(['dev']);
  await cli.waitForStderr(/ready at http:\/\/127\.0\.0\.1:\d+ in \d+\.\ds/);
  const run = project.bin.calls('encore').find((call) => call.argv[0] === 'run');
  assert.deepEqual(run?.argv, [
    'run',
    '--debug',
    '--verbose',
    '--watch',
    '--listen',
    `127.0.0.1:${project.port}`,
    '--browser=never',
    '--level=info',
  ]);
  assert.equal(run?.cwd, join(project.dir, 'apps', 'api'), 'monorepo: the nested app directory');
  assert.equal(run?.env?.DISABLE_ENCORE_TELEMETRY, '1');
  assert.equal(run?.env?.NODE_EXTRA_CA_CERTS, join(project.dir, 'certs', 'root.pem'));
  assert.equal(await portIsOpen(project.port), true);
  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /encore run stopped/);
  assert.equal(await portIsOpen(project.port), false);
});

test('debug, watch and browser settings change the arguments; --listen wins over dev.listen', async (t) => {
  const project = await encoreProject(t, {
    dev: ['        debug: false', '        watch: false', '        verbose: false', '        browser: always'],
  });
  const other = await freePort();
  const cli = project.start(['dev', '--listen', `127.0.0.1:${other}`]);
  await cli.waitForStderr(new RegExp(`ready at http://127\\.0\\.0\\.1:${other}`));
  cli.signal('SIGINT');
  assert.equal((await cli.finish()).code, 0);
  assert.deepEqual(project.bin.calls('encore').find((call) => call.argv[0] === 'run')?.argv, [
    'run',
    '--watch=false',
    '--listen',
    `127.0.0.1:${other}`,
    '--browser=always',
  ]);

  const broken = await project.run(['dev', '--listen', 'example.com:80']);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /--listen: expected host:port with an IP address or localhost/);
});

test('debug break is passed as --debug=break (a space would be a parse error in the real CLI)', async (t) => {
  const project = await encoreProject(t, { dev: ['        debug: break'] });
  const cli = project.start(['dev']);
  await cli.waitForStderr(/ready at/);
  cli.signal('SIGTERM');
  assert.equal((await cli.finish()).code, 0);
  const run = project.bin.calls('encore').find((call) => call.argv[0] === 'run');
  assert.ok(run !== undefined, 'encore run was called');
  assert.ok(run.argv.includes('--debug=break') && !run.argv.includes('break'), run.argv.join(' '));
});

test('logs: prefixed in text, tagged in JSON, Encore levels mapped, ANSI stripped in JSON, DBG/TRC only with -v', async (t) => {
  const project = await encoreProject(t);
  const text = project.start(['dev'], { STANDIN_ENCORE_LOG_LEVELS: '1' });
  await text.waitForStderr(/handler failed/);
  text.signal('SIGINT');
  const textResult = await text.finish();
  assert.equal(textResult.code, 0, textResult.stderr);
  assert.match(textResult.stderr, /^encore │ {3}Encore development server running!$/m);
  assert.match(textResult.stderr, /^encore │ 3:04PM WRN slow query/m);
  assert.doesNotMatch(textResult.stderr, /DBG debug detail|TRC trace detail/);

  const json = project.start(['--log-format', 'json', '-v', 'dev'], { STANDIN_ENCORE_LOG_LEVELS: '1' });
  await json.waitForStderr(/handler failed[\s\S]*"msg":"ready at|"msg":"ready at[\s\S]*handler failed/);
  json.signal('SIGINT');
  const jsonResult = await json.finish();
  assert.equal(jsonResult.code, 0, jsonResult.stderr);
  const all = records(jsonResult.stderr);
  const child = all.filter((record) => record.stream !== undefined);
  for (const record of child) {
    assert.deepEqual([record.provider, record.operation, record.feature], ['encore-ts', 'dev', 'PROVIDER_BACKEND_ENCORE']);
    assert.ok(!String(record.msg).includes('\x1b'), 'no ANSI codes in JSON');
  }
  const level = (marker: string) => child.find((record) => String(record.msg).includes(` ${marker} `))?.level;
  assert.deepEqual([level('TRC'), level('DBG'), level('INF'), level('WRN'), level('ERR')], ['debug', 'debug', 'info', 'warn', 'error']);
  assert.equal(child.find((record) => String(record.msg).includes('Your API is running at'))?.level, 'info');
  assert.equal(child.find((record) => String(record.msg).includes('Your API is running at'))?.stream, 'stderr');
  const ready = all.filter((record) => String(record.msg).startsWith('ready at'));
  assert.equal(ready.length, 1);
  assert.equal(ready[0]?.url, `http://127.0.0.1:${project.port}`);
  assert.equal(typeof ready[0]?.elapsedMs, 'number');
});

test('a secret that encore prints, split across two writes, is masked in text and JSON', async (t) => {
  const secret = 'sk_live_51HxyzSECRETvalue';
  const project = await encoreProject(t, {
    env: [`STRIPE_API_KEY=${secret}`],
    dev: ['        encore_secrets:', '          from_env: [STRIPE_API_KEY]'],
  });
  for (const format of ['text', 'json']) {
    const cli = project.start(['--log-format', format, 'dev'], { STANDIN_ENCORE_PRINT_ENV: 'STRIPE_API_KEY' });
    await cli.waitForStderr(/from the environment/);
    cli.signal('SIGINT');
    const result = await cli.finish();
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stderr.includes(secret) && !result.stderr.includes('SECRETvalue'), result.stderr);
    assert.match(result.stderr, /loaded STRIPE_API_KEY=\*\*\* from the environment/);
  }
});

test('readiness needs the banner AND the port: either one missing times out, stops encore, exit 7', async (t) => {
  for (const knob of ['STANDIN_ENCORE_NO_BANNER', 'STANDIN_ENCORE_NO_LISTEN']) {
    const project = await encoreProject(t, { dev: ['        ready_timeout: 2s'] });
    const result = await project.run(['dev'], { [knob]: '1' });
    assert.equal(result.code, 7, `${knob}: ${result.stderr}`);
    assert.match(result.stderr, /encore run is not ready after 2\.0s: still waiting for /);
    assert.doesNotMatch(result.stderr, /ready at/);
  }
});

test('encore exiting by itself is exit 7 with its exit code and log tail — code 0 and signals too', async (t) => {
  const project = await encoreProject(t);
  const cases: [Record<string, string>, RegExp][] = [
    [
      { STANDIN_ENCORE_EXIT_AFTER_MS: '300', STANDIN_ENCORE_EXIT_CODE: '2' },
      /encore run exited unexpectedly \(exit code 2\)[\s\S]*the app process exited unexpectedly[\s\S]*DEV_SERVER_FAILED · encore-ts · dev · exit code 2/,
    ],
    [
      { STANDIN_ENCORE_EXIT_AFTER_MS: '300', STANDIN_ENCORE_EXIT_CODE: '0' },
      /encore run exited with code 0 after .* but a dev server should run until it is stopped/,
    ],
    [
      { STANDIN_ENCORE_EXIT_AFTER_MS: '300', STANDIN_ENCORE_EXIT_SIGNAL: 'SIGSEGV' },
      /encore run exited unexpectedly \(signal SIGSEGV\)[\s\S]*DEV_SERVER_FAILED · encore-ts · dev · signal SIGSEGV/,
    ],
  ];
  for (const [env, pattern] of cases) {
    const result = await project.run(['dev'], env);
    assert.equal(result.code, 7, result.stderr);
    assert.match(result.stderr, pattern);
  }
});

test('a port held by another server before start fails at once: in use, the address, --listen; never "ready"', async (t) => {
  const project = await encoreProject(t, {
    appId: 'linked-1',
    env: ['TOKEN=long-enough-token'],
    dev: ['        encore_secrets:', '          from_env: [TOKEN]', '          store: platform'],
  });
  // An HTTP server that answers the readiness probe: it must not be mistaken for Encore.
  const holder = createHttpServer((_req, res) => res.end('not encore'));
  await new Promise<void>((resolve) => holder.listen(project.port, '127.0.0.1', resolve));
  try {
    const result = await project.run(['--log-format', 'json', 'dev']);
    assert.equal(result.code, 7, result.stderr);
    const error = records(result.stderr).at(-1);
    assert.equal(error?.category, 'DEV_SERVER_FAILED');
    assert.match(
      String(error?.msg),
      new RegExp(
        `^cannot listen on 127\\.0\\.0\\.1:${project.port}: the port is already in use by another process \\(pid ${process.pid}, node\\)`,
      ),
    );
    assert.match(String(error?.hint), /stagecraft dev --listen 127\.0\.0\.1:\d+$/);
    assert.doesNotMatch(result.stderr, /ready at/);
    const calls = project.bin.calls('encore');
    assert.ok(!calls.some((call) => call.argv[0] === 'run' || call.argv[0] === 'secret'), 'nothing started, no secret written');
  } finally {
    holder.close();
  }
});

test('stopping: SIGINT, SIGTERM or SIGHUP to Stagecraft send SIGINT to encore, which exits 0; exit 0, port free', async (t) => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const project = await encoreProject(t);
    const cli = project.start(['-v', 'dev']);
    await cli.waitForStderr(/ready at/);
    cli.signal(signal);
    const result = await cli.finish();
    assert.equal(result.code, 0, `${signal}: ${result.stderr}`);
    assert.match(result.stderr, /stopping encore run \(SIGINT, up to 10s before SIGKILL\)/);
    // The stand-in exits 0 on SIGINT only; on SIGTERM it would have died by signal and never said "stopped".
    assert.match(result.stderr, /encore run stopped/);
    assert.doesNotMatch(result.stderr, /did not exit within/);
    assert.equal(await portIsOpen(project.port), false);
  }
});

test('an encore that ignores SIGINT is SIGKILLed after dev.stop_timeout, and its grandchild goes too', async (t) => {
  const project = await encoreProject(t, { dev: ['        stop_timeout: 1s'] });
  const cli = project.start(['dev'], { STANDIN_ENCORE_IGNORE_SIGNALS: '1', STANDIN_ENCORE_GRANDCHILD: '1' });
  await cli.waitForStderr(/ready at/);
  cli.signal('SIGINT');
  const result = await cli.finish(); // the orphan check covers the forked `sleep 1000`
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /encore run did not exit within 1\.0s of SIGINT; killed it/);
});

test('`encore version` checks for updates before it prints (8 s here): the version is still read, its exit 1 ignored', async (t) => {
  const project = await encoreProject(t, { dev: ['        log_level: info'] });
  const cli = project.start(['dev'], { STANDIN_ENCORE_UPDATE_CHECK_MS: '8000', STANDIN_ENCORE_VERSION: 'v1.58.2' }, { timeoutMs: 90_000 });
  await cli.waitForStderr(/ready at/, 60_000);
  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /could not read the Encore version/);
  const run = project.bin.calls('encore').find((call) => call.argv[0] === 'run');
  assert.ok(run?.argv.includes('--level=info'), 'the version was known (v1.58.2 has --level)');
});

test('the version check reads the first line only: a forced upgrade after it does not hold up start-up', async (t) => {
  const project = await encoreProject(t);
  const cli = project.start(['dev'], { STANDIN_ENCORE_VERSION_LINGER_MS: '60000' }, { timeoutMs: 40_000 });
  await cli.waitForStderr(/ready at/, 30_000);
  cli.signal('SIGINT');
  assert.equal((await cli.finish()).code, 0);
});

test('the version is cached per binary: a second start does not run `encore version`', async (t) => {
  const project = await encoreProject(t);
  for (let run = 0; run < 2; run++) {
    const cli = project.start(['dev']);
    await cli.waitForStderr(/ready at/);
    cli.signal('SIGINT');
    assert.equal((await cli.finish()).code, 0);
  }
  const versions = project.bin.calls('encore').filter((call) => call.argv[0] === 'version');
  assert.equal(versions.length, 1);
  const uncached = await project.run(['dev', '--listen', '127.0.0.1:1'], { STAGECRAFT_NO_CACHE: '1', STANDIN_ENCORE_VERSION: 'v1.30.0' });
  assert.equal(uncached.code, 2, 'STAGECRAFT_NO_CACHE=1 asks again, and finds the "old" version');
});

test('versions: too old is exit 2 naming both; unreadable is a warning and dev goes on', async (t) => {
  const old = await encoreProject(t);
  const result = await old.run(['dev'], { STANDIN_ENCORE_VERSION: 'v1.30.0' });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /encore v1\.30\.0 is too old: Stagecraft needs v1\.42\.1 or later/);
  assert.match(result.stderr, /hint: Update Encore with `encore version update`/);
  assert.ok(!old.bin.calls('encore').some((call) => call.argv[0] === 'run'));

  const odd = await encoreProject(t);
  const cli = odd.start(['dev'], { STANDIN_ENCORE_VERSION_OUTPUT: 'encore version v0.0.0-develop+3f2a1b9' });
  await cli.waitForStderr(/ready at/);
  cli.signal('SIGINT');
  const oddResult = await cli.finish();
  assert.equal(oddResult.code, 0);
  assert.match(oddResult.stderr, /⚠ could not read the Encore version .*v0\.0\.0-develop/);
});

test('log_level is left out with a warning for an Encore older than v1.52.1', async (t) => {
  const project = await encoreProject(t, { dev: ['        log_level: debug'] });
  const cli = project.start(['dev'], { STANDIN_ENCORE_VERSION: 'v1.50.0' });
  await cli.waitForStderr(/ready at/);
  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /dev\.log_level needs Encore v1\.52\.1 or later/);
  const run = project.bin.calls('encore').find((call) => call.argv[0] === 'run');
  assert.ok(run !== undefined, 'encore run was called');
  assert.ok(!run.argv.some((arg) => arg.startsWith('--level')), run.argv.join(' '));
});

test('no encore.app up to the project root is INVALID_PROJECT naming the field to set; lang go warns', async (t) => {
  const project = await encoreProject(t, { appDir: 'apps/api' });
  const { rmSync } = await import('node:fs');
  rmSync(join(project.dir, 'apps', 'api', 'encore.app'));
  const result = await project.run(['dev']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /no encore\.app found in .*apps\/api or its parents up to the project root/);
  assert.match(result.stderr, /hint: Set backend\.providers\.encore-ts\.dev\.workdir to the directory of your Encore app/);
  assert.match(result.stderr, /INVALID_PROJECT · encore-ts · dev/);

  const go = await encoreProject(t, { lang: 'go' });
  const cli = go.start(['dev']);
  await cli.waitForStderr(/ready at/);
  cli.signal('SIGINT');
  const goResult = await cli.finish();
  assert.equal(goResult.code, 0, goResult.stderr);
  assert.match(goResult.stderr, /has lang "go"; this provider is for Encore\.ts apps/);
});

test('env precedence: environments.dev.env_file < dev.env_file < process env, as encore run receives it', async (t) => {
  const project = await encoreProject(t, {
    env: ['FROM_LOCAL=local', 'SHARED=local', 'BOTH=local'],
    files: { '.env.base': 'FROM_BASE=base\nSHARED=base\nBOTH=base\n' },
  });
  const { readFileSync, writeFileSync } = await import('node:fs');
  const yaml = readFileSync(join(project.dir, 'stagecraft.yml'), 'utf8');
  writeFileSync(join(project.dir, 'stagecraft.yml'), `${yaml}environments:\n  dev:\n    env_file: .env.base\n`);
  const cli = project.start(['dev'], { BOTH: 'process' });
  await cli.waitForStderr(/ready at/);
  cli.signal('SIGINT');
  assert.equal((await cli.finish()).code, 0);
  const env = project.bin.calls('encore').find((call) => call.argv[0] === 'run')?.env ?? {};
  assert.deepEqual([env.FROM_BASE, env.FROM_LOCAL, env.SHARED, env.BOTH], ['base', 'local', 'local', 'process']);
});

test("after a stop, dev exits only once Encore's daemon has released the address (it does so after the client)", async (t) => {
  const project = await encoreProject(t);
  // The daemon releases --listen 1.5 s after its client has gone.
  const cli = project.start(['-v', 'dev'], { STANDIN_ENCORE_DAEMON_STOP_DELAY_MS: '1500' });
  await cli.waitForStderr(/ready at/);
  cli.signal('SIGINT');
  const result = await cli.result; // not finish(): its orphan wait would hide the race
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await portIsOpen(project.port), false, 'the address is free when dev has exited');
  assert.match(result.stderr, /released by Encore's daemon after/);
  await cli.finish();
});

test("Stagecraft never kills Encore's daemon: it lives in its own session and serves the next run", async (t) => {
  const project = await encoreProject(t, { dev: ['        stop_timeout: 1s', '        ready_timeout: 3s'] });
  const runs: [string, Record<string, string>, (cli: ReturnType<typeof project.start>) => Promise<void>][] = [
    ['a normal stop (SIGINT)', {}, async (cli) => cli.signal('SIGINT')],
    ['a client that ignores SIGINT (SIGKILLed group)', { STANDIN_ENCORE_IGNORE_SIGNALS: '1' }, async (cli) => cli.signal('SIGINT')],
    ['a readiness timeout', { STANDIN_ENCORE_NO_BANNER: '1' }, async () => {}],
  ];
  let daemon: number | undefined;
  for (const [what, env, stop] of runs) {
    // However slow this machine is between runs, the daemon must not leave on its own (idle timeout).
    const cli = project.start(['dev'], { ...env, STANDIN_ENCORE_DAEMON_IDLE_MS: '600000' });
    await cli.waitForStderr(what === 'a readiness timeout' ? /waiting for encore run to be ready|starting encore run/ : /ready at/);
    await stop(cli);
    const result = await cli.finish();
    assert.equal(result.code, what === 'a readiness timeout' ? 7 : 0, `${what}: ${result.stderr}`);
    const pid = project.daemonPid();
    assert.ok(pid !== undefined, `${what}: a daemon was started`);
    if (daemon !== undefined) assert.equal(pid, daemon, `${what}: the same daemon serves every run`);
    daemon = pid;
    assert.doesNotThrow(() => process.kill(pid, 0), `${what}: the daemon is still running`);
    const run = project.bin
      .calls('encore')
      .filter((call) => call.argv[0] === 'run')
      .at(-1);
    const daemonStat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const [, , pgid, sid] = daemonStat.slice(daemonStat.lastIndexOf(')') + 2).split(' ');
    assert.equal(Number(pgid), pid, 'the daemon leads its own process group');
    assert.equal(Number(sid), pid, 'and its own session');
    assert.notEqual(Number(pgid), run?.pgid, "not the client's group, which Stagecraft stops");
  }
});

test("an address still held by Encore's daemon is waited for (bounded), and dev starts once it is released", async (t) => {
  const project = await encoreProject(t);
  // A bare `encore run` on the address (as from another terminal): its daemon holds the address while it runs.
  const { spawn } = await import('node:child_process');
  const env = { ...process.env, PATH: `${project.bin.dir}:${process.env.PATH}`, XDG_CACHE_HOME: project.cache };
  const client = spawn('encore', ['run', '--listen', `127.0.0.1:${project.port}`], {
    cwd: project.dir,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise((resolve) => client.once('close', resolve));
  await new Promise<void>((resolve, reject) => {
    let text = '';
    client.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('development server running')) resolve();
    });
    client.once('exit', () => reject(new Error(`encore run exited: ${text}`)));
  });
  const cli = project.start(['dev']);
  await cli.waitForStderr(new RegExp(`127\\.0\\.0\\.1:${project.port} is still held by Encore's daemon \\(pid \\d+\\); waiting`), 30_000);
  // Only now does the other run stop: its daemon releases the address, and dev goes on.
  client.kill('SIGINT');
  await exited;
  await cli.waitForStderr(/ready at/, 30_000);
  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
});

test('encore run gets exactly the flags the real CLI has: a bad one is rejected as pflag does', async (t) => {
  const project = await encoreProject(t);
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const run = (args: string[]) =>
    promisify(execFile)(join(project.bin.dir, 'encore'), args, {
      cwd: project.dir,
      env: { ...process.env, XDG_CACHE_HOME: project.cache },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
  assert.deepEqual(await run(['run', '--entrypoint', 'x']), { code: 1, stderr: 'Error: unknown flag: --entrypoint\n' });
  assert.deepEqual(await run(['run', '--verbose', '5']), { code: 1, stderr: 'Error: unknown command "5" for "encore run"\n' });
  assert.deepEqual(await run(['build', 'docker', '--tag', 'x', 'img']), { code: 1, stderr: 'Error: unknown flag: --tag\n' });
  assert.deepEqual(await run(['secret', 'set', '--local', 'X']), { code: 1, stderr: 'Error: unknown flag: --local\n' });
  assert.deepEqual(await run(['version', '--json']), { code: 1, stderr: 'Error: unknown flag: --json\n' });
});
