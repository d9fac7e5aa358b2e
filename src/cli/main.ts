import { StagecraftError, UsageError } from '../core/errors.js';
import type { Logger } from '../core/logging/logger.js';
import { listenForInterrupts } from '../core/process/interrupts.js';
import { VERSION } from '../version.js';
import type { Flags } from './command-spec.js';
import { type CommandContext, type CommandIo, createContext, type GlobalOptions } from './context.js';
import { commandTableFor } from './contributed-options.js';
import { helpText } from './help.js';
import { parseCommandLine } from './parse.js';
import { reportError } from './report-error.js';

/**
 * Parses argv and runs one command. Command modules are imported only when their command runs, so help
 * and usage errors stay close to bare Node start-up. Returns the process exit code.
 */
export async function main(argv: readonly string[], givenIo?: CommandIo): Promise<number> {
  let context: CommandContext | undefined;
  /** The command's name once argv is parsed (for the bug-report line of an internal error). */
  let commandName: string | undefined;
  routeProcessWarnings(() => context?.logger, argv);
  const interrupts = listenForInterrupts({
    onStop(signal) {
      context?.logger.info(`${signal} received: stopping (press Ctrl+C again to kill at once)`);
    },
    onForce(signal) {
      context?.logger.warn(`${signal} received again: killing everything now`);
      context?.runner.signalAll('SIGKILL');
    },
  });
  const io = givenIo ?? processIo();
  if (io === undefined) {
    interrupts.dispose();
    return reportError(deletedWorkingDirectory(), createContext(fallbackOptions(argv), bareIo(), interrupts.signal).logger);
  }
  const results = trackResults(io.stdout);
  let code = await run();
  code = await resultsWritten(io.stdout, results, code, () => context?.logger);
  interrupts.dispose();
  return code;

  async function run(): Promise<number> {
    if (io === undefined) return 1;
    try {
      const table = await commandTableFor(argv);
      const line = parseCommandLine(argv, table);
      if (line.kind === 'version') {
        io.stdout.write(`${VERSION}\n`);
        return 0;
      }
      if (line.kind === 'help') {
        const text = helpText(line.topic, table);
        if (text === undefined) throw new UsageError(`no help for "${line.topic}": not a command`);
        // Asked-for help is a result (stdout, exit 0); help shown because no command was given is not.
        (line.requested ? io.stdout : io.stderr).write(text);
        return line.requested ? 0 : 1;
      }
      commandName = line.command.name;
      context = createContext(globalOptions(line.globals), io, interrupts.signal, table, interrupts.forced);
      const command = await line.command.load();
      return await command(context, line.flags);
    } catch (error) {
      context ??= createContext(fallbackOptions(argv), io, interrupts.signal);
      return reportError(error, context.logger, { command: commandName });
    } finally {
      context?.output.flush();
      // Last resort: a process group still tracked here is a bug, but it must not outlive us.
      context?.runner.signalAll('SIGKILL');
    }
  }
}

function globalOptions(flags: Flags): GlobalOptions {
  return {
    config: typeof flags.config === 'string' ? flags.config : undefined,
    env: typeof flags.env === 'string' ? flags.env : 'dev',
    verbose: flags.verbose === true,
    logFormat: flags.logFormat === 'json' ? 'json' : 'text',
    color: flags.noColor !== true,
  };
}

/** For errors found while parsing argv: honour --log-format json and --no-color if they are there. */
function fallbackOptions(argv: readonly string[]): GlobalOptions {
  const json = argv.some((arg, index) => arg === '--log-format=json' || (arg === '--log-format' && argv[index + 1] === 'json'));
  return {
    config: undefined,
    env: 'dev',
    verbose: argv.includes('-v') || argv.includes('--verbose'),
    logFormat: json ? 'json' : 'text',
    color: !argv.includes('--no-color'),
  };
}

/** The real streams and environment; undefined when the working directory no longer exists. */
function processIo(): CommandIo | undefined {
  let cwd: string;
  try {
    cwd = process.cwd();
  } catch {
    return undefined; // uv_cwd: ENOENT, the directory was deleted under the shell
  }
  return { ...bareIo(), cwd };
}

function bareIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: '/' };
}

function deletedWorkingDirectory(): StagecraftError {
  return new StagecraftError({
    category: 'INVALID_PROJECT',
    message: 'the current working directory no longer exists (it was deleted or moved)',
    hint: 'cd into the project directory again, then rerun the command.',
  });
}

/**
 * Node prints its warnings (MaxListenersExceededWarning, deprecations) straight to stderr, which would
 * break a `--log-format json` stream. They go through the logger instead, as warn records.
 */
function routeProcessWarnings(logger: () => Logger | undefined, argv: readonly string[]): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error) => {
    const message = `Node.js ${warning.name}: ${warning.message}`;
    const current = logger();
    if (current) current.warn(message);
    else if (fallbackOptions(argv).logFormat === 'text') process.stderr.write(`warning: ${message}\n`);
  });
}

interface ResultTracker {
  failure: Error | undefined;
}

/** Records a failure to write results to stdout (EPIPE when closed, ENOSPC when full). */
function trackResults(stdout: NodeJS.WriteStream): ResultTracker {
  const tracker: ResultTracker = { failure: undefined };
  stdout.on('error', (error: Error) => {
    tracker.failure ??= error;
  });
  return tracker;
}

/**
 * A result that did not reach stdout is a failure: a script reading it would otherwise see exit 0 and
 * nothing (or half a document). Waits until what was written has been handed to the OS.
 */
async function resultsWritten(
  stdout: NodeJS.WriteStream,
  tracker: ResultTracker,
  code: number,
  logger: () => Logger | undefined,
): Promise<number> {
  await new Promise<void>((resolve) => {
    if (stdout.writableLength === 0 || stdout.destroyed) return resolve();
    stdout.write('', () => resolve());
  });
  await new Promise((resolve) => setImmediate(resolve)); // a failed write reports its error on the next tick
  if (tracker.failure === undefined || code !== 0) return code;
  const reason = (tracker.failure as NodeJS.ErrnoException).code ?? tracker.failure.message;
  logger()?.error(`could not write the result to stdout (${reason}): the output is incomplete`);
  return 1;
}
