import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v from 'valibot';
import { StagecraftError } from './errors.js';
import type { BackendProvider } from './provider.js';
import { ProviderRegistry } from './registry.js';

function provider(id: string): BackendProvider {
  return {
    id,
    description: `${id} provider`,
    feature: 'TEST',
    logPrefix: id,
    configSchema: v.object({}),
    dev: async () => {},
    buildDocker: async () => ({ image: 'x:y', pushed: false }),
    plan: async () => ({ image: 'x:y', preflight: [], commands: [] }),
  };
}

test('register, has, get, and sorted ids and list', () => {
  const registry = new ProviderRegistry();
  registry.register(provider('zeta'));
  registry.register(provider('alpha'));
  assert.equal(registry.has('zeta'), true);
  assert.equal(registry.has('beta'), false);
  assert.equal(registry.get('alpha').description, 'alpha provider');
  assert.deepEqual(registry.ids(), ['alpha', 'zeta']);
  assert.deepEqual(
    registry.list().map((p) => p.id),
    ['alpha', 'zeta'],
  );
});

test('empty, malformed and duplicate IDs are rejected', () => {
  const registry = new ProviderRegistry();
  assert.throws(() => registry.register(provider('')), /invalid provider ID ""/);
  assert.throws(() => registry.register(provider('Has Space')), /invalid provider ID/);
  registry.register(provider('generic'));
  assert.throws(() => registry.register(provider('generic')), /provider "generic" is already registered/);
});

test('an unknown ID is an INVALID_CONFIG error listing the registered ones', () => {
  const registry = new ProviderRegistry();
  registry.register(provider('generic'));
  registry.register(provider('encore-ts'));
  assert.throws(
    () => registry.get('rails'),
    (error: unknown) =>
      error instanceof StagecraftError &&
      error.category === 'INVALID_CONFIG' &&
      error.message === 'unknown backend provider "rails"; registered providers: encore-ts, generic',
  );
});

test('importing the built-in providers registers them into the shared registry', async () => {
  const { backendProviders } = await import('./registry.js');
  await import('../providers/index.js');
  assert.deepEqual(backendProviders.ids(), ['encore-ts', 'generic']);
});
