/**
 * Holds one account's OAuth2 tokens: hands out a valid access token, refreshes it before it
 * expires or when the server refused it, and keeps the token set in the SecretStore.
 *
 * - Single flight: however many callers need a refresh at once, one refresh request is made
 *   and all of them get its result. With refresh token rotation a second, parallel request
 *   with the same refresh token would look like token theft to the server (reuse
 *   detection) and end the sign-in.
 * - Rotation: the new token set (with its new refresh token) is written to the SecretStore
 *   before the new access token is handed out. If the write fails, nothing is handed out
 *   and the next call tries the write again: a crash must never leave only the old,
 *   already used refresh token in the keychain.
 * - Before refreshing, the stored set is read again: another TeraSync process sharing the
 *   keychain (the app and the command line) may have refreshed already, and its rotated
 *   token is then used instead of sending the used one (which would revoke the grant).
 * - `invalid_grant` on refresh means the sign-in is over (expired, revoked, or reuse was
 *   detected): the stored set is deleted and callers get Unauthorized "sign in again".
 *
 * Stored value: JSON `{ "version": 1, accessToken, refreshToken, expiresAt, scope, tokenType }`.
 */
import type { WallClock } from '../../core/time.js';
import { ErrorCode, TeraSyncError, type ErrorInfo } from '../../../shared/errors.js';
import type { SecretStore } from '../SecretStore.js';
import { resolveEndpoints, type OAuthConfig, type OAuthEndpoints } from './OAuthConfig.js';
import { SIGN_IN_AGAIN_MESSAGE } from './oauthErrors.js';
import { refreshTokens, revokeToken, type TokenSet } from './tokens.js';

export interface TokenManagerOptions {
  config: OAuthConfig;
  secrets: SecretStore;
  /** The SecretStore key of this account's token set, e.g. `oauth:alice@https://auth.example`. */
  key: string;
  clock: WallClock;
  /** Refresh when the access token expires within this. Default 60 s. */
  refreshMarginMs?: number;
}

export interface SignOutResult {
  /**
   * 'revoked': the server confirmed; 'unsupported': it has no revocation endpoint; 'failed':
   * see `error`; 'nothing': no tokens were stored.
   */
  revocation: 'revoked' | 'unsupported' | 'failed' | 'nothing';
  /** Why revocation failed. The local tokens were deleted anyway. */
  error: ErrorInfo | null;
}

const FORMAT_VERSION = 1;
const DEFAULT_REFRESH_MARGIN_MS = 60_000;

function notSignedIn(): TeraSyncError {
  return new TeraSyncError(ErrorCode.Unauthorized, 'You are not signed in with OAuth2: sign in again.');
}

function signInAgain(): TeraSyncError {
  return new TeraSyncError(ErrorCode.Unauthorized, SIGN_IN_AGAIN_MESSAGE);
}

function serialize(tokens: TokenSet): string {
  return JSON.stringify({ version: FORMAT_VERSION, ...tokens });
}

/** The stored set, or null when absent or unreadable (an unreadable one is as good as none: sign in again). */
function deserialize(text: string | null): TokenSet | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const { accessToken, refreshToken, expiresAt, scope } = value;
    if (value['version'] !== FORMAT_VERSION || typeof accessToken !== 'string' || accessToken === '') return null;
    if (refreshToken !== null && typeof refreshToken !== 'string') return null;
    if (typeof expiresAt !== 'number' || typeof scope !== 'string') return null;
    return { accessToken, refreshToken, expiresAt, scope, tokenType: 'Bearer' };
  } catch {
    return null;
  }
}

function isUnauthorized(error: unknown): boolean {
  return error instanceof TeraSyncError && error.code === ErrorCode.Unauthorized;
}

export class TokenManager {
  private readonly config: OAuthConfig;
  private readonly secrets: SecretStore;
  private readonly key: string;
  private readonly clock: WallClock;
  private readonly marginMs: number;

  /** undefined: not read yet; null: none. */
  private tokens: TokenSet | null | undefined;
  /** A refreshed set whose write to the SecretStore failed: not handed out until written. */
  private unsaved: TokenSet | null = null;
  private loading: Promise<TokenSet | null> | null = null;
  private refreshing: Promise<TokenSet> | null = null;
  private persisting: Promise<TokenSet> | null = null;
  private endpoints: Promise<OAuthEndpoints> | null = null;
  /** Bumped by save and signOut, so a refresh that was in flight does not bring old tokens back. */
  private generation = 0;

  constructor(options: TokenManagerOptions) {
    this.config = options.config;
    this.secrets = options.secrets;
    this.key = options.key;
    this.clock = options.clock;
    this.marginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
  }

  /** Never the tokens, whoever serialises a connection or logs it. */
  toJSON(): string {
    return '[TokenManager]';
  }

  /** True when a token set is stored for this account. */
  async hasTokens(): Promise<boolean> {
    return (await this.current()) !== null;
  }

  /** Stores a new token set (after a sign-in), replacing any other. */
  async save(tokens: TokenSet): Promise<void> {
    this.generation++;
    await this.secrets.set(this.key, serialize(tokens));
    this.tokens = tokens;
    this.unsaved = null;
  }

  /**
   * A valid access token: the stored one, or a fresh one when it expires within the margin.
   * Rejects with Unauthorized when the account must sign in again.
   */
  async accessToken(): Promise<string> {
    if (this.unsaved !== null) return (await this.persistUnsaved()).accessToken;
    const tokens = await this.current();
    if (tokens === null) throw notSignedIn();
    if (tokens.expiresAt - this.marginMs > this.clock.now()) return tokens.accessToken;
    if (tokens.refreshToken === null) {
      if (tokens.expiresAt > this.clock.now()) return tokens.accessToken;
      throw signInAgain();
    }
    return (await this.refresh(tokens.accessToken)).accessToken;
  }

