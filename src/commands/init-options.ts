import type { OptionTable } from '../cli/command-spec.js';
import type { BackendProvider, InitOption } from '../core/provider.js';
import { backendProviders } from './project-context.js';

/**
 * Every registered provider's own `stagecraft init` flags, each described with the providers that read it
 * (`--command CMD  dev command ... (generic)`). Two providers may share a flag if they agree on its type.
 */
export function providerInitOptions(providers: readonly BackendProvider[] = backendProviders.list()): OptionTable {
  const options: Record<string, { spec: InitOption; readers: string[] }> = {};
  for (const provider of providers) {
    for (const [name, spec] of Object.entries(provider.initOptions ?? {})) {
      const known = options[name];
      if (known === undefined) options[name] = { spec, readers: [provider.id] };
      else if (known.spec.type !== spec.type) {
        throw new TypeError(`providers ${known.readers.join(', ')} and ${provider.id} declare init flag --${name} with different types`);
      } else known.readers.push(provider.id);
    }
  }
  return Object.fromEntries(
    Object.entries(options).map(([name, { spec, readers }]) => [
      name,
      { type: spec.type, value: spec.value, description: `${readers.join(', ')}: ${spec.description}` },
    ]),
  );
}

/** The providers that read an init flag. */
export function readersOf(name: string, providers: readonly BackendProvider[] = backendProviders.list()): BackendProvider[] {
  return providers.filter((provider) => provider.initOptions !== undefined && name in provider.initOptions);
}
