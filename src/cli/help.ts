import type { CommandSpec, CommandTable, OptionSpec } from './command-spec.js';
import { COMMAND_TABLE } from './commands.js';

const EXIT_CODES = `Exit codes:
  0    success (also dev stopped with Ctrl+C, SIGTERM or SIGHUP)
  1    INVALID_CONFIG, INVALID_PROJECT or bad usage
  2    PROVIDER_NOT_AVAILABLE
  3    BUILD_FAILED
  4    PUSH_FAILED
  5    internal error (a bug; -v shows the stack)
  6    SECRET_SYNC_FAILED
  7    DEV_SERVER_FAILED
  130  build interrupted (129 SIGHUP, 143 SIGTERM)`;

/** General help, or a command's (`topic` = its name); undefined when the topic names nothing. */
export function helpText(topic?: string, commands: CommandTable = COMMAND_TABLE): string | undefined {
  if (topic === undefined) return generalHelp(commands);
  const command = commands.commands.find((candidate) => candidate.name === topic);
  if (command) return commandHelp(command, commands.globalOptions);
  const group = commands.commands.filter((candidate) => candidate.name.startsWith(`${topic} `));
  return group.length > 0 ? groupHelp(topic, group) : undefined;
}

function generalHelp({ commands, globalOptions }: CommandTable): string {
  return [
    'Usage: stagecraft [options] <command> [command options]',
    '',
    'Run your backend locally and build its container image, from one stagecraft.yml.',
    '',
    'Commands:',
    ...table(commands.map((command) => [command.name, command.summary])),
    '',
    'Global options (before or after the command):',
    ...optionLines(globalOptions),
    '',
    EXIT_CODES,
    '',
    "Run 'stagecraft <command> --help' for a command's options.",
    '',
  ].join('\n');
}

function commandHelp(command: CommandSpec, globalOptions: Readonly<Record<string, OptionSpec>>): string {
  const hasOptions = Object.keys(command.options).length > 0;
  const positionals = (command.positionals ?? [])
    .map((positional) => (positional.variadic ? ` [${positional.name}...]` : ` <${positional.name}>`))
    .join('');
  return [
    `Usage: stagecraft ${command.name}${positionals}${hasOptions ? ' [options]' : ''}`,
    '',
    `${command.summary[0]?.toUpperCase()}${command.summary.slice(1)}.`,
    ...(hasOptions ? ['', 'Options:', ...optionLines(command.options)] : []),
    '',
    'Global options:',
    ...optionLines(globalOptions),
    '',
  ].join('\n');
}

function groupHelp(group: string, commands: readonly CommandSpec[]): string {
  return [
    `Usage: stagecraft ${group} <command>`,
    '',
    'Commands:',
    ...table(commands.map((command) => [command.name, command.summary])),
    '',
  ].join('\n');
}

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  return table(
    Object.entries(options).map(([name, spec]) => {
      const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`;
      const extras = [spec.choices ? `one of: ${spec.choices.join(', ')}` : '', spec.default ? `default: ${spec.default}` : ''].filter(
        Boolean,
      );
      return [flag, `${spec.description}${extras.length > 0 ? ` (${extras.join('; ')})` : ''}`];
    }),
  );
}

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}
