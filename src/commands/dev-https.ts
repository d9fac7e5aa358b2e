import type { CommandContext } from '../cli/context.js';
import type { LoadedConfig } from '../core/config/load.js';
import { nodeCaEnvironment } from '../core/https/ca-bundle.js';
import { ensureCertificates } from '../core/https/certs.js';
import { domainsNeedingHosts } from '../core/https/domains.js';
import { addHostsEntries, hostsFilePath, missingHostsWarning, removeHostsEntries } from '../core/https/hosts-file.js';
import { type RunningProxy, startProxy } from '../core/https/proxy.js';
import type { HttpsPlan } from '../core/local-env/https-plan.js';
import { baseEnvironment, type DevPlan } from './dev-plan.js';

/** What HTTPS adds to a running environment, and how to take it down again. */
export interface HttpsSession {
  /** The plan with each proxied component's `_URL` now its https URL (on the port really bound). */
  readonly plan: DevPlan;
  /** What each component is doing, for the proxy's 502 page. */
  readonly states: Map<string, string>;
  /** Stops the proxy and removes this run's hosts-file lines. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * HTTPS before any component starts (design.md, "HTTPS on dev domains"): the certificate (mkcert), the
 * hosts-file lines for domains that are not *.localhost (with --hosts), then the proxy. Each proxied
 * component's URL becomes the https one the proxy really serves; every component trusts the mkcert CA.
 */
export async function startHttps(
  ctx: CommandContext,
  config: LoadedConfig,
  plan: DevPlan,
  https: HttpsPlan,
  hosts: boolean,
): Promise<HttpsSession> {
  const env = baseEnvironment(config, ctx.processEnv);
  const logger = ctx.logger.child({ operation: 'dev', component: 'proxy' });
  const domains = [...new Set(Object.values(https.domains))].sort();
  const certificates = await ensureCertificates({
    projectRoot: config.projectRoot,
    domains,
    runner: ctx.runner,
    env,
    logger,
    signal: ctx.signal,
  });
  const removeHosts = await editHosts(ctx, config, env, domainsNeedingHosts(domains), hosts);
  const states = new Map<string, string>();
  let proxy: RunningProxy | undefined;
  try {
    proxy = await startProxy({
      cert: certificates.cert,
      key: certificates.key,
      routes: plan.components
        .filter((component) => https.domains[component.name] !== undefined)
        .map((component) => ({
          host: https.domains[component.name] as string,
          component: component.name,
          upstream: component.internalUrl as string,
          state: () =>
            states.get(component.name) ?? (plan.selected.has(component.name) ? 'waiting for its dependencies' : 'not started by this run'),
        })),
      httpsPort: https.httpsPort,
      httpPort: https.httpPort,
      logger,
    });
  } catch (error) {
    await removeHosts();
    throw error;
  }
  const running = proxy;
  logger.info(`HTTPS proxy on ${running.httpsPort}${running.httpPort === undefined ? '' : ` (http ${running.httpPort} redirects)`}`);
  return {
    plan: withHttpsUrls(plan, https, running, nodeCaEnvironment({ projectRoot: config.projectRoot, env, caFile: certificates.caFile })),
    states,
    close: once(async () => {
      await running.close();
      await removeHosts();
    }),
  };
}

/** Adds this project's hosts-file lines (--hosts), or says which line to add; returns how to remove them again. */
async function editHosts(
  ctx: CommandContext,
  config: LoadedConfig,
  env: Readonly<Record<string, string>>,
  domains: readonly string[],
  hosts: boolean,
): Promise<() => Promise<void>> {
  if (domains.length === 0) return async () => {};
  const file = hostsFilePath(ctx.processEnv);
  if (!hosts) {
    ctx.logger.warn(missingHostsWarning(domains, config.projectRoot, file));
    return async () => {};
  }
  const options = { file, projectRoot: config.projectRoot, elevate: true, runner: ctx.runner, env, signal: ctx.signal };
  await addHostsEntries({ ...options, domains });
  ctx.logger.info(`added ${domains.join(', ')} to ${file}`);
  // Removed on the way out whatever the outcome: not with the stop signal, which has fired by then.
  return async () => removeHostsEntries({ ...options, signal: undefined });
}

/** The plan as this run serves it: https URLs for proxied components, the CA and host settings for every component. */
function withHttpsUrls(plan: DevPlan, https: HttpsPlan, proxy: RunningProxy, caEnv: Record<string, string>): DevPlan {
  const components = plan.components.map((component) => {
    const domain = https.domains[component.name];
    return domain === undefined ? component : { ...component, url: proxy.url(domain) };
  });
  const urlEnv: Record<string, string> = { ...plan.urlEnv, ...caEnv };
  for (const component of components) if (component.url !== undefined) urlEnv[`${component.envStem}_URL`] = component.url;
  // Vite refuses requests for hosts it does not know (server.allowedHosts); this variable adds ours.
  urlEnv.__VITE_ADDITIONAL_SERVER_ALLOWED_HOSTS = Object.values(https.domains).join(',');
  return { ...plan, components, urlEnv };
}

function once(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= action();
    return done;
  };
}
