import type { ConfigIssue } from '../config/issues.js';
import { defaultDomain } from '../https/domains.js';
import type { HttpsBlock } from './config-issues.js';
import type { PlannedComponent } from './plan.js';

/** HTTPS for this run: which component is served on which domain, and the proxy's configured ports. */
export interface HttpsPlan {
  /** Component name → domain, for every http(s) component. */
  readonly domains: Readonly<Record<string, string>>;
  readonly httpsPort: number | undefined;
  readonly httpPort: number | undefined;
}

/** Only components that speak HTTP go through the proxy (a database's tcp:// or postgres:// URL does not). */
export function isHttpComponent(component: PlannedComponent): boolean {
  return component.internalUrl !== undefined && /^https?:\/\//.test(component.internalUrl);
}

/**
 * HTTPS is on when `dev.https` says so, else when `dev.domains` is set; `--no-https` turns it off. Each http
 * component gets its `dev.domains` entry or `<component>.<slug(project.name)>.localhost`. A domain for a
 * name the config does not have, for a component that is not http, or given twice is INVALID_CONFIG.
 */
export function planHttps(
  components: readonly PlannedComponent[],
  block: HttpsBlock,
  projectName: string,
  noHttps: boolean,
): { https: HttpsPlan | undefined; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const byName = new Map(components.map((component) => [component.name, component]));
  for (const name of Object.keys(block.domains ?? {})) {
    const component = byName.get(name);
    if (component === undefined) {
      issues.push({
        path: ['dev', 'domains', name],
        atKey: true,
        message: `expected a component name (${[...byName.keys()].join(', ')}), found "${name}"`,
      });
    } else if (!isHttpComponent(component)) {
      issues.push({
        path: ['dev', 'domains', name],
        atKey: true,
        message: `expected an http component: ${name}'s URL is ${component.internalUrl ?? 'unknown'} (set its url to an http:// one, or remove the domain)`,
      });
    }
  }
  const enabled = !noHttps && (block.enabled ?? block.domains !== undefined);
  if (!enabled || issues.length > 0) return { https: undefined, issues };
  const domains: Record<string, string> = {};
  const owners = new Map<string, string>();
  for (const component of components.filter(isHttpComponent)) {
    const domain = (block.domains?.[component.name] ?? defaultDomain(component.name, projectName)).toLowerCase();
    const other = owners.get(domain);
    if (other !== undefined) {
      issues.push({
        path: ['dev', 'domains', component.name],
        message: `expected a domain of its own, found ${domain}, which ${other} has too`,
      });
    }
    owners.set(domain, component.name);
    domains[component.name] = domain;
  }
  return { https: { domains, httpsPort: block.httpsPort, httpPort: block.httpPort }, issues };
}
