// The "frontend": a plain Node server (no framework to install) serving one page that calls the backend at the
// URL Stagecraft gives it (API_URL, from STAGECRAFT_BACKEND_URL).
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 54331);
const api = process.env.API_URL ?? '';
const page = `<!doctype html><meta charset="utf-8"><title>fullstack</title>
<h1>Stagecraft fullstack example</h1><pre id="out">calling ${api} …</pre>
<script>fetch(${JSON.stringify(api)}).then((r) => r.json()).then((body) => { out.textContent = JSON.stringify(body, null, 2); })</script>`;
const server = createServer((_req, res) => {
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end(page);
});
server.listen(port, '127.0.0.1', () => console.log(`web ready on http://127.0.0.1:${port}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
