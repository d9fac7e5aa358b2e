import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCli } from '../../../test/helpers/cli.js';
import { assertNoOrphans, freePort, portIsOpen, waitUntil } from '../../../test/helpers/processes.js';
import { tempProject } from '../../../test/helpers/temp.js';

/**
 * One program plays every component: `node proc.mjs NAME MODE [PORT]`. It appends what happens to it
 * (started, its environment, the signal it got) to events.log in the project, so a test reads the order
 * of real events instead of timing anything.
 *   serve   listen on PORT (HTTP), answer with NAME and the variables it was given; exit 0 on SIGTERM/SIGINT
 *   task    a oneshot: record, exit 0          fail-later   serve, then exit 3 once told (a file appears)
 *   crash-once  exit 1 the first time (a counter file), serve afterwards
 *   stubborn    serve and ignore SIGTERM/SIGINT
 */
const PROC = `
import { createServer } from 'node:http';
import { appendFileSync, existsSync, writeFileSync, readFileSync } from 'node:fs';
const [name, mode, port] = process.argv.slice(2);
const log = (what) => appendFileSync('events.log', name + ' ' + what + '\\n');
log('started DATABASE_URL=' + (process.env.DATABASE_URL ?? '') + ' BACKEND=' + (process.env.STAGECRAFT_BACKEND_URL ?? ''));
if (mode === 'task') { log('done'); process.exit(0); }
if (mode === 'crash-once' && !existsSync(name + '.crashed')) { writeFileSync(name + '.crashed', ''); log('crashing'); process.exit(1); }
const server = createServer((req, res) => res.end(name + ' ' + (process.env.DATABASE_URL ?? '')));
server.listen(Number(port), '127.0.0.1', () => console.log(name + ' listening'));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => {
  log('got ' + signal);
  if (mode !== 'stubborn') process.exit(0);
});
if (mode === 'fail-later') setInterval(() => { if (existsSync('fail-now')) { console.log('boom: ' + name + ' failing'); process.exit(3); } }, 50);
setInterval(() => {}, 1 << 30);
`;

interface Ports {
  readonly db: number;
  readonly api: number;
  readonly web: number;
}

async function ports(): Promise<Ports> {
  return { db: await freePort(), api: await freePort(), web: await freePort() };
}

function config(p: Ports, options: { dbMode?: string; apiMode?: string; extraService?: string; frontendDeps?: string } = {}): string {
  return `project: { name: fullstack }
backend:
  provider: generic
  providers:
    generic:
      dev:
        command: [node, proc.mjs, backend, ${options.apiMode ?? 'serve'}, "${p.api}"]
        ready: { tcp: "127.0.0.1:${p.api}", timeout: 60s }
        env: { DATABASE_URL: "\${STAGECRAFT_SERVICE_DB_URL}/app" }
frontend:
  provider: generic
  depends_on: ${options.frontendDeps ?? '[backend]'}
  providers:
    generic:
      dev:
        command: [node, proc.mjs, frontend, serve, "${p.web}"]
        url: http://127.0.0.1:${p.web}
        ready_pattern: "frontend listening"
        shutdown: { signal: SIGINT, timeout_ms: 5000 }
dev:
  services:
    db:
      command: [node, proc.mjs, db, ${options.dbMode ?? 'serve'}, "${p.db}"]
      url: postgres://127.0.0.1:${p.db}
      ready: { tcp: "127.0.0.1:${p.db}", timeout: 60s }
      restart: on-failure
    migrate:
      command: [node, proc.mjs, migrate, task]
      oneshot: true
      depends_on: [db]
${options.extraService ?? ''}`;
}

