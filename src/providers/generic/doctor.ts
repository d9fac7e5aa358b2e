import type { StagecraftError } from '../../core/errors.js';
import type { DoctorCheck, DoctorOptions } from '../../core/provider.js';
import { engineCheck } from '../../core/provider-kit/container-engine.js';
import { fail } from '../../core/provider-kit/doctor-checks.js';
import { processChecks } from '../../core/provider-kit/process-doctor.js';
import { processSpecOf } from '../../core/provider-kit/process-schema.js';
import { defaultDockerfileIssues } from './dockerfile.js';
import { chooseEngine, ENGINE_VARIABLE, type EngineChoice } from './engine.js';
import type { GenericConfig } from './schema.js';

/** Doctor for the generic provider: the dev command, the port it will listen on, the engine for builds. */
export async function genericDoctor(options: DoctorOptions<GenericConfig>): Promise<DoctorCheck[]> {
  const { config, projectRoot } = options;
  const checks: DoctorCheck[] = [];
  const dev = config.dev;
  if (dev !== undefined) {
    const spec = processSpecOf(dev);
    checks.push(
      ...(await processChecks({
        name: 'dev command',
        portName: 'port',
        ...spec,
        projectRoot,
        env: { ...options.env, ...dev.env },
        commandField: 'backend.providers.generic.dev.command',
      })),
    );
  }
  // With build.context set, `config validate` (the config check above) already reports a missing Dockerfile.
  if (config.build.dockerfile === undefined && config.build.context === undefined) {
    for (const issue of defaultDockerfileIssues(config, projectRoot)) {
      checks.push(fail(`backend.providers.generic.${issue.path.join('.')}`, issue.message, 'Add the Dockerfile, or set build.dockerfile.'));
    }
  }
  checks.push(await buildEngineCheck(options));
  return checks;
}

/** Which engine `build` will run, its version, and whether its daemon (Docker) or engine (Podman) answers. */
async function buildEngineCheck(options: DoctorOptions<GenericConfig>): Promise<DoctorCheck> {
  let choice: EngineChoice;
  try {
    choice = chooseEngine(options.config, options.env);
  } catch (error) {
    const known = error as StagecraftError;
    return fail('engine', known.message, known.hint);
  }
  const { engine, source } = choice;
  return engineCheck({ runner: options.runner, env: options.env, engine, ...(source === ENGINE_VARIABLE ? { chosenBy: source } : {}) });
}
