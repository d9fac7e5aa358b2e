#!/usr/bin/env node
// Stand-in for the real `encore` CLI (which cannot be installed here). It follows
// shared/reference/encore-cli.md ("ref §…" below) and, where that is silent, the CLI's public source
// (encoredev/encore). Each behaviour that reaches Stagecraft, and where it comes from:
//
//   daemon       `encore run` and `encore build docker` are thin clients of a background daemon
//                (`encore daemon -f`), started on first use in its own session and process group and left
//                running across runs; it listens on <user cache dir>/encore/encored.sock and exits when that
//                socket file is removed (ref §Architecture; cli/cmd/encore/cmdutil/daemon.go,
//                cli/cmd/encore/daemon/daemon.go listenDaemonSocket). The cache dir is $XDG_CACHE_HOME or
//                ~/.cache, as Go's os.UserCacheDir on Linux, so each test's own XDG_CACHE_HOME gives it its own
//                daemon. Test-only extras: `encore daemon stop` (the fixtures' after() hook), and the daemon
//                also exits when the directory the stand-in was run from disappears (a test's bin dir), or after
//                STANDIN_ENCORE_DAEMON_IDLE_MS (default 10 min) without clients: nothing outlives a suite.
//   run          The DAEMON binds --listen and proxies to the app, a separate process it spawns with the
//                client's environment (cli/daemon/run/run.go: srv.Serve(ln), StartProcGroup Environ). When the
//                client goes away (SIGINT, or killed) the daemon closes the listener and interrupts the app
//                shortly afterwards (STANDIN_ENCORE_DAEMON_STOP_DELAY_MS, default 300), not at once.
//                A busy address: `Failed to run on ADDR - port is already in use` + `Note: address … is
//                available; specify --listen=… to use it`, exit 1 (ref §encore run).
//   run flags    exactly -w/--watch, --listen, -p/--port, --debug[=enabled|break], -v/--verbose (count),
//                -l/--level, --browser, --json, --color, --redact, -n/--namespace (ref §encore run table);
//                anything else: `Error: unknown flag: --x` / `Error: unknown shorthand flag: 'x' in -x`, exit 1
//                (cobra/pflag).
//   run signals  the client traps SIGINT only and exits 0; SIGTERM kills it at once (ref §encore run, Signals;
//                cli/cmd/encore/run.go signal.Notify(interrupt, os.Interrupt)).
//   banner       on stderr, URLs ANSI-coloured, progress as `encore: <step>...` lines (ref §encore run).
//   secret set   flags exactly -t/--type, -e/--env (string slices), hidden -d/--dev, -p/--prod; one positional
//                (cobra.ExactArgs(1)); stdin read to EOF and trailing \r/\n stripped; no encore.app, unlinked app
//                (`error: app is not linked with the Encore Platform (see 'encore app link')`), not logged in
//                (`error: unable to list environments: not logged in: run 'encore auth login' first`), invalid
//                type (`error: invalid environment type "x"`), and a selector that overlaps an existing group but
//                is not equal to it: `the environment selection conflicts with other secret values:` + one
//                `\t<group id> <types>` line per conflict (ref §encore secret set; cli/cmd/encore/secrets/set.go).
//   build docker flags exactly -p/--push, --base, --os, --arch, --cgo, --skip-config, --config, --services,
//                --gateways; one positional (cli/cmd/encore/build.go). Log lines as the daemon emits them
//                (ref §encore build docker; cli/daemon/export/export.go): `saving image to local docker daemon`,
//                `successfully saved local docker image` / `unable to save docker image`; with --push `pushing
//                image to docker registry`, `pushing docker image to container registry`, `successfully pushed
//                docker image` / `unable to push docker image`; last `successfully exported app as docker image`.
//   version      checks for updates FIRST (up to 10 s), then prints `encore version vX`, then exits 1 if the
//                check failed (cli/cmd/encore/version.go; the reference's "prints first" is wrong on order).
//                Flags: none (cobra rejects unknown ones).
//
// Every client call is recorded as one JSON line in $STANDIN_LOG: {tool, argv, cwd, env, stdin, pid, pgid,
// time, end}; `end` (ms) is appended by a second record {tool: "encore-end", pid, end} when a call finishes.
// The app process records {tool: "encore-app", pid, pgid, env} when it starts.
//
// Knobs (environment variables; all optional):
//   STANDIN_ENCORE_VERSION            version printed by `encore version` (default v1.58.2)
//   STANDIN_ENCORE_VERSION_OUTPUT     exact version line instead
//   STANDIN_ENCORE_UPDATE_CHECK_MS    how long the update check takes before the version line (default 2000;
//                                     the real one allows 10 s). Tests that want speed set 0 explicitly.
//   STANDIN_ENCORE_UPDATE_CHECK       fail (default: these machines are offline; exit 1 after the line) | ok
//   STANDIN_ENCORE_VERSION_DELAY_MS   alias of STANDIN_ENCORE_UPDATE_CHECK_MS (older tests)
//   STANDIN_ENCORE_VERSION_LINGER_MS  after the line, a forced upgrade runs this long, then exit 1
//   STANDIN_ENCORE_LOGGED_OUT         `secret set` is not logged in
//   STANDIN_ENCORE_SECRET_GROUPS      existing platform secret groups: "NAME=dev,local;OTHER=prod"
//   STANDIN_ENCORE_SECRET_FAIL        comma list of secret names whose `secret set` fails (exit 1)
//   STANDIN_ENCORE_SECRET_HANG        comma list of names (or "*") whose `secret set` never finishes
//   STANDIN_ENCORE_SECRET_DELAY_MS    `secret set` takes this long (a network call in reality)
//   STANDIN_ENCORE_SECRET_ECHO        a failing `secret set` echoes the value it read (as a careless tool might)
//   STANDIN_ENCORE_BANNER_DELAY_MS    delay before the ready banner (default 30)
//   STANDIN_ENCORE_NO_BANNER          never print the banner
//   STANDIN_ENCORE_NO_LISTEN          the daemon never binds --listen
//   STANDIN_ENCORE_DAEMON_STOP_DELAY_MS  how long after the client goes the daemon releases --listen (300)
//   Fault injection (not behaviours of the real CLI, but things a supervisor must survive):
//   STANDIN_ENCORE_EXIT_AFTER_MS      the client exits by itself this long after start, STANDIN_ENCORE_EXIT_CODE (1)
//   STANDIN_ENCORE_EXIT_SIGNAL        ...or by this signal (e.g. SIGSEGV) instead of an exit code
//   STANDIN_ENCORE_IGNORE_SIGNALS     the client ignores SIGINT and SIGTERM (only SIGKILL ends it)
//   STANDIN_ENCORE_GRANDCHILD         the client forks `sleep 1000` into its own process group
//   STANDIN_ENCORE_PRINT_ENV          comma list of variables to print (split across two writes; run and build docker)
//   STANDIN_ENCORE_LOG_LEVELS         print one app log line per level (TRC DBG INF WRN ERR)
//   STANDIN_ENCORE_FLOOD_LINES        print this many lines after the banner, as fast as possible
//   STANDIN_ENCORE_FLOOD_DELAY_MS     wait this long after the banner before the flood
//   STANDIN_ENCORE_EMIT               after the banner: invalid-utf8, huge-line (10 MB without a newline, then
//                                     one), close-stdout (close stdout and keep running)
//   STANDIN_ENCORE_BUILD_FAIL         compile | push (auth) | push-refused | save (no local Docker daemon)
//   STANDIN_ENCORE_BUILD_SLEEP_MS     `build docker` takes this long
// (App output reaches the client over the daemon connection in reality; here the client prints it itself,
// which is the same bytes on the same streams as far as Stagecraft can tell.)
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, isIP } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const env = process.env;
const argv = process.argv.slice(2);
const SELF = process.argv[1];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const list = (value) => (value ? value.split(',').filter(Boolean) : []);
const fail = (message, code = 1) => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};
/** Marks the daemon for the tests' orphan check (test/helpers/processes.ts): it outlives runs on purpose. */
const DAEMON_MARK = 'STAGECRAFT_TEST_DAEMON';

