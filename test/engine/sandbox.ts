import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable } from '../../src/core/process/executable.js';

/**
 * A private Podman for one test file: storage, run state, locks, networks, registries and credentials all
 * live in a temp dir and are selected through environment variables, so the suite never reads or writes
 * the machine's /etc/containers, /var/lib/containers or ~/.config, and runs the same on a fresh machine.
 * Every podman the product or the test starts gets `env`.
 */
export interface EngineSandbox {
  readonly dir: string;
  /** Environment for every engine call (the CLI under test passes it on to podman / docker). */
  readonly env: Record<string, string>;
  /** A directory holding `docker` → podman-docker's wrapper, to put first on PATH. */
  readonly podmanDockerDir: string;
  /** Registries podman may reach over plain HTTP (it is told so through CONTAINERS_REGISTRIES_CONF). */
  allowInsecure(hostPort: string): void;
  podman(args: readonly string[]): { code: number | null; stdout: string; stderr: string };
  remove(): void;
}

/** Why the suite cannot run here, or undefined when podman, its docker wrapper and a registry are usable. */
export function engineUnavailable(): string | undefined {
  const path = process.env.PATH;
  for (const tool of ['podman', 'docker-registry', 'htpasswd']) {
    if (!findExecutable(tool, path).found) return `${tool} not found on PATH`;
  }
  if (!existsSync(PODMAN_DOCKER)) return `${PODMAN_DOCKER} (podman-docker) not found`;
  const probe = createSandbox('stagecraft-engine-probe-');
  try {
    const info = probe.podman(['info', '--format', '{{.Store.GraphRoot}}']);
    if (info.code !== 0) return `podman info failed: ${info.stderr.trim().split('\n').at(-1) ?? `exit code ${info.code}`}`;
    if (info.stdout.trim() !== join(probe.dir, 'storage')) return `podman ignored the sandbox storage (graph root ${info.stdout.trim()})`;
    return undefined;
  } finally {
    probe.remove();
  }
}

const PODMAN_DOCKER = '/usr/bin/docker';

