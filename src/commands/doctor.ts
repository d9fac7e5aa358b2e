import { basename, relative } from 'node:path';
import type { FlagsOf } from '../cli/command-spec.js';
import type { CommandContext } from '../cli/context.js';
import type { DOCTOR_OPTIONS } from '../cli/options.js';
import { ConfigError } from '../core/config/issues.js';
import type { LoadedConfig } from '../core/config/load.js';
import { composeEnvironment } from '../core/env/environment.js';
import { isStagecraftError } from '../core/errors.js';
import { hasLocalEnvironment } from '../core/local-env/config-issues.js';
import { isFile } from '../core/paths.js';
import type { DoctorCheck } from '../core/provider.js';
import { fail, ok } from '../core/provider-kit/doctor-checks.js';
import { processChecks } from '../core/provider-kit/process-doctor.js';
import { processSpecOf } from '../core/provider-kit/process-schema.js';
import { devEnvironmentFiles } from './dev.js';
import type { DevPlan } from './dev-plan.js';
import { loadProjectConfig, providerContext } from './project-context.js';

const SYMBOL = { ok: '✓', warn: '⚠', fail: '✗' } as const;

/**
 * `stagecraft doctor`: one line per check, with the fix for anything wrong; the report is the result,
 * so it goes to stdout (one JSON document with --json). Exit 1 when any check fails.
 */
export async function doctorCommand(ctx: CommandContext, flags: FlagsOf<typeof DOCTOR_OPTIONS>): Promise<number> {
  const checks: DoctorCheck[] = [];
  const config = configChecks(ctx, checks);
  if (config !== undefined) checks.push(...(await environmentAndProviderChecks(ctx, config)));
  render(ctx, checks, flags.json === true);
  return checks.some((check) => check.status === 'fail') ? 1 : 0;
}

/** Config problems, each its own failed check; the config for the remaining checks when its schema holds. */
function configChecks(ctx: CommandContext, checks: DoctorCheck[]): LoadedConfig | undefined {
  try {
    const config = loadProjectConfig(ctx, ['dev', 'build']);
    checks.push(ok('config', `${config.displayFile} is valid (provider ${config.provider.id})`));
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) {
      const known = isStagecraftError(error) ? error : undefined;
      checks.push(fail('config', known?.message ?? String(error), known?.hint ?? 'Run `stagecraft init` to create a stagecraft.yml.'));
      return undefined;
    }
    for (const issue of error.issues) checks.push(fail(issue.field, issue.message, `edit ${issue.file}:${issue.line}:${issue.column}`));
  }
  try {
    // Only files or directories are missing (the schema holds): the other checks can still run.
    return loadProjectConfig(ctx, []);
  } catch {
    return undefined;
  }
}

/** Env files that exist (missing ones failed as config problems), then the provider's own checks. */
async function environmentAndProviderChecks(ctx: CommandContext, config: LoadedConfig): Promise<DoctorCheck[]> {
  const present = devEnvironmentFiles(config).filter((file) => isFile(file.path));
  const checks = present.map((file) => ok('env file', `${relative(ctx.cwd, file.path) || file.path} (${file.source})`));
  const { env } = composeEnvironment(present, ctx.processEnv);
  checks.push(...((await config.provider.doctor?.({ ...providerContext(ctx, config, 'dev', ctx.signal), env })) ?? []));
  if (hasLocalEnvironment(config.localEnv)) checks.push(...(await localEnvironmentChecks(ctx, config, env)));
  return checks;
}

/** The rest of the local environment: its plan holds (names, dependencies), then each service and the frontend. */
async function localEnvironmentChecks(ctx: CommandContext, config: LoadedConfig, env: Record<string, string>): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  let plan: DevPlan | undefined;
  try {
    const { ALL_COMPONENTS, planDev } = await import('./dev-plan.js');
    plan = planDev(config, ALL_COMPONENTS, env);
    checks.push(ok('environment', `starts ${plan.components.map((component) => component.name).join(' → ')}`));
  } catch (error) {
    const issues = error instanceof ConfigError ? error.issues : [];
    for (const issue of issues) checks.push(fail(issue.field, issue.message, `edit ${issue.file}:${issue.line}:${issue.column}`));
  }
  for (const [name, service] of Object.entries(config.localEnv.services)) {
    const spec = processSpecOf(service);
    checks.push(
      ...(await processChecks({ name, ...spec, projectRoot: config.projectRoot, env, commandField: `dev.services.${name}.command` })),
    );
  }
  if (config.localEnv.compose) checks.push(await composeCheck(ctx, config, env));
  const https = plan?.https;
  if (https) {
    const { httpsDoctorChecks } = await import('../core/https/doctor.js');
    const { hostsFilePath } = await import('../core/https/hosts-file.js');
    const domains = [...new Set(Object.values(https.domains))];
    const hostsFile = hostsFilePath(ctx.processEnv);
    checks.push(
      ...(await httpsDoctorChecks({ projectRoot: config.projectRoot, domains, env, runner: ctx.runner, signal: ctx.signal, hostsFile })),
    );
  }
  const frontend = config.localEnv.frontend;
  if (frontend?.provider.doctor) {
    const context = { ...providerContext(ctx, config, 'dev', ctx.signal), config: frontend.config, env };
    checks.push(...(await frontend.provider.doctor(context)));
  }
  return checks;
}

/** Which Compose `dev` will drive (by the version it reports), or what to install. */
async function composeCheck(ctx: CommandContext, config: LoadedConfig, env: Record<string, string>): Promise<DoctorCheck> {
  const { detectCompose } = await import('../core/compose/detect.js');
  try {
    const tool = await detectCompose(ctx.runner, env, config.projectRoot, ctx.signal);
    const how = tool.kind === 'v2' ? 'up --wait' : 'up, then polling ps for health';
    return ok(
      'compose',
      `${[basename(tool.command), ...tool.prefix].join(' ')} ${tool.version} (${tool.kind}: ${how}; engine ${tool.engine})`,
    );
  } catch (error) {
    const known = isStagecraftError(error) ? error : undefined;
    return fail('compose', known?.message ?? String(error), known?.hint);
  }
}

function render(ctx: CommandContext, checks: readonly DoctorCheck[], json: boolean): void {
  const failures = checks.filter((check) => check.status === 'fail').length;
  const warnings = checks.filter((check) => check.status === 'warn').length;
  if (json) {
    ctx.print(JSON.stringify({ ok: failures === 0, failures, warnings, checks }, null, 2));
    return;
  }
  const lines = checks.flatMap((check) => [
    `${SYMBOL[check.status]} ${check.name}: ${check.message}`,
    ...(check.fix ? [`    fix: ${check.fix}`] : []),
  ]);
  const counts = [
    failures ? `${failures} problem${failures === 1 ? '' : 's'}` : '',
    warnings ? `${warnings} warning${warnings === 1 ? '' : 's'}` : '',
  ];
  ctx.print([...lines, '', counts.filter(Boolean).join(', ') || 'all good'].join('\n'));
}
