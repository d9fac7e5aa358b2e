/**
 * The env-file grammar (see the README's table, checked against Docker Compose's documented rules):
 *
 *   # comment                     blank lines and lines starting with # are ignored
 *   [export] KEY=value            unquoted: trimmed; " #" starts a comment; ${...} expands
 *   KEY='literal'                 single quotes (and backticks): exactly the text, no escapes, no ${...}
 *   KEY="text"                    double quotes: \n \r \t \" \\ \$ unescaped, ${...} expands; may span lines
 *
 * Written by hand rather than with dotenv's parse(): that one loses which quotes a value had, so it
 * cannot keep single-quoted values literal. Nothing here runs anything: $(...) and backticks are text.
 */

/** `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?message}`, `${NAME?message}`, `${NAME:+alt}`, `${NAME+alt}`. */
export interface Reference {
  readonly name: string;
  readonly operator: '' | ':-' | '-' | ':?' | '?' | ':+' | '+';
  /** The default, alternative or message, itself a template. */
  readonly operand: readonly Part[];
  /** The operand as written (messages of `:?` are shown as written, never expanded). */
  readonly operandText: string;
  /** 1-based line of the `$`. */
  readonly line: number;
}

export type Part = string | Reference;

export interface EnvEntry {
  readonly name: string;
  /** 1-based line where the definition starts. */
  readonly line: number;
  readonly parts: readonly Part[];
}

/** A syntax error at a line of the file. The message never quotes the line: it may hold a secret. */
export class EnvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'EnvSyntaxError';
  }
}

/** References nested deeper than this (`${A:-${B:-${C:-...}}}`) are refused rather than recursed into. */
export const MAX_NESTING = 16;

const KEY = /[A-Za-z0-9_.-]/;
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const OPERATORS = [':-', ':?', ':+', '-', '?', '+'] as const;
const DOUBLE_QUOTED_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$' };

type Mode = 'unquoted' | 'double';

