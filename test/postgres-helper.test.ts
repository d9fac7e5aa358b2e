import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { findPostgresBinary, pingPostgres, postgresArgv, preparePostgres, serverEnvironment } from './helpers/postgres.js';
import { assertNoOrphans, freePort, MARKER_VARIABLE, waitUntil } from './helpers/processes.js';

// CI installs PostgreSQL's server binaries (.ci/run) and sets STAGECRAFT_REQUIRE_POSTGRES=1, so there a
// missing server fails instead of skipping.
const missing = (() => {
  try {
    findPostgresBinary('initdb');
    findPostgresBinary('postgres');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
})();
const skip = process.env.STAGECRAFT_REQUIRE_POSTGRES === '1' ? false : missing;

const EVENT_TIMEOUT_MS = 60_000;

/** Whether any process is left in process group `pgid` (signal 0 to the group). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The real uid of a process, from /proc. */
function realUid(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'latin1')
    .split('\n')
    .find((entry) => entry.startsWith('Uid:'));
  return Number(line?.split(/\s+/)[1]);
}

/** Local addresses (hex, as /proc/net/tcp{,6} writes them) listening on TCP `port`. */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readFileSync(table, 'latin1')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === '0A' && fields[1]?.endsWith(`:${hexPort}`))
      .map((fields) => fields[1]?.split(':')[0] ?? ''),
  );
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

test('a prepared cluster runs as an unprivileged user on 127.0.0.1, answers as PostgreSQL, and a SIGINT leaves nothing behind', {
  skip,
  timeout: 240_000,
}, async (t) => {
  const prepared = await preparePostgres();
  const marker = `pg-helper-${process.pid}-${Date.now()}`;
  let pgid: number | undefined;
  // One hook, in this order: a server left by a failed assertion is killed before its files are removed.
  t.after(async () => {
    if (pgid !== undefined && groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    try {
      await assertNoOrphans(marker, 10_000);
    } finally {
      await prepared.cleanup();
    }
  });
  const asRoot = process.getuid?.() === 0;

  const data = statSync(prepared.dataDir);
  assert.equal(data.mode & 0o777, 0o700);
  assert.ok(existsSync(`${prepared.dataDir}/PG_VERSION`), 'initdb wrote the cluster');
  if (asRoot) {
    assert.notEqual(data.uid, 0, 'the data directory belongs to the unprivileged user');
    assert.equal(statSync(prepared.socketDir).uid, data.uid, 'the socket directory too');
  } else {
    assert.deepEqual(prepared.runAs, []);
  }

  const port = await freePort();
  const [command, ...args] = postgresArgv(prepared, port);
  assert.ok(command);
  let stderr = '';
  const server = spawn(command, args, {
    detached: true,
    env: { ...serverEnvironment(), [MARKER_VARIABLE]: marker },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  server.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = exitOf(server);
  pgid = server.pid;
  assert.ok(pgid !== undefined, 'postgres started');
  const group = pgid;

  // Ready when it answers the protocol (it accepts TCP connections a moment before it accepts sessions).
  await waitUntilAsync(async () => {
    if (server.exitCode !== null) throw new Error(`postgres exited (${server.exitCode}) before it was ready:\n${stderr}`);
    return pingPostgres(port);
  }, `PostgreSQL on port ${port}`);
  if (asRoot) assert.notEqual(realUid(group), 0, 'the postmaster does not run as root');
  assert.deepEqual(listeningAddresses(port), ['0100007F'], 'listens on 127.0.0.1 only');
  // postmaster.pid records the port, the socket directory and the first listen address (as configured).
  const pidFile = readFileSync(`${prepared.dataDir}/postmaster.pid`, 'utf8').split('\n');
  assert.deepEqual(pidFile.slice(3, 6), [String(port), prepared.socketDir, '127.0.0.1']);
  assert.ok(existsSync(`${prepared.socketDir}/.s.PGSQL.${port}`), 'its unix socket is in socketDir');

  // Fast shutdown: the postmaster ends its children, then itself.
  server.kill('SIGINT');
  assert.deepEqual(await exited, { code: 0, signal: null }, stderr);
  await waitUntil(() => !groupAlive(group), `process group ${group} to empty`, EVENT_TIMEOUT_MS);
  assert.equal(await pingPostgres(port), false, 'nothing answers on the port any more');
  await assertNoOrphans(marker, 10_000);
  await prepared.cleanup();
  assert.equal(existsSync(prepared.dataDir), false, 'cleanup removed the cluster');
});

test('pingPostgres says no to a closed port and to a server that is not PostgreSQL', async (t) => {
  assert.equal(await pingPostgres(await freePort()), false);

  const other = createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  t.after(() => other.close());
  const address = other.address();
  assert.ok(address && typeof address === 'object');
  assert.equal(await pingPostgres(address.port), false);
});

/** waitUntil for an asynchronous condition, polled every 100 ms; a thrown error ends the wait. */
async function waitUntilAsync(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + EVENT_TIMEOUT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${EVENT_TIMEOUT_MS} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
