import { createServer } from 'node:net';
import { basename } from 'node:path';
import { monotonicMs } from '../../core/clock.js';
import { StagecraftError } from '../../core/errors.js';
import type { Logger } from '../../core/logging/logger.js';
import { addressInUse } from '../../core/net/port.js';
import { formatSeconds } from '../../core/process/readiness.js';
import { formatHostPort } from '../../core/provider-kit/host-port.js';
import { ENCORE_PROVIDER_ID } from './ids.js';
import { findPortHolder, isEncoreDaemon, type PortHolder } from './port-holder.js';

/**
 * The listen address belongs to Encore's daemon, not to `encore run`: the daemon binds it, proxies to
 * the app, and releases it shortly after the client is gone (cli/daemon/run/run.go). So Stagecraft checks
 * it itself, before and after a run.
 */
export interface ListenTarget {
  readonly host: string;
  readonly port: number;
  /** host:port as the user wrote it. */
  readonly raw: string;
}

const POLL_MS = 50;
/**
 * How long a daemon that still holds the address from a run that just stopped gets to release it: the
 * daemon gives the app 10 s to exit (gracefulShutdownTime in cli/daemon/run/run.go).
 */
export const RELEASE_WAIT_MS = 10_000;

/** Polls until the address is free; true if it was within `timeoutMs`. */
export async function waitUntilFree(target: ListenTarget, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = monotonicMs() + timeoutMs;
  for (;;) {
    if (!(await addressInUse(target.host, target.port))) return true;
    if (monotonicMs() >= deadline || signal?.aborted) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Before `encore run`: an address held by anything but Encore's daemon fails at once (otherwise the
 * readiness probe could be answered by that other server). One held by Encore's daemon gets a few
 * seconds (a run that just stopped is being released); then `encore run` reports for itself.
 */
export async function ensureListenAddressFree(
  target: ListenTarget,
  encorePath: string,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  if (!(await addressInUse(target.host, target.port))) return;
  const holder = findPortHolder(target.port);
  if (holder !== undefined && isEncoreDaemon(holder, encorePath)) {
    logger.info(
      `${target.raw} is still held by Encore's daemon (pid ${holder.pid}); waiting up to ${formatSeconds(RELEASE_WAIT_MS)} for it`,
    );
    if (await waitUntilFree(target, RELEASE_WAIT_MS, signal)) return;
    signal.throwIfAborted();
    throw portInUse(target, holder, await freePortOn(target.host), true);
  }
  throw portInUse(target, holder, await freePortOn(target.host), false);
}

function portInUse(target: ListenTarget, holder: PortHolder | undefined, free: number | undefined, byEncore: boolean): StagecraftError {
  const who = byEncore
    ? `Encore's daemon (pid ${holder?.pid}) for another \`encore run\``
    : holder
      ? `another process (pid ${holder.pid}, ${basename(holder.argv[0] ?? '?')})`
      : 'another process';
  const suggestion = free === undefined ? 'HOST:PORT' : formatHostPort(target.host, free);
  return new StagecraftError({
    category: 'DEV_SERVER_FAILED',
    provider: ENCORE_PROVIDER_ID,
    operation: 'dev',
    message: `cannot listen on ${target.raw}: the port is already in use by ${who}; encore run was not started`,
    hint: `Stop ${byEncore ? 'that encore run' : 'what holds it'}, or use another address: stagecraft dev --listen ${suggestion}`,
  });
}

/** A port that is free on `host` right now, to suggest. */
function freePortOn(host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(undefined));
    probe.listen({ host, port: 0, exclusive: true }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : undefined;
      probe.close(() => resolve(port));
    });
  });
}
