import type { ConfigIssue } from '../../core/config/issues.js';
import { fileProblem, workdirProblem } from '../../core/paths.js';
import type { BackendProvider } from '../../core/provider.js';
import { ENCORE_FEATURE, ENCORE_PROVIDER_ID } from './ids.js';
import { type EncoreConfig, encoreConfigSchema } from './schema.js';

/**
 * Encore.ts (spec: shared/spec/encore-ts-provider.md). The schema covers field formats; `validate` checks
 * what needs the file system, per operation, so `stagecraft build` in CI does not demand a .env.local.
 */
export const encoreTsProvider: BackendProvider<EncoreConfig> = {
  id: ENCORE_PROVIDER_ID,
  description: 'Encore.ts: encore run for dev, encore build docker for images, secrets via encore secret set',
  feature: ENCORE_FEATURE,
  logPrefix: 'encore',
  configSchema: encoreConfigSchema,

  validate(config, context) {
    const issues: ConfigIssue[] = [];
    const { projectRoot, operations } = context;
    const { dev, build } = config;
    if (operations.includes('dev')) {
      if (dev === undefined) {
        issues.push({
          path: ['dev'],
          atKey: true,
          operation: 'dev',
          message: 'expected a dev block with at least env_file and listen, found nothing',
        });
      } else {
        const checks: [string, string | undefined][] = [
          ['workdir', workdirProblem(projectRoot, dev.workdir)],
          ['env_file', fileProblem(projectRoot, dev.env_file)],
          ['node_extra_ca_certs', dev.node_extra_ca_certs === undefined ? undefined : fileProblem(projectRoot, dev.node_extra_ca_certs)],
        ];
        for (const [field, problem] of checks) if (problem) issues.push({ path: ['dev', field], message: problem });
      }
    }
    if (operations.includes('build')) {
      const workdir = build.workdir ?? dev?.workdir ?? '.';
      const problem = workdirProblem(projectRoot, workdir);
      if (problem)
        issues.push({
          path: build.workdir === undefined ? ['build'] : ['build', 'workdir'],
          atKey: build.workdir === undefined,
          operation: 'build',
          message: problem,
        });
      const infra = build.infra_config === undefined ? undefined : fileProblem(projectRoot, build.infra_config);
      if (infra) issues.push({ path: ['build', 'infra_config'], message: infra });
    }
    return issues;
  },

  devEnvFiles(config) {
    return config.dev ? [config.dev.env_file] : [];
  },

  async dev(options) {
    const { runEncoreDev } = await import('./dev.js');
    return runEncoreDev(options);
  },

  async buildDocker(options) {
    const { buildEncoreImage } = await import('./build.js');
    return buildEncoreImage(options);
  },

  async plan(options) {
    const { planEncoreBuild } = await import('./build.js');
    return planEncoreBuild(options);
  },
};
