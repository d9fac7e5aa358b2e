import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StagecraftError } from '../errors.js';
import { type EnvEntry, EnvSyntaxError, type Part, parseEnvFile, type Reference } from './env-file.js';

export interface EnvironmentFile {
  /** Absolute path. */
  readonly path: string;
  /** Where the file was named, for messages: "environments.dev.env_file". */
  readonly source: string;
}

export interface ComposedEnvironment {
  readonly env: Record<string, string>;
  /** Variables that a file referenced as plain `${NAME}` but nothing defined, by file. */
  readonly unresolved: readonly { readonly file: string; readonly names: readonly string[] }[];
}

/** Env files larger than this are refused (real ones are a few KB; a secret of 1 MiB still fits). */
export const MAX_ENV_FILE_BYTES = 16 * 2 ** 20;
/** A value that expands beyond this is refused: `A=${B}${B}`, `B=${C}${C}`, ... doubles at each step. */
export const MAX_EXPANDED_CHARS = 16 * 2 ** 20;
/** Longest chain of references followed from one value (A needs B needs C ...). */
const MAX_CHAIN = 1000;

/**
 * Builds an environment from dotenv files and the process environment, lowest precedence first:
 * each file in order, then the process environment, so `KEY=x stagecraft dev` beats any file (as with
 * Node's own --env-file). A `${NAME}` reference sees that same final precedence: the process value if
 * set, else the highest file defining NAME, wherever in that file the definition stands. Inside NAME's
 * own definition, `${NAME}` means the value below it (`PATH=${PATH}:/x` extends the earlier one).
 */
export function composeEnvironment(files: readonly EnvironmentFile[], processEnv: NodeJS.ProcessEnv): ComposedEnvironment {
  const layers = files.map((file) => ({ file, entries: definitions(readEntries(file)), unresolved: new Set<string>() }));
  const resolver = new Resolver(layers, processEnv);
  const fromFiles: Record<string, string> = {};
  for (const layer of layers) {
    for (const name of layer.entries.keys()) {
      if (processEnv[name] !== undefined || Object.hasOwn(fromFiles, name)) continue;
      const value = resolver.final(name);
      if (value !== undefined) fromFiles[name] = value;
    }
  }
  const unresolved = layers
    .filter((layer) => layer.unresolved.size > 0)
    .map((layer) => ({ file: layer.file.path, names: [...layer.unresolved] }));
  return { env: { ...fromFiles, ...processEnvironment(processEnv) }, unresolved };
}

/** The process environment as a plain record (undefined entries dropped). */
export function processEnvironment(processEnv: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(processEnv)) {
    if (value !== undefined) env[name] = value;
  }
  return env;
}

interface Layer {
  readonly file: EnvironmentFile;
  readonly entries: ReadonlyMap<string, EnvEntry>;
  readonly unresolved: Set<string>;
}

/** The last definition of each name (a later line overrides an earlier one, as in a shell). */
function definitions(entries: readonly EnvEntry[]): Map<string, EnvEntry> {
  const byName = new Map<string, EnvEntry>();
  for (const entry of entries) byName.set(entry.name, entry);
  return byName;
}

