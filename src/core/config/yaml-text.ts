import { stringify } from 'yaml';

/**
 * A YAML scalar for any text, on one line: quoted whenever plain would be misread (`@backend`,
 * `[::1]:4000`, `yes`, `01`), escaped when it holds line breaks. For config templates: never hand-built.
 */
export function yamlScalar(value: string): string {
  return stringify(value, { lineWidth: 0, blockQuote: false }).trimEnd();
}

/** A one-line flow list of texts (`[ npm, run, dev ]`), each item quoted as flow context requires. */
export function yamlFlowList(values: readonly string[]): string {
  return stringify(values, { collectionStyle: 'flow', lineWidth: 0, blockQuote: false }).trimEnd();
}
