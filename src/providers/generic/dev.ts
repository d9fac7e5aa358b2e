import { basename } from 'node:path';
import { assertPortFree } from '../../core/net/port.js';
import { resolveProjectPath } from '../../core/paths.js';
import { requireExecutable } from '../../core/process/executable.js';
import { httpReadiness, logLineReadiness, probeHosts, type ReadinessCheck, tcpReadiness } from '../../core/process/readiness.js';
import { superviseDevServer } from '../../core/process/supervise.js';
import type { DevOptions } from '../../core/provider.js';
import { maskDeclaredSecrets } from '../../core/provider-kit/declared-secrets.js';
import { formatHostPort, type HostPort, parseHostPort, parseListenFlag } from '../../core/provider-kit/host-port.js';
import { GENERIC_PROVIDER_ID } from './ids.js';
import type { GenericConfig, GenericDevConfig } from './schema.js';

/** `stagecraft dev` for the generic provider: the configured command, supervised until the user stops it. */
export async function runGenericDev(options: DevOptions<GenericConfig>, dev: GenericDevConfig): Promise<void> {
  const listen = options.listen === undefined ? undefined : parseListenFlag(options.listen, 'name', { provider: GENERIC_PROVIDER_ID });
  const env = devEnvironment(options, dev, listen);
  maskDeclaredSecrets({ names: dev.secrets, env, secrets: options.secrets, warn: { logger: options.logger } });
  const [program, ...args] = dev.command as [string, ...string[]];
  const cwd = resolveProjectPath(options.projectRoot, dev.workdir);
  const executable = requireExecutable(program, {
    env,
    cwd,
    provider: GENERIC_PROVIDER_ID,
    operation: 'dev',
    installHint: `Check backend.providers.generic.dev.command[0] ("${program}") and your PATH.`,
  });
  const readiness = dev.ready ? { check: readinessCheck(dev.ready, listen), timeoutMs: dev.ready.timeout } : undefined;
  const address = listenAddress(dev.ready, listen);
  if (address !== undefined) {
    // Someone else answering the probe would otherwise be reported as our server being ready.
    await assertPortFree({ ...address, probeHosts: probeHosts(address.host), provider: GENERIC_PROVIDER_ID, operation: 'dev' });
  }
  const logger = options.logger.child({}, { prefix: basename(program) });
  logger.info(`starting ${[program, ...args].join(' ')}`);
  await superviseDevServer({
    runner: options.runner,
    command: executable,
    args,
    cwd,
    env,
    logger,
    provider: GENERIC_PROVIDER_ID,
    operation: 'dev',
    displayName: basename(program),
    stop: { signal: dev.stop_signal, graceMs: dev.stop_timeout },
    signal: options.signal,
    readiness,
    progress: options.progress,
  });
}

/** Core's environment, then dev.env, then HOST/PORT from --listen: the provider's own variables win. */
function devEnvironment(options: DevOptions<GenericConfig>, dev: GenericDevConfig, listen: HostPort | undefined): Record<string, string> {
  const env: Record<string, string> = { ...options.env, ...dev.env };
  if (listen !== undefined) {
    env.HOST = listen.host;
    env.PORT = String(listen.port);
  }
  return env;
}

function readinessCheck(ready: NonNullable<GenericDevConfig['ready']>, listen: HostPort | undefined): ReadinessCheck {
  if (ready.tcp !== undefined) {
    const target = listen ?? (parseHostPort(ready.tcp) as HostPort);
    return tcpReadiness(probeHosts(target.host), target.port, `http://${formatHostPort(target.host, target.port)}`);
  }
  if (ready.http !== undefined) return httpReadiness(ready.http);
  return logLineReadiness(new RegExp(ready.log as string));
}

/** Where the server will listen, when the config says: --listen, else the TCP or HTTP readiness target. */
function listenAddress(ready: GenericDevConfig['ready'], listen: HostPort | undefined): HostPort | undefined {
  if (listen !== undefined) return listen;
  if (ready?.tcp !== undefined) return parseHostPort(ready.tcp);
  if (ready?.http !== undefined) {
    const url = new URL(ready.http);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    return { host: url.hostname, port };
  }
  return undefined;
}
