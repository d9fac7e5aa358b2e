/**
 * A decoder for one double-quoted CUE string literal, written from CUE's spec and its scanner
 * (cue-lang/cue: doc/ref/spec.md "String and byte sequence literals", cue/scanner/scanner.go,
 * cue/literal/string.go), independently of the product's encoder, so tests can check that what
 * Stagecraft writes reads back exactly. Throws where CUE would report an error.
 */
export function decodeCueString(literal: string): string {
  if (literal.length < 2 || !literal.startsWith('"') || !literal.endsWith('"')) throw new Error('not a double-quoted literal');
  const body = literal.slice(1, -1);
  let out = '';
  for (let index = 0; index < body.length; ) {
    const codePoint = body.codePointAt(index) as number;
    const char = String.fromCodePoint(codePoint);
    if (codePoint === 0) throw new Error('illegal character NUL');
    if (codePoint === 0xfeff) throw new Error('illegal byte order mark');
    if (codePoint === 0x0a) throw new Error('string literal not terminated');
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) throw new Error('illegal UTF-8 encoding'); // no UTF-8 form
    if (char === '"') throw new Error('unescaped quote');
    if (char !== '\\') {
      out += char;
      index += char.length;
      continue;
    }
    const kind = body[index + 1];
    index += 2;
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '/': '/',
      '\\': '\\',
      '"': '"',
    };
    if (kind !== undefined && kind in simple) {
      out += simple[kind];
    } else if (kind === 'u' || kind === 'U') {
      const digits = kind === 'u' ? 4 : 8;
      const hex = body.slice(index, index + digits);
      if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(hex)) throw new Error('invalid escape');
      const value = Number.parseInt(hex, 16);
      if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) throw new Error('invalid Unicode code point');
      out += String.fromCodePoint(value);
      index += digits;
    } else {
      // \x and octal escapes are for bytes (single quotes), \' is not a double-quoted escape, \( interpolates.
      throw new Error(`invalid escape \\${kind ?? ''}`);
    }
  }
  return out;
}
