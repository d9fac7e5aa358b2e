/**
 * Compose infrastructure for `stagecraft dev` (dev.compose): core, so it imports nothing from providers or
 * commands. The orchestrator turns a session into components (one per service, named by the service).
 */
export type { ContainerState } from './containers.js';
export { parseContainers } from './containers.js';
export { composeProjectSlug, describeCompose } from './describe.js';
export type { ComposeKind, ComposeTool } from './detect.js';
export { detectCompose, parseComposeVersion } from './detect.js';
export { startCompose } from './session.js';
export type {
  ComposeConfig,
  ComposeContext,
  ComposeDescription,
  ComposePlanStep,
  ComposeReadySpec,
  ComposeServiceDescription,
  ComposeSession,
} from './types.js';
