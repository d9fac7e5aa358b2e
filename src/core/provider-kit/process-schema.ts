import * as v from 'valibot';
import type { ConfigIssue, ConfigPath } from '../config/issues.js';
import { textValue } from '../config/source-text.js';
import { durationField, durationValue } from '../duration.js';
import { envNameField, hostPortField } from './fields.js';
import { parseHostPort } from './host-port.js';

/**
 * The one process schema (design.md, "The whole local environment"): the generic backend, the generic
 * frontend and every `dev.services` entry describe their process with these keys. The Go reference's keys
 * (`ready_pattern`, `shutdown.signal`, `shutdown.timeout_ms`) are accepted as aliases so its configs work
 * unchanged; `processSpecOf` folds them into one shape, and `processAliasIssues` refuses both forms at once.
 */

export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGKILL'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];
export const RESTART_POLICIES = ['no', 'on-failure'] as const;

function isRegExp(value: string): boolean {
  try {
    new RegExp(value);
    return true;
  } catch {
    return false;
  }
}

export const commandSchema = v.pipe(
  v.array(v.string(), (issue) =>
    typeof issue.input === 'string'
      ? `expected an argv list (no shell runs it), such as ${JSON.stringify(issue.input.trim().split(/\s+/))}`
      : 'expected an argv list of strings, such as ["npm", "run", "dev"]',
  ),
  v.minLength(1, 'expected an argv list with at least the program, such as ["npm", "run", "dev"]'),
  v.check((argv) => (argv[0] ?? '') !== '', 'expected the program name as the first item'),
  v.description('The command as an argv list, e.g. ["npm", "run", "dev"]. Run without a shell; nothing in it is expanded.'),
);

const logPatternField = (description: string) =>
  v.pipe(v.string(), v.check(isRegExp, 'expected a valid regular expression'), v.description(description));

const httpUrlField = (description: string) =>
  v.pipe(
    v.string(),
    v.check((value) => /^https?:\/\/[^\s/]+/.test(value), 'expected an http:// or https:// URL'),
    v.description(description),
  );

export const readySchema = v.pipe(
  v.strictObject({
    tcp: v.optional(hostPortField('name', '127.0.0.1:3000', 'Ready when this host:port accepts a TCP connection.')),
    http: v.optional(httpUrlField('Ready when a GET of this URL gets any response below 500.')),
    log: v.optional(logPatternField('Ready when an output line matches this regular expression (ANSI colours removed).')),
    timeout: durationField('60s', 'How long to wait for readiness before stopping the process and failing.'),
  }),
  v.check(
    (ready) => [ready.tcp, ready.http, ready.log].filter((probe) => probe !== undefined).length === 1,
    'expected exactly one of tcp, http or log',
  ),
  v.description('How Stagecraft knows the process is up: exactly one of tcp, http or log, plus an optional timeout.'),
);

const shutdownSchema = v.pipe(
  v.strictObject({
    signal: v.optional(v.pipe(v.picklist(STOP_SIGNALS), v.description('Alias of stop_signal (the Go reference key).'))),
    timeout_ms: v.optional(
      v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(86_400_000), v.description('Alias of stop_timeout, in milliseconds.')),
    ),
  }),
  v.description('The Go reference form of stop_signal and stop_timeout.'),
);

