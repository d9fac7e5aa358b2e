import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { REPO_ROOT } from '../../../test/helpers/cli.js';
import { captureLogger } from '../../../test/helpers/logger.js';
import { assertNoOrphans, freePort, MARKER_VARIABLE, waitUntil } from '../../../test/helpers/processes.js';
import { StagecraftError } from '../errors.js';
import { createRunner } from '../process/start-child.js';
import { type ComposeConfig, type ComposeSession, startCompose } from './index.js';

const STANDIN = join(REPO_ROOT, 'test', 'standins', 'compose', 'docker');

interface ServiceScript {
  health?: 'healthy' | 'unhealthy' | 'none';
  startingPolls?: number;
  exitCode?: number;
  running?: boolean;
  workingDir?: string;
  logs?: string[];
  dieAfterPolls?: number;
}

interface Scenario {
  plugin?: boolean;
  standalone?: string;
  psFormat?: 'array' | 'lines';
  engineDown?: boolean;
  blockUp?: boolean;
  services: Record<string, ServiceScript>;
}

interface Call {
  tool: string;
  argv: string[];
}

/** A temp project with a compose file, the stand-in on an otherwise empty PATH, and a fresh marker. */
function composeWorld(t: TestContext, scenario: Scenario, options: { standalone?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-compose-'));
  const sessions: ComposeSession[] = [];
  // One hook, in this order: the session's own shutdown needs the stand-in, which lives in the temp dir.
  t.after(async () => {
    try {
      for (const session of sessions) await session.shutdown();
      await assertNoOrphans(marker);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  const bin = join(dir, 'bin');
  const projectDir = join(dir, 'project');
  mkdirSync(bin);
  mkdirSync(projectDir);
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync(STANDIN, join(bin, 'docker'));
  if (options.standalone) symlinkSync(STANDIN, join(bin, 'docker-compose'));
  const file = join(projectDir, 'compose.yml');
  const services = Object.keys(scenario.services).map((name) => `  ${name}:\n    image: ${name}:latest\n`);
  writeFileSync(file, `services:\n${services.join('')}`);
  writeFileSync(join(dir, 'scenario.json'), JSON.stringify({ plugin: true, psFormat: 'lines', projectDir, ...scenario }));
  const marker = randomUUID();
  const env = { PATH: bin, HOME: dir, STANDIN_COMPOSE_DIR: dir, [MARKER_VARIABLE]: marker };
  const calls = (): Call[] =>
    existsSync(join(dir, 'calls.jsonl'))
      ? readFileSync(join(dir, 'calls.jsonl'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Call)
      : [];
  const state = () => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { containers: Record<string, { state: string }> };
  const track = (session: ComposeSession) => {
    sessions.push(session);
    return session;
  };
  return { dir, projectDir, file, env, marker, calls, state, track };
}

function composeConfig(file: string, overrides: Partial<ComposeConfig> = {}): ComposeConfig {
  return { files: [file], project: 'shop', services: undefined, ready: {}, onExit: 'stop', ...overrides };
}

function contextFor(world: ReturnType<typeof composeWorld>, format: 'text' | 'json' = 'text', verbose = false) {
  const captured = captureLogger(format, { verbose });
  const signal = new AbortController();
  const forced = new AbortController();
  const context = {
    projectRoot: world.projectDir,
    projectName: 'Shop',
    env: world.env,
    runner: createRunner(),
    logger: captured.logger,
    signal: signal.signal,
    forced: forced.signal,
  };
  return { context, captured, signal, forced };
}

/** The Compose subcommands called, in order, without the -p/-f prefix (`up --detach --wait db`). */
function composeCommands(calls: readonly Call[]): string[] {
  return calls
    .filter((call) => call.tool === 'docker-compose' || call.argv[0] === 'compose')
    .map((call) => {
      const args = call.tool === 'docker' ? call.argv.slice(1) : call.argv;
      let i = 0;
      while (args[i] === '-p' || args[i] === '-f') i += 2;
      return args.slice(i).join(' ');
    });
}

function listen(server: Server | ReturnType<typeof createHttpServer>, port: number): Promise<void> {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
}

async function rejection(promise: Promise<unknown>): Promise<StagecraftError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StagecraftError, `expected a StagecraftError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

test('v2: up --wait, an init container that exited 0 is done, readiness beyond health, logs from this run, on_exit stop', {
  timeout: 120_000,
}, async (t) => {
  const [tcpPort, httpPort] = [await freePort(), await freePort()];
  const world = composeWorld(t, {
    psFormat: 'array',
    services: {
      db: { startingPolls: 2, logs: ['db: accepting connections'] },
      migrate: { exitCode: 0, logs: ['migrate: done'] },
      cache: { health: 'none', logs: ['cache: Ready to accept connections'] },
      web: { health: 'none' },
      api: { health: 'none' },
    },
  });
  const ready = {
    cache: { log: 'Ready to accept connections', timeoutMs: 60_000 },
    web: { tcp: `127.0.0.1:${tcpPort}`, timeoutMs: 60_000 },
    api: { http: `http://127.0.0.1:${httpPort}/health`, timeoutMs: 60_000 },
  };
  const { context, captured } = contextFor(world, 'text', true);
  const session = world.track(await startCompose(composeConfig(world.file, { ready }), context));
  let settled = false;
  session.ready.then(() => (settled = true)).catch(() => {});
  // The debug record of cache's log readiness comes after health; web and api do not listen yet, so no ready.
  await waitUntil(() => /ready \(a log line matching \/Ready to accept connections\/\)/.test(captured.text()), 'cache ready');
  assert.equal(settled, false, 'ready before web and api listen');
  const tcp = createServer((socket) => socket.end());
  const http = createHttpServer((_, res) => res.end('ok'));
  t.after(() => void tcp.close());
  t.after(() => void http.close());
  await listen(tcp, tcpPort);
  await waitUntil(() => captured.text().includes(`ready (a TCP connection to 127.0.0.1:${tcpPort})`), 'web ready');
  assert.equal(settled, false, 'ready before api answers');
  await listen(http, httpPort);
  await session.ready;
  assert.deepEqual(session.startedByUs, ['db', 'migrate', 'cache', 'web', 'api']);
  const commands = composeCommands(world.calls());
  assert.ok(commands.includes('up --detach --wait db migrate cache web api'), commands.join('\n'));
  const follow = commands.find((c) => c.endsWith(' db') && c.startsWith('logs'));
  assert.match(follow ?? '', /^logs --follow --since \d{4}-\d\d-\d\dT[\d:.]+Z --no-log-prefix db$/);
  const text = captured.text();
  assert.match(text, /^db │ db: accepting connections$/m);
  assert.match(text, /^migrate │ migrate: done$/m);
  assert.doesNotMatch(text, /previous run/, 'lines from before this run are not shown');
  await session.shutdown();
  assert.equal(composeCommands(world.calls()).at(-1), 'stop db migrate cache web api');
  assert.equal(world.state().containers.db?.state, 'exited');
});

test('v2: an unhealthy service fails ready with its name and last lines; on_exit still applies', { timeout: 120_000 }, async (t) => {
  const world = composeWorld(t, {
    services: { db: { health: 'unhealthy', logs: ['db: FATAL: password authentication failed'] }, cache: {} },
  });
  const { context } = contextFor(world);
  const session = world.track(await startCompose(composeConfig(world.file), context));
  const error = await rejection(session.ready);
  assert.equal(error.category, 'DEV_SERVER_FAILED');
  assert.match(error.message, /compose service db is unhealthy/);
  assert.match(error.detail ?? '', /password authentication failed/);
  await session.shutdown();
  assert.equal(composeCommands(world.calls()).at(-1), 'stop db cache');
});

test('services already running are left alone on every path, and `down` becomes rm of ours', { timeout: 120_000 }, async (t) => {
  const world = composeWorld(t, { services: { redis: { running: true }, db: {} } });
  const { context } = contextFor(world);
  const session = world.track(await startCompose(composeConfig(world.file, { onExit: 'down' }), context));
  await session.ready;
  assert.deepEqual(session.startedByUs, ['db']);
  await session.shutdown();
  const commands = composeCommands(world.calls());
  assert.equal(commands.at(-1), 'rm --stop --force db');
  assert.ok(!commands.some((c) => c.startsWith('down') || c.startsWith('stop')), commands.join('\n'));
  assert.equal(world.state().containers.redis?.state, 'running');
  assert.equal(world.state().containers.db, undefined);
});

test('on_exit down with nothing running before: compose down, never -v', { timeout: 120_000 }, async (t) => {
  const world = composeWorld(t, { services: { db: {} } });
  const { context } = contextFor(world);
  const session = world.track(await startCompose(composeConfig(world.file, { onExit: 'down' }), context));
  await session.ready;
  await session.shutdown();
  assert.equal(composeCommands(world.calls()).at(-1), 'down');
});

test('a project whose containers belong to another directory is refused before anything starts', { timeout: 60_000 }, async (t) => {
  const world = composeWorld(t, { services: { db: { running: true, workingDir: '/home/someone/other-app' } } });
  const { context } = contextFor(world);
  const error = await rejection(startCompose(composeConfig(world.file), context));
  assert.equal(error.category, 'INVALID_CONFIG');
  assert.match(error.message, /belongs to \/home\/someone\/other-app/);
  assert.match(error.hint ?? '', /set dev\.compose\.project/i);
  assert.ok(!composeCommands(world.calls()).some((c) => c.startsWith('up')));
});

test('Ctrl+C during up waits for up to return, then applies on_exit', { timeout: 120_000 }, async (t) => {
  const world = composeWorld(t, { blockUp: true, services: { db: {}, cache: {} } });
  const { context, signal } = contextFor(world);
  const session = world.track(await startCompose(composeConfig(world.file), context));
  await waitUntil(() => existsSync(join(world.dir, 'up-started')), 'up to start');
  signal.abort(new Error('stopped by SIGINT'));
  let stopped = false;
  const shutdown = session.shutdown().then(() => (stopped = true));
  await assert.rejects(session.ready);
  assert.equal(stopped, false, 'shutdown finished while up was still running');
  assert.ok(!composeCommands(world.calls()).some((c) => c.startsWith('stop')), 'stop ran before up returned');
  writeFileSync(join(world.dir, 'release-up'), '');
  await shutdown;
  const commands = composeCommands(world.calls());
  assert.deepEqual(commands.slice(-1), ['stop db cache']);
  assert.equal(world.state().containers.db?.state, 'exited');
});

test('a second Ctrl+C kills up at once and runs compose kill on the services this run started', { timeout: 120_000 }, async (t) => {
  const world = composeWorld(t, { blockUp: true, services: { redis: { running: true }, db: {}, cache: {} } });
  const { context, signal, forced } = contextFor(world);
  const session = world.track(await startCompose(composeConfig(world.file), context));
  await waitUntil(() => existsSync(join(world.dir, 'up-started')), 'up to start');
  signal.abort(new Error('stopped by SIGINT'));
  const shutdown = session.shutdown();
  forced.abort(new Error('second SIGINT'));
  await shutdown;
  const commands = composeCommands(world.calls());
  assert.equal(commands.at(-1), 'kill db cache');
  assert.ok(!commands.some((c) => c.startsWith('stop')), commands.join('\n'));
  await assertNoOrphans(world.marker);
});

test('v1 docker-compose: up -d, then health polled through the engine ps (JSON lines)', { timeout: 120_000 }, async (t) => {
  const world = composeWorld(
    t,
    { plugin: false, standalone: '1.29.2', services: { db: { startingPolls: 3, logs: ['db: up'] } } },
    { standalone: true },
  );
  const { context, captured } = contextFor(world);
  const session = world.track(await startCompose(composeConfig(world.file), context));
  await session.ready;
  const commands = composeCommands(world.calls());
  assert.ok(commands.includes('up --detach db'), commands.join('\n'));
  assert.ok(!commands.some((c) => c.includes('--wait')));
  const enginePolls = world.calls().filter((call) => call.tool === 'docker' && call.argv[0] === 'ps');
  assert.ok(enginePolls.length >= 3, `health was read ${enginePolls.length} times`);
  assert.ok(commands.includes('logs --follow --tail 0 --no-log-prefix db'), commands.join('\n'));
  assert.match(captured.text(), /compose │ Creating shop_db_1 \.\.\. done/);
});

test('a service that dies after it was ready settles `failed` with its name and last lines', { timeout: 120_000 }, async (t) => {
  const world = composeWorld(t, { services: { db: { dieAfterPolls: 3 } } });
  const { context } = contextFor(world, 'json');
  const session = world.track(await startCompose(composeConfig(world.file), context));
  await session.ready;
  const error = await session.failed;
  assert.equal(error.category, 'DEV_SERVER_FAILED');
  assert.match(error.message, /compose service db stopped \(exited, exit code 1\)/);
  assert.match(error.detail ?? '', /fatal error, shutting down/);
});

test('each service logs through its own component logger (JSON component field)', { timeout: 120_000 }, async (t) => {
  const world = composeWorld(t, { services: { db: { logs: ['db line'] }, cache: { logs: ['cache line'] } } });
  const { context, captured } = contextFor(world, 'json');
  const session = world.track(await startCompose(composeConfig(world.file), context));
  await session.ready;
  await waitUntil(() => captured.text().includes('cache line') && captured.text().includes('db line'), 'both lines');
  const records = captured.records();
  assert.equal(records.find((r) => r.msg === 'db line')?.component, 'db');
  assert.equal(records.find((r) => r.msg === 'cache line')?.component, 'cache');
});

test('no Compose at all, or an engine that does not answer: PROVIDER_NOT_AVAILABLE (exit 2)', { timeout: 60_000 }, async (t) => {
  const none = composeWorld(t, { plugin: false, services: { db: {} } });
  const missing = await rejection(startCompose(composeConfig(none.file), contextFor(none).context));
  assert.equal(missing.category, 'PROVIDER_NOT_AVAILABLE');
  assert.match(missing.detail ?? '', /unknown command: docker compose/);
  const down = composeWorld(t, { engineDown: true, services: { db: {} } });
  const silent = await rejection(startCompose(composeConfig(down.file), contextFor(down).context));
  assert.equal(silent.category, 'PROVIDER_NOT_AVAILABLE');
  assert.match(silent.message, /Cannot connect to the Docker daemon/);
  assert.ok(!composeCommands(down.calls()).some((c) => c.startsWith('up')));
});
