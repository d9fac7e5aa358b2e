import { exitCodeFor, isStagecraftError, StagecraftError } from '../core/errors.js';
import type { Logger } from '../core/logging/logger.js';

/**
 * The one place a failure is shown: a single `error` record (JSON) or a short block (text) with the
 * category, provider, operation, exit code and detail. Returns the process exit code.
 */
export function reportError(error: unknown, logger: Logger): number {
  const known = asStagecraftError(error, logger.verbose);
  const facts = {
    category: known.category,
    provider: known.provider,
    operation: known.operation,
    exitCode: known.exitCode,
    signal: known.signal,
  };
  if (logger.format === 'json') {
    logger.error(known.message, { ...facts, detail: known.detail, hint: known.hint });
    return exitCodeFor(known);
  }
  logger.error(known.message);
  for (const line of known.detail?.split('\n') ?? []) logger.continuation(`  ${line}`);
  if (known.hint) logger.continuation(`  hint: ${known.hint}`);
  const childExit = known.signal ? `signal ${known.signal}` : known.exitCode === undefined ? undefined : `exit code ${known.exitCode}`;
  logger.continuation(`  ${[known.category, known.provider, known.operation, childExit].filter(Boolean).join(' · ')}`, { dim: true });
  return exitCodeFor(known);
}

/** Anything that is not a StagecraftError is a bug: INTERNAL (exit 5), with the stack only under -v. */
function asStagecraftError(error: unknown, verbose: boolean): StagecraftError {
  if (isStagecraftError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StagecraftError({
    category: 'INTERNAL',
    message: `internal error: ${message}`,
    detail: verbose && error instanceof Error ? error.stack : undefined,
    hint: verbose
      ? 'This is a bug in Stagecraft; please report it with the stack trace above.'
      : 'This is a bug in Stagecraft; run again with -v for the stack trace and report it.',
    cause: error,
  });
}
