import { parseArgs } from 'node:util';
import { closestMatch } from '../core/config/issues.js';
import { UsageError } from '../core/errors.js';
import { type CommandSpec, type CommandTable, type Flags, flagKey, type OptionSpec } from './command-spec.js';
import { COMMAND_TABLE } from './commands.js';

export type CommandLine =
  | { readonly kind: 'help'; readonly topic: string | undefined; readonly requested: boolean }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly command: CommandSpec; readonly globals: Flags; readonly flags: Flags };

/**
 * Reads argv with Node's own `util.parseArgs` (no start-up cost), then checks what it cannot: which
 * command the words name, that each option belongs to it, and that values are among the choices.
 * Global options may stand before or after the command: `stagecraft -v dev` = `stagecraft dev -v`.
 * `table` is the static command table unless contributed options were loaded (contributed-options.ts).
 */
export function parseCommandLine(argv: readonly string[], table: CommandTable = COMMAND_TABLE): CommandLine {
  const known = allOptions(table);
  const {
    values,
    positionals: words,
    tokens,
  } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(
      Object.entries(known).map(([name, spec]) => [name, { type: spec.type, ...(spec.short ? { short: spec.short } : {}) }]),
    ),
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  if (words[0] === 'help') return { kind: 'help', topic: words.slice(1).join(' ') || undefined, requested: true };
  const command = findCommand(words, table);
  const topic = command?.name ?? words.join(' ');
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    checkOption(
      { name: token.name, rawName: token.rawName, value: token.value, inlineValue: token.inlineValue },
      known[token.name],
      command,
      table,
    );
  }
  if (values.help === true) return { kind: 'help', topic: topic || undefined, requested: true };
  if (words.length === 0) return values.version === true ? { kind: 'version' } : { kind: 'help', topic: undefined, requested: false };
  if (command === undefined) throw unknownCommand(words, table);
  const rest = words.slice(command.name.split(' ').length);
  const expected = command.positionals ?? [];
  const flags: Flags = {};
  const variadic = expected.at(-1)?.variadic ? expected.at(-1) : undefined;
  if (variadic !== undefined) flags[variadic.name] = rest.splice(expected.length - 1);
  if (rest.length > expected.length - (variadic ? 1 : 0))
    throw new UsageError(`unexpected argument "${rest[expected.length]}" for stagecraft ${command.name}`, command.name);
  expected.forEach((positional, index) => {
    if (positional.variadic) return;
    const value = rest[index];
    if (value === undefined)
      throw new UsageError(`stagecraft ${command.name} needs ${positional.name}: ${positional.description}`, command.name);
    if (positional.choices && !positional.choices.includes(value)) {
      throw new UsageError(`${positional.name} must be one of ${positional.choices.join(', ')}, not "${value}"`, command.name);
    }
    flags[positional.name] = value;
  });
  const globals: Flags = {};
  for (const [name, spec] of Object.entries(table.globalOptions)) globals[flagKey(name)] = values[name] ?? spec.default;
  for (const [name, spec] of Object.entries(command.options)) flags[flagKey(name)] = values[name] ?? spec.default;
  return { kind: 'run', command, globals, flags };
}

function allOptions(table: CommandTable): Record<string, OptionSpec> {
  const options: Record<string, OptionSpec> = { ...table.globalOptions };
  for (const command of table.commands) Object.assign(options, command.options);
  return options;
}

/** The command named by the leading words; two-word commands (`config validate`) first. */
export function findCommand(words: readonly string[], table: CommandTable = COMMAND_TABLE): CommandSpec | undefined {
  const two = words.slice(0, 2).join(' ');
  const { commands } = table;
  return commands.find((command) => command.name === two) ?? commands.find((command) => command.name === words[0]);
}

interface OptionToken {
  readonly name: string;
  readonly rawName: string;
  readonly value: string | undefined;
  readonly inlineValue: boolean | undefined;
}

function checkOption(token: OptionToken, spec: OptionSpec | undefined, command: CommandSpec | undefined, table: CommandTable): void {
  const { name, rawName, value, inlineValue } = token;
  const topic = command?.name;
  if (spec === undefined) {
    const names = Object.keys({ ...table.globalOptions, ...command?.options });
    const suggestion = closestMatch(name, names);
    throw new UsageError(`unknown option ${rawName}${suggestion ? `; did you mean --${suggestion}?` : ''}`, topic);
  }
  if (!(name in table.globalOptions) && command !== undefined && !(name in command.options)) {
    throw new UsageError(`option ${rawName} does not apply to stagecraft ${command.name}`, topic);
  }
  if (spec.type === 'string' && value === undefined) {
    throw new UsageError(`option ${rawName} needs a value${spec.value ? ` (${rawName} ${spec.value})` : ''}`, topic);
  }
  if (spec.type === 'boolean' && inlineValue) {
    throw new UsageError(`option ${rawName} takes no value`, topic);
  }
  if (spec.choices && value !== undefined && !spec.choices.includes(value)) {
    throw new UsageError(`option ${rawName} must be one of ${spec.choices.join(', ')}, not "${value}"`, topic);
  }
}

function unknownCommand(words: readonly string[], { commands }: CommandTable): UsageError {
  const names = [...new Set(commands.map((command) => command.name.split(' ')[0] as string))];
  const group = commands.filter((command) => command.name.startsWith(`${words[0]} `));
  if (group.length > 0) {
    const sub = words[1];
    return new UsageError(
      sub === undefined
        ? `stagecraft ${words[0]} needs a subcommand: ${group.map((command) => command.name.split(' ')[1]).join(', ')}`
        : `unknown command "${words[0]} ${sub}"; try ${group.map((command) => command.name).join(', ')}`,
      words[0],
    );
  }
  const suggestion = closestMatch(words[0] ?? '', names);
  return new UsageError(`unknown command "${words[0]}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`);
}
