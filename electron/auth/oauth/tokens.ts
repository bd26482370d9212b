/**
 * The token endpoint (RFC 6749 §4.1.3 code exchange, §6 refresh) and the revocation endpoint
 * (RFC 7009), for a public client: the client ID goes in the form, there is no secret, and
 * PKCE's verifier proves that the code's redeemer started the sign-in.
 *
 * Every answer is checked before it is believed: a token answer needs a bearer access token;
 * `expires_in` becomes an absolute time on the injected clock; a refresh answer without a new
 * refresh token keeps the old one (RFC 6749 §6: the server may go on accepting it).
 */
import { ErrorCode, TeraSyncError } from '../../../shared/errors.js';
import { httpRequest, parseJsonBody, type HttpTextResponse } from '../../net/httpRequest.js';
import { resolveEndpoints, SIGN_IN_SERVER, type OAuthConfig, type OAuthEndpoints, type OAuthRequestOptions } from './OAuthConfig.js';
import { tokenEndpointError, type TokenOperation } from './oauthErrors.js';

export interface TokenSet {
  accessToken: string;
  /** Null when the server issued none: the sign-in then lasts as long as the access token. */
  refreshToken: string | null;
  /** When the access token expires, ms since the epoch (Number.MAX_SAFE_INTEGER when the server did not say). */
  expiresAt: number;
  /** The scopes granted, space-separated. */
  scope: string;
  tokenType: 'Bearer';
}

export interface Clock {
  now(): number;
}

export interface TokenRequestOptions extends OAuthRequestOptions {
  clock?: Clock;
  /** Already resolved endpoints; without them, `resolveEndpoints(config)` runs first. */
  endpoints?: OAuthEndpoints;
}

export type TokenTypeHint = 'access_token' | 'refresh_token';

const systemClock: Clock = { now: () => Date.now() };

/** Access tokens without `expires_in` are used until the server refuses one (then refreshed). */
export const UNKNOWN_EXPIRY = Number.MAX_SAFE_INTEGER;

interface ParseContext {
  nowMs: number;
  /** The scope asked for: the granted one when the answer names none (RFC 6749 §5.1). */
  requestedScope: string;
  /** Kept when a refresh answer brings no new refresh token. */
  previousRefreshToken: string | null;
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A token endpoint's 200 answer as a TokenSet, or BadResponse (never quoting the answer: it holds tokens). */
export function parseTokenResponse(response: HttpTextResponse, context: ParseContext): TokenSet {
  const json = parseJsonBody(response, 'The token endpoint of the sign-in server');
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new TeraSyncError(ErrorCode.BadResponse, "The sign-in server's token answer is not a JSON object.");
  }
  const body = json as Record<string, unknown>;
  const accessToken = nonEmptyString(body['access_token']);
  if (accessToken === null) throw new TeraSyncError(ErrorCode.BadResponse, "The sign-in server's token answer has no access token.");

  const tokenType = body['token_type'];
  if (tokenType !== undefined && (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer')) {
    throw new TeraSyncError(
      ErrorCode.BadResponse,
      `The sign-in server issued a token of type "${typeof tokenType === 'string' ? tokenType.slice(0, 20) : typeof tokenType}": TeraSync only uses bearer tokens.`,
    );
  }

  const expiresIn = typeof body['expires_in'] === 'string' ? Number(body['expires_in']) : body['expires_in'];
  let expiresAt = UNKNOWN_EXPIRY;
  if (expiresIn !== undefined && expiresIn !== null) {
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn < 0) {
      throw new TeraSyncError(ErrorCode.BadResponse, "The sign-in server's token answer has an invalid expires_in.");
    }
    expiresAt = context.nowMs + expiresIn * 1000;
  }

  const refreshToken = body['refresh_token'];
  if (refreshToken !== undefined && refreshToken !== null && nonEmptyString(refreshToken) === null) {
    throw new TeraSyncError(ErrorCode.BadResponse, "The sign-in server's token answer has an invalid refresh token.");
  }
  const scope = body['scope'];
  return {
    accessToken,
    refreshToken: nonEmptyString(refreshToken) ?? context.previousRefreshToken,
    expiresAt,
    scope: typeof scope === 'string' ? scope : context.requestedScope,
    tokenType: 'Bearer',
  };
}

