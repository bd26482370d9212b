import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../../shared/errors.js';
import { parseTokenResponse, UNKNOWN_EXPIRY } from '../../../../../electron/auth/oauth/tokens.js';

const NOW = Date.UTC(2025, 0, 1);
const context = { nowMs: NOW, requestedScope: 'openid dav', previousRefreshToken: null };

function text(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function ok(body: unknown): Response {
  return new Response(text(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
}

describe('parseTokenResponse', () => {
  it('reads a bearer token answer, with expires_in counted from now', async () => {
    const tokens = await parseTokenResponse(ok({ access_token: 'at-1', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-1', scope: 'dav' }), context);
    expect(tokens).toEqual({ accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: NOW + 3_600_000, scope: 'dav', tokenType: 'Bearer' });
  });

  it('accepts "bearer" in any case, and assumes the requested scope when none is named', async () => {
    const tokens = await parseTokenResponse(ok({ access_token: 'at-1', token_type: 'bearer', expires_in: '60' }), context);
    expect(tokens.scope).toBe('openid dav');
    expect(tokens.expiresAt).toBe(NOW + 60_000);
    expect(tokens.refreshToken).toBeNull();
  });

  it('keeps the refresh token it was given when a refresh answer brings no new one (RFC 6749 §6)', async () => {
    const tokens = await parseTokenResponse(ok({ access_token: 'at-2', token_type: 'Bearer', expires_in: 60 }), { ...context, previousRefreshToken: 'rt-old' });
    expect(tokens.refreshToken).toBe('rt-old');
  });

  it('treats a missing expires_in as unknown (the token is used until a 401)', async () => {
    expect((await parseTokenResponse(ok({ access_token: 'at-1', token_type: 'Bearer' }), context)).expiresAt).toBe(UNKNOWN_EXPIRY);
  });

  it('ignores an ID token, which TeraSync does not use and so does not check', async () => {
    for (const grant of ['authorization_code', 'refresh_token'] as const) {
      const tokens = await parseTokenResponse(ok({ access_token: 'at-1', token_type: 'Bearer', id_token: 'not-a-jwt' }), { ...context, grant });
      expect(tokens.accessToken, grant).toBe('at-1');
    }
  });

  it('refuses answers it cannot use, without quoting them (they hold tokens)', async () => {
    const bad = [
      'not json at-SECRET',
      { token_type: 'Bearer' },
      { access_token: 'at-SECRET', token_type: 'DPoP' },
      { access_token: 'at-SECRET', token_type: 'Bearer', expires_in: -5 },
      { access_token: 'at-SECRET', token_type: 'Bearer', refresh_token: 42 },
      ['at-SECRET'],
    ];
    for (const body of bad) {
      let caught: unknown;
      try {
        await parseTokenResponse(ok(body), context);
      } catch (error) {
        caught = error;
      }
      expect(caught, text(body)).toMatchObject({ code: ErrorCode.BadResponse });
      expect((caught as Error).message).not.toContain('SECRET');
    }
  });
});
