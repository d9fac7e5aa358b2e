// Benchmarks of the whole local environment (docs/local-environment.md): cases 7–9 of `npm run bench`.
// Components are tiny Node programs with known behaviour, so what is measured is Stagecraft's orchestration.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** Listens on PORT after DELAY ms (a component with a known start time); exits at once on SIGTERM/SIGINT. */
const SLOW_SERVER = `
import { createServer } from 'node:net';
const [name, wait, port] = process.argv.slice(2);
setTimeout(() => createServer().listen(Number(port), '127.0.0.1', () => console.log(name + ' listening')), Number(wait));
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => process.exit(0));
`;

/** Writes LINES lines to stdout as fast as the pipe takes them, then "NAME flood done", then waits to be stopped. */
const FLOOD = `
const { createRequire } = await import('node:module');
const require = createRequire(import.meta.url);
const [name, count] = process.argv.slice(2);
const total = Number(count);
const line = name + ' ' + 'x'.repeat(60) + ' ';
let i = 0;
console.log(name + ' flood start');
function more() {
  while (i < total) {
    if (!process.stdout.write(line + i++ + '\\n')) return process.stdout.once('drain', more);
  }
  // Written once the pipe took the last line: with a full pipe the writer waits for Stagecraft, so this time
  // is Stagecraft's pace (a 64 KiB pipe buffer from the end).
  process.stdout.write(name + ' flood done\\n', () => require('node:fs').writeFileSync(name + '.done', String(performance.timeOrigin + performance.now())));
}
more();
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => process.exit(0));
setInterval(() => {}, 1 << 30);
`;

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Spawns a component by hand and resolves with the ms until its port accepts a connection. */
async function directReady(dir, args, port) {
  const start = performance.now();
  const child = spawn(process.execPath, [join(dir, 'slow-server.mjs'), ...args], { stdio: 'ignore' });
  for (;;) {
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      }).on('error', () => resolve(false));
    });
    if (open) break;
    await delay(2);
  }
  const elapsed = performance.now() - start;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return elapsed;
}

function service(name, args, port) {
  return [
    `    ${name}:`,
    `      command: [node, ${args.map((a) => JSON.stringify(a)).join(', ')}]`,
    ...(port ? [`      ready: { tcp: "127.0.0.1:${port}" }`] : []),
  ];
}

function project(dir, name, { backend, frontend, services }) {
  const root = join(dir, name);
  mkdirSync(root, { recursive: true });
  const lines = [
    `project: { name: ${name} }`,
    'backend:',
    '  provider: generic',
    '  providers:',
    '    generic:',
    '      dev:',
    `        command: [node, ${backend.args.map((a) => JSON.stringify(a)).join(', ')}]`,
    ...(backend.port ? [`        ready: { tcp: "127.0.0.1:${backend.port}" }`] : []),
    ...(frontend
      ? [
          'frontend:',
          '  provider: generic',
          '  providers:',
          '    generic:',
          '      dev:',
          `        command: [node, ${frontend.args.map((a) => JSON.stringify(a)).join(', ')}]`,
          ...(frontend.port ? [`        ready: { tcp: "127.0.0.1:${frontend.port}" }`] : []),
        ]
      : []),
    'dev:',
    '  services:',
    ...services.flatMap((s) => service(s.name, s.args, s.port)),
  ];
  writeFileSync(join(root, 'stagecraft.yml'), `${lines.join('\n')}\n`);
  return root;
}

