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
    if (operations.includes('dev') && dev === undefined) {
      issues.push({
        path: ['dev'],
        atKey: true,
        operation: 'dev',
        message: 'expected a dev block with at least env_file and listen, found nothing',
      });
    }
    // dev.workdir is also the build workdir unless build.workdir is set: checked once, for either use.
    if (dev !== undefined && (operations.includes('dev') || build.workdir === undefined)) {
      const problem = workdirProblem(projectRoot, dev.workdir);
      if (problem) issues.push({ path: ['dev', 'workdir'], message: problem });
    }
    // dev.env_file is checked by core, which loads it (devEnvFiles).
    if (dev?.node_extra_ca_certs !== undefined && operations.includes('dev')) {
      const problem = fileProblem(projectRoot, dev.node_extra_ca_certs);
      if (problem) issues.push({ path: ['dev', 'node_extra_ca_certs'], message: problem });
    }
    if (operations.includes('build')) {
      const checks: [string, string | undefined][] = [
        ['workdir', build.workdir === undefined ? undefined : workdirProblem(projectRoot, build.workdir)],
        ['infra_config', build.infra_config === undefined ? undefined : fileProblem(projectRoot, build.infra_config)],
      ];
      for (const [field, problem] of checks) if (problem) issues.push({ path: ['build', field], message: problem });
    }
    return issues;
  },

  devEnvFiles(config) {
    return config.dev ? [{ path: config.dev.env_file, field: ['dev', 'env_file'] }] : [];
  },

  async doctor(options) {
    const { encoreDoctor } = await import('./doctor.js');
    return encoreDoctor(options);
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

  initOptions: {
    secrets: {
      type: 'string',
      value: 'NAMES',
      description: 'comma-separated variables of .env.local to sync as secrets (default: the block is written commented out)',
    },
  },

  async detect(projectDir) {
    const { detectEncoreApp } = await import('./init.js');
    return detectEncoreApp(projectDir);
  },

  async initTemplate(choices) {
    const { encoreInitTemplate } = await import('./init.js');
    return encoreInitTemplate(choices);
  },
};
