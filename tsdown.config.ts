import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsdown';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  // One self-contained bundle (dependencies inlined): no module resolution at start-up. Command and
  // provider modules are imported dynamically and become separate chunks, loaded only when used.
  deps: { alwaysBundle: [/.*/], onlyBundle: false },
  fixedExtension: false,
  dts: false,
  sourcemap: false,
  clean: true,
  logLevel: 'warn',
  // Prefer ES module builds: jsonc-parser's "main" is a UMD file whose dynamic require()s cannot be bundled.
  inputOptions: { resolve: { mainFields: ['module', 'main'] } },
  define: { __STAGECRAFT_VERSION__: JSON.stringify(version) },
});
