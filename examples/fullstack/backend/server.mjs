// The backend: answers GET / with a greeting and what PostgreSQL says, over DATABASE_URL (built by Stagecraft
// from STAGECRAFT_SERVICE_DB_URL in stagecraft.yml).
import { createServer } from 'node:http';
import { query } from './pg.mjs';

const port = Number(process.env.PORT ?? 54330);
const server = createServer(async (_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.setHeader('access-control-allow-origin', '*');
  try {
    const [[version, visits]] = await query(
      process.env.DATABASE_URL,
      "insert into visits default values; select split_part(version(), ' ', 2), count(*)::text from visits",
    );
    res.end(JSON.stringify({ greeting: 'hello from the backend', postgres: version, visits: Number(visits) }));
  } catch (error) {
    res.statusCode = 500;
    res.end(JSON.stringify({ error: String(error.message) }));
  }
});
server.listen(port, '127.0.0.1', () => console.log(`backend listening on http://127.0.0.1:${port}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
