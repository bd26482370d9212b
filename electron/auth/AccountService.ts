/**
 * The signed-in account, for the app and the command alike: sign-in (OAuth2 in the browser,
 * or user ID + Apps password), which WebDAV path and credentials a sync uses, who the user is
 * and their quota, and sign-out.
 *
 * Which path a connection uses:
 *
 *   | account                                  | /v2/dav/ answers           | connection                  |
 *   | ---------------------------------------- | -------------------------- | --------------------------- |
 *   | signed in with OAuth2, tokens stored     | yes                        | /v2/dav/, bearer (refreshed) |
 *   | signed in with OAuth2, Apps password too | 404/403/5xx, or the sign-in | /dav/, BASIC, and the reason |
 *   |                                          | ended (refresh refused)    |                             |
 *   | signed in with OAuth2 only               | no                         | error: sign in again / retry |
 *   | signed in with user ID + Apps password   | (not asked)                | /dav/, BASIC                |
 *
 * A network failure is never a reason to fall back (both paths are on the same host): it is
 * reported as offline.
 */
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../shared/errors.js';
import type { Logger } from '../sync/ports.js';
import { TeraCloudApi, type TeraCloudQuota } from '../teracloud/TeraCloudApi.js';
import { discoverAccount } from '../teracloud/discoverAccount.js';
import { nodeFromUserInput, type NodeLocation } from '../teracloud/nodeUrls.js';
import { WebDavRemoteStore, type WebDavAuth } from '../webdav/WebDavRemoteStore.js';
import {
  basicSecretKey,
  oauthSecretKey,
  type AccountFile,
  type AccountRecord,
  type ApiSettings,
  type OAuthSettings,
  type SignInMethod,
} from './AccountRecord.js';
import { signInWithBrowser } from './oauth/signInWithBrowser.js';
import { revokeToken, type TokenSet } from './oauth/tokens.js';
import { TokenManager, type SignOutResult } from './oauth/TokenManager.js';
import type { SecretStore } from './SecretStore.js';

export interface AccountServiceDeps {
  accountFile: AccountFile;
  secrets: SecretStore;
  clock: { now(): number };
  logger: Logger;
  /** PEM of a private CA for every connection (WebDAV, REST, OAuth2). */
  ca?: string;
  /** Accept loopback and non-service HTTPS hosts (the emulator, development). Default false. */
  allowCustomHost?: boolean;
}

export interface PasswordSignIn {
  userId: string;
  /** The Apps password from MyPage. */
  password: string;
  /** A node name or a WebDAV URL; found through the REST API when left out and `api` is set. */
  location?: string;
  /** Default true: BASIC on the first request; false: answer the server's challenge. */
  preemptive?: boolean;
  api?: ApiSettings | null;
  signal?: AbortSignal;
}

export interface OAuthSignIn {
  oauth: OAuthSettings;
  openBrowser: (url: string) => Promise<void>;
  /** Needed when `api` is not set (the REST API tells both otherwise). */
  userId?: string;
  location?: string;
  api?: ApiSettings | null;
  signal?: AbortSignal;
  /** How long to wait for the browser. Default 5 minutes. */
  timeoutMs?: number;
}

export interface Connection {
  record: AccountRecord;
  /** The WebDAV root in use: `<origin>/v2/dav/` or `<origin>/dav/`. */
  rootUrl: string;
  auth: WebDavAuth;
  /** The method in use (an OAuth2 account may be on BASIC after a fallback). */
  method: SignInMethod;
  /** Why an OAuth2 account uses /dav/ with BASIC; null when it does not. */
  fallbackReason: string | null;
}

export interface AccountInfo {
  userId: string;
  node: string;
  origin: string;
  signedInWith: SignInMethod;
  method: SignInMethod;
  webdavUrl: string;
  fallbackReason: string | null;
  quota: TeraCloudQuota | null;
  /** Why there is no quota (no API key configured, the API is down, ...); null when there is. */
  quotaProblem: string | null;
  /** Where the secrets are, in words. */
  secretStore: string;
}

export interface SignOutReport {
  revocation: SignOutResult['revocation'];
  revocationError: string | null;
  /** True when there was an account to sign out of. */
  signedOut: boolean;
}

/** Status codes of /v2/dav/ after which the Apps password is tried instead. */
const FALLBACK_CODES: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.NotFound,
  ErrorCode.Forbidden,
  ErrorCode.Unauthorized,
  ErrorCode.Server,
  ErrorCode.BadResponse,
  ErrorCode.Conflict,
]);

