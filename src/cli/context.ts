import pc from 'picocolors';
import { type Colors, type LogFormat, Logger } from '../core/logging/logger.js';
import { LogOutput, streamSink } from '../core/logging/output.js';
import { createProgress, type Progress } from '../core/logging/progress.js';
import { Redactor } from '../core/logging/redactor.js';
import { createRunner, type Runner } from '../core/process/start-child.js';
import type { CommandTable } from './command-spec.js';
import { COMMAND_TABLE } from './commands.js';

/** The global flags, as every command sees them. */
export interface GlobalOptions {
  readonly config: string | undefined;
  readonly env: string;
  readonly verbose: boolean;
  readonly logFormat: LogFormat;
  /** False with --no-color. */
  readonly color: boolean;
}

export interface CommandIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** Everything a command needs from the outside world, made once per invocation. */
export interface CommandContext {
  readonly cwd: string;
  readonly processEnv: NodeJS.ProcessEnv;
  readonly options: GlobalOptions;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly output: LogOutput;
  readonly runner: Runner;
  /** Whether stderr is an interactive terminal showing text logs (progress lines are drawn only then). */
  readonly interactive: boolean;
  readonly progress: Progress;
  /** Aborted by the first Ctrl+C, SIGTERM or SIGHUP (a second one kills every child group at once). */
  readonly signal: AbortSignal;
  /** Aborted by the second Ctrl+C (after every child group was sent SIGKILL): for what is not a child of ours. */
  readonly forced: AbortSignal;
  /** Every command and global option (for completion): handed over here, so no command imports the table. */
  readonly commands: CommandTable;
  /**
   * Writes a result to stdout. Results are not logs: they are built from configuration (an image
   * reference, a schema, a JSON document), never from child output, so they do not pass through the
   * redactor, which would otherwise rewrite any part that happens to equal a secret (`ghcr.io/***`).
   */
  print(text: string): void;
}

export function createContext(
  options: GlobalOptions,
  io: CommandIo,
  signal: AbortSignal = new AbortController().signal,
  commands: CommandTable = COMMAND_TABLE,
  forced: AbortSignal = new AbortController().signal,
): CommandContext {
  const redactor = new Redactor();
  const output = new LogOutput(streamSink(io.stderr));
  const colors = useColor(options, io) ? (pc.createColors(true) as Colors) : undefined;
  const logger = new Logger({ format: options.logFormat, verbose: options.verbose, colors, redactor, output });
  io.stdout.on('error', () => {});
  const interactive = options.logFormat === 'text' && io.stderr.isTTY === true && io.env.CI === undefined;
  return {
    cwd: io.cwd,
    processEnv: io.env,
    options,
    logger,
    redactor,
    output,
    runner: createRunner({ flow: output, safeCut: (kept) => redactor.safeCutLength(kept) }),
    interactive,
    progress: createProgress({ logger, output, interactive, columns: io.stderr.columns }),
    signal,
    forced,
    commands,
    print(text) {
      // Logs are flushed first so a result never lands between two halves of a log line on a shared terminal.
      output.flush();
      io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
  };
}

/** Colour only for text logs on a terminal, never with --no-color or NO_COLOR; FORCE_COLOR forces it. */
function useColor(options: GlobalOptions, io: CommandIo): boolean {
  if (!options.color || options.logFormat === 'json') return false;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0') return true;
  return io.stderr.isTTY === true;
}
