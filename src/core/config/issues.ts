import { type Operation, StagecraftError } from '../errors.js';

export type ConfigPath = readonly (string | number)[];

/** One problem with the config, before it has a position. */
export interface ConfigIssue {
  readonly path: ConfigPath;
  /** What is wrong, usually "expected X, found Y". */
  readonly message: string;
  /** Points at the key itself rather than its value (unknown keys). */
  readonly atKey?: boolean;
  /** For provider issues: which operation needs the field (defaults to the path's first segment). */
  readonly operation?: Operation;
}

/** A problem with a place in the file, ready to print. */
export interface LocatedIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted path of the field, or a description for whole-document problems ("(YAML syntax)"). */
  readonly field: string;
  readonly message: string;
}

export function formatIssue(issue: LocatedIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}  ${issue.field}: ${issue.message}`;
}

/** INVALID_CONFIG with every problem found, each on its own line of `detail`. */
export class ConfigError extends StagecraftError {
  readonly issues: readonly LocatedIssue[];

  constructor(issues: readonly LocatedIssue[], provider?: string) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super({
      category: 'INVALID_CONFIG',
      message: `${issues[0]?.file ?? 'config'} has ${count}`,
      detail: issues.map(formatIssue).join('\n'),
      provider,
    });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Dotted path as users write it: `backend.providers.encore-ts.dev.listen`, list items as `command[0]`. */
export function formatPath(path: ConfigPath): string {
  let text = '';
  for (const segment of path) {
    text += typeof segment === 'number' ? `[${segment}]` : text ? `.${segment}` : segment;
  }
  return text || '(top level)';
}

/** Describes a value for "found ...": short, typed, never the whole of a huge value. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value instanceof Date) return `a date (${value.toISOString().slice(0, 10)}; quote it to make it a string)`;
  if (typeof value === 'object') return 'a map';
  return typeof value;
}

/**
 * Words longer than this are never typos of a key or a choice: comparing them would cost time quadratic
 * in their length (a 100 KB value took seconds), so "did you mean" skips them.
 */
export const MAX_SUGGESTION_LENGTH = 64;

/** The closest candidate to `word` if it is a plausible typo (edit distance at most a third of its length). */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length > MAX_SUGGESTION_LENGTH) return undefined;
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    if (candidate.length > MAX_SUGGESTION_LENGTH) continue;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance (Levenshtein with transpositions: `lsiten` is one edit from `listen`). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const above = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = value;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}
