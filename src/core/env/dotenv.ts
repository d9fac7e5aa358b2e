import { readFileSync } from 'node:fs';
import { parse } from 'dotenv';

export type Lookup = (name: string) => string | undefined;

// ${VAR}, ${VAR:-default} (unset or empty), ${VAR-default} (unset); a backslash before $ keeps it literal.
const REFERENCE = /(\\?)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g;

/**
 * Replaces `${VAR}` references. Only this brace form is expanded: a bare `$word` stays as written, so a
 * password like `pa$word` survives. Nothing is ever executed: `$(...)` and backticks stay literal
 * (dotenv-expand runs them, which is why it is not used).
 */
export function expandReferences(value: string, lookup: Lookup, unresolved: Set<string>): string {
  return value.replace(REFERENCE, (whole, backslash: string, name: string, operator?: string, fallback?: string) => {
    if (backslash) return whole.slice(1);
    const found = lookup(name);
    if (operator === ':-' && (found === undefined || found === '')) return fallback ?? '';
    if (operator === '-' && found === undefined) return fallback ?? '';
    if (found === undefined) unresolved.add(name);
    return found ?? '';
  });
}

export interface EnvFileResult {
  readonly values: Record<string, string>;
  /** Names referenced as ${NAME} that were defined nowhere (they expanded to ""). */
  readonly unresolved: readonly string[];
}

/** Where references resolve besides the file itself: what overrides the file, and what it overrides. */
export interface ReferenceScope {
  readonly above: Lookup;
  readonly below: Lookup;
}

/**
 * Reads a dotenv file (dotenv's parser: quotes, `export`, comments, multi-line quoted values) and
 * expands references in file order, in precedence order: `scope.above`, then the keys above in this
 * file, then `scope.below`.
 */
export function readEnvFile(path: string, scope: ReferenceScope): EnvFileResult {
  const parsed = parse(readFileSync(path));
  const values: Record<string, string> = {};
  const unresolved = new Set<string>();
  for (const [name, raw] of Object.entries(parsed)) {
    values[name] = expandReferences(raw, (ref) => scope.above(ref) ?? values[ref] ?? scope.below(ref), unresolved);
  }
  return { values, unresolved: [...unresolved] };
}