  /**
   * The server answered 401 to `rejectedToken`. Resolves the token to retry with: the current
   * one when someone already replaced `rejectedToken`, else a refreshed one; null when no
   * refresh is possible (the account must sign in again). Network trouble rejects.
   */
  async onUnauthorized(rejectedToken: string): Promise<string | null> {
    if (this.unsaved !== null) return (await this.persistUnsaved()).accessToken;
    const tokens = await this.current();
    if (tokens === null) return null;
    if (tokens.accessToken !== rejectedToken) return tokens.accessToken;
    if (tokens.refreshToken === null) return null;
    try {
      const fresh = await this.refresh(rejectedToken);
      return fresh.accessToken === rejectedToken ? null : fresh.accessToken;
    } catch (error) {
      if (isUnauthorized(error)) return null;
      throw error;
    }
  }

  /**
   * Revokes the refresh token and the access token (when the server has a revocation
   * endpoint) and deletes the stored set. A failed revocation is reported in the result; the
   * local tokens are deleted anyway.
   */
  async signOut(): Promise<SignOutResult> {
    // Let a refresh in flight finish, so that its tokens are the ones revoked and deleted.
    await this.refreshing?.catch(() => undefined);
    await this.persisting?.catch(() => undefined);
    const tokens = this.unsaved ?? (await this.current());
    this.generation++;
    let result: SignOutResult = { revocation: 'nothing', error: null };
    if (tokens !== null) {
      try {
        const endpoints = await this.resolvedEndpoints();
        if (endpoints.revocationEndpoint === null) {
          result = { revocation: 'unsupported', error: null };
        } else {
          // The refresh token first: many servers revoke the whole grant with it.
          if (tokens.refreshToken !== null) await revokeToken(this.config, tokens.refreshToken, 'refresh_token', { endpoints, clock: this.clock });
          await revokeToken(this.config, tokens.accessToken, 'access_token', { endpoints, clock: this.clock });
          result = { revocation: 'revoked', error: null };
        }
      } catch (error) {
        const info =
          error instanceof TeraSyncError ? error.toInfo() : { code: ErrorCode.Network, message: 'The sign-in server could not be told to revoke the tokens.' };
        result = { revocation: 'failed', error: info };
      }
    }
    this.tokens = null;
    this.unsaved = null;
    await this.secrets.delete(this.key);
    return result;
  }

  private current(): Promise<TokenSet | null> {
    if (this.tokens !== undefined) return Promise.resolve(this.tokens);
    this.loading ??= this.readStored().finally(() => {
      this.loading = null;
    });
    return this.loading.then((stored) => {
      if (this.tokens === undefined) this.tokens = stored;
      return this.tokens;
    });
  }

  private async readStored(): Promise<TokenSet | null> {
    return deserialize(await this.secrets.get(this.key));
  }

  private resolvedEndpoints(): Promise<OAuthEndpoints> {
    this.endpoints ??= resolveEndpoints(this.config).catch((error: unknown) => {
      this.endpoints = null;
      throw error;
    });
    return this.endpoints;
  }

  /** One refresh at a time; callers that arrive meanwhile share it. */
  private refresh(staleAccessToken: string): Promise<TokenSet> {
    this.refreshing ??= this.refreshOnce(staleAccessToken).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refreshOnce(staleAccessToken: string): Promise<TokenSet> {
    const generation = this.generation;
    const stored = await this.readStored();
    if (generation !== this.generation) return this.replacedMeanwhile();
    if (stored === null) {
      this.tokens = null;
      throw notSignedIn();
    }
    if (stored.accessToken !== staleAccessToken && stored.expiresAt - this.marginMs > this.clock.now()) {
      // Another process refreshed already.
      this.tokens = stored;
      return stored;
    }
    if (stored.refreshToken === null) throw signInAgain();

    let fresh: TokenSet;
    try {
      const endpoints = await this.resolvedEndpoints();
      fresh = await refreshTokens(this.config, stored.refreshToken, { endpoints, clock: this.clock, grantedScope: stored.scope });
    } catch (error) {
      if (generation !== this.generation) return this.replacedMeanwhile();
      if (isUnauthorized(error)) {
        this.generation++;
        this.tokens = null;
        await this.secrets.delete(this.key);
      }
      throw error;
    }
    if (generation !== this.generation) return this.replacedMeanwhile();
    this.unsaved = fresh;
    return this.persistUnsaved();
  }

  /** After a save or sign-out during a refresh: the set that replaced ours, if any. */
  private replacedMeanwhile(): TokenSet {
    if (this.unsaved !== null) throw notSignedIn();
    if (this.tokens === null || this.tokens === undefined) throw notSignedIn();
    return this.tokens;
  }

  /** Writes the refreshed set, then makes it current; one write at a time. */
  private persistUnsaved(): Promise<TokenSet> {
    this.persisting ??= (async () => {
      const fresh = this.unsaved;
      if (fresh === null) throw notSignedIn();
      const generation = this.generation;
      await this.secrets.set(this.key, serialize(fresh));
      if (generation !== this.generation) return this.replacedMeanwhile();
      this.unsaved = null;
      this.tokens = fresh;
      return fresh;
    })().finally(() => {
      this.persisting = null;
    });
    return this.persisting;
  }
}
