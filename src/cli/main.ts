import { Command, CommanderError, Option } from 'commander';
import { VERSION } from '../version.js';
import { type CommandContext, type CommandIo, createContext, type GlobalOptions } from './context.js';
import { reportError } from './report-error.js';

type CommandRun = (ctx: CommandContext, flags: Record<string, unknown>) => Promise<number>;

const EXIT_CODES_HELP = `
Exit codes:
  0  success (also dev stopped with Ctrl+C, SIGTERM or SIGHUP)
  1  INVALID_CONFIG, INVALID_PROJECT or bad usage
  2  PROVIDER_NOT_AVAILABLE
  3  BUILD_FAILED
  4  PUSH_FAILED
  5  internal error (a bug; -v shows the stack)
  6  SECRET_SYNC_FAILED
  7  DEV_SERVER_FAILED
  130/143/129  build interrupted by SIGINT/SIGTERM/SIGHUP`;

/**
 * Parses argv and runs one command. Command modules are imported only when their command runs, so
 * `--version` and `--help` stay close to bare Node start-up. Returns the process exit code.
 */
export async function main(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  let exitCode = 0;
  let context: CommandContext | undefined;
  const program = new Command('stagecraft');

  /** Wraps a lazily loaded command: builds the context from the global flags, runs it, reports failures. */
  const action =
    (load: () => Promise<CommandRun>) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args.at(-1) as Command;
      context = createContext(globalOptions(command.optsWithGlobals()), io);
      try {
        const run = await load();
        exitCode = await run(context, command.opts());
      } catch (error) {
        exitCode = reportError(error, context.logger);
      }
    };

  program
    .description('Run your backend locally and build its container image, from one stagecraft.yml.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('-c, --config <file>', 'config file (default: $STAGECRAFT_CONFIG, else the nearest stagecraft.yml)')
    .option('-e, --env <name>', 'environment whose env_file to load', 'dev')
    .option('-v, --verbose', 'show debug records (and child DBG/TRC lines)', false)
    .addOption(new Option('--log-format <format>', 'log format on stderr').choices(['text', 'json']).default('text'))
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addHelpText('after', EXIT_CODES_HELP)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  program
    .command('dev')
    .description("run the backend provider's dev server until Ctrl+C")
    .option('--listen <addr>', "listen address (host:port), overriding the provider's")
    .action(action(async () => (await import('../commands/dev.js')).devCommand as CommandRun));

  program
    .command('build')
    .description('build the backend image; prints its reference on stdout')
    .option('--tag <tag>', 'image tag (default: git short SHA, -dirty if uncommitted changes; else rel-YYYYMMDD-HHMMSS)')
    .option('--push', 'push the image after building it', false)
    .option('--dry-run', 'print the plan and exact commands; run nothing', false)
    .option('--json', 'print one JSON document instead of the bare reference', false)
    .action(action(async () => (await import('../commands/build.js')).buildCommand as CommandRun));

  const config = program.command('config').description('inspect stagecraft.yml');
  config
    .command('validate')
    .description('validate the config and report every problem at once')
    .action(action(async () => (await import('../commands/config.js')).validateCommand));
  config
    .command('schema')
    .description('print the JSON Schema of stagecraft.yml')
    .action(action(async () => (await import('../commands/config.js')).schemaCommand));

  program
    .command('providers')
    .description('list the registered backend providers')
    .action(action(async () => (await import('../commands/providers.js')).providersCommand));

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    // Usage errors (already printed by commander) exit 1; --help and --version exit 0.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    throw error;
  } finally {
    context?.output.flush();
    // Last resort: a process group still tracked here is a bug, but it must not outlive us.
    context?.runner.signalAll('SIGKILL');
  }
  return exitCode;
}

function globalOptions(raw: Record<string, unknown>): GlobalOptions {
  return {
    config: typeof raw.config === 'string' ? raw.config : undefined,
    env: typeof raw.env === 'string' ? raw.env : 'dev',
    verbose: raw.verbose === true,
    logFormat: raw.logFormat === 'json' ? 'json' : 'text',
    color: raw.color !== false,
  };
}

function processIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
