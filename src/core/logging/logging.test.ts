import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captureLogger } from '../../../test/helpers/logger.js';
import type { Colors } from './logger.js';
import { LogOutput } from './output.js';
import { MASK, Redactor } from './redactor.js';

function capture(format: 'text' | 'json', options: { verbose?: boolean; colors?: Colors } = {}) {
  return captureLogger(format, options);
}

const fakeColors: Colors = {
  dim: (s) => `\x1b[2m${s}\x1b[22m`,
  bold: (s) => s,
  gray: (s) => `\x1b[90m${s}\x1b[39m`,
  cyan: (s) => s,
  green: (s) => s,
  yellow: (s) => s,
  red: (s) => s,
};

test('the redactor masks raw, URL-encoded, base64 and JSON-escaped forms, longest first', () => {
  const redactor = new Redactor();
  redactor.add('p@ss w/"ord"');
  redactor.add('p@ss');
  assert.equal(redactor.mask('raw p@ss w/"ord" end'), `raw ${MASK} end`);
  assert.equal(redactor.mask(`url ${encodeURIComponent('p@ss w/"ord"')}`), `url ${MASK}`);
  assert.equal(redactor.mask(`b64 ${Buffer.from('p@ss w/"ord"').toString('base64')}`), `b64 ${MASK}`);
  assert.equal(redactor.mask(`json ${JSON.stringify('p@ss w/"ord"')}`), `json "${MASK}"`);
  assert.equal(redactor.mask('only p@ss here'), `only ${MASK} here`);
  assert.equal(redactor.mask('nothing secret'), 'nothing secret');
});

test('the redactor ignores empty values and masks regex metacharacters literally', () => {
  const redactor = new Redactor();
  redactor.add('');
  assert.equal(redactor.size, 0);
  redactor.add('a.b*c(d)');
  assert.equal(redactor.mask('a.b*c(d) vs aXbbc(d)'), `${MASK} vs aXbbc(d)`);
});

test('a multi-line secret is masked line by line when a child prints it line by line', () => {
  const redactor = new Redactor();
  redactor.add('-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----');
  assert.equal(redactor.mask('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'), MASK);
});

