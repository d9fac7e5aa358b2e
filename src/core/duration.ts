import * as v from 'valibot';

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The longest duration any field accepts: 24 hours. Node's timers hold at most 2^31-1 ms (about 24.8
 * days) and fire at once for anything longer, so `ready_timeout: 720h` used to time out immediately.
 */
export const MAX_DURATION_MS = 24 * 3_600_000;

/** Milliseconds for `90s`, `2m`, `500ms`, `1.5h` or a plain number of milliseconds; undefined if unreadable. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = DURATION.exec(value.trim());
  if (match === null) return /^\d+$/.test(value.trim()) ? Number(value) : undefined;
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

/** A duration value, parsed to milliseconds (no default: for settings that have another form, such as an alias). */
export function durationValue(description: string) {
  return v.pipe(
    v.union([v.number(), v.string()]),
    v.check((value) => parseDuration(value) !== undefined, 'expected a duration such as 90s, 2m, 500ms or a number of milliseconds'),
    // Checks all run even after one fails: an unreadable value must not also read as "too long".
    v.check((value) => (parseDuration(value) ?? 0) <= MAX_DURATION_MS, 'expected a duration of at most 24h'),
    v.transform((value) => parseDuration(value) as number),
    v.description(`${description} A duration: 90s, 2m, 500ms, or milliseconds; at most 24h.`),
  );
}

/** A config field holding a duration, parsed to milliseconds, with its default in the JSON Schema. */
export function durationField(defaultValue: string, description: string) {
  return v.optional(durationValue(description), defaultValue);
}
