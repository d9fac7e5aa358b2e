// `dev.services.db`: PostgreSQL on 127.0.0.1:PORT (TCP only: no unix socket, whose path has a length limit).
// Usage: node services/pg-run.mjs DATA_DIR PORT
// Stagecraft stops the whole process group (postgres included) with SIGINT, PostgreSQL's "fast shutdown";
// this launcher leaves the signal to postgres and exits with its status once it has shut down.
import { spawn } from 'node:child_process';
import { dataDirectory, unprivileged } from './unprivileged.mjs';

const [dataDir = '.stagecraft/pg', port = '54329'] = process.argv.slice(2);
const argv = unprivileged(['postgres', '-D', dataDirectory(dataDir), '-p', port, '-h', '127.0.0.1', '-c', 'unix_socket_directories=']);
const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
