import type { DevOptions } from '../../core/provider.js';
import { runProcessBlock } from '../../core/provider-kit/process-block.js';
import { GENERIC_FRONTEND_ID } from './ids.js';
import type { GenericFrontendConfig } from './schema.js';

/** The web app's dev server: the configured command, supervised until the environment stops. */
export async function runGenericFrontendDev(options: DevOptions<GenericFrontendConfig>): Promise<void> {
  await runProcessBlock(options, options.config.dev, {
    provider: GENERIC_FRONTEND_ID,
    commandField: 'frontend.providers.generic.dev.command',
  });
}
