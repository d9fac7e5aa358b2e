import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsdown';
import { asciiChunks } from './scripts/ascii-chunks.js';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // The CLI, and the API for providers that live outside this package (docs/providers.md).
  entry: { cli: 'src/cli.ts', index: 'src/index.ts' },
  // CommonJS output: on Node 20 an ES module entry costs ~10 ms more to load than a CommonJS one, and
  // the chunks load synchronously. The sources stay ES modules.
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  // One self-contained bundle (dependencies inlined): no module resolution at start-up. Command and
  // provider modules are imported dynamically and become separate chunks, loaded only when used.
  deps: { alwaysBundle: [/.*/], onlyBundle: false },
  fixedExtension: true,
  // Types for the provider API (dist/index.d.cts); the CLI entry needs none.
  dts: true,
  sourcemap: false,
  clean: true,
  logLevel: 'warn',
  // Prefer ES module builds: they tree-shake and need no CommonJS wrapper at start-up. yaml's "node"
  // export is CommonJS; its default export is the same code as ES modules. jsonc-parser's "main" is a UMD
  // file whose dynamic require()s cannot be bundled.
  // No "plugin X took significant time" advice: it depends on how busy the machine is, not on the code.
  inputOptions: { resolve: { mainFields: ['module', 'main'] }, checks: { pluginTimings: false } },
  // Few, larger chunks: every chunk file costs a resolve, two reads and a compile at start-up. What `dev`
  // and `build` need is grouped by when it is needed, not split per dynamic import. No group names a
  // provider's files (a new provider needs no edit here): what registering providers imports statically
  // (src/providers/index.ts and, since a group takes its modules' dependencies along, each provider's
  // registration, schema and config checks) is config; the rest of src/providers/ is what providers load
  // lazily for their operations, which is run.
  outputOptions: {
    // Only legal comments: JSDoc in the bundle is bytes read at every start and never shown (the sources keep it).
    comments: { legal: true, annotation: false, jsdoc: false },
    codeSplitting: {
      groups: [
        // What the CLI entry shares with lazily loaded modules (the version, the cache directory, the path hash): one small chunk,
        // so the groups below do not take these along and pull a whole later chunk into the entry (+25% on --version).
        { name: 'entry-shared', priority: 40, test: /[\\/]src[\\/](version|core[\\/](cache-dir|path-hash))\.ts$/ },
        // Every command needs these (the command line, the context's logger and runner): never inside a later group.
        // The CLI modules are here too: every command loads them with the rest, and one file costs less than two.
        {
          name: 'boot',
          priority: 30,
          test: /[\\/]src[\\/](cli[\\/]|core[\\/](logging|clock|process[\\/](start-child|spawn-detached|group-guard|lines|process-group|interrupts))[\\/.])|node_modules[\\/]picocolors/,
        },
        // Reading and checking a config. Not the JSON Schema converter: only `config schema` uses it, and in this group
        // it took @valibot/to-json-schema (35 kB) into every `config validate` and `dev`.
        {
          name: 'config',
          priority: 20,
          test: /[\\/](src[\\/](commands[\\/]project-context\.ts|core[\\/](config(?![\\/]json-schema)|env)|providers[\\/]index\.ts)|node_modules[\\/](yaml|valibot|dotenv))/,
        },
        // What dev and build run (process supervision, the providers' operations). Above the environment group, so
        // the process code both use stays here instead of being taken along into the environment's chunk.
        {
          name: 'run',
          priority: 16,
          test: /[\\/]src[\\/](core[\\/]process|commands[\\/](dev|build)\.ts|providers[\\/])|node_modules[\\/]jsonc-parser/,
        },
        // The whole local environment (planning, its supervisor, Compose sessions, the HTTPS proxy and certificates):
        // loaded only by a config that has one, so the backend alone does not load node:http2 or node:crypto.
        // core/https/domains stays out: config validation uses it.
        {
          name: 'environment',
          priority: 15,
          test: /[\\/]src[\\/](commands[\\/]dev-(plan|environment|https)|core[\\/](local-env[\\/](plan|https-plan|supervise-environment)|compose[\\/]|https[\\/](?!domains)))/,
        },
      ],
    },
  },
  // Chunks in ASCII, so V8 keeps them as one-byte strings (scripts/ascii-chunks.ts).
  plugins: [asciiChunks()],
  // jsonc-parser builds 1,200 whitespace strings when it loads, for a formatter we never import: its modules have no
  // other side effects, so only what is imported from them is kept.
  treeshake: { moduleSideEffects: [{ test: /node_modules[\\/]jsonc-parser[\\/]/, sideEffects: false }] },
  alias: { yaml: fileURLToPath(new URL('./node_modules/yaml/browser/index.js', import.meta.url)) },
  define: { __STAGECRAFT_VERSION__: JSON.stringify(version) },
});
