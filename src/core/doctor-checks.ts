import { createServer } from 'node:net';
import { findExecutable } from './process/executable.js';
import { runToCompletion } from './process/run.js';
import type { Runner } from './process/runner.js';
import type { DoctorCheck } from './provider.js';

/** Small constructors so doctor checks read like the report they produce. */
export const ok = (name: string, message: string): DoctorCheck => ({ name, status: 'ok', message });
export const warn = (name: string, message: string, fix?: string): DoctorCheck => ({
  name,
  status: 'warn',
  message,
  ...(fix ? { fix } : {}),
});
export const fail = (name: string, message: string, fix?: string): DoctorCheck => ({
  name,
  status: 'fail',
  message,
  ...(fix ? { fix } : {}),
});

/** Whether host:port can be bound right now (the dev server will need to). */
export function portIsFree(host: string, port: number): Promise<{ free: boolean; problem?: string }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      resolve({
        free: false,
        problem: error.code === 'EADDRINUSE' ? 'already in use' : `cannot be bound (${error.code ?? error.message})`,
      });
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve({ free: true })));
  });
}

export type EngineName = 'docker' | 'podman';

export interface EngineStatus {
  readonly engine: EngineName;
  /** Path of the engine's CLI, when found. */
  readonly client: string | undefined;
  /** The version the engine reports when it answers: Docker's daemon version, Podman's own. */
  readonly server: string | undefined;
  /** The CLI's own version, read when the engine does not answer (so the report still names what was found). */
  readonly clientVersion: string | undefined;
  /** Why not, in a few words. */
  readonly problem: string | undefined;
}

/** Kept for callers that only know Docker. */
export type DockerStatus = EngineStatus;

const ENGINE_TIMEOUT_MS = 10_000;

/** What to do when the engine's CLI is there but its daemon or service does not answer; `build` gives the same hint. */
export function engineNotAnsweringHint(engine: EngineName): string {
  return engine === 'podman'
    ? 'Make `podman info` work (storage, runtime, permissions); stagecraft build runs podman build.'
    : 'Start Docker (stagecraft build runs docker build), or point DOCKER_HOST at a running engine.';
}

/**
 * Is there an engine CLI, and does its daemon (Docker) or its engine (Podman: `podman info` opens its
 * storage) answer? Versions are read from stdout only: stderr carries notices such as podman-docker's
 * "Emulate Docker CLI using podman", which are not versions.
 */
export async function engineStatus(runner: Runner, env: Readonly<Record<string, string>>, engine: EngineName): Promise<EngineStatus> {
  const lookup = findExecutable(engine, env.PATH);
  if (!lookup.found) return { engine, client: undefined, server: undefined, clientVersion: undefined, problem: lookup.problem };
  const probe = engine === 'podman' ? ['info', '--format', '{{.Version.Version}}'] : ['version', '--format', '{{.Server.Version}}'];
  const answer = await versionOutput(runner, lookup.path, probe, env);
  if (answer.version !== undefined) {
    return { engine, client: lookup.path, server: answer.version, clientVersion: undefined, problem: undefined };
  }
  const client =
    engine === 'docker' ? await versionOutput(runner, lookup.path, ['version', '--format', '{{.Client.Version}}'], env) : undefined;
  return { engine, client: lookup.path, server: undefined, clientVersion: client?.version, problem: answer.problem };
}

/** Is there a docker client, and does a daemon answer it? */
export function dockerStatus(runner: Runner, env: Readonly<Record<string, string>>): Promise<DockerStatus> {
  return engineStatus(runner, env, 'docker');
}

/** The first non-empty stdout line when the command succeeds; else the last stderr line as the problem. */
async function versionOutput(
  runner: Runner,
  path: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<{ version: string | undefined; problem: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  try {
    const result = await runToCompletion(runner, path, args, {
      cwd: process.cwd(),
      env,
      timeoutMs: ENGINE_TIMEOUT_MS,
      onLine: (line, stream) => (stream === 'stdout' ? stdout : stderr).push(line.trim()),
    });
    const version = result.code === 0 ? stdout.find((line) => line !== '' && line !== '<no value>') : undefined;
    const problem = result.timedOut
      ? `it did not answer within ${ENGINE_TIMEOUT_MS / 1000}s`
      : (stderr.filter((line) => line !== '' && !NOTICE.test(line)).at(-1) ??
        `it did not answer (${result.code === 0 ? 'no version' : `exit code ${result.code ?? result.signal}`})`);
    return { version, problem };
  } catch (error) {
    return { version: undefined, problem: (error as Error).message };
  }
}

/** podman-docker's banner on every call: never a version, never the reason for a failure. */
const NOTICE = /^Emulate Docker CLI using podman/;
