import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readProcStat } from '../../src/core/process/process-group.js';
import { type EncoreProject, encoreProject } from '../../src/providers/encore-ts/test/fixtures.js';
import { type CliProcess, startCli } from '../helpers/cli.js';
import { isRunning, processesWithMarker, waitUntil } from '../helpers/processes.js';
import { tempProject } from '../helpers/temp.js';
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
    // In this phase `encore run` itself has started (it records its call first thing).
    await waitUntil(() => project.bin.calls('encore').some((call) => call.argv[0] === 'run'), 'encore run to start');
  } else {
    const subcommand = phase === 'preflight' ? 'version' : 'secret';
    await waitUntil(() => project.bin.calls('encore').some((call) => call.argv[0] === subcommand), `reaching ${phase}`);
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
      const [first, second] = signals;
      cli.signal(first);
      if (second !== undefined) {
        // The second signal goes in once the first was handled (the event), or after the run already ended.
        await Promise.race([cli.waitForStderr(/received: stopping/).catch(() => {}), cli.result]);
        if (/received: stopping/.test(cli.stderr) && cli.child.exitCode === null) lateSignals++;
        cli.signal(second);
      }
      const result = await cli.finish(); // the orphan check: no process this run started is alive
      // Every case ends in exit 0 by itself: Stagecraft never dies by the signal, a second one included.
      assert.equal(result.signal, null, `${signals.join('+')} during ${phase}: died by ${result.signal}`);
      assert.equal(result.code, 0, `${signals.join('+')} during ${phase}: ${result.stderr.slice(-800)}`);
      if (phase === 'preflight' || phase === 'secret sync')
        assert.equal(
          project.bin.calls('encore').some((call) => call.argv[0] === 'run'),
          false,
          `nothing started after a stop during ${phase}`,
        );
      if (phase === 'waiting for ready' || phase === 'running')
        assert.ok(
          project.bin.calls('encore').some((call) => call.argv[0] === 'run'),
          `encore run was running during ${phase}`,
        );
      cases++;
    }
  }
  recordFigure('signals', { cases, phases: 4, signals: SIGNALS.length, secondSignalsWhileStopping: lateSignals });
});

/** Whether a guard of this run has armed: it writes `armed` to its stdout once it holds the group ID. */
function guardArmed(marker: string): boolean {
  return processesWithMarker(marker).some(({ pid, command }) => {
    if (!command.includes('stagecraft-guard')) return false;
    try {
      return Number(/wchar: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'latin1'))?.[1]) > 0;
    } catch {
      return false;
    }
  });
}

test('SIGKILL to Stagecraft itself: the guard kills the child process group (documented in docs/reliability.md)', async (t) => {
  const project = await encoreProject(t);
  const cli = project.start(['dev'], { STANDIN_ENCORE_GRANDCHILD: '1' });
  await cli.waitForStderr(/ready at/);
  const run = project.bin.calls('encore').find((call) => call.argv[0] === 'run');
  const pgid = run?.pgid as number;
  assert.ok(pgid > 0);
  const members = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => readProcStat(entry))
    .filter((stat) => stat !== undefined && stat.pgid === pgid && stat.state !== 'Z')
    .map((stat) => stat?.pid as number);
  assert.ok(members.includes(pgid) && members.length >= 2, 'encore run and its grandchild are running');
  await waitUntil(() => guardArmed(cli.marker), 'the guard to be armed');
  cli.signal('SIGKILL');
  await cli.result;
  await waitUntil(() => !members.some(isRunning), 'every member of the group to be gone (checked by pid)');
  await waitUntil(() => processesWithMarker(cli.marker).length === 0, 'the guard itself to exit');
  recordFigure('signals-sigkill', { groupsKilled: 1 });
});

// The handler is in place before the server says it serves: a SIGTERM right after "serving" (a loaded machine can
// deschedule the server between the two lines) must find it draining, not kill it by the default action.
const DRAINING_SERVER = `
let round = 0;
process.on('SIGTERM', () => setInterval(() => console.log('draining ' + ++round), 100));
console.log('serving pid=' + process.pid);
setInterval(() => {}, 1000);
`;

test('a second Ctrl+C kills at once while the group leader is gone and a member still drains', async (t) => {
  // sh leads the group and dies by the SIGTERM; the server it left behind ignores SIGTERM and keeps printing.
  const cwd = tempProject(t, {
    'drain.mjs': DRAINING_SERVER,
    'stagecraft.yml': `project:
  name: demo
backend:
  provider: generic
  providers:
    generic:
      dev:
        command: [sh, -c, "node drain.mjs & wait"]
        ready:
          log: serving
          timeout: 60s
        stop_signal: SIGTERM
        stop_timeout: 10m
`,
  });
  const cli = startCli(['dev'], { cwd, timeoutMs: 120_000 });
  const ready = await cli.waitForStderr(/ready in/, 60_000);
  const server = Number(/serving pid=(\d+)/.exec(ready)?.[1]);
  assert.ok(isRunning(server));
  cli.signal('SIGINT');
  // Output of the member still draining keeps being shown while Stagecraft waits for the group to empty.
  await cli.waitForStderr(/draining 5\b/, 60_000);
  cli.signal('SIGINT');
  const result = await cli.finish();
  assert.match(result.stderr, /SIGINT received again: killing everything now/);
  assert.equal(result.signal, null, result.stderr.slice(-800));
  assert.equal(result.code, 0, result.stderr.slice(-800));
  assert.equal(isRunning(server), false, 'the draining server was killed');
});
