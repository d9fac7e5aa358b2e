import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../../test/helpers/temp.js';
import { encoreProject } from './test/fixtures.js';

test('a minimal config (env_file + listen) validates', async (t) => {
  const project = await encoreProject(t);
  const result = await project.run(['config', 'validate']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /stagecraft\.yml is valid \(provider encore-ts\)/);
});

test('config errors name the field, encore-ts and the operation, with line and column', async (t) => {
  const project = await encoreProject(t, {
    listen: 'myhost:4000',
    dev: [
      '        node_extra_ca_certs: ./certs/missing.pem',
      '        encore_secrets:',
      '          from_env: [GOOD_NAME, 9bad-name]',
      '          types: [local, staging]',
    ],
    build: ['        image_name: Api', '        docker_tag_suffix: /x', '        arch: x86'],
  });
  const result = await project.run(['config', 'validate']);
  assert.equal(result.code, 1);
  const expected = [
    /stagecraft\.yml:10:17 {2}backend\.providers\.encore-ts\.dev\.listen: expected host:port with an IP address or localhost and a port 1-65535, such as 127\.0\.0\.1:4000, found "myhost:4000" \(encore-ts, dev\)/,
    /stagecraft\.yml:13:33 {2}backend\.providers\.encore-ts\.dev\.encore_secrets\.from_env\[1\]: expected an environment variable name .* \(encore-ts, dev\)/,
    /stagecraft\.yml:14:26 {2}backend\.providers\.encore-ts\.dev\.encore_secrets\.types\[1\]: expected one of "development", .*found "staging" \(encore-ts, dev\)/,
    /backend\.providers\.encore-ts\.build\.image_name: expected an image name.* \(encore-ts, build\)/,
    /backend\.providers\.encore-ts\.build\.docker_tag_suffix: expected tag characters.* \(encore-ts, build\)/,
    /backend\.providers\.encore-ts\.build\.arch: expected one of "amd64", "arm64", found "x86" \(encore-ts, build\)/,
  ];
  for (const pattern of expected) assert.match(result.stderr, pattern);
  assert.deepEqual(project.bin.calls(), [], 'no binary was looked for or run');
});

test('a missing dev.listen is INVALID_CONFIG before any binary is looked for', async (t) => {
  const project = await encoreProject(t, { listen: '127.0.0.1:1' });
  writeFileSync(
    join(project.dir, 'stagecraft.yml'),
    'project:\n  name: p\nbackend:\n  provider: encore-ts\n  providers:\n    encore-ts:\n      dev:\n        env_file: .env.local\n',
  );
  const onlyNode = tempDir(t);
  symlinkSync(process.execPath, join(onlyNode, 'node'));
  const result = await project.run(['dev'], { PATH: onlyNode });
  assert.equal(result.code, 1, 'a config error, not PROVIDER_NOT_AVAILABLE (2), though encore is missing too');
  assert.match(
    result.stderr,
    /stagecraft\.yml:7:7 {2}backend\.providers\.encore-ts\.dev\.listen: expected a string \(required\), found nothing \(encore-ts, dev\)/,
  );
});

test('listen ports out of range and IPv6 literals', async (t) => {
  for (const [listen, ok] of [
    ['127.0.0.1:0', false],
    ['127.0.0.1:70000', false],
    ['[::1]:4000', true],
    ['localhost:4000', true],
  ] as const) {
    const project = await encoreProject(t, { listen: `"${listen}"` });
    const result = await project.run(['config', 'validate']);
    assert.equal(result.code, ok ? 0 : 1, `${listen}: ${result.stderr}`);
  }
});

