// `stagecraft init` for generic: detection (a dev or start script in package.json) and the config template.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { yamlFlowList, yamlScalar } from '../../core/config/yaml-text.js';
import { StagecraftError, UsageError } from '../../core/errors.js';
import { isFile } from '../../core/paths.js';
import type { Detection, InitChoices, InitTemplate } from '../../core/provider.js';
import { parseHostPort } from './schema.js';

/** The package.json scripts that start a dev server, preferred first. */
const SCRIPTS = ['dev', 'start'] as const;

export async function detectStartScript(projectDir: string): Promise<Detection> {
  const script = startScript(projectDir);
  return script === undefined
    ? { fit: 'none', reason: 'no "dev" or "start" script in package.json' }
    : { fit: 'weak', reason: `a "${script}" script in package.json` };
}

export async function genericInitTemplate(choices: InitChoices): Promise<InitTemplate> {
  const { listen } = choices;
  if (listen !== undefined && parseHostPort(listen) === undefined) {
    throw new UsageError(`--listen ${JSON.stringify(listen)}: expected host:port, such as 127.0.0.1:3000`, 'init');
  }
  return {
    purpose: 'runs your dev server, `stagecraft build` builds its image with docker.',
    block: [
      'dev:',
      `  command: ${yamlFlowList(devCommand(choices.projectDir, choices.options.command))}   # an argv list: no shell runs it`,
      `  workdir: ${yamlScalar(choices.workdir ?? '.')}`,
      ...(listen
        ? listenLines(listen)
        : ['  # ready:', '  #   tcp: 127.0.0.1:3000   # tell Stagecraft how to know the server is up (or http: URL, log: REGEX)']),
      'build:',
      `  image_name: ${yamlScalar(choices.name)}`,
      '  # dockerfile: Dockerfile',
    ],
    next: 'run `stagecraft doctor`, then `stagecraft dev`',
  };
}

/** The dev command: --command, else `<package manager> run dev` or `... start` from package.json. */
function devCommand(projectDir: string, command: string | true | undefined): string[] {
  if (typeof command === 'string') {
    const argv = command.trim().split(/\s+/).filter(Boolean);
    if (argv.length === 0) throw new UsageError('--command is empty', 'init');
    return argv;
  }
  const script = startScript(projectDir);
  if (script === undefined) {
    throw new StagecraftError({
      category: 'USAGE',
      message: 'no "dev" or "start" script in package.json',
      hint: 'Say how to start the dev server: stagecraft init --command "node server.js"',
    });
  }
  const manager = isFile(join(projectDir, 'pnpm-lock.yaml')) ? 'pnpm' : isFile(join(projectDir, 'yarn.lock')) ? 'yarn' : 'npm';
  return [manager, 'run', script];
}

function startScript(projectDir: string): (typeof SCRIPTS)[number] | undefined {
  let scripts: Record<string, unknown> = {};
  try {
    const manifest = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> };
    scripts = manifest.scripts ?? {};
  } catch {
    // No package.json (or not JSON): nothing to infer.
  }
  return SCRIPTS.find((name) => typeof scripts[name] === 'string');
}

/**
 * For generic, --listen is where the server must listen as well as where readiness is probed: the
 * server gets HOST and PORT (as `dev --listen` sets them), so the two agree.
 */
function listenLines(listen: string): string[] {
  const { host, port } = parseHostPort(listen) as { host: string; port: number };
  return [
    '  env:                           # the server listens where the probe looks',
    `    HOST: ${yamlScalar(host)}`,
    `    PORT: ${yamlScalar(String(port))}`,
    '  ready:',
    `    tcp: ${yamlScalar(listen)}           # ready once this accepts a connection`,
  ];
}

// A local copy: issue 12's provider toolkit gathers the isFile helpers into one.