export function notSignedIn(): TeraSyncError {
  return new TeraSyncError(ErrorCode.Unauthorized, 'You are not signed in: run "terasync login" (or sign in in the app).');
}

export class AccountService {
  constructor(private readonly deps: AccountServiceDeps) {}

  /** Where secrets are kept, in words for the user. */
  secretStoreDescription(): string {
    return this.deps.secrets.description;
  }

  /** The stored account, or null. A damaged account file is reported through the logger. */
  async current(): Promise<AccountRecord | null> {
    const { record, problem } = await this.deps.accountFile.read();
    if (problem !== null) this.deps.logger.warn(problem.message);
    return record;
  }

  async signInWithPassword(input: PasswordSignIn): Promise<AccountRecord> {
    const userId = input.userId.trim();
    if (userId === '' || userId.includes(':')) throw new TeraSyncError(ErrorCode.InvalidRequest, 'Enter your TeraCLOUD user ID (it has no ":").');
    if (input.password === '') throw new TeraSyncError(ErrorCode.InvalidRequest, 'Enter your Apps password (issued in MyPage).');
    const api = input.api ?? null;
    const { location, node } = await this.locate(input.location, api, { userId, password: input.password }, input.signal);
    const preemptive = input.preemptive ?? true;
    await this.probe(location.davUrl, { kind: 'basic', user: userId, password: input.password, preemptive }, input.signal);

    const previous = await this.current();
    const keepOAuth = previous !== null && previous.method === 'oauth2' && previous.userId === userId && previous.origin === location.origin;
    const record: AccountRecord = {
      userId,
      origin: location.origin,
      node,
      method: keepOAuth ? 'oauth2' : 'basic',
      basicPreemptive: preemptive,
      basicSignIn: true,
      oauth: keepOAuth ? previous.oauth : null,
      api: api ?? (keepOAuth ? previous.api : null),
    };
    if (previous !== null && !keepOAuth) await this.forgetSecrets(previous);
    await this.deps.secrets.set(basicSecretKey(record), input.password);
    try {
      await this.deps.accountFile.write(record);
    } catch (error) {
      // A password nothing refers to must not stay in the keychain.
      await this.deps.secrets.delete(basicSecretKey(record)).catch(() => false);
      throw error;
    }
    return record;
  }

  /**
   * `problem`: signed in, but a sync cannot connect yet (e.g. /v2/dav/ unavailable and no Apps
   * password to fall back on); the caller must say so.
   */
  async signInWithOAuth(input: OAuthSignIn): Promise<{ record: AccountRecord; fallbackReason: string | null; problem: TeraSyncError | null }> {
    const config = { ...input.oauth, ...(this.deps.ca === undefined ? {} : { ca: this.deps.ca }) };
    const tokens = await signInWithBrowser({
      config,
      openBrowser: input.openBrowser,
      signal: input.signal,
      timeoutMs: input.timeoutMs,
      clock: this.deps.clock,
    });
    let record: AccountRecord;
    try {
      const api = input.api ?? null;
      let userId = input.userId?.trim() ?? '';
      let location: NodeLocation;
      if (api !== null && input.location === undefined) {
        const rest = this.api(api, { bearer: async () => tokens.accessToken });
        const found = await discoverAccount(rest, { allowCustomHost: this.deps.allowCustomHost === true, signal: input.signal });
        if (!found.ok) throw withManualHint(found.error);
        userId = found.user.userId;
        location = { ...found.location, node: found.user.node };
      } else {
        if (input.location === undefined) throw locationNeeded();
        location = this.parseLocation(input.location);
      }
      if (userId === '') throw new TeraSyncError(ErrorCode.InvalidRequest, 'Enter your TeraCLOUD user ID (or configure the API key so that TeraSync can ask the service).');
      const previous = await this.current();
      const sameAccount = previous !== null && previous.userId === userId && previous.origin === location.origin;
      if (previous !== null && !sameAccount) await this.forgetSecrets(previous);
      record = {
        userId,
        origin: location.origin,
        node: location.node,
        method: 'oauth2',
        basicPreemptive: sameAccount ? previous.basicPreemptive : true,
        basicSignIn: sameAccount ? previous.basicSignIn : false,
        oauth: input.oauth,
        api: api ?? (sameAccount ? previous.api : null),
      };
    } catch (error) {
      // Tokens nobody will use are handed back.
      await this.revokeQuietly(config, tokens);
      throw error;
    }
    const tokenManager = this.tokenManager(record.oauth as OAuthSettings);
    try {
      await tokenManager.save(tokens);
      await this.deps.accountFile.write(record);
    } catch (error) {
      // Not kept (keychain refused, file not written): the server must not keep a live grant.
      await tokenManager.signOut().catch(() => undefined);
      await this.revokeQuietly(config, tokens);
      throw error;
    }
    let problem: TeraSyncError | null = null;
    const connection = await this.connect({ signal: input.signal }).catch((error: unknown) => {
      problem = toTeraSyncError(error);
      return null;
    });
    return { record, fallbackReason: connection?.fallbackReason ?? null, problem };
  }

