import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, startCli } from '../helpers/cli.js';
import { assertNoOrphans, freePort, portIsOpen } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp.js';

const EXAMPLE = join(REPO_ROOT, 'examples', 'fullstack');

/** PostgreSQL's server programs, as the example finds them (PATH). CI installs them (.ci/run); elsewhere they may be missing. */
function postgresMissing(): string | undefined {
  const found = spawnSync('initdb', ['--version'], { encoding: 'utf8' });
  if (found.status === 0) return undefined;
  const reason = 'initdb is not on PATH (Debian: apt-get install postgresql)';
  if (process.env.STAGECRAFT_REQUIRE_ENGINE === '1') throw new Error(`${reason}; CI must have it`);
  return reason;
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
  const missing = postgresMissing();
  if (missing) return t.skip(missing);
  const { cwd, ports } = await exampleCopy(t);
  // As root, the example keeps PostgreSQL's data under TMPDIR (nobody cannot reach a checkout under /root):
  // give it one of the test's own, reachable by nobody, removed afterwards.
  const tmp = tempDir(t, 'stagecraft-pgtmp-');
  chmodSync(tmp, 0o755);
  const cli = startCli(['dev'], { cwd, env: { TMPDIR: tmp } });
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
