import { stripVTControlCharacters } from 'node:util';
import { StagecraftError } from '../errors.js';
import { runToCompletion } from '../process/run-to-completion.js';
import type { ChildProcessHandle, Runner } from '../process/start-child.js';
import { TailBuffer } from '../process/tail.js';
import { type ContainerState, parseContainers } from './containers.js';
import { projectArgs } from './describe.js';
import type { ComposeTool } from './detect.js';

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  /** The last lines of both streams, ANSI removed (for error details). */
  readonly tail: TailBuffer;
}

export interface ComposeCliOptions {
  readonly tool: ComposeTool;
  readonly project: string;
  readonly files: readonly string[];
  readonly runner: Runner;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

/** A generous bound for one short command (ps, stop, logs --tail) on a busy machine; `up` has none. */
const COMMAND_TIMEOUT_MS = 120_000;

/** The Compose and engine commands of one project, as argv (no shell), each flavour's flags chosen here. */
export class ComposeCli {
  readonly #options: ComposeCliOptions;

  constructor(options: ComposeCliOptions) {
    this.#options = options;
  }

  get kind(): ComposeTool['kind'] {
    return this.#options.tool.kind;
  }

  /** argv after the command: the tool's prefix (`compose`), `-p`, `-f`…, then `args`. */
  composeArgs(args: readonly string[]): string[] {
    const { tool, project, files } = this.#options;
    return [...tool.prefix, ...projectArgs(project, files), ...args];
  }

  /** Runs a Compose subcommand to completion; `signal` aborts it (its group is stopped). */
  compose(args: readonly string[], options: { signal?: AbortSignal; onLine?: (line: string) => void } = {}): Promise<CommandResult> {
    return this.#run(this.#options.tool.command, this.composeArgs(args), options);
  }

  /** Starts a long-running Compose subcommand (`up`, `logs -f`) and hands back its process. */
  startCompose(args: readonly string[], onLine: (line: string, stream: 'stdout' | 'stderr') => void): ChildProcessHandle {
    const { runner, tool, env, cwd } = this.#options;
    return runner.start(tool.command, this.composeArgs(args), { cwd, env, onLine });
  }

  /**
   * Every container of the project, from the engine (`docker|podman ps --all --filter label=… --format json`):
   * it shows labels in every version, which the ownership check needs. A failure here means the engine does
   * not answer (Docker Desktop not running): PROVIDER_NOT_AVAILABLE.
   */
  async engineContainers(signal?: AbortSignal): Promise<ContainerState[]> {
    const { tool, project } = this.#options;
    const filter = `label=com.docker.compose.project=${project}`;
    const result = await this.#run(tool.engine, ['ps', '--all', '--filter', filter, '--format', 'json'], { signal });
    if (result.code !== 0) throw engineNotAnswering(tool, result.tail);
    return parseContainers(result.stdout);
  }

  /** The project's containers: Compose v2's own `ps --format json`, else the engine's. */
  async containers(signal?: AbortSignal): Promise<ContainerState[]> {
    if (this.kind !== 'v2') return this.engineContainers(signal);
    const result = await this.compose(['ps', '--all', '--format', 'json'], { signal });
    if (result.code !== 0) throw engineNotAnswering(this.#options.tool, result.tail);
    return parseContainers(result.stdout);
  }

  /** `logs` flags to follow one service from `since`: docker-compose 1.x has no --since (it starts at the end). */
  followArgs(service: string, since: string): string[] {
    if (this.kind === 'v1') return ['logs', '--follow', '--tail', '0', '--no-log-prefix', service];
    if (this.kind === 'podman-compose') return ['logs', '--follow', '--since', since, service];
    return ['logs', '--follow', '--since', since, '--no-log-prefix', service];
  }

  /** The last lines a service wrote since `since`, for an error's detail. */
  async lastLines(service: string, since: string): Promise<string> {
    const flags =
      this.kind === 'v1'
        ? ['--no-log-prefix']
        : this.kind === 'podman-compose'
          ? ['--since', since]
          : ['--since', since, '--no-log-prefix'];
    try {
      const result = await this.compose(['logs', '--tail', '20', ...flags, service]);
      return result.tail.toString();
    } catch {
      return '';
    }
  }

  async #run(
    command: string,
    args: readonly string[],
    options: { signal?: AbortSignal; onLine?: (line: string) => void },
  ): Promise<CommandResult> {
    const { runner, env, cwd } = this.#options;
    const stdout: string[] = [];
    const tail = new TailBuffer();
    const result = await runToCompletion(runner, command, args, {
      cwd,
      env,
      signal: options.signal,
      timeoutMs: COMMAND_TIMEOUT_MS,
      onLine(line, stream) {
        if (stream === 'stdout') stdout.push(line);
        const plain = stripVTControlCharacters(line);
        tail.push(plain);
        options.onLine?.(plain);
      },
    });
    return { code: result.timedOut ? null : result.code, stdout: stdout.join('\n'), tail };
  }
}

function engineNotAnswering(tool: ComposeTool, tail: TailBuffer): StagecraftError {
  const lines = tail.lines().filter((line) => line.trim() !== '' && !/^Emulate Docker CLI/.test(line));
  return new StagecraftError({
    category: 'PROVIDER_NOT_AVAILABLE',
    operation: 'dev',
    message: `dev.compose: the container engine (${tool.engine}) does not answer: ${lines.at(-1) ?? 'no output'}`,
    detail: lines.slice(-5).join('\n'),
    hint:
      tool.engine === 'docker'
        ? 'Start Docker (Docker Desktop, or the docker service), or point DOCKER_HOST at a running engine.'
        : 'Make `podman ps` work (storage, runtime, permissions).',
  });
}
