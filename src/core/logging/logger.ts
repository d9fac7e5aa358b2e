import { stripVTControlCharacters } from 'node:util';
import type { LogOutput } from './output.js';
import type { Redactor } from './redactor.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';
export type OutputStream = 'stdout' | 'stderr';
export type FieldValue = string | number | boolean | undefined;
export type LogFields = Readonly<Record<string, FieldValue>>;

/** The few colour functions the text format uses (picocolors provides them; tests may pass their own). */
export interface Colors {
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
  readonly gray: (text: string) => string;
  readonly cyan: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly red: (text: string) => string;
}

export interface LoggerSettings {
  readonly format: LogFormat;
  readonly verbose: boolean;
  /** Colour functions, or undefined for plain text (no TTY, NO_COLOR, --no-color). */
  readonly colors: Colors | undefined;
  readonly redactor: Redactor;
  readonly output: LogOutput;
}

export interface ChildLoggerOptions {
  /** Text-mode prefix for child output lines, e.g. `encore` → `encore │ ...`. */
  readonly prefix?: string;
  /**
   * Children keep this logger's prefix whatever they ask for: in a whole local environment the component's
   * name (`backend │`) is the prefix, even where the provider would name its program (`node │`).
   */
  readonly lockPrefix?: boolean;
  /** Child output is dropped (records still show): `stagecraft dev --logs` shows other components' lines. */
  readonly hideOutput?: boolean;
}

const TEXT_SYMBOL: Record<Level, string> = { debug: '·', info: '›', warn: '⚠', error: '✗' };

/**
 * Structured logger. Records carry fields (provider, operation, feature, stream, ...) that JSON output
 * writes out and text output mostly leaves implicit. Every string is masked by the redactor before it is
 * formatted, in both formats.
 */
export class Logger {
  readonly #settings: LoggerSettings;
  readonly #fields: LogFields;
  readonly #prefix: string;
  readonly #lockPrefix: boolean;
  readonly #hideOutput: boolean;
  /** `prefix │ ` as bytes (coloured when colours are on), written before every child output line. */
  readonly #linePrefix: Uint8Array;
  /** The fixed fields pre-serialised once, so the per-line JSON path only encodes the message. */
  readonly #jsonFields: string;
  #lastMillis = -1;
  #lastTime = '';

  constructor(settings: LoggerSettings, fields: LogFields = {}, options: ChildLoggerOptions = {}) {
    this.#settings = settings;
    this.#fields = fields;
    this.#prefix = options.prefix ?? '';
    this.#lockPrefix = options.lockPrefix ?? false;
    this.#hideOutput = options.hideOutput ?? false;
    const bar = `${this.#prefix} │`;
    this.#linePrefix = Buffer.from(`${settings.colors ? settings.colors.dim(bar) : bar} `);
    this.#jsonFields = serialiseFields(fields, settings.redactor);
  }

  child(fields: LogFields, options: ChildLoggerOptions = {}): Logger {
    const prefix = this.#lockPrefix ? this.#prefix : (options.prefix ?? this.#prefix);
    return new Logger(
      this.#settings,
      { ...this.#fields, ...fields },
      {
        prefix,
        lockPrefix: this.#lockPrefix || options.lockPrefix,
        hideOutput: this.#hideOutput || options.hideOutput,
      },
    );
  }

  get fields(): LogFields {
    return this.#fields;
  }

  get verbose(): boolean {
    return this.#settings.verbose;
  }

  get format(): LogFormat {
    return this.#settings.format;
  }

  get redactor(): Redactor {
    return this.#settings.redactor;
  }

  debug(msg: string, fields?: LogFields): void {
    if (this.#settings.verbose) this.log('debug', msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }

  log(level: Level, msg: string, fields?: LogFields): void {
    if (level === 'debug' && !this.#settings.verbose) return;
    const { redactor, output, format } = this.#settings;
    const text = redactor.mask(msg);
    if (format === 'json') {
      output.write(
        `{"time":"${this.#now()}","level":"${level}","msg":${JSON.stringify(text)}${this.#jsonFields}${fields ? serialiseFields(fields, redactor) : ''}}\n`,
      );
    } else {
      // In a whole local environment a record says which component it is about.
      const component = this.#fields.component;
      output.write(`${this.#symbol(level)} ${component === undefined ? '' : `${component}: `}${text}\n`);
    }
  }

  /** A further line of a text-mode block (an error's detail): no symbol, masked, dropped in JSON. */
  continuation(text: string, style: { dim?: boolean } = {}): void {
    if (this.#settings.format === 'json') return;
    const colors = this.#settings.colors;
    const masked = this.#settings.redactor.mask(text);
    this.#settings.output.write(`${colors && style.dim ? colors.dim(masked) : masked}\n`);
  }

  /**
   * One line of a child's output (the hot path: keep it allocation-light). `text` is a whole line
   * without its newline; `level` is what the provider read from it.
   */
  output(stream: OutputStream, level: Level, text: string): void {
    if ((level === 'debug' && !this.#settings.verbose) || this.#hideOutput) return;
    const { redactor, output, format, colors } = this.#settings;
    const masked = redactor.mask(text);
    if (format === 'json') {
      const plain = masked.includes('\x1b') ? stripVTControlCharacters(masked) : masked;
      output.write(`{"time":"${this.#now()}","level":"${level}","msg":${JSON.stringify(plain)}${this.#jsonFields},"stream":"${stream}"}\n`);
      return;
    }
    // Without colours the child's own ANSI codes go too: they would land raw in files and pipes.
    const shown = colors === undefined && masked.includes('\x1b') ? stripVTControlCharacters(masked) : masked;
    output.writeLine(this.#linePrefix, shown);
  }

  #symbol(level: Level): string {
    const symbol = TEXT_SYMBOL[level];
    const colors = this.#settings.colors;
    if (colors === undefined) return symbol;
    switch (level) {
      case 'debug':
        return colors.gray(symbol);
      case 'info':
        return colors.cyan(symbol);
      case 'warn':
        return colors.yellow(symbol);
      case 'error':
        return colors.red(symbol);
    }
  }

  /** ISO timestamp, formatted at most once per millisecond (a flood logs thousands per ms). */
  #now(): string {
    const millis = Date.now();
    if (millis !== this.#lastMillis) {
      this.#lastMillis = millis;
      this.#lastTime = new Date(millis).toISOString();
    }
    return this.#lastTime;
  }
}

function serialiseFields(fields: LogFields, redactor: Redactor): string {
  let json = '';
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const safe = typeof value === 'string' ? redactor.mask(value) : value;
    json += `,${JSON.stringify(key)}:${JSON.stringify(safe)}`;
  }
  return json;
}