  /** The WebDAV root and credentials a sync uses now (see the table at the top). */
  async connect(options: { signal?: AbortSignal } = {}): Promise<Connection> {
    const record = await this.current();
    if (record === null) throw notSignedIn();
    const location = this.parseLocation(record.origin);
    if (record.method === 'oauth2' && record.oauth !== null) {
      const tokens = this.tokenManager(record.oauth);
      let reason: string;
      if (!(await tokens.hasTokens())) {
        reason = 'the OAuth2 sign-in has ended (no tokens stored)';
      } else {
        const auth: WebDavAuth = { kind: 'bearer', tokens };
        try {
          await this.probe(location.v2DavUrl, auth, options.signal);
          return { record, rootUrl: location.v2DavUrl, auth, method: 'oauth2', fallbackReason: null };
        } catch (error) {
          const coded = toTeraSyncError(error);
          if (!FALLBACK_CODES.has(coded.code)) throw coded;
          reason = `${location.v2DavUrl} could not be used (${coded.code}${coded.status === undefined ? '' : ` ${coded.status}`})`;
          if (!record.basicSignIn) {
            throw new TeraSyncError(coded.code, `${coded.message} Sign in again, or add your Apps password ("terasync login --user ...") to use /dav/ instead.`, {
              cause: coded,
              ...(coded.status === undefined ? {} : { status: coded.status }),
            });
          }
        }
      }
      if (!record.basicSignIn) throw new TeraSyncError(ErrorCode.Unauthorized, `Your sign-in has ended: ${reason}. Sign in again.`);
      const auth = await this.basicAuth(record);
      const fallbackReason = `${reason}; using ${location.davUrl} with your Apps password (BASIC) instead`;
      this.deps.logger.warn(`account: ${fallbackReason}`);
      return { record, rootUrl: location.davUrl, auth, method: 'basic', fallbackReason };
    }
    return { record, rootUrl: location.davUrl, auth: await this.basicAuth(record), method: 'basic', fallbackReason: null };
  }

  /**
   * BASIC credentials of the account whatever way it signed in (the backup area takes no
   * bearer token): Unauthorized, saying what to do, when no Apps password is stored.
   */
  async basicCredentials(record: AccountRecord): Promise<Extract<WebDavAuth, { kind: 'basic' }>> {
    if (!record.basicSignIn) {
      throw new TeraSyncError(
        ErrorCode.Unauthorized,
        `You signed in with OAuth2, but this needs your Apps password (BASIC): add it with "terasync login --user ${record.userId}" ` +
          '(the OAuth2 sign-in is kept).',
      );
    }
    return (await this.basicAuth(record)) as Extract<WebDavAuth, { kind: 'basic' }>;
  }

  async whoami(options: { signal?: AbortSignal } = {}): Promise<AccountInfo> {
    const connection = await this.connect(options);
    const { record } = connection;
    let quota: TeraCloudQuota | null = null;
    let quotaProblem: string | null = null;
    if (record.api === null) quotaProblem = 'the quota comes from the TeraCLOUD REST API: configure the application key (--api-key) to see it';
    else if (!record.basicSignIn) quotaProblem = 'the quota call of the REST API needs your Apps password: sign in with "terasync login --user ..." too';
    else {
      try {
        const password = await this.deps.secrets.get(basicSecretKey(record));
        if (password === null) throw new TeraSyncError(ErrorCode.Unauthorized, 'the Apps password is missing from the keychain: sign in again');
        quota = await this.api(record.api, { userId: record.userId, password }).getQuota(record.origin, options.signal);
      } catch (error) {
        quotaProblem = toTeraSyncError(error).message;
      }
    }
    return {
      userId: record.userId,
      node: record.node,
      origin: record.origin,
      signedInWith: record.method,
      method: connection.method,
      webdavUrl: connection.rootUrl,
      fallbackReason: connection.fallbackReason,
      quota,
      quotaProblem,
      secretStore: this.deps.secrets.description,
    };
  }

