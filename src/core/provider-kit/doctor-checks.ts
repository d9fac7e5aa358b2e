import { bindError } from '../net/port.js';
import type { DoctorCheck } from '../provider.js';
import { type HostRule, parseHostPort } from './host-port.js';

/** Small constructors so doctor checks read like the report they produce. */
export const ok = (name: string, message: string): DoctorCheck => ({ name, status: 'ok', message });
export const warn = (name: string, message: string, fix?: string): DoctorCheck => ({
  name,
  status: 'warn',
  message,
  ...(fix ? { fix } : {}),
});
export const fail = (name: string, message: string, fix?: string): DoctorCheck => ({
  name,
  status: 'fail',
  message,
  ...(fix ? { fix } : {}),
});

/**
 * Whether the dev server will be able to listen on `address` (host:port as the config writes it): ok when
 * it can be bound right now, else failed with what is in the way. Undefined when the address does not
 * parse (config validation reports that).
 */
export async function listenPortCheck(name: string, address: string, rule: HostRule): Promise<DoctorCheck | undefined> {
  const parsed = parseHostPort(address, rule);
  if (parsed === undefined) return undefined;
  const code = await bindError(parsed.host, parsed.port);
  if (code === undefined) return ok(name, `${address} is free`);
  const problem = code === 'EADDRINUSE' ? 'already in use' : `cannot be bound (${code})`;
  return fail(name, `${address} ${problem}`, 'Stop what holds it, or pick another address: stagecraft dev --listen HOST:PORT.');
}
