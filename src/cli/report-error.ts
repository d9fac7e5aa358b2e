import { exitCodeFor, isStagecraftError, StagecraftError } from '../core/errors.js';
import type { Logger } from '../core/logging/logger.js';
import { VERSION } from '../version.js';

export interface ReportOptions {
  /** The command that was running (`dev`, `config validate`): named in the bug-report line. Never its flags. */
  readonly command?: string;
}

/**
 * The one place a failure is shown: a single `error` record (JSON) or a short block (text) with the
 * category, provider, operation, exit code and detail. Returns the process exit code.
 */
export function reportError(error: unknown, logger: Logger, options: ReportOptions = {}): number {
  const known = asStagecraftError(error, logger.verbose, options.command);
  const facts = {
    category: known.category,
    provider: known.provider,
    operation: known.operation,
    component: known.component,
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
  logger.continuation(`  ${[known.category, known.component, known.provider, known.operation, childExit].filter(Boolean).join(' · ')}`, {
    dim: true,
  });
  return exitCodeFor(known);
}

/** Anything that is not a StagecraftError is a bug: INTERNAL (exit 5), with the stack only under -v. */
function asStagecraftError(error: unknown, verbose: boolean, command: string | undefined): StagecraftError {
  if (isStagecraftError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const where = verbose ? 'with this line and the stack trace above' : 'with this line (run again with -v for the stack trace)';
  return new StagecraftError({
    category: 'INTERNAL',
    message: `internal error: ${message}`,
    detail: verbose && error instanceof Error ? error.stack : undefined,
    hint: `This is a bug in Stagecraft. Please report it ${where}: ${bugReportLine(command)}`,
    cause: error,
  });
}

/**
 * What a bug report needs to start with, pre-filled: versions, platform and the command's name. Only
 * facts about Stagecraft and Node: no flag, no value, no path, so it can be pasted anywhere as it is.
 */
export function bugReportLine(command: string | undefined): string {
  return [
    `stagecraft ${VERSION}`,
    `Node ${process.version}`,
    `${process.platform}-${process.arch}`,
    `command: stagecraft ${command ?? '(none)'}`,
  ].join(' · ');
}