function readEntries(file: EnvironmentFile): EnvEntry[] {
  let text: string;
  try {
    text = readSmallFile(file.path);
  } catch (error) {
    if (error instanceof StagecraftError) throw error;
    throw new StagecraftError({
      category: 'INVALID_CONFIG',
      message: `${file.source}: cannot read ${file.path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      cause: error,
    });
  }
  try {
    return parseEnvFile(text);
  } catch (error) {
    if (error instanceof EnvSyntaxError) throw envFileError(file, error.line, error.message);
    throw error;
  }
}

function readSmallFile(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_ENV_FILE_BYTES) {
      throw new StagecraftError({
        category: 'INVALID_CONFIG',
        message: `${path}: expected at most ${MAX_ENV_FILE_BYTES} bytes, found ${size}`,
      });
    }
    const buffer = Buffer.alloc(size);
    const read = readSync(fd, buffer, 0, size, 0);
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** INVALID_CONFIG naming the file, the line and where the file was configured. Never quotes a value. */
function envFileError(file: EnvironmentFile, line: number, message: string): StagecraftError {
  return new StagecraftError({ category: 'INVALID_CONFIG', message: `${file.path}:${line}: ${message} (${file.source})` });
}

/** Evaluates definitions on demand, once each, following references in final precedence. */
class Resolver {
  readonly #values = new Map<string, string>();
  readonly #inProgress: string[] = [];

  constructor(
    readonly layers: readonly Layer[],
    readonly processEnv: NodeJS.ProcessEnv,
  ) {}

  /** The value NAME has in the final environment. */
  final(name: string): string | undefined {
    return this.processEnv[name] ?? this.#fromLayers(name, this.layers.length - 1);
  }

  /** The value of the highest definition of NAME in layers 0..top. */
  #fromLayers(name: string, top: number): string | undefined {
    for (let index = top; index >= 0; index--) {
      const entry = this.layers[index]?.entries.get(name);
      if (entry !== undefined) return this.#evaluateEntry(index, entry);
    }
    return undefined;
  }

  #evaluateEntry(index: number, entry: EnvEntry): string {
    const key = `${index}\u0000${entry.name}`;
    const known = this.#values.get(key);
    if (known !== undefined) return known;
    const layer = this.layers[index] as Layer;
    if (this.#inProgress.includes(key)) {
      const names = [...this.#inProgress.slice(this.#inProgress.indexOf(key)), key].map((item) => item.split('\u0000')[1]);
      throw envFileError(layer.file, entry.line, `references form a cycle: ${names.join(' → ')}`);
    }
    if (this.#inProgress.length >= MAX_CHAIN) {
      throw envFileError(layer.file, entry.line, `references are chained more than ${MAX_CHAIN} deep`);
    }
    this.#inProgress.push(key);
    // Inside NAME's own definition, ${NAME} is the value below this one, not itself.
    const lookup = (name: string) => (name === entry.name ? this.#fromLayers(name, index - 1) : this.final(name));
    const value = this.#evaluate(entry.parts, { layer, entry, lookup });
    this.#inProgress.pop();
    this.#values.set(key, value);
    return value;
  }

  #evaluate(parts: readonly Part[], scope: Scope): string {
    let text = '';
    for (const part of parts) {
      text += typeof part === 'string' ? part : this.#expand(part, scope);
      if (text.length > MAX_EXPANDED_CHARS) {
        throw envFileError(scope.layer.file, scope.entry.line, `${scope.entry.name} expands to more than ${MAX_EXPANDED_CHARS} characters`);
      }
    }
    return text;
  }

  #expand(reference: Reference, scope: Scope): string {
    const value = scope.lookup(reference.name);
    const set = value !== undefined;
    const nonEmpty = set && value !== '';
    switch (reference.operator) {
      case '':
        if (!set) scope.layer.unresolved.add(reference.name);
        return value ?? '';
      case ':-':
        return nonEmpty ? value : this.#evaluate(reference.operand, scope);
      case '-':
        return set ? value : this.#evaluate(reference.operand, scope);
      case ':+':
        return nonEmpty ? this.#evaluate(reference.operand, scope) : '';
      case '+':
        return set ? this.#evaluate(reference.operand, scope) : '';
      case ':?':
      case '?':
        if (reference.operator === ':?' ? nonEmpty : set) return value as string;
        throw envFileError(
          scope.layer.file,
          reference.line,
          `required variable ${reference.name} is ${set ? 'empty' : 'not set'}${reference.operandText ? `: ${reference.operandText}` : ''}`,
        );
    }
  }
}

interface Scope {
  readonly layer: Layer;
  readonly entry: EnvEntry;
  readonly lookup: (name: string) => string | undefined;
}
