import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { type CliOptions, type CliProcess, type CliResult, runCli, startCli } from '../../../../test/helpers/cli.js';
import { freePort } from '../../../../test/helpers/processes.js';
import { type StandinBin, standinBin } from '../../../../test/helpers/standins.js';
import { tempProject } from '../../../../test/helpers/temp.js';

export interface EncoreProjectOptions {
  /** encore.app "id": non-empty means linked to Encore's platform. */
  readonly appId?: string;
  readonly lang?: string;
  /** Lines of .env.local. */
  readonly env?: readonly string[];
  /** Extra YAML lines inside `dev:` (indented 8 spaces). */
  readonly dev?: readonly string[];
  /** YAML lines inside `build:` (indented 8 spaces). */
  readonly build?: readonly string[];
  /** Lines after `project:` `name:` (indented 2 spaces). */
  readonly project?: readonly string[];
  readonly listen?: string;
  /** More files (relative path → content). */
  readonly files?: Record<string, string>;
  /** Where the app lives, relative to the project root (monorepo case). */
  readonly appDir?: string;
}

export interface EncoreProject {
  readonly dir: string;
  readonly port: number;
  readonly bin: StandinBin;
  /**
   * A fresh XDG_CACHE_HOME per project: Stagecraft's version cache, and the stand-in daemon's socket
   * (`<cache>/encore/encored.sock`, as the real daemon's), so each project has its own daemon.
   */
  readonly cache: string;
  /** Pid of this project's stand-in Encore daemon, once a run or build has started it. */
  daemonPid(): number | undefined;
  run(args: readonly string[], env?: Record<string, string | undefined>, options?: Partial<CliOptions>): Promise<CliResult>;
  start(args: readonly string[], env?: Record<string, string | undefined>, options?: Partial<CliOptions>): CliProcess;
}

/** A temp Encore.ts project with the stand-in `encore` first on PATH. */
export async function encoreProject(t: TestContext, options: EncoreProjectOptions = {}): Promise<EncoreProject> {
  const port = await freePort();
  const appDir = options.appDir ?? '.';
  const app = `// created by encore app create\n{\n\t"id": ${JSON.stringify(options.appId ?? '')},\n\t"lang": ${JSON.stringify(options.lang ?? 'typescript')},\n}\n`;
  const yaml = [
    'project:',
    '  name: platform',
    ...(options.project ?? ['  registry: ghcr.io/your-org/platform']),
    'backend:',
    '  provider: encore-ts',
    '  providers:',
    '    encore-ts:',
    '      dev:',
    '        env_file: .env.local',
    `        listen: ${options.listen ?? `127.0.0.1:${port}`}`,
    ...(appDir === '.' ? [] : [`        workdir: ${appDir}`]),
    ...(options.dev ?? []),
    ...(options.build ? ['      build:', ...options.build] : []),
    '',
  ].join('\n');
  const dir = tempProject(t, {
    'stagecraft.yml': yaml,
    [`${appDir}/encore.app`]: app,
    '.env.local': `${(options.env ?? []).join('\n')}\n`,
    ...options.files,
  });
  const bin = standinBin(t, ['encore']);
  const cache = daemonCache(t);
  const cliOptions = (env: Record<string, string | undefined> = {}, extra: Partial<CliOptions> = {}): CliOptions => ({
    cwd: dir,
    path: [bin.dir],
    // The stand-in's `encore version` checks for updates first, as the real one does; these tests want it
    // quick (the version tests set their own delay). Its daemon leaves after 5 s without clients, so a test
    // that makes many projects does not keep a daemon per project alive until its end.
    env: {
      STANDIN_LOG: bin.log,
      XDG_CACHE_HOME: cache,
      STANDIN_ENCORE_UPDATE_CHECK_MS: '100',
      STANDIN_ENCORE_DAEMON_IDLE_MS: '5000',
      ...env,
    },
    ...extra,
  });
  return {
    dir,
    port,
    bin,
    cache,
    daemonPid: () => {
      const file = join(cache, 'encore', 'encored.pid');
      return existsSync(file) ? Number(readFileSync(file, 'utf8')) : undefined;
    },
    run: (args, env, extra) => runCli(args, cliOptions(env, extra)),
    start: (args, env, extra) => startCli(args, cliOptions(env, extra)),
  };
}

/** The JSON records of a --log-format json run. */
export function records(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const STANDIN = join(import.meta.dirname, 'encore-standin.mjs');

/**
 * A temp XDG_CACHE_HOME whose stand-in Encore daemon (if one was started) is stopped after the test:
 * `encore daemon stop` waits until its process is gone, then the directory is removed (which alone would
 * also make it exit). Nothing the daemon started outlives the test.
 */
function daemonCache(t: TestContext): string {
  const cache = mkdtempSync(join(tmpdir(), 'stagecraft-cache-'));
  t.after(async () => {
    try {
      await promisify(execFile)(process.execPath, [STANDIN, 'daemon', 'stop'], {
        env: { PATH: process.env.PATH, XDG_CACHE_HOME: cache },
        timeout: 60_000,
      });
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
  return cache;
}
