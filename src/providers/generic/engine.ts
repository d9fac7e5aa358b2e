import { StagecraftError } from '../../core/errors.js';
import { ENGINES, type Engine, type GenericConfig } from './schema.js';

/** The variable that picks the engine on this machine, whatever the project's config says. */
export const ENGINE_VARIABLE = 'STAGECRAFT_ENGINE';

export interface EngineChoice {
  readonly engine: Engine;
  /** Where the choice came from, for messages: the variable or the config field. */
  readonly source: string;
}

/**
 * The engine CLI to run: STAGECRAFT_ENGINE when set (a machine's own choice, e.g. podman where Docker is not
 * installed), else build.engine, else docker.
 */
export function chooseEngine(config: GenericConfig, env: Readonly<Record<string, string>>): EngineChoice {
  const fromEnv = env[ENGINE_VARIABLE];
  if (fromEnv === undefined || fromEnv === '') return { engine: config.build.engine, source: 'backend.providers.generic.build.engine' };
  if (!(ENGINES as readonly string[]).includes(fromEnv)) {
    throw new StagecraftError({
      category: 'INVALID_CONFIG',
      operation: 'build',
      message: `${ENGINE_VARIABLE}: expected one of ${ENGINES.join(', ')}, found ${JSON.stringify(fromEnv.slice(0, 60))}`,
      hint: `Unset ${ENGINE_VARIABLE} to use build.engine from stagecraft.yml.`,
    });
  }
  return { engine: fromEnv as Engine, source: ENGINE_VARIABLE };
}
