import { UsageError } from '../core/errors.js';
import { listenForInterrupts } from '../core/process/interrupts.js';
import { VERSION } from '../version.js';
import { type CommandContext, type CommandIo, createContext, type GlobalOptions } from './context.js';
import { helpText } from './help.js';
import { parseCommandLine } from './parse.js';
import { reportError } from './report-error.js';

/**
 * Parses argv and runs one command. Command modules are imported only when their command runs, so help
 * and usage errors stay close to bare Node start-up. Returns the process exit code.
 */
export async function main(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  let context: CommandContext | undefined;
  /** The command's name once argv is parsed (for the bug-report line of an internal error). */
  let commandName: string | undefined;
  const interrupts = listenForInterrupts({
    onStop(signal) {
      context?.logger.info(`${signal} received: stopping (press Ctrl+C again to kill at once)`);
    },
    onForce(signal) {
      context?.logger.warn(`${signal} received again: killing everything now`);
      context?.runner.signalAll('SIGKILL');
    },
  });
  const code = await run();
  interrupts.dispose();
  return code;

  async function run(): Promise<number> {
    try {
      const line = parseCommandLine(argv);
      if (line.kind === 'version') {
        io.stdout.write(`${VERSION}\n`);
        return 0;
      }
      if (line.kind === 'help') {
        const text = helpText(line.topic);
        if (text === undefined) throw new UsageError(`no help for "${line.topic}": not a command`);
        // Asked-for help is a result (stdout, exit 0); help shown because no command was given is not.
        (line.requested ? io.stdout : io.stderr).write(text);
        return line.requested ? 0 : 1;
      }
      commandName = line.command.name;
      context = createContext(globalOptions(line.globals), io, interrupts.signal);
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

function globalOptions(flags: Record<string, string | boolean | undefined>): GlobalOptions {
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

function processIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
