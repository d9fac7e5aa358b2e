import type { ConfigIssue } from '../../core/config/issues.js';
import { isValidImageName } from '../../core/image-ref.js';
import { fileProblem, workdirProblem } from '../../core/paths.js';
import type { ValidationContext } from '../../core/provider.js';
import { defineProvider } from '../../core/provider-kit/define.js';
import { processAliasIssues } from '../../core/provider-kit/process-schema.js';
import { genericDevUrl } from './dev-url.js';
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
export const genericProvider = defineProvider<GenericConfig>({
  id: GENERIC_PROVIDER_ID,
  description: 'Runs any dev server command; builds with docker build or podman build',
  feature: 'PROVIDER_BACKEND_GENERIC',
  logPrefix: 'generic',
  configSchema: genericConfigSchema,
  // dev.workdir is also the build context unless build.context is set.
  devBlock: { requires: 'at least `command`', buildUsesDevWorkdir: (config) => config.build.context === undefined },

  devUrl: (config, listen) => genericDevUrl(config, listen),

  validate(config, context) {
    const aliases = config.dev === undefined ? [] : processAliasIssues(config.dev, ['dev']);
    return [...aliases, ...(context.operations.includes('build') ? buildIssues(config, context) : [])];
  },

  initOptions: {
    command: {
      type: 'string',
      value: 'CMD',
      description: 'dev command, split on spaces (default: the dev or start script of package.json)',
    },
  },

  operations: {
    dev: () => import('./dev.js').then((module) => module.runGenericDev),
    buildDocker: () => import('./build.js').then((module) => module.buildGenericImage),
    plan: () => import('./build.js').then((module) => module.planGenericBuild),
    doctor: () => import('./doctor.js').then((module) => module.genericDoctor),
    detect: () => import('./init.js').then((module) => module.detectStartScript),
    initTemplate: () => import('./init.js').then((module) => module.genericInitTemplate),
  },
});
