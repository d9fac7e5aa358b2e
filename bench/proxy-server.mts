// Runs the HTTPS proxy alone for the benchmark (bench/https-proxy.mjs): the same source `dev` runs, loaded
// through tsx, in a process of its own so that wrk, the upstream and the proxy each get their own event loop.
// argv: certFile keyFile host upstreamUrl. Prints the bound HTTPS port as JSON on stdout; stops on SIGTERM.
import { readFileSync } from 'node:fs';
import { startProxy } from '../src/core/https/proxy.js';
import { Logger } from '../src/core/logging/logger.js';
import { LogOutput } from '../src/core/logging/output.js';
import { Redactor } from '../src/core/logging/redactor.js';

const [certFile, keyFile, host, upstream] = process.argv.slice(2);
if (!certFile || !keyFile || !host || !upstream) throw new Error('usage: proxy-server.mts cert key host upstream');
const output = new LogOutput({ write: (chunk) => process.stderr.write(chunk) });
const logger = new Logger({ format: 'text', verbose: false, colors: undefined, redactor: new Redactor(), output });
const proxy = await startProxy({
  cert: readFileSync(certFile, 'utf8'),
  key: readFileSync(keyFile, 'utf8'),
  routes: [{ host, component: 'bench', upstream, state: () => 'ready' }],
  logger,
  defaultPorts: { https: 0, http: 0, httpsFallback: 0, httpFallback: 0 },
});
process.stdout.write(`${JSON.stringify({ port: proxy.httpsPort })}\n`);
process.on('SIGTERM', () => void proxy.close().then(() => process.exit(0)));
