import type * as v from 'valibot';
import { type ConfigIssue, type ConfigPath, closestMatch, describeValue } from './issues.js';

type AnySchema = v.GenericSchema & Record<string, unknown>;
type AnyIssue = v.BaseIssue<unknown>;

/**
 * Translates valibot's issues into "expected X, found Y" with a "did you mean" for unknown keys and
 * misspelt choices. `schema` is the one that produced them, used to list the keys a map accepts.
 */
export function translateIssues(issues: readonly AnyIssue[], schema: v.GenericSchema): ConfigIssue[] {
  const lists = new Map<string, ConfigIssue>();
  const translated: ConfigIssue[] = [];
  for (const issue of issues) {
    const list = listWhereMapBelongs(issue);
    if (list === undefined) translated.push(...translate(issue, schema as AnySchema));
    else lists.set(JSON.stringify(list.path), list);
  }
  // Anything reported inside such a list is noise once the list itself is reported.
  const inside = (issue: ConfigIssue) => [...lists.values()].some((list) => list.path.every((segment, i) => issue.path[i] === segment));
  return withoutMisspeltRequired([...lists.values(), ...translated.filter((issue) => !inside(issue))]);
}

/**
 * `lisen: x` yields both "listen: required, found nothing" and "lisen: unknown key; did you mean listen?".
 * The second says it all: the first is dropped and the hint notes that the field is required.
 */
function withoutMisspeltRequired(issues: ConfigIssue[]): ConfigIssue[] {
  const suggested = new Map<string, ConfigIssue>();
  for (const issue of issues) {
    const suggestion = issue.atKey ? /did you mean "([^"]+)"\?$/.exec(issue.message)?.[1] : undefined;
    if (suggestion) suggested.set(JSON.stringify([...issue.path.slice(0, -1), suggestion]), issue);
  }
  return issues.flatMap((issue) => {
    if (issue.atKey) {
      const missing = issues.find((other) => other !== issue && suggested.get(JSON.stringify(other.path)) === issue && isMissing(other));
      return [missing ? { ...issue, message: `${issue.message} ("${String(missing.path.at(-1))}" is required)` } : issue];
    }
    return isMissing(issue) && suggested.has(JSON.stringify(issue.path)) ? [] : [issue];
  });
}

function isMissing(issue: ConfigIssue): boolean {
  return !issue.atKey && issue.message.endsWith('(required), found nothing');
}

/**
 * valibot's object schemas accept arrays (they are objects), so a list where a map belongs would come
 * out as "unknown key 0" plus every required key missing. One "expected a map, found a list" instead.
 */
function listWhereMapBelongs(issue: AnyIssue): ConfigIssue | undefined {
  const items = issue.path ?? [];
  const index = items.findIndex((item) => item.type === 'object' && Array.isArray(item.input));
  if (index === -1) return undefined;
  const list = (items[index] as { input: unknown[] }).input;
  return {
    path: items.slice(0, index).map((item) => item.key as string | number),
    message: `expected a map, found ${describeValue(list)}`,
  };
}

function translate(issue: AnyIssue, root: AnySchema): ConfigIssue[] {
  const path: ConfigPath = (issue.path ?? []).map((item) => item.key as string | number);
  const last = issue.path?.at(-1);
  // A union reports each option's failure; those that got past the type check (deeper paths) say more.
  if (issue.type === 'union' && issue.issues) {
    const deeper = issue.issues.filter((sub) => (sub.path?.length ?? 0) > path.length);
    if (deeper.length > 0) return deeper.flatMap((sub) => translate(sub, root));
  }
  if (last?.origin === 'key' && issue.expected === 'never') {
    const key = String(last.key);
    const known = keysAt(root, path.slice(0, -1));
    const suggestion = closestMatch(key, known);
    const hint = suggestion ? `; did you mean "${suggestion}"?` : known.length > 0 ? `; known keys: ${known.join(', ')}` : '';
    return [{ path, atKey: true, message: `unknown key "${key}"${hint}` }];
  }
  if (last?.origin === 'key' && issue.input === undefined) {
    return [{ path, message: `expected ${describeSchema(schemaAt(root, path))} (required), found nothing` }];
  }
  return [{ path, message: `${expectation(issue)}, found ${describeValue(issue.input)}${choiceHint(issue)}` }];
}

