import type { ErrorCategory } from '../../core/errors.js';
import { engineNotAnsweringHint } from '../../core/provider-kit/container-engine.js';
import type { Engine } from './schema.js';

/** How many lines of the engine's output an error repeats: the output itself was already streamed. */
export const DETAIL_LINES = 5;

// The CLI reached no daemon or service: nothing was built, the engine is not available.
const ENGINE_DOWN =
  /Cannot connect to the Docker daemon|Is the docker daemon running|error during connect|permission denied while trying to connect to the Docker daemon|Cannot connect to Podman|unable to connect to Podman socket/i;
// The registry answered but refused us.
const AUTH_REFUSED =
  /unauthorized|authentication required|no basic auth credentials|requested access to the resource is denied|insufficient_scope|denied:/i;
// We never got an HTTP answer from the registry (or spoke the wrong protocol to it).
const REGISTRY_UNREACHABLE =
  /connection refused|no such host|i\/o timeout|network is unreachable|server gave HTTP response to HTTPS client|TLS handshake timeout|x509:|tls: /i;
// Banners an engine prints on every call: never the reason for a failure.
const NOISE =
  /^(Emulate Docker CLI using podman|DEPRECATED: The legacy builder is deprecated|\s+Install the buildx component|\s+https:\/\/docs\.docker\.com\/go\/buildx)/;

export interface FailureVerdict {
  readonly category: ErrorCategory;
  readonly hint: string | undefined;
}

/** What a failed engine command means, judged from its output (ANSI removed). */
export function judgeFailure(options: {
  readonly engine: Engine;
  readonly step: 'build' | 'push';
  readonly image: string;
  readonly lines: readonly string[];
}): FailureVerdict {
  const { engine, step, image, lines } = options;
  const text = lines.join('\n');
  if (ENGINE_DOWN.test(text)) return { category: 'PROVIDER_NOT_AVAILABLE', hint: engineNotAnsweringHint(engine) };
  if (step === 'build') return { category: 'BUILD_FAILED', hint: undefined };
  const registry = registryOf(image);
  if (AUTH_REFUSED.test(text)) {
    return { category: 'PUSH_FAILED', hint: `Log in first: ${engine} login ${registry} (and check that you may push to ${image}).` };
  }
  if (REGISTRY_UNREACHABLE.test(text)) {
    return {
      category: 'PUSH_FAILED',
      hint: `Is the registry ${registry} reachable from here? If it serves plain HTTP, mark it as an insecure registry (${insecureHowTo(engine)}).`,
    };
  }
  return {
    category: 'PUSH_FAILED',
    hint: `Check that ${registry} is reachable and that you may push there (${engine} login ${registry}).`,
  };
}

/** The registry host of a reference, as Docker reads it (a first component with a dot or port, or localhost). */
export function registryOf(image: string): string {
  const [first = '', ...rest] = image.split('/');
  if (rest.length > 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) return first;
  return 'docker.io';
}

function insecureHowTo(engine: Engine): string {
  return engine === 'podman'
    ? '[[registry]] location="HOST:PORT" insecure=true in registries.conf'
    : '"insecure-registries" in the Docker daemon\'s daemon.json';
}

/**
 * The last `count` distinct non-empty lines, in order: the output was streamed as it came, so the error
 * repeats only its end, without the retry lines an engine prints again and again.
 */
export function distinctTail(lines: readonly string[], count = DETAIL_LINES): string[] {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (let index = lines.length - 1; index >= 0 && kept.length < count; index--) {
    const line = (lines[index] as string).trimEnd();
    if (line.trim() === '' || NOISE.test(line) || seen.has(line)) continue;
    seen.add(line);
    kept.push(line);
  }
  return kept.reverse();
}
