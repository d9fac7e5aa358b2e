import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultDomain, domainsNeedingHosts, isLocalhostDomain, isValidDomain, projectSlug } from './domains.js';

test('projectSlug: lowercase, [a-z0-9-], dashes collapsed and trimmed, at most one DNS label', () => {
  const cases: [string, string][] = [
    ['Acme', 'acme'],
    ['My App!', 'my-app'],
    ['  --Shop__Front  v2--', 'shop-front-v2'],
    ['Café Crème', 'cafe-creme'],
    ['a.b.c', 'a-b-c'],
    ['!!!', 'app'],
    ['x'.repeat(70), 'x'.repeat(63)],
    [`${'y'.repeat(62)}-z`, 'y'.repeat(62)],
  ];
  for (const [name, slug] of cases) assert.equal(projectSlug(name), slug, name);
});

test('defaultDomain: <component>.<slug>.localhost', () => {
  assert.equal(defaultDomain('frontend', 'My Shop'), 'frontend.my-shop.localhost');
  assert.equal(defaultDomain('api_v2', 'acme'), 'api-v2.acme.localhost');
});

test('isLocalhostDomain: localhost and names under it, any case, trailing dot; not look-alikes', () => {
  for (const name of ['localhost', 'app.acme.localhost', 'APP.Localhost', 'a.localhost.']) assert.ok(isLocalhostDomain(name), name);
  for (const name of ['localhost.com', 'app.mylocalhost', 'app.acme.test', 'localhostx']) assert.ok(!isLocalhostDomain(name), name);
  assert.deepEqual(domainsNeedingHosts(['a.x.localhost', 'app.acme.test']), ['app.acme.test']);
});

test('isValidDomain: host names and a leading wildcard; nothing that could break a hosts line', () => {
  for (const name of ['a.b', 'app.acme.localhost', '*.acme.localhost', 'x-1.y']) assert.ok(isValidDomain(name), name);
  for (const name of ['', 'a b', 'a#b', '-a.b', 'a..b', 'a.b\n', 'a*.b', `${'x'.repeat(64)}.b`])
    assert.ok(!isValidDomain(name), JSON.stringify(name));
});