function events(cwd: string): string[] {
  const file = join(cwd, 'events.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
}

function indexOf(lines: readonly string[], pattern: RegExp): number {
  const index = lines.findIndex((line) => pattern.test(line));
  assert.notEqual(index, -1, `no event matching ${pattern} in:\n${lines.join('\n')}`);
  return index;
}

test('dev runs services, a oneshot, backend and frontend in dependency order, wires URLs, and stops in reverse', async (t) => {
  const p = await ports();
  const cwd = tempProject(t, { 'proc.mjs': PROC, 'stagecraft.yml': config(p) });
  const cli = startCli(['dev'], { cwd });
  await cli.waitForStderr(/all ready in [\d.]+s/);

  // Wiring: the backend got DATABASE_URL built from the service's URL; the frontend the backend's URL.
  assert.equal(await (await fetch(`http://127.0.0.1:${p.api}/`)).text(), `backend postgres://127.0.0.1:${p.db}/app`);
  const started = events(cwd);
  assert.ok(started.includes(`frontend started DATABASE_URL= BACKEND=http://127.0.0.1:${p.api}`), started.join('\n'));
  // Order: db before migrate; migrate done before the backend starts; the backend before the frontend (depends_on).
  assert.ok(indexOf(started, /^db started/) < indexOf(started, /^migrate started/));
  assert.ok(indexOf(started, /^migrate done/) < indexOf(started, /^backend started/));
  assert.ok(indexOf(started, /^backend started/) < indexOf(started, /^frontend started/));
  // Prefixes are component names; the summary names each component with its URL.
  assert.match(cli.stderr, /^db │ db listening$/m);
  assert.match(cli.stderr, /^backend │ backend listening$/m);
  assert.match(cli.stderr, /^frontend │ frontend listening$/m);
  assert.match(cli.stderr, new RegExp(`^  db +postgres://127\\.0\\.0\\.1:${p.db} +[\\d.]+s$`, 'm'));
  assert.match(cli.stderr, new RegExp(`^  frontend +http://127\\.0\\.0\\.1:${p.web} +[\\d.]+s$`, 'm'));

  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
  const all = events(cwd);
  // Frontend (SIGINT, its shutdown.signal) and backend stop before the service they depend on.
  assert.ok(indexOf(all, /^frontend got SIGINT/) < indexOf(all, /^db got SIGTERM/), all.join('\n'));
  assert.ok(indexOf(all, /^backend got SIGTERM/) < indexOf(all, /^db got SIGTERM/), all.join('\n'));
  for (const port of Object.values(p)) assert.equal(await portIsOpen(port), false);
  await assertNoOrphans(cli.marker);
});

test('a component that fails stops the others in reverse order; dev exits 7 naming it, in text and JSON', async (t) => {
  const p = await ports();
  const cwd = tempProject(t, { 'proc.mjs': PROC, 'stagecraft.yml': config(p, { apiMode: 'fail-later' }) });
  const cli = startCli(['dev', '--log-format', 'json'], { cwd });
  await cli.waitForStderr(/all ready in/);
  appendFileSync(join(cwd, 'fail-now'), '');
  const result = await cli.finish();
  assert.equal(result.code, 7, result.stderr);
  const records = result.stderr
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const error = records.at(-1) as Record<string, unknown>;
  assert.equal(error.level, 'error');
  assert.equal(error.category, 'DEV_SERVER_FAILED');
  assert.equal(error.component, 'backend');
  assert.equal(error.exitCode, 3);
  assert.match(String(error.detail), /boom: backend failing/);
  // Child output carries its component.
  assert.ok(records.some((record) => record.component === 'db' && record.msg === 'db listening'));
  const all = events(cwd);
  assert.ok(indexOf(all, /^frontend got SIGINT/) < indexOf(all, /^db got SIGTERM/), all.join('\n'));
  await assertNoOrphans(cli.marker);
});

test('restart: on-failure brings a crashed service back; its dependants start once it is ready', async (t) => {
  const p = await ports();
  const cwd = tempProject(t, { 'proc.mjs': PROC, 'stagecraft.yml': config(p, { dbMode: 'crash-once' }) });
  const cli = startCli(['dev'], { cwd });
  await cli.waitForStderr(/all ready in/);
  assert.match(cli.stderr, /⚠ db: db exited .*restarting in/);
  const all = events(cwd);
  assert.ok(indexOf(all, /^db crashing/) < indexOf(all, /^migrate started/));
  cli.signal('SIGTERM');
  assert.equal((await cli.finish()).code, 0);
  await assertNoOrphans(cli.marker);
});

test('a oneshot that fails stops the environment before its dependants start', async (t) => {
  const p = await ports();
  const failing = `    seed:
      command: [node, -e, "console.error('seed: no such table'); process.exit(2)"]
      oneshot: true
      depends_on: [migrate]
`;
  const cwd = tempProject(t, { 'proc.mjs': PROC, 'stagecraft.yml': config(p, { extraService: failing }) });
  const result = await startCli(['dev'], { cwd }).finish();
  assert.equal(result.code, 7, result.stderr);
  assert.match(result.stderr, /seed failed \(exit code 2\)/);
  assert.match(result.stderr, /no such table/);
  assert.equal(
    events(cwd).some((line) => line.startsWith('backend')),
    false,
    'the backend waits for every service',
  );
});

test('dev NAME runs it with its dependencies only', async (t) => {
  const p = await ports();
  const cwd = tempProject(t, { 'proc.mjs': PROC, 'stagecraft.yml': config(p) });
  const cli = startCli(['dev', 'migrate'], { cwd });
  await cli.waitForStderr(/all ready in/);
  cli.signal('SIGINT');
  assert.equal((await cli.finish()).code, 0);
  assert.deepEqual(
    events(cwd)
      .map((line) => line.split(' ')[0])
      .filter((name, index, list) => list.indexOf(name) === index),
    ['db', 'migrate'],
  );
  await assertNoOrphans(cli.marker);
});

test('--no-deps assumes dependencies run; --logs shows only the named components', async (t) => {
  const p = await ports();
  const cwd = tempProject(t, { 'proc.mjs': PROC, 'stagecraft.yml': config(p) });
  const cli = startCli(['dev', '--no-deps', 'backend', 'frontend', '--logs', 'frontend'], { cwd });
  await cli.waitForStderr(/all ready in/);
  assert.match(cli.stderr, /db: assumed to be running already/);
  assert.match(cli.stderr, /^frontend │ frontend listening$/m);
  assert.doesNotMatch(cli.stderr, /backend │/);
  assert.deepEqual(
    events(cwd)
      .map((line) => line.split(' ')[0])
      .sort(),
    ['backend', 'frontend'],
  );
  cli.signal('SIGINT');
  assert.equal((await cli.finish()).code, 0);
  await assertNoOrphans(cli.marker);
});

test('a second Ctrl+C kills every component at once, a stubborn one included', async (t) => {
  const p = await ports();
  const cwd = tempProject(t, { 'proc.mjs': PROC, 'stagecraft.yml': config(p, { apiMode: 'stubborn' }) });
  const cli = startCli(['dev'], { cwd });
  await cli.waitForStderr(/all ready in/);
  cli.signal('SIGINT');
  await waitUntil(() => events(cwd).includes('backend got SIGTERM'), 'the backend to get SIGTERM');
  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.match(result.stderr, /received again: killing everything now/);
  await assertNoOrphans(cli.marker);
});

test('dev --dry-run prints the plan: deterministic, env names without values, nothing started', async (t) => {
  const p = await ports();
  const secret = 'sk_live_do_not_print';
  const cwd = tempProject(t, {
    'proc.mjs': PROC,
    'stagecraft.yml': config(p).replace('env: { DATABASE_URL:', `env: { API_KEY: "${secret}", DATABASE_URL:`),
  });
  const first = await startCli(['dev', '--dry-run'], { cwd }).finish();
  const second = await startCli(['dev', '--dry-run'], { cwd }).finish();
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, second.stdout);
  assert.match(first.stdout, /^order: db → migrate → backend → frontend$/m);
  assert.match(first.stdout, /env: API_KEY, DATABASE_URL/);
  assert.match(first.stdout, new RegExp(`url: postgres://127\\.0\\.0\\.1:${p.db}`));
  assert.doesNotMatch(first.stdout + first.stderr, new RegExp(secret));
  assert.deepEqual(events(cwd), []);
});

