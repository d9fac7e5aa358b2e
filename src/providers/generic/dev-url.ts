import { formatHostPort, type HostPort, parseListenFlag } from '../../core/provider-kit/host-port.js';
import { processSpecOf, readinessUrl } from '../../core/provider-kit/process-schema.js';
import { GENERIC_PROVIDER_ID } from './ids.js';
import type { GenericConfig } from './schema.js';

export function parseListen(listen: string | undefined): HostPort | undefined {
  return listen === undefined ? undefined : parseListenFlag(listen, 'name', { provider: GENERIC_PROVIDER_ID });
}

/** The URL the server will serve: --listen, else dev.url, else its readiness target. */
export function genericDevUrl(config: GenericConfig, listen: string | undefined): string | undefined {
  const address = parseListen(listen);
  if (address !== undefined) return `http://${formatHostPort(address.host, address.port)}`;
  if (config.dev === undefined) return undefined;
  return config.dev.url ?? readinessUrl(processSpecOf(config.dev).ready);
}
