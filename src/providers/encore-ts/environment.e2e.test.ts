import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertNoOrphans, freePort, portIsOpen } from '../../../test/helpers/processes.js';
import { encoreProject, records } from './test/fixtures.js';

/** The frontend: writes the variables it was given to a file, then serves until stopped. */
const WEB = `
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
writeFileSync('web-env.json', JSON.stringify({ backend: process.env.STAGECRAFT_BACKEND_URL, api: process.env.VITE_API_URL }));
const server = createServer((req, res) => res.end('web')).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('web ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

test('an Encore backend in a whole environment: prefix and component "backend", its URL wired to the frontend, readiness gating', async (t) => {
  const project = await encoreProject(t, { files: { 'web.mjs': WEB } });
  const web = await freePort();
  appendFileSync(
    join(project.dir, 'stagecraft.yml'),
    `frontend:
  provider: generic
  depends_on: [backend]
  providers:
    generic:
      dev:
        command: [node, web.mjs]
        url: http://127.0.0.1:${web}
        ready: { tcp: "127.0.0.1:${web}" }
        env: { PORT: "${web}", VITE_API_URL: "\${STAGECRAFT_BACKEND_URL}/api" }
dev:
  services:
    seed: { command: [node, -e, "console.log('seeded')"], oneshot: true }
`,
  );
  const cli = project.start(['dev', '--log-format', 'json']);
  await cli.waitForStderr(/"msg":"all ready in/);
  const written = JSON.parse(readFileSync(join(project.dir, 'web-env.json'), 'utf8')) as Record<string, string>;
  assert.deepEqual(written, { backend: `http://127.0.0.1:${project.port}`, api: `http://127.0.0.1:${project.port}/api` });

  const all = records(cli.stderr);
  const encoreLines = all.filter((record) => record.provider === 'encore-ts' && record.stream !== undefined);
  assert.ok(encoreLines.length > 0);
  for (const record of encoreLines) {
    assert.equal(record.component, 'backend');
    assert.equal(record.feature, 'PROVIDER_BACKEND_ENCORE');
  }
  // depends_on: the frontend started after Encore was ready; the oneshot finished before either started.
  const index = (predicate: (record: Record<string, unknown>) => boolean) => all.findIndex(predicate);
  const encoreReady = index((r) => r.component === 'backend' && String(r.msg).startsWith('ready at'));
  const webStarted = index((r) => r.component === 'frontend' && String(r.msg).startsWith('starting'));
  const seedDone = index((r) => r.component === 'seed' && String(r.msg).startsWith('seed done'));
  assert.ok(seedDone !== -1 && encoreReady !== -1 && webStarted !== -1, cli.stderr);
  assert.ok(seedDone < encoreReady && encoreReady < webStarted, cli.stderr);

  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await portIsOpen(project.port), false);
  assert.equal(await portIsOpen(web), false);
  await assertNoOrphans(cli.marker);
});

test('text mode in an environment: Encore lines carry the component prefix, not the provider prefix', async (t) => {
  const project = await encoreProject(t);
  appendFileSync(join(project.dir, 'stagecraft.yml'), 'dev:\n  services:\n    seed: { command: [node, -e, "1"], oneshot: true }\n');
  const cli = project.start(['dev']);
  await cli.waitForStderr(/all ready in/);
  assert.match(cli.stderr, /^backend │ /m);
  assert.doesNotMatch(cli.stderr, /^encore │ /m);
  assert.match(cli.stderr, /› backend: ready at http:\/\/127\.0\.0\.1:\d+/);
  cli.signal('SIGINT');
  assert.equal((await cli.finish()).code, 0);
});
