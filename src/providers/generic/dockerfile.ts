import { join } from 'node:path';
import type { ConfigIssue } from '../../core/config/issues.js';
import { fileProblem, resolveProjectPath, workdirProblem } from '../../core/paths.js';
import type { GenericConfig } from './schema.js';

/**
 * Without build.dockerfile the engine reads <context>/Dockerfile: check it now, so a missing one is a config
 * problem reported at build.context (where the default comes from) rather than an engine error later.
 */
export function defaultDockerfileIssues({ build, dev }: GenericConfig, projectRoot: string): ConfigIssue[] {
  const context = build.context ?? dev?.workdir ?? '.';
  // A missing or misplaced context is reported on its own.
  if (workdirProblem(projectRoot, context) !== undefined) return [];
  const dockerfile = join(context, 'Dockerfile');
  if (fileProblem(projectRoot, dockerfile) === undefined) return [];
  const from =
    build.context !== undefined ? 'build.context' : dev !== undefined ? 'dev.workdir, the default' : 'the project root, the default';
  return [
    {
      path: ['build', 'context'],
      operation: 'build',
      message: `expected a Dockerfile in the build context ${JSON.stringify(context)} (${from}), found none (no such file: ${resolveProjectPath(projectRoot, dockerfile)}); add it, or set build.dockerfile`,
    },
  ];
}
