/**
 * /v2/dav/ and /v2/api/user with OAuth2 bearer tokens from the emulator's authorization
 * server (oidc-provider), obtained through a real authorization code + PKCE sign-in driven by
 * the headless browser of test/support/oauthBrowser.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { completeBrowserSignIn } from '../../support/oauthBrowser.js';
import { basic, send } from './http.js';

/** Signs in through the browser and exchanges the code: the access token, or null when sign-in failed. */
async function signIn(emulator: RunningEmulator, userId: string, password: string): Promise<string | null> {
  const oauth = emulator.oauth!;
  const discovery = (await (await fetch(`${oauth.issuer}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string;
    token_endpoint: string;
  };
  const callback: Server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('signed in'));
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  try {
    const redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(discovery.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: oauth.clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid dav',
      state: 'emulator-test',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const browser = await completeBrowserSignIn(url.href, { userId, password });
    const code = new URL(browser.finalUrl).searchParams.get('code');
    if (code === null || !browser.finalUrl.startsWith(redirectUri)) return null;
    const token = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: oauth.clientId, code_verifier: verifier }),
    });
    expect(token.status).toBe(200);
    return ((await token.json()) as { access_token: string }).access_token;
  } finally {
    await new Promise<void>((resolve) => callback.close(() => resolve()));
  }
}

describe('with the authorization server', () => {
  let emulator: RunningEmulator;
  let token: string;

  beforeAll(async () => {
    emulator = await startEmulator({
      accounts: [
        { userId: 'demo', appsPassword: 'demo-apps-password', node: 'seto' },
        { userId: 'modern', appsPassword: 'modern-password', node: 'kita', appsConnection: false },
      ],
    });
    token = (await signIn(emulator, 'demo', 'demo-apps-password'))!;
    expect(token).toEqual(expect.any(String));
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('describes the authorization server', () => {
    expect(emulator.oauth).toEqual({ issuer: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), clientId: 'terasync-desktop', scopes: expect.arrayContaining(['openid']) });
  });

  it('refuses /v2/dav/ without a token, with a bogus token and with BASIC: 401 invalid_token', async () => {
    const attempts: Array<Record<string, string>> = [{}, { Authorization: 'Bearer not-a-token' }, { Authorization: basic('demo', 'demo-apps-password') }];
    for (const headers of attempts) {
      const answer = await send(emulator.v2DavUrl, { method: 'PROPFIND', headers: { ...headers, Depth: '0' } });
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    }
  });

  it('serves the same files on /v2/dav/ with the token as on /dav/ with BASIC', async () => {
    const bearer = { Authorization: `Bearer ${token}` };
    expect((await send(`${emulator.v2DavUrl}via-oauth.txt`, { method: 'PUT', headers: bearer, body: 'written with a token' })).status).toBe(201);
    expect(await readFile(join(emulator.filesDir('demo'), 'via-oauth.txt'), 'utf8')).toBe('written with a token');
    const viaBasic = await send(`${emulator.davUrl}via-oauth.txt`, { headers: { Authorization: basic('demo', 'demo-apps-password') } });
    expect(viaBasic.text).toBe('written with a token');
    const listing = await send(emulator.v2DavUrl, { method: 'PROPFIND', headers: { ...bearer, Depth: '1' } });
    expect(listing.status).toBe(207);
    expect(listing.text).toContain('<D:href>/v2/dav/via-oauth.txt</D:href>');
    expect((await send(emulator.v2DavUrl, { method: 'PROPFIND', headers: { ...bearer, Depth: 'infinity' } })).status).toBe(403);
  });

  it('answers /v2/api/user with the token and the API key', async () => {
    const headers = { Authorization: `Bearer ${token}`, 'X-TeraCLOUD-API-KEY': emulator.apiKey };
    const answer = await send(`${emulator.apiBaseUrl}v2/api/user`, { headers });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ result: 0, user: 'demo', node: 'seto', webdav_url: emulator.davUrl, capacity: 20, api_key: { status: 'valid' } });
    expect((await send(`${emulator.apiBaseUrl}v2/api/user`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(403);
    const bogus = await send(`${emulator.apiBaseUrl}v2/api/user;api_key=${emulator.apiKey}`, { headers: { Authorization: 'Bearer bogus' } });
    expect(bogus.status).toBe(401);
    expect(bogus.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('records bearer requests without the token', () => {
    expect(emulator.requests.some((request) => request.authorization === 'bearer' && request.path === '/v2/dav/via-oauth.txt')).toBe(true);
    expect(JSON.stringify(emulator.requests)).not.toContain(token);
  });

  it('signs in an account whose Apps connection (BASIC) is off, with its current password only', async () => {
    expect(await signIn(emulator, 'modern', 'wrong-password')).toBeNull();
    emulator.updateAccount('modern', { appsPassword: 'reissued-password' });
    expect(await signIn(emulator, 'modern', 'modern-password')).toBeNull();
    const modernToken = await signIn(emulator, 'modern', 'reissued-password');
    expect(modernToken).toEqual(expect.any(String));
    const listing = await send(emulator.v2DavUrl, { method: 'PROPFIND', headers: { Authorization: `Bearer ${modernToken!}`, Depth: '1' } });
    expect(listing.status).toBe(207);
    expect(listing.text).not.toContain('via-oauth.txt');
  });
});

describe('token lifetime', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ oauth: { accessTokenTtlSeconds: 1 } });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('refuses an expired token with 401', async () => {
    const token = await signIn(emulator, 'demo', 'demo-apps-password');
    const headers = { Authorization: `Bearer ${token!}`, Depth: '0' };
    expect((await send(emulator.v2DavUrl, { method: 'PROPFIND', headers })).status).toBe(207);
    // The one real wait: oidc-provider expires tokens by the system clock.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const expired = await send(emulator.v2DavUrl, { method: 'PROPFIND', headers });
    expect(expired.status).toBe(401);
    expect(expired.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });
});

describe('without /v2/dav/ or OAuth2', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ v2Dav: false, oauth: false });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('answers 404 for everything under /v2/dav/ when v2Dav is false', async () => {
    expect(emulator.oauth).toBeNull();
    for (const method of ['PROPFIND', 'GET', 'PUT', 'OPTIONS']) {
      expect((await send(`${emulator.v2DavUrl}file.txt`, { method, headers: { Authorization: 'Bearer anything', Depth: '0' } })).status).toBe(404);
    }
    expect((await send(emulator.davUrl, { method: 'PROPFIND', headers: { Authorization: basic('demo', 'demo-apps-password'), Depth: '0' } })).status).toBe(207);
  });

  it('refuses /v2/api/user tokens when there is no authorization server', async () => {
    const answer = await send(`${emulator.apiBaseUrl}v2/api/user`, { headers: { Authorization: 'Bearer anything', 'X-TeraCLOUD-API-KEY': emulator.apiKey } });
    expect(answer.status).toBe(401);
  });
});
