#!/usr/bin/env node
// Stand-in for the real `encore` CLI (which cannot be installed here). It behaves as
// shared/reference/encore-cli.md describes: same flags, same output strings, same signal handling.
// Every call is recorded as one JSON line in $STANDIN_LOG: {tool, argv, cwd, env, stdin, pid, pgid}.
//
// Knobs (environment variables; all optional):
//   STANDIN_ENCORE_VERSION            version printed by `encore version` (default v1.58.2)
//   STANDIN_ENCORE_VERSION_OUTPUT     exact first line of `encore version` instead
//   STANDIN_ENCORE_VERSION_LINGER_MS  after the version line, "check for updates" this long, then exit 1
//   STANDIN_ENCORE_VERSION_DELAY_MS   wait this long before printing the version line
//   STANDIN_ENCORE_SECRET_FAIL        comma list of secret names whose `secret set` fails (exit 1)
//   STANDIN_ENCORE_SECRET_HANG        comma list of names (or "*") whose `secret set` never finishes
//   STANDIN_ENCORE_SECRET_DELAY_MS    `secret set` takes this long (a network call in reality)
//   STANDIN_ENCORE_SECRET_ECHO        a failing `secret set` echoes the value it read (as a careless tool might)
//   STANDIN_ENCORE_BANNER_DELAY_MS    delay before the ready banner (default 30)
//   STANDIN_ENCORE_NO_BANNER          never print the banner
//   STANDIN_ENCORE_NO_LISTEN          print the banner but never accept connections
//   STANDIN_ENCORE_EXIT_AFTER_MS      exit by itself this long after start, with STANDIN_ENCORE_EXIT_CODE (default 1)
//   STANDIN_ENCORE_EXIT_SIGNAL        ...or by this signal (e.g. SIGSEGV) instead of an exit code
//   STANDIN_ENCORE_IGNORE_SIGNALS     ignore SIGINT and SIGTERM (only SIGKILL ends it)
//   STANDIN_ENCORE_GRANDCHILD         fork `sleep 1000` into the same process group
//   STANDIN_ENCORE_PRINT_ENV          comma list of variables to print (split across two writes; run and build docker)
//   STANDIN_ENCORE_LOG_LEVELS         print one app log line per level (TRC DBG INF WRN ERR)
//   STANDIN_ENCORE_FLOOD_LINES        print this many lines after the banner, as fast as possible
//   STANDIN_ENCORE_FLOOD_DELAY_MS     wait this long after the banner before the flood
//   STANDIN_ENCORE_EMIT               after the banner: invalid-utf8 (bytes that are not UTF-8), huge-line (10 MB
//                                     without a newline, then one), close-stdout (close stdout and keep running)
//   STANDIN_ENCORE_BUILD_FAIL         "compile" or "push": `build docker` fails there
//   STANDIN_ENCORE_BUILD_SLEEP_MS     `build docker` takes this long
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';

const env = process.env;
const argv = process.argv.slice(2);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const list = (value) => (value ? value.split(',').filter(Boolean) : []);
const fail = (message, code = 1) => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};

