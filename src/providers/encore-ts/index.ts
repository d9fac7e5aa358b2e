import { registerBackendProvider } from '../../core/registry.js';
import { encoreTsProvider } from './provider.js';

registerBackendProvider(encoreTsProvider);

export { encoreTsProvider };
