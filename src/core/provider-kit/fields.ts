import * as v from 'valibot';
import { expectedHostPort, type HostRule, parseHostPort } from './host-port.js';

/** An environment variable name as shells and dotenv files accept it. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A string that must be an environment variable name; `what` names it in the message ("a build argument name"). */
export function envNameField(what = 'an environment variable name') {
  return v.pipe(v.string(), v.regex(ENV_NAME, `expected ${what} (letters, digits, _)`));
}

/**
 * A `host:port` string field; `example` goes into the message ("such as 127.0.0.1:3000"). The value stays
 * as written: parse it with `parseHostPort(value, rule)` where it is used.
 */
export function hostPortField(rule: HostRule, example: string, description: string) {
  return v.pipe(
    v.string(),
    v.check((value) => parseHostPort(value, rule) !== undefined, `expected ${expectedHostPort(rule)}, such as ${example}`),
    v.description(description),
  );
}

/** `secrets`: names of environment variables whose values are masked in all output. */
export function secretNamesField() {
  return v.optional(
    v.pipe(
      v.array(envNameField()),
      v.description('Names of environment variables whose values are secret: they are masked (***) in all output.'),
    ),
    [],
  );
}
