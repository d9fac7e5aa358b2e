import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StagecraftError } from '../../core/errors.js';
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
  readonly file: string;
  /** Names written into Stagecraft's block. */
  readonly written: readonly string[];
  /** Names left alone because the file defines them outside Stagecraft's block. */
  readonly definedElsewhere: readonly string[];
  /** Whether the file changed (Encore reloads on every change, so unchanged files are not rewritten). */
  readonly changed: boolean;
  /** Values of every secret in the file, Stagecraft's or not, for masking. */
  readonly allValues: readonly string[];
}

/**
 * Keeps a clearly marked Stagecraft block in `<appRoot>/.secrets.local.cue` and leaves every other line
 * alone. Values are CUE strings (JSON string escaping is valid CUE). The file is written whole to a
 * temporary file with mode 0600 and renamed over the old one, so it is never seen half-written and never
 * readable by other users.
 */
export function updateLocalSecrets(appRoot: string, secrets: readonly SecretValue[]): LocalSecretsResult {
  const file = join(appRoot, LOCAL_SECRETS_FILE);
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const { outside, insert } = splitManagedBlock(before, file);
  const definedOutside = definedNames(outside);
  const managed = secrets.filter((secret) => !definedOutside.has(secret.name));
  const block = managed.length === 0 ? [] : [BEGIN_LINE, ...managed.map(cueField), END];
  const lines = [...outside.slice(0, insert), ...block, ...outside.slice(insert)];
  const after = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  const changed = after !== before && !(before === '' && block.length === 0);
  if (changed) writePrivately(file, after);
  return {
    file,
    written: managed.map((secret) => secret.name),
    definedElsewhere: secrets.filter((secret) => definedOutside.has(secret.name)).map((secret) => secret.name),
    changed,
    allValues: [...stringValues(after)],
  };
}

/** The file's lines without Stagecraft's block, and where the block was (or goes: the end). */
function splitManagedBlock(text: string, file: string): { outside: string[]; insert: number } {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const begin = lines.findIndex((line) => line.startsWith(BEGIN));
  if (begin === -1) return { outside: lines, insert: lines.length };
  const end = lines.findIndex((line, index) => index > begin && line.startsWith(END));
  if (end === -1) {
    throw new StagecraftError({
      category: 'SECRET_SYNC_FAILED',
      provider: ENCORE_PROVIDER_ID,
      operation: 'dev',
      message: `${file} has the start of Stagecraft's block but no "${END}" line; refusing to guess where it ends`,
      hint: `Restore the END line or delete the block from "${BEGIN}" on; Stagecraft rewrites it.`,
    });
  }
  return { outside: [...lines.slice(0, begin), ...lines.slice(end + 1)], insert: begin };
}

/** Names a CUE file defines at top level: `Name: ...` or `"Name": ...`. */
function definedNames(lines: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const line of lines) {
    const match = /^\s*(?:"([^"\\]+)"|([A-Za-z_$][A-Za-z0-9_$]*))\s*:/.exec(line);
    const name = match?.[1] ?? match?.[2];
    if (name) names.add(name);
  }
  return names;
}

/** `Name: "value"`; a name CUE would read as hidden (`_x`) is quoted. */
function cueField({ name, value }: SecretValue): string {
  const label = /^[A-Za-z][A-Za-z0-9_]*$/.test(name) ? name : JSON.stringify(name);
  return `${label}: ${JSON.stringify(value)}`;
}

/** Every double-quoted string value in the file (for masking whatever secrets the user keeps there). */
function* stringValues(text: string): Generator<string> {
  for (const match of text.matchAll(/:\s*("(?:[^"\\\n]|\\.)*")/g)) {
    try {
      const value = JSON.parse(match[1] as string) as string;
      if (value !== '') yield value;
    } catch {
      // Not JSON-compatible CUE (interpolation, say): nothing we can mask reliably.
    }
  }
}

function writePrivately(file: string, text: string): void {
  const temporary = `${file}.stagecraft-${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
    chmodSync(temporary, 0o600); // in case the umask took bits away we need; never wider
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new StagecraftError({
      category: 'SECRET_SYNC_FAILED',
      provider: ENCORE_PROVIDER_ID,
      operation: 'dev',
      message: `cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      cause: error,
    });
  }
}