function record(extra = {}) {
  if (!env.STANDIN_LOG) return;
  const stat = readFileSync('/proc/self/stat', 'latin1');
  const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  const entry = { tool: 'encore', argv, cwd: process.cwd(), env: { ...env }, pid: process.pid, pgid, time: Date.now(), ...extra };
  appendFileSync(env.STANDIN_LOG, `${JSON.stringify(entry)}\n`);
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

function readStdin() {
  return new Promise((resolve) => {
    const chunks = [];
    process.stdin.on('data', (chunk) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

async function version() {
  record();
  await sleep(Number(env.STANDIN_ENCORE_VERSION_DELAY_MS ?? 0));
  process.stdout.write(`${env.STANDIN_ENCORE_VERSION_OUTPUT ?? `encore version ${env.STANDIN_ENCORE_VERSION ?? 'v1.58.2'}`}\n`);
  const linger = Number(env.STANDIN_ENCORE_VERSION_LINGER_MS ?? 0);
  if (linger > 0) {
    await sleep(linger);
    fail('encore: could not check for updates: network unreachable');
  }
}

const SECRET_TYPES = new Set(['development', 'production', 'preview', 'local', 'dev', 'prod', 'pr', 'ephemeral']);

async function secretSet(args) {
  const types = [];
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--type' || arg === '-t') types.push(...list(args[++i]));
    else if (arg.startsWith('--type=')) types.push(...list(arg.slice(7)));
    else if (arg.startsWith('-')) fail(`Error: unknown flag: ${arg}`);
    else positional.push(arg);
  }
  const stdin = await readStdin(); // to EOF: a stdin that is never closed hangs here forever, as the real one does
  record({ stdin });
  const [name] = positional;
  if (positional.length !== 1) fail(`Error: accepts 1 arg(s), received ${positional.length}`);
  if (types.length === 0) fail('error: --type is required');
  for (const type of types) if (!SECRET_TYPES.has(type)) fail(`error: invalid secret type ${JSON.stringify(type)}`);
  const app = findApp();
  if (app === undefined) fail('error: no encore.app found in directory (or any of the parent directories)');
  if (!app.id) fail("error: app is not linked with the Encore Platform (see 'encore app link')");
  const hang = list(env.STANDIN_ENCORE_SECRET_HANG);
  if (hang.includes(name) || hang.includes('*')) {
    // A pending promise alone would let Node exit (code 13); the real call hangs on the network.
    setInterval(() => {}, 1 << 30);
    await new Promise(() => {});
  }
  await sleep(Number(env.STANDIN_ENCORE_SECRET_DELAY_MS ?? 0));
  if (list(env.STANDIN_ENCORE_SECRET_FAIL).includes(name)) {
    if (env.STANDIN_ENCORE_SECRET_ECHO) process.stderr.write(`error: rejected value ${JSON.stringify(stdin)}\n`);
    fail(
      `error: failed to set secret ${name}: rpc error: code = PermissionDenied desc = not allowed to set secrets of type ${types.join(',')}`,
    );
  }
  process.stdout.write(`Successfully updated secret value for ${name}.\n`);
}

/** Flags as the real `encore run` parses them (cobra/pflag): unknown ones and stray values are errors. */
function parseRunFlags(args) {
  const flags = { listen: '', debug: '', watch: true, watchGiven: false, verbose: 0, browser: 'auto', level: '' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [key, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? args[++i];
    switch (key) {
      case '--debug':
        flags.debug = inline ?? 'enabled';
        if (!['enabled', 'break'].includes(flags.debug)) fail(`Error: invalid argument "${flags.debug}" for "--debug" flag`);
        break;
      case '-w':
      case '--watch':
        flags.watch = inline === undefined ? true : inline === 'true';
        flags.watchGiven = true;
        break;
      case '-v':
      case '--verbose':
        if (inline !== undefined) fail(`Error: invalid argument "${inline}" for "-v, --verbose" flag`);
        flags.verbose++;
        break;
      case '--listen':
        flags.listen = value();
        break;
      case '--browser':
        flags.browser = value();
        if (!['auto', 'never', 'always'].includes(flags.browser)) fail(`Error: invalid argument "${flags.browser}" for "--browser" flag`);
        break;
      case '-l':
      case '--level':
        flags.level = value();
        break;
      case '-p':
      case '--port':
        value();
        break;
      default:
        if (arg.startsWith('-')) fail(`Error: unknown flag: ${key}`);
        fail(`Error: unknown command "${arg}" for "encore run"`);
    }
  }
  if (flags.debug && !flags.watchGiven) flags.watch = false;
  return flags;
}

function parseListen(listen) {
  const match = /^(\[[^\]]+\]|[^:]*):(\d+)$/.exec(listen);
  const host = match?.[1].replace(/^\[(.*)\]$/, '$1');
  if (!match || !(host === 'localhost' || isIP(host))) fail(`error: failed to parse listen address ${JSON.stringify(listen)}`);
  return { host, port: Number(match[2]) };
}

const ANSI = (text) => `\x1b[36m${text}\x1b[0m`;

async function run(args) {
  record();
  const flags = parseRunFlags(args);
  const { host, port } = parseListen(flags.listen || '127.0.0.1:4000');
  const app = findApp();
  if (app === undefined) fail('error: no encore.app found in directory (or any of the parent directories)');

  const server = createServer((req, res) => res.end(JSON.stringify({ ok: true, path: req.url })));
  if (env.STANDIN_ENCORE_IGNORE_SIGNALS) {
    process.on('SIGINT', () => {});
    process.on('SIGTERM', () => {});
  } else {
    // The client traps SIGINT only and then exits 0; SIGTERM (default action) kills it at once.
    process.on('SIGINT', () => {
      server.close();
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

  for (const step of ['Building Encore application graph', 'Analyzing service topology', 'Compiling application source code']) {
    process.stderr.write(`encore: ${step}...\n`);
    process.stderr.write(`encore: ${step} done (0.0s)\n`);
  }

  if (!env.STANDIN_ENCORE_NO_LISTEN) {
    const bound = await new Promise((resolve) => {
      server.once('error', (error) => resolve(error));
      server.listen(port, host, () => resolve(undefined));
    });
    if (bound?.code === 'EADDRINUSE') {
      process.stderr.write(`Failed to run on ${host}:${port} - port is already in use\n`);
      process.stderr.write(`Note: address ${host}:${port + 1} is available; specify --listen=${host}:${port + 1} to use it\n`);
      process.exit(1);
    } else if (bound) {
      fail(`error: listen: ${bound.message}`);
    }
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

async function buildDocker(args) {
  record();
  const push = args.includes('--push') || args.includes('-p');
  const positional = args.filter((arg) => !arg.startsWith('-'));
  const [tag] = positional;
  if (positional.length !== 1) fail(`Error: accepts 1 arg(s), received ${positional.length}`);
  const app = findApp();
  if (app === undefined) fail('error: no encore.app found in directory (or any of the parent directories)');
  const arch = args.find((arg) => arg.startsWith('--arch='))?.slice(7) ?? 'amd64';
  process.stderr.write(`4:22PM INF compiling Encore application for linux/${arch}\n`);
  for (const name of list(env.STANDIN_ENCORE_PRINT_ENV)) process.stderr.write(`4:22PM DBG build env ${name}=${env[name] ?? ''}\n`);
  await sleep(Number(env.STANDIN_ENCORE_BUILD_SLEEP_MS ?? 0));
  if (!/^[\w.\-/:]+$/.test(tag)) fail('4:22PM ERR invalid image tag');
  if (env.STANDIN_ENCORE_BUILD_FAIL === 'compile')
    fail('4:22PM ERR compilation failed: src/hello.ts(3,7): Type error: Cannot find name "wrld"');
  if (push) {
    process.stderr.write('4:22PM INF pushing image to docker registry\n');
    process.stderr.write('4:22PM INF pushing docker image to container registry\n');
    if (env.STANDIN_ENCORE_BUILD_FAIL === 'push')
      fail('4:22PM ERR unable to push docker image error="UNAUTHORIZED: authentication required"');
    process.stderr.write('4:22PM INF successfully pushed docker image\n');
  } else {
    process.stderr.write('4:22PM INF saving image to local docker daemon\n');
    process.stderr.write('4:22PM INF successfully saved local docker image\n');
  }
  process.stderr.write('4:22PM INF successfully exported app as docker image\n');
}

const [command, sub, ...rest] = argv;
if (command === 'version') await version();
else if (command === 'secret' && sub === 'set') await secretSet(rest);
else if (command === 'run') await run(argv.slice(1));
else if (command === 'build' && sub === 'docker') await buildDocker(rest);
else {
  record();
  fail(`Error: unknown command "${argv.join(' ')}" for "encore"`);
}
