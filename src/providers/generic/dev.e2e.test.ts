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

function devProject(t: Parameters<typeof tempProject>[0], dev: string, files: Record<string, string> = {}) {
  return tempProject(t, {
    ...files,
    'stagecraft.yml': `project:\n  name: demo\nbackend:\n  provider: generic\n  providers:\n    generic:\n      dev:\n${dev}`,
  });
}

const HTTP_SERVER = `import { createServer } from 'node:http';
const server = createServer((req, res) => { res.statusCode = 404; res.end(); });
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1', () => console.log(\`serving on http://\${process.env.HOST ?? '127.0.0.1'}:\${process.env.PORT}/\`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

test('HTTP readiness counts a 404 as up; log readiness takes the URL from its capture group', async (t) => {
  const port = await freePort();
  const http = startCli(['dev'], {
    cwd: devProject(
      t,
      `        command: [node, server.mjs]\n        env: { PORT: ${port} }\n        ready:\n          http: http://127.0.0.1:${port}/health\n`,
      { 'server.mjs': HTTP_SERVER },
    ),
  });
  await http.waitForStderr(new RegExp(`ready at http://127\\.0\\.0\\.1:${port}/health in`));
  http.signal('SIGINT');
  assert.equal((await http.finish()).code, 0);

  const logPort = await freePort();
  const log = startCli(['dev'], {
    cwd: devProject(
      t,
      `        command: [node, server.mjs]\n        env: { PORT: ${logPort} }\n        ready:\n          log: 'serving on (http://\\S+)'\n`,
      { 'server.mjs': HTTP_SERVER },
    ),
  });
  await log.waitForStderr(new RegExp(`ready at http://127\\.0\\.0\\.1:${logPort}/ in`));
  log.signal('SIGINT');
  assert.equal((await log.finish()).code, 0);
});

test('a server that never becomes ready is stopped: exit 7 DEV_SERVER_FAILED, nothing left', async (t) => {
  const port = await freePort();
  const cli = startCli(['dev'], {
    cwd: devProject(
      t,
      `        command: [node, -e, 'setInterval(() => {}, 1000)']\n        ready:\n          tcp: 127.0.0.1:${port}\n          timeout: 1s\n`,
    ),
  });
  const result = await cli.finish();
  assert.equal(result.code, 7, result.stderr);
  assert.match(result.stderr, /node is not ready after 1\.0s: still waiting for a TCP connection to 127\.0\.0\.1:\d+/);
  assert.match(result.stderr, /DEV_SERVER_FAILED · generic · dev/);
});

test('a server that exits by itself is exit 7 with its exit code and last lines, code 0 included', async (t) => {
  for (const [code, pattern] of [
    [1, /node exited unexpectedly \(exit code 1\) after/],
    [0, /node exited with code 0 after .* but a dev server should run until it is stopped/],
  ] as const) {
    const cli = startCli(['dev'], {
      cwd: devProject(t, `        command: [node, -e, 'console.log("booting"); console.error("fatal: no db"); process.exit(${code})']\n`),
    });
    const result = await cli.finish();
    assert.equal(result.code, 7, result.stderr);
    assert.match(result.stderr, pattern);
    assert.match(result.stderr, /^ {2}booting$/m);
    assert.match(result.stderr, /^ {2}fatal: no db$/m);
    assert.match(result.stderr, new RegExp(`DEV_SERVER_FAILED · generic · dev · exit code ${code}`));
  }
});

test('a dev command that is not on PATH is exit 2 PROVIDER_NOT_AVAILABLE', async (t) => {
  const result = await startCli(['dev'], { cwd: devProject(t, '        command: [definitely-not-installed, --flag]\n') }).finish();
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /definitely-not-installed is not available/);
});

test('--listen sets HOST and PORT for the server and moves the TCP probe there', async (t) => {
  const configured = await freePort();
  const wanted = await freePort();
  const cli = startCli(['dev', '--listen', `127.0.0.1:${wanted}`], {
    cwd: devProject(
      t,
      `        command: [node, server.mjs]\n        env: { PORT: ${configured} }\n        ready:\n          tcp: 127.0.0.1:${configured}\n`,
      { 'server.mjs': HTTP_SERVER },
    ),
  });
  await cli.waitForStderr(new RegExp(`ready at http://127\\.0\\.0\\.1:${wanted} in`));
  assert.equal(await portIsOpen(wanted), true);
  assert.equal(await portIsOpen(configured), false);
  cli.signal('SIGINT');
  assert.equal((await cli.finish()).code, 0);
});

test('dev.env wins over the process environment (it is what the provider sets itself)', async (t) => {
  const port = await freePort();
  const cli = startCli(['dev'], {
    cwd: devProject(
      t,
      `        command: [node, server.mjs]\n        env: { PORT: ${port}, GREETING: from-config }\n        ready:\n          tcp: 127.0.0.1:${port}\n`,
      { 'server.mjs': SERVER },
    ),
    env: { GREETING: 'from-process' },
  });
  await cli.waitForStderr(/ready at/);
  assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'hello from-config');
  cli.signal('SIGINT');
  assert.equal((await cli.finish()).code, 0);
});

test('dev.secrets values are masked in text and JSON logs and in the failure detail, even split across writes', async (t) => {
  const secret = 'sk_live_abcdefghijklmnop';
  const script = `process.stdout.write('key=' + process.env.API_KEY.slice(0, 8)); setTimeout(() => { console.log(process.env.API_KEY.slice(8) + ' loaded'); process.exit(1); }, 50);`;
  for (const format of ['text', 'json']) {
    const result = await startCli(['--log-format', format, 'dev'], {
      cwd: devProject(t, `        command: [node, -e, ${JSON.stringify(script)}]\n        secrets: [API_KEY]\n`),
      env: { API_KEY: secret },
    }).finish();
    assert.equal(result.code, 7, result.stderr);
    assert.ok(!result.stderr.includes(secret) && !result.stderr.includes('sk_live'), result.stderr);
    assert.match(result.stderr, /key=\*\*\* loaded/);
  }
});
