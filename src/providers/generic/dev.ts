import { basename } from 'node:path';
import { runProcess } from '../../core/process/run-process.js';
import type { DevOptions } from '../../core/provider.js';
import { maskDeclaredSecrets } from '../../core/provider-kit/declared-secrets.js';
import type { HostPort } from '../../core/provider-kit/host-port.js';
import { processSpecOf } from '../../core/provider-kit/process-schema.js';
import { parseListen } from './dev-url.js';
import { GENERIC_PROVIDER_ID } from './ids.js';
import type { GenericConfig, GenericDevConfig } from './schema.js';

/** `stagecraft dev` for the generic provider: the configured command, supervised until the user stops it. */
export async function runGenericDev(options: DevOptions<GenericConfig>, dev: GenericDevConfig): Promise<void> {
  const listen = parseListen(options.listen);
  const env = devEnvironment(options, dev, listen);
  maskDeclaredSecrets({ names: dev.secrets, env, secrets: options.secrets, warn: { logger: options.logger } });
  await runProcess({
    spec: processSpecOf(dev),
    env,
    projectRoot: options.projectRoot,
    runner: options.runner,
    // Child lines are prefixed with the program's name (`node │ ...`) unless the environment names the component.
    logger: options.logger.child({}, { prefix: basename(dev.command[0] as string) }),
    progress: options.progress,
    provider: GENERIC_PROVIDER_ID,
    operation: 'dev',
    signal: options.signal,
    commandField: 'backend.providers.generic.dev.command',
    listen,
    onReady: options.onReady,
  });
}

/** Core's environment, then dev.env (its ${NAME} expanded), then HOST/PORT from --listen: the provider's own variables win. */
function devEnvironment(options: DevOptions<GenericConfig>, dev: GenericDevConfig, listen: HostPort | undefined): Record<string, string> {
  const env: Record<string, string> = { ...options.env, ...options.expandEnv(dev.env, ['dev', 'env']) };
  if (listen !== undefined) {
    env.HOST = listen.host;
    env.PORT = String(listen.port);
  }
  return env;
}
