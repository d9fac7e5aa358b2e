/**
 * Stagecraft's public API, for providers that live outside this package. A provider is an object
 * implementing BackendProvider; register it, then hand argv to `main`:
 *
 *   import { main, registerBackendProvider } from 'stagecraft';
 *   registerBackendProvider(myProvider);
 *   process.exitCode = await main(process.argv.slice(2));
 *
 * See docs/providers.md for a worked example.
 */
export { main } from './cli/main.js';
export type { ConfigIssue } from './core/config/issues.js';
export { yamlFlowList, yamlScalar } from './core/config/yaml-text.js';
export { durationField } from './core/duration.js';
export { type ErrorCategory, type Operation, StagecraftError, UsageError } from './core/errors.js';
export { imageReference, imageSafeName, isValidImageName, isValidRegistry, isValidTag } from './core/image-ref.js';
export type { Level, Logger } from './core/logging/logger.js';
export type { Progress, ProgressStep } from './core/logging/progress.js';
export type { Redactor } from './core/logging/redactor.js';
export { fileProblem, resolveProjectPath, workdirProblem } from './core/paths.js';
export { findExecutable, requireExecutable } from './core/process/executable.js';
export { formatArgv } from './core/process/format-argv.js';
export {
  allReadiness,
  httpReadiness,
  logLineReadiness,
  probeHosts,
  type ReadinessCheck,
  tcpReadiness,
} from './core/process/readiness.js';
export { describeExit, runLogged, runToCompletion } from './core/process/run.js';
export type { ChildProcessHandle, ProcessExit, Runner, StartOptions } from './core/process/runner.js';
export { superviseDevServer } from './core/process/supervise.js';
export { findProjectFiles } from './core/project-files.js';
export type {
  BackendProvider,
  BuildOptions,
  BuildPlan,
  BuildResult,
  Detection,
  DevOptions,
  InitChoices,
  InitFile,
  InitOption,
  InitTemplate,
  PlannedCommand,
  ProjectInfo,
  ProviderContext,
  ValidationContext,
} from './core/provider.js';
export { backendProviders, ProviderRegistry, registerBackendProvider } from './core/registry.js';

import './providers/index.js';