function expectation(issue: AnyIssue): string {
  // Our own checks carry messages written as "expected ...".
  if (issue.message.startsWith('expected ')) return issue.message;
  const requirement = (issue as { requirement?: unknown }).requirement;
  switch (issue.type) {
    case 'min_length':
      return `expected at least ${String(requirement)} ${typeof issue.input === 'string' ? 'character(s)' : 'item(s)'}`;
    case 'max_length':
      return `expected at most ${String(requirement)} ${typeof issue.input === 'string' ? 'character(s)' : 'item(s)'}`;
    case 'min_value':
      return `expected a number of at least ${String(requirement)}`;
    case 'max_value':
      return `expected a number of at most ${String(requirement)}`;
    case 'integer':
      return 'expected a whole number';
    default:
      return `expected ${describeExpected(issue.expected ?? 'a valid value')}`;
  }
}

function choiceHint(issue: AnyIssue): string {
  if (issue.type !== 'picklist' || typeof issue.input !== 'string') return '';
  const options = (issue.expected ?? '').match(/"[^"]*"/g)?.map((option) => option.slice(1, -1)) ?? [];
  const suggestion = closestMatch(issue.input, options);
  return suggestion ? `; did you mean "${suggestion}"?` : '';
}

/** valibot's `expected` ("string", "Array", `("a" | "b")`) in words. */
function describeExpected(expected: string): string {
  const inner = expected.replace(/^\((.*)\)$/, '$1');
  const options = inner.split(' | ');
  if (options.length > 1 && options.every((option) => option.startsWith('"'))) {
    return `one of ${options.join(', ')}`;
  }
  return options.map(typeName).join(' or ');
}

function typeName(name: string): string {
  switch (name) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'Array':
      return 'a list';
    case 'Object':
      return 'a map';
    default:
      return name;
  }
}

/** Describes what a schema accepts, for "expected ..." of a missing field. */
function describeSchema(schema: AnySchema | undefined): string {
  if (schema === undefined) return 'a value';
  const unwrapped = unwrap(schema);
  switch (unwrapped.type) {
    case 'picklist':
      return `one of ${(unwrapped.options as string[]).map((option) => JSON.stringify(option)).join(', ')}`;
    case 'object':
    case 'strict_object':
    case 'loose_object':
    case 'record':
      return 'a map';
    case 'array':
      return 'a list';
    case 'union':
      return (unwrapped.options as AnySchema[]).map(describeSchema).join(' or ');
    default:
      return typeName(String(unwrapped.expects ?? unwrapped.type));
  }
}

function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  while ('wrapped' in current && current.wrapped) current = current.wrapped as AnySchema;
  return current;
}

/** The schema that validates the value at `path`, following maps, records, lists and unions. */
export function schemaAt(root: AnySchema, path: ConfigPath): AnySchema | undefined {
  let current: AnySchema | undefined = root;
  for (const segment of path) {
    if (current === undefined) return undefined;
    current = childSchema(unwrap(current), segment);
  }
  return current;
}

function childSchema(schema: AnySchema, segment: string | number): AnySchema | undefined {
  if (schema.entries) return (schema.entries as Record<string, AnySchema>)[String(segment)];
  if (schema.type === 'record') return schema.value as AnySchema;
  if (schema.type === 'array') return schema.item as AnySchema;
  if (schema.type === 'union') {
    for (const option of schema.options as AnySchema[]) {
      const child = childSchema(unwrap(option), segment);
      if (child) return child;
    }
  }
  return undefined;
}

/** Keys a map at `path` accepts (for "did you mean"). */
function keysAt(root: AnySchema, path: ConfigPath): string[] {
  const schema = schemaAt(root, path);
  if (schema === undefined) return [];
  const unwrapped = unwrap(schema);
  if (unwrapped.entries) return Object.keys(unwrapped.entries as object);
  if (unwrapped.type === 'union') {
    return (unwrapped.options as AnySchema[]).flatMap((option) => Object.keys((unwrap(option).entries as object) ?? {}));
  }
  return [];
}