/** Cases 7–9; `tools` are run.mjs's helpers, so every case reports and measures the same way. */
export async function environmentCases(tools) {
  const { work, runs, heavyRuns, startDev, envFor, report, summary, spread, ms, median } = tools;
  const dir = join(work, 'environment');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'slow-server.mjs'), SLOW_SERVER);
  writeFileSync(join(dir, 'flood.mjs'), FLOOD);
  const env = envFor(join(work, 'no-bin'));
  const slow = join(dir, 'slow-server.mjs');
  const flood = join(dir, 'flood.mjs');

  // 7: time to all ready. db ready after 300 ms; then backend (400 ms) and frontend (500 ms) in parallel.
  const WAIT = { db: 300, backend: 400, frontend: 500 };
  const allReady = [];
  const chains = [];
  const sequential = [];
  for (let run = 0; run < runs; run++) {
    const ports = { db: await freePort(), backend: await freePort(), frontend: await freePort() };
    const root = project(dir, `ready-${run}`, {
      services: [{ name: 'db', args: [slow, 'db', String(WAIT.db), String(ports.db)], port: ports.db }],
      backend: { args: [slow, 'backend', String(WAIT.backend), String(ports.backend)], port: ports.backend },
      frontend: { args: [slow, 'frontend', String(WAIT.frontend), String(ports.frontend)], port: ports.frontend },
    });
    const dev = startDev(root, env);
    const ready = await dev.waitFor(/all ready in/);
    allReady.push(ready.at - dev.launchedAt);
    await dev.stop();
    // The same programs by hand: the slowest chain (db, then frontend) and all three one after another.
    const direct = {};
    for (const name of ['db', 'backend', 'frontend'])
      direct[name] = await directReady(dir, [name, String(WAIT[name]), String(ports[name])], ports[name]);
    chains.push(direct.db + Math.max(direct.backend, direct.frontend));
    sequential.push(direct.db + direct.backend + direct.frontend);
  }
  const ready = summary(allReady);
  const chain = median(chains);
  const target = chain * 1.1 + 100;
  report(
    '7',
    'Time to all ready: db (300 ms) → backend (400 ms) ‖ frontend (500 ms), from launching `stagecraft dev`',
    `${spread(ready)}; slowest chain by hand ${ms(chain)}; one after another (the Go reference's order) ${ms(median(sequential))}`,
    `≤ chain + 10% + 100 ms (${ms(target)})`,
    ready.median <= target,
  );

  // 8: three components flooding at once vs one flooding alone, the same total lines.
  const LINES = 300_000;
  const floodRun = async (name, services) => {
    const root = project(dir, name, { services, backend: { args: [slow, 'backend', '0', String(await freePort())] } });
    const dev = startDev(root, env);
    const start = await dev.waitFor(/flood start/, { head: true });
    const done = {};
    for (const s of services) {
      const file = join(root, `${s.name}.done`);
      while (!existsSync(file)) await delay(5);
      done[s.name] = Number(readFileSync(file, 'utf8')) - start.at;
    }
    await dev.stop();
    return done;
  };
  const single = [];
  const triple = [];
  const finishSpread = [];
  for (let run = 0; run < heavyRuns; run++) {
    const one = await floodRun(`flood1-${run}`, [{ name: 'a', args: [flood, 'a', String(3 * LINES)] }]);
    single.push((3 * LINES) / (one.a / 1000));
    const three = await floodRun(
      `flood3-${run}`,
      ['a', 'b', 'c'].map((name) => ({ name, args: [flood, name, String(LINES)] })),
    );
    const times = Object.values(three);
    triple.push((3 * LINES) / (Math.max(...times) / 1000));
    finishSpread.push(Math.max(...times) / Math.min(...times));
  }
  const k = (n) => `${Math.round(n / 1000)}k lines/s`;
  const ratio = median(triple) / median(single);
  report(
    '8',
    'Log throughput: 3 components flooding 300k lines each at once vs one flooding 900k',
    `${k(median(triple))} vs ${k(median(single))} = ${(ratio * 100).toFixed(0)}%; last/first component finished ${median(finishSpread).toFixed(2)}×`,
    '≥ 80% of one component; none starved',
    ratio >= 0.8,
  );

  // 9: stop latency of the whole environment beyond the slowest component's own exit (each exits at once on SIGTERM).
  const through = [];
  const alone = [];
  for (let run = 0; run < runs; run++) {
    const ports = { db: await freePort(), backend: await freePort(), frontend: await freePort() };
    const root = project(dir, `stop-${run}`, {
      services: [{ name: 'db', args: [slow, 'db', '0', String(ports.db)], port: ports.db }],
      backend: { args: [slow, 'backend', '0', String(ports.backend)], port: ports.backend },
      frontend: { args: [slow, 'frontend', '0', String(ports.frontend)], port: ports.frontend },
    });
    const dev = startDev(root, env);
    await dev.waitFor(/all ready in/);
    const sent = performance.timeOrigin + performance.now();
    dev.child.kill('SIGINT');
    through.push((await dev.exited).at - sent);
    const child = spawn(process.execPath, [slow, 'db', '0', String(ports.db)], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise((resolve) => child.stdout.once('data', resolve));
    const sentAlone = performance.now();
    const exited = new Promise((resolve) => child.on('exit', () => resolve(performance.now())));
    child.kill('SIGTERM');
    alone.push((await exited) - sentAlone);
  }
  const total = summary(through);
  const own = summary(alone);
  // Frontend and backend stop together, then the service: two components' exits in a row are the floor.
  const extra = total.median - 2 * own.median;
  report(
    '9',
    "Stop latency of a 3-component environment: SIGINT → Stagecraft exited, beyond the components' own exits (two in a row)",
    `${ms(extra)} (Stagecraft ${spread(total)}; one component alone ${spread(own)})`,
    '≤ 150 ms',
    extra <= 150,
  );
}
