import * as v from 'valibot';
import { isValidRegistry } from '../image-ref.js';
import { devSchema, frontendSchema } from '../local-env/schema.js';
import type { FrontendProvider } from '../provider.js';
import { frontendProviders, type ProviderRegistry } from '../registry.js';

export const projectSchema = v.strictObject({
  name: v.pipe(
    v.string(),
    v.minLength(1, 'expected a non-empty name'),
    v.description('Name of the project. Default image name for providers that do not set one.'),
  ),
  registry: v.optional(
    v.pipe(
      v.string(),
      v.check(isValidRegistry, 'expected a registry such as ghcr.io/your-org/platform (lowercase path, optional host:port)'),
      v.description('Prefix of built image references, e.g. ghcr.io/your-org/platform. Without it references have no registry.'),
    ),
  ),
});

export const environmentSchema = v.strictObject({
  env_file: v.optional(
    v.pipe(
      v.string(),
      v.minLength(1, 'expected a file path'),
      v.description('Dotenv file loaded first (lowest precedence) for `stagecraft dev --env <name>`. Relative to the project root.'),
    ),
  ),
});

/**
 * The whole stagecraft.yml schema. Core owns `project`, `environments` and `backend.provider`; each
 * registered provider contributes the schema of its own block under `backend.providers`.
 */
export function buildConfigSchema(registry: ProviderRegistry, frontends: ProviderRegistry<FrontendProvider> = frontendProviders) {
  const providers = registry.list();
  const ids = providers.map((provider) => provider.id);
  return v.pipe(
    v.strictObject({
      project: v.pipe(projectSchema, v.description('The project this config belongs to.')),
      environments: v.optional(
        v.pipe(v.record(v.string(), environmentSchema), v.description('Named environments, chosen with --env (default "dev").')),
      ),
      backend: v.pipe(
        v.strictObject({
          provider: v.pipe(v.picklist(ids), v.description(`The backend provider to use: ${ids.join(', ')}.`)),
          providers: v.pipe(
            v.strictObject(
              Object.fromEntries(
                providers.map((provider) => [provider.id, v.optional(v.pipe(provider.configSchema, v.description(provider.description)))]),
              ),
            ),
            v.description('Settings of each provider, keyed by provider ID. The selected provider must have a block.'),
          ),
        }),
        v.description("The backend: which provider runs it, and each provider's settings."),
      ),
      frontend: v.optional(
        v.pipe(frontendSchema(frontends.list()), v.description("The web app's dev server, run beside the backend by `stagecraft dev`.")),
      ),
      dev: v.optional(
        v.pipe(devSchema, v.description('The rest of the local environment `stagecraft dev` brings up: services and Compose.')),
      ),
    }),
    v.description('Stagecraft configuration (stagecraft.yml).'),
  );
}

export type ConfigSchema = ReturnType<typeof buildConfigSchema>;
export type CoreConfig = v.InferOutput<ConfigSchema>;
