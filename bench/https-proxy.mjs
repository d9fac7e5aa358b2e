// Case 7 of `npm run bench`: the HTTPS proxy (src/core/https/proxy.ts) side by side with Caddy 2.6 and with
// no proxy, in one run, same mkcert certificate, same upstream (a tiny Node HTTP server in its own process),
// measured with wrk (HTTP/1.1 over TLS; wrk does not speak h2) at 1 and 50 connections.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const HOST = 'app.bench.localhost';
const ROOT = join(import.meta.dirname, '..');

/** Why the case cannot run here, or undefined. */
export function proxyBenchMissing() {
  const missing = ['wrk', 'caddy', 'mkcert'].filter((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error !== undefined);
  return missing.length > 0 ? `${missing.join(', ')} not installed (Debian: apt-get install ${missing.join(' ')})` : undefined;
}

/** Starts a process and resolves with it once `ready` matches its output. */
function startProcess(command, args, { env, ready, started }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    started.add(child);
    let output = '';
    const onData = (chunk) => {
      output += chunk;
      const match = ready.exec(output);
      if (match) resolve({ child, match });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready:\n${output.slice(-2000)}`)));
  });
}

const UPSTREAM = `
const { createServer } = require('node:http');
const body = Buffer.from('hello from the upstream\\n');
const server = createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }); res.end(body); });
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

const DIRECT_TLS = `
const { createServer } = require('node:https');
const { readFileSync } = require('node:fs');
const body = Buffer.from('hello from the upstream\\n');
const server = createServer({ cert: readFileSync(process.argv[1]), key: readFileSync(process.argv[2]) }, (req, res) => { res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }); res.end(body); });
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

/** Parses wrk's output (with --latency): requests/s, p50 and p99 in ms. */
export function parseWrk(text) {
  const toMs = (value, unit) => Number(value) * { us: 0.001, ms: 1, s: 1000, m: 60000 }[unit];
  const percentile = (p) => {
    const match = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
    return match ? toMs(match[1], match[2]) : Number.NaN;
  };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? Number.NaN);
  const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(text)?.[0];
  return { rps, p50: percentile(50), p99: percentile(99), errors };
}

const CLOCK_TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim() || 100);

/** CPU time (user + system) a process has used so far, in ms. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
}

/** One wrk run; with `pid`, also how many cores that process kept busy during it. */
function wrk(url, connections, seconds, pid) {
  const cpuBefore = pid ? cpuMs(pid) : 0;
  const started = performance.now();
  const result = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-H', `Host: ${HOST}`, url], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`wrk ${url}: ${result.stderr}`);
  const parsed = parseWrk(result.stdout);
  if (parsed.errors) throw new Error(`wrk ${url} saw errors (${parsed.errors}):\n${result.stdout}`);
  return { ...parsed, cores: pid ? (cpuMs(pid) - cpuBefore) / (performance.now() - started) : Number.NaN };
}

/**
 * Measures every target at 1 and 50 connections, interleaved and repeated (`rounds`), and returns the
 * medians per target and connection count.
 */
export async function benchProxy({ work, started, seconds, rounds }) {
  const dir = join(work, 'https-proxy');
  mkdirSync(dir, { recursive: true });
  const certFile = join(dir, 'dev-local.pem');
  const keyFile = join(dir, 'dev-local-key.pem');
  const made = spawnSync('mkcert', ['-cert-file', certFile, '-key-file', keyFile, HOST], {
    env: { ...process.env, CAROOT: join(dir, 'ca'), HOME: dir },
    encoding: 'utf8',
  });
  if (made.status !== 0) throw new Error(`mkcert: ${made.stderr}`);

  const upstream = await startProcess(process.execPath, ['-e', UPSTREAM], { ready: /port (\d+)/, started });
  const upstreamUrl = `http://127.0.0.1:${upstream.match[1]}`;
  const directTls = await startProcess(process.execPath, ['-e', DIRECT_TLS, certFile, keyFile], { ready: /port (\d+)/, started });
  const ours = await startProcess(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench', 'proxy-server.mts'), certFile, keyFile, HOST, upstreamUrl],
    {
      ready: /"port":(\d+)/,
      started,
    },
  );
  const caddyPort = await freePort();
  const caddyfile = join(dir, 'Caddyfile');
  writeFileSync(
    caddyfile,
    [
      '{',
      '\tadmin off',
      '\tauto_https off',
      '}',
      // No host in the address: wrk sends SNI 127.0.0.1, and the Host header carries the name (as for ours).
      `https://:${caddyPort} {`,
      '\tbind 127.0.0.1',
      `\ttls ${certFile} ${keyFile}`,
      `\treverse_proxy ${upstreamUrl}`,
      '}',
      '',
    ].join('\n'),
  );
  const caddyEnv = { XDG_DATA_HOME: join(dir, 'caddy-data'), XDG_CONFIG_HOME: join(dir, 'caddy-config'), HOME: dir };
  const caddy = await startProcess('caddy', ['run', '--config', caddyfile, '--adapter', 'caddyfile'], {
    env: caddyEnv,
    ready: /serving initial configuration/,
    started,
  });
  const caddyVersion = spawnSync('caddy', ['version'], { encoding: 'utf8' }).stdout.trim().split(' ')[0];

  const targets = {
    direct: upstreamUrl,
    'direct TLS': `https://127.0.0.1:${directTls.match[1]}`,
    stagecraft: `https://127.0.0.1:${ours.match[1]}`,
    caddy: `https://127.0.0.1:${caddyPort}`,
  };
  const pids = { direct: upstream.child.pid, 'direct TLS': directTls.child.pid, stagecraft: ours.child.pid, caddy: caddy.child.pid };
  const samples = {};
  for (const name of Object.keys(targets)) wrk(targets[name], 1, 1); // warm up: JIT, pools, TLS session
  for (let round = 0; round < rounds; round++) {
    for (const connections of [1, 50]) {
      for (const [name, url] of Object.entries(targets)) {
        const key = `${name}@${connections}`;
        samples[key] ??= [];
        samples[key].push(wrk(url, connections, seconds, pids[name]));
      }
    }
  }
  for (const process of [upstream, directTls, ours]) process.child.kill('SIGTERM');
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const result = {};
  for (const [key, runs] of Object.entries(samples)) {
    result[key] = {
      rps: median(runs.map((r) => r.rps)),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      cores: median(runs.map((r) => r.cores)),
    };
  }
  return { result, caddyVersion };
}

async function freePort() {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
