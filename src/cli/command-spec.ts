import type { CommandContext } from './context.js';

/** One option, as `util.parseArgs` takes it plus what help and completion need. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Placeholder for the value in help: `--tag TAG`. */
  readonly value?: string;
  readonly description: string;
  /** The only values accepted (also offered by shell completion). */
  readonly choices?: readonly string[];
  readonly default?: string;
}

export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly choices?: readonly string[];
  /** The last positional only: any number of words, zero included (`stagecraft dev [NAME...]`). */
  readonly variadic?: true;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** Parsed flags as the parser hands them over, before a command's own type is put on them. */
export type Flags = Record<string, string | boolean | readonly string[] | undefined>;
export type CommandRun = (ctx: CommandContext, flags: Flags) => Promise<number>;

export interface CommandSpec {
  /** One or two words: `dev`, `config validate`. */
  readonly name: string;
  readonly summary: string;
  readonly options: OptionTable;
  /** Positional arguments after the command words (required unless variadic), passed in flags under their names. */
  readonly positionals?: readonly PositionalSpec[];
  /** Imported only when the command runs, so start-up loads nothing a command does not use. */
  readonly load: () => Promise<CommandRun>;
  /**
   * Options others contribute (providers' `init` flags), loaded only for a command line that may use them
   * (see contributed-options.ts). The parser hands their values over like the command's own.
   */
  readonly contributedOptions?: () => Promise<OptionTable>;
  /** The command describes the whole CLI (completion): it needs every command's contributed options. */
  readonly describesCommands?: boolean;
}

/** Every command and the global options: what help, the parser and shell completion are made from. */
export interface CommandTable {
  readonly commands: readonly CommandSpec[];
  readonly globalOptions: OptionTable;
}

/** `dry-run` → `dryRun`: the key a flag has in the handler's argument. */
export function flagKey(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** The type-level twin of flagKey. */
type CamelCase<Name extends string> = Name extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : Name;

/** What the parser gives for one option: a boolean flag is true or absent; a value is one of its choices, or its default. */
type OptionValue<Spec extends OptionSpec> = Spec['type'] extends 'boolean'
  ? true | undefined
  : Spec extends { readonly choices: readonly (infer Choice)[] }
    ? Spec extends { readonly default: string }
      ? Choice
      : Choice | undefined
    : Spec extends { readonly default: string }
      ? string
      : string | undefined;

type PositionalValue<Spec extends PositionalSpec> = Spec extends { readonly variadic: true }
  ? readonly string[]
  : Spec extends { readonly choices: readonly (infer Choice)[] }
    ? Choice
    : string;

/** The handler's argument, derived from the option table (and positionals) so no flag type is written by hand. */
export type FlagsOf<Options extends OptionTable, Positionals extends readonly PositionalSpec[] = []> = {
  readonly [Name in keyof Options & string as CamelCase<Name>]: OptionValue<Options[Name]>;
} & { readonly [Spec in Positionals[number] as Spec['name']]: PositionalValue<Spec> };

export type CommandHandler<Options extends OptionTable, Positionals extends readonly PositionalSpec[] = []> = (
  ctx: CommandContext,
  flags: FlagsOf<Options, Positionals>,
) => Promise<number>;

/**
 * A command whose handler is type-checked against its own option table: `load` must resolve to a
 * function taking exactly the flags those options produce (`--dry-run` → `flags.dryRun: true | undefined`).
 */
export function defineCommand<const Options extends OptionTable, const Positionals extends readonly PositionalSpec[] = []>(spec: {
  readonly name: string;
  readonly summary: string;
  readonly options: Options;
  readonly positionals?: Positionals;
  readonly load: () => Promise<CommandHandler<Options, Positionals>>;
  readonly contributedOptions?: () => Promise<OptionTable>;
  readonly describesCommands?: boolean;
}): CommandSpec {
  return {
    ...spec,
    load: async () => {
      const handler = await spec.load();
      // The parser fills flags from this same table (parse.ts: each option under its camel-case name,
      // its default when absent, choices checked), which is the shape FlagsOf describes.
      return (ctx, flags) => handler(ctx, flags as FlagsOf<Options, Positionals>);
    },
  };
}
