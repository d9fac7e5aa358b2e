import type { CommandContext } from '../cli/context.js';
import { type LoadedConfig, loadConfig } from '../core/config/load.js';
import type { Operation } from '../core/errors.js';
import type { Logger } from '../core/logging/logger.js';
import type { ProviderContext } from '../core/provider.js';
import { backendProviders, frontendProviders } from '../core/registry.js';
import '../providers/index.js';

/** Finds, reads and validates stagecraft.yml for the operations the command will perform. */
export function loadProjectConfig(ctx: CommandContext, operations: readonly Operation[]): LoadedConfig {
  return loadConfig({
    cwd: ctx.cwd,
    configPath: ctx.options.config,
    processEnv: ctx.processEnv,
    operations,
    environment: ctx.options.env,
    registry: backendProviders,
  });
}

/** A logger whose records carry the provider, operation and feature, as the contract requires. */
export function providerLogger(ctx: CommandContext, config: LoadedConfig, operation: Operation): Logger {
  const { provider } = config;
  return ctx.logger.child({ provider: provider.id, operation, feature: provider.feature }, { prefix: provider.logPrefix });
}

/** The parts of every provider call that come straight from the loaded config and the context. */
export function providerContext(
  ctx: CommandContext,
  config: LoadedConfig,
  operation: Operation,
  signal: AbortSignal,
): ProviderContext<unknown> {
  return {
    config: config.providerConfig,
    project: config.project,
    projectRoot: config.projectRoot,
    logger: providerLogger(ctx, config, operation),
    secrets: ctx.redactor,
    runner: ctx.runner,
    progress: ctx.progress,
    signal,
  };
}

export { backendProviders, frontendProviders };
