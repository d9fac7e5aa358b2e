import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { basename } from 'node:path';

export interface PortHolder {
  readonly pid: number;
  /** argv of the holding process, as /proc/<pid>/cmdline gives it. */
  readonly argv: readonly string[];
}

/**
 * The process that listens on TCP `port` (any local address), found through /proc on Linux: the socket's
 * inode in /proc/net/tcp{,6}, then the process holding that inode among its fds. Undefined when it
 * cannot be told (no /proc, another user's process, gone meanwhile).
 */
export function findPortHolder(port: number): PortHolder | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    if (holdsSocket(entry, inodes)) {
      try {
        const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
        return { pid: Number(entry), argv };
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const local = fields[1];
      if (fields[3] === '0A' && local?.endsWith(`:${hexPort}`) && fields[9] && fields[9] !== '0') inodes.add(fields[9]);
    }
  }
  return inodes;
}

function holdsSocket(pid: string, inodes: Set<string>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (target.startsWith('socket:[') && inodes.has(target.slice(8, -1))) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

/**
 * Whether `holder` is Encore's own daemon: `<encore> daemon …`, where <encore> is the binary Stagecraft
 * runs (compared by real path; a script's interpreter may come first) or any executable named encore.
 */
export function isEncoreDaemon(holder: PortHolder, encorePath: string): boolean {
  const daemonAt = holder.argv.indexOf('daemon');
  if (daemonAt < 1) return false;
  const encore = realPath(encorePath);
  return holder.argv.slice(0, daemonAt).some((arg) => basename(arg) === 'encore' || realPath(arg) === encore);
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
