/**
 * The pages the proxy answers itself: 502 when a component's upstream does not answer, 404 for a host it
 * does not serve. Plain HTML a developer reads in the browser tab where the app should have been.
 */

export interface BadGatewayPage {
  readonly host: string;
  readonly component: string;
  readonly state: string;
  readonly upstream: string;
  /** The dial error's code or message (ECONNREFUSED, ...). */
  readonly reason: string;
}

export function badGatewayHtml(page: BadGatewayPage): string {
  const title = `502 · ${page.component} is ${page.state}`;
  const advice =
    page.state === 'ready'
      ? 'The component reported ready but did not answer this request: check its log lines in the terminal running stagecraft dev.'
      : `The component is ${page.state}: this page answers until it is ready. Reload then, or read its log lines in the terminal running stagecraft dev.`;
  return html(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p>Stagecraft's HTTPS proxy could not reach <b>${escapeHtml(page.component)}</b> for <code>${escapeHtml(page.host)}</code>.</p>
<table>
<tr><th>component</th><td>${escapeHtml(page.component)}</td></tr>
<tr><th>state</th><td>${escapeHtml(page.state)}</td></tr>
<tr><th>upstream</th><td><code>${escapeHtml(page.upstream)}</code></td></tr>
<tr><th>error</th><td><code>${escapeHtml(page.reason)}</code></td></tr>
</table>
<p>${escapeHtml(advice)}</p>`,
  );
}

export function unknownHostHtml(host: string, knownHosts: readonly string[]): string {
  const title = `404 · no component serves ${host}`;
  const items = knownHosts.map((known) => `<li><a href="https://${escapeHtml(known)}/">${escapeHtml(known)}</a></li>`).join('\n');
  return html(title, `<h1>${escapeHtml(title)}</h1>\n<p>Stagecraft's HTTPS proxy serves these hosts:</p>\n<ul>\n${items}\n</ul>`);
}

function html(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;color:#222}
th{text-align:left;padding-right:1rem;color:#666;font-weight:normal}code{background:#f3f3f3;padding:0 .25rem}</style>
</head><body>
${body}
</body></html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
