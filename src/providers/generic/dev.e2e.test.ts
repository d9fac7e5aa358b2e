import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCli } from '../../../test/helpers/cli.js';
import { freePort, portIsOpen } from '../../../test/helpers/processes.js';
import { tempProject } from '../../../test/helpers/temp.js';

const SERVER = `
import { createServer } from 'node:http';
const server = createServer((req, res) => res.end('hello ' + process.env.GREETING));
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

function project(port: number, extra = ''): Record<string, string> {
  return {
    'server.mjs': SERVER,
    '.env.dev': 'GREETING=from-env-file\n',
    'stagecraft.yml': `project:
  name: demo
environments:
  dev:
    env_file: .env.dev
backend:
  provider: generic
  providers:
    generic:
      dev:
        command: [node, server.mjs]
        env:
          PORT: ${port}
        ready:
          tcp: 127.0.0.1:${port}
          timeout: 20s
${extra}`,
  };
}

test('generic dev serves HTTP, reports readiness, and exits 0 on SIGINT leaving the port free', async (t) => {
  const port = await freePort();
  const cwd = tempProject(t, project(port));
  const cli = startCli(['dev'], { cwd });
  await cli.waitForStderr(/ready at http:\/\/127\.0\.0\.1:\d+ in/);

  const response = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(await response.text(), 'hello from-env-file');

  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /node stopped/);
  assert.equal(await portIsOpen(port), false);
  assert.equal(result.stdout, '', 'dev prints no results on stdout');
});

test('the process environment overrides the env file', async (t) => {
  const port = await freePort();
  const cwd = tempProject(t, project(port));
  const cli = startCli(['dev'], { cwd, env: { GREETING: 'from-process' } });
  await cli.waitForStderr(/ready at/);
  const response = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(await response.text(), 'hello from-process');
  cli.signal('SIGTERM');
  assert.equal((await cli.finish()).code, 0);
});
