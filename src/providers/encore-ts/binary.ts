// Locating the `encore` binary and reading its version (cached per install).
import { type Operation, StagecraftError } from '../../core/errors.js';
import type { Logger } from '../../core/logging/logger.js';
import { requireExecutable } from '../../core/process/executable.js';
import type { Runner } from '../../core/process/start-child.js';
import { stopProcessGroup } from '../../core/process/stop.js';
import { ENCORE_PROVIDER_ID } from './ids.js';
import { compareVersions, formatVersion, MINIMUM_VERSION, parseEncoreVersion, parseVersion, type Version } from './version.js';
import { readCachedVersion, writeCachedVersion } from './version-cache.js';

export const ENCORE_INSTALL_HINT =
  'Install Encore: curl -L https://encore.dev/install.sh | bash (see https://encore.dev/docs/ts/install), then make sure `encore` is on PATH.';

/**
 * How long `encore version` gets to print its line. It checks for updates FIRST, for up to 10 s, and
 * only then prints the version (cli/cmd/encore/version.go), so an offline machine waits that long.
 */
const VERSION_TIMEOUT_MS = 15_000;

export interface EncoreBinary {
  readonly path: string;
  /** Undefined when the version could not be read (dev builds, unexpected output): assume it is current. */
  readonly version: Version | undefined;
}

export interface LocateOptions {
  readonly runner: Runner;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly operation: Operation;
}

/** `encore` on PATH, at a supported version; PROVIDER_NOT_AVAILABLE otherwise. */
export async function locateEncore(options: LocateOptions): Promise<EncoreBinary> {
  const path = requireExecutable('encore', {
    env: options.env,
    cwd: options.cwd,
    provider: ENCORE_PROVIDER_ID,
    operation: options.operation,
    installHint: ENCORE_INSTALL_HINT,
  });
  const line = await versionLine(path, options);
  const version = line === undefined ? undefined : parseEncoreVersion(line);
  if (version === undefined) {
    options.logger.warn(
      `could not read the Encore version (\`encore version\` printed ${line === undefined ? 'nothing' : JSON.stringify(line)}); continuing as if it were current`,
    );
    return { path, version };
  }
  options.logger.debug(`found encore ${formatVersion(version)} at ${path}`);
  const minimum = parseVersion(MINIMUM_VERSION);
  if (compareVersions(version, minimum) < 0) {
    throw new StagecraftError({
      category: 'PROVIDER_NOT_AVAILABLE',
      provider: ENCORE_PROVIDER_ID,
      operation: options.operation,
      message: `encore ${formatVersion(version)} is too old: Stagecraft needs ${formatVersion(minimum)} or later (found at ${path})`,
      hint: 'Update Encore with `encore version update`.',
    });
  }
  return { path, version };
}

/** Whether the found version has a flag; unknown versions are assumed to have everything. */
export function supports(binary: EncoreBinary, since: string): boolean {
  return binary.version === undefined || compareVersions(binary.version, parseVersion(since)) >= 0;
}

/**
 * The first stdout line of `encore version`. The real binary checks for updates over the network (up to
 * 10 s), then prints its version, then exits 1 if the check failed, or prints an update notice (or even
 * upgrades itself): only the first line is awaited, its exit code is ignored and the rest of its process
 * group is stopped. A successful read is cached per binary, so this wait is paid once per install.
 */
async function versionLine(path: string, options: LocateOptions): Promise<string | undefined> {
  const cached = readCachedVersion(path, options.env);
  if (cached !== undefined) return cached;
  let resolveLine: (line: string | undefined) => void = () => {};
  const firstLine = new Promise<string | undefined>((resolve) => {
    resolveLine = resolve;
  });
  const child = options.runner.start(path, ['version'], {
    cwd: options.cwd,
    env: options.env,
    onLine(line, stream) {
      if (stream === 'stdout') resolveLine(line.trim());
    },
  });
  const timer = setTimeout(() => resolveLine(undefined), VERSION_TIMEOUT_MS);
  const onAbort = () => resolveLine(undefined);
  options.signal.addEventListener('abort', onAbort, { once: true });
  // Output is fully read before `exit` settles, so a first line, if any, has been seen by then.
  child.exit.then(
    () => resolveLine(undefined),
    () => resolveLine(undefined),
  );
  try {
    const line = await firstLine;
    if (line !== undefined && parseEncoreVersion(line) !== undefined) writeCachedVersion(path, options.env, line);
    return line;
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
    // The update check is of no use to us; the real client dies at once on SIGTERM.
    await stopProcessGroup(child, { signal: 'SIGTERM', graceMs: 1000 });
    options.signal.throwIfAborted();
  }
}
