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
 *
 * Advanced sign-in options belong to the account and are kept in account.json: another REST
 * API server and key placement (in its `api` settings), and a private CA (`caPem`) trusted
 * besides the system roots, and besides `deps.ca` (the command's --ca), by every connection
 * of the account: the WebDAV probe and the stores a sync builds (`Connection.ca`), the REST
 * calls, and the OAuth2 discovery, token and revocation requests.
 */
import { lookup } from 'node:dns/promises';
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../shared/errors.js';
import { isLoopbackHost } from '../net/tls.js';
import type { SecretStoreKind } from '../../shared/types.js';
import type { Logger } from '../core/logger.js';
import type { WallClock } from '../core/time.js';
import type { ApiKeyPlacement } from '../teracloud/apiKey.js';
import { TeraCloudApi, type TeraCloudQuota } from '../teracloud/TeraCloudApi.js';
import { discoverAccount } from '../teracloud/discoverAccount.js';
import { nodeFromUserInput, PROVIDER_DOMAINS, type NodeLocation } from '../teracloud/nodeUrls.js';
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
import { parseCaCertificates } from './caFile.js';
import { signInWithBrowser } from './oauth/signInWithBrowser.js';
import { revokeToken, type TokenSet } from './oauth/tokens.js';
import { TokenManager, type SignOutResult } from './oauth/TokenManager.js';
import type { SecretStore } from './SecretStore.js';

export interface AccountServiceDeps {
  accountFile: AccountFile;
  secrets: SecretStore;
  clock: WallClock;
  logger: Logger;
  /** PEM of a private CA for every connection (WebDAV, REST, OAuth2) of any account, besides the account's own. */
  ca?: string;
  /** Accept loopback and non-service HTTPS hosts (the emulator, development). Default false. */
  allowCustomHost?: boolean;
  /**
   * Resolves a host name, rejecting with the resolver's error (its `code`: 'ENOTFOUND' for a
   * name that does not exist). Default: the system's resolver (dns.lookup). Tests make a node
   * name not resolve with it.
   */
  lookupHost?: HostLookup;
}

/** Resolves `hostname`; rejects with an error whose `code` says why (ENOTFOUND, EAI_AGAIN, ...). */
export type HostLookup = (hostname: string) => Promise<void>;

const systemLookup: HostLookup = async (hostname) => {
  await lookup(hostname);
};

/** The sign-in's advanced options; each left out keeps what `api` (or nothing) says. */
export interface AdvancedAccountOptions {
  /** The REST API's base URL (https:), instead of `api.baseUrl`: for node discovery and the quota. */
  apiServer?: string;
  /** How the API key is sent, instead of `api.keyPlacement`. */
  apiKeyPlacement?: ApiKeyPlacement;
  /** PEM text of one or more CA certificates the account trusts besides the system roots (see readCaFile). */
  caPem?: string;
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
  advanced?: AdvancedAccountOptions;
  signal?: AbortSignal;
}

export interface OAuthSignIn {
  oauth: OAuthSettings;
  openBrowser: (url: string) => Promise<void>;
  /** Needed when `api` is not set (the REST API tells both otherwise). */
  userId?: string;
  location?: string;
  api?: ApiSettings | null;
  advanced?: AdvancedAccountOptions;
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
  /** PEM certificates the stores of this connection must trust besides the system roots (see caFor); absent: none. */
  ca?: string;
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
  secretStoreKind: SecretStoreKind;
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

  secretStoreKind(): SecretStoreKind {
    return this.deps.secrets.kind;
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
    const { api, caPem } = this.advancedSettings(input.api ?? null, input.advanced);
    const ca = this.trusted(caPem);
    const { location, node } = await this.locate(input.location, api, { userId, password: input.password }, input.signal, ca);
    await this.checkNodeExists(location);
    const preemptive = input.preemptive ?? true;
    await this.probe(location.davUrl, { kind: 'basic', user: userId, password: input.password, preemptive }, input.signal, ca);

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
      ...withCaPem(caPem ?? (keepOAuth ? previous.caPem : undefined)),
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
    const { api, caPem } = this.advancedSettings(input.api ?? null, input.advanced);
    const ca = this.trusted(caPem);
    const config = { ...input.oauth, ...(ca === undefined ? {} : { ca }) };
    const tokens = await signInWithBrowser({
      config,
      openBrowser: input.openBrowser,
      signal: input.signal,
      timeoutMs: input.timeoutMs,
      clock: this.deps.clock,
    });
    let record: AccountRecord;
    try {
      let userId = input.userId?.trim() ?? '';
      let location: NodeLocation;
      if (api !== null && input.location === undefined) {
        const rest = this.api(api, { bearer: async () => tokens.accessToken }, ca);
        const found = await discoverAccount(rest, { allowCustomHost: this.deps.allowCustomHost === true, signal: input.signal });
        if (!found.ok) throw withManualHint(found.error);
        userId = found.user.userId;
        location = { ...found.location, node: found.user.node };
      } else {
        if (input.location === undefined) throw locationNeeded();
        location = this.parseLocation(input.location);
        await this.checkNodeExists(location);
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
        ...withCaPem(caPem ?? (sameAccount ? previous.caPem : undefined)),
      };
    } catch (error) {
      // Tokens nobody will use are handed back.
      await this.revokeQuietly(config, tokens);
      throw error;
    }
    const tokenManager = this.tokenManager(record.oauth as OAuthSettings, this.caFor(record));
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
    const ca = this.caFor(record);
    const trust = ca === undefined ? {} : { ca };
    if (record.method === 'oauth2' && record.oauth !== null) {
      const tokens = this.tokenManager(record.oauth, ca);
      let reason: string;
      if (!(await tokens.hasTokens())) {
        reason = 'the OAuth2 sign-in has ended (no tokens stored)';
      } else {
        const auth: WebDavAuth = { kind: 'bearer', tokens };
        try {
          await this.probe(location.v2DavUrl, auth, options.signal, ca);
          return { record, rootUrl: location.v2DavUrl, auth, method: 'oauth2', fallbackReason: null, ...trust };
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
      return { record, rootUrl: location.davUrl, auth, method: 'basic', fallbackReason, ...trust };
    }
    return { record, rootUrl: location.davUrl, auth: await this.basicAuth(record), method: 'basic', fallbackReason: null, ...trust };
  }

  /**
   * The PEM certificates every connection of `record`'s account trusts besides the system
   * roots: the account's CA and `deps.ca`, both when both are set; undefined when neither is.
   * For the stores built outside connect() (the backup area).
   */
  caFor(record: AccountRecord): string | undefined {
    return this.trusted(record.caPem);
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
        quota = await this.api(record.api, { userId: record.userId, password }, connection.ca).getQuota(record.origin, options.signal);
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
      secretStoreKind: this.deps.secrets.kind,
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
    const result = record.oauth === null ? null : await this.tokenManager(record.oauth, this.caFor(record)).signOut();
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

  private tokenManager(oauth: OAuthSettings, ca: string | undefined): TokenManager {
    const config = { ...oauth, ...(ca === undefined ? {} : { ca }) };
    return new TokenManager({ config, secrets: this.deps.secrets, key: oauthSecretKey(oauth), clock: this.deps.clock });
  }

  private api(settings: ApiSettings, credentials: ConstructorParameters<typeof TeraCloudApi>[0]['credentials'], ca: string | undefined): TeraCloudApi {
    return new TeraCloudApi({
      apiBaseUrl: settings.baseUrl,
      apiKey: settings.applicationKey,
      apiKeyPlacement: settings.keyPlacement,
      credentials,
      ...(ca === undefined ? {} : { ca }),
    });
  }

  /** `deps.ca` and an account's CA as one PEM text; undefined when neither is set. */
  private trusted(caPem: string | undefined): string | undefined {
    const own = this.deps.ca;
    if (own === undefined || own.trim() === '') return caPem;
    if (caPem === undefined || own.trim() === caPem.trim()) return own;
    return `${own.trimEnd()}\n${caPem}`;
  }

  /**
   * The API settings and CA a sign-in uses and keeps: `api` with the advanced options' server
   * and key placement instead of its own, and the CA's certificates, checked. Throws
   * Configuration saying what is wrong, before anything is sent.
   */
  private advancedSettings(api: ApiSettings | null, advanced: AdvancedAccountOptions | undefined): { api: ApiSettings | null; caPem: string | undefined } {
    const caPem = advanced?.caPem === undefined ? undefined : parseCaCertificates(advanced.caPem, 'The CA certificate given for the account');
    const apiServer = advanced?.apiServer?.trim();
    const placement = advanced?.apiKeyPlacement;
    if ((apiServer === undefined || apiServer === '') && placement === undefined) return { api, caPem };
    if (api === null) {
      // Without the application's key the REST API is not used at all; saying so beats ignoring what the user typed.
      throw new TeraSyncError(
        ErrorCode.Configuration,
        'An API server or key placement was given, but TeraSync has no application key for the TeraCLOUD REST API, so it does not use the API: ' +
          'configure the key (--api-key or TERASYNC_API_KEY), or leave those two settings empty.',
      );
    }
    if (placement !== undefined && placement !== 'header' && placement !== 'matrix') {
      throw new TeraSyncError(ErrorCode.Configuration, 'The API key placement must be "header" or "matrix".');
    }
    return {
      api: {
        ...api,
        ...(apiServer === undefined || apiServer === '' ? {} : { baseUrl: this.checkedApiServer(apiServer) }),
        ...(placement === undefined ? {} : { keyPlacement: placement }),
      },
      caPem,
    };
  }

  /** An https: base URL, with a trailing slash; http: only to loopback with allowCustomHost (the emulator). */
  private checkedApiServer(text: string): string {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new TeraSyncError(ErrorCode.Configuration, `The API server "${text}" is not a web address (expected e.g. https://api.teracloud.jp/).`);
    }
    const loopbackForDevelopment = url.protocol === 'http:' && this.deps.allowCustomHost === true && isLoopbackHost(url.hostname);
    if (url.protocol !== 'https:' && !loopbackForDevelopment) {
      throw new TeraSyncError(ErrorCode.Configuration, `The API server must be an https: address; ${url.origin} is not (TeraSync only connects over HTTPS).`);
    }
    if (url.username !== '' || url.password !== '') throw new TeraSyncError(ErrorCode.Configuration, 'The API server address must not contain a user name or password.');
    if (url.search !== '' || url.hash !== '') {
      throw new TeraSyncError(ErrorCode.Configuration, `The API server address ${url.origin}${url.pathname} must not have a query or fragment.`);
    }
    if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
    return url.href;
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
    ca: string | undefined,
  ): Promise<{ location: NodeLocation; node: string }> {
    if (typed !== undefined && typed.trim() !== '') {
      const location = this.parseLocation(typed);
      return { location, node: location.node };
    }
    if (api === null) throw locationNeeded();
    const found = await discoverAccount(this.api(api, credentials, ca), { allowCustomHost: this.deps.allowCustomHost === true, signal });
    if (!found.ok) throw withManualHint(found.error);
    // The service's own name for the node (the URL of a development server names a host).
    return { location: found.location, node: found.user.node };
  }

  /**
   * A node of the service whose host name does not exist is a wrong node name, not a lost
   * connection: NodeNotFound when the node's name does not resolve (ENOTFOUND) while the
   * service's own domain does. Any other outcome (resolved, offline, a resolver that is not
   * answering) is left to the request that follows, which reports it as it is. Custom hosts
   * (the emulator, development) are not looked up.
   */
  private async checkNodeExists(location: NodeLocation): Promise<void> {
    if (location.provider === 'custom') return;
    const lookupHost = this.deps.lookupHost ?? systemLookup;
    const host = new URL(location.origin).hostname;
    try {
      await lookupHost(host);
      return;
    } catch (error) {
      if (resolverCode(error) !== 'ENOTFOUND') return;
    }
    const domain = PROVIDER_DOMAINS[location.provider];
    try {
      await lookupHost(domain);
    } catch {
      // The service's domain does not resolve either: this computer is offline.
      return;
    }
    this.deps.logger.warn(`account: ${host} does not resolve (ENOTFOUND) while ${domain} does: no node "${location.node}"`);
    throw new TeraSyncError(
      ErrorCode.NodeNotFound,
      `There is no node "${location.node}" on ${domain} (${host} does not exist). Check the node name in MyPage: it is the first part of the WebDAV Connection URL.`,
    );
  }

  /** One PROPFIND of the root: the credentials work there. */
  private async probe(url: string, auth: WebDavAuth, signal: AbortSignal | undefined, ca: string | undefined): Promise<void> {
    const store = new WebDavRemoteStore({
      url,
      auth,
      logger: this.deps.logger,
      retry: { attempts: 2 },
      ...(ca === undefined ? {} : { ca }),
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

/** `{ caPem }`, or nothing when there is none (the record leaves the field out). */
function withCaPem(caPem: string | undefined): { caPem?: string } {
  return caPem === undefined ? {} : { caPem };
}

/** The resolver's error code of a failed lookup ('ENOTFOUND', 'EAI_AGAIN', ...), or ''. */
function resolverCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
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
  if (error.code === ErrorCode.Unauthorized || error.code === ErrorCode.ProxyAuth) return error;
  return new TeraSyncError(error.code, `${error.message} (Give your node name with --node, or the WebDAV URL from MyPage with --url.)`, {
    cause: error,
    ...(error.status === undefined ? {} : { status: error.status }),
  });
}
