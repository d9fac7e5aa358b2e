import { resolveProjectPath } from '../paths.js';
import { findExecutable } from '../process/executable.js';
import type { DoctorCheck } from '../provider.js';
import { fail, listenPortCheck, ok } from './doctor-checks.js';
import type { ReadySpec } from './process-schema.js';

export interface ProcessDoctorOptions {
  /** Names the checks: "dev command" for a lone backend, "db" for a service. */
  readonly name: string;
  /** Names the port check; default "<name> port". */
  readonly portName?: string;
  readonly command: readonly string[];
  readonly workdir: string;
  readonly ready: ReadySpec | undefined;
  readonly projectRoot: string;
  readonly env: Readonly<Record<string, string>>;
  /** The config field of the command, for the fix: "backend.providers.generic.dev.command". */
  readonly commandField: string;
}

/** Doctor for a process of the one process schema: its program is found, and its TCP readiness port is free. */
export async function processChecks(options: ProcessDoctorOptions): Promise<DoctorCheck[]> {
  const [program] = options.command as [string];
  const found = findExecutable(program, options.env.PATH, resolveProjectPath(options.projectRoot, options.workdir));
  const checks = [
    found.found
      ? ok(options.name, `${program} → ${found.path}`)
      : fail(options.name, found.problem, `Install it, or fix ${options.commandField}.`),
  ];
  const port =
    options.ready?.tcp === undefined
      ? undefined
      : await listenPortCheck(options.portName ?? `${options.name} port`, options.ready.tcp, 'name');
  if (port !== undefined) checks.push(port);
  return checks;
}
