declare const __STAGECRAFT_VERSION__: string | undefined;

/** Injected by the bundler from package.json; running from source (tests) reports a dev version. */
export const VERSION: string = typeof __STAGECRAFT_VERSION__ === 'string' ? __STAGECRAFT_VERSION__ : '0.0.0-dev';
