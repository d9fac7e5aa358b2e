/** The frontend provider's ID (`frontend.provider: generic`) and the feature its records carry. */
export const GENERIC_FRONTEND_ID = 'generic';
export const GENERIC_FRONTEND_FEATURE = 'PROVIDER_FRONTEND_GENERIC';
