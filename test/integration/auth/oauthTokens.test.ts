/**
 * Refresh, rotation, reuse detection, revocation and expiry against the real authorization
 * server, through TokenManager. Token requests go through a counting relay in front of the
 * server's token endpoint, so "one refresh" is counted on the wire.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../shared/errors.js';
import { startAuthorizationServer, type RunningAuthorizationServer } from '../../../dev/emulator/authorizationServer.js';
import type { SecretStore } from '../../../electron/auth/SecretStore.js';
import { SessionSecretStore } from '../../../electron/auth/SessionSecretStore.js';
import type { OAuthConfig } from '../../../electron/auth/oauth/OAuthConfig.js';
import { SIGN_IN_AGAIN_MESSAGE } from '../../../electron/auth/oauth/oauthErrors.js';
import { signInWithBrowser } from '../../../electron/auth/oauth/signInWithBrowser.js';
import { TokenManager } from '../../../electron/auth/oauth/TokenManager.js';
import { refreshTokens, type TokenSet } from '../../../electron/auth/oauth/tokens.js';
import { settle } from '../../support/fakeClock.js';
import { completeBrowserSignIn } from '../../support/oauthBrowser.js';
import { failure } from '../../support/failure.js';
import { FakeClock } from '../../support/fakeClock.js';

const ALICE = { userId: 'alice', password: 'correct horse battery staple' };
const KEY = 'oauth:alice';

/** The session store, plus a look at the stored token set. */
class MemorySecretStore extends SessionSecretStore {
  async stored(): Promise<TokenSet | null> {
    const text = await this.get(KEY);
    return text === null ? null : (JSON.parse(text) as TokenSet);
  }
}

/** Relays POSTs to `target` and counts them by grant_type (and revocations). */
interface TokenRelay {
  url: string;
  counts: Map<string, number>;
  close(): Promise<void>;
}

