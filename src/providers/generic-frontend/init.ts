import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { yamlFlowList, yamlScalar } from '../../core/config/yaml-text.js';
import type { FrontendDetection } from '../../core/provider.js';

/** Where web apps usually live in a repository, nearest first. Globs (`apps/*`) are one level deep. */
const PLACES = ['web', 'frontend', 'client', 'app', 'apps/*', 'packages/*'];

/** What each dev server kind needs: its default port, the line it prints when ready, extra dev-script arguments. */
const KINDS = {
  vite: { port: 5173, ready: 'Local:.*:5173', args: ['--', '--strictPort'], apiVariable: 'VITE_API_URL' },
  next: { port: 3000, ready: 'Local:.*:3000|Ready in', args: [], apiVariable: 'NEXT_PUBLIC_API_URL' },
} as const;
type Kind = keyof typeof KINDS;
// biome-ignore lint/suspicious/noTemplateCurlyInString: a reference Stagecraft expands, written into the config.
const BACKEND_URL_REFERENCE = '${STAGECRAFT_BACKEND_URL}';

/**
 * A Vite or Next app folder with a `dev` script, for `stagecraft init`. The project root itself is left to
 * the backend: a root package.json is the backend's more often than the web app's.
 */
export async function detectWebApp(projectDir: string): Promise<FrontendDetection> {
  for (const dir of candidateDirs(projectDir)) {
    const kind = webAppKind(join(projectDir, dir));
    if (kind !== undefined)
      return { fit: 'strong', reason: `a ${kind} app with a dev script in ${dir}`, workdir: dir, kind, port: KINDS[kind].port };
  }
  return { fit: 'none', reason: `no Vite or Next app with a dev script in ${PLACES.join(', ')}` };
}

function candidateDirs(projectDir: string): string[] {
  return PLACES.flatMap((place) => {
    if (!place.endsWith('/*')) return [place];
    const parent = place.slice(0, -2);
    try {
      return readdirSync(join(projectDir, parent), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => `${parent}/${entry.name}`)
        .sort();
    } catch {
      return [];
    }
  });
}

function webAppKind(dir: string): Kind | undefined {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
      scripts?: Record<string, string>;
      dependencies?: object;
      devDependencies?: object;
    };
    if (typeof pkg.scripts?.dev !== 'string') return undefined;
    const deps = { ...pkg.dependencies, ...pkg.devDependencies };
    if ('vite' in deps) return 'vite';
    if ('next' in deps) return 'next';
  } catch {}
  return undefined;
}

/** The `frontend.providers.generic` block for what detectWebApp found, one line each, indented from column 0 (block style: `${` is not safe in a flow map). */
export async function genericFrontendInitBlock(found: FrontendDetection): Promise<readonly string[]> {
  const kind = KINDS[(found.kind ?? 'vite') as Kind] ?? KINDS.vite;
  const port = found.port ?? kind.port;
  return [
    'dev:',
    `  command: ${yamlFlowList(['npm', 'run', 'dev', ...kind.args])}`,
    `  workdir: ${yamlScalar(`./${found.workdir ?? '.'}`)}`,
    `  url: ${yamlScalar(`http://localhost:${port}`)}`,
    '  ready:',
    `    log: ${yamlScalar(kind.ready)}`,
    // The app's client code reaches the backend through the variable its framework exposes to the browser.
    '  env:',
    `    ${kind.apiVariable}: ${yamlScalar(BACKEND_URL_REFERENCE)}`,
  ];
}
