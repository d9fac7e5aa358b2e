/** Longest line kept whole; the rest of a longer line is dropped and counted. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** How much of a line's kept text may be shown before the rest is dropped (see Redactor.safeCutLength). */
export type SafeCut = (kept: string) => number;

/**
 * Frames a byte stream into whole lines. A line split across chunks is buffered until its newline (or
 * the end of the stream); a line longer than `maxLineBytes` keeps its first `maxLineBytes` bytes and is
 * marked truncated, so a child printing megabytes without a newline cannot exhaust memory.
 *
 * Splitting happens on bytes: 0x0A never occurs inside a multi-byte UTF-8 sequence, so decoding whole
 * lines is always safe even when a character was split between chunks.
 */
export class LineSplitter {
  readonly #onLine: (line: string) => void;
  readonly #maxLineBytes: number;
  readonly #safeCut: SafeCut | undefined;
  #partial: Buffer[] = [];
  #partialBytes = 0;
  #droppedBytes = 0;

  constructor(onLine: (line: string) => void, maxLineBytes = DEFAULT_MAX_LINE_BYTES, safeCut?: SafeCut) {
    this.#onLine = onLine;
    this.#maxLineBytes = maxLineBytes;
    this.#safeCut = safeCut;
  }

  push(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    if (newline !== -1 && this.#partialBytes + this.#droppedBytes > 0) {
      this.#keep(chunk.subarray(0, newline));
      this.#emitPartial();
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    while (newline !== -1) {
      this.#emit(chunk, start, newline, 0);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) this.#keep(chunk.subarray(start));
  }

  /** Whether part of a line is waiting for its newline. */
  get hasPending(): boolean {
    return this.#partialBytes > 0;
  }

  /** The unterminated line received so far (up to `maxLineBytes`), or undefined when there is none. */
  pending(): string | undefined {
    if (this.#partialBytes === 0) return undefined;
    return Buffer.concat(this.#partial).toString('utf8');
  }

  /** Emits what is left of an unterminated last line. */
  end(): void {
    if (this.#partialBytes + this.#droppedBytes > 0) this.#emitPartial();
  }

  #keep(bytes: Buffer): void {
    const room = this.#maxLineBytes - this.#partialBytes;
    if (bytes.length <= room) {
      this.#partial.push(bytes);
      this.#partialBytes += bytes.length;
    } else {
      if (room > 0) this.#partial.push(bytes.subarray(0, room));
      this.#partialBytes += Math.max(room, 0);
      this.#droppedBytes += bytes.length - Math.max(room, 0);
    }
  }

  #emitPartial(): void {
    const line = this.#partial.length === 1 ? (this.#partial[0] as Buffer) : Buffer.concat(this.#partial);
    const dropped = this.#droppedBytes;
    this.#partial = [];
    this.#partialBytes = 0;
    this.#droppedBytes = 0;
    this.#emit(line, 0, line.length, dropped);
  }

  #emit(bytes: Buffer, start: number, end: number, alreadyDropped: number): void {
    let stop = end;
    if (stop > start && bytes[stop - 1] === CARRIAGE_RETURN && alreadyDropped === 0) stop--;
    const length = stop - start;
    if (length <= this.#maxLineBytes && alreadyDropped === 0) {
      this.#onLine(bytes.toString('utf8', start, stop));
      return;
    }
    const keptBytes = Math.min(length, this.#maxLineBytes);
    const kept = bytes.toString('utf8', start, start + keptBytes);
    // The cut must not fall inside a secret: its start would be shown, its end no longer there to match.
    const shown = this.#safeCut ? kept.slice(0, this.#safeCut(kept)) : kept;
    const shownBytes = shown.length === kept.length ? keptBytes : Buffer.byteLength(shown);
    this.#onLine(`${shown} … [line truncated: ${length + alreadyDropped - shownBytes} more bytes]`);
  }
}
