import { dockerStatus, fail, ok, portIsFree } from '../../core/doctor-checks.js';
import { resolveProjectPath } from '../../core/paths.js';
import { findExecutable } from '../../core/process/executable.js';
import type { DoctorCheck, DoctorOptions } from '../../core/provider.js';
import { type GenericConfig, parseHostPort } from './schema.js';

/** Doctor for the generic provider: the dev command, the port it will listen on, docker for builds. */
export async function genericDoctor(options: DoctorOptions<GenericConfig>): Promise<DoctorCheck[]> {
  const { config, projectRoot } = options;
  const checks: DoctorCheck[] = [];
  const dev = config.dev;
  if (dev !== undefined) {
    const [program] = dev.command as [string];
    const env = { ...options.env, ...dev.env };
    const found = findExecutable(program, env.PATH, resolveProjectPath(projectRoot, dev.workdir));
    checks.push(
      found.found
        ? ok('dev command', `${program} → ${found.path}`)
        : fail('dev command', found.problem, 'Install it, or fix backend.providers.generic.dev.command.'),
    );
    const tcp = dev.ready?.tcp === undefined ? undefined : parseHostPort(dev.ready.tcp);
    if (tcp !== undefined) {
      const port = await portIsFree(tcp.host, tcp.port);
      checks.push(
        port.free
          ? ok('port', `${dev.ready?.tcp} is free`)
          : fail('port', `${dev.ready?.tcp} ${port.problem}`, 'Stop what holds it, or use stagecraft dev --listen HOST:PORT.'),
      );
    }
  }
  const docker = await dockerStatus(options.runner, options.env);
  if (docker.server) checks.push(ok('docker', `daemon ${docker.server} (for stagecraft build)`));
  else if (docker.client)
    checks.push(fail('docker', `no Docker daemon answers: ${docker.problem}`, 'Start Docker (stagecraft build runs docker build).'));
  else checks.push(fail('docker', docker.problem ?? 'docker not found', 'Install Docker: https://docs.docker.com/get-docker/'));
  return checks;
}
