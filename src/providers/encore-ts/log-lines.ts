import type { Level } from '../../core/logging/logger.js';

// Encore (zerolog's console writer) marks lines like "3:04PM INF message key=value"; the time is optional.
const LEVEL_MARKER = /^(?:\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:AM|PM)?\s+)?(TRC|DBG|INF|WRN|ERR|FTL|PNC)\b/;

const LEVELS: Record<string, Level> = {
  TRC: 'debug',
  DBG: 'debug',
  INF: 'info',
  WRN: 'warn',
  ERR: 'error',
  FTL: 'error',
  PNC: 'error',
};

/** The level Encore gave a line (ANSI already removed); unmarked lines are info, so nothing is hidden. */
export function encoreLineLevel(line: string): Level {
  const marker = LEVEL_MARKER.exec(line)?.[1];
  return marker === undefined ? 'info' : (LEVELS[marker] ?? 'info');
}

const PORT_IN_USE = /Failed to run on (\S+) - port is already in use/;
const FREE_ADDRESS = /address (\S+) is available; specify --listen=(\S+) to use it/;

/** Turns Encore's "port is already in use" lines into a clear message with its suggested address. */
export function explainEncoreExit(tail: readonly string[]): { message: string; hint?: string } | undefined {
  const busy = tail.map((line) => PORT_IN_USE.exec(line)).find((match) => match !== null);
  if (!busy) return undefined;
  const free = tail.map((line) => FREE_ADDRESS.exec(line)).find((match) => match !== null);
  const suggestion = free?.[2];
  return {
    message: `encore run could not listen on ${busy[1]}: the port is already in use${suggestion ? `; Encore says ${suggestion} is available` : ''}`,
    hint: suggestion
      ? `Stop whatever holds ${busy[1]}, or run: stagecraft dev --listen ${suggestion}`
      : `Stop whatever holds ${busy[1]}, or pick another address with stagecraft dev --listen HOST:PORT.`,
  };
}
