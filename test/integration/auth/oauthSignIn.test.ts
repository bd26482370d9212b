/**
 * The browser sign-in against a real authorization server (oidc-provider on loopback), with
 * the real loopback listener and a headless browser that fills the login form.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import { startAuthorizationServer, type RunningAuthorizationServer } from '../../../dev/emulator/authorizationServer.js';
import { SessionSecretStore } from '../../../electron/auth/SessionSecretStore.js';
import { buildAuthorizationUrl } from '../../../electron/auth/oauth/authorizationUrl.js';
import { LoopbackRedirectListener } from '../../../electron/auth/oauth/LoopbackRedirectListener.js';
import type { OAuthConfig } from '../../../electron/auth/oauth/OAuthConfig.js';
import { createPkcePair, createState } from '../../../electron/auth/oauth/pkce.js';
import { signInWithBrowser } from '../../../electron/auth/oauth/signInWithBrowser.js';
import { TokenManager } from '../../../electron/auth/oauth/TokenManager.js';
import { httpRequest } from '../../../electron/net/httpRequest.js';
import { completeBrowserSignIn, type BrowserOptions, type BrowserResult } from '../../support/oauthBrowser.js';
import { failure } from '../../support/failure.js';

const ALICE = { userId: 'alice', password: 'correct horse battery staple' };
const NOW = Date.UTC(2025, 0, 1);


let server: RunningAuthorizationServer;
let config: OAuthConfig;

beforeAll(async () => {
  server = await startAuthorizationServer({ verifyUser: (userId, password) => userId === ALICE.userId && password === ALICE.password });
  config = { issuer: server.issuer, clientId: server.clientId, scopes: server.scopes };
});

afterAll(async () => {
  await server.close();
});

interface Attempt {
  urls: string[];
  browser: Promise<BrowserResult>;
}

/** An `openBrowser` that runs the headless browser and remembers what it was asked to open. */
function browserFor(credentials = ALICE, options: BrowserOptions = {}): { attempt: Attempt; openBrowser: (url: string) => Promise<void> } {
  const attempt: Attempt = { urls: [], browser: Promise.reject(new Error('the browser was never opened')) };
  attempt.browser.catch(() => undefined);
  return {
    attempt,
    openBrowser: async (url) => {
      attempt.urls.push(url);
      attempt.browser = completeBrowserSignIn(url, credentials, options);
      // Like shell.openExternal: resolves once the browser has the address.
      attempt.browser.catch(() => undefined);
    },
  };
}

function connectionRefused(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      resolve(false);
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
    req.end();
  });
}

