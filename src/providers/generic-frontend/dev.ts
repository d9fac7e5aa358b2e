import { runProcess } from '../../core/process/run-process.js';
import type { DevOptions } from '../../core/provider.js';
import { maskDeclaredSecrets } from '../../core/provider-kit/declared-secrets.js';
import { processSpecOf } from '../../core/provider-kit/process-schema.js';
import { GENERIC_FRONTEND_ID } from './ids.js';
import type { GenericFrontendConfig } from './schema.js';

/** The web app's dev server: the configured command, supervised until the environment stops. */
export async function runGenericFrontendDev(options: DevOptions<GenericFrontendConfig>): Promise<void> {
  const { dev } = options.config;
  const env = { ...options.env, ...options.expandEnv(dev.env, ['dev', 'env']) };
  maskDeclaredSecrets({ names: dev.secrets, env, secrets: options.secrets, warn: { logger: options.logger } });
  await runProcess({
    spec: processSpecOf(dev),
    env,
    projectRoot: options.projectRoot,
    runner: options.runner,
    logger: options.logger,
    progress: options.progress,
    provider: GENERIC_FRONTEND_ID,
    operation: 'dev',
    signal: options.signal,
    commandField: 'frontend.providers.generic.dev.command',
    onReady: options.onReady,
  });
}
