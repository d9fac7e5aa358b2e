/** Keeps the last `capacity` lines of a child's output, for error reports. */
export class TailBuffer {
  readonly #capacity: number;
  readonly #lines: string[] = [];

  constructor(capacity = 20) {
    this.#capacity = capacity;
  }

  push(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > this.#capacity) this.#lines.shift();
  }

  lines(): readonly string[] {
    return this.#lines;
  }

  /**
   * The tail with secrets masked, each line then cut to `maxLineLength` characters. Masking comes first:
   * cut first, a secret straddling the cut would lose its end and no longer be recognised.
   */
  masked(redactor: { mask(text: string): string }, maxLineLength = 300): string {
    return cutLines(redactor.mask(this.#lines.join('\n')).split('\n'), maxLineLength);
  }

  /** The tail as one block of text, each line cut to `maxLineLength` characters (not masked). */
  toString(maxLineLength = 300): string {
    return cutLines(this.#lines, maxLineLength);
  }
}

function cutLines(lines: readonly string[], maxLineLength: number): string {
  return lines.map((line) => (line.length > maxLineLength ? `${line.slice(0, maxLineLength)}…` : line)).join('\n');
}