test('files that dev reads must exist; the .example template is pointed at; build does not need them', async (t) => {
  const project = await encoreProject(t, {
    dev: ['        node_extra_ca_certs: certs/root.pem'],
    files: { '.env.local.example': 'A=1\n' },
  });
  const { rmSync } = await import('node:fs');
  rmSync(join(project.dir, '.env.local'));
  const result = await project.run(['config', 'validate']);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /dev\.env_file: expected an existing file, found "\.env\.local" \(no such file: .*\); start from the template: cp \.env\.local\.example \.env\.local \(encore-ts, dev\)/,
  );
  assert.match(result.stderr, /dev\.node_extra_ca_certs: expected an existing file, found "certs\/root\.pem"/);
  const build = await project.run(['build', '--dry-run', '--tag', 'ci']);
  assert.equal(build.code, 0, `CI builds without a .env.local: ${build.stderr}`);
});

test('workdirs outside the project root are refused, also through a symlink', async (t) => {
  const outside = tempDir(t);
  const project = await encoreProject(t, { dev: ['        workdir: ../'] });
  const result = await project.run(['config', 'validate']);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /dev\.workdir: expected a directory inside the project root/);
  const linked = await encoreProject(t, { build: ['        workdir: link'] });
  symlinkSync(outside, join(linked.dir, 'link'));
  const build = await linked.run(['build', '--dry-run', '--tag', 't']);
  assert.equal(build.code, 1);
  assert.match(build.stderr, /build\.workdir: expected a directory inside the project root .* \(resolves to /);
});

test('the JSON Schema documents every option with its default', async (t) => {
  const project = await encoreProject(t);
  interface SchemaNode {
    properties: Record<string, SchemaNode>;
    required?: string[];
    default?: unknown;
    description?: string;
  }
  const printed = await project.run(['config', 'schema']);
  assert.equal(printed.code, 0, printed.stderr);
  const schema = JSON.parse(printed.stdout) as SchemaNode;
  const at = (node: SchemaNode | undefined, ...path: string[]): SchemaNode => {
    let current = node;
    for (const key of path) current = current?.properties[key];
    assert.ok(current, path.join('.'));
    return current;
  };
  const encore = at(schema, 'backend', 'providers', 'encore-ts');
  const dev = at(encore, 'dev').properties;
  const secrets = at(encore, 'dev', 'encore_secrets').properties;
  const build = at(encore, 'build').properties;
  assert.deepEqual(at(encore, 'dev').required?.sort(), ['env_file', 'listen']);
  assert.deepEqual(
    [secrets.types?.default, secrets.mode?.default, secrets.concurrency?.default, secrets.store?.default, secrets.timeout?.default],
    [['local'], 'grouped', 4, 'auto', '30s'],
  );
  assert.deepEqual(
    [
      dev.ready_timeout?.default,
      dev.stop_timeout?.default,
      dev.browser?.default,
      dev.debug?.default,
      dev.verbose?.default,
      dev.watch?.default,
    ],
    ['120s', '10s', 'never', 'enabled', true, true],
  );
  assert.equal(build.image_name?.default, 'api');
  for (const [name, field] of Object.entries({ ...dev, ...secrets, ...build })) {
    assert.equal(typeof field.description, 'string', `${name} has a description`);
  }
});

test('preflight: encore missing, a directory, or not executable is exit 2 with how to install it', async (t) => {
  const project = await encoreProject(t);
  const onlyNode = tempDir(t);
  symlinkSync(process.execPath, join(onlyNode, 'node'));
  const missing = await project.run(['dev'], { PATH: onlyNode });
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /encore is not available: encore was not found on PATH/);
  assert.match(missing.stderr, /hint: Install Encore: curl -L https:\/\/encore\.dev\/install\.sh \| bash/);

  const dirBin = tempDir(t);
  mkdirSync(join(dirBin, 'encore'));
  const directory = await project.run(['dev'], { PATH: `${dirBin}:${onlyNode}` });
  assert.equal(directory.code, 2);
  assert.match(directory.stderr, /encore is a directory, not an executable/);

  const plainBin = tempDir(t);
  writeFileSync(join(plainBin, 'encore'), '#!/bin/sh\necho hi\n');
  chmodSync(join(plainBin, 'encore'), 0o644);
  const plain = await project.run(['dev'], { PATH: `${plainBin}:${onlyNode}` });
  assert.equal(plain.code, 2);
  assert.match(plain.stderr, /encore exists but is not executable/);
});