/** The keys every process has. Kept as an entries object so each user spreads it into its own strict object. */
export const processEntries = {
  command: commandSchema,
  workdir: v.optional(
    v.pipe(v.string(), v.description('Working directory, relative to the project root; must lie inside it. Default: the project root.')),
    '.',
  ),
  env: v.optional(
    v.pipe(
      v.record(
        envNameField(),
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the text documents the ${NAME} syntax itself.
        textValue('Value of the variable; ${NAME} expands from the environment, STAGECRAFT_* URLs included ($$ is a literal $).'),
      ),
      v.description('Variables for this process. They override env files and the process environment; STAGECRAFT_* variables win.'),
    ),
    {},
  ),
  url: v.optional(
    v.pipe(
      v.string(),
      v.check(
        (value) => /^[a-z][a-z0-9+.-]*:\/\/[^\s/]+/i.test(value),
        'expected a URL such as http://127.0.0.1:5173 or postgres://127.0.0.1:5433',
      ),
      v.description(
        'Where the process listens, known before it starts (http://127.0.0.1:5173, postgres://127.0.0.1:5433): becomes STAGECRAFT_<NAME>_URL. Default: the readiness target.',
      ),
    ),
  ),
  ready: v.optional(readySchema),
  ready_pattern: v.optional(logPatternField('Alias of ready.log (the Go reference key).')),
  stop_signal: v.optional(v.pipe(v.picklist(STOP_SIGNALS), v.description('Signal sent to the process group to stop it. Default SIGTERM.'))),
  stop_timeout: v.optional(durationValue('Grace period after the stop signal before the process group is killed. Default 10s.')),
  shutdown: v.optional(shutdownSchema),
  restart: v.optional(
    v.pipe(
      v.picklist(RESTART_POLICIES),
      v.description('on-failure: restart after an unasked exit, with a short backoff, up to 3 times. Default: no.'),
    ),
    'no',
  ),
} as const;

const processObject = v.object(processEntries);
export type RawProcess = v.InferOutput<typeof processObject>;

export const DEFAULT_STOP_SIGNAL: StopSignal = 'SIGTERM';
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;
export const DEFAULT_READY_TIMEOUT_MS = 60_000;

/** A process as the runtime needs it: aliases folded, defaults applied. */
export interface ProcessSpec {
  readonly command: readonly string[];
  readonly workdir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly url: string | undefined;
  readonly ready: ReadySpec | undefined;
  readonly stopSignal: StopSignal;
  readonly stopTimeoutMs: number;
  readonly restart: 'no' | 'on-failure';
}

export interface ReadySpec {
  readonly tcp?: string;
  readonly http?: string;
  readonly log?: string;
  readonly timeoutMs: number;
}

export function processSpecOf(raw: RawProcess): ProcessSpec {
  const ready: ReadySpec | undefined = raw.ready
    ? { tcp: raw.ready.tcp, http: raw.ready.http, log: raw.ready.log, timeoutMs: raw.ready.timeout }
    : raw.ready_pattern !== undefined
      ? { log: raw.ready_pattern, timeoutMs: DEFAULT_READY_TIMEOUT_MS }
      : undefined;
  return {
    command: raw.command,
    workdir: raw.workdir,
    env: raw.env,
    url: raw.url,
    ready,
    stopSignal: raw.stop_signal ?? raw.shutdown?.signal ?? DEFAULT_STOP_SIGNAL,
    stopTimeoutMs: raw.stop_timeout ?? raw.shutdown?.timeout_ms ?? DEFAULT_STOP_TIMEOUT_MS,
    restart: raw.restart,
  };
}

/** Both forms of one setting (`ready` and `ready_pattern`, `stop_signal` and `shutdown.signal`, ...) is an error. */
export function processAliasIssues(raw: RawProcess, at: ConfigPath = []): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const both = (alias: ConfigPath, canonical: string) =>
    issues.push({
      path: [...at, ...alias],
      atKey: true,
      message: `expected ${canonical} or ${alias.join('.')}, not both (they are one setting)`,
    });
  if (raw.ready_pattern !== undefined && raw.ready !== undefined) both(['ready_pattern'], 'ready');
  if (raw.shutdown?.signal !== undefined && raw.stop_signal !== undefined) both(['shutdown', 'signal'], 'stop_signal');
  if (raw.shutdown?.timeout_ms !== undefined && raw.stop_timeout !== undefined) both(['shutdown', 'timeout_ms'], 'stop_timeout');
  return issues;
}

/**
 * The URL a process serves, from its readiness target, when `url` is not given: an http target's origin;
 * a tcp target as `tcpScheme://host:port` (servers are http; a service's port may be anything, so tcp).
 */
export function readinessUrl(ready: ReadySpec | undefined, tcpScheme: 'http' | 'tcp' = 'http'): string | undefined {
  if (ready?.http !== undefined) return new URL(ready.http).origin;
  if (ready?.tcp !== undefined && parseHostPort(ready.tcp, 'name') !== undefined) return `${tcpScheme}://${ready.tcp}`;
  return undefined;
}
