/**
 * Buffered writer for log text. Child output can arrive at hundreds of thousands of lines per second;
 * one `write` per line would spend most of that time in syscalls, so output is collected and written
 * once per event-loop turn (or whenever 64 KiB have gathered).
 *
 * Text is encoded into a byte buffer piece by piece rather than concatenated into one big string: a
 * single non-Latin-1 character (the `│` of every child line) makes V8 store the whole concatenation as
 * UTF-16, whose conversion back to UTF-8 costs eight times more (measured; see docs/benchmarks.md).
 *
 * It also owns the optional status line (a TTY-only progress indicator): log text is always written on
 * a cleared line and the status is redrawn after it, so the two never interleave mid-line.
 */
export interface TextSink {
  /** Returns false when the destination is not keeping up (a slow pipe), like a Node stream does. */
  write(chunk: string | Uint8Array): boolean | undefined;
  /** Calls `listener` once the destination has caught up after `write` returned false. */
  onceDrained?(listener: () => void): void;
}

/** Lets producers (child output) wait while the log destination catches up. */
export interface FlowControl {
  readonly congested: boolean;
  /** Calls `resume` once output has drained (at once if it is not congested). */
  whenDrained(resume: () => void): void;
}

const CAPACITY = 128 * 1024;
const FLUSH_THRESHOLD = 64 * 1024;
const CLEAR_LINE = '\r\x1b[2K';
const NEWLINE = 0x0a;

export class LogOutput implements FlowControl {
  readonly #sink: TextSink;
  #buffer = Buffer.allocUnsafe(CAPACITY);
  #used = 0;
  #scheduled = false;
  #status = '';
  #congested = false;
  #waiting: (() => void)[] = [];

  constructor(sink: TextSink) {
    this.#sink = sink;
  }

  /** Appends text (UTF-8 encoded). */
  write(text: string): void {
    if (!this.#reserve(text.length * 3)) {
      this.#emit(text);
      return;
    }
    this.#used += this.#buffer.write(text, this.#used);
    this.#written();
  }

  /** Appends `prefix`, `text` and a newline: the shape of every child output line, in one call. */
  writeLine(prefix: Uint8Array, text: string): void {
    if (!this.#reserve(prefix.length + text.length * 3 + 1)) {
      this.#emit(Buffer.concat([prefix, Buffer.from(`${text}\n`)]));
      return;
    }
    this.#buffer.set(prefix, this.#used);
    this.#used += prefix.length;
    this.#used += this.#buffer.write(text, this.#used);
    this.#buffer[this.#used++] = NEWLINE;
    this.#written();
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#used === 0) return;
    const bytes = this.#buffer.subarray(0, this.#used);
    // A fresh buffer, since a sink may hold on to the one it was given (asynchronous pipes on macOS).
    this.#buffer = Buffer.allocUnsafe(CAPACITY);
    this.#used = 0;
    this.#emit(bytes);
  }

  /** Shows `text` as a status line below the log (TTY only; callers check). Empty text removes it. */
  setStatus(text: string): void {
    this.flush();
    if (text === this.#status) return;
    this.#status = text;
    this.#sink.write(text ? `${CLEAR_LINE}${text}` : CLEAR_LINE);
  }

  get hasStatus(): boolean {
    return this.#status.length > 0;
  }

  /**
   * Whether the destination has fallen behind. Writes to a pipe are queued in memory when its reader is
   * slow; child output should then wait (the runner pauses reading it), or a flood would pile up here.
   */
  get congested(): boolean {
    return this.#congested;
  }

  whenDrained(resume: () => void): void {
    if (this.#congested) this.#waiting.push(resume);
    else resume();
  }

  /** Writes to the sink, keeping the status line (if any) below the log. */
  #emit(chunk: string | Uint8Array): void {
    if (this.#status) this.#sink.write(CLEAR_LINE);
    const accepted = this.#sink.write(chunk);
    if (this.#status) this.#sink.write(this.#status);
    if (accepted === false && !this.#congested && this.#sink.onceDrained) {
      this.#congested = true;
      this.#sink.onceDrained(() => {
        this.#congested = false;
        const waiting = this.#waiting;
        this.#waiting = [];
        for (const resume of waiting) resume();
      });
    }
  }

  /** Makes room for `bytes` (worst case); false when they could never fit and must be written directly. */
  #reserve(bytes: number): boolean {
    if (bytes <= CAPACITY - this.#used) return true;
    this.flush();
    return bytes <= CAPACITY;
  }

  #written(): void {
    if (this.#used >= FLUSH_THRESHOLD) {
      this.flush();
    } else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }
}

/** A sink writing to a Node stream that may be closed under us (EPIPE must not crash the CLI). */
export function streamSink(stream: NodeJS.WriteStream): TextSink {
  stream.on('error', () => {});
  return {
    write: (chunk) => stream.write(chunk),
    onceDrained: (listener) => stream.once('drain', listener),
  };
}
