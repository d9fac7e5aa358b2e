/**
 * Just enough of CUE's syntax (cue-lang/cue: cue/scanner/scanner.go, cue/literal/string.go, the spec's
 * "String and byte sequence literals") to edit `.secrets.local.cue` safely: write string literals that
 * CUE reads back exactly, and find the fields a file defines at top level.
 */

export class CueStringError extends Error {}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/**
 * A double-quoted CUE string whose value is exactly `value`. Beyond JSON's escaping, CUE's scanner
 * rejects a raw U+FEFF anywhere but at offset 0 ("illegal byte order mark"), a raw NUL and raw newlines,
 * so those (and every other control character, DEL, U+2028/2029) are written as escapes. Characters
 * outside the BMP are written raw (UTF-8): CUE has no surrogate-pair escapes to rely on. A lone UTF-16
 * surrogate has no UTF-8 form and no valid CUE escape (`\uD800` is refused), so it cannot be stored.
 */
export function cueString(value: string): string {
  let out = '"';
  for (let index = 0; index < value.length; index++) {
    const char = value[index] as string;
    const code = char.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdbff) {
      const low = value.charCodeAt(index + 1);
      if (!(low >= 0xdc00 && low <= 0xdfff)) throw new CueStringError('a lone UTF-16 surrogate');
      out += char + value[index + 1];
      index++;
      continue;
    }
    if (code >= 0xdc00 && code <= 0xdfff) throw new CueStringError('a lone UTF-16 surrogate');
    const simple = SIMPLE_ESCAPES[char];
    if (simple !== undefined) out += simple;
    else if (code < 0x20 || code === 0x7f || code === 0xfeff || code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    } else out += char;
  }
  return `${out}"`;
}

interface Token {
  readonly kind: 'ident' | 'string' | 'punct' | 'newline' | 'other';
  readonly text: string;
}

