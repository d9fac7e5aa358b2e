/** The generic provider's id, in a module of its own so its lazily loaded parts can name it without a cycle. */
export const GENERIC_PROVIDER_ID = 'generic';