function procStat(pid = 'self') {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function record(extra = {}) {
  if (!env.STANDIN_LOG) return;
  const pgid = Number(procStat()[2]);
  const entry = { tool: 'encore', argv, cwd: process.cwd(), env: { ...env }, pid: process.pid, pgid, time: Date.now(), ...extra };
  appendFileSync(env.STANDIN_LOG, `${JSON.stringify(entry)}\n`);
}

function recordEnd() {
  if (env.STANDIN_LOG)
    appendFileSync(env.STANDIN_LOG, `${JSON.stringify({ tool: 'encore-end', argv: [], pid: process.pid, end: Date.now() })}\n`);
}

/** Walks up from the working directory looking for a file named encore.app, like the real CLI. */
function findApp() {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const file = join(dir, 'encore.app');
    if (existsSync(file) && statSync(file).isFile()) {
      // HuJSON: strip comments and trailing commas well enough for the fields we read.
      const text = readFileSync(file, 'utf8')
        .replace(/\/\/.*$/gm, '')
        .replace(/,(\s*[}\]])/g, '$1');
      return { root: dir, ...JSON.parse(text) };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

const NO_APP = 'error: no encore.app found in directory (or any of the parent directories)';

function readStdin() {
  return new Promise((resolve) => {
    const chunks = [];
    process.stdin.on('data', (chunk) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

// ---------------------------------------------------------------------------------------------------
// Flag parsing, as cobra/pflag do it: --name=value, --name value, -x value, -xvalue; bools take no
// separate value; unknown flags fail.

/**
 * spec: { long: { short?, type: 'bool'|'string'|'count'|'slice'|'uint', optional?: default for a bare flag } }
 * Returns { flags, positional }.
 */
function parseFlags(args, spec) {
  const flags = {};
  const positional = [];
  const byShort = Object.fromEntries(Object.entries(spec).flatMap(([long, s]) => (s.short ? [[s.short, long]] : [])));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    let long;
    let inline;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      long = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
      if (!(long in spec)) fail(`Error: unknown flag: --${long}`);
    } else if (arg.startsWith('-') && arg.length > 1) {
      const short = arg[1];
      long = byShort[short];
      if (long === undefined) fail(`Error: unknown shorthand flag: '${short}' in ${arg}`);
      const rest = arg.slice(2);
      inline = rest === '' ? undefined : rest.startsWith('=') ? rest.slice(1) : rest;
    } else {
      positional.push(arg);
      continue;
    }
    const { type, optional } = spec[long];
    const name = spec[long].short ? `-${spec[long].short}, --${long}` : `--${long}`;
    if (type === 'bool') {
      if (inline !== undefined && !['true', 'false', '1', '0', 't', 'f', 'TRUE', 'FALSE'].includes(inline)) {
        fail(`Error: invalid argument "${inline}" for "${name}" flag: strconv.ParseBool: parsing "${inline}": invalid syntax`);
      }
      flags[long] = inline === undefined ? true : ['true', '1', 't', 'TRUE'].includes(inline);
    } else if (type === 'count') {
      if (inline !== undefined)
        fail(`Error: invalid argument "${inline}" for "${name}" flag: strconv.ParseInt: parsing "${inline}": invalid syntax`);
      flags[long] = (flags[long] ?? 0) + 1;
    } else {
      let value = inline;
      if (value === undefined) {
        if (optional !== undefined) value = optional;
        else if (i + 1 < args.length) value = args[++i];
        else fail(`Error: flag needs an argument: --${long}`);
      }
      if (type === 'uint' && !/^\d+$/.test(value))
        fail(`Error: invalid argument "${value}" for "${name}" flag: strconv.ParseUint: parsing "${value}": invalid syntax`);
      if (type === 'slice') flags[long] = [...(flags[long] ?? []), ...list(value)];
      else flags[long] = value;
    }
  }
  return { flags, positional };
}

/** Global flags the root command accepts everywhere (cli/cmd/encore/main.go). */
const GLOBAL_FLAGS = { verbose: { short: 'v', type: 'count' } };

// ---------------------------------------------------------------------------------------------------
// encore version (cli/cmd/encore/version.go): the update check runs first, then the version line.

async function version(args) {
  record();
  const { positional } = parseFlags(args, GLOBAL_FLAGS);
  if (positional.length > 0) fail(`Error: unknown command "${positional[0]}" for "encore version"`);
  await sleep(Number(env.STANDIN_ENCORE_UPDATE_CHECK_MS ?? env.STANDIN_ENCORE_VERSION_DELAY_MS ?? 2000));
  process.stdout.write(`${env.STANDIN_ENCORE_VERSION_OUTPUT ?? `encore version ${env.STANDIN_ENCORE_VERSION ?? 'v1.58.2'}`}\n`);
  const linger = Number(env.STANDIN_ENCORE_VERSION_LINGER_MS ?? 0);
  if (linger > 0) {
    process.stdout.write('An urgent security update for Encore is available.\n');
    await sleep(linger);
  }
  if ((env.STANDIN_ENCORE_UPDATE_CHECK ?? 'fail') !== 'ok') {
    fail('error: could not check for update: Get "https://encore.dev/api/releases": dial tcp: lookup encore.dev: no such host');
  }
}

// ---------------------------------------------------------------------------------------------------
// encore secret set (cli/cmd/encore/secrets/set.go)

const SECRET_TYPES = {
  development: 'development',
  production: 'production',
  preview: 'preview',
  local: 'local',
  dev: 'development',
  prod: 'production',
  pr: 'preview',
  ephemeral: 'preview',
};

/** Existing secret groups on the "platform": NAME=types;NAME=types. */
function platformGroups(name) {
  return (env.STANDIN_ENCORE_SECRET_GROUPS ?? '')
    .split(';')
    .filter(Boolean)
    .map((entry, index) => {
      const [key, types] = entry.split('=');
      return {
        id: `secgrp_${String(index + 1).padStart(4, '0')}`,
        key,
        kinds: [...new Set(list(types).map((t) => SECRET_TYPES[t]))].sort(),
      };
    })
    .filter((group) => group.key === name);
}

async function secretSet(args) {
  const { flags, positional } = parseFlags(args, {
    ...GLOBAL_FLAGS,
    type: { short: 't', type: 'slice' },
    env: { short: 'e', type: 'slice' },
    dev: { short: 'd', type: 'bool' },
    prod: { short: 'p', type: 'bool' },
  });
  if (positional.length !== 1) {
    record();
    fail(`Error: accepts 1 arg(s), received ${positional.length}`);
  }
  // The value is read first, to EOF: a stdin that is never closed hangs here forever, as the real one does.
  const stdin = await readStdin();
  const value = stdin.replace(/[\r\n]+$/, '');
  record({ stdin, value });
  process.on('exit', recordEnd);
  const [name] = positional;
  const app = findApp();
  if (app === undefined) fail(NO_APP);
  if (!app.id) fail("error: app is not linked with the Encore Platform (see 'encore app link')");
  // ParseSelector
  const types = flags.type ?? [];
  const envs = flags.env ?? [];
  if (flags.dev && flags.prod) fail('error: cannot specify both --dev and --prod');
  if (flags.dev && (types.length || envs.length)) fail('error: cannot combine --dev with --type/--env');
  if (flags.prod && (types.length || envs.length)) fail('error: cannot combine --prod with --type/--env');
  if (env.STANDIN_ENCORE_LOGGED_OUT) fail("error: unable to list environments: not logged in: run 'encore auth login' first");
  const kinds = new Set(flags.dev ? ['development', 'preview', 'local'] : flags.prod ? ['production'] : []);
  for (const type of types) {
    if (!(type in SECRET_TYPES)) fail(`error: invalid environment type ${JSON.stringify(type)}`);
    kinds.add(SECRET_TYPES[type]);
  }
  for (const envName of envs) fail(`error: environment ${JSON.stringify(envName)} not found`);
  if (kinds.size === 0) fail('error: must specify at least one environment with --type/--env (or --dev/--prod)');

  const hang = list(env.STANDIN_ENCORE_SECRET_HANG);
  if (hang.includes(name) || hang.includes('*')) {
    // A pending promise alone would let Node exit (code 13); the real call hangs on the network.
    setInterval(() => {}, 1 << 30);
    await new Promise(() => {});
  }
  await sleep(Number(env.STANDIN_ENCORE_SECRET_DELAY_MS ?? 0));
  if (list(env.STANDIN_ENCORE_SECRET_FAIL).includes(name)) {
    if (env.STANDIN_ENCORE_SECRET_ECHO) process.stderr.write(`error: rejected value ${JSON.stringify(value)}\n`);
    fail(`error: unable to update secret: rpc error: code = PermissionDenied desc = not allowed to set secrets of type ${types.join(',')}`);
  }
  const want = [...kinds].sort();
  const groups = platformGroups(name);
  if (groups.some((group) => group.kinds.join(',') === want.join(','))) {
    process.stdout.write(`Successfully updated secret value for ${name}.\n`);
    return;
  }
  const conflicts = groups
    .map((group) => ({ id: group.id, overlap: group.kinds.filter((kind) => want.includes(kind)) }))
    .filter((group) => group.overlap.length > 0);
  if (conflicts.length > 0) {
    fail(
      `error: the environment selection conflicts with other secret values:\n${conflicts.map((c) => `\t${c.id} ${c.overlap.join(', ')}\n`).join('')}`,
    );
  }
  process.stdout.write(`Successfully created secret value for ${name}.\n`);
}

// ---------------------------------------------------------------------------------------------------
// The daemon: one per user cache dir, in its own session; apps run under it.

function daemonDir() {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'encore');
}

function socketPath() {
  return join(daemonDir(), 'encored.sock');
}

function tryConnect(path) {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => resolve(undefined));
  });
}

