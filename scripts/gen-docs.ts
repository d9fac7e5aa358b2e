// Generates the configuration reference from the JSON Schema of stagecraft.yml, so the docs cannot drift
// from the code: docs/configuration.md, the README section between the config-reference markers, and
// schema/stagecraft.schema.json (shipped in the package for editors). `npm run docs` writes them;
// test/docs-sync.test.ts fails when they are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchema } from '../src/core/config/json-schema.js';
import { backendProviders } from '../src/core/registry.js';
import '../src/providers/index.js';

export const ROOT = join(import.meta.dirname, '..');
export const START = '<!-- config-reference:start -->';
export const END = '<!-- config-reference:end -->';

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
}

/** The tables, one per map in the schema, in document order (nested maps after their parent). */
export function renderReference(schema: JsonSchema): string {
  const sections: string[] = [];
  walk(schema, '', sections);
  return sections.join('\n');
}

function walk(schema: JsonSchema, path: string, sections: string[]): void {
  const properties = schema.properties;
  if (properties && Object.keys(properties).length > 0) {
    const rows = Object.entries(properties).map(([name, field]) => row(name, field, schema.required?.includes(name) ?? false));
    const title = path === '' ? 'Top level' : `\`${path}\``;
    sections.push(
      `### ${title}\n`,
      ...(schema.description && path !== '' ? [`${schema.description}\n`] : []),
      '| field | type | default | description |',
      '|---|---|---|---|',
      ...rows,
      '',
    );
    for (const [name, field] of Object.entries(properties)) walk(objectOf(field), path === '' ? name : `${path}.${name}`, sections);
  }
  if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${path}.<name>`, sections);
}

/** The object schema inside a field (through anyOf), if any. */
function objectOf(field: JsonSchema): JsonSchema {
  if (field.properties || typeof field.additionalProperties === 'object') return field;
  return field.anyOf?.find((option) => option.properties) ?? {};
}

function row(name: string, field: JsonSchema, required: boolean): string {
  const defaultValue = field.default === undefined ? (required ? '**required**' : '') : `\`${JSON.stringify(field.default)}\``;
  return `| \`${name}\` | ${cell(typeOf(field))} | ${defaultValue} | ${cell(field.description ?? '')} |`;
}

function typeOf(field: JsonSchema): string {
  if (field.enum) return field.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (field.const !== undefined) return JSON.stringify(field.const);
  if (field.anyOf) return field.anyOf.map(typeOf).join(' or ');
  if (field.type === 'array') return `list of ${field.items ? typeOf(field.items) : 'values'}`;
  if (field.type === 'object') return 'map';
  if (Array.isArray(field.type)) return field.type.join(' or ');
  return field.type ?? 'any';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** `text` with the part between the reference markers replaced by `reference`. */
function withReference(file: string, reference: string): string {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end < start) throw new Error(`${file} needs the markers ${START} and ${END}`);
  return `${text.slice(0, start + START.length)}\n${reference}${text.slice(end)}`;
}

/** The tables of the whole local environment's blocks only (`frontend`, `dev`), for its own docs page. */
function localEnvironmentReference(schema: JsonSchema): string {
  const sections: string[] = [];
  for (const block of ['frontend', 'dev']) {
    const field = schema.properties?.[block];
    if (field) walk(objectOf(field), block, sections);
  }
  return sections.join('\n');
}

/** Every generated file, path → content. */
export function renderAll(): Record<string, string> {
  const schema = configJsonSchema(backendProviders);
  const reference = renderReference(schema as JsonSchema);
  return {
    'schema/stagecraft.schema.json': `${JSON.stringify(schema, null, 2)}\n`,
    'docs/configuration.md': [
      '# Configuration reference',
      '',
      'Generated from the JSON Schema by `npm run docs`; do not edit by hand. Every relative path resolves against',
      'the project root (the directory holding stagecraft.yml). Durations are written `90s`, `2m`, `500ms` or as',
      'milliseconds. Editors can check and complete stagecraft.yml with `schema/stagecraft.schema.json`:',
      '',
      '```yaml',
      '# yaml-language-server: $schema=./node_modules/stagecraft/schema/stagecraft.schema.json',
      '```',
      '',
      reference,
    ].join('\n'),
    'README.md': withReference('README.md', reference),
    'docs/local-environment.md': withReference('docs/local-environment.md', localEnvironmentReference(schema as JsonSchema)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [path, content] of Object.entries(renderAll())) writeFileSync(join(ROOT, path), content);
  console.log('wrote schema/stagecraft.schema.json, docs/configuration.md, the README reference and docs/local-environment.md');
}
