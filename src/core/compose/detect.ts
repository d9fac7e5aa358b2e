import { StagecraftError } from '../errors.js';
import { findExecutable } from '../process/executable.js';
import { runToCompletion } from '../process/run-to-completion.js';
import type { Runner } from '../process/start-child.js';

/**
 * The Compose flavours Stagecraft drives. `v2` waits with `up --wait` and reads `compose ps --format json`;
 * `v1` (docker-compose 1.x) and `podman-compose` have neither, so health is polled through the engine's
 * own `ps --format json`.
 */
export type ComposeKind = 'v2' | 'v1' | 'podman-compose';

export interface ComposeTool {
  readonly kind: ComposeKind;
  /** The command and the arguments before the Compose subcommand: [docker, compose] or [docker-compose]. */
  readonly command: string;
  readonly prefix: readonly string[];
  readonly version: string;
  /** The container engine's CLI, for `ps` and the ownership check. */
  readonly engine: 'docker' | 'podman';
}

interface Candidate {
  readonly command: string;
  readonly prefix: readonly string[];
}

/** In the contract's order: the v2 plugin, then a `docker-compose` binary (v2 or v1), then podman-compose. */
const CANDIDATES: readonly Candidate[] = [
  { command: 'docker', prefix: ['compose'] },
  { command: 'docker-compose', prefix: [] },
  { command: 'podman-compose', prefix: [] },
];

const VERSION_TIMEOUT_MS = 20_000;

export interface ReportedVersion {
  readonly version: string;
  readonly major: number;
  readonly podman: boolean;
}

/**
 * Reads what a Compose binary says about itself, in any of the known styles:
 * `Docker Compose version v2.24.5` (v2), `2.24.5` (v2 --short), `docker-compose version 1.29.2, build unknown`
 * (v1), `podman-composer version  1.0.3` (podman-compose 1.0.x, which prints `podman version 4.3.1` too).
 * The Compose line wins over the engine's line, so podman's own version is never taken for Compose's.
 */
export function parseComposeVersion(output: string): ReportedVersion | undefined {
  const lines = output.split('\n').map((line) => line.trim());
  const podman = lines.some((line) => /^podman-compose/i.test(line));
  const line = lines.find((text) => /compose\S*\s+version/i.test(text)) ?? lines.find((text) => /^v?\d+\.\d+\.\d+/.test(text));
  const match = line === undefined ? null : /v?(\d+)\.(\d+)\.(\d+)\S*/.exec(line.replace(/^.*version\s+/i, ''));
  if (match === null) return undefined;
  return { version: match[0].replace(/^v/, '').replace(/,$/, ''), major: Number(match[1]), podman };
}

/** The first candidate that reports a Compose version; PROVIDER_NOT_AVAILABLE (exit 2) naming what was tried. */
export async function detectCompose(
  runner: Runner,
  env: Readonly<Record<string, string>>,
  cwd: string,
  signal: AbortSignal,
): Promise<ComposeTool> {
  const tried: string[] = [];
  for (const candidate of CANDIDATES) {
    const lookup = findExecutable(candidate.command, env.PATH, cwd);
    const shown = [candidate.command, ...candidate.prefix].join(' ');
    if (!lookup.found) {
      tried.push(`${shown}: not found`);
      continue;
    }
    const answer = await versionOf(runner, lookup.path, candidate.prefix, env, cwd, signal);
    if (answer.reported === undefined) {
      tried.push(`${shown}: ${answer.problem}`);
      continue;
    }
    return toolFor(candidate, lookup.path, answer.reported, env, cwd);
  }
  throw new StagecraftError({
    category: 'PROVIDER_NOT_AVAILABLE',
    operation: 'dev',
    message: 'dev.compose needs Docker Compose, and none was found',
    detail: tried.join('\n'),
    hint: 'Install Docker with the Compose plugin (https://docs.docker.com/compose/install/), or docker-compose, or podman-compose.',
  });
}

function toolFor(
  candidate: Candidate,
  path: string,
  reported: ReportedVersion,
  env: Readonly<Record<string, string>>,
  cwd: string,
): ComposeTool {
  const kind: ComposeKind = reported.podman ? 'podman-compose' : reported.major >= 2 ? 'v2' : 'v1';
  // podman-compose drives podman; the others talk to whatever DOCKER_HOST names, which the docker CLI reaches too.
  const dockerThere = findExecutable('docker', env.PATH, cwd).found;
  const engine = kind === 'podman-compose' || !dockerThere ? 'podman' : 'docker';
  return { kind, command: path, prefix: candidate.prefix, version: reported.version, engine };
}

async function versionOf(
  runner: Runner,
  path: string,
  prefix: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd: string,
  signal: AbortSignal,
): Promise<{ reported: ReportedVersion | undefined; problem: string }> {
  const lines: string[] = [];
  try {
    const result = await runToCompletion(runner, path, [...prefix, 'version'], {
      cwd,
      env,
      signal,
      timeoutMs: VERSION_TIMEOUT_MS,
      onLine: (line) => lines.push(line),
    });
    const reported = result.code === 0 ? parseComposeVersion(lines.join('\n')) : undefined;
    // The first line says what went wrong ("docker: unknown command: docker compose"); later ones are advice.
    const first = lines.find((line) => line.trim() !== '');
    return { reported, problem: result.code === 0 ? `no version in "${first ?? ''}"` : (first ?? `exit code ${result.code}`) };
  } catch (error) {
    if (signal.aborted) throw error;
    return { reported: undefined, problem: (error as Error).message };
  }
}