/** Parses an env file's text into its definitions, in file order (a later one of the same name wins). */
export function parseEnvFile(text: string): EnvEntry[] {
  return new Scanner(text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')).entries();
}

class Scanner {
  #pos = 0;
  #line = 1;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  entries(): EnvEntry[] {
    const entries: EnvEntry[] = [];
    for (;;) {
      this.#skip(/[ \t\n\f\v]/);
      if (this.#pos >= this.#text.length) return entries;
      if (this.#peek() === '#') {
        this.#skipToEndOfLine();
        continue;
      }
      entries.push(this.#entry());
    }
  }

  #entry(): EnvEntry {
    const line = this.#line;
    if (this.#text.startsWith('export', this.#pos) && /[ \t]/.test(this.#text[this.#pos + 6] ?? '')) {
      this.#pos += 6;
      this.#skip(/[ \t]/);
    }
    const start = this.#pos;
    this.#skip(KEY);
    const name = this.#text.slice(start, this.#pos);
    this.#skip(/[ \t]/);
    if (name === '' || this.#peek() !== '=') {
      throw new EnvSyntaxError(line, 'expected KEY=value (a value that spans lines must be quoted)');
    }
    this.#pos++;
    this.#skip(/[ \t]/);
    return { name, line, parts: this.#value(line) };
  }

  #value(line: number): Part[] {
    const quote = this.#peek();
    if (quote === "'" || quote === '`') return this.#literal(quote, line);
    if (quote === '"') {
      this.#pos++;
      const parts = this.#parts('double', 0, this.#text.length);
      if (this.#peek() !== '"') throw new EnvSyntaxError(line, 'unterminated double-quoted value (no closing ")');
      this.#pos++;
      this.#endOfQuotedValue(line);
      return parts;
    }
    return this.#unquoted();
  }

  /** Single quotes and backticks: the text up to the closing quote, exactly. */
  #literal(quote: string, line: number): Part[] {
    const end = this.#text.indexOf(quote, this.#pos + 1);
    if (end === -1) throw new EnvSyntaxError(line, `unterminated ${quote === "'" ? 'single-quoted' : 'backtick-quoted'} value`);
    const value = this.#text.slice(this.#pos + 1, end);
    this.#advanceTo(end + 1);
    this.#endOfQuotedValue(line);
    return [value];
  }

  /** After a closing quote only spaces and a comment may follow on the line. */
  #endOfQuotedValue(line: number): void {
    this.#skip(/[ \t]/);
    const next = this.#peek();
    if (next === '#') this.#skipToEndOfLine();
    else if (next !== undefined && next !== '\n') {
      throw new EnvSyntaxError(line, 'unexpected text after the closing quote (quote the whole value)');
    }
  }

  /** To the end of the line; a # after whitespace starts a comment; trailing whitespace is dropped. */
  #unquoted(): Part[] {
    const lineEnd = this.#text.indexOf('\n', this.#pos);
    const end = lineEnd === -1 ? this.#text.length : lineEnd;
    const line = this.#text.slice(this.#pos, end);
    // `KEY= # note` is empty with a comment; `KEY=#fff` is the text "#fff".
    const afterSpace = /[ \t]/.test(this.#text[this.#pos - 1] ?? '');
    const comment = line.search(afterSpace ? /(^|[ \t])#/ : /[ \t]#/);
    const value = (comment === -1 ? line : line.slice(0, comment)).replace(/[ \t]+$/, '');
    const parts = this.#parts('unquoted', 0, this.#pos + value.length);
    this.#pos = end;
    return parts;
  }

  /**
   * Text and references up to `limit`, or up to the closing `"` (double mode, depth 0) or `}` (inside a
   * reference). Escapes: in double quotes \n \r \t \" \\ \$; unquoted, only \$. Other backslashes stay.
   */
  #parts(mode: Mode, depth: number, limit: number): Part[] {
    const parts: Part[] = [];
    let literal = '';
    while (this.#pos < limit) {
      const c = this.#text[this.#pos] as string;
      if ((depth === 0 && mode === 'double' && c === '"') || (depth > 0 && c === '}')) break;
      if (c === '\\') {
        const next = this.#text[this.#pos + 1] ?? '';
        const escaped = mode === 'double' ? DOUBLE_QUOTED_ESCAPES[next] : next === '$' ? '$' : undefined;
        if (escaped !== undefined && this.#pos + 1 < limit) {
          literal += escaped;
          this.#pos += 2;
          continue;
        }
      }
      if (c === '$' && this.#text[this.#pos + 1] === '{') {
        if (literal) parts.push(literal);
        literal = '';
        parts.push(this.#reference(mode, depth + 1, limit));
        continue;
      }
      if (c === '\n') this.#line++;
      literal += c;
      this.#pos++;
    }
    if (literal) parts.push(literal);
    return parts;
  }

  #reference(mode: Mode, depth: number, limit: number): Reference {
    const line = this.#line;
    if (depth > MAX_NESTING) throw new EnvSyntaxError(line, `\${...} nested more than ${MAX_NESTING} levels deep`);
    this.#pos += 2;
    const start = this.#pos;
    if (NAME_START.test(this.#peek() ?? '')) this.#skip(NAME_CHAR);
    const name = this.#text.slice(start, this.#pos);
    if (name === '') throw new EnvSyntaxError(line, 'expected a variable name after ${ (write \\${ for a literal ${)');
    if (this.#pos >= limit) throw new EnvSyntaxError(line, `unterminated \${${name}... (no closing })`);
    if (this.#peek() === '}') {
      this.#pos++;
      return { name, operator: '', operand: [], operandText: '', line };
    }
    const operator = OPERATORS.find((candidate) => this.#text.startsWith(candidate, this.#pos));
    if (operator === undefined) {
      throw new EnvSyntaxError(
        line,
        `unsupported expansion \${${name}${this.#peek() ?? ''}...}: use \${${name}}, :-, -, :?, ?, :+ or + (write \\\${ for a literal \${)`,
      );
    }
    this.#pos += operator.length;
    const operandStart = this.#pos;
    const operand = this.#parts(mode, depth, limit);
    if (this.#pos >= limit || this.#peek() !== '}') throw new EnvSyntaxError(line, `unterminated \${${name}${operator}... (no closing })`);
    const operandText = this.#text.slice(operandStart, this.#pos);
    this.#pos++;
    return { name, operator, operand, operandText, line };
  }

  #peek(): string | undefined {
    return this.#text[this.#pos];
  }

  #skip(pattern: RegExp): void {
    while (this.#pos < this.#text.length && pattern.test(this.#text[this.#pos] as string)) {
      if (this.#text[this.#pos] === '\n') this.#line++;
      this.#pos++;
    }
  }

  #skipToEndOfLine(): void {
    const end = this.#text.indexOf('\n', this.#pos);
    this.#pos = end === -1 ? this.#text.length : end;
  }

  #advanceTo(position: number): void {
    for (let i = this.#pos; i < position; i++) if (this.#text[i] === '\n') this.#line++;
    this.#pos = position;
  }
}
