import {
  accessSync,
  chmodSync,
  chownSync,
  constants,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { StagecraftError } from '../errors.js';
import { describeExit, runToCompletion } from '../process/run-to-completion.js';
import { type Runner, SpawnError } from '../process/start-child.js';
import { isValidDomain } from './domains.js';

export const DEFAULT_HOSTS_FILE = '/etc/hosts';

export interface HostsOptions {
  /** The hosts file: /etc/hosts by default (`hostsFilePath`); tests point at a temp file. */
  readonly file: string;
  readonly projectRoot: string;
  readonly domains: readonly string[];
  /** When the file is not writable by us, write it through `sudo -n` (that edit only). */
  readonly elevate: boolean;
  readonly runner: Runner;
  /** The environment sudo runs in (its PATH); the process environment by default. */
  readonly env?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** The hosts file to edit: STAGECRAFT_HOSTS_FILE when set (tests), else /etc/hosts. */
export function hostsFilePath(env: Readonly<Record<string, string | undefined>>): string {
  return env.STAGECRAFT_HOSTS_FILE || DEFAULT_HOSTS_FILE;
}

/** The comment that marks this project's lines: `# stagecraft:<absolute project root>`. */
export function hostsMarker(projectRoot: string): string {
  const root = resolve(projectRoot);
  if (/[\r\n]/.test(root)) throw new StagecraftError({ category: 'INVALID_PROJECT', message: 'the project path contains a line break' });
  return `# stagecraft:${root}`;
}

/**
 * The line `--hosts` adds: `127.0.0.1 a b  # stagecraft:<project root>`. IPv4 only, on purpose: the proxy always
 * listens on 127.0.0.1, while ::1 may be missing (IPv6 off); a `::1` line would send clients that prefer IPv6 to
 * an address nobody may be listening on first. The design gives this form.
 */
export function hostsLine(domains: readonly string[], projectRoot: string): string {
  const bad = domains.filter((domain) => !isValidDomain(domain) || domain.startsWith('*.'));
  if (domains.length === 0 || bad.length > 0) {
    throw new StagecraftError({
      category: 'INVALID_CONFIG',
      operation: 'dev',
      message:
        domains.length === 0
          ? 'no domains for the hosts file'
          : `not a host name the hosts file can hold: ${bad.map((d) => JSON.stringify(d)).join(', ')}`,
      hint: 'The hosts file maps exact names (no wildcards): letters, digits, dashes and dots.',
    });
  }
  return `127.0.0.1 ${domains.join(' ')}  ${hostsMarker(projectRoot)}`;
}

/** The warning printed without `--hosts`: the exact line to add (or to rerun with `--hosts`). */
export function missingHostsWarning(domains: readonly string[], projectRoot: string, file = DEFAULT_HOSTS_FILE): string {
  return `${domains.join(', ')} will not resolve until ${file} has this line (or rerun with --hosts to add it for this run): ${hostsLine(domains, projectRoot)}`;
}

/**
 * Adds this project's line, after removing any it left before (a run killed by SIGKILL could not clean up).
 * Every other byte of the file is kept. Atomic: a temp file in the same directory, renamed over it.
 */
export async function addHostsEntries(options: HostsOptions): Promise<void> {
  const line = hostsLine(options.domains, options.projectRoot);
  const current = readHosts(options.file);
  const { text } = withoutProjectLines(current, options.projectRoot);
  await writeHosts(options, appendLine(text, latin1(line)));
}

/** Removes exactly this project's lines; the file is not written at all when there are none. */
export async function removeHostsEntries(options: Omit<HostsOptions, 'domains'>): Promise<void> {
  let current: string;
  try {
    current = readHosts(options.file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // no file, no lines of ours
    throw error;
  }
  const { text, removed } = withoutProjectLines(current, options.projectRoot);
  if (removed > 0) await writeHosts(options, text);
}

/**
 * The file's bytes as a latin1 string: one character per byte, so editing lines and encoding back to latin1
 * gives every byte we did not touch back exactly, whatever the file's encoding.
 */
function readHosts(file: string): string {
  return readFileSync(file).toString('latin1');
}

/** The UTF-8 bytes of `text`, as a latin1 string (to compare with and insert into `readHosts`' result). */
function latin1(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** `text` without the lines that end in this project's marker. Line endings of the rest are kept. */
export function withoutProjectLines(text: string, projectRoot: string): { text: string; removed: number } {
  const marker = latin1(hostsMarker(projectRoot));
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const kept = lines.filter(
    (line) =>
      !line
        .replace(/\r?\n$/, '')
        .trimEnd()
        .endsWith(marker),
  );
  return { text: kept.join(''), removed: lines.length - kept.length };
}

function appendLine(text: string, line: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const separator = text === '' || text.endsWith('\n') ? '' : eol;
  return `${text}${separator}${line}${eol}`;
}

async function writeHosts(options: Omit<HostsOptions, 'domains'>, text: string): Promise<void> {
  const target = realpathSync(options.file); // a symlinked hosts file (NixOS): edit what it points at
  const content = Buffer.from(text, 'latin1');
  if (writableByUs(target)) {
    writeDirectly(target, content);
    return;
  }
  if (!options.elevate) {
    throw new StagecraftError({
      category: 'PROVIDER_NOT_AVAILABLE',
      operation: 'dev',
      message: `cannot write ${target}: permission denied`,
      hint: 'Rerun with --hosts to edit it through `sudo -n`, or add the line yourself.',
    });
  }
  await writeHostsElevated(options, target, content);
}

/** Writable by this process: the file itself and its directory (for the temp file and the rename). */
function writableByUs(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    accessSync(dirname(file), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function writeDirectly(target: string, content: Buffer): void {
  const stats = statSync(target);
  const temp = join(dirname(target), `.${basename(target)}.stagecraft-${process.pid}.tmp`);
  rmSync(temp, { force: true });
  try {
    writeFileSync(temp, content, { flag: 'wx' });
    // A rename keeps the temp file's own mode and owner: give it the original's (the umask does not apply to chmod).
    chmodSync(temp, stats.mode & 0o7777);
    if (process.getuid?.() !== stats.uid || process.getgid?.() !== stats.gid) chownSync(temp, stats.uid, stats.gid);
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    // Docker bind-mounts /etc/hosts: it cannot be renamed over (EBUSY). A file owned by someone else cannot be
    // handed back to its owner by us (EPERM). Then rewrite it in place, in one write call (not atomic).
    if (code !== 'EBUSY' && code !== 'EPERM') throw error;
    writeFileSync(target, content);
  }
}

/**
 * The elevated write, as two fixed commands through `sudo -n` (no shell, no node script as root, nothing that
 * prompts: -n fails at once when sudo wants a password): `install` copies our temp file next to the hosts file
 * with its mode and owner, `mv` renames it over the hosts file (atomic: same directory). Only these two commands
 * run as root, so a sudoers rule can allow exactly them.
 */
export function elevatedCommands(source: string, target: string, stats: { mode: number; uid: number; gid: number }): string[][] {
  const staged = join(dirname(target), `.${basename(target)}.stagecraft.tmp`);
  const mode = (stats.mode & 0o7777).toString(8);
  return [
    ['-n', 'install', '-m', mode, '-o', String(stats.uid), '-g', String(stats.gid), source, staged],
    ['-n', 'mv', '-f', staged, target],
  ];
}

/** The write through `sudo -n` (exported for its test, which runs it with a runner that drops the `sudo -n`). */
export async function writeHostsElevated(options: Omit<HostsOptions, 'domains'>, target: string, content: Buffer): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-hosts-'));
  try {
    const source = join(dir, 'hosts');
    writeFileSync(source, content, { mode: 0o644 });
    for (const args of elevatedCommands(source, target, statSync(target))) await runSudo(options, args, target);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runSudo(options: Omit<HostsOptions, 'domains'>, args: readonly string[], target: string): Promise<void> {
  const lines: string[] = [];
  const env = options.env ?? stringEnv(process.env);
  let failure: string;
  try {
    const result = await runToCompletion(options.runner, 'sudo', args, {
      cwd: dirname(target),
      env,
      signal: options.signal,
      timeoutMs: 60_000,
      onLine: (line) => void lines.push(line),
    });
    if (result.code === 0) return;
    failure = describeExit(result);
  } catch (error) {
    if (!(error instanceof SpawnError)) throw error;
    failure = `could not start sudo: ${error.code}`;
  }
  throw new StagecraftError({
    category: 'PROVIDER_NOT_AVAILABLE',
    operation: 'dev',
    message: `could not edit ${target} through sudo -n (${failure})`,
    detail: lines.slice(-5).join('\n'),
    hint: 'Run `sudo -v` first so sudo does not need to ask for a password, or add the line yourself and drop --hosts.',
  });
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
