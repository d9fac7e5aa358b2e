import type { CommandSpec, CommandTable, OptionTable } from './command-spec.js';
import { COMMAND_TABLE } from './commands.js';

/**
 * The command table for this command line, with contributed options (providers' `init` flags) loaded where
 * the line may use them: a command whose name appears in argv (also as a help topic), or every command when
 * argv names one that describes the whole CLI (completion). Any other line (`dev`, `config validate`,
 * `--version`) gets the static table and loads nothing more, so start-up stays where it was.
 */
export async function commandTableFor(argv: readonly string[], table: CommandTable = COMMAND_TABLE): Promise<CommandTable> {
  const words = new Set(argv);
  const named = (command: CommandSpec) => words.has(command.name.split(' ')[0] as string);
  const everything = table.commands.some((command) => command.describesCommands === true && named(command));
  if (!table.commands.some((command) => command.contributedOptions !== undefined && (everything || named(command)))) return table;
  const commands = await Promise.all(
    table.commands.map(async (command) =>
      command.contributedOptions !== undefined && (everything || named(command))
        ? { ...command, options: withContributed(command, await command.contributedOptions(), table.globalOptions) }
        : command,
    ),
  );
  return { ...table, commands };
}

/** The command's options plus the contributed ones, which may not redefine an option the CLI itself has. */
function withContributed(command: CommandSpec, contributed: OptionTable, globalOptions: OptionTable): OptionTable {
  for (const name of Object.keys(contributed)) {
    if (name in command.options || name in globalOptions) {
      throw new TypeError(`an option contributed to \`stagecraft ${command.name}\` redefines --${name}, which the CLI already has`);
    }
  }
  return { ...command.options, ...contributed };
}
