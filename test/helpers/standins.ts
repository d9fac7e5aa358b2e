import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { REPO_ROOT } from './cli.js';
import { tempDir } from './temp.js';

/** Where each stand-in executable lives; a provider's own stand-in lives in the provider's folder. */
const STANDINS: Record<string, string> = {
  docker: join(REPO_ROOT, 'test', 'standins', 'docker'),
  encore: join(REPO_ROOT, 'src', 'providers', 'encore-ts', 'test', 'encore-standin.mjs'),
};

export interface StandinCall {
  readonly tool: string;
  readonly argv: string[];
  readonly cwd: string;
  readonly pid: number;
  /** Process group of the call (encore stand-in). */
  readonly pgid?: number;
  /** When the call started, ms since the epoch (encore stand-in). */
  readonly time?: number;
  readonly env?: Record<string, string>;
  readonly stdin?: string;
}

export interface StandinBin {
  /** Directory to put first on PATH. */
  readonly dir: string;
  /** JSON-lines file the stand-ins record their calls in (pass as STANDIN_LOG). */
  readonly log: string;
  /** The calls recorded so far. */
  calls(tool?: string): StandinCall[];
}

/** A temp bin directory holding the named stand-ins, outside any project directory. */
export function standinBin(t: TestContext, tools: readonly string[]): StandinBin {
  const dir = tempDir(t, 'stagecraft-bin-');
  for (const tool of tools) {
    const target = STANDINS[tool];
    if (target === undefined) throw new Error(`no stand-in for ${tool}`);
    symlinkSync(target, join(dir, tool));
  }
  const log = join(dir, 'calls.jsonl');
  return {
    dir,
    log,
    calls(tool) {
      if (!existsSync(log)) return [];
      const calls = readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as StandinCall);
      return tool === undefined ? calls : calls.filter((call) => call.tool === tool);
    },
  };
}
