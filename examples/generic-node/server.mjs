// A tiny HTTP server: what `stagecraft dev` runs in this example.
import { createServer } from 'node:http';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3000);
const greeting = process.env.GREETING ?? 'hello';

const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ greeting, path: req.url }));
});

server.listen(port, host, () => {
  console.log(`listening on http://${host}:${port}`);
});

// Stop cleanly on the stop signal Stagecraft sends (SIGTERM by default).
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    console.log(`${signal} received, closing`);
    server.close(() => process.exit(0));
  });
}
