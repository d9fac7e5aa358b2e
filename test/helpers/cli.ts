import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { assertNoOrphans, MARKER_VARIABLE } from './processes.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
/** The built CLI: end-to-end tests run exactly what users run (`npm test` builds first). */
export const CLI = join(REPO_ROOT, 'dist', 'cli.cjs');

export interface CliOptions {
  readonly cwd: string;
  /**
   * Added to a minimal environment (PATH with node, a fresh temp HOME and XDG_CACHE_HOME, the orphan
   * marker). Pass HOME or XDG_CACHE_HOME to share one between runs (a cache test's second run).
   */
  readonly env?: Record<string, string | undefined>;
  /** Directories put first on PATH (stand-in executables). */
  readonly path?: readonly string[];
  readonly timeoutMs?: number;
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Every run's own HOME lives under here; removed when the test file's process exits. */
let homesRoot: string | undefined;

/**
 * A new, empty home directory for one CLI run: nothing a run writes (caches, config) lands in the real
 * home of whoever runs the tests, and no run sees what another left there.
 */
export function freshHome(): string {
  if (homesRoot === undefined) {
    const root = mkdtempSync(join(tmpdir(), 'stagecraft-homes-'));
    homesRoot = root;
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  }
  const home = mkdtempSync(join(homesRoot, 'home-'));
  mkdirSync(join(home, '.cache'));
  return home;
}

/** The environment a CLI run gets: deliberately small, so tests do not depend on the machine's. */
export function cliEnvironment(options: CliOptions, marker: string): Record<string, string> {
  const path = [...(options.path ?? []), dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
  const home = freshHome();
  const env: Record<string, string> = { PATH: path, HOME: home, XDG_CACHE_HOME: join(home, '.cache'), [MARKER_VARIABLE]: marker };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** A running `stagecraft` process, with helpers to wait for output and send signals. */
export class CliProcess {
  readonly child: ChildProcess;
  readonly marker = randomUUID();
  readonly result: Promise<CliResult>;
  readonly #stdout: string[] = [];
  readonly #stderr: string[] = [];
  /** The last 256 KiB of stderr: what waitForStderr searches, so a flood of output stays cheap to watch. */
  #stderrTail = '';
  readonly #waiters = new Set<() => void>();

  constructor(args: readonly string[], options: CliOptions) {
    this.child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: cliEnvironment(options, this.marker),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.#stdout.push(chunk.toString());
      this.#notify();
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      this.#stderr.push(text);
      this.#stderrTail = (this.#stderrTail + text).slice(-256 * 1024);
      this.#notify();
    });
    const timeout = setTimeout(() => this.child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    this.result = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        clearTimeout(timeout);
        this.#notify();
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  get stdout(): string {
    return this.#stdout.join('');
  }

  get stderr(): string {
    return this.#stderr.join('');
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /**
   * Resolves with stderr once its recent part (the last 256 KiB) matches `pattern`; rejects after
   * `timeoutMs` or if the CLI exits first. The default is generous: a limit only bounds how long a failure
   * takes to show, and a CLI start on a 2-core machine shared with another suite can take many seconds.
   */
  async waitForStderr(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.#stderrTail)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`stagecraft exited before stderr matched ${pattern}:\n${this.#stderrTail.slice(-4000)}`);
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} in stderr:\n${this.#stderrTail.slice(-4000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.#waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.stderr;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Waits for exit, then asserts that nothing this run started is still running. */
  async finish(): Promise<CliResult> {
    const result = await this.result;
    await assertNoOrphans(this.marker);
    return result;
  }

  #notify(): void {
    for (const waiter of this.#waiters) waiter();
    this.#waiters.clear();
  }
}

export function startCli(args: readonly string[], options: CliOptions): CliProcess {
  return new CliProcess(args, options);
}

/** Runs `stagecraft args` to completion and checks that it left no process behind. */
export function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  return startCli(args, options).finish();
}
