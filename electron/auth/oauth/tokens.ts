/**
 * The token endpoint (RFC 6749 §4.1.3 code exchange, §6 refresh) and the revocation endpoint
 * (RFC 7009), for a public client: the client ID goes in the form, there is no secret, and
 * PKCE's verifier proves that the code's redeemer started the sign-in.
 *
 * The protocol is oauth4webapi's (the requests, and the checks of a token answer); every
 * request it makes goes through the project's HTTP stack (`fetchOverHttpRequest`: proxy,
 * private CA, TLS checks, timeouts, coded errors). What TeraSync adds:
 * - an error answer becomes the coded error of `tokenEndpointError` (what the user reads);
 * - only bearer tokens are taken (oauth4webapi also knows DPoP, which TeraSync does not do);
 * - `expires_in` becomes an absolute time on the injected clock; a refresh answer without a
 *   new refresh token keeps the old one (RFC 6749 §6: the server may go on accepting it);
 * - an ID token is ignored and not checked: TeraSync is an OAuth2 client, it uses no
 *   identity claims, and a server asked for `openid` may sign its ID tokens with algorithms
 *   TeraSync would have to be told about.
 */
import * as oauth from 'oauth4webapi';
import type { IncomingHttpHeaders } from 'node:http';
import { ErrorCode, TeraSyncError } from '../../../shared/errors.js';
import { systemClock, type WallClock } from '../../core/time.js';
import { fetchOverHttpRequest } from '../../net/fetchOverHttpRequest.js';
import type { HttpTextResponse } from '../../net/httpRequest.js';
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

export interface TokenRequestOptions extends OAuthRequestOptions {
  clock?: WallClock;
  /** Already resolved endpoints; without them, `resolveEndpoints(config)` runs first. */
  endpoints?: OAuthEndpoints;
}

export type TokenTypeHint = 'access_token' | 'refresh_token';

/** Access tokens without `expires_in` are used until the server refuses one (then refreshed). */
export const UNKNOWN_EXPIRY = Number.MAX_SAFE_INTEGER;

export interface ParseContext {
  nowMs: number;
  /** The scope asked for: the granted one when the answer names none (RFC 6749 §5.1). */
  requestedScope: string;
  /** Kept when a refresh answer brings no new refresh token. */
  previousRefreshToken: string | null;
  /** Which grant the answer is for. Default: refresh_token. */
  grant?: TokenGrant;
}

export type TokenGrant = 'authorization_code' | 'refresh_token';

/**
 * oauth4webapi's view of the server: the endpoints it sends to. Without a configured issuer,
 * the token endpoint's origin stands in; nothing is checked against it (no ID token is read).
 */
function authorizationServer(endpoints: OAuthEndpoints): oauth.AuthorizationServer {
  return {
    issuer: endpoints.issuer ?? new URL(endpoints.tokenEndpoint).origin,
    authorization_endpoint: endpoints.authorizationEndpoint,
    token_endpoint: endpoints.tokenEndpoint,
    ...(endpoints.revocationEndpoint === null ? {} : { revocation_endpoint: endpoints.revocationEndpoint }),
  };
}

function client(config: OAuthConfig): oauth.Client {
  return { client_id: config.clientId };
}

/**
 * oauth4webapi's request options: our HTTP stack, the caller's signal. Plain http is allowed
 * where resolveEndpoints and httpRequest allow it (loopback only, for the emulator).
 */
