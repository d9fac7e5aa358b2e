import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as v from 'valibot';
import { tempDir } from '../../../test/helpers/temp.js';
import { StagecraftError } from '../errors.js';
import type { DevOptions } from '../provider.js';
import { defineProvider } from './define.js';

const schema = v.strictObject({
  dev: v.optional(v.strictObject({ workdir: v.optional(v.string(), '.'), command: v.string() })),
  build: v.optional(v.strictObject({ dir: v.optional(v.string()) }), {}),
});
type Config = v.InferOutput<typeof schema>;

/** A provider whose operations count how often their module was loaded. */
function counted() {
  const loads = { dev: 0, build: 0, doctor: 0 };
  const ran: string[] = [];
  const provider = defineProvider<Config>({
    id: 'counted',
    description: 'test',
    feature: 'TEST',
    logPrefix: 'test',
    configSchema: schema,
    devBlock: { requires: 'at least `command`', buildUsesDevWorkdir: (config) => config.build.dir === undefined },
    validate: (config) => (config.dev?.command === 'bad' ? [{ path: ['dev', 'command'], message: 'bad command' }] : []),
    operations: {
      dev: async () => {
        loads.dev++;
        return async (_options, dev) => void ran.push(`dev ${dev.command}`);
      },
      buildDocker: async () => {
        loads.build++;
        return async () => ({ image: 'x:1', pushed: false });
      },
      plan: async () => {
        loads.build++;
        return async () => ({ image: 'x:1', preflight: [], commands: [] });
      },
      doctor: async () => {
        loads.doctor++;
        return async () => [];
      },
    },
  });
  return { provider, loads, ran };
}

const context = (projectRoot: string, operations: ('dev' | 'build')[]) => ({
  projectRoot,
  operations,
  project: { name: 'p', registry: undefined },
});
const devOptions = (config: Config) => ({ config }) as unknown as DevOptions<Config>;

test('operations are loaded when first run, not when the provider is defined', async () => {
  const { provider, loads, ran } = counted();
  assert.deepEqual(loads, { dev: 0, build: 0, doctor: 0 });
  await provider.dev(devOptions({ dev: { workdir: '.', command: 'serve' }, build: {} }));
  assert.deepEqual(loads, { dev: 1, build: 0, doctor: 0 });
  assert.deepEqual(ran, ['dev serve'], 'the operation gets the dev block');
  assert.equal(typeof provider.doctor, 'function');
});

test('dev without a dev block is INVALID_CONFIG before its module loads', async () => {
  const { provider, loads } = counted();
  await assert.rejects(
    provider.dev(devOptions({ build: {} })),
    (error: unknown) =>
      error instanceof StagecraftError &&
      error.category === 'INVALID_CONFIG' &&
      error.message === 'backend.providers.counted.dev is required: expected a dev block with at least `command`',
  );
  assert.equal(loads.dev, 0);
});

test('validate: the dev block is required for dev only; its workdir is checked for dev, and for builds that use it', (t) => {
  const root = tempDir(t);
  mkdirSync(join(root, 'app'));
  const { provider } = counted();
  const validate = (config: Config, operations: ('dev' | 'build')[]) => provider.validate?.(config, context(root, operations)) ?? [];

  assert.deepEqual(validate({ build: {} }, ['dev']), [
    { path: ['dev'], atKey: true, operation: 'dev', message: 'expected a dev block with at least `command`, found nothing' },
  ]);
  assert.deepEqual(validate({ build: {} }, ['build']), [], 'a build needs no dev block');

  const missing = { dev: { workdir: 'nope', command: 'serve' }, build: {} };
  const [issue] = validate(missing, ['dev']);
  assert.deepEqual(issue?.path, ['dev', 'workdir']);
  assert.match(issue?.message ?? '', /^expected an existing directory inside the project root, found "nope"/);
  assert.equal(validate(missing, ['build']).length, 1, 'the build runs in dev.workdir: checked for it too');
  assert.deepEqual(validate({ ...missing, build: { dir: 'app' } }, ['build']), [], 'the build names its own directory');
  assert.deepEqual(validate({ dev: { workdir: 'app', command: 'serve' }, build: {} }, ['dev', 'build']), []);

  symlinkSync(tmpdir(), join(root, 'outside'));
  const [outside] = validate({ dev: { workdir: 'outside', command: 'serve' }, build: {} }, ['dev']);
  assert.match(outside?.message ?? '', /^expected a directory inside the project root/, 'symlinks out of the root are refused');

  assert.deepEqual(
    validate({ dev: { workdir: 'app', command: 'bad' }, build: {} }, ['dev']),
    [{ path: ['dev', 'command'], message: 'bad command' }],
    "the provider's own checks follow",
  );
});