/** Connects to the daemon, starting it first if none answers (cmdutil/daemon.go setupDaemon). */
async function connectDaemon() {
  const path = socketPath();
  const existing = await tryConnect(path);
  if (existing) return existing;
  mkdirSync(dirname(path), { recursive: true });
  const daemon = spawn(process.execPath, [SELF, 'daemon', '-f'], {
    detached: true, // its own session and process group: it outlives this client on purpose
    stdio: 'ignore',
    cwd: '/',
    env: { ...env, [DAEMON_MARK]: '1', STANDIN_ENCORE_DAEMON_LIFELINE: dirname(SELF) },
  });
  daemon.unref();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    await sleep(20);
    const socket = await tryConnect(path);
    if (socket) return socket;
  }
  fail('fatal: timed out waiting for daemon to start');
}

/** Newline-delimited JSON over a socket. */
function messages(socket, onMessage) {
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => {
    pending += chunk;
    for (let newline = pending.indexOf('\n'); newline !== -1; newline = pending.indexOf('\n')) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line) onMessage(JSON.parse(line));
    }
  });
}

const send = (socket, message) => socket.write(`${JSON.stringify(message)}\n`);

async function daemonCommand(args) {
  const [mode] = args;
  if (mode === '-f') return runDaemon();
  if (mode === 'stop') return stopDaemon();
  if (mode === 'status') {
    const socket = await tryConnect(socketPath());
    if (!socket) fail('no daemon running');
    messages(socket, (message) => {
      process.stdout.write(`${JSON.stringify(message)}\n`);
      socket.end();
    });
    send(socket, { op: 'status' });
    return;
  }
  fail(`Error: unknown command "${mode}" for "encore daemon"`);
}

