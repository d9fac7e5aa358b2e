import { findExecutable } from '../process/executable.js';
import { runToCompletion } from '../process/run-to-completion.js';
import type { Runner } from '../process/start-child.js';
import type { DoctorCheck } from '../provider.js';
import { fail, ok, warn } from './doctor-checks.js';

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

const ENGINE_TIMEOUT_MS = 10_000;

/** What to do when the engine's CLI is not found. */
export function engineInstallHint(engine: EngineName): string {
  return engine === 'podman'
    ? 'Install Podman (https://podman.io/docs/installation) and make sure `podman` is on PATH.'
    : 'Install Docker (https://docs.docker.com/get-docker/) and make sure `docker` is on PATH, or set STAGECRAFT_ENGINE=podman.';
}

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

export interface EngineCheckOptions {
  readonly runner: Runner;
  readonly env: Readonly<Record<string, string>>;
  readonly engine: EngineName;
  /** Where the engine choice came from, when not the default ("STAGECRAFT_ENGINE"): named in the message. */
  readonly chosenBy?: string;
  /** How bad a missing or silent engine is: `fail` when `stagecraft build` runs it, `warn` when only some builds need it. */
  readonly severity?: 'fail' | 'warn';
  /** The fix to show instead of the install or start hint (e.g. why only some builds need the engine). */
  readonly fix?: string;
}

/** The doctor check for a container engine: which one, its version, and whether its daemon (Docker) or engine (Podman) answers. */
export async function engineCheck(options: EngineCheckOptions): Promise<DoctorCheck> {
  const { engine } = options;
  const status = await engineStatus(options.runner, options.env, engine);
  const chosen = options.chosenBy === undefined ? '' : ` (from ${options.chosenBy})`;
  const problem = options.severity === 'warn' ? warn : fail;
  if (status.client === undefined) {
    return problem(engine, `${status.problem ?? `${engine} not found`}${chosen}`, options.fix ?? engineInstallHint(engine));
  }
  if (status.server !== undefined) {
    const what = engine === 'docker' ? `daemon ${status.server} answers` : `podman ${status.server} answers`;
    return ok(engine, `${what} (${status.client}${chosen}; for stagecraft build)`);
  }
  const client = status.clientVersion ? `${engine} ${status.clientVersion}` : engine;
  const missing = engine === 'docker' ? 'no Docker daemon answers' : 'podman does not work';
  return problem(
    engine,
    `${client} at ${status.client}${chosen}, but ${missing}: ${status.problem}`,
    options.fix ?? engineNotAnsweringHint(engine),
  );
}
