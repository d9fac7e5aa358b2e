import { monotonicMs } from '../clock.js';
import { InterruptedError, StagecraftError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { formatSeconds } from '../process/readiness.js';
import type { ComponentKind } from './plan.js';

/** One thing the environment starts: a process, the backend, the frontend, or all Compose services at once. */
export interface Unit {
  /** Its component name; several for Compose, whose services start together. */
  readonly names: readonly string[];
  readonly kind: ComponentKind;
  /** Names it waits for (their readiness, or a oneshot's success). */
  readonly dependsOn: readonly string[];
  /** The URL of each of its names, where known (the summary shows them). */
  readonly urls: Readonly<Record<string, string | undefined>>;
  /**
   * Runs until `signal` aborts and resolves once stopped (a oneshot: once done). Calls `onReady` when ready.
   * Rejects with a StagecraftError when it fails, which stops the environment.
   */
  start(signal: AbortSignal, onReady: () => void): Promise<void>;
}

export interface SuperviseEnvironmentOptions {
  readonly units: readonly Unit[];
  readonly logger: Logger;
  /** The user's stop request. */
  readonly signal: AbortSignal;
}

interface Running {
  readonly unit: Unit;
  readonly stop: AbortController;
  ready: boolean;
  readyMs: number | undefined;
  /** Settles when the unit has ended (or never started). */
  ended: Promise<void>;
}

/**
 * Runs every unit in dependency order, each as soon as what it waits for is ready, until the user stops
 * the environment or one unit fails. Then stops them all, in reverse: frontend and backend together, then
 * services in reverse dependency order, then Compose. Resolves after a requested stop; throws the first
 * failure (DEV_SERVER_FAILED naming the component) after everything else has stopped.
 */
export async function superviseEnvironment(options: SuperviseEnvironmentOptions): Promise<void> {
  const { logger, signal } = options;
  const startedAt = monotonicMs();
  const units = new Map<string, Running>();
  const readiness = new Map<string, Deferred>();
  for (const unit of options.units) for (const name of unit.names) readiness.set(name, deferred());
  const stopping = deferred();
  let failure: StagecraftError | undefined;

  const fail = (unit: Unit, error: unknown) => {
    failure ??= inComponent(error, unit.names.join(', '));
    stopping.resolve();
  };
  for (const unit of options.units) {
    const running: Running = { unit, stop: new AbortController(), ready: false, readyMs: undefined, ended: Promise.resolve() };
    units.set(unit.names[0] as string, running);
    running.ended = runUnit(
      running,
      readiness,
      stopping.promise,
      (error) => fail(unit, error),
      () => {
        running.ready = true;
        running.readyMs = monotonicMs() - startedAt;
        for (const name of unit.names) readiness.get(name)?.resolve();
      },
    );
  }
  const all = [...units.values()];
  void Promise.all(all.map((running) => waitReady(running, readiness))).then(() => {
    if (!stopping.settled) logSummary(logger, all, monotonicMs() - startedAt);
  });
  const onStop = () => stopping.resolve();
  if (signal.aborted) onStop();
  else signal.addEventListener('abort', onStop, { once: true });
  // Every unit ending by itself (only oneshots do) leaves nothing to run: that is a stop too.
  void Promise.all(all.map((running) => running.ended)).then(onStop);
  try {
    await stopping.promise;
    await stopInOrder(all);
  } finally {
    signal.removeEventListener('abort', onStop);
  }
  if (failure) throw failure;
}

async function runUnit(
  running: Running,
  readiness: ReadonlyMap<string, Deferred>,
  stopping: Promise<void>,
  fail: (error: unknown) => void,
  onReady: () => void,
): Promise<void> {
  const { unit, stop } = running;
  const depsReady = Promise.all(unit.dependsOn.map((name) => readiness.get(name)?.promise));
  const go = await Promise.race([depsReady.then(() => true), stopping.then(() => false)]);
  if (!go || stop.signal.aborted) return;
  try {
    await unit.start(stop.signal, onReady);
    if (!stop.signal.aborted && unit.kind !== 'service') fail(endedByItself(unit));
  } catch (error) {
    // A unit stopped on purpose may report its interruption; only a failure of its own counts.
    if (!(stop.signal.aborted && error instanceof InterruptedError)) fail(error);
  }
}

async function waitReady(running: Running, readiness: ReadonlyMap<string, Deferred>): Promise<void> {
  await Promise.all(running.unit.names.map((name) => readiness.get(name)?.promise));
}

/** Frontend and backend together, then services from the last started back, then Compose. */
async function stopInOrder(all: readonly Running[]): Promise<void> {
  const stage = async (stopped: readonly Running[]) => {
    for (const running of stopped) running.stop.abort(new InterruptedError('SIGTERM'));
    await Promise.all(stopped.map((running) => running.ended));
  };
  await stage(all.filter((running) => running.unit.kind === 'backend' || running.unit.kind === 'frontend'));
  for (const level of serviceLevelsFromLast(all)) await stage(level);
  await stage(all.filter((running) => running.unit.kind === 'compose'));
}

/** Services grouped by dependency depth, deepest first: those at one depth do not depend on each other. */
function serviceLevelsFromLast(all: readonly Running[]): Running[][] {
  const services = all.filter((running) => running.unit.kind === 'service');
  const depth = new Map<string, number>();
  for (const running of services) {
    // Units come in start order, so every dependency's depth is known already.
    const own = Math.max(0, ...running.unit.dependsOn.map((name) => (depth.get(name) ?? -1) + 1));
    for (const name of running.unit.names) depth.set(name, own);
  }
  const levels: Running[][] = [];
  for (const running of services) {
    const own = depth.get(running.unit.names[0] as string) ?? 0;
    const level = levels[own] ?? [];
    level.push(running);
    levels[own] = level;
  }
  return levels.filter(Boolean).reverse();
}

function logSummary(logger: Logger, all: readonly Running[], totalMs: number): void {
  const rows = all.flatMap((running) =>
    running.unit.names.map((name) => ({ name, url: running.unit.urls[name] ?? '', time: formatSeconds(running.readyMs ?? 0) })),
  );
  const width = Math.max(...rows.map((row) => row.name.length));
  const urlWidth = Math.max(...rows.map((row) => (row.url || '-').length));
  const lines = rows.map((row) => `  ${row.name.padEnd(width)}  ${(row.url || '-').padEnd(urlWidth)}  ${row.time}`);
  logger.info(`all ready in ${formatSeconds(totalMs)}:\n${lines.join('\n')}`, {
    elapsedMs: Math.round(totalMs),
    components: rows.map((row) => `${row.name}=${row.url || '-'}@${row.time}`).join(' '),
  });
}

function endedByItself(unit: Unit): StagecraftError {
  return new StagecraftError({
    category: 'DEV_SERVER_FAILED',
    operation: 'dev',
    message: `${unit.names.join(', ')} stopped although nobody asked it to`,
  });
}

/** The failure, with the component it happened in (the error record's `component`, the message's first word). */
function inComponent(error: unknown, component: string): StagecraftError {
  if (!(error instanceof StagecraftError)) {
    return new StagecraftError({
      category: 'DEV_SERVER_FAILED',
      operation: 'dev',
      component,
      message: `${component} failed: ${String(error)}`,
      cause: error,
    });
  }
  if (error.component !== undefined) return error;
  const message = error.message.startsWith(`${component} `) ? error.message : `${component}: ${error.message}`;
  return new StagecraftError({ ...error, component, message, cause: error.cause ?? error });
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  readonly settled: boolean;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  const result = {
    promise,
    settled: false,
    resolve() {
      result.settled = true;
      resolve();
    },
  };
  return result;
}