test('config errors of the environment: cycle, unknown dependency, reserved name, unknown ${}', async (t) => {
  const p = await ports();
  const cases: [string, RegExp][] = [
    [
      config(p, { extraService: '    a: { command: [node], depends_on: [b] }\n    b: { command: [node], depends_on: [a] }\n' }),
      /stagecraft\.yml:\d+:\d+ {2}dev\.services\.[ab]\.depends_on: expected no dependency cycle, found (a → b → a|b → a → b)/,
    ],
    [
      config(p, { extraService: '    a: { command: [node], depends_on: [nope] }\n' }),
      /dev\.services\.a\.depends_on\[0\]: expected a component name .*found "nope"/,
    ],
    [
      config(p, { extraService: '    proxy: { command: [node] }\n' }),
      /:\d+:\d+ {2}dev\.services\.proxy: expected a name other than backend, frontend, proxy, compose \(reserved\)/,
    ],
    [config(p, { frontendDeps: '[nothing]' }), /frontend\.depends_on\[0\]: expected a component name/],
    [config(p).replace('/app', '/${TYPO_URL}'), /backend\.providers\.generic\.dev\.env\.DATABASE_URL: \$\{TYPO_URL\} is not defined/],
  ];
  for (const [text, expected] of cases) {
    const cwd = tempProject(t, { 'proc.mjs': PROC, 'stagecraft.yml': text });
    const result = await startCli(['dev'], { cwd }).finish();
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, expected);
    assert.match(result.stderr, /INVALID_CONFIG/);
  }
});

