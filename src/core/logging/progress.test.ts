import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { CLI, freshHome } from '../../../test/helpers/cli.js';
import { waitUntil } from '../../../test/helpers/processes.js';
import { standinBin } from '../../../test/helpers/standins.js';
import { tempProject } from '../../../test/helpers/temp.js';
import { Logger } from './logger.js';
import { LogOutput } from './output.js';
import { createProgress } from './progress.js';
import { Redactor } from './redactor.js';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function setup(interactive: boolean) {
  const chunks: string[] = [];
  const output = new LogOutput({ write: (chunk) => void chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()) });
  const logger = new Logger({ format: 'text', verbose: false, colors: undefined, redactor: new Redactor(), output });
  return { chunks, output, logger, progress: createProgress({ logger, output, interactive, columns: 60 }) };
}

test('not interactive: a step is one plain log line, no control codes', () => {
  const { chunks, output, progress } = setup(false);
  const step = progress.step('syncing 3 secrets');
  step.update('1/3');
  step.done();
  output.flush();
  assert.equal(chunks.join(''), '› syncing 3 secrets…\n');
});

test('interactive: a status line with detail and elapsed time, redrawn in place and cleared when done', async () => {
  const { chunks, output, logger, progress } = setup(true);
  const step = progress.step('syncing 3 secrets');
  step.update('2/3');
  // The event: the redraw timer has drawn the status again (a second spinner frame), however long that took.
  const drawn = () => (chunks.join('').match(/syncing 3 secrets 2\/3/g) ?? []).length;
  output.flush();
  const before = drawn();
  await waitUntil(() => {
    output.flush();
    return drawn() > before;
  }, 'a redraw by the timer');
  logger.info('a log line');
  output.flush();
  step.done();
  const text = chunks.join('');
  const clear = '\r\x1b[2K';
  assert.match(text, new RegExp(`${escapeRegExp(clear)}[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] syncing 3 secrets 2/3 · \\d+\\.\\ds`));
  // The log line is written on a cleared line, then the status is drawn again below it.
  assert.match(text, new RegExp(`${escapeRegExp(clear)}› a log line\n[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] syncing 3 secrets 2/3`));
  assert.ok(text.endsWith('\r\x1b[2K'), 'done() clears the status line');
  assert.ok(!text.split('\r\x1b[2K').some((part) => part.length > 60 && !part.includes('\n')), 'the status fits the terminal width');
});

test('on a real terminal, `stagecraft build` shows a status line and logs stay whole', async (t) => {
  const cwd = tempProject(t, {
    'stagecraft.yml': 'project:\n  name: tty\nbackend:\n  provider: generic\n  providers:\n    generic: {}\n',
    Dockerfile: 'FROM scratch\n',
  });
  const bin = standinBin(t, ['docker']);
  // `script` runs the command on a pseudo-terminal, as an interactive shell would.
  const command = `${process.execPath} ${CLI} build --tag t1`;
  const transcript = execFileSync('script', ['-qfec', command, '/dev/null'], {
    cwd,
    env: { PATH: `${bin.dir}:/usr/bin:/bin`, HOME: freshHome(), STANDIN_DOCKER_SLEEP_MS: '700', TERM: 'xterm' },
  }).toString();
  const plain = stripVTControlCharacters(transcript);
  assert.match(plain, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] building tty:t1 · \d\.\ds/);
  assert.match(plain, /docker │ #9 naming to tty:t1 done/);
  for (const line of transcript.split(/\r?\n/)) {
    const visible = stripVTControlCharacters(line.split('\r\x1b[2K').at(-1) ?? '');
    assert.ok(!/docker │.*[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] building/.test(visible), `a status line never lands inside a log line: ${JSON.stringify(line)}`);
  }
  assert.match(plain, /\ntty:t1\r?\n$/, 'the result comes last, on its own line');
});