test('JSON records carry time, level, msg and the logger fields; secrets are masked in msg and fields', () => {
  const { logger, redactor, records } = capture('json');
  redactor.add('hunter2');
  const scoped = logger.child({ provider: 'encore-ts', operation: 'dev', feature: 'PROVIDER_BACKEND_ENCORE' });
  scoped.info('token hunter2 loaded', { detail: 'also hunter2', count: 3 });
  scoped.output('stdout', 'warn', '\x1b[33mWRN\x1b[0m leaked hunter2');
  const [info, child] = records();
  assert.ok(info && child);
  assert.match(String(info.time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  assert.deepEqual(
    { ...info, time: undefined },
    {
      time: undefined,
      level: 'info',
      msg: `token ${MASK} loaded`,
      provider: 'encore-ts',
      operation: 'dev',
      feature: 'PROVIDER_BACKEND_ENCORE',
      detail: `also ${MASK}`,
      count: 3,
    },
  );
  assert.equal(child.msg, `WRN leaked ${MASK}`, 'ANSI codes are stripped in JSON');
  assert.equal(child.level, 'warn');
  assert.equal(child.stream, 'stdout');
  assert.equal(child.provider, 'encore-ts');
});

test('debug records and debug child lines appear only when verbose', () => {
  const quiet = capture('text');
  quiet.logger.debug('hidden');
  quiet.logger.output('stderr', 'debug', 'DBG hidden too');
  quiet.logger.info('shown');
  assert.equal(quiet.text(), '› shown\n');
  const loud = capture('text', { verbose: true });
  loud.logger.debug('visible');
  loud.logger.child({}, { prefix: 'encore' }).output('stderr', 'debug', 'DBG visible');
  assert.equal(loud.text(), '· visible\nencore │ DBG visible\n');
});

test('text child lines carry the prefix; without colours ANSI codes are removed, with colours kept', () => {
  const plain = capture('text');
  plain.logger.child({}, { prefix: 'encore' }).output('stdout', 'info', '\x1b[36mhttp://127.0.0.1:4000\x1b[0m');
  assert.equal(plain.text(), 'encore │ http://127.0.0.1:4000\n');
  const coloured = capture('text', { colors: fakeColors });
  coloured.logger.child({}, { prefix: 'encore' }).output('stdout', 'info', '\x1b[36mhttp://x\x1b[0m');
  assert.equal(coloured.text(), '\x1b[2mencore │\x1b[22m \x1b[36mhttp://x\x1b[0m\n');
});

test('secrets are masked in text mode too, in messages, child lines and continuation lines', () => {
  const { logger, redactor, text } = capture('text');
  redactor.add('s3cr3t-value');
  logger.warn('value s3cr3t-value');
  logger.child({}, { prefix: 'node' }).output('stderr', 'error', 'crash: s3cr3t-value');
  logger.continuation('  tail s3cr3t-value');
  assert.equal(text(), `⚠ value ${MASK}\nnode │ crash: ${MASK}\n  tail ${MASK}\n`);
});

test('LogOutput batches writes until flushed or 64 KiB have gathered, and keeps order', () => {
  const chunks: (string | Uint8Array)[] = [];
  const output = new LogOutput({ write: (chunk) => void chunks.push(chunk) });
  output.write('a\n');
  output.writeLine(Buffer.from('p │ '), 'b');
  assert.equal(chunks.length, 0, 'nothing written before a flush');
  output.flush();
  assert.equal(chunks.length, 1);
  assert.equal(Buffer.from(chunks[0] as Uint8Array).toString(), 'a\np │ b\n');
  const line = 'x'.repeat(1000);
  for (let i = 0; i < 70; i++) output.write(`${line}\n`);
  assert.ok(chunks.length >= 2, 'a flush happened on its own after 64 KiB');
  output.flush();
  const all = chunks
    .slice(1)
    .map((chunk) => Buffer.from(chunk as Uint8Array).toString())
    .join('');
  assert.equal(all, `${line}\n`.repeat(70));
});

test('LogOutput writes oversized text directly, in order, and redraws a status line after log text', () => {
  const chunks: string[] = [];
  const output = new LogOutput({ write: (chunk) => void chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()) });
  output.write('before\n');
  const huge = 'y'.repeat(200_000);
  output.write(huge);
  assert.deepEqual(chunks, ['before\n', huge]);
  chunks.length = 0;
  output.setStatus('syncing 3/13');
  output.write('log line\n');
  output.flush();
  assert.deepEqual(chunks, ['\r\x1b[2Ksyncing 3/13', '\r\x1b[2K', 'log line\n', 'syncing 3/13']);
  output.setStatus('');
  assert.equal(chunks.at(-1), '\r\x1b[2K');
});

test('values shorter than 4 characters are not masked (they would rewrite ordinary output), and say so', () => {
  const redactor = new Redactor();
  assert.equal(redactor.add('1'), false);
  assert.equal(redactor.add('abc'), false);
  assert.equal(redactor.add('abcd'), true);
  assert.equal(redactor.mask('after 1.0s: abc abcd'), `after 1.0s: abc ${MASK}`);
});

test('LogOutput reports congestion when its sink falls behind, and releases waiters once it drains', () => {
  let drained: (() => void) | undefined;
  const output = new LogOutput({
    write: () => false,
    onceDrained: (listener) => {
      drained = listener;
    },
  });
  const resumed: string[] = [];
  output.whenDrained(() => resumed.push('before'));
  assert.deepEqual(resumed, ['before'], 'not congested: resumes at once');
  output.write('line\n');
  output.flush();
  assert.equal(output.congested, true);
  output.whenDrained(() => resumed.push('after'));
  assert.deepEqual(resumed, ['before']);
  drained?.();
  assert.equal(output.congested, false);
  assert.deepEqual(resumed, ['before', 'after']);
});

test('secrets sharing prefixes, or contained in one another, are masked whole', () => {
  const redactor = new Redactor();
  for (const value of ['sk_live_abc123', 'sk_live_abc123xyz', 'sk_live_zzz999', 'sk_test_abc123', 'abc1']) redactor.add(value);
  assert.equal(redactor.mask('a sk_live_abc123xyz b'), `a ${MASK} b`);
  assert.equal(redactor.mask('a sk_live_abc123 b sk_live_zzz999'), `a ${MASK} b ${MASK}`);
  assert.equal(redactor.mask('sk_test_abc123 and sk_live_abc and abc1'), `${MASK} and sk_live_abc and ${MASK}`);
  assert.equal(redactor.mask('(sk_live_abc123)'), `(${MASK})`);
});