function requestOptions(config: OAuthConfig, options: OAuthRequestOptions, endpoint: string): oauth.TokenEndpointRequestOptions {
  return {
    [oauth.customFetch]: fetchOverHttpRequest({ ca: config.ca, timeoutMs: options.timeoutMs, what: SIGN_IN_SERVER }),
    [oauth.allowInsecureRequests]: new URL(endpoint).protocol === 'http:',
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
}

/** A fetch answer as the buffered answer `tokenEndpointError` reads. */
async function textResponse(response: Response): Promise<HttpTextResponse> {
  const headers: IncomingHttpHeaders = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { status: response.status, headers, body: await response.text() };
}

function unusable(reason: string): TeraSyncError {
  return new TeraSyncError(ErrorCode.BadResponse, `The sign-in server's token answer cannot be used: ${reason}`);
}

/** The answer without its ID token (see the head of this file); unchanged when it is not a JSON object. */
async function withoutIdToken(response: Response): Promise<Response> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  let body = text;
  if (json !== null && typeof json === 'object' && !Array.isArray(json) && 'id_token' in json) {
    const { id_token: _ignored, ...rest } = json as Record<string, unknown>;
    body = JSON.stringify(rest);
  }
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * A token endpoint's 200 answer as a TokenSet, checked by oauth4webapi, or BadResponse
 * (never quoting the answer: it holds tokens).
 */
export async function parseTokenResponse(response: Response, context: ParseContext): Promise<TokenSet> {
  // With the ID token gone, the checks of the answer use neither the server's nor the
  // client's identity: oauth4webapi only needs the two objects to be well formed.
  const as: oauth.AuthorizationServer = { issuer: 'urn:terasync:unchecked' };
  const checked = await withoutIdToken(response);
  let json: oauth.TokenEndpointResponse;
  try {
    json =
      context.grant === 'authorization_code'
        ? await oauth.processAuthorizationCodeResponse(as, { client_id: 'terasync' }, checked)
        : await oauth.processRefreshTokenResponse(as, { client_id: 'terasync' }, checked);
  } catch (error) {
    if (error instanceof TeraSyncError) throw error;
    // oauth4webapi's messages name the field at fault, never its value.
    throw unusable(error instanceof Error ? `${error.message}.` : 'it is not a token answer.');
  }
  // oauth4webapi lowercases token_type.
  if (json.token_type !== 'bearer') {
    throw new TeraSyncError(ErrorCode.BadResponse, `The sign-in server issued a token of type "${json.token_type.slice(0, 20)}": TeraSync only uses bearer tokens.`);
  }
  const expiresAt = json.expires_in === undefined ? UNKNOWN_EXPIRY : context.nowMs + json.expires_in * 1000;
  return {
    accessToken: json.access_token,
    refreshToken: json.refresh_token === undefined || json.refresh_token === '' ? context.previousRefreshToken : json.refresh_token,
    expiresAt,
    scope: json.scope ?? context.requestedScope,
    tokenType: 'Bearer',
  };
}

async function endpointsFor(config: OAuthConfig, options: TokenRequestOptions): Promise<OAuthEndpoints> {
  return options.endpoints ?? resolveEndpoints(config, options);
}

interface TokenRequest {
  /** Sends the request through oauth4webapi. */
  send: (as: oauth.AuthorizationServer, requestOptions: oauth.TokenEndpointRequestOptions) => Promise<Response>;
  grant: TokenGrant;
  operation: TokenOperation;
  /** What the form carries that must never reach a message. */
  secrets: readonly string[];
  previousRefreshToken: string | null;
  /** The scope to assume when the answer names none. */
  scope: string;
}

async function tokenRequest(config: OAuthConfig, request: TokenRequest, options: TokenRequestOptions): Promise<TokenSet> {
  const { operation, secrets, previousRefreshToken } = request;
  const endpoints = await endpointsFor(config, options);
  const clock = options.clock ?? systemClock;
  const response = await request.send(authorizationServer(endpoints), requestOptions(config, options, endpoints.tokenEndpoint));
  const nowMs = clock.now();
  if (response.status < 200 || response.status >= 300) {
    throw tokenEndpointError(await textResponse(response), { operation, clientId: config.clientId, secrets, nowMs });
  }
  return parseTokenResponse(response, { nowMs, requestedScope: request.scope, previousRefreshToken, grant: request.grant });
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
      send: (as, requestOptions) => {
        // The listener has checked the answer's state and the caller its issuer; oauth4webapi
        // wants the parameters it validated itself, so the code is handed over that way.
        const parameters = oauth.validateAuthResponse(as, client(config), new URLSearchParams({ code: exchange.code }), oauth.skipStateCheck);
        return oauth.authorizationCodeGrantRequest(as, client(config), oauth.None(), parameters, exchange.redirectUri, exchange.codeVerifier, requestOptions);
      },
      grant: 'authorization_code',
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
      send: (as, requestOptions) => oauth.refreshTokenGrantRequest(as, client(config), oauth.None(), refreshToken, requestOptions),
      grant: 'refresh_token',
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
  const response = await oauth.revocationRequest(authorizationServer(endpoints), client(config), oauth.None(), token, {
    ...requestOptions(config, options, endpoints.revocationEndpoint),
    additionalParameters: { token_type_hint: hint },
  });
  if (response.status < 200 || response.status >= 300) {
    throw tokenEndpointError(await textResponse(response), { operation: 'revoke', clientId: config.clientId, secrets: [token], nowMs: (options.clock ?? systemClock).now() });
  }
  return true;
}
