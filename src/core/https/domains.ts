/**
 * Dev domain names: the default `<component>.<project>.localhost`, and which names resolve by themselves.
 * Pure functions: no I/O.
 */

/** A DNS label is at most 63 bytes (RFC 1035). */
const MAX_LABEL = 63;

/** One DNS label from free text: lowercase ASCII letters, digits and single dashes, no dash at either end. */
function toLabel(text: string, fallback: string): string {
  const label = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // "Café" → "Cafe": keep the letter, drop its accent
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_LABEL)
    .replace(/-+$/, '');
  return label === '' ? fallback : label;
}

/** The project name as one DNS label: lowercase, [a-z0-9-], dashes collapsed and trimmed ("My App!" → "my-app"). */
export function projectSlug(projectName: string): string {
  return toLabel(projectName, 'app');
}

/** `<component>.<slug>.localhost`: browsers and curl resolve it to loopback with no hosts-file entry. */
export function defaultDomain(component: string, projectName: string): string {
  return `${toLabel(component, 'component')}.${projectSlug(projectName)}.localhost`;
}

/** `localhost` or any name under it (RFC 6761): resolves by itself in browsers and curl (not in Node's lookup). */
export function isLocalhostDomain(domain: string): boolean {
  const name = domain.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** The domains that need a hosts-file entry (or DNS) to resolve: every one not under `.localhost`. */
export function domainsNeedingHosts(domains: readonly string[]): string[] {
  return domains.filter((domain) => !isLocalhostDomain(domain));
}

/**
 * A host name fit for a certificate and a hosts-file line: dot-separated labels of letters, digits and dashes
 * (a leading `*.` for a wildcard). Anything else (spaces, `#`, newlines) could corrupt the hosts file.
 */
export function isValidDomain(domain: string): boolean {
  if (domain.length === 0 || domain.length > 253) return false;
  const labels = domain.replace(/^\*\./, '').split('.');
  return labels.every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(label));
}
