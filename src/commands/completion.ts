import type { CommandSpec, CommandTable, FlagsOf, OptionSpec } from '../cli/command-spec.js';
import type { CommandContext } from '../cli/context.js';
import type { COMPLETION_POSITIONALS, NO_OPTIONS } from '../cli/options.js';

/**
 * `stagecraft completion bash|zsh|fish`: completion scripts generated from the command table, so they
 * always know exactly the commands, options and choices this version has. The table comes through the
 * context: this module never imports the table that loads it.
 */
export async function completionCommand(
  ctx: CommandContext,
  flags: FlagsOf<typeof NO_OPTIONS, typeof COMPLETION_POSITIONALS>,
): Promise<number> {
  const render = { bash: bashScript, zsh: zshScript, fish: fishScript }[flags.shell];
  ctx.print(render(ctx.commands));
  return 0;
}

const topWords = (commands: readonly CommandSpec[]): string[] => [
  ...new Set(commands.map((command) => command.name.split(' ')[0] as string)),
  'help',
];
const flagsOf = (options: Readonly<Record<string, OptionSpec>>): string[] =>
  Object.entries(options).flatMap(([name, spec]) => [`--${name}`, ...(spec.short ? [`-${spec.short}`] : [])]);
const valueOptions = ({ commands, globalOptions }: CommandTable): [string, OptionSpec][] =>
  [...Object.entries(globalOptions), ...commands.flatMap((command) => Object.entries(command.options))].filter(
    ([, spec]) => spec.type === 'string',
  );
const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** The `case` arms of the bash script, one per flag that takes a value, command and command group. */
function bashCases(table: CommandTable) {
  const { commands } = table;
  const valueFlags = [...new Set(valueOptions(table).flatMap(([name, spec]) => [`--${name}`, ...(spec.short ? [`-${spec.short}`] : [])]))];
  const valueCases = [...new Map(valueOptions(table).map(([name, spec]) => [name, spec])).entries()].map(([name, spec]) => {
    const patterns = [`--${name}`, ...(spec.short ? [`-${spec.short}`] : [])].join('|');
    const reply = spec.choices
      ? `COMPREPLY=($(compgen -W ${quote(spec.choices.join(' '))} -- "$cur"))`
      : spec.value === 'FILE' || spec.value === 'DIR'
        ? `COMPREPLY=($(compgen -f -- "$cur"))`
        : 'COMPREPLY=()';
    return `    ${patterns}) ${reply}; return ;;`;
  });
  const commandCases = commands.map((command) => `    ${quote(command.name)}) options=${quote(flagsOf(command.options).join(' '))} ;;`);
  const groups = [
    ...new Set(commands.filter((command) => command.name.includes(' ')).map((command) => command.name.split(' ')[0] as string)),
  ];
  const positionalCases = commands
    .filter((command) => command.positionals?.[0]?.choices)
    .map((command) => `    ${quote(command.name)}) positional=${quote(command.positionals?.[0]?.choices?.join(' ') ?? '')} ;;`);
  // After a group's word (`config`), its subcommands.
  const groupCases = groups.map((group) => {
    const subcommands = commands.filter((command) => command.name.startsWith(`${group} `)).map((command) => command.name.split(' ')[1]);
    return `  elif [ "\${words[0]}" = ${quote(group)} ] && [ "\${#words[@]}" -eq 1 ]; then\n    COMPREPLY=($(compgen -W ${quote(subcommands.join(' '))} -- "$cur"))`;
  });
  return { valueFlags, valueCases, commandCases, groups, groupCases, positionalCases };
}

function bashScript(table: CommandTable): string {
  const { commands, globalOptions } = table;
  const { valueFlags, valueCases, commandCases, groups, groupCases, positionalCases } = bashCases(table);
  return `# bash completion for stagecraft. Load it with: eval "$(stagecraft completion bash)"
# or save it as ~/.local/share/bash-completion/completions/stagecraft
_stagecraft() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
${valueCases.join('\n')}
  esac
  # The command words typed so far, skipping options and the values they take.
  local words=() i=1 word
  while [ "$i" -lt "$COMP_CWORD" ]; do
    word="\${COMP_WORDS[i]}"
    case " ${valueFlags.join(' ')} " in
      *" $word "*) i=$((i + 2)); continue ;;
    esac
    case "$word" in -*) ;; *) words+=("$word") ;; esac
    i=$((i + 1))
  done
  local command="\${words[0]}"
  case " ${groups.join(' ')} " in
    *" $command "*) command="$command \${words[1]}" ;;
  esac
  local options="" positional=""
  case "$command" in
${commandCases.join('\n')}
  esac
  case "$command" in
${positionalCases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$options ${flagsOf(globalOptions).join(' ')}" -- "$cur"))
  elif [ "\${#words[@]}" -eq 0 ]; then
    COMPREPLY=($(compgen -W ${quote(topWords(commands).join(' '))} -- "$cur"))
${groupCases.join('\n')}
  elif [ -n "$positional" ]; then
    COMPREPLY=($(compgen -W "$positional" -- "$cur"))
  fi
}
complete -F _stagecraft stagecraft
`;
}

