import * as v from 'valibot';
import { textValue } from '../../core/config/source-text.js';
import { durationField } from '../../core/duration.js';
import { isValidImageName } from '../../core/image-ref.js';
import { envNameField, hostPortField } from '../../core/provider-kit/fields.js';

// commands/init.ts validates `init --listen` with this; the parser lives in the provider toolkit.
export { parseHostPort } from '../../core/provider-kit/host-port.js';
/** Container engine CLIs the generic provider can drive; both take the same build and push arguments. */
export const ENGINES = ['docker', 'podman'] as const;
export type Engine = (typeof ENGINES)[number];
const PLATFORM = '[a-z0-9_]+/[a-z0-9_]+(?:/[a-z0-9_]+)?';
const PLATFORMS = new RegExp(`^${PLATFORM}(?:,${PLATFORM})*$`);
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGKILL'] as const;

function isRegExp(value: string): boolean {
  try {
    new RegExp(value);
    return true;
  } catch {
    return false;
  }
}

const commandSchema = v.pipe(
  v.array(v.string(), (issue) =>
    typeof issue.input === 'string'
      ? `expected an argv list (no shell runs it), such as ${JSON.stringify(issue.input.trim().split(/\s+/))}`
      : 'expected an argv list of strings, such as ["npm", "run", "dev"]',
  ),
  v.minLength(1, 'expected an argv list with at least the program, such as ["npm", "run", "dev"]'),
  v.check((argv) => (argv[0] ?? '') !== '', 'expected the program name as the first item'),
  v.description('The dev server command as an argv list, e.g. ["npm", "run", "dev"]. Run without a shell.'),
);

const readySchema = v.pipe(
  v.strictObject({
    tcp: v.optional(hostPortField('name', '127.0.0.1:3000', 'Ready when this host:port accepts a TCP connection.')),
    http: v.optional(
      v.pipe(
        v.string(),
        v.check((value) => /^https?:\/\/[^\s/]+/.test(value), 'expected an http:// or https:// URL'),
        v.description('Ready when a GET of this URL gets any response below 500.'),
      ),
    ),
    log: v.optional(
      v.pipe(
        v.string(),
        v.check(isRegExp, 'expected a valid regular expression'),
        v.description('Ready when an output line matches this regular expression (ANSI colours removed).'),
      ),
    ),
    timeout: durationField('60s', 'How long to wait for readiness before stopping the server and failing.'),
  }),
  v.check(
    (ready) => [ready.tcp, ready.http, ready.log].filter((probe) => probe !== undefined).length === 1,
    'expected exactly one of tcp, http or log',
  ),
  v.description('How Stagecraft knows the server is up: exactly one of tcp, http or log, plus an optional timeout.'),
);

export const genericDevSchema = v.strictObject({
  command: commandSchema,
  workdir: v.optional(
    v.pipe(v.string(), v.description('Working directory, relative to the project root; must lie inside it. Default: the project root.')),
    '.',
  ),
  env: v.optional(
    v.pipe(
      v.record(envNameField(), textValue('Value of the variable; numbers are kept as written (01234 stays 01234).')),
      v.description('Variables set for the dev server. They override env files and the process environment.'),
    ),
    {},
  ),
  secrets: v.optional(
    v.pipe(
      v.array(envNameField()),
      v.description('Names of environment variables whose values are secret: they are masked (***) in all output.'),
    ),
    [],
  ),
  ready: v.optional(readySchema),
  stop_signal: v.optional(
    v.pipe(v.picklist(STOP_SIGNALS), v.description("Signal sent to the server's process group to stop it. Default SIGTERM.")),
    'SIGTERM',
  ),
  stop_timeout: durationField('10s', 'Grace period after the stop signal before the process group is killed.'),
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
