import { toJsonSchema } from '@valibot/to-json-schema';
import type { ProviderRegistry } from '../registry.js';
import { buildConfigSchema } from './schema.js';

/**
 * The JSON Schema (draft-07, the dialect yaml-language-server and most editors understand best) of
 * stagecraft.yml, covering core and every registered provider's block, with descriptions and defaults.
 */
export function configJsonSchema(registry: ProviderRegistry): Record<string, unknown> {
  // Checks and transforms (durations, host:port) have no JSON Schema form; the CLI still enforces them.
  const schema = toJsonSchema(buildConfigSchema(registry), { target: 'draft-07', errorMode: 'ignore' });
  return { title: 'Stagecraft configuration (stagecraft.yml)', ...schema };
}
