/**
 * A bundler plugin that writes every chunk in ASCII: each non-ASCII character becomes a `\uXXXX` escape.
 *
 * Why: V8 holds a source that has a single character above U+00FF as a two-byte string, and Node decodes
 * such a file on a slower path. One `→` in an error message made the whole 280 kB config chunk twice its
 * size in memory, decoded that way at every start (bench/notes.md, "Start-up on a faster machine").
 *
 * The escape means the same character wherever the bundle has one: in comments, string and template
 * literals and regular expressions. It would change only the `raw` strings of a tagged template, which the
 * bundle does not use: the build fails if a chunk that needs escaping has one, rather than change its meaning.
 * The chunks are rewritten once they are final (`generateBundle`): the bundler's code generation runs after
 * `renderChunk` and prints such escapes back as the characters.
 */
export function asciiChunks() {
  return {
    name: 'stagecraft:ascii-chunks',
    generateBundle(_options: unknown, bundle: Record<string, { type: string; fileName: string; code?: string }>) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk' || chunk.code === undefined || !NON_ASCII.test(chunk.code)) continue;
        if (/String\.raw|\.raw\s*\[/.test(chunk.code)) {
          throw new Error(`${chunk.fileName}: a tagged template reads raw strings; escaping non-ASCII characters would change them`);
        }
        chunk.code = escapeNonAscii(chunk.code, chunk.fileName);
      }
    },
  };
}

const NON_ASCII = /[^\0-\x7f]/;

/** Escapes each UTF-16 unit above 0x7f, so a character outside the BMP becomes its surrogate pair. */
export function escapeNonAscii(code: string, fileName = 'chunk'): string {
  return code.replace(/[^\0-\x7f]/g, (unit, offset: number) => {
    // After a backslash, `é` and `\u00e9` differ (`\é` is an identity escape); the bundle has none.
    if (code[offset - 1] === '\\') throw new Error(`${fileName}: a backslash before a non-ASCII character at offset ${offset}`);
    return `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
