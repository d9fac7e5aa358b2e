import type { CommandContext } from '../cli/context.js';
import { hasLocalEnvironment } from '../core/local-env/config-issues.js';
import { backendProviders, loadProjectConfig } from './project-context.js';

/** `stagecraft config validate`: every problem at once (exit 1), or a one-line confirmation (exit 0). */
export async function validateCommand(ctx: CommandContext): Promise<number> {
  const config = loadProjectConfig(ctx, ['dev', 'build']);
  // Names, dependencies and cycles of the whole environment are checked when dev plans it: check them here too.
  if (hasLocalEnvironment(config.localEnv)) {
    const { ALL_COMPONENTS, baseEnvironment, planDev } = await import('./dev-plan.js');
    planDev(config, ALL_COMPONENTS, baseEnvironment(config, ctx.processEnv));
  }
  ctx.logger.info(`${config.displayFile} is valid (provider ${config.provider.id})`, { file: config.file, provider: config.provider.id });
  return 0;
}

/** `stagecraft config schema`: the JSON Schema of stagecraft.yml on stdout. */
export async function schemaCommand(ctx: CommandContext): Promise<number> {
  // Loaded here only: the JSON Schema converter is not needed to validate.
  const { configJsonSchema } = await import('../core/config/json-schema.js');
  ctx.print(JSON.stringify(configJsonSchema(backendProviders), null, 2));
  return 0;
}
