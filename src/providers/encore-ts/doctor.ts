import { relative } from 'node:path';
import { dockerStatus, fail, ok, portIsFree, warn } from '../../core/doctor-checks.js';
import { isStagecraftError } from '../../core/errors.js';
import { resolveProjectPath } from '../../core/paths.js';
import { findExecutable } from '../../core/process/executable.js';
import { runToCompletion } from '../../core/process/run.js';
import type { DoctorCheck, DoctorOptions } from '../../core/provider.js';
import { locateEncore } from './binary.js';
import { type EncoreApp, findEncoreApp } from './encore-app.js';
import { encoreEnvironment } from './environment.js';
import { parseListenAddress } from './listen.js';
import { LOCAL_SECRETS_FILE } from './local-secrets.js';
import type { EncoreConfig } from './schema.js';
import { resolveStore } from './secrets.js';
import { formatVersion } from './version.js';

/** Doctor for Encore.ts: the encore binary and version, encore.app, secrets, the listen port, docker. */
export async function encoreDoctor(options: DoctorOptions<EncoreConfig>): Promise<DoctorCheck[]> {
  const { config, projectRoot } = options;
  const env = encoreEnvironment(options.env, config, projectRoot);
  const workdir = resolveProjectPath(projectRoot, config.dev?.workdir ?? config.build.workdir ?? '.');
  const checks: DoctorCheck[] = [];

  try {
    const encore = await locateEncore({
      runner: options.runner,
      env,
      cwd: workdir,
      logger: options.logger,
      signal: options.signal,
      operation: 'dev',
    });
    checks.push(
      encore.version
        ? ok('encore', `${formatVersion(encore.version)} at ${encore.path}`)
        : warn('encore', `found at ${encore.path}, but its version could not be read`, 'Check that `encore version` prints a version.'),
    );
  } catch (error) {
    if (!isStagecraftError(error)) throw error;
    checks.push(fail('encore', error.message, error.hint));
  }

  let app: EncoreApp | undefined;
  try {
    app = findEncoreApp(workdir, projectRoot, 'backend.providers.encore-ts.dev.workdir', 'dev');
    const linked = app.id ? `linked to Encore's platform as ${app.id}` : "not linked to Encore's platform";
    const where = relative(projectRoot, app.file) || app.file;
    checks.push(
      app.lang === 'typescript'
        ? ok('encore.app', `${where} (typescript, ${linked})`)
        : warn(
            'encore.app',
            `${where} has lang ${JSON.stringify(app.lang ?? 'go')}, ${linked}`,
            'This provider is for Encore.ts apps: "lang": "typescript".',
          ),
    );
  } catch (error) {
    if (!isStagecraftError(error)) throw error;
    checks.push(fail('encore.app', error.message, error.hint));
  }

  const dev = config.dev;
  if (dev !== undefined) {
    for (const name of dev.encore_secrets?.from_env ?? []) {
      checks.push(
        env[name]
          ? ok(`secret ${name}`, 'set')
          : warn(
              `secret ${name}`,
              `${env[name] === undefined ? 'not set' : 'empty'} in the environment; it will not be synced`,
              `Add ${name}=... to ${dev.env_file}.`,
            ),
      );
    }
    if (
      app !== undefined &&
      dev.encore_secrets &&
      dev.encore_secrets.from_env.length > 0 &&
      resolveStore(dev.encore_secrets.store, app) === 'local'
    ) {
      checks.push(await localSecretsIgnored(options, app, env));
    }
    const listen = parseListenAddress(dev.listen);
    if (listen.ok) {
      const port = await portIsFree(listen.host, listen.port);
      checks.push(
        port.free
          ? ok('listen', `${dev.listen} is free`)
          : fail(
              'listen',
              `${dev.listen} ${port.problem}`,
              'Stop what holds it, or pick another address: stagecraft dev --listen HOST:PORT.',
            ),
      );
    }
  }

  const docker = await dockerStatus(options.runner, env);
  checks.push(
    docker.server
      ? ok('docker', `daemon ${docker.server} (for stagecraft build)`)
      : warn(
          'docker',
          `no Docker daemon: ${docker.problem}`,
          'stagecraft build needs one; stagecraft build --push does not (Encore pushes to the registry itself).',
        ),
  );
  return checks;
}

async function localSecretsIgnored(
  options: DoctorOptions<EncoreConfig>,
  app: EncoreApp,
  env: Record<string, string>,
): Promise<DoctorCheck> {
  const git = findExecutable('git', env.PATH);
  const file = resolveProjectPath(app.root, LOCAL_SECRETS_FILE);
  if (!git.found)
    return warn(
      LOCAL_SECRETS_FILE,
      'git not found: cannot tell whether it is ignored',
      `Make sure ${LOCAL_SECRETS_FILE} is never committed.`,
    );
  const result = await runToCompletion(options.runner, git.path, ['check-ignore', '-q', file], {
    cwd: app.root,
    env,
    timeoutMs: 10_000,
    signal: options.signal,
  });
  if (result.code === 0) return ok(LOCAL_SECRETS_FILE, 'ignored by git');
  if (result.code === 1)
    return fail(LOCAL_SECRETS_FILE, 'will hold secret values but git does not ignore it', `echo ${LOCAL_SECRETS_FILE} >> .gitignore`);
  return ok(LOCAL_SECRETS_FILE, 'not in a git repository');
}
