/**
 * Buffered writer for log text. Child output can arrive at hundreds of thousands of lines per second;
 * one `write` per line would spend most of that time in syscalls, so text is collected and written once
 * per event-loop turn (or whenever 64 KiB have gathered).
 *
 * It also owns the optional status line (a TTY-only progress indicator): log text is always written on a
 * cleared line and the status is redrawn after it, so the two never interleave mid-line.
 */
export interface TextSink {
  write(text: string): void;
}

const FLUSH_THRESHOLD = 64 * 1024;
const CLEAR_LINE = '\r\x1b[2K';

export class LogOutput {
  readonly #sink: TextSink;
  #pending = '';
  #scheduled = false;
  #status = '';

  constructor(sink: TextSink) {
    this.#sink = sink;
  }

  write(text: string): void {
    this.#pending += text;
    if (this.#pending.length >= FLUSH_THRESHOLD) {
      this.flush();
    } else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const text = this.#pending;
    this.#pending = '';
    this.#sink.write(this.#status ? `${CLEAR_LINE}${text}${this.#status}` : text);
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
}

/** A sink writing to a Node stream that may be closed under us (EPIPE must not crash the CLI). */
export function streamSink(stream: NodeJS.WriteStream): TextSink {
  stream.on('error', () => {});
  return { write: (text) => void stream.write(text) };
}
