import type { Logger } from '../logging/logger.js';
import { MIN_MASKED_LENGTH, type Redactor } from '../logging/redactor.js';

export interface DeclaredSecret {
  readonly name: string;
  readonly value: string;
}

export interface DeclaredSecretsOptions {
  /** Names of environment variables the config declares secret (dev.secrets, encore_secrets.from_env). */
  readonly names: Iterable<string>;
  readonly env: Readonly<Record<string, string>>;
  readonly secrets: Redactor;
  /**
   * Warn about unset or empty variables and about values too short to mask. Without it (builds) nothing is
   * said: the values are only masked.
   */
  readonly warn?: {
    readonly logger: Logger;
    /** Ends the warning about an unset or empty variable: "; not synced". */
    readonly unset?: string;
    /** Ends the warning about a short value: "it is synced, but cannot be masked in output". */
    readonly short?: string;
  };
}

/**
 * Registers the values of declared secret variables with the redactor, before anything can print them,
 * and returns those that have a value (each name once). Dev servers and builds both do this: a tool that
 * echoes its environment must not show a secret.
 */
export function maskDeclaredSecrets(options: DeclaredSecretsOptions): DeclaredSecret[] {
  const found: DeclaredSecret[] = [];
  const { warn } = options;
  for (const name of new Set(options.names)) {
    const value = options.env[name];
    if (value === undefined || value === '') {
      warn?.logger.warn(`secret ${name} is ${value === undefined ? 'not set' : 'empty'} in the environment${warn.unset ?? ''}`);
      continue;
    }
    if (!options.secrets.add(value)) {
      warn?.logger.warn(`secret ${name} is shorter than ${MIN_MASKED_LENGTH} characters: ${warn.short ?? 'it cannot be masked in output'}`);
    }
    found.push({ name, value });
  }
  return found;
}
