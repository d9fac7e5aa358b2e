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

export interface DockerStatus {
  /** Path of the docker client, when found. */
  readonly client: string | undefined;
  /** Server version, when the daemon answered. */
  readonly server: string | undefined;
  /** Why not, in a few words. */
  readonly problem: string | undefined;
}

/** Is there a docker client, and does a daemon answer it? (`docker version` has a 10 s limit here.) */
export async function dockerStatus(runner: Runner, env: Readonly<Record<string, string>>): Promise<DockerStatus> {
  const lookup = findExecutable('docker', env.PATH);
  if (!lookup.found) return { client: undefined, server: undefined, problem: lookup.problem };
  const lines: string[] = [];
  try {
    const result = await runToCompletion(runner, lookup.path, ['version', '--format', '{{.Server.Version}}'], {
      cwd: process.cwd(),
      env,
      timeoutMs: 10_000,
      onLine: (line) => lines.push(line),
    });
    const server = result.code === 0 ? lines.find((line) => line.trim() !== '')?.trim() : undefined;
    const problem = server
      ? undefined
      : result.timedOut
        ? 'the daemon did not answer within 10s'
        : (lines.filter(Boolean).at(-1) ?? 'the daemon did not answer');
    return { client: lookup.path, server, problem };
  } catch (error) {
    return { client: lookup.path, server: undefined, problem: (error as Error).message };
  }
}
