import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { REPO_ROOT, startCli } from '../../../test/helpers/cli.js';
import { assertNoOrphans, freePort, waitUntil } from '../../../test/helpers/processes.js';
import { tempDir } from '../../../test/helpers/temp.js';

const STANDIN = join(REPO_ROOT, 'test', 'standins', 'compose', 'docker');

/** A backend that records STAGECRAFT_COMPOSE_REDIS_URL, then serves until stopped. */
const API = `
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
writeFileSync('api-env.txt', String(process.env.STAGECRAFT_COMPOSE_REDIS_URL));
const server = createServer().listen(Number(process.argv[2]), '127.0.0.1', () => console.log('api listening'));
process.on('SIGTERM', () => process.exit(0));
`;

interface World {
  readonly project: string;
  readonly standinDir: string;
  readonly api: number;
  commands(): string[];
}

/** A project whose Compose file has redis (healthy after two polls) and an api backend; the stand-in `docker` on PATH. */
async function world(t: TestContext, compose: string, scenario: Record<string, unknown> = {}): Promise<World> {
  const root = tempDir(t, 'stagecraft-compose-env-');
  const project = join(root, 'project');
  const bin = join(root, 'bin');
  mkdirSync(project);
  mkdirSync(bin);
  symlinkSync(STANDIN, join(bin, 'docker'));
  symlinkSync(process.execPath, join(bin, 'node'));
  const api = await freePort();
  writeFileSync(join(project, 'api.mjs'), API);
  writeFileSync(join(project, 'compose.yml'), 'services:\n  redis:\n    image: redis:7\n    ports: ["6379:6379"]\n');
  writeFileSync(
    join(project, 'stagecraft.yml'),
    `project: { name: Shop }
backend:
  provider: generic
  providers:
    generic:
      dev:
        command: [node, api.mjs, "${api}"]
        ready: { tcp: "127.0.0.1:${api}" }
dev:
  compose:
${compose}`,
  );
  writeFileSync(
    join(root, 'scenario.json'),
    JSON.stringify({
      plugin: true,
      psFormat: 'lines',
      projectDir: project,
      services: { redis: { health: 'healthy', startingPolls: 2, logs: ['Ready to accept connections'] } },
      ...scenario,
    }),
  );
  const commands = () =>
    existsSync(join(root, 'calls.jsonl'))
      ? readFileSync(join(root, 'calls.jsonl'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { argv: string[] }).argv)
          .filter((argv) => argv[0] === 'compose')
          .map((argv) => {
            let i = 1;
            while (argv[i] === '-p' || argv[i] === '-f') i += 2;
            return argv.slice(i).join(' ');
          })
      : [];
  return { project, standinDir: root, api, commands, bin } as World & { bin: string };
}

function cli(w: World, args: readonly string[]) {
  // PATH holds the stand-in and node only: this machine's real docker-compose (/usr/bin, next to node) must not answer.
  return startCli(args, { cwd: w.project, env: { STANDIN_COMPOSE_DIR: w.standinDir, PATH: (w as World & { bin: string }).bin } });
}

test('Compose in the environment: v2 up --wait, its services before the backend, URLs wired, stop on Ctrl+C (on_exit: stop)', async (t) => {
  const w = await world(t, '    file: ./compose.yml\n    ready: { redis: { log: "Ready to accept connections" } }\n');
  const dev = cli(w, ['dev']);
  await dev.waitForStderr(/all ready in/);
  // A published port that is not known to speak HTTP is a tcp:// URL (compose/describe.ts).
  assert.equal(readFileSync(join(w.project, 'api-env.txt'), 'utf8'), 'tcp://127.0.0.1:6379');
  const up = w.commands().find((command) => command.startsWith('up'));
  assert.ok(up?.includes('--wait'), `v2 uses up --wait: ${w.commands().join('; ')}`);
  assert.match(dev.stderr, /^ {2}redis +tcp:\/\/127\.0\.0\.1:6379 +[\d.]+s$/m);
  dev.signal('SIGINT');
  const result = await dev.finish();
  assert.equal(result.code, 0, result.stderr);
  const commands = w.commands();
  assert.ok(
    commands.some((command) => /^stop\b.*redis/.test(command)),
    commands.join('; '),
  );
  assert.ok(!commands.some((command) => command.startsWith('down')), 'on_exit: stop never runs down');
  await assertNoOrphans(dev.marker);
});

test('dev --dry-run shows the Compose project and its commands; the project name defaults to slug(project.name)', async (t) => {
  const w = await world(t, '    file: ./compose.yml\n    on_exit: down\n');
  const result = await cli(w, ['dev', '--dry-run']).finish();
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^order: redis → backend$/m);
  assert.match(result.stdout, /^compose \(project shop, on_exit: down\)$/m);
  assert.match(result.stdout, /STAGECRAFT_COMPOSE_REDIS_URL/);
  assert.deepEqual(w.commands(), [], 'a dry run runs no compose command');
});

test('a service name that is also a Compose service is INVALID_CONFIG at its place', async (t) => {
  const w = await world(t, '    file: ./compose.yml\n  services:\n    redis: { command: [node] }\n');
  const result = await cli(w, ['dev']).finish();
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /stagecraft\.yml:\d+:\d+ {2}dev\.services\.redis: expected a name no Compose service has/);
});

test('Compose missing is PROVIDER_NOT_AVAILABLE (exit 2), and the backend never starts', async (t) => {
  const w = await world(t, '    file: ./compose.yml\n', { plugin: false });
  const result = await cli(w, ['dev']).finish();
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /PROVIDER_NOT_AVAILABLE/);
  assert.equal(existsSync(join(w.project, 'api-env.txt')), false);
});

test('a second Ctrl+C while stopping runs compose kill on what this run started', async (t) => {
  const w = await world(t, '    file: ./compose.yml\n', { blockStop: true });
  const dev = cli(w, ['dev']);
  await dev.waitForStderr(/all ready in/);
  dev.signal('SIGINT');
  // `compose stop` is under way and does not return (the stand-in holds it): the graceful stop is stuck.
  await waitUntil(() => existsSync(join(w.standinDir, 'stop-started')), 'compose stop to start', 60_000);
  assert.equal(
    w.commands().some((command) => command.startsWith('kill')),
    false,
  );
  dev.signal('SIGINT');
  await waitUntil(() => w.commands().some((command) => /^kill\b.*redis/.test(command)), 'compose kill', 60_000);
  writeFileSync(join(w.standinDir, 'release-stop'), '');
  await dev.finish();
  await assertNoOrphans(dev.marker);
});

test('doctor names the Compose it found by its reported version, or fails with what to install', async (t) => {
  const found = await world(t, '    file: ./compose.yml\n');
  const ok = await cli(found, ['doctor']).finish();
  assert.match(ok.stdout, /✓ compose: docker compose 2\.24\.5 \(v2: up --wait; engine docker\)/);
  const missing = await world(t, '    file: ./compose.yml\n', { plugin: false });
  const bad = await cli(missing, ['doctor']).finish();
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /✗ compose: .*\n {4}fix: Install Docker with the Compose plugin/);
});
