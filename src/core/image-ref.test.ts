import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StagecraftError } from './errors.js';
import { imageReference, isValidImageName, isValidRegistry, isValidTag, isValidTagSuffix } from './image-ref.js';

const sources = { registry: 'project.registry', imageName: 'build.image_name', tag: '--tag', suffix: 'build.docker_tag_suffix' };

test('references are <registry>/<image_name>:<tag><suffix>, or without a registry <image_name>:<tag><suffix>', () => {
  assert.equal(
    imageReference({ registry: 'ghcr.io/your-org/platform', imageName: 'api', tag: 'abc1234' }),
    'ghcr.io/your-org/platform/api:abc1234',
  );
  assert.equal(
    imageReference({ registry: 'ghcr.io/your-org/platform', imageName: 'api', tag: 'abc1234', suffix: '-encore' }),
    'ghcr.io/your-org/platform/api:abc1234-encore',
  );
  assert.equal(imageReference({ registry: undefined, imageName: 'api', tag: 'v1.2.3' }), 'api:v1.2.3');
  assert.equal(imageReference({ registry: 'localhost:5000', imageName: 'team/api', tag: 'latest' }), 'localhost:5000/team/api:latest');
});

test('registries: host with port, IPv6, Docker Hub namespaces; lowercase paths', () => {
  for (const good of [
    'ghcr.io',
    'ghcr.io/org',
    'registry.example.com:5000/a/b',
    'localhost',
    'localhost:5000',
    '[::1]:5000/x',
    'myuser',
    'my-org/sub_path',
    'Registry.Example.COM/org',
  ]) {
    assert.equal(isValidRegistry(good), true, good);
  }
  for (const bad of ['', 'ghcr.io/Org', 'ghcr.io//x', 'host:port/x', 'a b', '-lead', 'trail-', 'ghcr.io/x/', '[zz]:1']) {
    assert.equal(isValidRegistry(bad), false, bad);
  }
});

test('image names, tags and suffixes follow the grammar', () => {
  assert.equal(isValidImageName('api'), true);
  assert.equal(isValidImageName('team/api.v2_x-y'), true);
  assert.equal(isValidImageName('API'), false);
  assert.equal(isValidImageName(''), false);
  assert.equal(isValidImageName('a//b'), false);
  assert.equal(isValidTag('abc1234-dirty'), true);
  assert.equal(isValidTag('_x.Y-1'), true);
  assert.equal(isValidTag('.x'), false);
  assert.equal(isValidTag('-x'), false);
  assert.equal(isValidTag('a'.repeat(128)), true);
  assert.equal(isValidTag('a'.repeat(129)), false);
  assert.equal(isValidTagSuffix(''), true);
  assert.equal(isValidTagSuffix('-encore'), true);
  assert.equal(isValidTagSuffix('/x'), false);
});

test('an invalid part is INVALID_CONFIG naming the field it came from', () => {
  const cases: [Parameters<typeof imageReference>[0], RegExp][] = [
    [{ registry: 'Bad Registry', imageName: 'api', tag: 't' }, /^project\.registry: expected a registry/],
    [{ registry: undefined, imageName: 'Api', tag: 't' }, /^build\.image_name: expected lowercase letters/],
    [{ registry: undefined, imageName: 'api', tag: 'has space' }, /^--tag: expected a tag/],
    [{ registry: undefined, imageName: 'api', tag: 't', suffix: '/x' }, /^build\.docker_tag_suffix: expected letters/],
    [
      { registry: undefined, imageName: 'api', tag: 'a'.repeat(120), suffix: '-123456789' },
      /^build\.docker_tag_suffix: .*within 128 characters/,
    ],
    [
      { registry: `r.io/${'a'.repeat(250)}`, imageName: 'api', tag: 't' },
      /^build\.image_name: expected a repository name of at most 255 characters/,
    ],
  ];
  for (const [parts, message] of cases) {
    assert.throws(
      () => imageReference(parts, sources),
      (error: unknown) => error instanceof StagecraftError && error.category === 'INVALID_CONFIG' && message.test(error.message),
      message.source,
    );
  }
});
