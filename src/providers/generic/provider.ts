import { join } from 'node:path';
import type { ConfigIssue } from '../../core/config/issues.js';
import { isValidImageName } from '../../core/image-ref.js';
import { fileProblem, resolveProjectPath, workdirProblem } from '../../core/paths.js';
import type { BackendProvider, ValidationContext } from '../../core/provider.js';
import { type GenericConfig, genericConfigSchema } from './schema.js';

export const GENERIC_PROVIDER_ID = 'generic';

function buildIssues(config: GenericConfig, { projectRoot, project }: ValidationContext): ConfigIssue[] {
  const { build } = config;
  const issues: ConfigIssue[] = [];
  if (build.context !== undefined) {
    const problem = workdirProblem(projectRoot, build.context);
    if (problem) issues.push({ path: ['build', 'context'], message: problem });
  }
  if (build.dockerfile !== undefined) {
    const problem = fileProblem(projectRoot, build.dockerfile);
    if (problem) issues.push({ path: ['build', 'dockerfile'], message: problem });
  } else {
    issues.push(...defaultDockerfileIssues(config, projectRoot));
  }
  // An empty name means project.name itself is invalid, which is reported on its own.
  if (build.image_name === undefined && project.name !== '' && !isValidImageName(project.name)) {
    issues.push({
      path: ['build'],
      atKey: true,
      operation: 'build',
      message: `expected build.image_name, because project.name ${JSON.stringify(project.name)} is not a valid image name (lowercase letters, digits, . _ -)`,
    });
  }
  return issues;
}

/**
 * Without build.dockerfile the engine reads <context>/Dockerfile: check it now, so a missing one is a config
 * problem reported at build.context (where the default comes from) rather than an engine error later.
 */
function defaultDockerfileIssues({ build, dev }: GenericConfig, projectRoot: string): ConfigIssue[] {
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

/** The baseline provider: runs any command for `dev`, `docker build` for `build`. */
export const genericProvider: BackendProvider<GenericConfig> = {
  id: GENERIC_PROVIDER_ID,
  description: 'Runs any dev server command; builds with docker build or podman build',
  feature: 'PROVIDER_BACKEND_GENERIC',
  logPrefix: 'generic',
  configSchema: genericConfigSchema,

  validate(config, context) {
    const issues: ConfigIssue[] = [];
    const { dev, build } = config;
    const { projectRoot, operations } = context;
    if (operations.includes('dev') && dev === undefined) {
      issues.push({ path: ['dev'], atKey: true, message: 'expected a dev block with at least `command`, found nothing', operation: 'dev' });
    }
    // dev.workdir is also the build context unless build.context is set: checked once, for either use.
    if (dev !== undefined && (operations.includes('dev') || build.context === undefined)) {
      const problem = workdirProblem(projectRoot, dev.workdir);
      if (problem) issues.push({ path: ['dev', 'workdir'], message: problem });
    }
    if (operations.includes('build')) issues.push(...buildIssues(config, context));
    return issues;
  },

  async doctor(options) {
    const { genericDoctor } = await import('./doctor.js');
    return genericDoctor(options);
  },

  async dev(options) {
    const { runGenericDev } = await import('./dev.js');
    return runGenericDev(options);
  },

  async buildDocker(options) {
    const { buildGenericImage } = await import('./build.js');
    return buildGenericImage(options);
  },

  async plan(options) {
    const { planGenericBuild } = await import('./build.js');
    return planGenericBuild(options);
  },
};
