/**
 * The service configuration that is not the user's to type at each sign-in: the REST API's
 * application key and address, and the OAuth2 client (TeraCLOUD has not published its
 * endpoints, so issuer and client ID are configuration). The command takes them from options
 * and the environment, the app from the environment (a development build pointed at the
 * emulator, or a build that ships its key):
 *
 *   TERASYNC_API_KEY, TERASYNC_API_KEY_IN (header | matrix), TERASYNC_API_URL
 *   TERASYNC_OAUTH_ISSUER, TERASYNC_OAUTH_CLIENT_ID, TERASYNC_OAUTH_SCOPES
 *   TERASYNC_ALLOW_CUSTOM_HOST=1   accept a non-service HTTPS host (development)
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { isLoopbackHost } from '../net/tls.js';
import { parseApiKey, type ApiKeyPlacement } from '../teracloud/apiKey.js';
import { DEFAULT_API_BASE_URL } from '../teracloud/TeraCloudApi.js';
import type { ApiSettings, OAuthSettings } from './AccountRecord.js';

export interface ApiOptions {
  apiKey?: string | undefined;
  apiUrl?: string | undefined;
  apiKeyIn?: string | undefined;
}

/** The API settings from options, else the environment; null when no application key is configured. */
export function apiSettingsFrom(options: ApiOptions, env: NodeJS.ProcessEnv): ApiSettings | null {
  const key = options.apiKey ?? env.TERASYNC_API_KEY;
  if (key === undefined || key === '') return null;
  const placement = options.apiKeyIn ?? env.TERASYNC_API_KEY_IN ?? 'header';
  if (placement !== 'header' && placement !== 'matrix') {
    throw new TeraSyncError(ErrorCode.Configuration, 'The API key placement must be "header" or "matrix" (--api-key-in, TERASYNC_API_KEY_IN).');
  }
  return {
    baseUrl: options.apiUrl ?? env.TERASYNC_API_URL ?? DEFAULT_API_BASE_URL,
    applicationKey: parseApiKey(key),
    keyPlacement: placement as ApiKeyPlacement,
  };
}

export interface OAuthOptions {
  /** The user asked for OAuth2 (`--oauth`): a missing issuer or client ID is then an error. */
  requested?: boolean;
  issuer?: string | undefined;
  clientId?: string | undefined;
  scopes?: string | undefined;
}

/** The OAuth2 client from options, else the environment; null when none is configured (and none was asked for). */
export function oauthSettingsFrom(options: OAuthOptions, env: NodeJS.ProcessEnv): OAuthSettings | null {
  const issuer = options.issuer ?? env.TERASYNC_OAUTH_ISSUER;
  const clientId = options.clientId ?? env.TERASYNC_OAUTH_CLIENT_ID;
  if (options.requested !== true && (issuer === undefined || issuer === '')) return null;
  if (issuer === undefined || issuer === '' || clientId === undefined || clientId === '') {
    throw new TeraSyncError(
      ErrorCode.Configuration,
      'OAuth2 sign-in needs the sign-in server and the client ID: --issuer URL --client-id ID (or TERASYNC_OAUTH_ISSUER / ' +
        'TERASYNC_OAUTH_CLIENT_ID). TeraCLOUD has not published them yet; without them, sign in with your user ID and Apps password.',
    );
  }
  const scopes = (options.scopes ?? env.TERASYNC_OAUTH_SCOPES ?? 'openid offline_access').split(/[\s,]+/).filter((scope) => scope !== '');
  return { issuer, clientId, scopes };
}

/** Non-service hosts are accepted for development: asked for, or an API on loopback (the emulator). */
export function allowCustomHostFrom(api: ApiSettings | null, env: NodeJS.ProcessEnv): boolean {
  return env.TERASYNC_ALLOW_CUSTOM_HOST === '1' || (api !== null && isLoopbackHost(new URL(api.baseUrl).hostname));
}
