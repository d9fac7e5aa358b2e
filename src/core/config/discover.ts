import { dirname, join, resolve } from 'node:path';
import { StagecraftError } from '../errors.js';
import { isFile } from '../paths.js';

export const CONFIG_FILE_NAMES = ['stagecraft.yml', 'stagecraft.yaml'] as const;

export interface DiscoverOptions {
  readonly cwd: string;
  /** `--config FILE`. */
  readonly explicit?: string | undefined;
  /** `STAGECRAFT_CONFIG`. */
  readonly fromEnv?: string | undefined;
}

/**
 * Which config file to use: --config, else STAGECRAFT_CONFIG, else the nearest stagecraft.yml (or
 * .yaml) in the current directory or its parents. Returns an absolute path.
 */
export function discoverConfigFile(options: DiscoverOptions): string {
  const named = options.explicit ?? options.fromEnv;
  if (named !== undefined && named !== '') {
    const path = resolve(options.cwd, named);
    const source = options.explicit === undefined ? 'STAGECRAFT_CONFIG' : '--config';
    if (!isFile(path)) {
      throw new StagecraftError({ category: 'INVALID_CONFIG', message: `${source}: no config file at ${path}` });
    }
    return path;
  }
  for (let dir = resolve(options.cwd); ; dir = dirname(dir)) {
    for (const name of CONFIG_FILE_NAMES) {
      const path = join(dir, name);
      if (isFile(path)) return path;
    }
    if (dirname(dir) === dir) break;
  }
  throw new StagecraftError({
    category: 'INVALID_CONFIG',
    message: `no stagecraft.yml found in ${resolve(options.cwd)} or any parent directory`,
    hint: 'Run `stagecraft init` to create one, or point at it with --config FILE.',
  });
}
