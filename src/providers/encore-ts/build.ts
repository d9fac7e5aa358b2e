import { StagecraftError } from '../../core/errors.js';
import { imageReference } from '../../core/image-ref.js';
import { resolveProjectPath } from '../../core/paths.js';
import { describeExit, runLogged } from '../../core/process/run-to-completion.js';
import type { BuildOptions, BuildPlan, BuildResult, PlannedCommand } from '../../core/provider.js';
import { maskDeclaredSecrets } from '../../core/provider-kit/declared-secrets.js';
import { locateEncore } from './binary.js';
import { findEncoreApp } from './encore-app.js';
import { encoreEnvironment } from './environment.js';
import { ENCORE_PROVIDER_ID } from './ids.js';
import { encoreLineLevel } from './log-lines.js';
import type { EncoreConfig } from './schema.js';
import { MINIMUM_VERSION } from './version.js';

const PROVIDER_BLOCK = `backend.providers.${ENCORE_PROVIDER_ID}`;
/** What `encore build docker --push` logs before it pushes (cli/daemon/export/export.go). */
const PUSHING = 'pushing image to docker registry';

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
  maskDeclaredSecrets({ names: options.config.dev?.encore_secrets?.from_env ?? [], env, secrets: options.secrets });
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
      if (line.includes(PUSHING) && !pushing) {
        pushing = true;
        step.update('(pushing)');
      }
    },
  }).finally(() => step.done());
  if (result.code === 0) return { image: plan.image, pushed: options.push };
  const failure = classifyBuildFailure(result.tail, plan.image);
  throw new StagecraftError({
    category: failure.category,
    provider: ENCORE_PROVIDER_ID,
    operation: 'build',
    message: `${failure.summary} (${describeExit(result)}) for ${plan.image}`,
    // The output was streamed already: only its last few distinct lines, as a reminder.
    detail: lastDistinctLines(result.tail, DETAIL_LINES) || undefined,
    exitCode: result.code ?? undefined,
    signal: result.signal ?? undefined,
    hint: failure.hint,
  });
}

const DETAIL_LINES = 5;
/** The daemon's messages (cli/daemon/export/export.go) that name the failing step exactly. */
const UNABLE_TO_PUSH = 'unable to push docker image';
const UNABLE_TO_SAVE = 'unable to save docker image';
const AUTH_FAILURE = /unauthorized|authentication required|denied|\b40[13]\b|no basic auth credentials/i;
const UNREACHABLE = /connection refused|no such host|i\/o timeout|network is unreachable|http response to https client|x509|tls:/i;

export interface BuildFailure {
  readonly category: 'BUILD_FAILED' | 'PUSH_FAILED' | 'PROVIDER_NOT_AVAILABLE';
  readonly summary: string;
  readonly hint?: string;
}

/**
 * What failed, from Encore's exact log strings: `unable to save docker image` means the local Docker
 * daemon could not take the image (exit 2, like a missing engine); `unable to push docker image` is
 * a push failure (exit 4) with a hint chosen by its cause; anything else is the build (exit 3).
 */
export function classifyBuildFailure(tail: string, image: string): BuildFailure {
  const lines = tail.split('\n');
  const pushLine = lines.find((line) => line.includes(UNABLE_TO_PUSH));
  if (pushLine !== undefined) {
    const registry = registryOf(image);
    const cause = lines.slice(lines.indexOf(pushLine)).join('\n');
    const hint = AUTH_FAILURE.test(cause)
      ? `The registry refused the credentials: log in with \`docker login ${registry}\` (Encore reads ~/.docker/config.json) and check that you may push to ${image.split(':')[0]}.`
      : UNREACHABLE.test(cause)
        ? `Is the registry ${registry} reachable from here? A registry served over plain HTTP must be configured as an insecure registry; check the address and port in project.registry.`
        : `Check that ${registry} is reachable and that you are logged in to it (docker login ${registry}).`;
    return { category: 'PUSH_FAILED', summary: 'encore build docker built the image but could not push it', hint };
  }
  if (lines.some((line) => line.includes(UNABLE_TO_SAVE))) {
    return {
      category: 'PROVIDER_NOT_AVAILABLE',
      summary: 'encore build docker could not save the image: no local Docker daemon answered',
      hint: 'stagecraft build needs a running Docker daemon (check with `stagecraft doctor`); stagecraft build --push does not (Encore pushes to the registry itself).',
    };
  }
  return { category: 'BUILD_FAILED', summary: 'encore build docker failed' };
}

/** The registry host of an image reference (Docker Hub when the first part is not a host). */
function registryOf(image: string): string {
  const [first, ...rest] = image.split('/');
  if (rest.length > 0 && first !== undefined && (first.includes('.') || first.includes(':') || first === 'localhost')) return first;
  return 'docker.io';
}

/** The last `count` distinct non-empty lines, in their order of last appearance. */
export function lastDistinctLines(text: string, count: number): string {
  const seen = new Set<string>();
  const picked: string[] = [];
  const lines = text.split('\n');
  for (let index = lines.length - 1; index >= 0 && picked.length < count; index--) {
    const line = (lines[index] as string).trimEnd();
    if (line === '' || seen.has(line)) continue;
    seen.add(line);
    picked.unshift(line);
  }
  return picked.join('\n');
}
