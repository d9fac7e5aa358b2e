// A real PostgreSQL server for tests, run as an unprivileged user: `initdb` and `postgres` refuse to run as
// root, and CI runs as root. No npm dependency: the readiness check speaks just enough of the wire protocol.
import { execFile } from 'node:child_process';
import { accessSync, chmodSync, chownSync, constants, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The unprivileged account the server runs as when the tests run as root. */
const SERVER_USER = 'nobody';

export interface PreparedPostgres {
  /** The cluster's data directory (initialised, mode 0700, owned by the server's user). */
  readonly dataDir: string;
  /** Where the server puts its unix socket (writable by the server's user). */
  readonly socketDir: string;
  /** Absolute paths of the binaries used. */
  readonly initdb: string;
  readonly postgres: string;
  /** argv prefix that runs a command as the server's user: setpriv … as root, empty otherwise. */
  readonly runAs: readonly string[];
  /** Removes everything preparePostgres created (stop the server first). */
  cleanup(): Promise<void>;
}

export class PostgresNotFoundError extends Error {
  constructor(binary: string) {
    super(`${binary} not found on PATH or under /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql-15)`);
    this.name = 'PostgresNotFoundError';
  }
}

/**
 * A fresh cluster in a temp directory, initialised by `initdb` as an unprivileged user (nobody, through
 * `setpriv --reuid --regid --clear-groups`, when the tests run as root). Trust authentication for the
 * `postgres` role, UTF-8, no fsync: a throwaway server, fast to create.
 */
export async function preparePostgres(options: { dir?: string } = {}): Promise<PreparedPostgres> {
  const initdb = findPostgresBinary('initdb');
  const postgres = findPostgresBinary('postgres');
  const base = options.dir ?? mkdtempSync(join(tmpdir(), 'stagecraft-pg-'));
  const dataDir = join(base, 'data');
  const socketDir = join(base, 'socket');
  const cleanup = async () => rmSync(base, { recursive: true, force: true });
  try {
    const runAs = await unprivilegedPrefix();
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(socketDir, { recursive: true });
    // The server's user must reach the base (mkdtemp makes it 0700) and own what it writes to; initdb wants
    // its data directory at 0700 (or 0750).
    chmodSync(base, 0o755);
    chmodSync(dataDir, 0o700);
    chmodSync(socketDir, 0o700);
    if (runAs.ids !== undefined) {
      for (const dir of [dataDir, socketDir]) chownSync(dir, runAs.ids.uid, runAs.ids.gid);
    }
    const [command = initdb, ...args] = [...runAs.argv, initdb, ...initdbArguments(dataDir)];
    await run(command, args, { env: serverEnvironment(), cwd: base, timeout: 120_000 });
    return { dataDir, socketDir, initdb, postgres, runAs: runAs.argv, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function initdbArguments(dataDir: string): string[] {
  return ['-D', dataDir, '--auth=trust', '--username=postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'];
}

/**
 * argv that runs the server on 127.0.0.1:port only, with its unix socket in socketDir (not /run/postgresql,
 * which may not exist or belong to someone else). The postmaster is the process this argv starts (setpriv
 * execs it), so signals sent to that pid reach the server itself.
 */
export function postgresArgv(prepared: PreparedPostgres, port: number): string[] {
  return [...prepared.runAs, prepared.postgres, '-D', prepared.dataDir, '-p', String(port), '-k', prepared.socketDir, '-h', '127.0.0.1'];
}

/** The environment for initdb and the server: nothing from the test's own (no PG* variables leaking in). */
export function serverEnvironment(): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' };
}

/**
 * Whether a PostgreSQL server answers on 127.0.0.1:port: connects, sends a protocol 3.0 StartupMessage
 * for user postgres, and reads the first reply. 'R' (an authentication request, AuthenticationOk under
 * trust) means a server that accepts connections; 'E' (e.g. "the database system is starting up"),
 * anything else, a refused connection or silence for `timeoutMs` means not (yet).
 */
export function pingPostgres(port: number, timeoutMs = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write(startupMessage({ user: 'postgres', database: 'postgres' })));
    socket.once('data', (chunk: Buffer) => {
      const answered = chunk[0] === 'R'.charCodeAt(0);
      // A polite goodbye (Terminate), so the server does not log an unexpected EOF.
      if (answered) socket.end(Buffer.from([0x58, 0, 0, 0, 4]), () => finish(true));
      else finish(false);
    });
  });
}

/** Int32 length, Int32 protocol 3.0 (196608), then name\0value\0 pairs and a final \0. */
function startupMessage(parameters: Record<string, string>): Buffer {
  const body = Buffer.from(
    `${Object.entries(parameters)
      .flatMap(([name, value]) => [name, value, ''].join('\0'))
      .join('')}\0`,
    'utf8',
  );
  const header = Buffer.alloc(8);
  header.writeInt32BE(8 + body.length, 0);
  header.writeInt32BE(196608, 4);
  return Buffer.concat([header, body]);
}

/** `name` on PATH, else the newest /usr/lib/postgresql/<major>/bin/<name> (Debian keeps the server binaries there). */
export function findPostgresBinary(name: 'initdb' | 'postgres'): string {
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  let versions: string[] = [];
  try {
    versions = readdirSync('/usr/lib/postgresql')
      .filter((entry) => /^\d+$/.test(entry))
      .sort((a, b) => Number(b) - Number(a));
  } catch {
    // No Debian layout.
  }
  const candidates = [...onPath.map((dir) => join(dir, name)), ...versions.map((major) => join('/usr/lib/postgresql', major, 'bin', name))];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  throw new PostgresNotFoundError(name);
}

interface RunAs {
  readonly argv: readonly string[];
  readonly ids?: { readonly uid: number; readonly gid: number };
}

/** As root: setpriv to nobody and its primary group, with no supplementary groups. Otherwise: as we are. */
async function unprivilegedPrefix(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return { argv: [] };
  const uid = Number((await run('id', ['-u', SERVER_USER])).stdout.trim());
  const gid = Number((await run('id', ['-g', SERVER_USER])).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0)
    throw new Error(`no unprivileged user ${SERVER_USER} to run PostgreSQL as`);
  return { argv: ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups'], ids: { uid, gid } };
}