export function createSandbox(prefix = 'stagecraft-engine-'): EngineSandbox {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const sub = (name: string) => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    return path;
  };
  const runtime = sub('xdg-runtime');
  chmodSync(runtime, 0o700);
  writeFileSync(
    join(dir, 'storage.conf'),
    // vfs works on any file system (overlay on overlay does not); images here are a few kilobytes.
    `[storage]\ndriver = "vfs"\ngraphroot = "${join(dir, 'storage')}"\nrunroot = "${sub('run')}"\n`,
  );
  writeFileSync(
    join(dir, 'containers.conf'),
    [
      '[engine]',
      `tmp_dir = "${sub('libpod')}"`,
      'lock_type = "file"',
      'events_logger = "none"',
      'cgroup_manager = "cgroupfs"',
      '[network]',
      `network_config_dir = "${sub('networks')}"`,
      '',
    ].join('\n'),
  );
  const insecure: string[] = [];
  const writeRegistries = () =>
    writeFileSync(
      join(dir, 'registries.conf'),
      [
        'unqualified-search-registries = []',
        ...insecure.flatMap((location) => ['[[registry]]', `location = "${location}"`, 'insecure = true']),
        '',
      ].join('\n'),
    );
  writeRegistries();
  writeFileSync(join(dir, 'auth.json'), '{"auths":{}}\n');
  const env: Record<string, string> = {
    HOME: sub('home'),
    XDG_CONFIG_HOME: sub('xdg-config'),
    XDG_DATA_HOME: sub('xdg-data'),
    XDG_CACHE_HOME: sub('xdg-cache'),
    XDG_RUNTIME_DIR: runtime,
    TMPDIR: sub('tmp'),
    CONTAINERS_CONF: join(dir, 'containers.conf'),
    CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'),
    CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
    REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
    // A real Docker CLI finds no daemon here even on a machine where Docker runs, and keeps its config here.
    DOCKER_HOST: `unix://${join(dir, 'no-docker.sock')}`,
    DOCKER_CONFIG: sub('docker-config'),
  };
  const podmanDockerDir = sub('podman-docker');
  spawnSync('ln', ['-s', PODMAN_DOCKER, join(podmanDockerDir, 'docker')]);
  return {
    dir,
    env,
    podmanDockerDir,
    allowInsecure(hostPort) {
      insecure.push(hostPort);
      writeRegistries();
    },
    podman(args) {
      const result = spawnSync('podman', args, {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
        encoding: 'buffer',
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      return { code: result.status, stdout: result.stdout?.toString('latin1') ?? '', stderr: result.stderr?.toString() ?? '' };
    },
    remove() {
      // vfs layers are plain directories (no mounts): removing the sandbox removes everything podman kept.
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/** The content of `path` inside `image`, read without starting a container (`create`, then `cp` as a tar). */
export function fileInImage(sandbox: EngineSandbox, image: string, path: string): string {
  const created = sandbox.podman(['create', image, '/none']);
  if (created.code !== 0) throw new Error(`podman create ${image}: ${created.stderr}`);
  const id = created.stdout.trim();
  try {
    const copied = sandbox.podman(['cp', `${id}:${path}`, '-']);
    if (copied.code !== 0) throw new Error(`podman cp ${id}:${path}: ${copied.stderr}`);
    return firstTarEntry(Buffer.from(copied.stdout, 'latin1'));
  } finally {
    sandbox.podman(['rm', '--force', id]);
  }
}

/** A tar stream's first member (ustar: 512-byte header, size in octal at 124, then the data). */
function firstTarEntry(tar: Buffer): string {
  const size = Number.parseInt(tar.subarray(124, 136).toString('ascii').replace(/\0.*$/, '').trim(), 8);
  return tar.subarray(512, 512 + size).toString('utf8');
}

export interface Registry {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  stop(): Promise<void>;
}

/**
 * A `docker-registry` in the foreground on 127.0.0.1, on a port the kernel picks (no race for a free port):
 * resolves once it has said where it listens and answers /v2/. With `auth`, it requires htpasswd login.
 */
export async function startRegistry(sandbox: EngineSandbox, name: string, options: { auth?: boolean } = {}): Promise<Registry> {
  const root = join(sandbox.dir, `registry-${name}`);
  mkdirSync(root, { recursive: true });
  const lines = ['version: 0.1', 'log:', '  level: info', 'storage:', '  filesystem:', `    rootdirectory: ${join(root, 'data')}`];
  lines.push('http:', '  addr: 127.0.0.1:0');
  if (options.auth) {
    const htpasswd = spawnSync('htpasswd', ['-Bbn', 'stagecraft', 'not-a-real-password'], { encoding: 'utf8' });
    if (htpasswd.status !== 0) throw new Error(`htpasswd: ${htpasswd.stderr}`);
    writeFileSync(join(root, 'htpasswd'), htpasswd.stdout);
    lines.push('auth:', '  htpasswd:', '    realm: stagecraft-test', `    path: ${join(root, 'htpasswd')}`);
  }
  writeFileSync(join(root, 'config.yml'), `${lines.join('\n')}\n`);
  // Only PATH: the registry reads REGISTRY_* variables as config overrides (REGISTRY_AUTH_FILE breaks it).
  const child = spawn('docker-registry', ['serve', join(root, 'config.yml')], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await listeningPort(child);
  const host = `127.0.0.1:${port}`;
  await waitForAnswer(`http://${host}/v2/`);
  return {
    host,
    stop: () => stopChild(child),
  };
}

function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`docker-registry did not start within 60s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`docker-registry exited (${code}):\n${output}`));
    });
  });
}

async function waitForAnswer(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within 60s: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The tags the registry holds for `name` (its /v2/<name>/tags/list). */
export async function registryTags(registry: Registry, name: string): Promise<string[]> {
  const response = await fetch(`http://${registry.host}/v2/${name}/tags/list`);
  if (!response.ok) return [];
  const body = (await response.json()) as { tags?: string[] | null };
  return body.tags ?? [];
}

/** A real Docker CLI (not podman-docker's shell wrapper) on PATH, if there is one. */
export function realDockerCli(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, 'docker');
    if (!existsSync(candidate)) continue;
    const head = Buffer.alloc(2);
    const fd = openSync(candidate, 'r');
    try {
      readSync(fd, head, 0, 2, 0);
    } finally {
      closeSync(fd);
    }
    if (head.toString() !== '#!') return candidate;
  }
  return undefined;
}