async function startTokenRelay(target: string): Promise<TokenRelay> {
  const counts = new Map<string, number>();
  const http: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const kind = new URLSearchParams(body.toString('utf8')).get('grant_type') ?? 'other';
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
      const upstream = request(target, { method: req.method, headers: { ...req.headers, host: new URL(target).host }, agent: false }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/token`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

interface Setup {
  server: RunningAuthorizationServer;
  relay: TokenRelay;
  config: OAuthConfig;
}

async function setUp(accessTokenTtlSeconds?: number): Promise<Setup> {
  const server = await startAuthorizationServer({
    accessTokenTtlSeconds,
    verifyUser: (userId, password) => userId === ALICE.userId && password === ALICE.password,
  });
  const relay = await startTokenRelay(`${server.issuer}/token`);
  const config: OAuthConfig = {
    issuer: server.issuer,
    authorizationEndpoint: `${server.issuer}/auth`,
    tokenEndpoint: relay.url,
    revocationEndpoint: `${server.issuer}/token/revocation`,
    clientId: server.clientId,
    scopes: server.scopes,
  };
  return { server, relay, config };
}

async function signIn(config: OAuthConfig, clock: FakeClock): Promise<TokenSet> {
  const pages: Promise<unknown>[] = [];
  const tokens = await signInWithBrowser({
    config,
    clock,
    openBrowser: async (url) => {
      pages.push(completeBrowserSignIn(url, ALICE));
    },
  });
  await Promise.all(pages);
  return tokens;
}

function refreshes(setup: Setup): number {
  return setup.relay.counts.get('refresh_token') ?? 0;
}

describe('refresh tokens against oidc-provider', () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await setUp();
  });
  afterAll(async () => {
    await setup.relay.close();
    await setup.server.close();
  });

  it('refreshes, and rotates the refresh token: the old one is refused afterwards', async () => {
    const clock = new FakeClock();
    const first = await signIn(setup.config, clock);
    const second = await refreshTokens(setup.config, first.refreshToken!, { clock });
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.refreshToken).toEqual(expect.any(String));
    expect(second.refreshToken).not.toBe(first.refreshToken);
    await expect(setup.server.verifyAccessToken(second.accessToken)).resolves.toMatchObject({ userId: 'alice' });

    const reused = await failure(refreshTokens(setup.config, first.refreshToken!, { clock }));
    expect(reused.code).toBe(ErrorCode.Unauthorized);
    expect(reused.message).toBe(SIGN_IN_AGAIN_MESSAGE);
    expect(reused.message).not.toContain(first.refreshToken!);
  });

  it('treats reuse of a refresh token as theft: the whole grant is revoked (OAuth security BCP)', async () => {
    const clock = new FakeClock();
    const first = await signIn(setup.config, clock);
    const second = await refreshTokens(setup.config, first.refreshToken!, { clock });
    await failure(refreshTokens(setup.config, first.refreshToken!, { clock }));
    // The rotated token and its access token die with the grant.
    expect((await failure(refreshTokens(setup.config, second.refreshToken!, { clock }))).code).toBe(ErrorCode.Unauthorized);
    await expect(setup.server.verifyAccessToken(second.accessToken)).resolves.toBeNull();
  });

  it('TokenManager: a reused refresh token ends the sign-in, and the stored tokens are deleted', async () => {
    const clock = new FakeClock();
    const secrets = new MemorySecretStore();
    const manager = new TokenManager({ config: setup.config, secrets, key: KEY, clock });
    const tokens = await signIn(setup.config, clock);
    await manager.save(tokens);
    // Someone else redeems the refresh token first (a copy of the keychain, an attacker).
    await refreshTokens(setup.config, tokens.refreshToken!, { clock });

    await expect(manager.onUnauthorized(tokens.accessToken)).resolves.toBeNull();
    expect(await secrets.get(KEY)).toBeNull();
    expect(await manager.hasTokens()).toBe(false);
    const error = await failure(manager.accessToken());
    expect(error.code).toBe(ErrorCode.Unauthorized);
  });

  it('TokenManager: accessToken() reports "sign in again" when the proactive refresh gets invalid_grant', async () => {
    const clock = new FakeClock();
    const secrets = new MemorySecretStore();
    const manager = new TokenManager({ config: setup.config, secrets, key: KEY, clock });
    const tokens = await signIn(setup.config, clock);
    await manager.save(tokens);
    await refreshTokens(setup.config, tokens.refreshToken!, { clock });

    clock.setTime(tokens.expiresAt);
    const error = await failure(manager.accessToken());
    expect(error.code).toBe(ErrorCode.Unauthorized);
    expect(error.message).toBe(SIGN_IN_AGAIN_MESSAGE);
    expect(error.message).not.toContain(tokens.refreshToken!);
    expect(await secrets.get(KEY)).toBeNull();
  });

  it('onUnauthorized: 10 callers at once cause exactly one refresh and all get its token', async () => {
    const clock = new FakeClock();
    const secrets = new MemorySecretStore();
    const manager = new TokenManager({ config: setup.config, secrets, key: KEY, clock });
    const tokens = await signIn(setup.config, clock);
    await manager.save(tokens);
    const before = refreshes(setup);

    const results = await Promise.all(Array.from({ length: 10 }, () => manager.onUnauthorized(tokens.accessToken)));
    expect(refreshes(setup) - before).toBe(1);
    const fresh = results[0]!;
    expect(fresh).not.toBe(tokens.accessToken);
    expect(results).toEqual(Array.from({ length: 10 }, () => fresh));
    await expect(setup.server.verifyAccessToken(fresh)).resolves.toMatchObject({ userId: 'alice' });
    // Rotation: the stored set holds the new refresh token, and the stored access token is the one handed out.
    expect(await secrets.stored()).toMatchObject({ accessToken: fresh });
    expect((await secrets.stored())!.refreshToken).not.toBe(tokens.refreshToken);

    // A late caller with the old token gets the current one, without another refresh.
    await expect(manager.onUnauthorized(tokens.accessToken)).resolves.toBe(fresh);
    await expect(manager.accessToken()).resolves.toBe(fresh);
    expect(refreshes(setup) - before).toBe(1);
  });

  it('accessToken(): 10 callers of an expiring token share one refresh', async () => {
    const clock = new FakeClock();
    const secrets = new MemorySecretStore();
    const manager = new TokenManager({ config: setup.config, secrets, key: KEY, clock });
    const tokens = await signIn(setup.config, clock);
    await manager.save(tokens);
    const before = refreshes(setup);
    clock.setTime(tokens.expiresAt - 30_000);

    const results = await Promise.all(Array.from({ length: 10 }, () => manager.accessToken()));
    expect(refreshes(setup) - before).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(results[0]).not.toBe(tokens.accessToken);
  });

  it('writes the rotated refresh token to the SecretStore before handing out the new access token', async () => {
    const clock = new FakeClock();
    const inner = new MemorySecretStore();
    let gate: Promise<void> | null = null;
    let writing!: () => void;
    const writeStarted = new Promise<void>((resolve) => (writing = resolve));
    const secrets: SecretStore = {
      description: inner.description,
      kind: inner.kind,
      persistent: false,
      get: (key) => inner.get(key),
      delete: (key) => inner.delete(key),
      set: async (key, value) => {
        if (gate !== null) {
          writing();
          await gate;
        }
        await inner.set(key, value);
      },
    };
    const manager = new TokenManager({ config: setup.config, secrets, key: KEY, clock });
    const tokens = await signIn(setup.config, clock);
    await manager.save(tokens);

    let open!: () => void;
    gate = new Promise<void>((resolve) => (open = resolve));
    let handedOut: string | undefined;
    const pending = manager.onUnauthorized(tokens.accessToken).then((token) => (handedOut = token ?? undefined));
    // The server has answered the refresh and the write is under way: nothing is handed out yet.
    await writeStarted;
    await settle();
    expect(handedOut).toBeUndefined();
    expect((await inner.stored())!.refreshToken).toBe(tokens.refreshToken);
    open();
    await pending;
    expect(handedOut).toBeDefined();
    expect(await inner.stored()).toMatchObject({ accessToken: handedOut });
    expect((await inner.stored())!.refreshToken).not.toBe(tokens.refreshToken);
  });

  it('hands out nothing when the new token set cannot be stored, and stores it on the next call without refreshing again', async () => {
    const clock = new FakeClock();
    const inner = new MemorySecretStore();
    let locked = false;
    const secrets: SecretStore = {
      description: inner.description,
      kind: inner.kind,
      persistent: false,
      get: (key) => inner.get(key),
      delete: (key) => inner.delete(key),
      set: async (key, value) => {
        if (locked) throw new TeraSyncError(ErrorCode.KeychainUnavailable, 'The keychain is locked.');
        await inner.set(key, value);
      },
    };
    const manager = new TokenManager({ config: setup.config, secrets, key: KEY, clock });
    const tokens = await signIn(setup.config, clock);
    await manager.save(tokens);
    const before = refreshes(setup);

    locked = true;
    clock.setTime(tokens.expiresAt);
    expect((await failure(manager.accessToken())).code).toBe(ErrorCode.KeychainUnavailable);
    expect((await inner.stored())!.accessToken).toBe(tokens.accessToken);

    locked = false;
    const fresh = await manager.accessToken();
    expect(fresh).not.toBe(tokens.accessToken);
    expect(await inner.stored()).toMatchObject({ accessToken: fresh });
    expect(refreshes(setup) - before).toBe(1);
    await expect(setup.server.verifyAccessToken(fresh)).resolves.toMatchObject({ userId: 'alice' });
  });

  it('uses the tokens another process sharing the keychain refreshed, instead of reusing the old refresh token', async () => {
    const clock = new FakeClock();
    const secrets = new MemorySecretStore();
    const app = new TokenManager({ config: setup.config, secrets, key: KEY, clock });
    const cli = new TokenManager({ config: setup.config, secrets, key: KEY, clock });
    const tokens = await signIn(setup.config, clock);
    await app.save(tokens);
    await expect(cli.accessToken()).resolves.toBe(tokens.accessToken);

    const fresh = await app.onUnauthorized(tokens.accessToken);
    const before = refreshes(setup);
    // The command line still holds the old token and gets a 401 with it.
    await expect(cli.onUnauthorized(tokens.accessToken)).resolves.toBe(fresh);
    expect(refreshes(setup)).toBe(before);
    await expect(setup.server.verifyAccessToken(fresh!)).resolves.toMatchObject({ userId: 'alice' });
  });

  it('returns null from onUnauthorized when there is no refresh token, or no tokens at all', async () => {
    const clock = new FakeClock();
    const secrets = new MemorySecretStore();
    const manager = new TokenManager({ config: setup.config, secrets, key: KEY, clock });
    await expect(manager.onUnauthorized('anything')).resolves.toBeNull();
    expect((await failure(manager.accessToken())).code).toBe(ErrorCode.Unauthorized);
    const tokens = await signIn(setup.config, clock);
    await manager.save({ ...tokens, refreshToken: null });
    await expect(manager.onUnauthorized(tokens.accessToken)).resolves.toBeNull();
  });
});

describe('sign-out revokes at the server', () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await setUp();
  });
  afterAll(async () => {
    await setup.relay.close();
    await setup.server.close();
  });

  it('revokes the refresh and access tokens and deletes them locally', async () => {
    const clock = new FakeClock();
    const secrets = new MemorySecretStore();
    const manager = new TokenManager({ config: setup.config, secrets, key: KEY, clock });
    const tokens = await signIn(setup.config, clock);
    await manager.save(tokens);
    await expect(setup.server.verifyAccessToken(tokens.accessToken)).resolves.not.toBeNull();

    await expect(manager.signOut()).resolves.toEqual({ revocation: 'revoked', error: null });
    await expect(setup.server.verifyAccessToken(tokens.accessToken)).resolves.toBeNull();
    expect((await failure(refreshTokens(setup.config, tokens.refreshToken!, { clock }))).code).toBe(ErrorCode.Unauthorized);
    expect(await secrets.get(KEY)).toBeNull();
    expect(await manager.hasTokens()).toBe(false);
  });

  it('revokes the access token even when there is no refresh token', async () => {
    const clock = new FakeClock();
    const manager = new TokenManager({ config: setup.config, secrets: new MemorySecretStore(), key: KEY, clock });
    const tokens = await signIn(setup.config, clock);
    await manager.save({ ...tokens, refreshToken: null });
    await expect(manager.signOut()).resolves.toMatchObject({ revocation: 'revoked' });
    await expect(setup.server.verifyAccessToken(tokens.accessToken)).resolves.toBeNull();
  });

  it('deletes the local tokens even when the revocation fails, and reports it', async () => {
    const clock = new FakeClock();
    const secrets = new MemorySecretStore();
    const deadRelay = await startTokenRelay(`${setup.server.issuer}/token`);
    await deadRelay.close();
    const manager = new TokenManager({
      config: { ...setup.config, revocationEndpoint: deadRelay.url.replace('/token', '/revoke') },
      secrets,
      key: KEY,
      clock,
    });
    const tokens = await signIn(setup.config, clock);
    await manager.save(tokens);
    const result = await manager.signOut();
    expect(result.revocation).toBe('failed');
    expect(result.error?.code).toBe(ErrorCode.Network);
    expect(result.error?.message).not.toContain(tokens.refreshToken!);
    expect(await secrets.get(KEY)).toBeNull();
    // Not revoked: the server still knows the token.
    await expect(setup.server.verifyAccessToken(tokens.accessToken)).resolves.not.toBeNull();
  });

  it('only forgets the tokens when the server has no revocation endpoint', async () => {
    const clock = new FakeClock();
    const secrets = new MemorySecretStore();
    const { issuer: _issuer, revocationEndpoint: _revocation, ...withoutRevocation } = setup.config;
    const manager = new TokenManager({ config: withoutRevocation, secrets, key: KEY, clock });
    const tokens = await signIn(setup.config, clock);
    await manager.save(tokens);
    await expect(manager.signOut()).resolves.toEqual({ revocation: 'unsupported', error: null });
    expect(await secrets.get(KEY)).toBeNull();
  });
});

describe('expiry', () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await setUp(5);
  });
  afterAll(async () => {
    await setup.relay.close();
    await setup.server.close();
  });

  it('refreshes before the access token expires, on the injected clock', async () => {
    const clock = new FakeClock();
    const secrets = new MemorySecretStore();
    const manager = new TokenManager({ config: setup.config, secrets, key: KEY, clock, refreshMarginMs: 2_000 });
    const tokens = await signIn(setup.config, clock);
    expect(tokens.expiresAt).toBe(clock.now() + 5_000);
    await manager.save(tokens);
    const before = refreshes(setup);

    clock.setTime(clock.now() + 2_900);
    await expect(manager.accessToken()).resolves.toBe(tokens.accessToken);
    expect(refreshes(setup)).toBe(before);

    clock.setTime(clock.now() + 200); // 1.9 s left: within the margin
    const fresh = await manager.accessToken();
    expect(fresh).not.toBe(tokens.accessToken);
    expect(refreshes(setup) - before).toBe(1);
    // Refreshed while the old token was still good (real time has not reached its expiry).
    await expect(setup.server.verifyAccessToken(tokens.accessToken)).resolves.not.toBeNull();
    await expect(setup.server.verifyAccessToken(fresh)).resolves.toMatchObject({ userId: 'alice' });
    expect(await secrets.stored()).toMatchObject({ accessToken: fresh, expiresAt: clock.now() + 5_000 });

    await expect(manager.accessToken()).resolves.toBe(fresh);
    expect(refreshes(setup) - before).toBe(1);
  });
});
