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

export type Flags = Record<string, string | boolean | undefined>;
export type CommandRun = (ctx: CommandContext, flags: Flags) => Promise<number>;

export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly choices?: readonly string[];
}

export interface CommandSpec {
  /** One or two words: `dev`, `config validate`. */
  readonly name: string;
  readonly summary: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Required positional arguments after the command words, passed in flags under their names. */
  readonly positionals?: readonly PositionalSpec[];
  /** Imported only when the command runs, so start-up loads nothing a command does not use. */
  readonly load: () => Promise<CommandRun>;
}

export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  config: {
    type: 'string',
    short: 'c',
    value: 'FILE',
    description: 'config file (default: $STAGECRAFT_CONFIG, else the nearest stagecraft.yml)',
  },
  env: { type: 'string', short: 'e', value: 'NAME', default: 'dev', description: 'environment whose env_file to load' },
  verbose: { type: 'boolean', short: 'v', description: 'show debug records (and child DBG/TRC lines)' },
  'log-format': { type: 'string', value: 'FORMAT', choices: ['text', 'json'], default: 'text', description: 'log format on stderr' },
  'no-color': { type: 'boolean', description: 'no colours (NO_COLOR is honoured too)' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
  version: { type: 'boolean', short: 'V', description: 'print the version' },
};

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'dev',
    summary: "run the backend provider's dev server until Ctrl+C",
    options: {
      listen: { type: 'string', value: 'ADDR', description: "listen address (host:port), overriding the provider's" },
    },
    load: async () => (await import('../commands/dev.js')).devCommand as CommandRun,
  },
  {
    name: 'build',
    summary: 'build the backend image; prints its reference on stdout',
    options: {
      tag: {
        type: 'string',
        value: 'TAG',
        description: 'image tag (default: git short SHA, -dirty with uncommitted changes; outside git rel-YYYYMMDD-HHMMSS)',
      },
      push: { type: 'boolean', description: 'push the image after building it' },
      'dry-run': { type: 'boolean', description: 'print the plan and the exact commands; run nothing' },
      json: { type: 'boolean', description: 'print one JSON document instead of the bare reference' },
    },
    load: async () => (await import('../commands/build.js')).buildCommand as CommandRun,
  },
  {
    name: 'config validate',
    summary: 'validate the config and report every problem at once',
    options: {},
    load: async () => (await import('../commands/config.js')).validateCommand,
  },
  {
    name: 'config schema',
    summary: 'print the JSON Schema of stagecraft.yml',
    options: {},
    load: async () => (await import('../commands/config.js')).schemaCommand,
  },
  {
    name: 'providers',
    summary: 'list the registered backend providers',
    options: {},
    load: async () => (await import('../commands/providers.js')).providersCommand,
  },
  {
    name: 'init',
    summary: 'write a starter stagecraft.yml for the project in the current directory',
    options: {
      provider: {
        type: 'string',
        value: 'ID',
        choices: ['encore-ts', 'generic'],
        description: 'provider to configure (default: encore-ts when an encore.app is here or one level down, else generic)',
      },
      name: { type: 'string', value: 'NAME', description: 'project name (default: the directory name)' },
      workdir: { type: 'string', value: 'DIR', description: 'directory of the app (default: where encore.app is found, else .)' },
      listen: { type: 'string', value: 'ADDR', description: 'dev listen address (default for encore-ts: 127.0.0.1:4000)' },
      command: {
        type: 'string',
        value: 'CMD',
        description: 'generic dev command, split on spaces (default: the dev or start script of package.json)',
      },
      secrets: {
        type: 'string',
        value: 'NAMES',
        description: 'encore-ts: comma-separated variables to sync as secrets (default: the block is written commented out)',
      },
      gitignore: { type: 'boolean', description: 'add .secrets.local.cue to .gitignore when the config keeps secrets there' },
      yes: { type: 'boolean', description: 'accept every offer (same as --gitignore)' },
      force: { type: 'boolean', description: 'overwrite an existing stagecraft.yml' },
    },
    load: async () => (await import('../commands/init.js')).initCommand as CommandRun,
  },
  {
    name: 'doctor',
    summary: 'check config, provider tools, project files, env files, secrets and ports',
    options: {
      json: { type: 'boolean', description: 'print the checks as one JSON document' },
    },
    load: async () => (await import('../commands/doctor.js')).doctorCommand as CommandRun,
  },
  {
    name: 'completion',
    summary: 'print a shell completion script (bash, zsh or fish)',
    options: {},
    positionals: [{ name: 'shell', description: 'bash, zsh or fish', choices: ['bash', 'zsh', 'fish'] }],
    load: async () => (await import('../commands/completion.js')).completionCommand as CommandRun,
  },
];
