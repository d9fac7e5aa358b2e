import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distinctTail, judgeFailure, registryOf } from './failure.js';

test('the error detail is the last 5 distinct lines, in order, without blank lines or engine banners', () => {
  const lines = [
    'Emulate Docker CLI using podman. Create /etc/containers/nodocker to quiet msg.',
    'Getting image source signatures',
    'Copying blob sha256:aa',
    'warning: retrying (1/3)',
    'Getting image source signatures',
    'Copying blob sha256:aa',
    'warning: retrying (2/3)',
    '',
    'Getting image source signatures',
    'Copying blob sha256:aa',
    'Error: connection refused',
  ];
  assert.deepEqual(distinctTail(lines), [
    'warning: retrying (1/3)',
    'warning: retrying (2/3)',
    'Getting image source signatures',
    'Copying blob sha256:aa',
    'Error: connection refused',
  ]);
  assert.deepEqual(distinctTail(['only']), ['only']);
});

test('failures are judged from the output: daemon down, login needed, registry unreachable', () => {
  const judge = (engine: 'docker' | 'podman', step: 'build' | 'push', line: string) =>
    judgeFailure({ engine, step, image: 'registry.example:5000/team/api:1', lines: [line] });
  const down = judge(
    'docker',
    'build',
    'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
  );
  assert.equal(down.category, 'PROVIDER_NOT_AVAILABLE');
  assert.match(down.hint ?? '', /Start Docker/);
  assert.equal(judge('podman', 'push', 'Cannot connect to Podman. Please verify your connection').category, 'PROVIDER_NOT_AVAILABLE');
  assert.deepEqual(judge('docker', 'build', 'ERROR: failed to solve: dockerfile parse error'), {
    category: 'BUILD_FAILED',
    hint: undefined,
  });
  assert.match(
    judge('docker', 'push', 'denied: requested access to the resource is denied').hint ?? '',
    /^Log in first: docker login registry\.example:5000 /,
  );
  assert.match(judge('podman', 'push', 'unauthorized: authentication required').hint ?? '', /podman login registry\.example:5000/);
  for (const line of ['dial tcp 127.0.0.1:1: connect: connection refused', 'http: server gave HTTP response to HTTPS client']) {
    const verdict = judge('docker', 'push', line);
    assert.equal(verdict.category, 'PUSH_FAILED');
    assert.match(verdict.hint ?? '', /Is the registry registry\.example:5000 reachable.*insecure registry.*daemon\.json/);
  }
});

test('the registry of a reference is its first component when that has a dot or a port or is localhost', () => {
  assert.equal(registryOf('ghcr.io/acme/web:1'), 'ghcr.io');
  assert.equal(registryOf('127.0.0.1:5000/team/app:tag'), '127.0.0.1:5000');
  assert.equal(registryOf('localhost/app:1'), 'localhost');
  assert.equal(registryOf('acme/web:1'), 'docker.io');
  assert.equal(registryOf('web:1'), 'docker.io');
});
