import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StagecraftError } from '../errors.js';
import { formatHostPort, listenUrl, parseHostPort, parseListenFlag } from './host-port.js';

test('ip-or-localhost (encore run --listen): an IP literal or localhost, and a port 1-65535', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:4000', 'ip-or-localhost'), { host: '127.0.0.1', port: 4000 });
  assert.deepEqual(parseHostPort('0.0.0.0:4000', 'ip-or-localhost'), { host: '0.0.0.0', port: 4000 });
  assert.deepEqual(parseHostPort('localhost:1', 'ip-or-localhost'), { host: 'localhost', port: 1 });
  assert.deepEqual(parseHostPort('[::1]:65535', 'ip-or-localhost'), { host: '::1', port: 65535 });
  for (const bad of [
    'myhost:4000',
    '127.0.0.1:0',
    '127.0.0.1:70000',
    '127.0.0.1',
    ':4000',
    '::1:4000',
    '[127.0.0.1]:4000',
    '300.1.1.1:4000',
    '127.0.0.1:40a0',
  ]) {
    assert.equal(parseHostPort(bad, 'ip-or-localhost'), undefined, bad);
  }
});

test('name (generic): also host names, and the same ports and brackets', () => {
  assert.deepEqual(parseHostPort('myhost:4000'), { host: 'myhost', port: 4000 });
  assert.deepEqual(parseHostPort('api.internal-1.example:8080'), { host: 'api.internal-1.example', port: 8080 });
  assert.deepEqual(parseHostPort('127.0.0.1:3000'), { host: '127.0.0.1', port: 3000 });
  assert.deepEqual(parseHostPort('[::]:3000'), { host: '::', port: 3000 });
  for (const bad of ['host:0', 'host:65536', 'host', ':3000', '::1:3000', 'my_host:3000', 'a b:3000', '[nothex]:3000', 'host:30x']) {
    assert.equal(parseHostPort(bad), undefined, bad);
  }
});

test('a bad --listen is a usage error that says what the provider expects', () => {
  assert.throws(
    () => parseListenFlag('myhost:4000', 'ip-or-localhost', { provider: 'encore-ts' }),
    (error: unknown) =>
      error instanceof StagecraftError &&
      error.category === 'USAGE' &&
      error.message === '--listen: expected host:port with an IP address or localhost and a port 1-65535, found "myhost:4000"',
  );
  assert.throws(
    () => parseListenFlag('nonsense', 'name', { provider: 'generic' }),
    (error: unknown) =>
      error instanceof StagecraftError && error.message === '--listen: expected host:port with a port 1-65535, found "nonsense"',
  );
  assert.deepEqual(parseListenFlag('myhost:4000', 'name', { provider: 'generic' }), { host: 'myhost', port: 4000 });
});

test('formatting brackets IPv6 hosts; a wildcard listen address is opened on localhost', () => {
  assert.equal(formatHostPort('::1', 80), '[::1]:80');
  assert.equal(formatHostPort('127.0.0.1', 80), '127.0.0.1:80');
  assert.equal(listenUrl('0.0.0.0', 4000), 'http://localhost:4000');
  assert.equal(listenUrl('::', 4000), 'http://localhost:4000');
  assert.equal(listenUrl('::1', 4000), 'http://[::1]:4000');
});
