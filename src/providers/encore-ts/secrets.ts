import { monotonicMs } from '../../core/clock.js';
import { StagecraftError } from '../../core/errors.js';
import type { Logger } from '../../core/logging/logger.js';
import type { Progress } from '../../core/logging/progress.js';
import type { Redactor } from '../../core/logging/redactor.js';
import { formatSeconds } from '../../core/process/readiness.js';
import { describeExit, runLogged } from '../../core/process/run-to-completion.js';
import type { Runner } from '../../core/process/start-child.js';
import { maskDeclaredSecrets } from '../../core/provider-kit/declared-secrets.js';
import { gitIgnores } from '../../core/provider-kit/git.js';
import type { EncoreBinary } from './binary.js';
import type { EncoreApp } from './encore-app.js';
import { ENCORE_PROVIDER_ID } from './ids.js';
import { LOCAL_SECRETS_FILE, type SecretValue, updateLocalSecrets } from './local-secrets.js';
import type { EncoreSecretsConfig } from './schema.js';

export interface SecretSyncOptions {
  readonly config: EncoreSecretsConfig;
  /** The dev environment: where secret values are read from, and what the encore commands run with. */
  readonly env: Readonly<Record<string, string>>;
  readonly app: EncoreApp;
  readonly encore: EncoreBinary;
  readonly runner: Runner;
  readonly logger: Logger;
  readonly secrets: Redactor;
  readonly signal: AbortSignal;
  readonly progress: Progress;
}

export type SecretStore = 'platform' | 'local';

/**
 * Syncs `from_env` secrets before the dev server starts (spec §4.2). Values are read from the dev
 * environment and never leave it except on `encore secret set`'s stdin or into Encore's own local
 * secret file. Missing values are warned about and skipped; any failure is SECRET_SYNC_FAILED, and then
 * nothing else starts.
 */
export async function syncSecrets(options: SecretSyncOptions): Promise<void> {
  const values = collectValues(options);
  const store = resolveStore(options.config.store, options.app);
  if (values.length === 0) return;
  const startedAt = monotonicMs();
  const step = options.progress.step(
    `syncing ${values.length} secret${values.length === 1 ? '' : 's'} to ${store === 'local' ? LOCAL_SECRETS_FILE : 'Encore'}`,
  );
  try {
    if (store === 'local') await storeLocally(options, values);
    else await setOnPlatform(options, values, (done, total) => step.update(`${done}/${total}`));
  } finally {
    step.done();
  }
  options.logger.info(
    `synced ${values.length} secret${values.length === 1 ? '' : 's'} to ${store === 'local' ? LOCAL_SECRETS_FILE : `Encore (${options.config.types.join(',')})`} in ${formatSeconds(monotonicMs() - startedAt)}`,
  );
}

export function resolveStore(store: EncoreSecretsConfig['store'], app: EncoreApp): SecretStore {
  if (store === 'auto') return app.id === '' ? 'local' : 'platform';
  return store;
}

/** Values of `from_env`, registered for masking before anything can print them. */
function collectValues(options: SecretSyncOptions): SecretValue[] {
  const values = maskDeclaredSecrets({
    names: options.config.from_env,
    env: options.env,
    secrets: options.secrets,
    warn: { logger: options.logger, unset: '; not synced', short: 'it is synced, but cannot be masked in output' },
  });
  for (const { name, value } of values) {
    if (/[\r\n]$/.test(value)) options.logger.warn(`secret ${name} ends with a newline, which Encore strips from secret values`);
  }
  return values;
}

async function storeLocally(options: SecretSyncOptions, values: readonly SecretValue[]): Promise<void> {
  const { logger, config } = options;
  const cloudTypes = config.types.filter((type) => type !== 'local');
  if (cloudTypes.length > 0) {
    logger.warn(
      `dev.encore_secrets.types ${cloudTypes.join(', ')} apply to store: platform only; ${LOCAL_SECRETS_FILE} serves encore run on this machine`,
    );
  }
  const result = updateLocalSecrets(options.app.root, values);
  for (const value of result.allValues) options.secrets.add(value);
  for (const name of result.definedElsewhere) {
    logger.warn(`secret ${name} is already defined in ${result.file} outside Stagecraft's block; left as it is`);
  }
  if (result.tightenedFrom !== undefined) {
    logger.warn(
      `${result.target} holds secrets but had mode ${result.tightenedFrom.toString(8).padStart(4, '0')} (readable by others); changed it to 0600`,
    );
  }
  const through = result.target === result.file ? '' : ` (through the link to ${result.target})`;
  logger.debug(result.changed ? `updated ${result.file}${through}` : `${result.file} already up to date`);
  const ignored = await gitIgnores({
    runner: options.runner,
    env: options.env,
    cwd: options.app.root,
    file: result.file,
    signal: options.signal,
  });
  if (ignored === 'not-ignored') {
    logger.warn(
      `${result.file} holds secret values but git does NOT ignore it: add it to .gitignore now (echo ${LOCAL_SECRETS_FILE} >> .gitignore) so it is never committed`,
    );
  }
}

interface SecretCall {
  readonly name: string;
  readonly value: string;
  readonly types: readonly string[];
}

