/**
 * Stagecraft's public API, for providers that live outside this package. A provider is an object
 * implementing BackendProvider; register it, then hand argv to `main`:
 *
 *   import { main, registerBackendProvider } from 'stagecraft';
 *   registerBackendProvider(myProvider);
 *   process.exitCode = await main(process.argv.slice(2));
 *
 * `defineProvider` and the rest of the provider toolkit (core/provider-kit/) do what every provider needs:
 * lazily loaded operations, the dev block's checks, host:port fields, secret masking, doctor checks.
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
export { fileProblem, isFile, resolveProjectPath, workdirProblem } from './core/paths.js';
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
export { type RunProcessOptions, runProcess } from './core/process/run-process.js';
export { describeExit, runLogged, runToCompletion } from './core/process/run-to-completion.js';
export type { ChildProcessHandle, ProcessExit, Runner, StartOptions } from './core/process/start-child.js';
export { superviseDevServer } from './core/process/supervise.js';
export { findProjectFiles } from './core/project-files.js';
export type {
  BackendProvider,
  BuildOptions,
  BuildPlan,
  BuildResult,
  Detection,
  DevOptions,
  DoctorCheck,
  DoctorOptions,
  FrontendDetection,
  FrontendProvider,
  InitChoices,
  InitFile,
  InitOption,
  InitTemplate,
  PlannedCommand,
  ProjectInfo,
  ProviderContext,
  ValidationContext,
} from './core/provider.js';
export { type EngineCheckOptions, type EngineName, engineCheck, engineStatus } from './core/provider-kit/container-engine.js';
export { type DeclaredSecret, maskDeclaredSecrets } from './core/provider-kit/declared-secrets.js';
export {
  type DevBlock,
  defineProvider,
  type Load,
  type ProviderDefinition,
  type ProviderOperations,
  type WithDevBlock,
} from './core/provider-kit/define.js';
export { fail, listenPortCheck, ok, warn } from './core/provider-kit/doctor-checks.js';
export { ENV_NAME, envNameField, hostPortField } from './core/provider-kit/fields.js';
export { type GitIgnoreAnswer, gitIgnores } from './core/provider-kit/git.js';
export {
  formatHostPort,
  type HostPort,
  type HostRule,
  listenUrl,
  parseHostPort,
  parseListenFlag,
} from './core/provider-kit/host-port.js';
export {
  type ProcessSpec,
  processAliasIssues,
  processEntries,
  processSpecOf,
  type RawProcess,
  type ReadySpec,
  readinessUrl,
} from './core/provider-kit/process-schema.js';
export {
  backendProviders,
  frontendProviders,
  ProviderRegistry,
  registerBackendProvider,
  registerFrontendProvider,
} from './core/registry.js';

import './providers/index.js';
