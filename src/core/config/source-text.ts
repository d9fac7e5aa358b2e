import * as v from 'valibot';
import type { ConfigPath } from './issues.js';
import { schemaAt } from './schema-issues.js';
import type { YamlSource } from './yaml-source.js';

const KEEP_SOURCE_TEXT = 'stagecraftKeepsSourceText';

/**
 * A field whose value is text, such as an environment variable: `PIN: 01234`, `VERSION: 1.10`,
 * `MASK: 0x1F` or a 20-digit id are kept exactly as written, although YAML reads them as numbers
 * (1234, 1.1, 31, a rounded float). The loader restores the text from the YAML source; quoting is
 * never needed. `true`/`false` keep their spelling too.
 */
export function textValue(description?: string) {
  return v.pipe(
    v.union([v.string(), v.number(), v.boolean()]),
    v.metadata({ [KEEP_SOURCE_TEXT]: true }),
    v.transform((value) => String(value)),
    v.description(description ?? 'Text; numbers and booleans are kept as written.'),
  );
}

function keepsSourceText(schema: v.GenericSchema | undefined): boolean {
  const pipe = (schema as { pipe?: readonly { type: string; metadata?: Record<string, unknown> }[] } | undefined)?.pipe;
  return pipe?.some((action) => action.type === 'metadata' && action.metadata?.[KEEP_SOURCE_TEXT] === true) ?? false;
}

/**
 * Puts the source text back into `data` wherever the schema declares a text value (see textValue) and
 * YAML resolved a plain scalar to a number or boolean.
 */
export function restoreSourceText(source: YamlSource, schema: v.GenericSchema): void {
  for (const { path, text } of source.typedScalars()) {
    if (keepsSourceText(schemaAt(schema as never, path))) setAt(source.data, path, text);
  }
}

function setAt(data: unknown, path: ConfigPath, text: string): void {
  let node = data;
  for (const segment of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return;
    node = (node as Record<string | number, unknown>)[segment];
  }
  const last = path.at(-1);
  if (typeof node !== 'object' || node === null || last === undefined || !Object.hasOwn(node, last)) return;
  const current = (node as Record<string | number, unknown>)[last];
  if (typeof current === 'number' || typeof current === 'boolean') (node as Record<string | number, unknown>)[last] = text;
}
