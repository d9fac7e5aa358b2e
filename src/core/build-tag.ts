import { findExecutable } from './process/executable.js';
import { runToCompletion } from './process/run-to-completion.js';
import type { Runner } from './process/start-child.js';

/**
 * The default image tag: the git short SHA, with `-dirty` when the project directory has uncommitted
 * changes or when `git status` cannot tell (an image must never claim to be a commit it is not); outside git,
 * `rel-YYYYMMDD-HHMMSS` (UTC).
 */
export async function defaultImageTag(
  runner: Runner,
  options: { readonly cwd: string; readonly env: Readonly<Record<string, string>>; readonly now?: Date },
): Promise<string> {
  const sha = await git(runner, ['rev-parse', '--short', 'HEAD'], options);
  if (sha === undefined || sha === '') return releaseTag(options.now ?? new Date());
  const status = await git(runner, ['status', '--porcelain', '--', '.'], options);
  // Clean only when git said so: a status that failed or timed out proves nothing.
  return status === '' ? sha : `${sha}-dirty`;
}

export function releaseTag(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `rel-${stamp}`;
}

async function git(
  runner: Runner,
  args: readonly string[],
  options: { readonly cwd: string; readonly env: Readonly<Record<string, string>> },
): Promise<string | undefined> {
  const lookup = findExecutable('git', options.env.PATH);
  if (!lookup.found) return undefined;
  const lines: string[] = [];
  try {
    const result = await runToCompletion(runner, lookup.path, args, {
      cwd: options.cwd,
      env: options.env,
      onLine: (line, stream) => {
        if (stream === 'stdout') lines.push(line);
      },
      timeoutMs: 10_000,
    });
    return result.code === 0 && !result.timedOut ? lines.join('\n').trim() : undefined;
  } catch {
    return undefined;
  }
}
