/**
 * The command's proxy: `--proxy URL` (or `--proxy none` / `direct` to go direct whatever the
 * environment says), else the environment as curl reads it (HTTPS_PROXY, http_proxy,
 * ALL_PROXY, NO_PROXY), else direct. What `whoami` says about it never holds the password.
 */
import { describeProxy, parseProxyUrl, proxyFromEnvironment, type ProxySetting } from '../net/proxy.js';

export type ProxySource = '--proxy' | 'environment' | 'none';

export interface CommandProxy {
  setting: ProxySetting;
  source: ProxySource;
}

const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY'];

/** The setting from `--proxy` and the environment. Throws Configuration for an unusable URL. */
export function commandProxy(option: string | undefined, env: Readonly<Record<string, string | undefined>>): CommandProxy {
  if (option !== undefined) {
    const word = option.trim().toLowerCase();
    if (word === 'none' || word === 'direct' || word === '') return { setting: { mode: 'none' }, source: '--proxy' };
    parseProxyUrl(option, '--proxy');
    return { setting: { mode: 'manual', url: option.trim() }, source: '--proxy' };
  }
  const named = PROXY_VARIABLES.filter((name) => (env[name] ?? '').trim() !== '');
  if (named.length === 0) return { setting: { mode: 'none' }, source: 'none' };
  // Read each once now, so that a typo is a usage error before anything starts.
  for (const name of named) parseProxyUrl(env[name] ?? '', `The proxy in ${name}`);
  return { setting: { mode: 'env', env: { ...env } }, source: 'environment' };
}

export interface ProxyReport {
  /** The proxy for that address, without its password; null when requests go direct. */
  url: string | null;
  source: ProxySource;
}

/** Which proxy requests to `target` go through, for whoami. */
export function proxyReport(proxy: CommandProxy, target: string): ProxyReport {
  const url = new URL(target);
  let server;
  switch (proxy.setting.mode) {
    case 'manual':
      server = parseProxyUrl(proxy.setting.url);
      break;
    case 'env':
      server = proxyFromEnvironment(url, proxy.setting.env);
      break;
    case 'none':
    case 'system':
    case 'follow':
      server = null;
      break;
  }
  return { url: server === null ? null : describeProxy(server), source: proxy.source };
}

export function describeProxyReport(report: ProxyReport): string {
  if (report.url === null) {
    return report.source === 'environment' ? 'none (direct: NO_PROXY or no variable for this address)' : report.source === '--proxy' ? 'none (--proxy none)' : 'none (direct)';
  }
  return `${report.url} (from ${report.source === '--proxy' ? '--proxy' : 'the environment'})`;
}
