import { relative } from 'node:path';
import { isStagecraftError } from '../../core/errors.js';
import { resolveProjectPath } from '../../core/paths.js';
import type { DoctorCheck, DoctorOptions } from '../../core/provider.js';
import { engineCheck } from '../../core/provider-kit/container-engine.js';
import { fail, listenPortCheck, ok, warn } from '../../core/provider-kit/doctor-checks.js';
import { gitIgnores } from '../../core/provider-kit/git.js';
import { locateEncore } from './binary.js';
import { type EncoreApp, findEncoreApp } from './encore-app.js';
import { encoreEnvironment } from './environment.js';
import { LOCAL_SECRETS_FILE } from './local-secrets.js';
import type { EncoreConfig, EncoreDevConfig } from './schema.js';
import { resolveStore } from './secrets.js';
import { formatVersion } from './version.js';

/** Doctor for Encore.ts: the encore binary and version, encore.app, secrets, the listen port, docker. */
export async function encoreDoctor(options: DoctorOptions<EncoreConfig>): Promise<DoctorCheck[]> {
  const { config, projectRoot } = options;
  const env = encoreEnvironment(options.env, config, projectRoot);
  const workdir = resolveProjectPath(projectRoot, config.dev?.workdir ?? config.build.workdir ?? '.');
  const binary = await binaryCheck(options, env, workdir);
  const { app, check: appFile } = appCheck(workdir, projectRoot);
  const dev = config.dev === undefined ? [] : await devChecks(options, config.dev, app, env);
  const docker = await engineCheck({
    runner: options.runner,
    env,
    engine: 'docker',
    severity: 'warn',
    fix: 'stagecraft build needs a Docker daemon; stagecraft build --push does not (Encore pushes to the registry itself).',
  });
  return [binary, appFile, ...dev, docker];
}

/** The encore binary: found, recent enough, its version readable. */
async function binaryCheck(options: DoctorOptions<EncoreConfig>, env: Record<string, string>, workdir: string): Promise<DoctorCheck> {
  try {
    const encore = await locateEncore({
      runner: options.runner,
      env,
      cwd: workdir,
      logger: options.logger,
      signal: options.signal,
      operation: 'dev',
    });
    return encore.version
      ? ok('encore', `${formatVersion(encore.version)} at ${encore.path}`)
      : warn('encore', `found at ${encore.path}, but its version could not be read`, 'Check that `encore version` prints a version.');
  } catch (error) {
    if (!isStagecraftError(error)) throw error;
    return fail('encore', error.message, error.hint);
  }
}

/** encore.app: found from the workdir, a TypeScript app, linked to Encore's platform or not. */
function appCheck(workdir: string, projectRoot: string): { app: EncoreApp | undefined; check: DoctorCheck } {
  try {
    const app = findEncoreApp(workdir, projectRoot, 'backend.providers.encore-ts.dev.workdir', 'dev');
    const linked = app.id ? `linked to Encore's platform as ${app.id}` : "not linked to Encore's platform";
    const where = relative(projectRoot, app.file) || app.file;
    const check =
      app.lang === 'typescript'
        ? ok('encore.app', `${where} (typescript, ${linked})`)
        : warn(
            'encore.app',
            `${where} has lang ${JSON.stringify(app.lang ?? 'go')}, ${linked}`,
            'This provider is for Encore.ts apps: "lang": "typescript".',
          );
    return { app, check };
  } catch (error) {
    if (!isStagecraftError(error)) throw error;
    return { app: undefined, check: fail('encore.app', error.message, error.hint) };
  }
}

/** What `dev` needs beyond the binary: each secret's value, the local secret file ignored by git, the listen port. */
async function devChecks(
  options: DoctorOptions<EncoreConfig>,
  dev: EncoreDevConfig,
  app: EncoreApp | undefined,
  env: Record<string, string>,
): Promise<DoctorCheck[]> {
  const checks = (dev.encore_secrets?.from_env ?? []).map((name) =>
    env[name]
      ? ok(`secret ${name}`, 'set')
      : warn(
          `secret ${name}`,
          `${env[name] === undefined ? 'not set' : 'empty'} in the environment; it will not be synced`,
          `Add ${name}=... to ${dev.env_file}.`,
        ),
  );
  const secrets = dev.encore_secrets;
  if (app !== undefined && secrets && secrets.from_env.length > 0 && resolveStore(secrets.store, app) === 'local') {
    checks.push(await localSecretsIgnored(options, app, env));
  }
  const listen = await listenPortCheck('listen', dev.listen, 'ip-or-localhost');
  if (listen !== undefined) checks.push(listen);
  return checks;
}

async function localSecretsIgnored(
  options: DoctorOptions<EncoreConfig>,
  app: EncoreApp,
  env: Record<string, string>,
): Promise<DoctorCheck> {
  const file = resolveProjectPath(app.root, LOCAL_SECRETS_FILE);
  switch (await gitIgnores({ runner: options.runner, env, cwd: app.root, file, signal: options.signal })) {
    case 'no-git':
      return warn(
        LOCAL_SECRETS_FILE,
        'git not found: cannot tell whether it is ignored',
        `Make sure ${LOCAL_SECRETS_FILE} is never committed.`,
      );
    case 'ignored':
      return ok(LOCAL_SECRETS_FILE, 'ignored by git');
    case 'not-ignored':
      return fail(LOCAL_SECRETS_FILE, 'will hold secret values but git does not ignore it', `echo ${LOCAL_SECRETS_FILE} >> .gitignore`);
    case 'unknown':
      return ok(LOCAL_SECRETS_FILE, 'not in a git repository');
  }
}
