import type { ConfigIssue, ConfigPath } from '../config/issues.js';

/** `${NAME}` expands; `$$` is a literal `$` (as in Compose files); any other `$` stays as written. */
const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface ExpandedEnv {
  readonly env: Record<string, string>;
  /** One issue per value that names a variable defined nowhere, at that value's field. */
  readonly issues: ConfigIssue[];
}

/**
 * Expands `${NAME}` in a component's own `env` values against the environment beneath them (env files,
 * the process environment, the STAGECRAFT_* variables). A name defined nowhere is a config error rather
 * than an empty string: `DATABASE_URL: ${STAGECRAFT_SERVICE_DB_URL}` with a typo must not start the app
 * against no database.
 */
export function expandEnvValues(
  values: Readonly<Record<string, string>>,
  scope: Readonly<Record<string, string>>,
  at: ConfigPath,
): ExpandedEnv {
  const env: Record<string, string> = {};
  const issues: ConfigIssue[] = [];
  for (const [key, value] of Object.entries(values)) {
    const unknown: string[] = [];
    env[key] = value.replace(REFERENCE, (match, name: string | undefined) => {
      if (name === undefined) return '$';
      if (Object.hasOwn(scope, name)) return scope[name] as string;
      unknown.push(name);
      return match;
    });
    if (unknown.length > 0) {
      issues.push({
        path: [...at, key],
        message: `${unknown.map((name) => `\${${name}}`).join(', ')} is not defined in the environment, the env files or the STAGECRAFT_* variables (write $$ for a literal $)`,
      });
    }
  }
  return { env, issues };
}
