import * as v from 'valibot';
import { isValidImageName } from '../../core/image-ref.js';
import { envNameField, secretNamesField } from '../../core/provider-kit/fields.js';
import { processEntries } from '../../core/provider-kit/process-schema.js';

// commands/init.ts validates `init --listen` with this; the parser lives in the provider toolkit.
export { parseHostPort } from '../../core/provider-kit/host-port.js';
/** Container engine CLIs the generic provider can drive; both take the same build and push arguments. */
export const ENGINES = ['docker', 'podman'] as const;
export type Engine = (typeof ENGINES)[number];
const PLATFORM = '[a-z0-9_]+/[a-z0-9_]+(?:/[a-z0-9_]+)?';
const PLATFORMS = new RegExp(`^${PLATFORM}(?:,${PLATFORM})*$`);

/** The one process schema (shared with frontends and services), plus the names of secret variables. */
export const genericDevSchema = v.strictObject({
  ...processEntries,
  secrets: secretNamesField(),
});

export const genericBuildSchema = v.strictObject({
  dockerfile: v.optional(
    v.pipe(
      v.string(),
      v.minLength(1),
      v.description('Dockerfile path, relative to the project root. Default: Dockerfile in the build context.'),
    ),
  ),
  context: v.optional(
    v.pipe(
      v.string(),
      v.minLength(1),
      v.description('Build context directory, relative to the project root. Default: dev.workdir, else the project root.'),
    ),
  ),
  image_name: v.optional(
    v.pipe(
      v.string(),
      v.check(isValidImageName, 'expected an image name: lowercase letters, digits, separators (. _ -), / between components'),
      v.description('Image name, appended to project.registry. Default: project.name.'),
    ),
  ),
  engine: v.optional(
    v.pipe(
      v.picklist(ENGINES, `expected one of ${ENGINES.join(', ')}`),
      v.description(
        'Container engine CLI that builds and pushes: docker or podman. The environment variable STAGECRAFT_ENGINE overrides it.',
      ),
    ),
    'docker',
  ),
  args: v.optional(
    v.pipe(
      v.record(
        envNameField('a build argument name'),
        v.pipe(
          v.union([v.string(), v.number(), v.boolean()]),
          v.transform((value) => String(value)),
        ),
      ),
      v.description('Build arguments (--build-arg NAME=VALUE), taken literally. They are stored in the image: never put a secret here.'),
    ),
    {},
  ),
  target: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected a stage name from the Dockerfile (FROM ... AS name)'),
      v.description('Build stage to stop at (--target), for a multi-stage Dockerfile.'),
    ),
  ),
  platform: v.optional(
    v.pipe(
      v.string(),
      v.regex(PLATFORMS, 'expected os/arch[/variant], comma-separated for several, such as linux/amd64'),
      v.description('Target platform(s) (--platform), such as linux/amd64 or linux/amd64,linux/arm64.'),
    ),
  ),
});

export const genericConfigSchema = v.strictObject({
  dev: v.optional(v.pipe(genericDevSchema, v.description('How `stagecraft dev` runs the server.'))),
  build: v.optional(v.pipe(genericBuildSchema, v.description('How `stagecraft build` builds the image with docker or podman.')), {}),
});

export type GenericConfig = v.InferOutput<typeof genericConfigSchema>;
export type GenericDevConfig = v.InferOutput<typeof genericDevSchema>;