interface SecretFailure {
  readonly call: SecretCall;
  readonly reason: string;
  readonly exitCode: number | undefined;
  readonly tail: string;
}

async function setOnPlatform(
  options: SecretSyncOptions,
  values: readonly SecretValue[],
  onProgress: (done: number, total: number) => void,
): Promise<void> {
  if (options.app.id === '') {
    throw new StagecraftError({
      category: 'SECRET_SYNC_FAILED',
      provider: ENCORE_PROVIDER_ID,
      operation: 'dev',
      message: `dev.encore_secrets.store is platform, but ${options.app.file} is not linked to Encore's platform (it has no id), so \`encore secret set\` cannot work`,
      hint: 'Set dev.encore_secrets.store: local to keep secrets in .secrets.local.cue on this machine, or link the app with `encore app link`.',
    });
  }
  const { types, mode } = options.config;
  const calls: SecretCall[] =
    mode === 'grouped'
      ? values.map(({ name, value }) => ({ name, value, types }))
      : values.flatMap(({ name, value }) => types.map((type) => ({ name, value, types: [type] })));
  const failures = await runPool(calls, options.config.concurrency, options.signal, onProgress, (call) => setSecret(options, call));
  options.signal.throwIfAborted();
  if (failures.length > 0) throw syncFailure(failures);
}

/**
 * Runs calls with at most `concurrency` at once. After a failure no new call starts (what already runs
 * finishes: a half-sent cloud update is worse than a finished one). Returns the failures.
 */
async function runPool(
  calls: readonly SecretCall[],
  concurrency: number,
  signal: AbortSignal,
  onProgress: (done: number, total: number) => void,
  run: (call: SecretCall) => Promise<SecretFailure | undefined>,
): Promise<SecretFailure[]> {
  const failures: SecretFailure[] = [];
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < calls.length && failures.length === 0 && !signal.aborted) {
      const call = calls[next++] as SecretCall;
      const failure = await run(call);
      if (failure) failures.push(failure);
      onProgress(++done, calls.length);
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(concurrency, calls.length) }, worker));
  const rejected = results.find((result) => result.status === 'rejected');
  if (rejected && !signal.aborted) throw rejected.reason;
  return failures;
}

/** One `encore secret set --type a,b NAME`, the value on stdin (then closed: Encore reads to EOF). */
async function setSecret(options: SecretSyncOptions, call: SecretCall): Promise<SecretFailure | undefined> {
  const args = ['secret', 'set', '--type', call.types.join(','), call.name];
  options.logger.debug(`encore ${args.join(' ')}`);
  const result = await runLogged(options.runner, options.encore.path, args, {
    cwd: options.app.root,
    env: options.env,
    stdin: call.value,
    timeoutMs: options.config.timeout,
    signal: options.signal,
    logger: options.logger,
    classify: () => 'debug',
  });
  if (result.code === 0 && !result.timedOut) return undefined;
  return {
    call,
    reason: result.timedOut ? `timed out after ${formatSeconds(options.config.timeout)}` : describeExit(result),
    exitCode: result.code ?? undefined,
    tail: result.tail,
  };
}

function syncFailure(failures: readonly SecretFailure[]): StagecraftError {
  const [first] = failures as [SecretFailure, ...SecretFailure[]];
  const more = failures.length > 1 ? ` (and ${failures.length - 1} more)` : '';
  const detail = failures
    .map(({ call, reason, tail }) =>
      [
        `${call.name} (--type ${call.types.join(',')}): ${reason}`,
        ...tail
          .split('\n')
          .filter(Boolean)
          .slice(-5)
          .map((line) => `  ${line}`),
      ].join('\n'),
    )
    .join('\n');
  const explained = explainSecretFailure(first);
  return new StagecraftError({
    category: 'SECRET_SYNC_FAILED',
    provider: ENCORE_PROVIDER_ID,
    operation: 'dev',
    message: `encore secret set failed for ${first.call.name} (type ${first.call.types.join(',')}): ${explained?.reason ?? first.reason}${more}; the dev server was not started`,
    detail,
    exitCode: first.exitCode,
    hint: explained?.hint,
  });
}

const CONFLICT = 'the environment selection conflicts with other secret values';

/** Encore's own refusals (cli/cmd/encore/secrets/set.go), turned into what to do about them. */
function explainSecretFailure({ call, tail }: SecretFailure): { reason: string; hint: string } | undefined {
  if (tail.includes(CONFLICT)) {
    return {
      reason: `Encore refused (${CONFLICT}): ${call.name} already has a value on Encore's platform for a group of types that overlaps ${call.types.join(',')} but is not the same group, and Encore keeps one value per group rather than splitting it`,
      hint: `Set the secret with the same group of types it already has: use dev.encore_secrets.mode: grouped (one call with all of dev.encore_secrets.types) and make types match the existing group, or remove ${call.name}'s existing value in Encore's dashboard before setting it per type.`,
    };
  }
  if (/not logged in/.test(tail)) {
    return {
      reason: 'Encore is not logged in',
      hint: 'Run `encore auth login`, or keep secrets on this machine with dev.encore_secrets.store: local (.secrets.local.cue).',
    };
  }
  return undefined;
}
