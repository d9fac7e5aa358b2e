import { StagecraftError } from './errors.js';

// Docker's reference grammar (distribution/reference), the parts Stagecraft composes.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_NAME = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]+$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const MAX_NAME_LENGTH = 255;

/** Docker treats a first component as a registry host when it has a dot or a port, or is localhost. */
function isDomain(component: string): boolean {
  const [host = '', port, ...extra] = component.startsWith('[') ? splitBracketed(component) : component.split(':');
  if (extra.length > 0) return false;
  if (port !== undefined && !PORT.test(port)) return false;
  return DOMAIN_NAME.test(host) || IPV6_HOST.test(host);
}

function splitBracketed(component: string): string[] {
  const end = component.indexOf(']');
  const host = component.slice(0, end + 1);
  const rest = component.slice(end + 1);
  return rest === '' ? [host] : rest.startsWith(':') ? [host, rest.slice(1)] : [host, rest];
}

function looksLikeDomain(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

/** `ghcr.io/your-org/platform`, `localhost:5000`, `your-docker-hub-user`. */
export function isValidRegistry(value: string): boolean {
  const [first = '', ...rest] = value.split('/');
  const firstValid = looksLikeDomain(first) ? isDomain(first) : PATH_COMPONENT.test(first);
  return firstValid && rest.every((component) => PATH_COMPONENT.test(component));
}

/** `api`, `team/api`: lowercase path components. */
export function isValidImageName(value: string): boolean {
  return value.length > 0 && value.split('/').every((component) => PATH_COMPONENT.test(component));
}

export function isValidTag(value: string): boolean {
  return TAG.test(value);
}

/** A tag suffix is valid when appending it to a valid tag keeps the tag valid (`-encore`). */
export function isValidTagSuffix(value: string): boolean {
  return value === '' || TAG.test(`x${value}`);
}

export interface ImageReferenceParts {
  readonly registry: string | undefined;
  readonly imageName: string;
  readonly tag: string;
  readonly suffix?: string;
}

/** Where each part came from, so an invalid one is reported against the field the user must fix. */
export interface ImageReferenceSources {
  readonly registry: string;
  readonly imageName: string;
  readonly tag: string;
  readonly suffix: string;
}

const DEFAULT_SOURCES: ImageReferenceSources = {
  registry: 'project.registry',
  imageName: 'image name',
  tag: '--tag',
  suffix: 'tag suffix',
};

/**
 * `<registry>/<image_name>:<tag><suffix>`, or `<image_name>:<tag><suffix>` without a registry.
 * Throws INVALID_CONFIG naming the field whose value breaks Docker's reference grammar.
 */
export function imageReference(parts: ImageReferenceParts, sources: ImageReferenceSources = DEFAULT_SOURCES): string {
  const suffix = parts.suffix ?? '';
  if (parts.registry !== undefined && !isValidRegistry(parts.registry)) {
    throw invalid(sources.registry, parts.registry, 'a registry such as ghcr.io/your-org (lowercase path, optional host:port)');
  }
  if (!isValidImageName(parts.imageName)) {
    throw invalid(sources.imageName, parts.imageName, 'lowercase letters, digits and separators (. _ -), with / between path components');
  }
  if (!isValidTag(parts.tag)) {
    throw invalid(sources.tag, parts.tag, 'a tag of up to 128 letters, digits, _ . - (not starting with . or -)');
  }
  if (!isValidTagSuffix(suffix) || !isValidTag(parts.tag + suffix)) {
    throw invalid(sources.suffix, suffix, `letters, digits, _ . - that keep the tag "${parts.tag}${suffix}" within 128 characters`);
  }
  const name = parts.registry ? `${parts.registry}/${parts.imageName}` : parts.imageName;
  if (name.length > MAX_NAME_LENGTH) {
    throw invalid(sources.imageName, name, `a repository name of at most ${MAX_NAME_LENGTH} characters`);
  }
  return `${name}:${parts.tag}${suffix}`;
}

function invalid(field: string, value: string, expected: string): StagecraftError {
  return new StagecraftError({
    category: 'INVALID_CONFIG',
    message: `${field}: expected ${expected}, found ${JSON.stringify(value)}`,
  });
}

/** Any text made fit for a project or image name: lowercase letters, digits and single dashes (may be empty). */
export function imageSafeName(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
