// `dev.services.pg-init` (a oneshot): creates the PostgreSQL data directory on the first run, then exits 0.
// Usage: node services/pg-init.mjs DATA_DIR
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dataDirectory, ownedDirectory, unprivileged } from './unprivileged.mjs';

const dataDir = dataDirectory(process.argv[2] ?? '.stagecraft/pg');
if (existsSync(join(dataDir, 'PG_VERSION'))) {
  console.log(`data directory ${dataDir} exists`);
  process.exit(0);
}
ownedDirectory(dataDir);
const [program, ...args] = unprivileged(['initdb', '--auth=trust', '--username=postgres', '--encoding=UTF8', '--no-sync', '-D', dataDir]);
const result = spawnSync(program, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
