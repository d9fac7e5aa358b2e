import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { readProcStat } from '../../src/core/process/process-group.js';
import { type EncoreProject, encoreProject } from '../../src/providers/encore-ts/test/fixtures.js';
import type { CliProcess } from '../helpers/cli.js';
import { processesWithMarker } from '../helpers/processes.js';
import { recordFigure } from './figures.js';

type Phase = 'preflight' | 'secret sync' | 'waiting for ready' | 'running';
const SIGNALS = [['SIGINT'], ['SIGTERM'], ['SIGHUP'], ['SIGINT', 'SIGINT']] as const;

/** Starts `stagecraft dev` and returns once it is in `phase`. */
async function enter(project: EncoreProject, phase: Phase): Promise<CliProcess> {
  const env: Record<string, string> = {
    preflight: { STAGECRAFT_NO_CACHE: '1', STANDIN_ENCORE_VERSION_DELAY_MS: '30000' },
    'secret sync': { STANDIN_ENCORE_SECRET_DELAY_MS: '30000' },
    'waiting for ready': { STANDIN_ENCORE_NO_BANNER: '1' },
    running: {},
  }[phase];
  const cli = project.start(['dev'], env);
  if (phase === 'running') {
    await cli.waitForStderr(/ready at/);
  } else if (phase === 'waiting for ready') {
    await cli.waitForStderr(/waiting for encore run to be ready/);
  } else {
    const subcommand = phase === 'preflight' ? 'version' : 'secret';
    for (let i = 0; i < 200 && !project.bin.calls('encore').some((call) => call.argv[0] === subcommand); i++) await delay(50);
    assert.ok(
      project.bin.calls('encore').some((call) => call.argv[0] === subcommand),
      `reached ${phase}`,
    );
  }
  return cli;
}

test('every stop signal, at every phase of `stagecraft dev`: exit 0 and nothing left running', async (t) => {
  let cases = 0;
  let lateSignals = 0;
  for (const phase of ['preflight', 'secret sync', 'waiting for ready', 'running'] as const) {
    for (const signals of SIGNALS) {
      const project = await encoreProject(t, {
        appId: 'linked-1',
        env: ['TOKEN=long-enough-token'],
        dev: ['        ready_timeout: 60s', '        encore_secrets:', '          from_env: [TOKEN]', '          store: platform'],
      });
      const cli = await enter(project, phase);
      for (const signal of signals) {
        cli.signal(signal);
        await delay(100);
      }
      const result = await cli.finish(); // the orphan check: no process this run started is alive
      // A second signal can land after the stop completed, while Node itself is exiting and no handler can
      // run: then the process ends by SIGINT. Only that is tolerated, and only once the stop was reported.
      const stopped = /stopped before the dev server started|encore run stopped/.test(result.stderr);
      const lateSecondSignal = signals.length === 2 && result.signal === 'SIGINT' && stopped;
      if (lateSecondSignal) lateSignals++;
      else assert.equal(result.code, 0, `${signals.join('+')} during ${phase}: ${result.stderr.slice(-800)}`);
      if (phase !== 'running')
        assert.equal(
          project.bin.calls('encore').some((call) => call.argv[0] === 'run' && phase !== 'waiting for ready'),
          false,
          `nothing started after a stop during ${phase}`,
        );
      cases++;
    }
  }
  recordFigure('signals', { cases, phases: 4, signals: SIGNALS.length, lateSignals });
});

test('SIGKILL to Stagecraft itself: the guard kills the child process group (documented in docs/reliability.md)', async (t) => {
  const project = await encoreProject(t);
  const cli = project.start(['dev'], { STANDIN_ENCORE_GRANDCHILD: '1' });
  await cli.waitForStderr(/ready at/);
  const run = project.bin.calls('encore').find((call) => call.argv[0] === 'run');
  const pgid = run?.pgid as number;
  assert.ok(pgid > 0);
  const members = () =>
    readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map((entry) => readProcStat(entry))
      .filter((stat) => stat !== undefined && stat.pgid === pgid && stat.state !== 'Z').length;
  assert.ok(members() >= 2, 'encore run and its grandchild are running');
  cli.signal('SIGKILL');
  await cli.result;
  for (let i = 0; i < 100 && members() > 0; i++) await delay(50);
  assert.equal(members(), 0, 'the whole group died with Stagecraft');
  for (let i = 0; i < 100 && processesWithMarker(cli.marker).length > 0; i++) await delay(50);
  assert.deepEqual(processesWithMarker(cli.marker), [], 'the guard itself exited too');
  recordFigure('signals-sigkill', { groupsKilled: 1 });
});
