import { type CommandSpec, type CommandTable, defineCommand, type OptionTable } from './command-spec.js';
import {
  BUILD_OPTIONS,
  COMPLETION_POSITIONALS,
  DEV_OPTIONS,
  DEV_POSITIONALS,
  DOCTOR_OPTIONS,
  GLOBAL_OPTION_SPECS,
  INIT_OPTIONS,
  NO_OPTIONS,
} from './options.js';

export const GLOBAL_OPTIONS: OptionTable = GLOBAL_OPTION_SPECS;

export const COMMANDS: readonly CommandSpec[] = [
  defineCommand({
    name: 'dev',
    summary: 'run the local environment (backend, frontend, services, Compose) until Ctrl+C',
    options: DEV_OPTIONS,
    positionals: DEV_POSITIONALS,
    load: async () => (await import('../commands/dev.js')).devCommand,
  }),
  defineCommand({
    name: 'build',
    summary: 'build the backend image; prints its reference on stdout',
    options: BUILD_OPTIONS,
    load: async () => (await import('../commands/build.js')).buildCommand,
  }),
  defineCommand({
    name: 'config validate',
    summary: 'validate the config and report every problem at once',
    options: NO_OPTIONS,
    load: async () => (await import('../commands/config.js')).validateCommand,
  }),
  defineCommand({
    name: 'config schema',
    summary: 'print the JSON Schema of stagecraft.yml',
    options: NO_OPTIONS,
    load: async () => (await import('../commands/config.js')).schemaCommand,
  }),
  defineCommand({
    name: 'providers',
    summary: 'list the registered backend providers',
    options: NO_OPTIONS,
    load: async () => (await import('../commands/providers.js')).providersCommand,
  }),
  defineCommand({
    name: 'init',
    summary: 'write a starter stagecraft.yml for the project in the current directory',
    options: INIT_OPTIONS,
    load: async () => (await import('../commands/init.js')).initCommand,
    // Each provider's own init flags (`--command`, `--secrets`): the registry knows them, the CLI does not.
    contributedOptions: async () => (await import('../commands/init-options.js')).providerInitOptions(),
  }),
  defineCommand({
    name: 'doctor',
    summary: 'check config, provider tools, project files, env files, secrets and ports',
    options: DOCTOR_OPTIONS,
    load: async () => (await import('../commands/doctor.js')).doctorCommand,
  }),
  defineCommand({
    name: 'completion',
    summary: 'print a shell completion script (bash, zsh or fish)',
    options: NO_OPTIONS,
    positionals: COMPLETION_POSITIONALS,
    describesCommands: true,
    load: async () => (await import('../commands/completion.js')).completionCommand,
  }),
];

/** What commands that describe the CLI itself (completion) get through their context. */
export const COMMAND_TABLE: CommandTable = { commands: COMMANDS, globalOptions: GLOBAL_OPTIONS };
