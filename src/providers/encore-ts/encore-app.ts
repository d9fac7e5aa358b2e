// encore.app: finding it from a workdir and parsing it (JSON with comments and trailing commas).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';
import { type Operation, StagecraftError } from '../../core/errors.js';
import { ENCORE_PROVIDER_ID } from './ids.js';

export interface EncoreApp {
  /** The directory holding encore.app: where Encore's local secret file lives. */
  readonly root: string;
  readonly file: string;
  /** The platform app ID; empty when the app is not linked to Encore's platform. */
  readonly id: string;
  readonly lang: string | undefined;
}

/**
 * Finds encore.app (a file) in `workdir` or its parents, up to the project root, as the Encore CLI does
 * (it walks further up, but a Stagecraft project must contain its app). Parses it as JSON with comments
 * and trailing commas. INVALID_PROJECT when missing or unreadable, naming the field to fix.
 */
export function findEncoreApp(workdir: string, projectRoot: string, field: string, operation: Operation): EncoreApp {
  for (let dir = workdir; ; dir = dirname(dir)) {
    const file = join(dir, 'encore.app');
    if (existsSync(file) && statSync(file).isFile()) return readEncoreApp(file, operation);
    if (relative(projectRoot, dir) === '' || dirname(dir) === dir) break;
  }
  throw new StagecraftError({
    category: 'INVALID_PROJECT',
    provider: ENCORE_PROVIDER_ID,
    operation,
    message: `no encore.app found in ${workdir} or its parents up to the project root ${projectRoot}`,
    hint: `Set ${field} to the directory of your Encore app (the one holding encore.app), or create the app with \`encore app create\`.`,
  });
}

/** Parses one encore.app file; INVALID_PROJECT when it cannot be read or is not a JSON object. */
export function readEncoreApp(file: string, operation?: Operation): EncoreApp {
  const errors: ParseError[] = [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new StagecraftError({
      category: 'INVALID_PROJECT',
      provider: ENCORE_PROVIDER_ID,
      operation,
      message: `cannot read ${file}: ${code}${code === 'EACCES' ? ' (permission denied)' : ''}`,
      hint: code === 'EACCES' ? `Make it readable: chmod u+r ${file}` : undefined,
      cause: error,
    });
  }
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first !== undefined || typeof value !== 'object' || value === null || Array.isArray(value)) {
    const where = first === undefined ? '' : ` at ${position(text, first.offset)} (${printParseErrorCode(first.error)})`;
    throw new StagecraftError({
      category: 'INVALID_PROJECT',
      provider: ENCORE_PROVIDER_ID,
      operation,
      message: `${file} is not a valid encore.app file${where}: expected a JSON object (comments and trailing commas allowed)`,
    });
  }
  const app = value as Record<string, unknown>;
  return {
    root: dirname(file),
    file,
    id: typeof app.id === 'string' ? app.id : '',
    lang: typeof app.lang === 'string' ? app.lang : undefined,
  };
}

function position(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}