describe('signInWithBrowser against oidc-provider', () => {
  it('signs in through the browser, with PKCE S256 and a loopback redirect, and the tokens work and are stored', async () => {
    const { attempt, openBrowser } = browserFor();
    const tokens = await signInWithBrowser({ config, openBrowser, clock: { now: () => NOW } });

    expect(attempt.urls).toHaveLength(1);
    const url = new URL(attempt.urls[0]!);
    expect(url.origin + url.pathname).toBe(`${server.issuer}/auth`);
    const params = url.searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe('terasync-desktop');
    expect(params.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(params.get('scope')).toBe('openid offline_access dav');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(params.get('state')!, 'base64url').length).toBeGreaterThanOrEqual(16);

    const page = await attempt.browser;
    expect(page.finalStatus).toBe(200);
    expect(page.finalBody).toContain('Signed in to TeraSync');
    expect(page.finalBody).toContain('You can close this tab');

    expect(tokens.tokenType).toBe('Bearer');
    expect(tokens.refreshToken).toEqual(expect.any(String));
    expect(tokens.expiresAt).toBe(NOW + 3600 * 1000);
    expect(tokens.scope.split(' ')).toContain('dav');
    await expect(server.verifyAccessToken(tokens.accessToken)).resolves.toEqual({ userId: 'alice', scope: expect.stringContaining('dav') });

    const secrets = new SessionSecretStore();
    const manager = new TokenManager({ config, secrets, key: 'oauth:alice', clock: { now: () => NOW } });
    await manager.save(tokens);
    expect(await manager.hasTokens()).toBe(true);
    expect(JSON.parse((await secrets.get('oauth:alice'))!)).toMatchObject({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
    await expect(manager.accessToken()).resolves.toBe(tokens.accessToken);

    // The listener is gone once the sign-in is over.
    expect(await connectionRefused(params.get('redirect_uri')!)).toBe(true);
  });

  it('signs in with explicit endpoints and no discovery', async () => {
    const { attempt, openBrowser } = browserFor();
    const tokens = await signInWithBrowser({
      config: {
        clientId: server.clientId,
        scopes: ['dav', 'offline_access'],
        authorizationEndpoint: `${server.issuer}/auth`,
        tokenEndpoint: `${server.issuer}/token`,
      },
      openBrowser,
    });
    expect((await attempt.browser).finalBody).toContain('Signed in to TeraSync');
    await expect(server.verifyAccessToken(tokens.accessToken)).resolves.toMatchObject({ userId: 'alice', scope: 'dav' });
  });

  it('refuses an answer with a wrong state: the browser shows why and the sign-in fails', async () => {
    const { attempt, openBrowser } = browserFor(ALICE, { tamperState: (state) => `${state.slice(0, -2)}AA` });
    const error = await failure(signInWithBrowser({ config, openBrowser }));
    expect(error.code).toBe(ErrorCode.InvalidRequest);
    expect(error.message).toContain('does not belong to this sign-in');
    const page = await attempt.browser;
    expect(page.finalStatus).toBe(400);
    expect(page.finalBody).toContain('does not belong to this sign-in');
    expect(page.finalBody).not.toContain('Signed in');
  });

  it('tells the user when they cancel in the browser (access_denied)', async () => {
    const { attempt, openBrowser } = browserFor(ALICE, { cancel: true });
    const error = await failure(signInWithBrowser({ config, openBrowser }));
    expect(error.code).toBe(ErrorCode.Forbidden);
    expect(error.message).toContain('cancelled or access was refused');
    const page = await attempt.browser;
    expect(page.finalBody).toContain('cancelled or access was refused');
  });

  it('shows the login form again after a wrong password, and a second try signs in', async () => {
    const wrong = browserFor({ userId: 'alice', password: 'wrong' });
    let secondTry: Promise<BrowserResult> | undefined;
    const signIn = signInWithBrowser({
      config,
      openBrowser: async (url) => {
        await wrong.openBrowser(url);
        const page = await wrong.attempt.browser;
        expect(page.finalStatus).toBe(200);
        expect(page.finalBody).toContain('Wrong user ID or password.');
        expect(page.finalBody).toMatch(/<input[^>]*name="password"/);
        expect(page.finalBody).toContain('value="alice"');
        expect(page.finalBody).not.toContain('value="wrong"');
        // The user types the right password (a fresh form from the same address).
        secondTry = completeBrowserSignIn(url, ALICE);
      },
    });
    const tokens = await signIn;
    expect((await secondTry!).finalBody).toContain('Signed in to TeraSync');
    await expect(server.verifyAccessToken(tokens.accessToken)).resolves.toMatchObject({ userId: 'alice' });
  });

  it('fails at once when the browser cannot be opened', async () => {
    const error = await failure(
      signInWithBrowser({
        config,
        openBrowser: async () => {
          throw new Error('xdg-open not found');
        },
      }),
    );
    expect(error.code).toBe(ErrorCode.LocalIo);
    expect(error.message).toContain('could not open your web browser');
  });

  it('refuses an answer from another issuer than the configured one (RFC 9207 iss)', async () => {
    const { attempt, openBrowser } = browserFor();
    const error = await failure(
      signInWithBrowser({
        config: {
          issuer: `${server.issuer}/other`,
          clientId: server.clientId,
          scopes: server.scopes,
          authorizationEndpoint: `${server.issuer}/auth`,
          tokenEndpoint: `${server.issuer}/token`,
          revocationEndpoint: `${server.issuer}/token/revocation`,
        },
        openBrowser,
      }),
    );
    expect(error.code).toBe(ErrorCode.Configuration);
    expect(error.message).toContain('another sign-in server');
    expect((await attempt.browser).finalBody).toContain('another sign-in server');
  });

  it('can be cancelled while it waits for the browser', async () => {
    const controller = new AbortController();
    const signIn = signInWithBrowser({ config, openBrowser: async () => controller.abort(), signal: controller.signal });
    expect((await failure(signIn)).code).toBe(ErrorCode.Cancelled);
  });
});

describe('the authorization server enforces PKCE', () => {
  /** Runs the browser part with a known verifier and hands back the code, unredeemed. */
  async function authorizationCode(challenge: string): Promise<{ code: string; redirectUri: string }> {
    const state = createState();
    const listener = await LoopbackRedirectListener.start({ state });
    try {
      const url = buildAuthorizationUrl(`${server.issuer}/auth`, {
        clientId: server.clientId,
        redirectUri: listener.redirectUri,
        scopes: server.scopes,
        state,
        codeChallenge: challenge,
      });
      const browser = completeBrowserSignIn(url, ALICE);
      const code = await listener.waitForAuthorization(async ({ code: received }) => received);
      await browser;
      return { code, redirectUri: listener.redirectUri };
    } finally {
      await listener.dispose();
    }
  }

  async function redeem(code: string, redirectUri: string, verifier?: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const form: Record<string, string> = { grant_type: 'authorization_code', client_id: server.clientId, code, redirect_uri: redirectUri };
    if (verifier !== undefined) form['code_verifier'] = verifier;
    const response = await httpRequest(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
    });
    return { status: response.status, body: JSON.parse(response.body) as Record<string, unknown> };
  }

  it('refuses a token request without the code_verifier', async () => {
    const pkce = await createPkcePair();
    const { code, redirectUri } = await authorizationCode(pkce.challenge);
    const answer = await redeem(code, redirectUri);
    expect(answer.status).toBe(400);
    expect(answer.body['error']).toBe('invalid_grant');
    expect(answer.body['access_token']).toBeUndefined();
  });

  it('refuses a token request with a wrong code_verifier', async () => {
    const pkce = await createPkcePair();
    const { code, redirectUri } = await authorizationCode(pkce.challenge);
    const answer = await redeem(code, redirectUri, (await createPkcePair()).verifier);
    expect(answer.status).toBe(400);
    expect(answer.body['error']).toBe('invalid_grant');
    expect(answer.body['access_token']).toBeUndefined();
  });

  it('gives tokens for the right code_verifier (so the refusals above are about PKCE)', async () => {
    const pkce = await createPkcePair();
    const { code, redirectUri } = await authorizationCode(pkce.challenge);
    const answer = await redeem(code, redirectUri, pkce.verifier);
    expect(answer.status).toBe(200);
    expect(answer.body['access_token']).toEqual(expect.any(String));
  });

  it('refuses an authorization request without a code_challenge', async () => {
    const state = createState();
    const listener = await LoopbackRedirectListener.start({ state });
    try {
      const url = new URL(
        buildAuthorizationUrl(`${server.issuer}/auth`, { clientId: server.clientId, redirectUri: listener.redirectUri, scopes: server.scopes, state, codeChallenge: 'x' }),
      );
      url.searchParams.delete('code_challenge');
      url.searchParams.delete('code_challenge_method');
      const outcome = listener.waitForAuthorization(async () => 'tokens').then(
        () => null,
        (error: unknown) => error,
      );
      const page = await completeBrowserSignIn(url.href, ALICE);
      const error = await outcome;
      expect(error).toMatchObject({ code: ErrorCode.Configuration });
      expect((error as Error).message).toContain('invalid_request');
      expect(page.finalBody).toContain('refused');
    } finally {
      await listener.dispose();
    }
  });
});

describe('the authorization server', () => {
  it('answers an interaction page it did not start (no cookie, or expired) with "start again"', async () => {
    const answer = await httpRequest(`${server.issuer}/interaction/not-a-real-interaction`);
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('start it again');
  });

  it('listens on 127.0.0.1 only, on the port it is given', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const fixed = await startAuthorizationServer({ port, clientId: 'other-client', verifyUser: () => false });
    try {
      expect(fixed.issuer).toBe(`http://127.0.0.1:${port}`);
      expect(fixed.clientId).toBe('other-client');
      const document = JSON.parse((await httpRequest(`${fixed.issuer}/.well-known/openid-configuration`)).body) as { issuer: string };
      expect(document.issuer).toBe(fixed.issuer);
    } finally {
      await fixed.close();
    }
  });
});
