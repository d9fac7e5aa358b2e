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

  /** The tail as one block of text, each line cut to `maxLineLength` characters. */
  toString(maxLineLength = 300): string {
    return this.#lines.map((line) => (line.length > maxLineLength ? `${line.slice(0, maxLineLength)}…` : line)).join('\n');
  }
}
