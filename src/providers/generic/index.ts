import { registerBackendProvider } from '../../core/registry.js';
import { genericProvider } from './provider.js';

registerBackendProvider(genericProvider);

export { genericProvider };
