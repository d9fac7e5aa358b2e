import { StagecraftError } from './errors.js';
import type { BackendProvider, FrontendProvider } from './provider.js';

/** Provider IDs are config keys and CLI words: lowercase, digits and dashes. */
const PROVIDER_ID = /^[a-z][a-z0-9-]*$/;

interface Identified {
  readonly id: string;
}

/** The providers of one kind (backend, frontend), by ID. */
export class ProviderRegistry<Provider extends Identified = BackendProvider> {
  readonly #providers = new Map<string, Provider>();
  /** "backend" or "frontend", for messages. */
  readonly kind: string;

  constructor(kind = 'backend') {
    this.kind = kind;
  }

  register(provider: Provider): void {
    const { id } = provider;
    if (typeof id !== 'string' || !PROVIDER_ID.test(id)) {
      throw new TypeError(`invalid provider ID ${JSON.stringify(id)}: expected lowercase letters, digits and dashes`);
    }
    if (this.#providers.has(id)) throw new TypeError(`${this.kind} provider "${id}" is already registered`);
    this.#providers.set(id, provider);
  }

  has(id: string): boolean {
    return this.#providers.has(id);
  }

  /** The provider with this ID; an unknown ID is an INVALID_CONFIG error listing the registered ones. */
  get(id: string): Provider {
    const provider = this.#providers.get(id);
    if (provider === undefined) {
      throw new StagecraftError({
        category: 'INVALID_CONFIG',
        message: `unknown ${this.kind} provider "${id}"; registered providers: ${this.ids().join(', ') || '(none)'}`,
      });
    }
    return provider;
  }

  ids(): string[] {
    return [...this.#providers.keys()].sort();
  }

  list(): Provider[] {
    return this.ids().map((id) => this.#providers.get(id) as Provider);
  }
}

/** The process-wide registry that built-in and third-party backend providers register into. */
export const backendProviders = new ProviderRegistry<BackendProvider>('backend');

/** The process-wide registry of frontend providers (`frontend.provider`). */
export const frontendProviders = new ProviderRegistry<FrontendProvider>('frontend');

export function registerBackendProvider<Config>(provider: BackendProvider<Config>): void {
  backendProviders.register(provider as BackendProvider);
}

export function registerFrontendProvider<Config>(provider: FrontendProvider<Config>): void {
  frontendProviders.register(provider as FrontendProvider);
}
