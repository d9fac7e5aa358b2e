import { setTimeout as delay } from 'node:timers/promises';
import { monotonicMs } from '../clock.js';
import { StagecraftError } from '../errors.js';
import type { ProcessExit } from '../process/start-child.js';
import type { TailBuffer } from '../process/tail.js';
import type { ComposeCli } from './cli.js';
import type { ContainerState } from './containers.js';

/** v1 and podman-compose: how often `ps` is read while services start, and how long they may take. */
const POLL_INTERVAL_MS = 500;
const HEALTH_TIMEOUT_MS = 300_000;

export interface HealthOptions {
  readonly cli: ComposeCli;
  readonly services: readonly string[];
  readonly up: { readonly exit: ProcessExit; readonly output: TailBuffer };
  readonly signal: AbortSignal;
  /** The DEV_SERVER_FAILED for a service (with its last lines). */
  readonly failure: (service: string, what: string) => Promise<StagecraftError>;
}

type Verdict = { readonly kind: 'ok' | 'done' | 'pending' } | { readonly kind: 'failed'; readonly what: string };

/**
 * Resolves once every service is running and healthy (or has no health check), with the set of services
 * that are done: one-shot containers that exited 0. Rejects with DEV_SERVER_FAILED naming a service.
 */
export function waitForHealth(options: HealthOptions): Promise<Set<string>> {
  return options.cli.kind === 'v2' ? afterWait(options) : pollHealth(options);
}

/**
 * Compose v2 has waited (`up --wait`). It fails the whole `up` when a container exits, even with code 0,
 * unless another service depends on it with service_completed_successfully; so a failed `up` is checked
 * against `ps`: if every service is healthy or exited 0, the init container was done, not failed.
 */
async function afterWait(options: HealthOptions): Promise<Set<string>> {
  const containers = await options.cli.containers(options.signal);
  if (options.up.exit.code !== 0 && containers.length === 0) throw upFailed(options);
  const verdicts = judgeAll(containers, options.services, options.up.exit.code === 0 ? 'pending' : 'settled');
  const failed = firstFailure(verdicts, namedInWaitOutput(options.up.output, containers));
  if (failed) throw await options.failure(failed.service, failed.what);
  return doneServices(verdicts);
}

/** v1 and podman-compose: `up -d` returned once containers were started; health comes from polling `ps`. */
async function pollHealth(options: HealthOptions): Promise<Set<string>> {
  if (options.up.exit.code !== 0) throw upFailed(options);
  const deadline = monotonicMs() + HEALTH_TIMEOUT_MS;
  for (;;) {
    const containers = await options.cli.containers(options.signal);
    const verdicts = judgeAll(containers, options.services, 'pending');
    const failed = firstFailure(verdicts, []);
    if (failed) throw await options.failure(failed.service, failed.what);
    if ([...verdicts.values()].every((verdict) => verdict.kind !== 'pending')) return doneServices(verdicts);
    if (monotonicMs() > deadline) {
      const waiting = [...verdicts].find(([, verdict]) => verdict.kind === 'pending')?.[0] ?? '';
      throw await options.failure(waiting, `did not become healthy within ${HEALTH_TIMEOUT_MS / 1000}s`);
    }
    await delay(POLL_INTERVAL_MS, undefined, { signal: options.signal });
  }
}

/** `settled`: nothing will change any more (v2 `up --wait` has given up), so "starting" is a failure too. */
function judgeAll(containers: readonly ContainerState[], services: readonly string[], mode: 'pending' | 'settled'): Map<string, Verdict> {
  const verdicts = new Map<string, Verdict>();
  for (const service of services) {
    const own = containers.filter((container) => container.service === service);
    let verdict = own.length === 0 ? ({ kind: 'pending' } as Verdict) : judge(own);
    if (mode === 'settled' && verdict.kind === 'pending') verdict = { kind: 'failed', what: 'did not become healthy' };
    verdicts.set(service, verdict);
  }
  return verdicts;
}

/** The worst verdict among a service's containers (a scaled service has several). */
function judge(containers: readonly ContainerState[]): Verdict {
  const verdicts = containers.map(judgeOne);
  return (
    verdicts.find((verdict) => verdict.kind === 'failed') ??
    verdicts.find((verdict) => verdict.kind === 'pending') ??
    verdicts[0] ?? { kind: 'pending' }
  );
}

function judgeOne(container: ContainerState): Verdict {
  if (container.state === 'running') {
    if (container.health === 'unhealthy') return { kind: 'failed', what: 'is unhealthy' };
    return container.health === 'starting' ? { kind: 'pending' } : { kind: 'ok' };
  }
  if (container.state === 'exited') {
    return container.exitCode === 0 ? { kind: 'done' } : { kind: 'failed', what: `exited with code ${container.exitCode ?? 'unknown'}` };
  }
  if (container.state === 'restarting') return { kind: 'failed', what: 'keeps restarting' };
  return { kind: 'failed', what: `did not start (state ${container.state || 'unknown'})` };
}

/** The failure to report: a service `up --wait` named first, else the first failing one in config order. */
function firstFailure(verdicts: Map<string, Verdict>, named: readonly string[]): { service: string; what: string } | undefined {
  const failing = [...verdicts].filter((entry): entry is [string, Verdict & { kind: 'failed' }] => entry[1].kind === 'failed');
  const chosen = failing.find(([service]) => named.includes(service)) ?? failing[0];
  return chosen && { service: chosen[0], what: chosen[1].what };
}

/**
 * Services named in Compose v2's `--wait` error ("dependency failed to start: container app-db-1 is unhealthy",
 * "container app-init-1 exited (1)"; pkg/compose/convergence.go), mapped from container to service through `ps`.
 */
function namedInWaitOutput(output: TailBuffer, containers: readonly ContainerState[]): string[] {
  const names = output
    .lines()
    .flatMap((line) => [...line.matchAll(/container (\S+) (?:is unhealthy|exited \(|has no healthcheck)/g)].map((m) => m[1]));
  return containers.filter((container) => names.includes(container.name)).map((container) => container.service);
}

function doneServices(verdicts: Map<string, Verdict>): Set<string> {
  return new Set([...verdicts].filter(([, verdict]) => verdict.kind === 'done').map(([service]) => service));
}

/** `up` itself failed before any service could be judged (a missing image, a port in use, a bad file). */
function upFailed(options: HealthOptions): StagecraftError {
  const { exit, output } = options.up;
  return new StagecraftError({
    category: 'DEV_SERVER_FAILED',
    operation: 'dev',
    message: `compose up failed (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`})`,
    detail: output.toString(),
    exitCode: exit.code ?? undefined,
  });
}
