import { registerFrontendProvider } from '../../core/registry.js';
import { genericFrontendProvider } from './provider.js';

registerFrontendProvider(genericFrontendProvider);
