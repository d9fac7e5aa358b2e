/**
 * One container as `ps --format json` shows it, from whichever tool printed it:
 * - Compose v2 `compose ps --format json`: a JSON array before v2.21, one JSON object per line since
 *   (fields Name, Service, State, Health, ExitCode, Publishers; Labels as `k=v,k=v` in the line format);
 * - Docker's `docker ps --format json`: one object per line (Names, State, Status "Up 2 minutes (healthy)",
 *   Labels as `k=v,k=v`);
 * - Podman's `podman ps --format json`: an array (Names as a list, Labels as an object, ExitCode, State).
 */
export interface ContainerState {
  readonly name: string;
  readonly service: string;
  /** running, exited, created, restarting, paused, dead… (lower case). */
  readonly state: string;
  /** healthy, unhealthy, starting, or '' when the container has no health check. */
  readonly health: string;
  readonly exitCode: number | undefined;
  /** com.docker.compose.project.working_dir, when the tool shows labels. */
  readonly workingDir: string | undefined;
}

const SERVICE_LABEL = 'com.docker.compose.service';
const WORKING_DIR_LABEL = 'com.docker.compose.project.working_dir';

/** Parses either output style: a JSON array, or JSON lines (blank and non-JSON lines, such as notices, skipped). */
export function parseContainers(output: string): ContainerState[] {
  const trimmed = output.trim();
  if (trimmed === '') return [];
  const records: unknown[] = trimmed.startsWith('[') ? arrayOf(trimmed) : linesOf(trimmed);
  return records.filter(isRecord).map(toContainer);
}

function arrayOf(text: string): unknown[] {
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed : [];
}

function linesOf(text: string): unknown[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as unknown);
}

function toContainer(record: Record<string, unknown>): ContainerState {
  const labels = labelsOf(record.Labels);
  const status = typeof record.Status === 'string' ? record.Status : '';
  return {
    name: nameOf(record),
    service: typeof record.Service === 'string' && record.Service !== '' ? record.Service : (labels[SERVICE_LABEL] ?? ''),
    state: String(record.State ?? '').toLowerCase(),
    health: typeof record.Health === 'string' ? record.Health : healthFromStatus(status),
    exitCode: typeof record.ExitCode === 'number' ? record.ExitCode : exitCodeFromStatus(status),
    workingDir: labels[WORKING_DIR_LABEL],
  };
}

function nameOf(record: Record<string, unknown>): string {
  if (typeof record.Name === 'string') return record.Name;
  if (Array.isArray(record.Names)) return String(record.Names[0] ?? '');
  return typeof record.Names === 'string' ? (record.Names.split(',')[0] ?? '') : '';
}

/** Labels as an object (podman, Compose's array format) or as Docker's `k=v,k=v` string. */
function labelsOf(value: unknown): Record<string, string> {
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, label]) => [key, String(label)]));
  if (typeof value !== 'string') return {};
  const labels: Record<string, string> = {};
  for (const pair of value.split(',')) {
    const equals = pair.indexOf('=');
    if (equals > 0) labels[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return labels;
}

/** Docker's Status text: "Up 5 seconds (healthy)", "Up 2 seconds (health: starting)", "Up 1 minute (unhealthy)". */
function healthFromStatus(status: string): string {
  const match = /\((healthy|unhealthy|health: starting)\)/.exec(status);
  if (match === null) return '';
  return match[1] === 'health: starting' ? 'starting' : (match[1] as string);
}

/** "Exited (137) 3 seconds ago" → 137. */
function exitCodeFromStatus(status: string): number | undefined {
  const match = /^Exited \((-?\d+)\)/.exec(status);
  return match ? Number(match[1]) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
