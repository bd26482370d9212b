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
import { systemClock, type WallClock } from '../core/time.js';
import type { ProxyCredentials, ProxySetting, SystemProxyResolver } from '../net/proxy.js';
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
 * the system's configuration, direct, or the one proxy for every address. The proxy's user and
 * password reach Chromium only when the proxy asks for them (ProxyLoginResponder).
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

/** What Electron says of a sign-in it was asked for (the part we use of its AuthInfo). */
export interface LoginChallenge {
  isProxy: boolean;
  host: string;
  port: number;
}

/** Answers to one proxy within REFUSAL_WINDOW_MS before a challenge counts as a refusal. */
const ANSWERS_PER_WINDOW = 3;
const REFUSAL_WINDOW_MS = 60_000;

/**
 * Answers the proxy's sign-in challenges of Electron's own requests (the update feed) with the
 * user and password of the proxy setting. Only a proxy's challenge is answered, never a
 * server's, and only a few times a minute per proxy: Chromium keeps working credentials for
 * the session, so a proxy that keeps asking is refusing them, and the request then fails
 * (ProxyAuth for the update check's quiet retry) instead of asking forever.
 */
export class ProxyLoginResponder {
  private readonly answered = new Map<string, number[]>();

  constructor(
    private readonly credentials: () => ProxyCredentials | null,
    private readonly clock: WallClock = systemClock,
  ) {}

  /** The user and password to answer `challenge` with, or null to let the request fail. */
  answer(challenge: LoginChallenge): { username: string; password: string } | null {
    if (!challenge.isProxy) return null;
    const credentials = this.credentials();
    if (credentials?.username === undefined || credentials.password === undefined || credentials.password === '') return null;
    const key = `${challenge.host}:${challenge.port}`;
    const since = this.clock.now() - REFUSAL_WINDOW_MS;
    const recent = (this.answered.get(key) ?? []).filter((at) => at > since);
    if (recent.length >= ANSWERS_PER_WINDOW) {
      this.answered.set(key, recent);
      return null;
    }
    this.answered.set(key, [...recent, this.clock.now()]);
    return { username: credentials.username, password: credentials.password };
  }
}
