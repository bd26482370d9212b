import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../shared/errors.js';
import { allowCustomHostFrom, apiSettingsFrom, oauthSettingsFrom } from '../../../../electron/auth/serviceConfig.js';

const KEY = '0123456789ABCDEF0123456789ABCDEF';

describe('apiSettingsFrom', () => {
  it('is null without an application key', () => {
    expect(apiSettingsFrom({}, {})).toBeNull();
    expect(apiSettingsFrom({}, { TERASYNC_API_KEY: '' })).toBeNull();
  });

  it('takes options before the environment, with the service defaults', () => {
    expect(apiSettingsFrom({}, { TERASYNC_API_KEY: KEY })).toEqual({ baseUrl: 'https://api.teracloud.jp/', applicationKey: KEY, keyPlacement: 'header' });
    expect(apiSettingsFrom({ apiUrl: 'http://127.0.0.1:8765/', apiKeyIn: 'matrix' }, { TERASYNC_API_KEY: KEY, TERASYNC_API_URL: 'https://other/' })).toEqual({
      baseUrl: 'http://127.0.0.1:8765/',
      applicationKey: KEY,
      keyPlacement: 'matrix',
    });
  });

  it('refuses a malformed key and an unknown placement with Configuration', () => {
    expect(() => apiSettingsFrom({ apiKey: KEY.toLowerCase() }, {})).toThrow(expect.objectContaining({ code: ErrorCode.Configuration }));
    expect(() => apiSettingsFrom({ apiKey: KEY, apiKeyIn: 'query' }, {})).toThrow(/header" or "matrix/);
  });
});

describe('oauthSettingsFrom', () => {
  it('is null when nothing is configured and nothing was asked for', () => {
    expect(oauthSettingsFrom({}, {})).toBeNull();
  });

  it('reads the issuer, client ID and scopes, with default scopes', () => {
    expect(oauthSettingsFrom({}, { TERASYNC_OAUTH_ISSUER: 'https://auth.example', TERASYNC_OAUTH_CLIENT_ID: 'terasync' })).toEqual({
      issuer: 'https://auth.example',
      clientId: 'terasync',
      scopes: ['openid', 'offline_access'],
    });
    expect(oauthSettingsFrom({ issuer: 'https://a', clientId: 'c', scopes: 'openid, dav  offline_access' }, {})?.scopes).toEqual(['openid', 'dav', 'offline_access']);
  });

  it('says what is missing when OAuth2 was asked for, or half configured', () => {
    expect(() => oauthSettingsFrom({ requested: true }, {})).toThrow(/--issuer URL --client-id ID/);
    expect(() => oauthSettingsFrom({}, { TERASYNC_OAUTH_ISSUER: 'https://auth.example' })).toThrow(expect.objectContaining({ code: ErrorCode.Configuration }));
  });
});

describe('allowCustomHostFrom', () => {
  it('accepts development hosts only when asked or when the API itself is on loopback', () => {
    expect(allowCustomHostFrom(null, {})).toBe(false);
    expect(allowCustomHostFrom(null, { TERASYNC_ALLOW_CUSTOM_HOST: '1' })).toBe(true);
    expect(allowCustomHostFrom({ baseUrl: 'http://127.0.0.1:8765/', applicationKey: KEY, keyPlacement: 'header' }, {})).toBe(true);
    expect(allowCustomHostFrom({ baseUrl: 'https://api.teracloud.jp/', applicationKey: KEY, keyPlacement: 'header' }, {})).toBe(false);
  });
});
