import type { CommandContext } from '../cli/context.js';
import { backendProviders } from './project-context.js';

/** `stagecraft providers`: one provider per line, `ID  description`. */
export async function providersCommand(ctx: CommandContext): Promise<number> {
  const providers = backendProviders.list();
  const width = Math.max(...providers.map((provider) => provider.id.length));
  ctx.print(providers.map((provider) => `${provider.id.padEnd(width)}  ${provider.description}`).join('\n'));
  return 0;
}
