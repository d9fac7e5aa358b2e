import type { Logger } from '../logging/logger.js';
import { runProcess } from '../process/run-process.js';
import type { DevOptions } from '../provider.js';
import { maskDeclaredSecrets } from './declared-secrets.js';
import type { HostPort } from './host-port.js';
import { processSpecOf, type RawProcess } from './process-schema.js';

/** A provider's dev block of the one process schema, with the names of its secret variables. */
export interface ProcessBlock extends RawProcess {
  readonly secrets: readonly string[];
}

export interface ProcessBlockOptions {
  readonly provider: string;
  /** Where the config names the command: "frontend.providers.generic.dev.command". */
  readonly commandField: string;
  /** `--listen` for a backend: HOST and PORT for the process, and its readiness target moved there. */
  readonly listen?: HostPort;
  /** Default: the provider's logger. */
  readonly logger?: Logger;
}

/**
 * `dev` for a provider whose process is a block of the one process schema (the generic backend and frontend):
 * core's environment, then the block's `env` (its ${NAME} expanded), then HOST/PORT from --listen; the
 * declared secrets masked before anything can print them; then supervised until the stop.
 */
export async function runProcessBlock<Config>(options: DevOptions<Config>, dev: ProcessBlock, how: ProcessBlockOptions): Promise<void> {
  const env: Record<string, string> = { ...options.env, ...options.expandEnv(dev.env, ['dev', 'env']) };
  if (how.listen !== undefined) {
    env.HOST = how.listen.host;
    env.PORT = String(how.listen.port);
  }
  maskDeclaredSecrets({ names: dev.secrets, env, secrets: options.secrets, warn: { logger: options.logger } });
  await runProcess({
    spec: processSpecOf(dev),
    env,
    projectRoot: options.projectRoot,
    runner: options.runner,
    logger: how.logger ?? options.logger,
    progress: options.progress,
    provider: how.provider,
    operation: 'dev',
    signal: options.signal,
    commandField: how.commandField,
    listen: how.listen,
    onReady: options.onReady,
  });
}
