import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCli } from '../../../test/helpers/cli.js';
import { freePort, portIsOpen } from '../../../test/helpers/processes.js';
import { tempProject } from '../../../test/helpers/temp.js';

/** A generic project whose server ignores SIGTERM and has a 30 s grace period: only force ends it early. */
async function stubbornProject(t: Parameters<typeof tempProject>[0]) {
  const port = await freePort();
  const cwd = tempProject(t, {
    'server.mjs': `import { createServer } from 'node:http';
process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
createServer((req, res) => res.end('ok')).listen(${port}, '127.0.0.1', () => console.log('listening'));
`,
    'stagecraft.yml': `project:
  name: stubborn
backend:
  provider: generic
  providers:
    generic:
      dev:
        command: [node, server.mjs]
        ready:
          tcp: 127.0.0.1:${port}
        stop_timeout: 30s
`,
  });
  return { cwd, port };
}

test('a second Ctrl+C kills at once instead of waiting out the grace period; exit 0 and nothing left', async (t) => {
  const { cwd, port } = await stubbornProject(t);
  const cli = startCli(['dev'], { cwd });
  await cli.waitForStderr(/ready at/);
  const started = Date.now();
  cli.signal('SIGINT');
  await cli.waitForStderr(/ignoring SIGTERM/);
  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /press Ctrl\+C again to kill at once/);
  assert.match(result.stderr, /SIGINT received again: killing everything now/);
  assert.ok(Date.now() - started < 25_000, 'it did not wait for the 30 s grace period');
  assert.equal(await portIsOpen(port), false);
});

test('SIGHUP (terminal closed) stops the dev server like Ctrl+C and exits 0', async (t) => {
  const port = await freePort();
  const cwd = tempProject(t, {
    'server.mjs': `import { createServer } from 'node:http';
createServer((req, res) => res.end('ok')).listen(${port}, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`,
    'stagecraft.yml': `project:\n  name: hup\nbackend:\n  provider: generic\n  providers:\n    generic:\n      dev:\n        command: [node, server.mjs]\n        ready:\n          tcp: 127.0.0.1:${port}\n`,
  });
  const cli = startCli(['dev'], { cwd });
  await cli.waitForStderr(/ready at/);
  cli.signal('SIGHUP');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /SIGHUP received: stopping/);
  assert.equal(await portIsOpen(port), false);
});
