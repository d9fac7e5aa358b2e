import { findExecutable } from '../process/executable.js';
import { runToCompletion } from '../process/run-to-completion.js';
import type { Runner } from '../process/start-child.js';

export interface GitIgnoreQuery {
  readonly runner: Runner;
  /** Where git is looked up (PATH) and what it runs with. */
  readonly env: Readonly<Record<string, string>>;
  /** A directory inside the repository (git asks the repository it is in). */
  readonly cwd: string;
  /** The file in question, absolute or relative to `cwd`. */
  readonly file: string;
  readonly signal?: AbortSignal;
}

/** git's answer; `no-git` when there is no git to ask, `unknown` outside a repository or when git fails. */
export type GitIgnoreAnswer = 'ignored' | 'not-ignored' | 'no-git' | 'unknown';

/**
 * Does git ignore `file`? Files that will hold secret values must never be committed, so providers (and
 * `init`) ask before writing one. `git check-ignore -q` exits 0 when ignored, 1 when not, 128 outside a
 * repository. Rejects only when `signal` aborts.
 */
export async function gitIgnores(query: GitIgnoreQuery): Promise<GitIgnoreAnswer> {
  const git = findExecutable('git', query.env.PATH);
  if (!git.found) return 'no-git';
  try {
    const result = await runToCompletion(query.runner, git.path, ['check-ignore', '-q', '--', query.file], {
      cwd: query.cwd,
      env: query.env,
      timeoutMs: 10_000,
      ...(query.signal ? { signal: query.signal } : {}),
    });
    if (result.timedOut) return 'unknown';
    return result.code === 0 ? 'ignored' : result.code === 1 ? 'not-ignored' : 'unknown';
  } catch (error) {
    if (query.signal?.aborted) throw error;
    return 'unknown';
  }
}
