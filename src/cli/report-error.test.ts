import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captureLogger } from '../../test/helpers/logger.js';
import { InterruptedError, StagecraftError } from '../core/errors.js';
import { reportError } from './report-error.js';

test('an unexpected exception is INTERNAL, exit 5, with the stack only when verbose', () => {
  const quiet = captureLogger('text');
  assert.equal(reportError(new TypeError('boom'), quiet.logger), 5);
  assert.match(quiet.text(), /✗ internal error: boom/);
  assert.match(quiet.text(), /run again with -v for the stack trace/);
  assert.doesNotMatch(quiet.text(), /at .*report-error\.test\.ts/);

  const verbose = captureLogger('text', { verbose: true });
  assert.equal(reportError(new TypeError('boom'), verbose.logger), 5);
  assert.match(verbose.text(), /TypeError: boom\n\s+at /);
});

test('each category maps to the contract exit code, and interrupts to 128 + signal', () => {
  const codes: [StagecraftError['category'], number][] = [
    ['USAGE', 1],
    ['INVALID_CONFIG', 1],
    ['INVALID_PROJECT', 1],
    ['PROVIDER_NOT_AVAILABLE', 2],
    ['BUILD_FAILED', 3],
    ['PUSH_FAILED', 4],
    ['INTERNAL', 5],
    ['SECRET_SYNC_FAILED', 6],
    ['DEV_SERVER_FAILED', 7],
  ];
  for (const [category, code] of codes) {
    assert.equal(reportError(new StagecraftError({ category, message: 'x' }), captureLogger().logger), code, category);
  }
  assert.equal(reportError(new InterruptedError('SIGINT'), captureLogger().logger), 130);
  assert.equal(reportError(new InterruptedError('SIGTERM'), captureLogger().logger), 143);
  assert.equal(reportError(new InterruptedError('SIGHUP'), captureLogger().logger), 129);
});

test('JSON: exactly one error record with category, provider, operation, exitCode and masked detail', () => {
  const captured = captureLogger('json');
  captured.redactor.add('topsecret');
  reportError(
    new StagecraftError({
      category: 'DEV_SERVER_FAILED',
      provider: 'encore-ts',
      operation: 'dev',
      message: 'crashed',
      detail: 'last: topsecret',
      exitCode: 1,
      hint: 'h',
    }),
    captured.logger,
  );
  const records = captured.records();
  assert.equal(records.length, 1);
  const { time, ...rest } = records[0] as Record<string, unknown>;
  assert.equal(typeof time, 'string');
  assert.deepEqual(rest, {
    level: 'error',
    msg: 'crashed',
    category: 'DEV_SERVER_FAILED',
    provider: 'encore-ts',
    operation: 'dev',
    exitCode: 1,
    detail: 'last: ***',
    hint: 'h',
  });
});
