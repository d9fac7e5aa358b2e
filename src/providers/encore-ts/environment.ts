import { resolveProjectPath } from '../../core/paths.js';
import type { EncoreConfig } from './schema.js';

/**
 * The provider's own variables on top of the environment core built (they win, per the contract):
 * DISABLE_ENCORE_TELEMETRY=1 (the only value Encore honours) and NODE_EXTRA_CA_CERTS as an absolute
 * path, which `encore run` passes through to the Node app.
 */
export function encoreEnvironment(
  base: Readonly<Record<string, string>>,
  config: EncoreConfig,
  projectRoot: string,
): Record<string, string> {
  const env = { ...base };
  if (config.dev?.disable_telemetry) env.DISABLE_ENCORE_TELEMETRY = '1';
  if (config.dev?.node_extra_ca_certs) env.NODE_EXTRA_CA_CERTS = resolveProjectPath(projectRoot, config.dev.node_extra_ca_certs);
  return env;
}
