import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../../shared/errors.js';
import type { HttpTextResponse } from '../../../../../electron/net/httpRequest.js';
import {
  authorizationResponseError,
  SIGN_IN_AGAIN_MESSAGE,
  serverText,
  tokenEndpointError,
  type TokenErrorContext,
} from '../../../../../electron/auth/oauth/oauthErrors.js';

const REFRESH_TOKEN = 'rt-9f8e7d6c5b4a-SECRET';

function answer(status: number, body: unknown, headers: Record<string, string> = {}): HttpTextResponse {
  return { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

const refresh: TokenErrorContext = { operation: 'refresh', clientId: 'terasync-desktop', secrets: [REFRESH_TOKEN], nowMs: Date.UTC(2025, 0, 1) };

describe('tokenEndpointError', () => {
  it('turns invalid_grant on refresh into Unauthorized "sign in again", without the token', () => {
    const error = tokenEndpointError(answer(400, { error: 'invalid_grant', error_description: `refresh token ${REFRESH_TOKEN} already used` }), refresh);
    expect(error.code).toBe(ErrorCode.Unauthorized);
    expect(error.message).toBe(SIGN_IN_AGAIN_MESSAGE);
    expect(error.status).toBe(400);
  });

  it('says which setting to check for invalid_client, and cuts secrets out of the server text', () => {
    const error = tokenEndpointError(answer(401, { error: 'invalid_client', error_description: `unknown client; token was ${REFRESH_TOKEN}` }), refresh);
    expect(error.code).toBe(ErrorCode.Configuration);
    expect(error.message).toContain('"terasync-desktop"');
    expect(error.message).toContain('"clientId" setting');
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(REFRESH_TOKEN);
  });

  it('maps the other OAuth2 errors to codes a caller can act on', () => {
    const cases: [string, number, ErrorCode][] = [
      ['invalid_scope', 400, ErrorCode.Configuration],
      ['unauthorized_client', 400, ErrorCode.Configuration],
      ['unsupported_grant_type', 400, ErrorCode.Configuration],
      ['invalid_request', 400, ErrorCode.InvalidRequest],
      ['server_error', 500, ErrorCode.Server],
      ['temporarily_unavailable', 400, ErrorCode.Server],
      ['something_new', 400, ErrorCode.BadResponse],
    ];
    for (const [code, status, expected] of cases) {
      const error = tokenEndpointError(answer(status, { error: code }), refresh);
      expect(error.code, code).toBe(expected);
      expect(error.message, code).toContain(code);
    }
  });

  it('says the code was refused when a code exchange gets invalid_grant', () => {
    const error = tokenEndpointError(answer(400, { error: 'invalid_grant' }), { ...refresh, operation: 'exchange', secrets: ['the-code', 'the-verifier'] });
    expect(error.code).toBe(ErrorCode.Unauthorized);
    expect(error.message).toMatch(/authorization code.*Sign in again/);
  });

  it('handles answers without an OAuth2 error: 429 with Retry-After, 5xx, anything else', () => {
    const limited = tokenEndpointError(answer(429, 'slow down', { 'retry-after': '7' }), refresh);
    expect(limited.code).toBe(ErrorCode.RateLimited);
    expect(limited.retryAfterSeconds).toBe(7);
    expect(tokenEndpointError(answer(502, '<html>bad gateway</html>'), refresh).code).toBe(ErrorCode.Server);
    const odd = tokenEndpointError(answer(404, `<html>${REFRESH_TOKEN}</html>`), refresh);
    expect(odd.code).toBe(ErrorCode.BadResponse);
    expect(odd.message).not.toContain(REFRESH_TOKEN);
  });

  it('does not echo a malformed error code', () => {
    const error = tokenEndpointError(answer(400, { error: 'bad"code\\with quotes' }), refresh);
    expect(error.message).toContain('unknown_error');
  });
});

describe('authorizationResponseError', () => {
  it('explains access_denied as a cancelled or refused sign-in', () => {
    const error = authorizationResponseError('access_denied', 'The user cancelled the sign-in.');
    expect(error.code).toBe(ErrorCode.Forbidden);
    expect(error.message).toBe('The sign-in was cancelled or access was refused in the browser (access_denied: The user cancelled the sign-in.).');
  });

  it('points at the settings for request errors and says "try later" for server trouble', () => {
    expect(authorizationResponseError('invalid_scope', null).code).toBe(ErrorCode.Configuration);
    expect(authorizationResponseError('unauthorized_client', null).message).toContain('check the OAuth2 settings');
    expect(authorizationResponseError('temporarily_unavailable', null).code).toBe(ErrorCode.Server);
    expect(authorizationResponseError('weird', null).code).toBe(ErrorCode.Unauthorized);
  });
});

describe('serverText', () => {
  it('keeps printable text only, at most 200 characters, and nothing of the secrets', () => {
    expect(serverText('line one\nline\u0000two\u202e')).toBe('line one line two');
    expect(serverText('x'.repeat(500))).toHaveLength(200);
    expect(serverText(`a ${REFRESH_TOKEN} b`, [REFRESH_TOKEN])).toBe('a [redacted] b');
    expect(serverText('   ')).toBeNull();
    expect(serverText(42)).toBeNull();
  });
});
