/**
 * The app's proxy setting (settings.json's `proxy` section, settings.ts) as the process's
 * ProxySetting (electron/net/proxy.ts), with the password kept in the SecretStore under
 * `PROXY_PASSWORD_SECRET_KEY`, never in settings.json, a log line or the window.
 *
 * - `none`: direct;
 * - `system`: the computer's configuration through the resolver main gives
 *   (`session.resolveProxy`, PAC files included; the PAC answer's entries are tried in
 *   order), with the stored user and password for whichever proxy it names; without a
 *   resolver (plain Node, tests) direct;
 * - `http`: CONNECT through `http://host:port`;
 * - `socks5`: `socks5h://host:port`, the proxy resolving the server's name (so that it works
 *   on networks whose own DNS does not answer for the outside world).
 */
import { isIP } from 'node:net';
import type { ProxySettingsView } from '../../shared/types.js';
import type { ProxySetting, SystemProxyResolver } from '../net/proxy.js';
import type { ProxySettings } from './settings.js';

/** The process's ProxySetting for the app's setting and the stored password (null: none). */
export function proxySettingFor(proxy: ProxySettings, password: string | null, resolver: SystemProxyResolver | null): ProxySetting {
  const credentials = proxy.user === null ? {} : { username: proxy.user, ...(password === null ? {} : { password }) };
  switch (proxy.mode) {
    case 'none':
      return { mode: 'none' };
    case 'system':
      return resolver === null ? { mode: 'none' } : { mode: 'system', resolve: resolver, ...credentials };
    case 'http':
    case 'socks5': {
      const host = isIP(proxy.host) === 6 ? `[${proxy.host}]` : proxy.host;
      return { mode: 'manual', url: `${proxy.mode === 'http' ? 'http' : 'socks5h'}://${host}:${proxy.port}`, ...credentials };
    }
  }
}

/** Electron's `session.setProxy` configuration (the part we use). */
export type ChromiumProxyConfig = { mode: 'system' } | { mode: 'direct' } | { mode: 'fixed_servers'; proxyRules: string };

/**
 * The same setting for Electron's own network stack (the update feed downloads with it):
 * the system's configuration, direct, or the one proxy for every address. Chromium gets no
 * proxy password from us: a manual proxy that asks for one refuses the update check.
 */
export function chromiumProxyConfig(proxy: ProxySettings): ChromiumProxyConfig {
  switch (proxy.mode) {
    case 'system':
      return { mode: 'system' };
    case 'none':
      return { mode: 'direct' };
    case 'http':
    case 'socks5': {
      const host = isIP(proxy.host) === 6 ? `[${proxy.host}]` : proxy.host;
      return { mode: 'fixed_servers', proxyRules: `${proxy.mode}://${host}:${proxy.port}` };
    }
  }
}

/** What the window sees: the setting and whether a password is stored, never the password. */
export function proxySettingsView(proxy: ProxySettings, passwordStored: boolean): ProxySettingsView {
  return { mode: proxy.mode, host: proxy.host, port: proxy.port, user: proxy.user, passwordStored };
}
