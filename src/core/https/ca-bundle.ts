import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StagecraftError } from '../errors.js';
import { certsDir, ensureDevStateDir, writeFileAtomic } from './dev-dir.js';

export interface NodeCaOptions {
  readonly projectRoot: string;
  /** The environment the Node component would otherwise get. */
  readonly env: Readonly<Record<string, string>>;
  /** The mkcert root: `$(mkcert -CAROOT)/rootCA.pem`. */
  readonly caFile: string;
}

/** `.stagecraft/dev/certs/ca-bundle.pem`: the user's own extra CAs plus the mkcert root. */
export function caBundlePath(projectRoot: string): string {
  return join(certsDir(projectRoot), 'ca-bundle.pem');
}

/**
 * What a Node component's environment needs to trust the mkcert CA: `NODE_EXTRA_CA_CERTS`. Node reads only one
 * such file, so when the environment already names one (a corporate CA), that file is never overwritten:
 * Stagecraft writes a bundle of it plus the mkcert root and points there instead.
 */
export function nodeCaEnvironment(options: NodeCaOptions): Record<string, string> {
  const existing = options.env.NODE_EXTRA_CA_CERTS;
  if (existing === undefined || existing === '') return { NODE_EXTRA_CA_CERTS: options.caFile };
  const bundle = caBundlePath(options.projectRoot);
  const userFile = resolve(options.projectRoot, existing);
  // Already ours (a nested run) or already the mkcert root: nothing to add.
  if (userFile === bundle || userFile === resolve(options.caFile)) return { NODE_EXTRA_CA_CERTS: userFile };
  const userCas = readCaFile(userFile, 'NODE_EXTRA_CA_CERTS');
  const mkcertCa = readCaFile(options.caFile, 'the mkcert CA');
  ensureDevStateDir(options.projectRoot);
  const content = [
    `# Written by Stagecraft: the CAs of NODE_EXTRA_CA_CERTS (${userFile}), then the mkcert root (${options.caFile}).`,
    withNewline(userCas),
    withNewline(mkcertCa),
  ].join('\n');
  writeFileAtomic(bundle, content, 0o644);
  return { NODE_EXTRA_CA_CERTS: bundle };
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

function readCaFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new StagecraftError({
      category: 'INVALID_PROJECT',
      operation: 'dev',
      message: `cannot read ${what} at ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      hint: 'Point NODE_EXTRA_CA_CERTS at a readable PEM file, or unset it.',
      cause: error,
    });
  }
}
