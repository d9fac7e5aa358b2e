import { StagecraftError } from '../../core/errors.js';
import { imageReference } from '../../core/image-ref.js';
import { resolveProjectPath } from '../../core/paths.js';
import { requireExecutable } from '../../core/process/executable.js';
import { describeExit, runLogged } from '../../core/process/run-to-completion.js';
import type { BuildOptions, BuildPlan, BuildResult, PlannedCommand } from '../../core/provider.js';
import { engineInstallHint } from '../../core/provider-kit/container-engine.js';
import { maskDeclaredSecrets } from '../../core/provider-kit/declared-secrets.js';
import { chooseEngine, ENGINE_VARIABLE } from './engine.js';
import { distinctTail, judgeFailure } from './failure.js';
import { GENERIC_PROVIDER_ID } from './ids.js';
import type { Engine, GenericConfig } from './schema.js';

interface EngineBuild {
  readonly engine: Engine;
  readonly engineSource: string;
  readonly image: string;
  readonly build: PlannedCommand;
  readonly push: PlannedCommand | undefined;
}

/** The image reference and the exact engine commands, from config alone. */
function engineBuild(options: BuildOptions<GenericConfig>): EngineBuild {
  const { config, project, projectRoot, tag } = options;
  const { engine, source } = chooseEngine(config, options.env);
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
  const { context, dockerfile } = buildPaths(config, projectRoot);
  return {
    engine,
    engineSource: source,
    image,
    build: { description: 'build the image', argv: [engine, 'build', ...buildFlags(config, image, dockerfile), context], cwd: projectRoot },
    push: options.push ? { description: 'push the image', argv: [engine, 'push', image], cwd: projectRoot } : undefined,
  };
}

/** Absolute build context and Dockerfile: build.context, else dev.workdir, else the project root. */
export function buildPaths(config: GenericConfig, projectRoot: string): { context: string; dockerfile: string } {
  const context = resolveProjectPath(projectRoot, config.build.context ?? config.dev?.workdir ?? '.');
  const dockerfile = config.build.dockerfile
    ? resolveProjectPath(projectRoot, config.build.dockerfile)
    : resolveProjectPath(context, 'Dockerfile');
  return { context, dockerfile };
}

/** Flags both engines take alike; each value is its own argv item, so no shell ever reads them. */
function buildFlags(config: GenericConfig, image: string, dockerfile: string): string[] {
  const { target, platform, args } = config.build;
  return [
    '-t',
    image,
    '-f',
    dockerfile,
    ...(target === undefined ? [] : ['--target', target]),
    ...(platform === undefined ? [] : ['--platform', platform]),
    ...Object.entries(args).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]),
  ];
}

export async function planGenericBuild(options: BuildOptions<GenericConfig>): Promise<BuildPlan> {
  const plan = engineBuild(options);
  const chosen = plan.engineSource === ENGINE_VARIABLE ? ` (chosen by ${ENGINE_VARIABLE})` : '';
  return {
    image: plan.image,
    preflight: [`find ${plan.engine} on PATH${chosen}`],
    commands: plan.push ? [plan.build, plan.push] : [plan.build],
  };
}

export async function buildGenericImage(options: BuildOptions<GenericConfig>): Promise<BuildResult> {
  const plan = engineBuild(options);
  // Declared secrets stay secrets in a build too: a tool that echoes its environment must not show them.
  maskDeclaredSecrets({ names: options.config.dev?.secrets ?? [], env: options.env, secrets: options.secrets });
  const cli = requireExecutable(plan.engine, {
    env: options.env,
    cwd: options.projectRoot,
    provider: GENERIC_PROVIDER_ID,
    operation: 'build',
    installHint: engineInstallHint(plan.engine),
  });
  await step(options, `building ${plan.image}`, () => runEngine(options, { cli, plan, command: plan.build, step: 'build' }));
  if (plan.push) {
    const push = plan.push;
    await step(options, `pushing ${plan.image}`, () => runEngine(options, { cli, plan, command: push, step: 'push' }));
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

interface EngineRun {
  /** Path of the engine's CLI. */
  readonly cli: string;
  readonly plan: EngineBuild;
  readonly command: PlannedCommand;
  readonly step: 'build' | 'push';
}

async function runEngine(options: BuildOptions<GenericConfig>, run: EngineRun): Promise<void> {
  const { plan, command } = run;
  const [, ...args] = command.argv;
  const result = await runLogged(options.runner, run.cli, args, {
    cwd: command.cwd,
    env: options.env,
    logger: options.logger.child({}, { prefix: plan.engine }),
    signal: options.signal,
  });
  if (result.code === 0) return;
  const lines = distinctTail(result.tail.split('\n'));
  const verdict = judgeFailure({ engine: plan.engine, step: run.step, image: plan.image, lines });
  const unreachable = plan.engine === 'docker' ? 'no Docker daemon answers' : 'podman cannot reach its service';
  const what =
    verdict.category === 'PROVIDER_NOT_AVAILABLE' ? `${plan.engine} ${run.step}: ${unreachable}` : `${plan.engine} ${run.step} failed`;
  throw new StagecraftError({
    category: verdict.category,
    provider: GENERIC_PROVIDER_ID,
    operation: 'build',
    message: `${what} (${describeExit(result)}) for ${plan.image}`,
    detail: lines.length > 0 ? lines.join('\n') : undefined,
    hint: verdict.hint,
    exitCode: result.code ?? undefined,
    signal: result.signal ?? undefined,
  });
}
