import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { monotonicMs } from '../clock.js';
import { formatHostPort } from '../provider-kit/host-port.js';

// Loaded on first use: https pulls in TLS, which no other command needs. A require, not a dynamic
// import(): the bundle is CommonJS and its code cache (compile-cache.ts) supports no native import().
const requireBuiltin = createRequire(import.meta.url);

/**
 * How Stagecraft knows a dev server is up. A check may watch output lines (`observe`) and/or poll
 * something (`wait`); `waitUntilReady` bounds it with a timeout.
 */
export interface ReadinessCheck {
  /** Where the server can be reached, shown to the user once it is ready ("" when unknown). */
  readonly url: string;
  /** What is being waited for, for messages ("TCP 127.0.0.1:4000"). */
  readonly description: string;
  /** Sees every output line of the child, ANSI codes removed. */
  observe?(line: string): void;
  /** Resolves once ready; rejects with the signal's reason when aborted. */
  wait(signal: AbortSignal): Promise<void>;
}

/**
 * Probes come every 20 ms for the first 2 s, then every 100 ms. In a whole environment each dependant waits
 * for its dependencies' readiness, so a coarse interval adds up along a chain (measured: bench case 7); a
 * loopback connect or GET every 20 ms costs nothing worth counting, and a server slower than 2 s is polled gently.
 */
const FAST_POLL_MS = 20;
const FAST_POLL_FOR_MS = 2000;
const POLL_INTERVAL_MS = 100;
const ATTEMPT_TIMEOUT_MS = 1000;

export class ReadinessTimeoutError extends Error {
  constructor(check: ReadinessCheck, timeoutMs: number) {
    super(`not ready after ${formatSeconds(timeoutMs)}: still waiting for ${check.description}`);
    this.name = 'ReadinessTimeoutError';
  }
}

/** Waits for `check`; rejects with ReadinessTimeoutError after `timeoutMs`, or the abort reason. */
export async function waitUntilReady(
  check: ReadinessCheck,
  options: { readonly timeoutMs: number; readonly signal: AbortSignal },
): Promise<{ elapsedMs: number }> {
  const startedAt = monotonicMs();
  const controller = new AbortController();
  const timeout = new ReadinessTimeoutError(check, options.timeoutMs);
  const timer = setTimeout(() => controller.abort(timeout), options.timeoutMs);
  const forward = () => controller.abort(options.signal.reason);
  options.signal.addEventListener('abort', forward, { once: true });
  if (options.signal.aborted) forward();
  try {
    await check.wait(controller.signal);
    return { elapsedMs: monotonicMs() - startedAt };
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', forward);
  }
}

/**
 * Ready when a line of output matches `pattern`. If the pattern has a capture group, what it captured
 * becomes the URL shown to the user (`listening on (http://\S+)`); otherwise `url`.
 */
export function logLineReadiness(pattern: RegExp, url = ''): ReadinessCheck {
  let seen = false;
  let captured: string | undefined;
  let notify: (() => void) | undefined;
  return {
    get url() {
      return captured ?? url;
    },
    description: `a log line matching /${pattern.source}/`,
    observe(line) {
      if (seen) return;
      const match = pattern.exec(line);
      if (match === null) return;
      seen = true;
      captured = match[1];
      notify?.();
    },
    wait(signal) {
      if (seen) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        notify = resolve;
        onAbort(signal, reject);
      });
    },
  };
}

/**
 * Ready when a TCP connection to one of `hosts` at `port` succeeds. Several hosts cover wildcard
 * listen addresses: a server on `0.0.0.0` or `::` is probed on both loopback addresses.
 */
export function tcpReadiness(hosts: readonly string[], port: number, url: string): ReadinessCheck {
  return {
    url,
    description: `a TCP connection to ${hosts.map((host) => formatHostPort(host, port)).join(' or ')}`,
    wait: (signal) => poll(signal, () => anyOf(hosts.map((host) => tcpConnects(host, port)))),
  };
}

/** Ready when `url` answers a GET with any status below 500 (a 404 still proves the server is up). */
export function httpReadiness(url: string): ReadinessCheck {
  return {
    url,
    description: `an HTTP response from ${url}`,
    wait: (signal) => poll(signal, () => httpAnswers(url)),
  };
}

/** Ready when every check is ready (e.g. Encore's banner has appeared and its port accepts connections). */
export function allReadiness(checks: readonly ReadinessCheck[], url: string): ReadinessCheck {
  const pending = new Set(checks);
  return {
    url,
    get description() {
      return [...pending].map((check) => check.description).join(' and ');
    },
    observe(line) {
      for (const check of checks) check.observe?.(line);
    },
    wait: (signal) => Promise.all(checks.map((check) => check.wait(signal).then(() => void pending.delete(check)))).then(() => {}),
  };
}

/** Hosts to probe for a listen host: wildcards are reached through loopback. */
export function probeHosts(listenHost: string): string[] {
  if (listenHost === '0.0.0.0' || listenHost === '') return ['127.0.0.1'];
  if (listenHost === '::' || listenHost === '[::]') return ['::1', '127.0.0.1'];
  return [listenHost.replace(/^\[(.*)\]$/, '$1')];
}

export function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

async function poll(signal: AbortSignal, attempt: () => Promise<boolean>): Promise<void> {
  const started = monotonicMs();
  for (;;) {
    signal.throwIfAborted();
    if (await attempt()) return;
    await sleep(monotonicMs() - started < FAST_POLL_FOR_MS ? FAST_POLL_MS : POLL_INTERVAL_MS, signal);
  }
}

/** Waits `ms`, or rejects with the abort reason; its abort listener is removed either way. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      // One listener per attempt would pile up: 1200 after two minutes, and a MaxListenersExceededWarning.
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function onAbort(signal: AbortSignal, reject: (reason: unknown) => void): void {
  if (signal.aborted) reject(signal.reason);
  else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
}

async function anyOf(attempts: readonly Promise<boolean>[]): Promise<boolean> {
  const results = await Promise.all(attempts);
  return results.includes(true);
}

function tcpConnects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ATTEMPT_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function httpAnswers(url: string): Promise<boolean> {
  const { request } = requireBuiltin(url.startsWith('https:') ? 'node:https' : 'node:http') as typeof import('node:https');
  return new Promise((resolve) => {
    // Self-signed certificates are the norm for local HTTPS; any answer proves the server is up.
    const req = request(url, { method: 'GET', timeout: ATTEMPT_TIMEOUT_MS, rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
    req.end();
  });
}
