import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathHash } from './path-hash.js';

test('pathHash is FNV-1a 128 (published test vectors), as hex', () => {
  // The empty input gives the offset basis; "a" is the first entry of the FNV reference vectors.
  assert.equal(pathHash(''), '6c62272e07bb014262b821756295c58d');
  assert.equal(pathHash('a'), 'd228cb696f1a8caf78912b704e4a8964');
  assert.equal(pathHash('a', 16), 'd228cb696f1a8caf');
});

test('pathHash tells apart paths that differ in one byte, anywhere, including non-ASCII ones', () => {
  const paths = [
    '/srv/app/stagecraft.yml',
    '/srv/app/stagecraft.yaml',
    '/srv/apq/stagecraft.yml',
    '/srv/äpp/stagecraft.yml',
    'srv/app/stagecraft.yml',
  ];
  assert.equal(new Set(paths.map((path) => pathHash(path))).size, paths.length);
  assert.equal(pathHash('/srv/app/stagecraft.yml'), pathHash('/srv/app/stagecraft.yml'));
});
