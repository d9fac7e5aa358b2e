import * as v from 'valibot';
import { durationField } from '../duration.js';
import { isValidDomain } from '../https/domains.js';
import type { FrontendProvider } from '../provider.js';
import { processEntries } from '../provider-kit/process-schema.js';

/**
 * The blocks of the whole local environment (design.md, "The whole local environment"): `frontend` and
 * `dev` (`dev.services`, `dev.compose`). Core reads them; the frontend provider's own block is validated by
 * the provider, as for the backend.
 */

/** A component name is a log prefix, a JSON field, a CLI word and part of an env name: keep it plain. */
export const COMPONENT_NAME = /^[a-z][a-z0-9_-]*$/;
/** Names core gives its own components or keeps for them. */
export const RESERVED_NAMES = ['backend', 'frontend', 'proxy', 'compose'] as const;
export const ON_EXIT = ['stop', 'down', 'keep'] as const;

const portField = (description: string) => v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65_535), v.description(description));

const dependsOnField = (description: string) => v.optional(v.pipe(v.array(v.string()), v.description(description)), []);

export const serviceSchema = v.strictObject({
  ...processEntries,
  oneshot: v.optional(
    v.pipe(v.boolean(), v.description('A task that runs to completion (a migration): exit 0 means done, and its dependants start then.')),
    false,
  ),
  depends_on: dependsOnField('Components that must be ready (or, for a oneshot, done) before this one starts.'),
});

const composeReadySchema = v.pipe(
  v.strictObject({
    tcp: v.optional(v.pipe(v.string(), v.description('Ready when this host:port accepts a TCP connection.'))),
    http: v.optional(v.pipe(v.string(), v.description('Ready when a GET of this URL gets any response below 500.'))),
    log: v.optional(v.pipe(v.string(), v.description("Ready when one of the service's log lines matches this regular expression."))),
    timeout: durationField('120s', 'How long to wait for the service beyond Compose health.'),
  }),
  v.check(
    (ready) => [ready.tcp, ready.http, ready.log].filter((probe) => probe !== undefined).length === 1,
    'expected exactly one of tcp, http or log',
  ),
  v.description('Readiness of one Compose service beyond its health check: tcp, http or log, as for a process.'),
);

const fileListSchema = v.pipe(
  v.union(
    [v.pipe(v.string(), v.minLength(1)), v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1))],
    'expected a file path or a list of them',
  ),
  v.transform((value) => (typeof value === 'string' ? [value] : value)),
  v.description('Compose file(s), relative to the project root (-f, in order).'),
);

export const composeSchema = v.strictObject({
  file: fileListSchema,
  project: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a Compose project name: lowercase letters, digits, _ and -'),
      v.description("Compose project name. Default: the file's `name:`, else project.name made into a slug."),
    ),
  ),
  services: v.optional(v.pipe(v.array(v.string()), v.description("The file's services to run. Default: all of them."))),
  ready: v.optional(v.pipe(v.record(v.string(), composeReadySchema), v.description('Per service readiness beyond Compose health.')), {}),
  on_exit: v.optional(
    v.pipe(
      v.picklist(ON_EXIT),
      v.description(
        'What happens to the containers this run started when dev ends: stop (default), down (never removes volumes), or keep.',
      ),
    ),
    'stop',
  ),
});

export const devSchema = v.strictObject({
  services: v.optional(
    v.pipe(
      v.record(v.string(), serviceSchema),
      v.description('Native processes the app needs first (a database, a queue, a migration), by name.'),
    ),
    {},
  ),
  compose: v.optional(v.pipe(composeSchema, v.description('Infrastructure run by Docker Compose (or podman-compose).'))),
  domains: v.optional(
    v.pipe(
      v.record(
        v.string(),
        v.pipe(
          v.string(),
          v.check(isValidDomain, 'expected a domain name such as app.shop.localhost'),
          v.description('The domain of this component.'),
        ),
      ),
      v.description('HTTPS domain per component name (frontend: app.shop.localhost). Default: <component>.<slug(project.name)>.localhost.'),
    ),
  ),
  https: v.optional(
    v.pipe(
      v.boolean(),
      v.description(
        "Serve http components on their domains over HTTPS through Stagecraft's own proxy. Default: true when dev.domains is set.",
      ),
    ),
  ),
  proxy: v.optional(
    v.pipe(
      v.strictObject({
        https_port: v.optional(portField('HTTPS port of the proxy. Set, it must be bound (no fallback). Default: 443, else 8443.')),
        http_port: v.optional(portField('HTTP port that redirects to HTTPS. Set, it must be bound. Default: 80, else 8081.')),
      }),
      v.description('Ports of the HTTPS proxy.'),
    ),
  ),
});

export function frontendSchema(providers: readonly FrontendProvider[]) {
  const ids = providers.map((provider) => provider.id);
  return v.strictObject({
    provider: v.pipe(v.picklist(ids), v.description(`The frontend provider to use: ${ids.join(', ')}.`)),
    depends_on: dependsOnField('Components the frontend waits for, e.g. [backend]. Default: none beyond services and Compose.'),
    providers: v.pipe(
      v.strictObject(
        Object.fromEntries(
          providers.map((provider) => [provider.id, v.optional(v.pipe(provider.configSchema, v.description(provider.description)))]),
        ),
      ),
      v.description('Settings of each frontend provider, keyed by provider ID. The selected provider must have a block.'),
    ),
  });
}

export type ServiceConfig = v.InferOutput<typeof serviceSchema>;
export type ComposeBlock = v.InferOutput<typeof composeSchema>;
export type DevBlock = v.InferOutput<typeof devSchema>;
