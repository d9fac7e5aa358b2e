import { StagecraftError } from '../../core/errors.js';
import { imageReference } from '../../core/image-ref.js';
import { resolveProjectPath } from '../../core/paths.js';
import { requireExecutable } from '../../core/process/executable.js';
import { describeExit, runLogged } from '../../core/process/run.js';
import type { BuildOptions, BuildPlan, BuildResult, PlannedCommand } from '../../core/provider.js';
import { GENERIC_PROVIDER_ID } from './ids.js';
import type { GenericConfig } from './schema.js';

const DOCKER_INSTALL_HINT = 'Install Docker (https://docs.docker.com/get-docker/) and make sure `docker` is on PATH.';

interface DockerBuild {
  readonly image: string;
  readonly build: PlannedCommand;
  readonly push: PlannedCommand | undefined;
}

/** The image reference and the exact docker commands, from config alone. */
function dockerBuild(options: BuildOptions<GenericConfig>): DockerBuild {
  const { config, project, projectRoot, tag } = options;
  const imageName = config.build.image_name ?? project.name;
  const image = imageReference(
    { registry: project.registry, imageName, tag },
    {
      registry: 'project.registry',
      imageName: config.build.image_name ? 'backend.providers.generic.build.image_name' : 'project.name (the default image name)',
      tag: '--tag',
      suffix: 'tag suffix',
    },
  );
  const context = resolveProjectPath(projectRoot, config.build.context ?? config.dev?.workdir ?? '.');
  const dockerfile = config.build.dockerfile
    ? resolveProjectPath(projectRoot, config.build.dockerfile)
    : resolveProjectPath(context, 'Dockerfile');
  return {
    image,
    build: { description: 'build the image', argv: ['docker', 'build', '-t', image, '-f', dockerfile, context], cwd: projectRoot },
    push: options.push ? { description: 'push the image', argv: ['docker', 'push', image], cwd: projectRoot } : undefined,
  };
}

export async function planGenericBuild(options: BuildOptions<GenericConfig>): Promise<BuildPlan> {
  const plan = dockerBuild(options);
  return {
    image: plan.image,
    preflight: ['find docker on PATH'],
    commands: plan.push ? [plan.build, plan.push] : [plan.build],
  };
}

export async function buildGenericImage(options: BuildOptions<GenericConfig>): Promise<BuildResult> {
  const plan = dockerBuild(options);
  // Declared secrets stay secrets in a build too: a tool that echoes its environment must not show them.
  for (const name of options.config.dev?.secrets ?? []) {
    const value = options.env[name];
    if (value) options.secrets.add(value);
  }
  const docker = requireExecutable('docker', {
    env: options.env,
    cwd: options.projectRoot,
    provider: GENERIC_PROVIDER_ID,
    operation: 'build',
    installHint: DOCKER_INSTALL_HINT,
  });
  await step(options, `building ${plan.image}`, () => runDocker(options, docker, plan.build, plan.image, 'BUILD_FAILED'));
  if (plan.push) {
    const push = plan.push;
    await step(options, `pushing ${plan.image}`, () => runDocker(options, docker, push, plan.image, 'PUSH_FAILED'));
  }
  return { image: plan.image, pushed: plan.push !== undefined };
}

async function step(options: BuildOptions<GenericConfig>, label: string, work: () => Promise<void>): Promise<void> {
  const progress = options.progress.step(label);
  try {
    await work();
  } finally {
    progress.done();
  }
}

async function runDocker(
  options: BuildOptions<GenericConfig>,
  docker: string,
  command: PlannedCommand,
  image: string,
  category: 'BUILD_FAILED' | 'PUSH_FAILED',
): Promise<void> {
  const [, ...args] = command.argv;
  const result = await runLogged(options.runner, docker, args, {
    cwd: command.cwd,
    env: options.env,
    logger: options.logger.child({}, { prefix: 'docker' }),
    signal: options.signal,
  });
  if (result.code === 0) return;
  throw new StagecraftError({
    category,
    provider: GENERIC_PROVIDER_ID,
    operation: 'build',
    message: `docker ${args[0]} failed (${describeExit(result)}) for ${image}`,
    detail: result.tail || undefined,
    exitCode: result.code ?? undefined,
    signal: result.signal ?? undefined,
  });
}
