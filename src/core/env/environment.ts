import { StagecraftError } from '../errors.js';
import { readEnvFile } from './dotenv.js';

export interface EnvironmentFile {
  /** Absolute path. */
  readonly path: string;
  /** Where the file was named, for messages: "environments.dev.env_file". */
  readonly source: string;
}

export interface ComposedEnvironment {
  readonly env: Record<string, string>;
  /** Variables that a file referenced but nothing defined, by file. */
  readonly unresolved: readonly { readonly file: string; readonly names: readonly string[] }[];
}

/**
 * Builds an environment from dotenv files and the process environment, lowest precedence first:
 * each file in order, then the process environment, so `KEY=x stagecraft dev` beats any file (as with
 * Node's own --env-file). References inside a file resolve the way the final environment will.
 */
export function composeEnvironment(files: readonly EnvironmentFile[], processEnv: NodeJS.ProcessEnv): ComposedEnvironment {
  const fromFiles: Record<string, string> = {};
  const unresolved: { file: string; names: string[] }[] = [];
  for (const file of files) {
    let result: ReturnType<typeof readEnvFile>;
    try {
      result = readEnvFile(file.path, { above: (name) => processEnv[name], below: (name) => fromFiles[name] });
    } catch (error) {
      throw new StagecraftError({
        category: 'INVALID_CONFIG',
        message: `${file.source}: cannot read ${file.path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        cause: error,
      });
    }
    Object.assign(fromFiles, result.values);
    if (result.unresolved.length > 0) unresolved.push({ file: file.path, names: [...result.unresolved] });
  }
  return { env: { ...fromFiles, ...processEnvironment(processEnv) }, unresolved };
}

/** The process environment as a plain record (undefined entries dropped). */
export function processEnvironment(processEnv: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(processEnv)) {
    if (value !== undefined) env[name] = value;
  }
  return env;
}
