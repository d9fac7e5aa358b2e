import { StagecraftError } from '../../core/errors.js';
import { imageReference } from '../../core/image-ref.js';
import { resolveProjectPath } from '../../core/paths.js';
import { describeExit, runLogged } from '../../core/process/run.js';
import type { BuildOptions, BuildPlan, BuildResult, PlannedCommand } from '../../core/provider.js';
import { encoreEnvironment } from './environment.js';
import { ENCORE_PROVIDER_ID } from './ids.js';
import { encoreLineLevel } from './output.js';
import { findEncoreApp, locateEncore } from './preflight.js';
import type { EncoreConfig } from './schema.js';
import { MINIMUM_VERSION } from './version.js';

const PROVIDER_BLOCK = `backend.providers.${ENCORE_PROVIDER_ID}`;
/** What `encore build docker --push` logs before it pushes; a failure after it is a push failure. */
const PUSHING = /pushing (?:docker )?image to/i;

interface EncoreBuild {
  readonly image: string;
  readonly workdir: string;
  readonly command: PlannedCommand;
}

/** The image reference (spec §5.2) and the exact `encore build docker` command (§5.3), from config alone. */
function encoreBuild(options: BuildOptions<EncoreConfig>): EncoreBuild {
  const { config, project, projectRoot, tag } = options;
  const { build } = config;
  const image = imageReference(
    { registry: project.registry, imageName: build.image_name, tag, suffix: build.docker_tag_suffix },
    {
      registry: 'project.registry',
      imageName: `${PROVIDER_BLOCK}.build.image_name`,
      tag: '--tag',
      suffix: `${PROVIDER_BLOCK}.build.docker_tag_suffix`,
    },
  );
  const workdir = resolveProjectPath(projectRoot, build.workdir ?? config.dev?.workdir ?? '.');
  const args = ['build', 'docker'];
  if (options.push) args.push('--push');
  if (build.arch) args.push(`--arch=${build.arch}`);
  if (build.base_image) args.push(`--base=${build.base_image}`);
  if (build.infra_config) args.push(`--config=${resolveProjectPath(projectRoot, build.infra_config)}`);
  if (build.services) args.push(`--services=${build.services.join(',')}`);
  if (build.gateways) args.push(`--gateways=${build.gateways.join(',')}`);
  args.push(image);
  const description = options.push ? 'build the image and push it to the registry' : 'build the image into the local Docker daemon';
  return { image, workdir, command: { description, argv: ['encore', ...args], cwd: workdir } };
}

export async function planEncoreBuild(options: BuildOptions<EncoreConfig>): Promise<BuildPlan> {
  const plan = encoreBuild(options);
  return {
    image: plan.image,
    preflight: [
      'find encore on PATH',
      `check that \`encore version\` is v${MINIMUM_VERSION} or later`,
      `find encore.app in ${plan.workdir} or its parents up to the project root`,
      options.push
        ? 'push with Encore itself (uses ~/.docker/config.json; no local Docker daemon needed)'
        : 'needs a running local Docker daemon (or use --push)',
    ],
    commands: [plan.command],
  };
}

export async function buildEncoreImage(options: BuildOptions<EncoreConfig>): Promise<BuildResult> {
  const plan = encoreBuild(options);
  const { logger, runner, signal } = options;
  const env = encoreEnvironment(options.env, options.config, options.projectRoot);
  // Declared secrets stay secrets in a build too: a tool that echoes its environment must not show them.
  for (const name of options.config.dev?.encore_secrets?.from_env ?? []) {
    const value = env[name];
    if (value) options.secrets.add(value);
  }
  const encore = await locateEncore({ runner, env, cwd: plan.workdir, logger, signal, operation: 'build' });
  findEncoreApp(plan.workdir, options.projectRoot, `${PROVIDER_BLOCK}.build.workdir`, 'build');

  let pushing = false;
  const [, ...args] = plan.command.argv;
  const step = options.progress.step(`building ${plan.image}${options.push ? ' and pushing it' : ''}`);
  const result = await runLogged(runner, encore.path, args, {
    cwd: plan.workdir,
    env,
    signal,
    logger,
    classify: encoreLineLevel,
    observe(line) {
      if (PUSHING.test(line) && !pushing) {
        pushing = true;
        step.update('(pushing)');
      }
    },
  }).finally(() => step.done());
  if (result.code === 0) return { image: plan.image, pushed: options.push };
  const category = options.push && pushing ? 'PUSH_FAILED' : 'BUILD_FAILED';
  throw new StagecraftError({
    category,
    provider: ENCORE_PROVIDER_ID,
    operation: 'build',
    message: `encore build docker ${category === 'PUSH_FAILED' ? 'built but could not push' : 'failed'} (${describeExit(result)}) for ${plan.image}`,
    detail: result.tail || undefined,
    exitCode: result.code ?? undefined,
    signal: result.signal ?? undefined,
    hint: category === 'PUSH_FAILED' ? 'Check that you are logged in to the registry (docker login) and may push there.' : undefined,
  });
}
