// `stagecraft init` for Encore.ts: detection (an encore.app anywhere in the project) and the config template.
import { basename, join } from 'node:path';
import { yamlFlowList, yamlScalar } from '../../core/config/yaml-text.js';
import { UsageError } from '../../core/errors.js';
import { imageSafeName } from '../../core/image-ref.js';
import { isFile } from '../../core/paths.js';
import { findProjectFiles } from '../../core/project-files.js';
import type { Detection, InitChoices, InitTemplate } from '../../core/provider.js';
import { readEncoreApp } from './encore-app.js';

const APP_FILE = 'encore.app';
/** The env file the template names: local settings and the values of secrets. */
const ENV_FILE = '.env.local';
/** Encore's own local secret store, next to encore.app. */
const LOCAL_SECRETS = '.secrets.local.cue';
const DEFAULT_LISTEN = '127.0.0.1:4000';

/** Directories (relative to `projectDir`, `.` for itself) holding an encore.app, anywhere below it. */
function encoreAppDirs(projectDir: string): string[] {
  return findProjectFiles(projectDir, APP_FILE).map((file) => (file === APP_FILE ? '.' : file.slice(0, -APP_FILE.length - 1)));
}

export async function detectEncoreApp(projectDir: string): Promise<Detection> {
  const dirs = encoreAppDirs(projectDir);
  if (dirs.length === 0) return { fit: 'none', reason: 'no encore.app in this directory or below it' };
  return { fit: 'strong', reason: `encore.app in ${dirs.join(', ')}` };
}

export async function encoreInitTemplate(choices: InitChoices): Promise<InitTemplate> {
  const workdir = choices.workdir ?? onlyApp(encoreAppDirs(choices.projectDir));
  const file = join(choices.projectDir, workdir, APP_FILE);
  if (!isFile(file)) throw new UsageError(`no encore.app in ${join(choices.projectDir, workdir)}`, 'init');
  // The app's platform ID names the image; an unlinked app (empty ID) keeps its secrets in a local file.
  const { id } = readEncoreApp(file);
  const secrets = splitNames(choices.options.secrets);
  const storesLocally = secrets.length > 0 && id === '';
  const image = imageSafeName(id || basename(join(choices.projectDir, workdir))) || choices.name;
  return {
    purpose: 'runs this Encore.ts app, `stagecraft build` builds its image.',
    block: [
      'dev:',
      `  workdir: ${yamlScalar(workdir)}                   # the directory holding encore.app`,
      `  env_file: ${ENV_FILE}          # your local settings and secret values: keep it out of git`,
      `  listen: ${yamlScalar(choices.listen ?? DEFAULT_LISTEN)}        # an IP address or localhost, and a port`,
      ...secretLines(secrets, id !== ''),
      'build:',
      `  image_name: ${yamlScalar(image)}                # → <registry>/${image}:<git short sha>`,
    ],
    // The config names the env file, and dev requires it: created so the config validates at once.
    files: [
      {
        path: ENV_FILE,
        text: '# Local settings for `stagecraft dev`, one KEY=value per line, and the values of secrets.\n# Keep this file out of git.\n',
      },
    ],
    secretFiles: storesLocally ? [ENV_FILE, LOCAL_SECRETS] : [ENV_FILE],
    next: `put your local settings in ${ENV_FILE}, then run \`stagecraft doctor\` and \`stagecraft dev\``,
  };
}

/** The one app found; several are ambiguous (pick with --workdir); none leaves `.`, whose missing encore.app is then reported. */
function onlyApp(dirs: readonly string[]): string {
  if (dirs.length > 1) throw new UsageError(`found encore.app in ${dirs.join(', ')}; pick one with --workdir`, 'init');
  return dirs[0] ?? '.';
}

function splitNames(list: string | true | undefined): string[] {
  if (typeof list !== 'string') return [];
  return list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

function secretLines(secrets: readonly string[], linked: boolean): string[] {
  if (secrets.length === 0) {
    return [
      '  # Secrets: variables of .env.local to give the app as Encore secrets before each start. They are',
      '  # never printed (masked as *** in all output). store: auto keeps them in .secrets.local.cue',
      "  # (Encore's local store; keep it out of git) until the app is linked to Encore's platform.",
      '  # encore_secrets:',
      '  #   from_env: [STRIPE_API_KEY]',
      '  #   types: [local]   # dev, preview and production are shared by your whole team',
      '  #   store: auto',
    ];
  }
  return [
    '  encore_secrets:',
    `    from_env: ${yamlFlowList(secrets)}   # names of variables in ${ENV_FILE}`,
    '    types: [local]                # dev/preview/production are shared by your whole team',
    `    store: ${linked ? 'auto ' : 'local'}                  # ${linked ? 'platform while encore.app has an id' : "Encore's .secrets.local.cue on this machine (keep it out of git)"}`,
  ];
}

// A local copy: issue 12's provider toolkit gathers the isFile helpers into one.
