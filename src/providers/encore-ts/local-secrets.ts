import { chmodSync, lstatSync, readFileSync, realpathSync, renameSync, rmSync, type Stats, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StagecraftError } from '../../core/errors.js';
import { CueStringError, cueString, stringLiterals, topLevelFields } from './cue-text.js';
import { ENCORE_PROVIDER_ID } from './ids.js';

/** Encore's own local secret storage: next to encore.app, overrides cloud values for `encore run`. */
export const LOCAL_SECRETS_FILE = '.secrets.local.cue';

const BEGIN = '// BEGIN stagecraft-managed secrets';
const END = '// END stagecraft-managed secrets';
const BEGIN_LINE = `${BEGIN}: written by \`stagecraft dev\` from dev.encore_secrets.from_env; edits inside this block are overwritten`;

export interface SecretValue {
  readonly name: string;
  readonly value: string;
}

export interface LocalSecretsResult {
  /** The path Stagecraft manages (the link, when it is a symlink). */
  readonly file: string;
  /** The file actually written: the link's target when `file` is a symlink. */
  readonly target: string;
  /** Names written into Stagecraft's block. */
  readonly written: readonly string[];
  /** Names left alone because the file defines them at top level outside Stagecraft's block. */
  readonly definedElsewhere: readonly string[];
  /** Whether the file changed (Encore reloads on every change, so unchanged files are not rewritten). */
  readonly changed: boolean;
  /** The permission bits the file had when they let others read or write it (it is now 0600). */
  readonly tightenedFrom: number | undefined;
  /** Values of every secret in the file, Stagecraft's or not, for masking. */
  readonly allValues: readonly string[];
}

/**
 * Keeps a clearly marked Stagecraft block in `<appRoot>/.secrets.local.cue` and leaves everything else
 * alone. Values are CUE strings that read back exactly (cueString). The file is written whole to a
 * temporary file with mode 0600 and renamed over the old one, so it is never seen half-written and never
 * readable by other users. A symlink is written through (its target is replaced, the link stays); a
 * directory, a special file or an unreadable file is SECRET_SYNC_FAILED.
 */
export function updateLocalSecrets(appRoot: string, secrets: readonly SecretValue[]): LocalSecretsResult {
  const file = join(appRoot, LOCAL_SECRETS_FILE);
  const { target, stats } = resolveTarget(file);
  const before = stats === undefined ? '' : readExisting(target);
  const { outside, insert } = splitManagedBlock(before, file);
  const definedOutside = new Set(
    topLevelFields(outside.join('\n'))
      .filter((field) => !field.hidden)
      .map((field) => field.name),
  );
  const managed = secrets.filter((secret) => !definedOutside.has(secret.name));
  const block = managed.length === 0 ? [] : [BEGIN_LINE, ...managed.map(cueField), END];
  const lines = [...outside.slice(0, insert), ...block, ...outside.slice(insert)];
  const after = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  const changed = after !== before && !(before === '' && block.length === 0);
  let tightenedFrom: number | undefined;
  if (changed) writePrivately(target, after);
  else if (stats !== undefined && (stats.mode & 0o077) !== 0) {
    tightenedFrom = stats.mode & 0o777;
    tighten(target);
  }
  if (changed && stats !== undefined && (stats.mode & 0o077) !== 0) tightenedFrom = stats.mode & 0o777;
  return {
    file,
    target,
    written: managed.map((secret) => secret.name),
    definedElsewhere: secrets.filter((secret) => definedOutside.has(secret.name)).map((secret) => secret.name),
    changed,
    tightenedFrom,
    allValues: stringLiterals(after),
  };
}

function failure(message: string, cause?: unknown, hint?: string): StagecraftError {
  return new StagecraftError({ category: 'SECRET_SYNC_FAILED', provider: ENCORE_PROVIDER_ID, operation: 'dev', message, hint, cause });
}

/** The regular file to read and replace: the file itself, or a symlink's final target. */
function resolveTarget(file: string): { target: string; stats: Stats | undefined } {
  let link: Stats;
  try {
    link = lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { target: file, stats: undefined };
    throw failure(`cannot inspect ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, error);
  }
  let target = file;
  if (link.isSymbolicLink()) {
    try {
      target = realpathSync(file);
    } catch (error) {
      throw failure(
        `${file} is a symbolic link whose target cannot be reached (${(error as NodeJS.ErrnoException).code ?? String(error)}); refusing to replace the link`,
        error,
        'Point the link at an existing file, or remove the link so Stagecraft can create the file.',
      );
    }
  }
  const stats = target === file ? link : statSync(target);
  if (stats.isDirectory()) {
    throw failure(
      `${file} is a directory, not a file; Encore reads its local secrets from a file there`,
      undefined,
      `Move the directory away.`,
    );
  }
  if (!stats.isFile()) throw failure(`${file} is not a regular file; refusing to read or replace it`);
  return { target, stats };
}

function readExisting(target: string): string {
  try {
    return readFileSync(target, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw failure(`cannot read ${target}: ${code}`, error, code === 'EACCES' ? `Make it readable by you: chmod u+rw ${target}` : undefined);
  }
}

function tighten(target: string): void {
  try {
    chmodSync(target, 0o600);
  } catch (error) {
    throw failure(
      `${target} holds secrets but is readable by others, and its mode cannot be changed: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      error,
      `chmod 600 ${target}`,
    );
  }
}

/** The file's lines without Stagecraft's block, and where the block was (or goes: the end). */
function splitManagedBlock(text: string, file: string): { outside: string[]; insert: number } {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const begin = lines.findIndex((line) => line.startsWith(BEGIN));
  if (begin === -1) return { outside: lines, insert: lines.length };
  const end = lines.findIndex((line, index) => index > begin && line.startsWith(END));
  if (end === -1) {
    throw failure(
      `${file} has the start of Stagecraft's block but no "${END}" line; refusing to guess where it ends`,
      undefined,
      `Restore the END line or delete the block from "${BEGIN}" on; Stagecraft rewrites it.`,
    );
  }
  return { outside: [...lines.slice(0, begin), ...lines.slice(end + 1)], insert: begin };
}

/** `Name: "value"`; a name CUE would read as hidden (`_x`) or a definition is quoted. */
function cueField({ name, value }: SecretValue): string {
  const label = /^[A-Za-z][A-Za-z0-9_]*$/.test(name) ? name : JSON.stringify(name);
  try {
    return `${label}: ${cueString(value)}`;
  } catch (error) {
    if (!(error instanceof CueStringError)) throw error;
    throw failure(
      `the value of ${name} cannot be stored in ${LOCAL_SECRETS_FILE}: it contains ${error.message}, which is not Unicode text`,
    );
  }
}

/** Replaces `target` atomically with a 0600 file in the same directory (the link, if any, stays). */
function writePrivately(target: string, text: string): void {
  const temporary = join(dirname(target), `.${basename(target)}.stagecraft-${process.pid}.tmp`);
  try {
    writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
    chmodSync(temporary, 0o600); // in case the umask took bits away we need; never wider
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw failure(`cannot write ${target}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, error);
  }
}