/** Test-only: asks the daemon to exit and waits until its process is gone. */
async function stopDaemon() {
  // Read, not checked then read: a daemon exiting on its own (idle, or an earlier stop) removes the file in between.
  const pid = readPidFile(join(daemonDir(), 'encored.pid'));
  const socket = await tryConnect(socketPath());
  if (socket) {
    send(socket, { op: 'stop' });
    socket.on('error', () => {});
  }
  const deadline = Date.now() + 30_000;
  while (pid && isRunning(pid) && Date.now() < deadline) await sleep(20);
  if (pid && isRunning(pid)) fail(`daemon ${pid} is still running`);
  socket?.destroy();
}

/** Alive and not a zombie; a process that ends while we look is not running. */
function isRunning(pid) {
  try {
    return procStat(pid)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The pid a daemon recorded, or undefined when there is no such file (any more). */
function readPidFile(file) {
  try {
    return Number(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

async function runDaemon() {
  const path = socketPath();
  const self = realpathSync(SELF);
  const lifeline = env.STANDIN_ENCORE_DAEMON_LIFELINE;
  const idleMs = Number(env.STANDIN_ENCORE_DAEMON_IDLE_MS ?? 600_000);
  const other = await tryConnect(path);
  if (other) {
    other.destroy();
    return; // another daemon already serves this socket
  }
  rmSync(path, { force: true });
  const runs = new Set();
  let clients = 0;
  let idleTimer;
  const armIdle = () => {
    clearTimeout(idleTimer);
    if (clients === 0) idleTimer = setTimeout(shutdown, idleMs);
  };
  const server = createServer((socket) => {
    clients++;
    armIdle();
    socket.on('error', () => {});
    socket.on('close', () => {
      clients--;
      armIdle();
    });
    messages(socket, (message) => {
      if (message.op === 'stop') {
        send(socket, { type: 'stopping', pid: process.pid });
        shutdown();
      } else if (message.op === 'status') send(socket, { type: 'status', pid: process.pid, pgid: Number(procStat()[2]), runs: runs.size });
      else if (message.op === 'ping') send(socket, { type: 'pong', pid: process.pid });
      else if (message.op === 'run') startRun(socket, message, { self, runs });
    });
  });
  await new Promise((resolve) => {
    server.once('error', () => process.exit(0)); // lost a start-up race: the other daemon serves
    server.listen(path, resolve);
  });
  writeFileSync(join(dirname(path), 'encored.pid'), String(process.pid));
  armIdle();
  let stopping = false;
  function shutdown() {
    if (stopping) return;
    stopping = true;
    for (const run of runs) run.stop(0);
    server.close();
    rmSync(path, { force: true });
    rmSync(join(dirname(path), 'encored.pid'), { force: true });
    // Apps get their interrupt; then the daemon goes (its apps exit when their IPC channel closes).
    setTimeout(() => process.exit(0), 100);
  }
  // The real daemon exits when its socket file is removed; a removed test dir takes it away too.
  setInterval(() => {
    if (!existsSync(path) || (lifeline && !existsSync(lifeline))) shutdown();
  }, 250);
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/** One `encore run`: bind --listen, spawn the app, proxy to it; stop shortly after the client goes. */
function startRun(client, request, { self, runs }) {
  const connections = new Set();
  let app;
  let appPort;
  const appReady = new Promise((resolve) => {
    request.resolveApp = resolve;
  });
  const listener = request.noListen
    ? undefined
    : createServer((socket) => {
        connections.add(socket);
        socket.on('close', () => connections.delete(socket));
        socket.on('error', () => {});
        void appReady.then(() => {
          const upstream = connect(appPort, '127.0.0.1');
          connections.add(upstream);
          upstream.on('close', () => connections.delete(upstream));
          upstream.on('error', () => socket.destroy());
          socket.on('close', () => upstream.destroy());
          socket.pipe(upstream).pipe(socket);
        });
      });
  let stopped = false;
  const run = {
    stop(delayMs) {
      if (stopped) return;
      stopped = true;
      setTimeout(() => {
        listener?.close();
        for (const socket of connections) socket.destroy();
        if (app && app.exitCode === null && app.signalCode === null) {
          app.kill('SIGINT'); // then kill after 10 s, as cli/daemon/run gracefulShutdownTime
          setTimeout(() => app.kill('SIGKILL'), 10_000).unref();
        }
        runs.delete(run);
      }, delayMs);
    },
  };
  runs.add(run);
  client.on('close', () => run.stop(request.stopDelayMs));
  const startApp = () => {
    app = spawn(process.execPath, [self, '__app'], { cwd: request.cwd, env: request.env, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    app.on('message', (message) => {
      appPort = message.port;
      request.resolveApp();
      send(client, { type: 'listening' });
    });
    app.on('error', () => {});
  };
  if (!listener) {
    startApp();
    return;
  }
  listener.once('error', async (error) => {
    if (error.code === 'EADDRINUSE') {
      send(client, { type: 'port-in-use', suggestion: await nextFreePort(request.host, request.port + 1) });
    } else {
      send(client, { type: 'error', message: `listen tcp ${request.host}:${request.port}: ${error.code}` });
    }
    runs.delete(run);
    stopped = true;
  });
  listener.listen({ host: request.host, port: request.port, exclusive: true }, startApp);
}

async function nextFreePort(host, from) {
  for (let port = from; port < from + 100; port++) {
    const free = await new Promise((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  return from;
}

/** The "app": what the daemon builds and runs. It answers HTTP on a loopback port the daemon proxies to. */
function runApp() {
  if (env.STANDIN_LOG) {
    const [, , pgid] = procStat().slice(0, 3);
    appendFileSync(
      env.STANDIN_LOG,
      `${JSON.stringify({ tool: 'encore-app', argv: [], pid: process.pid, pgid: Number(pgid), env: { ...env }, time: Date.now() })}\n`,
    );
  }
  const server = createHttpServer((req, res) => res.end(JSON.stringify({ ok: true, path: req.url })));
  server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
  process.on('SIGINT', () => {
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  });
  process.on('disconnect', () => process.exit(0)); // the daemon went away
}

// ---------------------------------------------------------------------------------------------------
// encore run

const RUN_FLAGS = {
  ...GLOBAL_FLAGS,
  watch: { short: 'w', type: 'bool' },
  listen: { type: 'string' },
  port: { short: 'p', type: 'uint' },
  debug: { type: 'string', optional: 'enabled' },
  level: { short: 'l', type: 'string' },
  browser: { type: 'string' },
  json: { type: 'bool' },
  color: { type: 'bool' },
  redact: { type: 'bool' },
  namespace: { short: 'n', type: 'string' },
};

function parseRunFlags(args) {
  const { flags, positional } = parseFlags(args, RUN_FLAGS);
  if (positional.length > 0) fail(`Error: unknown command "${positional[0]}" for "encore run"`);
  if (flags.debug !== undefined && !['enabled', 'break'].includes(flags.debug)) {
    fail(`Error: invalid argument "${flags.debug}" for "--debug" flag: invalid debug mode`);
  }
  if (flags.browser !== undefined && !['auto', 'never', 'always'].includes(flags.browser)) {
    fail(`Error: invalid argument "${flags.browser}" for "--browser" flag`);
  }
  if (flags.level !== undefined && !['trace', 'debug', 'info', 'warn', 'error'].includes(flags.level)) {
    fail(`error: invalid log level ${JSON.stringify(flags.level)}`);
  }
  return flags;
}

function parseListen(listen, port) {
  const match = /^(\[[^\]]+\]|[^:]*):(\d+)$/.exec(listen);
  if (!match) return parseListen(`${listen}:${port}`, port);
  const host = match[1].replace(/^\[(.*)\]$/, '$1');
  if (!(host === 'localhost' || isIP(host))) fail(`error: failed to parse listen address ${JSON.stringify(listen)}`);
  return { host, port: Number(match[2]) };
}

const ANSI = (text) => `\x1b[36m${text}\x1b[0m`;

async function run(args) {
  record();
  const flags = parseRunFlags(args);
  const { host, port } = parseListen(flags.listen || 'localhost', Number(flags.port ?? 4000));
  const app = findApp();
  if (app === undefined) fail(NO_APP);

  let daemon;
  if (env.STANDIN_ENCORE_IGNORE_SIGNALS) {
    process.on('SIGINT', () => {});
    process.on('SIGTERM', () => {});
  } else {
    // The client traps SIGINT only, ends its stream to the daemon and exits 0; SIGTERM kills it at once.
    process.on('SIGINT', () => {
      daemon?.end();
      process.exit(0);
    });
  }
  if (env.STANDIN_ENCORE_GRANDCHILD) spawn('sleep', ['1000'], { stdio: 'ignore' });
  const exitAfter = env.STANDIN_ENCORE_EXIT_AFTER_MS;
  if (exitAfter !== undefined) {
    setTimeout(() => {
      process.stderr.write('encore: the app process exited unexpectedly\n');
      if (env.STANDIN_ENCORE_EXIT_SIGNAL) process.kill(process.pid, env.STANDIN_ENCORE_EXIT_SIGNAL);
      else process.exit(Number(env.STANDIN_ENCORE_EXIT_CODE ?? 1));
    }, Number(exitAfter));
  }

  daemon = await connectDaemon();
  daemon.on('error', () => {});
  daemon.on('close', () => fail('encore: lost connection to the encore daemon'));
  const reply = new Promise((resolve) => messages(daemon, resolve));
  send(daemon, {
    op: 'run',
    host,
    port,
    noListen: Boolean(env.STANDIN_ENCORE_NO_LISTEN),
    stopDelayMs: Number(env.STANDIN_ENCORE_DAEMON_STOP_DELAY_MS ?? 300),
    cwd: app.root,
    env: { ...env },
  });

  for (const step of ['Building Encore application graph', 'Analyzing service topology', 'Compiling application source code']) {
    process.stderr.write(`encore: ${step}...\n`);
    process.stderr.write(`encore: ${step} done (0.0s)\n`);
  }
  const answer = await reply;
  if (answer.type === 'port-in-use') {
    process.stderr.write(`Failed to run on ${host}:${port} - port is already in use\n`);
    process.stderr.write(
      `Note: address ${host}:${answer.suggestion} is available; specify --listen=${host}:${answer.suggestion} to use it\n`,
    );
    process.exit(1);
  } else if (answer.type === 'error') {
    fail(`error: ${answer.message}`);
  }
  if (!env.STANDIN_ENCORE_NO_BANNER) {
    await sleep(Number(env.STANDIN_ENCORE_BANNER_DELAY_MS ?? 30));
    const apiHost = host.includes(':') ? `[${host}]` : host;
    process.stderr.write(
      `\n  Encore development server running!\n\n  Your API is running at:     ${ANSI(`http://${apiHost}:${port}`)}\n  Development Dashboard URL:  ${ANSI(`http://localhost:9400/${app.id || 'local-app'}`)}\n\n`,
    );
  }
  if (env.STANDIN_ENCORE_LOG_LEVELS) {
    for (const [marker, text] of [
      ['TRC', 'trace detail'],
      ['DBG', 'debug detail'],
      ['INF', 'request handled'],
      ['WRN', 'slow query'],
      ['ERR', 'handler failed'],
    ]) {
      process.stdout.write(`\x1b[90m3:04PM\x1b[0m ${marker} ${text} endpoint=World service=hello\n`);
    }
  }
  for (const name of list(env.STANDIN_ENCORE_PRINT_ENV)) {
    const value = env[name] ?? '';
    const half = Math.floor(value.length / 2);
    process.stdout.write(`3:04PM INF loaded ${name}=${value.slice(0, half)}`);
    await sleep(30);
    process.stdout.write(`${value.slice(half)} from the environment\n`);
  }
  const flood = Number(env.STANDIN_ENCORE_FLOOD_LINES ?? 0);
  if (flood > 0) {
    await sleep(Number(env.STANDIN_ENCORE_FLOOD_DELAY_MS ?? 0));
    await floodLines(flood);
  }
  await emit(env.STANDIN_ENCORE_EMIT);
  setInterval(() => {}, 1 << 30);
}

async function floodLines(count) {
  const line = '3:04PM INF request handled endpoint=World service=hello duration=0.42ms trace_id=0123456789abcdef\n';
  const batch = line.repeat(1000);
  process.stderr.write(`encore: flood start ${performance.timeOrigin + performance.now()}\n`);
  for (let written = 0; written < count; written += 1000) {
    const text = count - written >= 1000 ? batch : line.repeat(count - written);
    if (!process.stdout.write(text)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
  process.stderr.write('encore: flood done\n');
}

/** Awkward output a real process may produce: the supervisor must survive all of it. */
async function emit(kind) {
  const write = (data) => new Promise((resolve) => process.stdout.write(data, resolve));
  if (kind === 'invalid-utf8') {
    await write(Buffer.from([0x33, 0x3a, 0x30, 0x34, 0x20, 0xff, 0xfe, 0xc3, 0x28, 0x0a, 0xe2, 0x82]));
    await write(Buffer.from(' tail after a cut sequence\n'));
  } else if (kind === 'huge-line') {
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    for (let i = 0; i < 10; i++) await write(chunk);
    await write('\nafter the huge line\n');
  } else if (kind === 'close-stdout') {
    process.stdout.end();
    process.stderr.write('encore: stdout closed\n');
  }
}

// ---------------------------------------------------------------------------------------------------
// encore build docker (cli/cmd/encore/build.go; messages from cli/daemon/export/export.go)

const BUILD_FLAGS = {
  ...GLOBAL_FLAGS,
  push: { short: 'p', type: 'bool' },
  base: { type: 'string' },
  os: { type: 'string' },
  arch: { type: 'string' },
  cgo: { type: 'bool' },
  'skip-config': { type: 'bool' },
  config: { type: 'string' },
  services: { type: 'slice' },
  gateways: { type: 'slice' },
};

async function buildDocker(args) {
  record();
  const { flags, positional } = parseFlags(args, BUILD_FLAGS);
  if (positional.length !== 1) fail(`Error: accepts 1 arg(s), received ${positional.length}`);
  const [tag] = positional;
  const app = findApp();
  if (app === undefined) fail(NO_APP);
  const daemon = await connectDaemon(); // the export runs in the daemon
  daemon.on('error', () => {});
  daemon.end();
  const log = (level, message) => process.stderr.write(`4:22PM ${level} ${message}\n`);
  log('INF', `compiling Encore application for ${flags.os ?? 'linux'}/${flags.arch ?? 'amd64'}`);
  for (const name of list(env.STANDIN_ENCORE_PRINT_ENV)) log('DBG', `build env ${name}=${env[name] ?? ''}`);
  await sleep(Number(env.STANDIN_ENCORE_BUILD_SLEEP_MS ?? 0));
  if (!/^[\w.\-/:]+$/.test(tag)) fail('4:22PM ERR invalid image tag');
  const failure = env.STANDIN_ENCORE_BUILD_FAIL;
  if (failure === 'compile') fail('4:22PM ERR compilation failed: src/hello.ts(3,7): Type error: Cannot find name "wrld"');
  log('INF', 'building docker image');
  if (flags.push) {
    log('INF', 'pushing image to docker registry');
    log('INF', 'pushing docker image to container registry');
    const registry = tag.split('/')[0];
    if (failure === 'push') {
      fail(`4:22PM ERR unable to push docker image error="PUT https://${registry}/v2/: UNAUTHORIZED: authentication required"`);
    }
    if (failure === 'push-refused') {
      // go-containerregistry retries a refused connection before giving up: the same line, three times.
      for (let attempt = 0; attempt < 3; attempt++) log('WRN', `retrying push error="dial tcp ${registry}: connect: connection refused"`);
      fail(
        `4:22PM ERR unable to push docker image error="Get \\"https://${registry}/v2/\\": dial tcp ${registry}: connect: connection refused"`,
      );
    }
    log('INF', 'successfully pushed docker image');
  } else {
    log('INF', 'saving image to local docker daemon');
    if (failure === 'save') {
      fail(
        '4:22PM ERR unable to save docker image error="Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"',
      );
    }
    log('INF', 'successfully saved local docker image');
  }
  log('INF', 'successfully exported app as docker image');
}

// ---------------------------------------------------------------------------------------------------

const [command, sub, ...rest] = argv;
if (command === 'version') await version(argv.slice(1));
else if (command === 'secret' && sub === 'set') await secretSet(rest);
else if (command === 'run') await run(argv.slice(1));
else if (command === 'build' && sub === 'docker') await buildDocker(rest);
else if (command === 'daemon') await daemonCommand(argv.slice(1));
else if (command === '__app') runApp();
else {
  record();
  fail(`Error: unknown command "${argv.join(' ')}" for "encore"`);
}
