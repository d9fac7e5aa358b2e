import type { ConfigIssue } from '../../core/config/issues.js';
import { isValidImageName } from '../../core/image-ref.js';
import { fileProblem, workdirProblem } from '../../core/paths.js';
import type { BackendProvider } from '../../core/provider.js';
import { type GenericConfig, genericConfigSchema } from './schema.js';

export const GENERIC_PROVIDER_ID = 'generic';

/** The baseline provider: runs any command for `dev`, `docker build` for `build`. */
export const genericProvider: BackendProvider<GenericConfig> = {
  id: GENERIC_PROVIDER_ID,
  description: 'Runs any dev server command; builds with docker build',
  feature: 'PROVIDER_BACKEND_GENERIC',
  logPrefix: 'generic',
  configSchema: genericConfigSchema,

  validate(config, context) {
    const issues: ConfigIssue[] = [];
    const { dev, build } = config;
    if (context.operations.includes('dev')) {
      if (dev === undefined) {
        issues.push({
          path: ['dev'],
          atKey: true,
          message: 'expected a dev block with at least `command`, found nothing',
          operation: 'dev',
        });
      } else {
        const problem = workdirProblem(context.projectRoot, dev.workdir);
        if (problem) issues.push({ path: ['dev', 'workdir'], message: problem });
      }
    }
    if (context.operations.includes('build')) {
      const contextDir = build.context ?? dev?.workdir ?? '.';
      const contextProblem = workdirProblem(context.projectRoot, contextDir);
      if (contextProblem)
        issues.push({ path: build.context ? ['build', 'context'] : ['build'], message: contextProblem, operation: 'build' });
      if (build.dockerfile !== undefined) {
        const problem = fileProblem(context.projectRoot, build.dockerfile);
        if (problem) issues.push({ path: ['build', 'dockerfile'], message: problem });
      }
      if (build.image_name === undefined && !isValidImageName(context.project.name)) {
        issues.push({
          path: ['build'],
          atKey: true,
          operation: 'build',
          message: `expected build.image_name, because project.name ${JSON.stringify(context.project.name)} is not a valid image name (lowercase letters, digits, . _ -)`,
        });
      }
    }
    return issues;
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
