import { type Colors, type LogFormat, Logger } from '../../src/core/logging/logger.js';
import { LogOutput } from '../../src/core/logging/output.js';
import { Redactor } from '../../src/core/logging/redactor.js';

export interface CapturedLogger {
  readonly logger: Logger;
  readonly redactor: Redactor;
  /** Everything written so far (flushes first). */
  text(): string;
  /** The JSON records written so far (JSON format only). */
  records(): Record<string, unknown>[];
}

/** A real Logger writing into memory, for unit tests of code that logs. */
export function captureLogger(format: LogFormat = 'text', options: { verbose?: boolean; colors?: Colors } = {}): CapturedLogger {
  const chunks: (string | Uint8Array)[] = [];
  const output = new LogOutput({ write: (chunk) => void chunks.push(chunk) });
  const redactor = new Redactor();
  const logger = new Logger({ format, verbose: options.verbose ?? false, colors: options.colors, redactor, output });
  const text = () => {
    output.flush();
    return chunks.map((chunk) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))).join('');
  };
  return {
    logger,
    redactor,
    text,
    records: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
