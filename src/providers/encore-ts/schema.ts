import * as v from 'valibot';
import { durationField } from '../../core/duration.js';
import { isValidImageName, isValidTagSuffix } from '../../core/image-ref.js';
import { envNameField, hostPortField } from '../../core/provider-kit/fields.js';

/** Secret types `encore secret set --type` accepts (case-sensitive), aliases included. */
export const SECRET_TYPES = ['development', 'production', 'preview', 'local', 'dev', 'prod', 'pr', 'ephemeral'] as const;
const SERVICE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

const nameList = (what: string, description: string) =>
  v.optional(
    v.pipe(
      v.array(v.pipe(v.string(), v.regex(SERVICE_NAME, `expected a ${what} name (letters, digits, _ -)`))),
      v.minLength(1, `expected at least one ${what} name`),
      v.description(description),
    ),
  );

export const encoreSecretsSchema = v.strictObject({
  from_env: v.optional(
    v.pipe(
      v.array(envNameField()),
      v.description(
        'Environment variables whose values are synced as Encore secrets of the same name. Missing or empty ones are skipped with a warning.',
      ),
    ),
    [],
  ),
  types: v.optional(
    v.pipe(
      v.array(v.picklist(SECRET_TYPES)),
      v.minLength(1, 'expected at least one secret type'),
      v.description(
        'Encore secret types to set (store: platform). Default ["local"]: the other types are shared by the whole team, so they are never the silent default.',
      ),
    ),
    ['local'],
  ),
  mode: v.optional(
    v.pipe(
      v.picklist(['grouped', 'per_type']),
      v.description('grouped: one `encore secret set --type a,b NAME` per secret, as Encore documents it. per_type: one call per type.'),
    ),
    'grouped',
  ),
  concurrency: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(32), v.description('How many `encore secret set` calls run at once.')),
    4,
  ),
  store: v.optional(
    v.pipe(
      v.picklist(['auto', 'platform', 'local']),
      v.description(
        "Where secrets go. platform: `encore secret set` (needs an app linked to Encore's platform). local: a Stagecraft-managed block in .secrets.local.cue next to encore.app. auto: platform when encore.app has an id, else local.",
      ),
    ),
    'auto',
  ),
  timeout: durationField('30s', 'Time limit for each `encore secret set` call.'),
});

export const encoreDevSchema = v.strictObject({
  env_file: v.pipe(
    v.string(),
    v.minLength(1, 'expected a file path'),
    v.description(
      'Dotenv file with the dev environment (and the secret values), relative to the project root. Loaded after environments.<env>.env_file.',
    ),
  ),
  listen: hostPortField(
    'ip-or-localhost',
    '127.0.0.1:4000',
    'Address `encore run --listen` binds, host:port; the host must be an IP address or localhost. `stagecraft dev --listen ADDR` overrides it.',
  ),
  workdir: v.optional(
    v.pipe(
      v.string(),
      v.description('Directory of the Encore app (holding encore.app or below it), relative to the project root; must lie inside it.'),
    ),
    '.',
  ),
  disable_telemetry: v.optional(
    v.pipe(v.boolean(), v.description('Set DISABLE_ENCORE_TELEMETRY=1 for every encore command Stagecraft runs.')),
    false,
  ),
  node_extra_ca_certs: v.optional(
    v.pipe(
      v.string(),
      v.minLength(1),
      v.description(
        "CA certificate file (e.g. mkcert's root CA) given to the app as NODE_EXTRA_CA_CERTS (absolute path). Relative to the project root.",
      ),
    ),
  ),
  debug: v.optional(
    v.pipe(
      v.union([v.picklist(['enabled', 'break']), v.literal(false)]),
      v.description('`encore run --debug` mode: enabled (Node inspector on 127.0.0.1:9229), break (wait for a debugger), or false.'),
    ),
    'enabled',
  ),
  verbose: v.optional(v.pipe(v.boolean(), v.description('Pass --verbose (Encore CLI debug output, shown with -v).')), true),
  watch: v.optional(v.pipe(v.boolean(), v.description('Rebuild and restart on file changes (--watch).')), true),
  browser: v.optional(
    v.pipe(v.picklist(['never', 'auto', 'always']), v.description('Whether `encore run` opens the dev dashboard in a browser.')),
    'never',
  ),
  log_level: v.optional(
    v.pipe(
      v.picklist(['trace', 'debug', 'info', 'warn', 'error']),
      v.description("App log level (`encore run --level`, Encore v1.52.1 and later). Default: Encore's."),
    ),
  ),
  ready_timeout: durationField('120s', 'How long to wait for the server to be ready (banner shown and port accepting connections).'),
  stop_timeout: durationField('10s', 'Grace period after SIGINT before the process group is killed.'),
  encore_secrets: v.optional(v.pipe(encoreSecretsSchema, v.description('Secrets synced to Encore before the server starts.'))),
});

export const encoreBuildSchema = v.strictObject({
  workdir: v.optional(
    v.pipe(
      v.string(),
      v.description(
        'Directory of the Encore app for builds, relative to the project root; must lie inside it. Default: dev.workdir, else the project root.',
      ),
    ),
  ),
  image_name: v.optional(
    v.pipe(
      v.string(),
      v.check(isValidImageName, 'expected an image name: lowercase letters, digits, separators (. _ -), / between components'),
      v.description('Image name, appended to project.registry: <registry>/<image_name>:<tag><suffix>.'),
    ),
    'api',
  ),
  docker_tag_suffix: v.optional(
    v.pipe(
      v.string(),
      v.check(isValidTagSuffix, 'expected tag characters (letters, digits, _ . -), such as -encore'),
      v.description('Appended to the image tag, e.g. "-encore" gives :abc1234-encore.'),
    ),
    '',
  ),
  arch: v.optional(
    v.pipe(
      v.picklist(['amd64', 'arm64']),
      v.description('Target architecture (--arch). Encore builds amd64 when unset, whatever the host.'),
    ),
  ),
  base_image: v.optional(
    v.pipe(v.string(), v.minLength(1), v.description("Base image (--base). Encore's default for TypeScript apps is node:slim.")),
  ),
  infra_config: v.optional(
    v.pipe(v.string(), v.minLength(1), v.description('Infrastructure config file (--config), relative to the project root.')),
  ),
  services: nameList('service', 'Only these services go into the image (--services).'),
  gateways: nameList('gateway', 'Only these gateways go into the image (--gateways).'),
});

export const encoreConfigSchema = v.strictObject({
  dev: v.optional(v.pipe(encoreDevSchema, v.description('How `stagecraft dev` runs `encore run`.'))),
  build: v.optional(v.pipe(encoreBuildSchema, v.description('How `stagecraft build` runs `encore build docker`.')), {}),
});

export type EncoreConfig = v.InferOutput<typeof encoreConfigSchema>;
export type EncoreDevConfig = v.InferOutput<typeof encoreDevSchema>;
export type EncoreBuildConfig = v.InferOutput<typeof encoreBuildSchema>;
export type EncoreSecretsConfig = v.InferOutput<typeof encoreSecretsSchema>;
