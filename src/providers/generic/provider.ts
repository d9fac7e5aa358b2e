import type { ConfigIssue } from '../../core/config/issues.js';
import { isValidImageName } from '../../core/image-ref.js';
import { fileProblem, workdirProblem } from '../../core/paths.js';
import type { BackendProvider, ValidationContext } from '../../core/provider.js';
import { defaultDockerfileIssues } from './dockerfile.js';
import { GENERIC_PROVIDER_ID } from './ids.js';
import { type GenericConfig, genericConfigSchema } from './schema.js';

function buildIssues(config: GenericConfig, { projectRoot, project, operations }: ValidationContext): ConfigIssue[] {
  const { build } = config;
  const issues: ConfigIssue[] = [];
  if (build.context !== undefined) {
    const problem = workdirProblem(projectRoot, build.context);
    if (problem) issues.push({ path: ['build', 'context'], message: problem });
  }
  if (build.dockerfile !== undefined) {
    const problem = fileProblem(projectRoot, build.dockerfile);
    if (problem) issues.push({ path: ['build', 'dockerfile'], message: problem });
  } else if (!operations.includes('dev') || build.context !== undefined) {
    // The implicit Dockerfile is checked when building (and by doctor), or when build.context says where to look;
    // `config validate` of a dev-only project without one stays valid (init's configs validate at once).
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

  initOptions: {
    command: {
      type: 'string',
      value: 'CMD',
      description: 'dev command, split on spaces (default: the dev or start script of package.json)',
    },
  },

  async detect(projectDir) {
    const { detectStartScript } = await import('./init.js');
    return detectStartScript(projectDir);
  },

  async initTemplate(choices) {
    const { genericInitTemplate } = await import('./init.js');
    return genericInitTemplate(choices);
  },
};