async function endpointsFor(config: OAuthConfig, options: TokenRequestOptions): Promise<OAuthEndpoints> {
  return options.endpoints ?? resolveEndpoints(config, options);
}

async function postForm(
  url: string,
  form: Record<string, string>,
  config: OAuthConfig,
  options: TokenRequestOptions,
): Promise<HttpTextResponse> {
  return httpRequest(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
    ca: config.ca,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    what: SIGN_IN_SERVER,
  });
}

interface TokenRequest {
  form: Record<string, string>;
  operation: TokenOperation;
  /** What the form carries that must never reach a message. */
  secrets: readonly string[];
  previousRefreshToken: string | null;
  /** The scope to assume when the answer names none. */
  scope: string;
}

async function tokenRequest(config: OAuthConfig, request: TokenRequest, options: TokenRequestOptions): Promise<TokenSet> {
  const { form, operation, secrets, previousRefreshToken } = request;
  const endpoints = await endpointsFor(config, options);
  const clock = options.clock ?? systemClock;
  const response = await postForm(endpoints.tokenEndpoint, { ...form, client_id: config.clientId }, config, options);
  const nowMs = clock.now();
  if (response.status < 200 || response.status >= 300) {
    throw tokenEndpointError(response, { operation, clientId: config.clientId, secrets, nowMs });
  }
  return parseTokenResponse(response, { nowMs, requestedScope: request.scope, previousRefreshToken });
}

export interface CodeExchange {
  code: string;
  codeVerifier: string;
  /** Exactly the redirect URI of the authorization request (RFC 6749 §4.1.3). */
  redirectUri: string;
}

/** Redeems an authorization code (with its PKCE verifier) for tokens. */
export function exchangeCode(config: OAuthConfig, exchange: CodeExchange, options: TokenRequestOptions = {}): Promise<TokenSet> {
  return tokenRequest(
    config,
    {
      form: { grant_type: 'authorization_code', code: exchange.code, redirect_uri: exchange.redirectUri, code_verifier: exchange.codeVerifier },
      operation: 'exchange',
      secrets: [exchange.code, exchange.codeVerifier],
      previousRefreshToken: null,
      scope: config.scopes.join(' '),
    },
    options,
  );
}

export interface RefreshOptions extends TokenRequestOptions {
  /** The scope granted so far, assumed when the answer names none (RFC 6749 §5.1). Default: the configured scopes. */
  grantedScope?: string;
}

/**
 * New tokens for a refresh token. With rotation, the answer's refresh token replaces the one
 * sent, which the server will not take again. `invalid_grant` becomes Unauthorized
 * "sign in again".
 */
export function refreshTokens(config: OAuthConfig, refreshToken: string, options: RefreshOptions = {}): Promise<TokenSet> {
  return tokenRequest(
    config,
    {
      form: { grant_type: 'refresh_token', refresh_token: refreshToken },
      operation: 'refresh',
      secrets: [refreshToken],
      previousRefreshToken: refreshToken,
      scope: options.grantedScope ?? config.scopes.join(' '),
    },
    options,
  );
}

/**
 * Revokes a token (RFC 7009). Resolves true when the server confirmed (it also does for a
 * token it did not know), false when it has no revocation endpoint.
 */
export async function revokeToken(config: OAuthConfig, token: string, hint: TokenTypeHint, options: TokenRequestOptions = {}): Promise<boolean> {
  const endpoints = await endpointsFor(config, options);
  if (endpoints.revocationEndpoint === null) return false;
  const response = await postForm(endpoints.revocationEndpoint, { token, token_type_hint: hint, client_id: config.clientId }, config, options);
  if (response.status < 200 || response.status >= 300) {
    throw tokenEndpointError(response, { operation: 'revoke', clientId: config.clientId, secrets: [token], nowMs: (options.clock ?? systemClock).now() });
  }
  return true;
}
