import type { OptionTable, PositionalSpec } from './command-spec.js';

/**
 * The option tables, as plain data: commands.ts builds the command table from them, and each command's
 * handler takes its flag type from its table (`FlagsOf<typeof BUILD_OPTIONS>`) with a type-only import,
 * so no command module imports the table that loads it.
 */

export const GLOBAL_OPTION_SPECS = {
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
} as const satisfies OptionTable;

export const DEV_OPTIONS = {
  listen: { type: 'string', value: 'ADDR', description: "backend listen address (host:port), overriding the provider's" },
  'no-deps': { type: 'boolean', description: 'run only the named components; assume their dependencies already run' },
  logs: { type: 'string', value: 'NAME,...', description: "show only these components' output (all still run)" },
  'dry-run': { type: 'boolean', description: 'print the plan (components, order, commands, env names, URLs); run nothing' },
  hosts: { type: 'boolean', description: 'add the dev domains that are not *.localhost to the hosts file (elevating only that edit)' },
  'no-hosts': { type: 'boolean', description: 'leave the hosts file alone (the default): print the line to add instead' },
  'no-https': { type: 'boolean', description: 'no HTTPS proxy, certificates or domains: components on their own URLs' },
  'no-traefik': { type: 'boolean', description: 'accepted for the Go reference; Stagecraft runs no Traefik container' },
  detach: { type: 'boolean', description: 'not yet: dev runs in the foreground' },
} as const satisfies OptionTable;

export const DEV_POSITIONALS = [
  { name: 'components', description: 'components to run, with their dependencies (default: all)', variadic: true },
] as const satisfies readonly PositionalSpec[];

export const BUILD_OPTIONS = {
  tag: {
    type: 'string',
    value: 'TAG',
    description: 'image tag (default: git short SHA, -dirty with uncommitted changes; outside git rel-YYYYMMDD-HHMMSS)',
  },
  push: { type: 'boolean', description: 'push the image after building it' },
  'dry-run': { type: 'boolean', description: 'print the plan and the exact commands; run nothing' },
  json: { type: 'boolean', description: 'print one JSON document instead of the bare reference' },
} as const satisfies OptionTable;

export const NO_OPTIONS = {} as const satisfies OptionTable;

export const INIT_OPTIONS = {
  provider: {
    type: 'string',
    value: 'ID',
    description: 'provider to configure (default: the one that recognises the project; see `stagecraft providers`)',
  },
  name: { type: 'string', value: 'NAME', description: 'project name (default: the directory name)' },
  workdir: { type: 'string', value: 'DIR', description: 'directory of the app (default: where the provider finds it, else .)' },
  listen: { type: 'string', value: 'ADDR', description: "dev listen address, host:port (default: the provider's)" },
  gitignore: {
    type: 'boolean',
    description: 'add the files that will hold secrets (e.g. .env.local) to .gitignore when git does not ignore them',
  },
  yes: { type: 'boolean', description: 'accept every offer (same as --gitignore)' },
  force: { type: 'boolean', description: 'overwrite an existing stagecraft.yml' },
} as const satisfies OptionTable;

export const DOCTOR_OPTIONS = {
  json: { type: 'boolean', description: 'print the checks as one JSON document' },
} as const satisfies OptionTable;

export const COMPLETION_POSITIONALS = [
  { name: 'shell', description: 'bash, zsh or fish', choices: ['bash', 'zsh', 'fish'] },
] as const satisfies readonly PositionalSpec[];
