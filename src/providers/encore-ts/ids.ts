export const ENCORE_PROVIDER_ID = 'encore-ts';
export const ENCORE_FEATURE = 'PROVIDER_BACKEND_ENCORE';
