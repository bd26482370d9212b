/**
 * The proxy setting: what the window shows and saves, "Test connection", and the ProxySetting
 * every request of the process follows (the setting with its password from the SecretStore).
 */
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../../shared/errors.js';
import type { ProxySettingsInput, ProxySettingsView, ProxyTestResult } from '../../../shared/types.js';
import type { AccountRecord } from '../../auth/AccountRecord.js';
import { PROXY_PASSWORD_SECRET_KEY, type SecretStore } from '../../auth/SecretStore.js';
import type { Logger } from '../../core/logger.js';
import { httpRequest } from '../../net/httpRequest.js';
import { createProxyProbe, describeProxy, NO_PROXY_SETTING, resolveProxy, type ProxyCredentials, type ProxySetting, type SystemProxyResolver } from '../../net/proxy.js';
import { proxySettingFor, proxySettingsView } from '../proxySettings.js';
import { checkProxySettings, SettingsRefusal, type ProxySettings } from '../settings.js';
import type { SettingsStore } from '../SettingsStore.js';

/** How long "Test connection" waits for the service. */
const PROXY_TEST_TIMEOUT_MS = 15_000;
/** What "Test connection" tries when nobody is signed in. */
const SERVICE_ADDRESS = 'https://teracloud.jp/';

export interface ProxyServiceDeps {
  settings: SettingsStore;
  secrets: SecretStore;
  logger: Logger;
  /** The account signed in now (the target of "Test connection"), or null. */
  account: () => AccountRecord | null;
  ca?: string;
  redactSecret?: (secret: string) => void;
  systemProxy?: SystemProxyResolver;
  onProxyChanged?: (proxy: ProxySettings) => Promise<void>;
}

export class ProxyService {
  /** What every request follows (the process's setting follows this): the proxy setting with its password. */
  private proxySetting: ProxySetting = NO_PROXY_SETTING;

  constructor(private readonly deps: ProxyServiceDeps) {}

  /** The setting in force, with its password. */
  current(): ProxySetting {
    return this.proxySetting;
  }

  /** The proxy setting, and whether a password is stored (never the password). */
  async proxySettings(): Promise<ProxySettingsView> {
    return proxySettingsView(this.deps.settings.current.proxy, (await this.storedProxyPassword()) !== null);
  }

  /**
   * Saves the proxy setting: the fields in settings.json, a new password in the SecretStore (or
   * the stored one removed), then every next request follows it. Rejects with InvalidRequest
   * naming the field, or KeychainUnavailable.
   */
  async saveProxySettings(input: ProxySettingsInput): Promise<ProxySettingsView> {
    const proxy = this.checkProxyInput(input);
    const settings = await this.deps.settings.update((draft) => {
      draft.proxy = proxy;
    });
    const secrets = this.deps.secrets;
    if (proxy.user === null || (input.clearPassword === true && input.password === undefined)) {
      await secrets.delete(PROXY_PASSWORD_SECRET_KEY);
    } else if (input.password !== undefined && input.password !== '') {
      this.deps.redactSecret?.(input.password);
      await secrets.set(PROXY_PASSWORD_SECRET_KEY, input.password);
    }
    await this.applyProxy(settings.proxy);
    this.deps.logger.info(`proxy: ${describeProxySettings(settings.proxy)}`);
    return this.proxySettings();
  }

  /**
   * "Test connection": one request to the account's server (TeraCLOUD's when nobody is signed
   * in) through the proposed setting, without saving it. Any HTTP answer means the way there
   * works; a failure comes back coded with its message (proxy unreachable, 407, refused, PAC).
   */
  async testProxySettings(input: ProxySettingsInput): Promise<ProxyTestResult> {
    const proxy = this.checkProxyInput(input);
    const password =
      proxy.user === null
        ? null
        : input.password !== undefined && input.password !== ''
          ? input.password
          : input.clearPassword === true
            ? null
            : await this.storedProxyPassword();
    if (password !== null) this.deps.redactSecret?.(password);
    const setting = proxySettingFor(proxy, password, this.deps.systemProxy ?? null);
    const account = this.deps.account();
    const target = account === null ? SERVICE_ADDRESS : `${account.origin}/`;
    const ca = account?.caPem ?? this.deps.ca;
    let via: string | null = null;
    try {
      const route = await resolveProxy(new URL(target), setting, createProxyProbe());
      via = route === null ? null : describeProxy(route);
      await httpRequest(target, {
        method: 'HEAD',
        proxy: setting,
        timeoutMs: PROXY_TEST_TIMEOUT_MS,
        what: new URL(target).host,
        ...(ca === undefined ? {} : { ca }),
      });
      return { ok: true, target, via, error: null };
    } catch (error) {
      const failure = toTeraSyncError(error, ErrorCode.Network);
      return { ok: false, target, via, error: { code: failure.code, message: failure.message } };
    }
  }

  private checkProxyInput(input: ProxySettingsInput): ProxySettings {
    const user = input.user === null || input.user === '' ? null : input.user;
    if (user === null && input.password !== undefined && input.password !== '') {
      throw new TeraSyncError(ErrorCode.InvalidRequest, 'A proxy password needs the proxy user name: type the user too.');
    }
    try {
      return checkProxySettings({ mode: input.mode, host: input.host, port: input.port, user });
    } catch (error) {
      if (error instanceof SettingsRefusal) throw new TeraSyncError(ErrorCode.InvalidRequest, `The proxy setting cannot be used: ${error.message}.`);
      throw error;
    }
  }

  /** The proxy's user and password of the setting in force, for a proxy that asks Electron's own requests (main). */
  proxyCredentials(): ProxyCredentials | null {
    const setting = this.proxySetting;
    if (setting.mode !== 'manual' && setting.mode !== 'system') return null;
    return setting.username === undefined ? null : { username: setting.username, ...(setting.password === undefined ? {} : { password: setting.password }) };
  }

  /** The stored proxy password; null when there is none or the keychain cannot be read (said in the log). */
  private async storedProxyPassword(): Promise<string | null> {
    try {
      return await this.deps.secrets.get(PROXY_PASSWORD_SECRET_KEY);
    } catch (error) {
      this.deps.logger.warn(`proxy: the proxy password could not be read from ${this.deps.secrets.description}: ${toTeraSyncError(error).message}`);
      return null;
    }
  }

  /** Makes `proxy`, with the stored password, what every next request follows. */
  async applyProxy(proxy: ProxySettings): Promise<void> {
    const password = proxy.user === null ? null : await this.storedProxyPassword();
    if (password !== null) this.deps.redactSecret?.(password);
    // Chromium first: the system mode asks it (session.resolveProxy), which must answer with
    // the system's configuration again, not a manual proxy set before.
    await this.deps.onProxyChanged?.(proxy).catch((error: unknown) => {
      this.deps.logger.warn(`proxy: Electron's own requests (the update feed) could not be given the setting: ${toTeraSyncError(error).message}`);
    });
    this.proxySetting = proxySettingFor(proxy, password, this.deps.systemProxy ?? null);
  }
}

/** The proxy setting in words for the log, without the password. */
function describeProxySettings(proxy: ProxySettings): string {
  if (proxy.mode === 'none' || proxy.mode === 'system') return proxy.mode === 'none' ? 'none (direct)' : 'the system\'s configuration';
  return describeProxy({ protocol: proxy.mode === 'http' ? 'http' : 'socks5h', host: proxy.host, port: proxy.port, ...(proxy.user === null ? {} : { username: proxy.user }) });
}
