import assert from 'node:assert/strict';
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, startCli } from '../helpers/cli.js';
import { findPostgresBinary, PostgresNotFoundError } from '../helpers/postgres.js';
import { assertNoOrphans, freePort, portIsOpen } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp.js';

const EXAMPLE = join(REPO_ROOT, 'examples', 'fullstack');

/**
 * The directory of PostgreSQL's server programs, which the example runs by name: on PATH here, under
 * /usr/lib/postgresql/<major>/bin on a plain Debian install (CI installs it: .ci/run). Missing is a failure in CI.
 */
function postgresBin(): { dir: string } | { missing: string } {
  try {
    return { dir: dirname(findPostgresBinary('initdb')) };
  } catch (error) {
    if (!(error instanceof PostgresNotFoundError)) throw error;
    if (process.env.STAGECRAFT_REQUIRE_POSTGRES === '1') throw error;
    return { missing: error.message };
  }
}

/** The example, copied to a temp dir with free ports in place of its fixed ones (54329 db, 54330 backend, 54331 web). */
async function exampleCopy(t: Parameters<typeof tempDir>[0]): Promise<{ cwd: string; ports: { db: number; api: number; web: number } }> {
  const cwd = tempDir(t, 'stagecraft-fullstack-');
  cpSync(EXAMPLE, cwd, { recursive: true, filter: (source) => !source.includes(`${join('fullstack', '.stagecraft')}`) });
  const ports = { db: await freePort(), api: await freePort(), web: await freePort() };
  const file = join(cwd, 'stagecraft.yml');
  const text = readFileSync(file, 'utf8')
    .replaceAll('54329', String(ports.db))
    .replaceAll('54330', String(ports.api))
    .replaceAll('54331', String(ports.web));
  writeFileSync(file, text);
  return { cwd, ports };
}

test('the fullstack example: real PostgreSQL as a native service, a migration, backend and frontend; Ctrl+C leaves nothing', async (t) => {
  const postgres = postgresBin();
  if ('missing' in postgres) return t.skip(postgres.missing);
  const { cwd, ports } = await exampleCopy(t);
  // As root, the example keeps PostgreSQL's data under TMPDIR (nobody cannot reach a checkout under /root):
  // give it one of the test's own, reachable by nobody, removed afterwards.
  const tmp = tempDir(t, 'stagecraft-pgtmp-');
  chmodSync(tmp, 0o755);
  const cli = startCli(['dev'], { cwd, env: { TMPDIR: tmp }, path: [postgres.dir] });
  await cli.waitForStderr(/all ready in [\d.]+s/, 120_000);

  // The backend reached PostgreSQL through DATABASE_URL, built from STAGECRAFT_SERVICE_DB_URL; the migration ran.
  const first = (await (await fetch(`http://127.0.0.1:${ports.api}/`)).json()) as { postgres: string; visits: number };
  assert.match(first.postgres, /^\d+\.\d+/);
  const second = (await (await fetch(`http://127.0.0.1:${ports.api}/`)).json()) as { visits: number };
  assert.equal(second.visits, first.visits + 1, 'each request is a row in the table the migration created');
  // The frontend got the backend's URL.
  assert.match(
    await (await fetch(`http://127.0.0.1:${ports.web}/`)).text(),
    new RegExp(`fetch\\("http://127\\.0\\.0\\.1:${ports.api}"\\)`),
  );
  assert.match(cli.stderr, /^migrate │ migrated: table visits$/m);
  assert.match(cli.stderr, new RegExp(`^  db +postgres://postgres@127\\.0\\.0\\.1:${ports.db} +[\\d.]+s$`, 'm'));

  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
  // PostgreSQL shut down on its own terms (SIGINT: fast shutdown), not killed.
  assert.match(result.stderr, /db │ .*database system is shut down/);
  assert.doesNotMatch(result.stderr, /did not exit within/);
  for (const port of Object.values(ports)) assert.equal(await portIsOpen(port), false);
  await assertNoOrphans(cli.marker);
  // The data directory was made where the example says: under the project (as a user) or TMPDIR (as root).
  const underProject = existsSync(join(cwd, '.stagecraft', 'pg', 'PG_VERSION'));
  const underTmp = readdirSync(tmp).some((name) => name.startsWith('stagecraft-example-pg-'));
  assert.ok(underProject || underTmp);
});
