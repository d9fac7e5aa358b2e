import { monotonicMs } from '../../core/clock.js';
import type { Logger } from '../../core/logging/logger.js';
import { resolveProjectPath } from '../../core/paths.js';
import { formatArgv } from '../../core/process/format-argv.js';
import {
  allReadiness,
  formatSeconds,
  logLineReadiness,
  probeHosts,
  type ReadinessCheck,
  tcpReadiness,
} from '../../core/process/readiness.js';
import { superviseDevServer } from '../../core/process/supervise.js';
import type { DevOptions } from '../../core/provider.js';
import { listenUrl, parseListenFlag } from '../../core/provider-kit/host-port.js';
import { type EncoreBinary, locateEncore, supports } from './binary.js';
import { findEncoreApp } from './encore-app.js';
import { encoreEnvironment } from './environment.js';
import { ENCORE_PROVIDER_ID } from './ids.js';
import { ensureListenAddressFree, type ListenTarget, RELEASE_WAIT_MS, waitUntilFree } from './listen-port.js';
import { encoreLineLevel, explainEncoreExit } from './log-lines.js';
import type { EncoreConfig, EncoreDevConfig } from './schema.js';
import { syncSecrets } from './secrets.js';
import { FLAG_SINCE } from './version.js';

const READY_BANNER = /Encore development server running!/;
const HEARTBEAT_MS = 5 * 60_000;

/**
 * `stagecraft dev` for Encore.ts (spec §4): preflight (binary, version, encore.app), secrets, then
 * `encore run` supervised until the user stops it. The Encore daemon that `encore run` talks to lives in
 * its own process group and is never touched.
 */
export async function runEncoreDev(options: DevOptions<EncoreConfig>, dev: EncoreDevConfig): Promise<void> {
  const { logger, runner, signal } = options;
  const listen = resolveListen(options.listen, dev.listen);
  const workdir = resolveProjectPath(options.projectRoot, dev.workdir);
  const env = encoreEnvironment(options.env, options.config, options.projectRoot);

  const encore = await locateEncore({ runner, env, cwd: workdir, logger, signal, operation: 'dev' });
  // Before secrets are written or anything started: someone else's server on the address would answer
  // the readiness probe for us.
  await ensureListenAddressFree(listen, encore.path, logger, signal);
  const app = findEncoreApp(workdir, options.projectRoot, 'backend.providers.encore-ts.dev.workdir', 'dev');
  if (app.lang !== 'typescript') {
    logger.warn(`${app.file} has lang ${JSON.stringify(app.lang ?? 'go')}; this provider is for Encore.ts apps ("lang": "typescript")`);
  }
  if (dev.encore_secrets) {
    await syncSecrets({
      config: dev.encore_secrets,
      env,
      app,
      encore,
      runner,
      logger,
      secrets: options.secrets,
      signal,
      progress: options.progress,
    });
  }

  const args = runArguments(dev, `${listen.raw}`, encore, logger);
  logger.info(`starting ${formatArgv(['encore', ...args])} in ${workdir}`);
  const url = listenUrl(listen.host, listen.port);
  await superviseDevServer({
    runner,
    command: encore.path,
    args,
    cwd: workdir,
    env,
    logger,
    provider: ENCORE_PROVIDER_ID,
    operation: 'dev',
    displayName: 'encore run',
    classify: encoreLineLevel,
    // The client handles SIGINT only (and exits 0); SIGTERM would kill it before it tells the daemon.
    stop: { signal: 'SIGINT', graceMs: dev.stop_timeout },
    signal,
    readiness: { check: encoreReadiness(listen.host, listen.port, url), timeoutMs: dev.ready_timeout },
    progress: options.progress,
    heartbeat: { intervalMs: HEARTBEAT_MS, message: 'encore dev still running' },
    explainExit: explainEncoreExit,
    onReady: options.onReady,
  });
  // superviseDevServer returned: the user stopped it.
  await awaitRelease(listen, logger);
}

/**
 * After `encore run` stopped, the client is gone but the address is the daemon's, released shortly
 * afterwards: wait for it, so a restart right now finds it free (or say that it may not).
 */
async function awaitRelease(listen: ListenTarget, logger: Logger): Promise<void> {
  const startedAt = monotonicMs();
  if (await waitUntilFree(listen, RELEASE_WAIT_MS)) {
    logger.debug(`${listen.raw} released by Encore's daemon after ${formatSeconds(monotonicMs() - startedAt)}`);
  } else {
    logger.warn(
      `Encore's daemon still holds ${listen.raw} ${formatSeconds(RELEASE_WAIT_MS)} after encore run stopped; a restart may find it busy`,
    );
  }
}

/** `stagecraft dev --listen` wins over dev.listen; a bad flag value is a usage error. */
function resolveListen(flag: string | undefined, configured: string): ListenTarget {
  const raw = flag ?? configured;
  return { raw, ...parseListenFlag(raw, 'ip-or-localhost', { provider: ENCORE_PROVIDER_ID }) };
}

/**
 * `encore run --debug --verbose --watch --listen <addr> --browser=never` adjusted by the config (spec
 * §4.4). `--watch` is passed explicitly because `--debug` turns watching off unless it is; `--debug=break`
 * needs the `=` (a space would be read as a separate argument).
 */
export function runArguments(dev: EncoreDevConfig, listen: string, encore: EncoreBinary, logger: Logger): string[] {
  const args = ['run'];
  if (dev.debug === 'enabled') args.push('--debug');
  if (dev.debug === 'break') args.push('--debug=break');
  if (dev.verbose) args.push('--verbose');
  args.push(dev.watch ? '--watch' : '--watch=false');
  args.push('--listen', listen, `--browser=${dev.browser}`);
  if (dev.log_level !== undefined) {
    if (supports(encore, FLAG_SINCE['--level'])) {
      args.push(`--level=${dev.log_level}`);
    } else {
      logger.warn(`dev.log_level needs Encore v${FLAG_SINCE['--level']} or later (--level); this encore is older, so it is left out`);
    }
  }
  return args;
}

/** Ready when the banner has appeared and the listen address accepts a TCP connection (spec §4.5). */
function encoreReadiness(host: string, port: number, url: string): ReadinessCheck {
  return allReadiness([logLineReadiness(READY_BANNER, url), tcpReadiness(probeHosts(host), port, url)], url);
}