test('config validate and doctor report the environment: a cycle at its place; each service checked', async (t) => {
  const p = await ports();
  const cycle = config(p, {
    extraService: '    a: { command: [node], depends_on: [b] }\n    b: { command: [no-such-program-xyz], depends_on: [a] }\n',
  });
  const cwd = tempProject(t, { 'proc.mjs': PROC, 'stagecraft.yml': cycle });
  const validate = await startCli(['config', 'validate'], { cwd }).finish();
  assert.equal(validate.code, 1, validate.stderr);
  assert.match(validate.stderr, /dev\.services\.[ab]\.depends_on: expected no dependency cycle/);
  const doctor = await startCli(['doctor'], { cwd }).finish();
  assert.equal(doctor.code, 1);
  assert.match(doctor.stdout, /✗ dev\.services\.[ab]\.depends_on: expected no dependency cycle/);
  assert.match(doctor.stdout, /✗ b: .*no-such-program-xyz/);
  assert.match(doctor.stdout, /✓ db: node → /);
  assert.match(doctor.stdout, /✓ frontend command: node → /);

  const badLogs = await startCli(['dev', '--logs', 'db,nope'], {
    cwd: tempProject(t, { 'proc.mjs': PROC, 'stagecraft.yml': config(p) }),
  }).finish();
  assert.equal(badLogs.code, 1);
  assert.match(badLogs.stderr, /--logs "db,nope": expected component names from db, migrate, backend, frontend/);
});

test('init writes a frontend block for a Vite app folder, and the config it writes validates', async (t) => {
  const cwd = tempProject(t, {
    'package.json': JSON.stringify({ name: 'api', scripts: { start: 'node server.js' } }),
    'apps/web/package.json': JSON.stringify({ name: 'web', scripts: { dev: 'vite' }, devDependencies: { vite: '^5.0.0' } }),
  });
  const init = await startCli(['init'], { cwd }).finish();
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stderr, /detected a web app: a vite app with a dev script in apps\/web/);
  const written = readFileSync(join(cwd, 'stagecraft.yml'), 'utf8');
  assert.match(written, /^frontend:\n {2}provider: generic\n/m);
  assert.match(written, /command: \[ npm, run, dev, --, --strictPort \]/);
  assert.match(written, /workdir: \.\/apps\/web/);
  assert.match(written, /VITE_API_URL: \$\{STAGECRAFT_BACKEND_URL\}/);
  const validate = await startCli(['config', 'validate'], { cwd }).finish();
  assert.equal(validate.code, 0, validate.stderr);
  const plan = await startCli(['dev', '--dry-run'], { cwd }).finish();
  assert.match(plan.stdout, /^frontend \(frontend\)$/m);
  assert.match(plan.stdout, /url: http:\/\/localhost:5173/);
});
