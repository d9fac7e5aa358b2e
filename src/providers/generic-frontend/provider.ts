import type { ConfigIssue } from '../../core/config/issues.js';
import { workdirProblem } from '../../core/paths.js';
import type { FrontendProvider } from '../../core/provider.js';
import { processChecks } from '../../core/provider-kit/process-doctor.js';
import { processAliasIssues, processSpecOf, readinessUrl } from '../../core/provider-kit/process-schema.js';
import { GENERIC_FRONTEND_FEATURE, GENERIC_FRONTEND_ID } from './ids.js';
import { type GenericFrontendConfig, genericFrontendSchema } from './schema.js';

/** The baseline frontend: any dev server command (Vite, Next, a plain Node server), the one process schema. */
export const genericFrontendProvider: FrontendProvider<GenericFrontendConfig> = {
  id: GENERIC_FRONTEND_ID,
  description: "Runs the web app's dev server command (Vite, Next, anything)",
  feature: GENERIC_FRONTEND_FEATURE,
  logPrefix: 'frontend',
  configSchema: genericFrontendSchema,

  validate(config, { projectRoot }) {
    const issues: ConfigIssue[] = processAliasIssues(config.dev, ['dev']);
    const problem = workdirProblem(projectRoot, config.dev.workdir);
    if (problem) issues.push({ path: ['dev', 'workdir'], message: problem });
    return issues;
  },

  devUrl: (config) => config.dev.url ?? readinessUrl(processSpecOf(config.dev).ready),

  dev: async (options) => (await import('./dev.js')).runGenericFrontendDev(options),
  doctor: async (options) =>
    processChecks({
      name: 'frontend command',
      ...processSpecOf(options.config.dev),
      projectRoot: options.projectRoot,
      env: { ...options.env, ...options.config.dev.env },
      commandField: 'frontend.providers.generic.dev.command',
    }),
  detect: async (projectDir) => (await import('./init.js')).detectWebApp(projectDir),
  initTemplate: async (found) => (await import('./init.js')).genericFrontendInitBlock(found),
};
