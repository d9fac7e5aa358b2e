import { basename } from 'node:path';
import type { DevOptions } from '../../core/provider.js';
import { runProcessBlock } from '../../core/provider-kit/process-block.js';
import { parseListen } from './dev-url.js';
import { GENERIC_PROVIDER_ID } from './ids.js';
import type { GenericConfig, GenericDevConfig } from './schema.js';

/** `stagecraft dev` for the generic provider: the configured command, supervised until the user stops it. */
export async function runGenericDev(options: DevOptions<GenericConfig>, dev: GenericDevConfig): Promise<void> {
  await runProcessBlock(options, dev, {
    provider: GENERIC_PROVIDER_ID,
    commandField: 'backend.providers.generic.dev.command',
    listen: parseListen(options.listen),
    // Child lines are prefixed with the program's name (`node │ ...`) unless the environment names the component.
    logger: options.logger.child({}, { prefix: basename(dev.command[0] as string) }),
  });
}
