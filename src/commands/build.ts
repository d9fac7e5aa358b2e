import type { FlagsOf } from '../cli/command-spec.js';
import type { CommandContext } from '../cli/context.js';
import type { BUILD_OPTIONS } from '../cli/options.js';
import { defaultImageTag } from '../core/build-tag.js';
import { monotonicMs } from '../core/clock.js';
import { processEnvironment } from '../core/env/environment.js';
import { StagecraftError } from '../core/errors.js';
import { isValidTag } from '../core/image-ref.js';
import { formatArgv } from '../core/process/format-argv.js';
import type { BuildOptions, BuildPlan } from '../core/provider.js';
import { loadProjectConfig, providerContext } from './project-context.js';

export type BuildFlags = FlagsOf<typeof BUILD_OPTIONS>;

/** `stagecraft build`: the image reference (only) on stdout, or one JSON document with --json. */
export async function buildCommand(ctx: CommandContext, flags: BuildFlags): Promise<number> {
  const config = loadProjectConfig(ctx, ['build']);
  const env = processEnvironment(ctx.processEnv);
  if (flags.tag !== undefined && !isValidTag(flags.tag)) {
    throw new StagecraftError({
      category: 'INVALID_CONFIG',
      message: `--tag: expected up to 128 letters, digits, _ . - (not starting with . or -), found ${JSON.stringify(flags.tag)}`,
    });
  }
  const tag = flags.tag ?? (await defaultImageTag(ctx.runner, { cwd: config.projectRoot, env }));
  const options: BuildOptions<unknown> = {
    ...providerContext(ctx, config, 'build', ctx.signal),
    tag,
    push: flags.push === true,
    env,
  };
  if (flags.dryRun) {
    printPlan(ctx, config.provider.id, await config.provider.plan(options), flags.json === true);
    return 0;
  }
  const startedAt = monotonicMs();
  const result = await config.provider.buildDocker(options);
  const durationMs = Math.round(monotonicMs() - startedAt);
  ctx.logger.info(`built ${result.image}${result.pushed ? ' and pushed it' : ''} in ${(durationMs / 1000).toFixed(1)}s`);
  ctx.print(
    flags.json ? JSON.stringify({ image: result.image, provider: config.provider.id, pushed: result.pushed, durationMs }) : result.image,
  );
  return 0;
}

function printPlan(ctx: CommandContext, provider: string, plan: BuildPlan, json: boolean): void {
  if (json) {
    ctx.print(JSON.stringify({ dryRun: true, provider, ...plan }, null, 2));
    return;
  }
  const lines = [`image: ${plan.image}`, 'preflight:', ...plan.preflight.map((step) => `  - ${step}`), 'commands:'];
  for (const command of plan.commands) {
    lines.push(`  # ${command.description} (in ${command.cwd})`, `  ${formatArgv(command.argv)}`);
  }
  ctx.print(lines.join('\n'));
}
