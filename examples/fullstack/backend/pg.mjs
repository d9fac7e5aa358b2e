// The smallest PostgreSQL client this example needs (no npm install): connect with trust authentication and run
// one simple query (protocol 3.0, "simple query" flow). Rows come back as text. A real app uses `pg` or `postgres`.
import { connect } from 'node:net';

export function query(databaseUrl, sql) {
  const url = new URL(databaseUrl);
  const user = decodeURIComponent(url.username || 'postgres');
  const database = decodeURIComponent(url.pathname.slice(1) || 'postgres');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port || 5432), url.hostname);
    const rows = [];
    let buffer = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('connect', () => socket.write(startup(user, database)));
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 5 && buffer.length >= 1 + buffer.readInt32BE(1)) {
        const type = String.fromCharCode(buffer[0]);
        const body = buffer.subarray(5, 1 + buffer.readInt32BE(1));
        buffer = buffer.subarray(1 + buffer.readInt32BE(1));
        if (type === 'R' && body.readInt32BE(0) !== 0)
          return fail(new Error('the server asks for a password: this client speaks trust only'));
        if (type === 'E') return fail(new Error(errorText(body)));
        if (type === 'D') rows.push(dataRow(body));
        if (type === 'Z' && sql !== undefined) {
          socket.write(message('Q', Buffer.from(`${sql}\0`)));
          sql = undefined;
        } else if (type === 'Z') {
          socket.end(message('X', Buffer.alloc(0)));
          resolve(rows);
        }
      }
    });
    const fail = (error) => {
      socket.destroy();
      reject(error);
    };
  });
}

function startup(user, database) {
  const params = Buffer.from(`user\0${user}\0database\0${database}\0\0`);
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + params.length, 0);
  head.writeInt32BE(196608, 4); // protocol 3.0
  return Buffer.concat([head, params]);
}

function message(type, body) {
  const head = Buffer.alloc(5);
  head.write(type, 0);
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

function dataRow(body) {
  const values = [];
  let offset = 2;
  for (let column = 0; column < body.readInt16BE(0); column++) {
    const length = body.readInt32BE(offset);
    offset += 4;
    values.push(length < 0 ? null : body.toString('utf8', offset, offset + length));
    offset += Math.max(length, 0);
  }
  return values;
}

function errorText(body) {
  const fields = body.toString('utf8').split('\0');
  return fields.find((field) => field.startsWith('M'))?.slice(1) ?? 'PostgreSQL error';
}
