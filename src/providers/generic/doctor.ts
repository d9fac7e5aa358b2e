import { engineNotAnsweringHint, engineStatus, fail, ok, portIsFree } from '../../core/doctor-checks.js';
import type { StagecraftError } from '../../core/errors.js';
import { resolveProjectPath } from '../../core/paths.js';
import { findExecutable } from '../../core/process/executable.js';
import type { DoctorCheck, DoctorOptions } from '../../core/provider.js';
import { defaultDockerfileIssues } from './dockerfile.js';
import { chooseEngine, ENGINE_VARIABLE, type EngineChoice, installHint } from './engine.js';
import { type GenericConfig, parseHostPort } from './schema.js';

/** Doctor for the generic provider: the dev command, the port it will listen on, the engine for builds. */
export async function genericDoctor(options: DoctorOptions<GenericConfig>): Promise<DoctorCheck[]> {
  const { config, projectRoot } = options;
  const checks: DoctorCheck[] = [];
  const dev = config.dev;
  if (dev !== undefined) {
    const [program] = dev.command as [string];
    const env = { ...options.env, ...dev.env };
    const found = findExecutable(program, env.PATH, resolveProjectPath(projectRoot, dev.workdir));
    checks.push(
      found.found
        ? ok('dev command', `${program} → ${found.path}`)
        : fail('dev command', found.problem, 'Install it, or fix backend.providers.generic.dev.command.'),
    );
    const tcp = dev.ready?.tcp === undefined ? undefined : parseHostPort(dev.ready.tcp);
    if (tcp !== undefined) {
      const port = await portIsFree(tcp.host, tcp.port);
      checks.push(
        port.free
          ? ok('port', `${dev.ready?.tcp} is free`)
          : fail('port', `${dev.ready?.tcp} ${port.problem}`, 'Stop what holds it, or use stagecraft dev --listen HOST:PORT.'),
      );
    }
  }
  // With build.context set, `config validate` (the config check above) already reports a missing Dockerfile.
  if (config.build.dockerfile === undefined && config.build.context === undefined) {
    for (const issue of defaultDockerfileIssues(config, projectRoot)) {
      checks.push(fail(`backend.providers.generic.${issue.path.join('.')}`, issue.message, 'Add the Dockerfile, or set build.dockerfile.'));
    }
  }
  checks.push(await engineCheck(options));
  return checks;
}

/** Which engine `build` will run, its version, and whether its daemon (Docker) or engine (Podman) answers. */
async function engineCheck(options: DoctorOptions<GenericConfig>): Promise<DoctorCheck> {
  let choice: EngineChoice;
  try {
    choice = chooseEngine(options.config, options.env);
  } catch (error) {
    const known = error as StagecraftError;
    return fail('engine', known.message, known.hint);
  }
  const { engine, source } = choice;
  const status = await engineStatus(options.runner, options.env, engine);
  const chosen = source === ENGINE_VARIABLE ? ` (from ${ENGINE_VARIABLE})` : '';
  if (status.client === undefined) return fail(engine, `${status.problem ?? `${engine} not found`}${chosen}`, installHint(engine));
  if (status.server !== undefined) {
    const what = engine === 'docker' ? `daemon ${status.server} answers` : `podman ${status.server} answers`;
    return ok(engine, `${what} (${status.client}${chosen}; for stagecraft build)`);
  }
  const client = status.clientVersion ? `${engine} ${status.clientVersion}` : engine;
  const missing = engine === 'docker' ? 'no Docker daemon answers' : 'podman does not work';
  return fail(engine, `${client} at ${status.client}${chosen}, but ${missing}: ${status.problem}`, engineNotAnsweringHint(engine));
}
