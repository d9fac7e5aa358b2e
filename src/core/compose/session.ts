import { dirname } from 'node:path';
import { StagecraftError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import {
  httpReadiness,
  logLineReadiness,
  probeHosts,
  type ReadinessCheck,
  ReadinessTimeoutError,
  tcpReadiness,
  waitUntilReady,
} from '../process/readiness.js';
import type { ChildProcessHandle, ProcessExit } from '../process/start-child.js';
import { stopProcessGroup } from '../process/stop.js';
import { TailBuffer } from '../process/tail.js';
import { parseHostPort } from '../provider-kit/host-port.js';
import { ComposeCli } from './cli.js';
import type { ContainerState } from './containers.js';
import { composeProjectName, readComposeFiles, selectedServices } from './describe.js';
import { detectCompose } from './detect.js';
import { waitForHealth } from './health.js';
import type { ComposeConfig, ComposeContext, ComposeSession } from './types.js';

/** How often a service that was ready is checked for having died. */
const MONITOR_INTERVAL_MS = 1000;
/** Log followers get this long to end after SIGTERM (they only read logs). */
const FOLLOWER_GRACE_MS = 2000;
/** How long a failure report waits for a dead service's follower to write its last lines. */
const FOLLOWER_DRAIN_MS = 3000;

/**
 * Detects the tool, checks that the project is ours, notes what already runs, then starts the services.
 * Throws (before anything starts) INVALID_CONFIG or PROVIDER_NOT_AVAILABLE; everything later is reported
 * through the session. The caller calls `shutdown()` on every exit path.
 */
export async function startCompose(config: ComposeConfig, context: ComposeContext): Promise<ComposeSession> {
  const facts = readComposeFiles(config.files, context.env);
  const project = composeProjectName(config, facts, context.projectName);
  const services = selectedServices(config, facts);
  const tool = await detectCompose(context.runner, context.env, context.projectRoot, context.signal);
  const cli = new ComposeCli({ tool, project, files: config.files, runner: context.runner, env: context.env, cwd: context.projectRoot });
  const before = await cli.engineContainers(context.signal);
  checkOwnership(before, dirname(config.files[0] ?? context.projectRoot), project);
  context.logger.debug(`compose: ${tool.command} ${tool.prefix.join(' ')} (${tool.kind} ${tool.version}), project ${project}`);
  return new Session({ config, context, cli, project, services, before });
}

/** Containers of this project name that another directory started: taking them over would stop someone else's stack. */
function checkOwnership(containers: readonly ContainerState[], workingDir: string, project: string): void {
  const foreign = containers.find((container) => container.workingDir !== undefined && container.workingDir !== workingDir);
  if (foreign === undefined) return;
  throw new StagecraftError({
    category: 'INVALID_CONFIG',
    operation: 'dev',
    message: `dev.compose: the Compose project "${project}" belongs to ${foreign.workingDir} (container ${foreign.name}), not to ${workingDir}`,
    hint: 'Set dev.compose.project to a name of its own for this project.',
  });
}

interface SessionOptions {
  readonly config: ComposeConfig;
  readonly context: ComposeContext;
  readonly cli: ComposeCli;
  readonly project: string;
  readonly services: readonly string[];
  readonly before: readonly ContainerState[];
}

interface Follower {
  readonly handle: ChildProcessHandle;
  readonly tail: TailBuffer;
}

class Session implements ComposeSession {
  readonly project: string;
  readonly startedByUs: readonly string[];
  readonly ready: Promise<void>;
  readonly failed: Promise<StagecraftError>;
  readonly #options: SessionOptions;
  readonly #since = new Date().toISOString();
  readonly #followers = new Map<string, Follower>();
  readonly #tails = new Map<string, TailBuffer>();
  readonly #checks = new Map<string, ReadinessCheck>();
  readonly #monitor = new AbortController();
  #up: ChildProcessHandle | undefined;
  #upDone: Promise<unknown> = Promise.resolve();
  #killing: Promise<void> | undefined;
  #shutdown: Promise<void> | undefined;
  #fail: (error: StagecraftError) => void = () => {};

  constructor(options: SessionOptions) {
    this.#options = options;
    this.project = options.project;
    const running = new Set(options.before.filter((container) => container.state === 'running').map((container) => container.service));
    this.startedByUs = options.services.filter((service) => !running.has(service));
    this.failed = new Promise((resolve) => {
      this.#fail = resolve;
    });
    options.context.forced.addEventListener('abort', () => void this.#kill(), { once: true });
    // Ctrl+C rejects `ready` at once (dependants stop waiting); shutdown() still lets a running `up` return first.
    this.ready = Promise.race([this.#start(), rejectOnAbort(options.context.signal)]);
    this.ready.catch(() => {}); // the caller observes it; a failure before anyone awaits is no crash
  }

  shutdown(): Promise<void> {
    this.#shutdown ??= this.#stop();
    return this.#shutdown;
  }

  async #start(): Promise<void> {
    const { context, services } = this.#options;
    const upResult = await this.#runUp();
    context.signal.throwIfAborted();
    this.#prepareReadiness();
    for (const service of services) this.#follow(service);
    const done = await this.#awaitHealth(upResult);
    const serving = services.filter((service) => !done.has(service));
    await Promise.all(serving.map((service) => this.#awaitReadiness(service)));
    this.#watch(serving);
  }

  /**
   * `up` is never interrupted by the first Ctrl+C: a half-created project is worse than waiting for it to
   * return (shutdown() then applies on_exit). Only the second Ctrl+C kills it.
   */
  async #runUp(): Promise<{ exit: ProcessExit; output: TailBuffer }> {
    const { cli, services, context } = this.#options;
    const output = new TailBuffer(50);
    const logger = context.logger.child({ component: 'compose' }, { prefix: 'compose' });
    const wait = cli.kind === 'v2' ? ['--wait'] : [];
    this.#up = cli.startCompose(['up', '--detach', ...wait, ...services], (line, stream) => {
      output.push(line);
      logger.output(stream, 'info', line);
    });
    const exit = this.#up.exit.finally(() => this.#up?.release());
    this.#upDone = exit.catch(() => {});
    try {
      return { exit: await exit, output };
    } catch (error) {
      throw new StagecraftError({ category: 'PROVIDER_NOT_AVAILABLE', operation: 'dev', message: (error as Error).message, cause: error });
    }
  }

  #prepareReadiness(): void {
    for (const [service, spec] of Object.entries(this.#options.config.ready)) {
      const check = readinessFor(spec);
      if (check) this.#checks.set(service, check);
    }
  }

  /** One follower per service, so each line reaches that service's own prefixed logger. */
  #follow(service: string): void {
    const { cli, context } = this.#options;
    const logger = serviceLogger(context.logger, service);
    const tail = new TailBuffer();
    this.#tails.set(service, tail);
    const check = this.#checks.get(service);
    const handle = cli.startCompose(cli.followArgs(service, this.#since), (line, stream) => {
      logger.output(stream, 'info', line);
      tail.push(line);
      check?.observe?.(line);
    });
    handle.exit.then(
      () => handle.release(),
      () => handle.release(),
    );
    this.#followers.set(service, { handle, tail });
  }

  /** Health as each flavour reports it; resolves with the services that are done (an init container that exited 0). */
  #awaitHealth(up: { exit: ProcessExit; output: TailBuffer }): Promise<Set<string>> {
    const { cli, services, context } = this.#options;
    return waitForHealth({
      cli,
      services,
      up,
      signal: context.signal,
      failure: (service, what) => this.#failure(service, what),
    });
  }

  async #awaitReadiness(service: string): Promise<void> {
    const check = this.#checks.get(service);
    const spec = this.#options.config.ready[service];
    if (check === undefined || spec === undefined) return;
    try {
      const { elapsedMs } = await waitUntilReady(check, { timeoutMs: spec.timeoutMs, signal: this.#options.context.signal });
      serviceLogger(this.#options.context.logger, service).debug(`ready (${check.description}) after ${Math.round(elapsedMs)} ms`);
    } catch (error) {
      if (error instanceof ReadinessTimeoutError) throw await this.#failure(service, error.message);
      throw error;
    }
  }

  /** After ready: a service that stops running, or turns unhealthy, fails the session. */
  #watch(services: readonly string[]): void {
    const { cli } = this.#options;
    const signal = this.#monitor.signal;
    const tick = async (): Promise<void> => {
      if (signal.aborted) return;
      const containers = await cli.containers(signal).catch(() => undefined);
      const broken = containers && brokenService(containers, services);
      if (broken && !signal.aborted) return this.#fail(await this.#failure(broken.service, broken.what, true));
      setTimeout(() => void tick(), MONITOR_INTERVAL_MS).unref();
    };
    setTimeout(() => void tick(), MONITOR_INTERVAL_MS).unref();
  }

  /** DEV_SERVER_FAILED naming the service, with its last lines (from its follower, else `logs --tail`). */
  async #failure(service: string, what: string, died = false): Promise<StagecraftError> {
    if (died) await this.#drained(service);
    const followed = this.#tails.get(service)?.toString() ?? '';
    const detail = followed !== '' ? followed : await this.#options.cli.lastLines(service, this.#since);
    return new StagecraftError({
      category: 'DEV_SERVER_FAILED',
      operation: 'dev',
      message: `compose service ${service} ${what}`,
      detail: this.#options.context.logger.redactor.mask(detail) || undefined,
      hint: `See its logs: ${this.#options.cli.composeArgs(['logs', service]).join(' ')}`,
    });
  }

  /**
   * A dead container's last lines may still be on their way through its follower, which ends by itself once
   * it has written them; waiting (bounded) for that end puts the lines that explain the death into the error.
   */
  async #drained(service: string): Promise<void> {
    const follower = this.#followers.get(service);
    if (follower === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, FOLLOWER_DRAIN_MS);
    });
    await Promise.race([follower.handle.exit.catch(() => {}), bound]);
    clearTimeout(timer);
  }

  async #stop(): Promise<void> {
    this.#monitor.abort();
    await this.#upDone;
    await this.#stopFollowers('SIGTERM');
    if (this.#killing) return this.#killing;
    await this.#applyOnExit().catch((error: unknown) => {
      if (this.#killing === undefined) throw error;
    });
    if (this.#killing) await this.#killing;
  }

  async #applyOnExit(): Promise<void> {
    const { config, cli, context, before } = this.#options;
    if (config.onExit === 'keep' || this.startedByUs.length === 0) return;
    const logger = context.logger.child({ component: 'compose' }, { prefix: 'compose' });
    const onLine = (line: string) => logger.debug(line);
    const othersRan = before.some((container) => container.state === 'running');
    // `down` removes the whole project: only when nothing of it ran before this run. Otherwise our containers go one by one.
    const args =
      config.onExit === 'stop' || cli.kind === 'podman-compose'
        ? ['stop', ...this.startedByUs]
        : othersRan
          ? ['rm', '--stop', '--force', ...this.startedByUs]
          : ['down'];
    logger.info(`on_exit ${config.onExit}: ${args.join(' ')}`);
    const result = await cli.compose(args, { signal: context.forced, onLine });
    if (result.code !== 0) logger.warn(`${args[0]} ended with exit code ${result.code}: ${result.tail.lines().at(-1) ?? ''}`);
  }

  /** Second Ctrl+C: our processes die at once and the containers this run started are killed. */
  #kill(): Promise<void> {
    this.#killing ??= (async () => {
      this.#monitor.abort();
      this.#up?.signal('SIGKILL');
      await this.#stopFollowers('SIGKILL');
      if (this.startedByUs.length === 0) return;
      const { cli } = this.#options;
      const args = cli.kind === 'podman-compose' ? ['stop', '--timeout', '0', ...this.startedByUs] : ['kill', ...this.startedByUs];
      await cli.compose(args).catch(() => {});
    })();
    return this.#killing;
  }

  async #stopFollowers(signal: NodeJS.Signals): Promise<void> {
    const graceMs = signal === 'SIGKILL' ? 0 : FOLLOWER_GRACE_MS;
    await Promise.all([...this.#followers.values()].map(({ handle }) => stopProcessGroup(handle, { signal, graceMs })));
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function serviceLogger(logger: Logger, service: string): Logger {
  return logger.child({ component: service }, { prefix: service });
}

function readinessFor(spec: { tcp?: string; http?: string; log?: string }): ReadinessCheck | undefined {
  if (spec.http) return httpReadiness(spec.http);
  if (spec.tcp) {
    const target = parseHostPort(spec.tcp);
    return target && tcpReadiness(probeHosts(target.host), target.port, `tcp://${spec.tcp}`);
  }
  if (spec.log) return logLineReadiness(new RegExp(spec.log));
  return undefined;
}

/** The first watched service that is no longer running, or unhealthy. */
function brokenService(containers: readonly ContainerState[], services: readonly string[]): { service: string; what: string } | undefined {
  for (const service of services) {
    const own = containers.filter((container) => container.service === service);
    const dead = own.find((container) => container.state !== 'running');
    if (own.length === 0) return { service, what: 'is gone (its container was removed)' };
    if (dead) return { service, what: `stopped (${dead.state}${dead.exitCode === undefined ? '' : `, exit code ${dead.exitCode}`})` };
    if (own.some((container) => container.health === 'unhealthy')) return { service, what: 'became unhealthy' };
  }
  return undefined;
}
