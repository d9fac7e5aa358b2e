import { basename } from 'node:path';
import { type Operation, StagecraftError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { Progress } from '../logging/progress.js';
import { assertPortFree } from '../net/port.js';
import { resolveProjectPath } from '../paths.js';
import { formatHostPort, type HostPort, parseHostPort } from '../provider-kit/host-port.js';
import type { ProcessSpec, ReadySpec } from '../provider-kit/process-schema.js';
import { requireExecutable } from './executable.js';
import { formatSeconds, httpReadiness, logLineReadiness, probeHosts, type ReadinessCheck, tcpReadiness } from './readiness.js';
import type { Runner } from './start-child.js';
import { superviseDevServer } from './supervise.js';

export interface RunProcessOptions {
  readonly spec: ProcessSpec;
  /** The whole environment of the process, already merged and expanded. */
  readonly env: Readonly<Record<string, string>>;
  readonly projectRoot: string;
  readonly runner: Runner;
  /** Its records carry the component's fields and prefix. */
  readonly logger: Logger;
  readonly progress?: Progress;
  readonly provider: string;
  readonly operation: Operation;
  /** Aborted when the process must stop (the user's stop, or another component failed). */
  readonly signal: AbortSignal;
  /** Where the config names the command, for the message when the program is missing. */
  readonly commandField: string;
  /** `--listen` for the backend: replaces the readiness target's host:port. */
  readonly listen?: HostPort | undefined;
  /** Name in messages; default: the program's base name. */
  readonly displayName?: string;
  readonly oneshot?: boolean;
  readonly onReady?: () => void;
  /** How a TCP readiness target is shown: http:// for servers (default), tcp:// for services that may speak anything. */
  readonly tcpScheme?: 'http' | 'tcp';
}

/** Restarts allowed by `restart: on-failure`, and the pause before each: small and capped, so a crash loop ends soon. */
export const RESTART_BACKOFF_MS = [250, 1000, 2000] as const;

/**
 * Runs one process of the one process schema until `signal` aborts: checks the program exists and that
 * nobody else answers its readiness target, then supervises it, restarting it on failure when asked to.
 */
export async function runProcess(options: RunProcessOptions): Promise<void> {
  const { spec, env } = options;
  const [program, ...args] = spec.command as [string, ...string[]];
  const cwd = resolveProjectPath(options.projectRoot, spec.workdir);
  const command = requireExecutable(program, {
    env,
    cwd,
    provider: options.provider,
    operation: options.operation,
    installHint: `Check ${options.commandField}[0] ("${program}") and your PATH.`,
  });
  const displayName = options.displayName ?? basename(program);
  const ready = options.oneshot ? undefined : spec.ready;
  const address = listenAddress(ready, options.listen);
  if (address !== undefined) {
    // Someone else answering the probe would otherwise be reported as our process being ready.
    await assertPortFree({ ...address, probeHosts: probeHosts(address.host), provider: options.provider, operation: options.operation });
  }
  options.logger.info(`starting ${spec.command.join(' ')}`);
  const supervise = () =>
    superviseDevServer({
      runner: options.runner,
      command,
      args,
      cwd,
      env,
      logger: options.logger,
      provider: options.provider,
      operation: options.operation,
      displayName,
      stop: { signal: spec.stopSignal, graceMs: spec.stopTimeoutMs },
      signal: options.signal,
      readiness: ready
        ? { check: readinessCheck(ready, options.listen, options.tcpScheme ?? 'http'), timeoutMs: ready.timeoutMs }
        : undefined,
      progress: options.progress,
      oneshot: options.oneshot,
      onReady: once(options.onReady),
    });
  if (spec.restart === 'on-failure' && !options.oneshot) await superviseWithRestarts(supervise, options, displayName);
  else await supervise();
}

/** Restarts after an exit nobody asked for; a readiness timeout or a missing program is not retried. */
async function superviseWithRestarts(supervise: () => Promise<void>, options: RunProcessOptions, displayName: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await supervise();
      return;
    } catch (error) {
      const backoff = RESTART_BACKOFF_MS[attempt];
      if (!isUnaskedExit(error) || backoff === undefined || options.signal.aborted) throw error;
      options.logger.warn(
        `${displayName} exited (${(error as StagecraftError).message}); restarting in ${formatSeconds(backoff)} (${attempt + 1} of ${RESTART_BACKOFF_MS.length})`,
      );
      if (!(await pause(backoff, options.signal))) return;
    }
  }
}

function isUnaskedExit(error: unknown): boolean {
  return (
    error instanceof StagecraftError &&
    error.category === 'DEV_SERVER_FAILED' &&
    (error.exitCode !== undefined || error.signal !== undefined)
  );
}

/** Waits `ms`; false if the stop came first. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function once(callback: (() => void) | undefined): (() => void) | undefined {
  if (callback === undefined) return undefined;
  let called = false;
  return () => {
    if (called) return;
    called = true;
    callback();
  };
}

function readinessCheck(ready: ReadySpec, listen: HostPort | undefined, tcpScheme: 'http' | 'tcp'): ReadinessCheck {
  if (ready.tcp !== undefined) {
    const target = listen ?? (parseHostPort(ready.tcp) as HostPort);
    return tcpReadiness(probeHosts(target.host), target.port, `${tcpScheme}://${formatHostPort(target.host, target.port)}`);
  }
  if (ready.http !== undefined) return httpReadiness(ready.http);
  return logLineReadiness(new RegExp(ready.log as string));
}

/** Where the process will listen, when the config says: --listen, else the TCP or HTTP readiness target. */
function listenAddress(ready: ReadySpec | undefined, listen: HostPort | undefined): HostPort | undefined {
  if (listen !== undefined) return listen;
  if (ready?.tcp !== undefined) return parseHostPort(ready.tcp);
  if (ready?.http !== undefined) {
    const url = new URL(ready.http);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    return { host: url.hostname, port };
  }
  return undefined;
}
