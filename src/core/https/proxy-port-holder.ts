import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface PortHolder {
  readonly pid: number;
  /** The program's name (/proc/PID/comm): never its arguments, which may hold a secret. */
  readonly command: string;
}

/**
 * Best effort, Linux only: who listens on this TCP port. /proc/net/tcp{,6} give the listening sockets'
 * inodes; the process holding one has a `socket:[inode]` link among its /proc/PID/fd. Processes of other
 * users are unreadable without privileges: then undefined, and the caller names a command that can tell.
 */
export function findPortHolder(port: number, procRoot = '/proc'): PortHolder | undefined {
  const inodes = new Set<string>();
  for (const table of ['net/tcp', 'net/tcp6']) {
    for (const inode of listeningInodes(readOr(`${procRoot}/${table}`), port)) inodes.add(inode);
  }
  if (inodes.size === 0) return undefined;
  for (const pid of listOr(procRoot)) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    for (const fd of listOr(`${procRoot}/${pid}/fd`)) {
      const target = linkOr(`${procRoot}/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined && inodes.has(inode)) return { pid: Number(pid), command: commandOf(procRoot, pid) };
    }
  }
  // The port may be held by this very process (a test holding it, or a second proxy).
  return holdsInode(procRoot, 'self', inodes) ? { pid: process.pid, command: commandOf(procRoot, 'self') } : undefined;
}

/** Inodes of sockets in LISTEN state (0A) on `port`, from one /proc/net/tcp table. */
export function listeningInodes(table: string, port: number): string[] {
  const wanted = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes: string[] = [];
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || fields[3] !== '0A') continue;
    if (fields[1]?.split(':')[1] === wanted && fields[9] !== undefined && fields[9] !== '0') inodes.push(fields[9]);
  }
  return inodes;
}

function holdsInode(procRoot: string, pid: string, inodes: ReadonlySet<string>): boolean {
  return listOr(`${procRoot}/${pid}/fd`).some((fd) => {
    const inode = /^socket:\[(\d+)\]$/.exec(linkOr(`${procRoot}/${pid}/fd/${fd}`))?.[1];
    return inode !== undefined && inodes.has(inode);
  });
}

function commandOf(procRoot: string, pid: string): string {
  return readOr(`${procRoot}/${pid}/comm`).trim() || 'unknown program';
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}

function listOr(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

function linkOr(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}