/** Tokens of CUE source: comments and spaces dropped, newlines kept (they end fields). */
function* tokens(source: string): Generator<Token> {
  let index = 0;
  while (index < source.length) {
    const char = source[index] as string;
    if (char === '\n') {
      index++;
      yield { kind: 'newline', text: '\n' };
    } else if (char === ' ' || char === '\t' || char === '\r' || char === '\uFEFF') {
      index++;
    } else if (source.startsWith('//', index)) {
      const end = source.indexOf('\n', index);
      index = end === -1 ? source.length : end;
    } else if (char === '"' || char === "'" || char === '#') {
      const end = stringEnd(source, index);
      if (end === undefined) {
        // `#` not starting a string: part of an identifier (a definition like #Foo).
        const ident = /^#[\w$#]*/.exec(source.slice(index))?.[0] ?? '#';
        index += ident.length;
        yield { kind: 'ident', text: ident };
      } else {
        yield { kind: 'string', text: source.slice(index, end) };
        index = end;
      }
    } else if (/[A-Za-z_$]/.test(char)) {
      const ident = /^[\w$#]+/.exec(source.slice(index))?.[0] as string;
      index += ident.length;
      yield { kind: 'ident', text: ident };
    } else if ('{}[](),:?!'.includes(char)) {
      index++;
      yield { kind: 'punct', text: char };
    } else {
      index++;
      yield { kind: 'other', text: char };
    }
  }
}

/**
 * Where a string literal starting at `start` ends (exclusive): `#`* then `"`, `'`, `"""` or `'''`, with
 * escapes `\#*` and interpolations `\#*( … )` that may themselves hold strings. Undefined when no string
 * starts there; an unterminated one runs to the end.
 */
function stringEnd(source: string, start: number): number | undefined {
  let index = start;
  while (source[index] === '#') index++;
  const hashes = index - start;
  const quoteChar = source[index];
  if (quoteChar !== '"' && quoteChar !== "'") return undefined;
  const multiline = source.startsWith(quoteChar.repeat(3), index);
  const quote = multiline ? quoteChar.repeat(3) : quoteChar;
  const close = quote + '#'.repeat(hashes);
  const escapeMark = `\\${'#'.repeat(hashes)}`;
  index += quote.length;
  while (index < source.length) {
    if (source.startsWith(close, index)) return index + close.length;
    if (!multiline && source[index] === '\n') return index; // unterminated: CUE reports it; stop here
    if (source.startsWith(escapeMark, index)) {
      index += escapeMark.length;
      if (source[index] === '(') index = interpolationEnd(source, index + 1);
      else index++;
      continue;
    }
    index++;
  }
  return source.length;
}

/** The index after the `)` that closes an interpolation whose expression starts at `start`. */
function interpolationEnd(source: string, start: number): number {
  let depth = 1;
  let index = start;
  while (index < source.length && depth > 0) {
    const char = source[index] as string;
    if (char === '"' || char === "'" || char === '#') {
      const end = stringEnd(source, index);
      if (end !== undefined) {
        index = end;
        continue;
      }
    }
    if (char === '(') depth++;
    if (char === ')') depth--;
    index++;
  }
  return index;
}

/** Tokens after which a newline ends a field (CUE's automatic comma insertion). */
function endsField(token: Token | undefined): boolean {
  if (token === undefined) return false;
  if (token.kind === 'ident' || token.kind === 'string') return true;
  if (token.kind === 'punct') return token.text === ')' || token.text === ']' || token.text === '}';
  return /[\w.]/.test(token.text); // the end of a number (1, 1.5, 1e3), or a unit like 1Ki
}

export interface TopLevelField {
  /** The field's name: an identifier's text, or a quoted label's value. */
  readonly name: string;
  /** Hidden (`_x`) or definition (`#X`) identifiers: not the regular field of that name. */
  readonly hidden: boolean;
}

/**
 * The regular fields a CUE file declares at its top level: `Name: …` and `"Name": …`, including every
 * field of a comma-separated line (`Foo: 1, NAME: "x"` declares both, as in CUE). Not fields nested in
 * braces, nor the later labels of a shorthand chain (`Foo: NAME: 1` declares only Foo at top level), nor
 * optional/required constraints (`Name?:`, `Name!:`), which hold no value.
 */
export function topLevelFields(source: string): TopLevelField[] {
  const fields: TopLevelField[] = [];
  const all = [...tokens(source)];
  let depth = 0;
  let fieldStart = true;
  let previous: Token | undefined;
  for (let index = 0; index < all.length; index++) {
    const token = all[index] as Token;
    if (token.kind === 'newline') {
      if (depth === 0 && endsField(previous)) fieldStart = true;
      continue;
    }
    if (token.kind === 'punct') {
      if ('{[('.includes(token.text)) depth++;
      else if ('}])'.includes(token.text)) depth = Math.max(0, depth - 1);
      else if (token.text === ',' && depth === 0) {
        fieldStart = true;
        previous = token;
        continue;
      }
    }
    if (depth === 0 && fieldStart && (token.kind === 'ident' || token.kind === 'string')) {
      const next = all[index + 1];
      if (next?.kind === 'punct' && next.text === ':') {
        const name = labelName(token);
        if (name !== undefined) fields.push(name);
      }
    }
    if (!(token.kind === 'punct' && token.text === ',')) fieldStart = false;
    previous = token;
  }
  return fields;
}

function labelName(token: Token): TopLevelField | undefined {
  if (token.kind === 'ident') {
    if (['package', 'import', 'let'].includes(token.text)) return undefined;
    return { name: token.text, hidden: token.text.startsWith('_') || token.text.startsWith('#') };
  }
  const value = simpleStringValue(token.text);
  return value === undefined ? undefined : { name: value, hidden: false };
}

/**
 * The value of a plain double-quoted string in the JSON-compatible subset of CUE (no `#`, no
 * interpolation); undefined for anything else.
 */
export function simpleStringValue(literal: string): string | undefined {
  if (!literal.startsWith('"') || literal.startsWith('"""') || literal.includes('\\(')) return undefined;
  try {
    const value: unknown = JSON.parse(literal);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Every plain string value in the file (to mask whatever secrets the user keeps there too). */
export function stringLiterals(source: string): string[] {
  const values: string[] = [];
  for (const token of tokens(source)) {
    if (token.kind !== 'string') continue;
    const value = simpleStringValue(token.text);
    if (value) values.push(value);
  }
  return values;
}
