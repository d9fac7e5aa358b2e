import assert from 'node:assert/strict';
import { after, before, type TestContext, test } from 'node:test';
import { createSandbox, type EngineSandbox, engineUnavailable } from './sandbox.js';

/** Set by .ci/run: a missing or broken engine fails the suite there instead of skipping it. */
export const REQUIRE_ENGINE = process.env.STAGECRAFT_REQUIRE_ENGINE === '1';

const unavailable = engineUnavailable();
/** Why this file's tests are skipped, or undefined when they run. */
export const skipReason = unavailable !== undefined && !REQUIRE_ENGINE ? `no container engine: ${unavailable}` : undefined;

/** Builds and pushes take a few seconds each; the machine may be busy. */
const ENGINE_TEST_TIMEOUT_MS = 240_000;

/**
 * One sandboxed podman for the file's tests (created before the first, removed after the last), and a
 * `test` that is skipped, with the reason, when no engine is usable, or fails when one is required.
 */
export function engineSuite(): { sandbox: () => EngineSandbox; engineTest: (name: string, fn: (t: TestContext) => Promise<void>) => void } {
  let sandbox: EngineSandbox | undefined;
  before(() => {
    if (unavailable === undefined) sandbox = createSandbox();
  });
  after(() => sandbox?.remove());
  return {
    sandbox: () => sandbox as EngineSandbox,
    engineTest(name, fn) {
      test(name, { skip: skipReason ?? false, timeout: ENGINE_TEST_TIMEOUT_MS }, async (t) => {
        if (unavailable !== undefined) assert.fail(`STAGECRAFT_REQUIRE_ENGINE=1 but the engine is not usable: ${unavailable}`);
        await fn(t);
      });
    },
  };
}
