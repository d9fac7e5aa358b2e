import type { ConfigIssue } from '../../core/config/issues.js';
import { fileProblem, workdirProblem } from '../../core/paths.js';
import { defineProvider } from '../../core/provider-kit/define.js';
import { listenUrl, parseHostPort } from '../../core/provider-kit/host-port.js';
import { ENCORE_FEATURE, ENCORE_PROVIDER_ID } from './ids.js';
import { type EncoreConfig, encoreConfigSchema } from './schema.js';

/**
 * Encore.ts (spec: shared/spec/encore-ts-provider.md). The schema covers field formats; `validate` checks
 * what needs the file system, per operation, so `stagecraft build` in CI does not demand a .env.local.
 */
export const encoreTsProvider = defineProvider<EncoreConfig>({
  id: ENCORE_PROVIDER_ID,
  description: 'Encore.ts: encore run for dev, encore build docker for images, secrets via encore secret set',
  feature: ENCORE_FEATURE,
  logPrefix: 'encore',
  configSchema: encoreConfigSchema,
  // dev.workdir is also the build workdir unless build.workdir is set.
  devBlock: { requires: 'at least env_file and listen', buildUsesDevWorkdir: (config) => config.build.workdir === undefined },

  // --listen, else dev.listen: Encore serves plain HTTP there.
  devUrl(config, listen) {
    const address = parseHostPort(listen ?? config.dev?.listen ?? '', 'ip-or-localhost');
    return address === undefined ? undefined : listenUrl(address.host, address.port);
  },

  validate(config, { projectRoot, operations }) {
    const issues: ConfigIssue[] = [];
    const { dev, build } = config;
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

  initOptions: {
    secrets: {
      type: 'string',
      value: 'NAMES',
      description: 'comma-separated variables of .env.local to sync as secrets (default: the block is written commented out)',
    },
  },

  operations: {
    dev: () => import('./dev.js').then((module) => module.runEncoreDev),
    buildDocker: () => import('./build.js').then((module) => module.buildEncoreImage),
    plan: () => import('./build.js').then((module) => module.planEncoreBuild),
    doctor: () => import('./doctor.js').then((module) => module.encoreDoctor),
    detect: () => import('./init.js').then((module) => module.detectEncoreApp),
    initTemplate: () => import('./init.js').then((module) => module.encoreInitTemplate),
  },
});
