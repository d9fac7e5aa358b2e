import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from 'yaml';
import type { ConfigPath, LocatedIssue } from './issues.js';

/** The parsed document plus a way back from a config path to its place in the file. */
export interface YamlSource {
  readonly data: unknown;
  locate(path: ConfigPath, atKey?: boolean): Position;
  /** Plain scalars YAML resolved to a number or boolean, with the text written in the file. */
  typedScalars(): { path: ConfigPath; text: string }[];
}

export interface Position {
  readonly line: number;
  readonly column: number;
}

export type ParseResult = { readonly ok: true; readonly source: YamlSource } | { readonly ok: false; readonly issues: LocatedIssue[] };

/** Aliases beyond this many expansions are refused: a "billion laughs" document must not be expanded. */
const MAX_ALIAS_COUNT = 100;

export function parseYaml(text: string, file: string): ParseResult {
  const lineCounter = new LineCounter();
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  } catch (error) {
    // The parser recurses per nesting level; absurdly deep documents exhaust the stack.
    return { ok: false, issues: [{ file, line: 1, column: 1, field: '(document)', message: documentFailure(error) }] };
  }
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((error) => ({
        file,
        ...position(error.pos[0]),
        field: '(YAML syntax)',
        message: firstLine(error.message),
      })),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const at = firstAliasOffset(doc);
    return {
      ok: false,
      issues: [{ file, ...position(at), field: '(document)', message: documentFailure(error) }],
    };
  }
  return {
    ok: true,
    source: {
      data,
      locate: (path, atKey = false) => position(offsetOf(doc, path, atKey)),
      typedScalars: () => typedScalars(doc.contents, []),
    },
  };
}

function documentFailure(error: unknown): string {
  if (error instanceof RangeError) return 'the document is nested too deeply to read';
  if (error instanceof ReferenceError) {
    return `too many alias expansions (more than ${MAX_ALIAS_COUNT}); refusing a possible alias bomb`;
  }
  return firstLine(error instanceof Error ? error.message : String(error));
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message;
}

function firstAliasOffset(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias(_, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

/**
 * Finds the offset for a path: the value's start, or the key's for `atKey`. When the path ends in a
 * key that is absent (a missing required field), it falls back to the nearest key that exists, so the
 * error points at the block that lacks the field.
 */
function offsetOf(doc: Document, path: ConfigPath, atKey: boolean): number {
  let node: unknown = doc.contents;
  let keyOffset: number | undefined;
  for (const segment of path) {
    node = resolveAlias(doc, node);
    const child = childOf(node, segment);
    if (child === undefined) return keyOffset ?? rangeStart(node) ?? 0;
    keyOffset = child.keyOffset;
    node = child.value;
  }
  const valueOffset = rangeStart(resolveAlias(doc, node));
  if (atKey || valueOffset === undefined) return keyOffset ?? valueOffset ?? 0;
  return valueOffset;
}

function childOf(node: unknown, segment: string | number): { keyOffset: number | undefined; value: unknown } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(key) === String(segment)) return { keyOffset: rangeStart(pair.key), value: pair.value };
    }
    return undefined;
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { keyOffset: rangeStart(item), value: item };
  }
  return undefined;
}

/** Walks with one shared path (copied only for a match): deeply nested documents stay linear. */
function typedScalars(node: unknown, path: (string | number)[], found: { path: ConfigPath; text: string }[] = []) {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      path.push(String(pair.key.value));
      typedScalars(pair.value, path, found);
      path.pop();
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      path.push(index);
      typedScalars(item, path, found);
      path.pop();
    });
  } else if (isScalar(node) && node.type === 'PLAIN' && node.source !== undefined) {
    const type = typeof node.value;
    if (type === 'number' || type === 'bigint' || type === 'boolean') found.push({ path: [...path], text: node.source });
  }
  return found;
}

function resolveAlias(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0];
}
