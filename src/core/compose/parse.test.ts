import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../../test/helpers/temp.js';
import { StagecraftError } from '../errors.js';
import { composeProjectSlug, describeCompose, parseComposeVersion, parseContainers } from './index.js';

const transcript = (name: string) => readFileSync(fileURLToPath(new URL(`transcripts/${name}`, import.meta.url)), 'utf8');

test('versions: each tool is read by what it reports, in either style', () => {
  assert.deepEqual(parseComposeVersion(transcript('docker-compose-1.29.2-version.txt')), { version: '1.29.2', major: 1, podman: false });
  assert.deepEqual(parseComposeVersion(transcript('podman-compose-1.0.3-version.txt')), { version: '1.0.3', major: 1, podman: true });
  // Compose v2's two styles (cmd/compose/version.go): the sentence, and --short's bare number.
  assert.deepEqual(parseComposeVersion('Docker Compose version v2.24.5\n'), { version: '2.24.5', major: 2, podman: false });
  assert.deepEqual(parseComposeVersion('2.24.5\n'), { version: '2.24.5', major: 2, podman: false });
  assert.equal(parseComposeVersion('Docker Compose version v2.29.1-desktop.1')?.major, 2);
  // A v2 binary installed under the v1 name is still v2: the name never decides.
  assert.equal(parseComposeVersion('docker-compose version v2.20.3')?.major, 2);
  assert.equal(parseComposeVersion(transcript('docker-28.2.2-compose-version.txt')), undefined);
});

test('ps: podman’s JSON array (recorded) gives service, state, name and working dir from its labels', () => {
  const [container] = parseContainers(transcript('podman-4.3.1-ps-created.json'));
  assert.deepEqual(container, { name: 'recproj_web_1', service: 'web', state: 'created', health: '', exitCode: 0, workingDir: '/tmp/rec' });
});

test('ps: Docker’s JSON lines read health and exit codes from Status, labels from their k=v string', () => {
  // Shape of `docker ps --format json` (one object per line, Labels and Names as strings).
  const lines = [
    {
      Names: 'shop-db-1',
      State: 'running',
      Status: 'Up 2 seconds (health: starting)',
      Labels: 'com.docker.compose.service=db,com.docker.compose.project.working_dir=/src/shop',
    },
    { Names: 'shop-web-1', State: 'running', Status: 'Up 3 minutes (healthy)', Labels: 'com.docker.compose.service=web' },
    { Names: 'shop-job-1', State: 'exited', Status: 'Exited (137) 5 seconds ago', Labels: 'com.docker.compose.service=job' },
  ];
  const containers = parseContainers(`${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
  assert.deepEqual(
    containers.map((c) => [c.service, c.state, c.health, c.exitCode, c.workingDir]),
    [
      ['db', 'running', 'starting', undefined, '/src/shop'],
      ['web', 'running', 'healthy', undefined, undefined],
      ['job', 'exited', '', 137, undefined],
    ],
  );
});

test('ps: Compose v2 before 2.21 (one JSON array) and since (JSON lines) give the same containers', () => {
  const records = [
    { ID: 'a1', Name: 'shop-db-1', Project: 'shop', Service: 'db', State: 'running', Health: 'unhealthy', ExitCode: 0, Publishers: [] },
    { ID: 'b2', Name: 'shop-init-1', Project: 'shop', Service: 'init', State: 'exited', Health: '', ExitCode: 0, Publishers: null },
  ];
  const fromArray = parseContainers(JSON.stringify(records));
  const fromLines = parseContainers(records.map((record) => JSON.stringify({ ...record, Labels: 'a=b' })).join('\n'));
  assert.deepEqual(fromArray, fromLines);
  assert.deepEqual(
    fromArray.map((c) => [c.service, c.state, c.health, c.exitCode]),
    [
      ['db', 'running', 'unhealthy', 0],
      ['init', 'exited', '', 0],
    ],
  );
  assert.deepEqual(parseContainers(''), []);
  assert.deepEqual(parseContainers('[]'), []);
});

test('describe: project name precedence, URLs, selection, and a plan with no environment values', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'compose.yml');
  writeFileSync(
    file,
    [
      'name: platform-infra',
      'services:',
      '  db: { image: postgres, ports: ["127.0.0.1:5433:5432"] }',
      '  web: { image: nginx, ports: ["${WEB_PORT:-9000}:80"] }',
      '  api: { image: api, ports: [{ target: 8080, published: "8081" }] }',
      '  worker: { image: worker, ports: ["80"] }',
      '  cache: { image: redis }',
    ].join('\n'),
  );
  const context = { projectRoot: dir, projectName: 'My Shop!', env: { SECRET_TOKEN: 'hunter2-value' } };
  const config = { files: [file], project: undefined, services: undefined, ready: {}, onExit: 'stop' as const };
  const described = describeCompose(config, context);
  assert.equal(described.project, 'platform-infra');
  assert.deepEqual(described.services, [
    { name: 'db', url: 'tcp://127.0.0.1:5433' },
    { name: 'web', url: 'http://127.0.0.1:9000' },
    { name: 'api', url: 'http://127.0.0.1:8081' },
    { name: 'worker', url: undefined },
    { name: 'cache', url: undefined },
  ]);
  const ready = { cache: { tcp: '127.0.0.1:6380', timeoutMs: 1000 }, web: { http: 'http://127.0.0.1:9000/health', timeoutMs: 1000 } };
  const chosen = describeCompose(
    { ...config, project: 'mine', services: ['web', 'cache'], ready },
    { ...context, env: { WEB_PORT: '7000' } },
  );
  assert.equal(chosen.project, 'mine');
  assert.deepEqual(chosen.services, [
    { name: 'web', url: 'http://127.0.0.1:9000/health' },
    { name: 'cache', url: 'tcp://127.0.0.1:6380' },
  ]);
  assert.ok(chosen.plan.some((step) => step.argv.join(' ').includes('up --detach --wait web cache')));
  assert.ok(!JSON.stringify(described.plan).includes('hunter2'));
  assert.deepEqual(described.plan.at(-1)?.argv.slice(-2), ['stop', '<services started by this run>']);
  const down = describeCompose({ ...config, onExit: 'down' }, context).plan.at(-1)?.argv;
  assert.deepEqual(down?.slice(-1), ['down']);
  assert.ok(!down?.includes('-v') && !down?.includes('--volumes'));
  assert.equal(
    describeCompose({ ...config, onExit: 'keep' }, context).plan.some((step) => /on exit/.test(step.description)),
    false,
  );
  writeFileSync(file, 'services:\n  db: { image: postgres }\n');
  assert.equal(describeCompose(config, context).project, 'my-shop');
  assert.equal(composeProjectSlug('Über Platform 2'), 'ber-platform-2');
});

test('describe: an unknown selected service or an unreadable file is INVALID_CONFIG', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'compose.yml');
  writeFileSync(file, 'services:\n  db: { image: postgres }\n');
  const context = { projectRoot: dir, projectName: 'shop', env: {} };
  const config = { files: [file], project: undefined, services: ['redis'], ready: {}, onExit: 'stop' as const };
  assert.throws(
    () => describeCompose(config, context),
    (error: unknown) => {
      assert.ok(error instanceof StagecraftError);
      assert.equal(error.category, 'INVALID_CONFIG');
      assert.match(error.message, /no service redis/);
      return true;
    },
  );
  assert.throws(
    () => describeCompose({ ...config, files: [join(dir, 'missing.yml')] }, context),
    (error: unknown) => error instanceof StagecraftError && error.category === 'INVALID_CONFIG' && /ENOENT/.test(error.message),
  );
});