function zshOption(name: string, spec: OptionSpec): string {
  const description = spec.description.replace(/[[\]:']/g, ' ');
  const action =
    spec.type === 'boolean'
      ? ''
      : spec.choices
        ? `:${spec.value ?? 'value'}:(${spec.choices.join(' ')})`
        : spec.value === 'FILE' || spec.value === 'DIR'
          ? `:${spec.value}:_files`
          : `:${spec.value ?? 'value'}:`;
  const forms = spec.short ? `{-${spec.short},--${name}}` : `--${name}`;
  return spec.short ? `'(-${spec.short} --${name})'${forms}'[${description}]${action}'` : `'${forms}[${description}]${action}'`;
}

function zshScript(table: CommandTable): string {
  const { commands, globalOptions } = table;
  const globals = Object.entries(globalOptions).map(([name, spec]) => `    ${zshOption(name, spec)}`);
  const describe = (commands: readonly CommandSpec[], word: number) =>
    commands.map((command) => `'${command.name.split(' ')[word]}:${command.summary.replace(/'/g, '')}'`).join(' ');
  const top = commands.filter((command) => !command.name.includes(' '));
  const groups = [
    ...new Set(commands.filter((command) => command.name.includes(' ')).map((command) => command.name.split(' ')[0] as string)),
  ];
  const cases = [
    ...top.map((command) => {
      const options = Object.entries(command.options).map(([name, spec]) => zshOption(name, spec));
      const positional = command.positionals?.[0]?.choices
        ? [`'1:${command.positionals[0].name}:(${command.positionals[0].choices.join(' ')})'`]
        : [];
      return `      ${command.name}) _arguments $globals ${[...options, ...positional].join(' ')} ;;`;
    }),
    ...groups.map(
      (group) =>
        `      ${group}) _arguments $globals '1:command:((${describe(
          commands.filter((c) => c.name.startsWith(`${group} `)),
          1,
        )}))' ;;`,
    ),
  ];
  return `#compdef stagecraft
# zsh completion for stagecraft. Load it with: source <(stagecraft completion zsh)
# or save it as _stagecraft in a directory on your $fpath.
_stagecraft() {
  local -a globals
  globals=(
${globals.join('\n')}
  )
  local state line
  _arguments -C $globals '1:command:->command' '*::argument:->argument'
  case $state in
    command)
      local -a commands
      commands=(${describe(top, 0)} ${groups.map((group) => `'${group}:${group} commands'`).join(' ')} 'help:show help')
      _describe -t commands 'stagecraft command' commands ;;
    argument)
      case $line[1] in
${cases.join('\n')}
      esac ;;
  esac
}
compdef _stagecraft stagecraft
`;
}

function fishScript(table: CommandTable): string {
  const { commands, globalOptions } = table;
  const lines = [
    '# fish completion for stagecraft. Load it with: stagecraft completion fish | source',
    '# or save it as ~/.config/fish/completions/stagecraft.fish',
    'complete -c stagecraft -f',
  ];
  const option = (name: string, spec: OptionSpec, condition?: string) => {
    const parts = ['complete -c stagecraft'];
    if (condition) parts.push(`-n ${quote(condition)}`);
    parts.push(`-l ${name}`);
    if (spec.short) parts.push(`-s ${spec.short}`);
    if (spec.type === 'string') parts.push(spec.value === 'FILE' || spec.value === 'DIR' ? '-r -F' : '-r');
    if (spec.choices) parts.push(`-a ${quote(spec.choices.join(' '))}`);
    parts.push(`-d ${quote(spec.description)}`);
    return parts.join(' ');
  };
  for (const [name, spec] of Object.entries(globalOptions)) lines.push(option(name, spec));
  const top = topWords(commands);
  for (const command of commands) {
    const [first, second] = command.name.split(' ') as [string, string | undefined];
    if (second === undefined) {
      lines.push(`complete -c stagecraft -n '__fish_use_subcommand' -a ${first} -d ${quote(command.summary)}`);
    } else {
      if (!lines.some((line) => line.includes(`-a ${first} -d`))) {
        lines.push(`complete -c stagecraft -n '__fish_use_subcommand' -a ${first} -d ${quote(`${first} commands`)}`);
      }
      lines.push(
        `complete -c stagecraft -n ${quote(`__fish_seen_subcommand_from ${first}; and not __fish_seen_subcommand_from ${second}`)} -a ${second} -d ${quote(command.summary)}`,
      );
    }
    for (const [name, spec] of Object.entries(command.options))
      lines.push(option(name, spec, `__fish_seen_subcommand_from ${second ?? first}`));
    const choices = command.positionals?.[0]?.choices;
    if (choices) lines.push(`complete -c stagecraft -n ${quote(`__fish_seen_subcommand_from ${first}`)} -a ${quote(choices.join(' '))}`);
  }
  lines.push(`complete -c stagecraft -n '__fish_use_subcommand' -a help -d 'show help'`);
  lines.push(`complete -c stagecraft -n '__fish_seen_subcommand_from help' -a ${quote(top.filter((word) => word !== 'help').join(' '))}`);
  return `${lines.join('\n')}\n`;
}