  /** Revokes the OAuth2 tokens (where the server can), deletes every secret and the account. */
  async signOut(): Promise<SignOutReport> {
    const record = await this.current();
    if (record === null) {
      await this.deps.accountFile.remove();
      return { revocation: 'nothing', revocationError: null, signedOut: false };
    }
    const result = await this.forgetSecrets(record);
    await this.deps.accountFile.remove();
    return { revocation: result?.revocation ?? 'nothing', revocationError: result?.error?.message ?? null, signedOut: true };
  }

  private async forgetSecrets(record: AccountRecord): Promise<SignOutResult | null> {
    const result = record.oauth === null ? null : await this.tokenManager(record.oauth).signOut();
    await this.deps.secrets.delete(basicSecretKey(record));
    return result;
  }

  private async basicAuth(record: AccountRecord): Promise<WebDavAuth> {
    const password = await this.deps.secrets.get(basicSecretKey(record));
    if (password === null) {
      throw new TeraSyncError(ErrorCode.Unauthorized, `Your Apps password is no longer in ${this.deps.secrets.description}: sign in again ("terasync login").`);
    }
    return { kind: 'basic', user: record.userId, password, preemptive: record.basicPreemptive };
  }

  private tokenManager(oauth: OAuthSettings): TokenManager {
    const config = { ...oauth, ...(this.deps.ca === undefined ? {} : { ca: this.deps.ca }) };
    return new TokenManager({ config, secrets: this.deps.secrets, key: oauthSecretKey(oauth), clock: this.deps.clock });
  }

  private api(settings: ApiSettings, credentials: ConstructorParameters<typeof TeraCloudApi>[0]['credentials']): TeraCloudApi {
    return new TeraCloudApi({
      apiBaseUrl: settings.baseUrl,
      apiKey: settings.applicationKey,
      apiKeyPlacement: settings.keyPlacement,
      credentials,
      ...(this.deps.ca === undefined ? {} : { ca: this.deps.ca }),
    });
  }

  private parseLocation(text: string): NodeLocation {
    return nodeFromUserInput(text, { allowCustomHost: this.deps.allowCustomHost === true });
  }

  /** Where the account lives: what the user typed, else what the REST API says. */
  private async locate(
    typed: string | undefined,
    api: ApiSettings | null,
    credentials: { userId: string; password: string },
    signal: AbortSignal | undefined,
  ): Promise<{ location: NodeLocation; node: string }> {
    if (typed !== undefined && typed.trim() !== '') {
      const location = this.parseLocation(typed);
      return { location, node: location.node };
    }
    if (api === null) throw locationNeeded();
    const found = await discoverAccount(this.api(api, credentials), { allowCustomHost: this.deps.allowCustomHost === true, signal });
    if (!found.ok) throw withManualHint(found.error);
    // The service's own name for the node (the URL of a development server names a host).
    return { location: found.location, node: found.user.node };
  }

  /** One PROPFIND of the root: the credentials work there. */
  private async probe(url: string, auth: WebDavAuth, signal: AbortSignal | undefined): Promise<void> {
    const store = new WebDavRemoteStore({
      url,
      auth,
      logger: this.deps.logger,
      retry: { attempts: 2 },
      ...(this.deps.ca === undefined ? {} : { ca: this.deps.ca }),
    });
    try {
      const root = await store.stat('', { signal });
      if (root === null) throw new TeraSyncError(ErrorCode.NotFound, `${url} does not exist on the server.`, { status: 404 });
    } finally {
      await store.dispose();
    }
  }

  private async revokeQuietly(config: OAuthSettings & { ca?: string }, tokens: TokenSet): Promise<void> {
    for (const [token, hint] of [
      [tokens.refreshToken, 'refresh_token'],
      [tokens.accessToken, 'access_token'],
    ] as const) {
      if (token === null) continue;
      await revokeToken(config, token, hint).catch(() => false);
    }
  }
}

function locationNeeded(): TeraSyncError {
  return new TeraSyncError(
    ErrorCode.Configuration,
    'Which storage node? Enter your node name (e.g. "seto") or paste the WebDAV Connection URL from MyPage ' +
      '(--node NAME or --url URL), or configure the application key (--api-key) so that TeraSync can ask the service.',
  );
}

function withManualHint(error: TeraSyncError): TeraSyncError {
  // A refused password is not cured by typing the node name.
  if (error.code === ErrorCode.Unauthorized) return error;
  return new TeraSyncError(error.code, `${error.message} (Give your node name with --node, or the WebDAV URL from MyPage with --url.)`, {
    cause: error,
    ...(error.status === undefined ? {} : { status: error.status }),
  });
}
