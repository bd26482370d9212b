import { describe, expect, it } from 'vitest';
import { buildAuthorizationUrl } from '../../../../../electron/auth/oauth/authorizationUrl.js';

const request = {
  clientId: 'terasync-desktop',
  redirectUri: 'http://127.0.0.1:49152/callback',
  scopes: ['openid', 'offline_access', 'dav'],
  state: 'state-value_123',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
};

describe('buildAuthorizationUrl', () => {
  it('asks for a code with PKCE S256, the loopback redirect URI, the scopes and the state', () => {
    const url = new URL(buildAuthorizationUrl('https://auth.example/oauth/authorize', request));
    expect(url.origin + url.pathname).toBe('https://auth.example/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'terasync-desktop',
      redirect_uri: 'http://127.0.0.1:49152/callback',
      scope: 'openid offline_access dav',
      state: 'state-value_123',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    // Form encoding: the redirect URI is escaped, scopes are separated by an encoded space.
    expect(url.search).toContain('redirect_uri=http%3A%2F%2F127.0.0.1%3A49152%2Fcallback');
    expect(url.search).toContain('scope=openid+offline_access+dav');
  });

  it('keeps query parameters of the configured endpoint but not ones that would replace ours', () => {
    const url = new URL(
      buildAuthorizationUrl('https://auth.example/authorize?tenant=tera&redirect_uri=https%3A%2F%2Fevil.example%2F&code_challenge_method=plain', request),
    );
    expect(url.searchParams.get('tenant')).toBe('tera');
    expect(url.searchParams.getAll('redirect_uri')).toEqual(['http://127.0.0.1:49152/callback']);
    expect(url.searchParams.getAll('code_challenge_method')).toEqual(['S256']);
  });

  it('leaves out an empty scope', () => {
    const url = new URL(buildAuthorizationUrl('https://auth.example/authorize', { ...request, scopes: [] }));
    expect(url.searchParams.has('scope')).toBe(false);
  });
});
