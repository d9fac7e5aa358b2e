import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { standinBin } from '../helpers/standins.js';
import { tempProject } from '../helpers/temp.js';

// Masking through the built CLI: a real child prints a secret in the forms real servers print it in, and
// none of them may reach stderr. Each form is derived here and in the child, not by the product's code.

/** Every character class encoders disagree on: space, URL delimiters, quotes, <>&, non-ASCII, astral. */
const SECRET = `s3cr ${randomBytes(4).toString('hex')}/$&+,;=<>"é😀~`;

/** The child: prints each form on its own line, the PEM key line by line, then fails (so a tail is reported too). */
const CHILD = `
const secret = process.env.API_KEY;
const py = (v) => [...v].map((c) => {
  const short = { '"': '\\\\"', '\\\\': '\\\\\\\\', '\\n': '\\\\n' };
  if (short[c]) return short[c];
  if (c >= ' ' && c <= '~') return c;
  return c.split('').map((u) => '\\\\u' + u.charCodeAt(0).toString(16).padStart(4, '0')).join('');
}).join('');
const url = new URL('https://user@db.example.com/');
url.password = secret;
const forms = {
  raw: secret,
  uri: encodeURIComponent(secret),
  uriLower: encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
  url: url.href,
  form: new URLSearchParams({ password: secret }).toString(),
  json: JSON.stringify({ password: secret }),
  jsonSlash: JSON.stringify({ password: secret }).replaceAll('/', '\\\\/'),
  go: JSON.stringify({ password: secret }).replaceAll('<', '\\\\u003c').replaceAll('>', '\\\\u003e').replaceAll('&', '\\\\u0026'),
  python: '{"password": "' + py(secret) + '"}',
  basic: 'Authorization: Basic ' + Buffer.from('user:' + secret).toString('base64'),
  bearer: 'Bearer ' + Buffer.from(secret).toString('base64url'),
};
for (const [name, form] of Object.entries(forms)) console.log(name + ' ' + form);
for (const line of process.env.TLS_KEY.split('\\n')) console.error(line);
process.exit(1);
`;

function pem(): string {
  const body = randomBytes(1800)
    .toString('base64')
    .match(/.{1,64}/g) as string[];
  return ['-----BEGIN PRIVATE KEY-----', ...body, '-----END PRIVATE KEY-----'].join('\n');
}

test('secrets are masked in every encoding a child prints them in, and a PEM key line by line', async (t) => {
  const key = pem();
  assert.ok(key.length > 2000, 'longer than what overflowed the old pattern builder (~1.5 KB)');
  const cwd = tempProject(t, {
    'child.cjs': CHILD,
    '.env.dev': `TLS_KEY="${key}"\n`,
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
        command: [node, child.cjs]
        secrets: [API_KEY, TLS_KEY]
`,
  });
  const url = new URL('https://user@db.example.com/');
  url.password = SECRET;
  const leaks = [
    SECRET,
    encodeURIComponent(SECRET),
    encodeURIComponent(SECRET).toLowerCase(),
    url.password,
    new URLSearchParams({ p: SECRET }).toString().slice(2),
    JSON.stringify(SECRET).slice(1, -1),
    Buffer.from(SECRET).toString('base64url'),
    // The Basic credentials minus the characters shared with `user:` and the end.
    Buffer.from(`user:${SECRET}`).toString('base64').slice(7, -4),
    ...key.split('\n'),
  ];
  for (const format of ['text', 'json']) {
    const result = await runCli(['--log-format', format, 'dev'], { cwd, env: { API_KEY: SECRET } });
    assert.equal(result.code, 7, result.stderr);
    for (const leak of leaks) assert.ok(!result.stderr.includes(leak), `${format}: ${JSON.stringify(leak)} leaked:\n${result.stderr}`);
    for (const name of ['raw', 'uri', 'uriLower', 'form', 'json', 'jsonSlash', 'go', 'python', 'basic', 'bearer']) {
      assert.match(result.stderr, new RegExp(`${name} [^\\n]*\\*\\*\\*`), `${format}: ${name} shown masked`);
    }
    assert.match(result.stderr, /url https:\/\/user:\*\*\*@db\.example\.com\//);
  }
});

test('results are not logs: build prints its image reference whole even when a secret equals part of it', async (t) => {
  const cwd = tempProject(t, {
    'app/Dockerfile': 'FROM scratch\n',
    'stagecraft.yml': `project:
  name: shop
  registry: ghcr.io/acme
backend:
  provider: generic
  providers:
    generic:
      dev:
        command: [node, server.mjs]
        workdir: app
        secrets: [DOMAIN]
      build:
        image_name: web
`,
  });
  const bin = standinBin(t, ['docker']);
  const env = { STANDIN_LOG: bin.log, DOMAIN: 'acme' };
  const plain = await runCli(['build', '--tag', 't1'], { cwd, path: [bin.dir], env });
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stdout, 'ghcr.io/acme/web:t1\n');
  assert.ok(!plain.stderr.includes('acme'), 'the logs still mask it');
  const json = await runCli(['build', '--tag', 't1', '--json'], { cwd, path: [bin.dir], env });
  assert.equal(json.code, 0, json.stderr);
  assert.equal((JSON.parse(json.stdout) as { image: string }).image, 'ghcr.io/acme/web:t1');
});
