import { StagecraftError } from './errors.js';
import type { BackendProvider } from './provider.js';

/** Provider IDs are config keys and CLI words: lowercase, digits and dashes. */
const PROVIDER_ID = /^[a-z][a-z0-9-]*$/;

export class ProviderRegistry {
  readonly #providers = new Map<string, BackendProvider>();

  register<Config>(provider: BackendProvider<Config>): void {
    const { id } = provider;
    if (typeof id !== 'string' || !PROVIDER_ID.test(id)) {
      throw new TypeError(`invalid provider ID ${JSON.stringify(id)}: expected lowercase letters, digits and dashes`);
    }
    if (this.#providers.has(id)) throw new TypeError(`provider "${id}" is already registered`);
    this.#providers.set(id, provider as BackendProvider);
  }

  has(id: string): boolean {
    return this.#providers.has(id);
  }

  /** The provider with this ID; an unknown ID is an INVALID_CONFIG error listing the registered ones. */
  get(id: string): BackendProvider {
    const provider = this.#providers.get(id);
    if (provider === undefined) {
      throw new StagecraftError({
        category: 'INVALID_CONFIG',
        message: `unknown backend provider "${id}"; registered providers: ${this.ids().join(', ') || '(none)'}`,
      });
    }
    return provider;
  }

  ids(): string[] {
    return [...this.#providers.keys()].sort();
  }

  list(): BackendProvider[] {
    return this.ids().map((id) => this.#providers.get(id) as BackendProvider);
  }
}

/** The process-wide registry that built-in and third-party providers register into. */
export const backendProviders = new ProviderRegistry();

export function registerBackendProvider<Config>(provider: BackendProvider<Config>): void {
  backendProviders.register(provider);
}
