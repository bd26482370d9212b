/**
 * AccountService against the TeraCLOUD emulator (dev/emulator): sign-in with the Apps password
 * (node found through the REST API, or typed), OAuth2 in a headless browser against the
 * emulator's oidc-provider, which WebDAV path and credentials a sync gets (/v2/dav/ with a
 * bearer token, /dav/ with BASIC, and the fallback between them), whoami with the quota, a
 * token that expires between two syncs, sign-out with revocation, and a damaged account.json.
 *
 * Secrets live in a SessionSecretStore (the keychain has its own suite), account.json in a
 * temporary folder, and the clock is the system's: the authorization server's tokens expire on
 * real time.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { AccountFile, basicSecretKey, oauthSecretKey, type ApiSettings, type OAuthSettings } from '../../../electron/auth/AccountRecord.js';
import { AccountService, type Connection } from '../../../electron/auth/AccountService.js';
import { SessionSecretStore } from '../../../electron/auth/SessionSecretStore.js';
import { SyncEngine } from '../../../electron/sync/engine.js';
import { Journal } from '../../../electron/sync/journal.js';
import { systemClock } from '../../../electron/core/time.js';
import { silentLogger, type Logger } from '../../../electron/core/logger.js';
import { WebDavRemoteStore } from '../../../electron/webdav/WebDavRemoteStore.js';
import { ErrorCode, TeraSyncError } from '../../../shared/errors.js';
import { completeBrowserSignIn, type BrowserResult } from '../../support/oauthBrowser.js';
import { folderTrash } from '../../support/pair.js';
import { failure } from '../../support/failure.js';

const USER = 'demo';
const PASSWORD = 'demo-apps-password';
const BASIC_FORM = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');

/** A secret store that also remembers which keys were ever written. */
class ObservedSecretStore extends SessionSecretStore {
  readonly written: string[] = [];
  override async set(key: string, secret: string): Promise<void> {
    this.written.push(key);
    await super.set(key, secret);
  }
}

interface Harness {
  folder: string;
  file: AccountFile;
  secrets: ObservedSecretStore;
  warnings: string[];
  service: AccountService;
}

interface StoredTokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: number;
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function temporaryFolder(prefix: string): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

/** A fresh account folder, secret store and service (what one installation of the app has). */
async function harness(): Promise<Harness> {
  const folder = await temporaryFolder('terasync-account-');
  const file = new AccountFile(folder);
  const secrets = new ObservedSecretStore();
  const warnings: string[] = [];
  const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
  const service = new AccountService({ accountFile: file, secrets, clock: { now: () => Date.now() }, logger, allowCustomHost: true });
  return { folder, file, secrets, warnings, service };
}

function api(emulator: RunningEmulator, keyPlacement: ApiSettings['keyPlacement'] = 'header'): ApiSettings {
  return { baseUrl: emulator.apiBaseUrl, applicationKey: emulator.apiKey, keyPlacement };
}

function oauthSettings(emulator: RunningEmulator, extra: Partial<OAuthSettings> = {}): OAuthSettings {
  const oauth = emulator.oauth!;
  return { issuer: oauth.issuer, clientId: oauth.clientId, scopes: ['openid', 'offline_access', 'dav'], ...extra };
}

/** Requests the emulator recorded since `mark` whose path starts with `prefix`. */
function requestsSince(emulator: RunningEmulator, mark: number, prefix: string): Array<{ method: string; path: string; status?: number; authorization: string; apiKey: string }> {
  return emulator.requests.slice(mark).filter((request) => request.path.startsWith(prefix));
}

/** Signs in with OAuth2, the headless browser playing the user who types `password`. */
async function oauthSignIn(
  h: Harness,
  emulator: RunningEmulator,
  options: { api?: ApiSettings | null; oauth?: OAuthSettings; userId?: string; location?: string } = {},
): ReturnType<AccountService['signInWithOAuth']> {
  let browser: Promise<BrowserResult> | undefined;
  const result = await h.service.signInWithOAuth({
    oauth: options.oauth ?? oauthSettings(emulator),
    api: options.api === undefined ? api(emulator) : options.api,
    ...(options.userId === undefined ? {} : { userId: options.userId }),
    ...(options.location === undefined ? {} : { location: options.location }),
    timeoutMs: 20_000,
    openBrowser: async (url) => {
      // Like shell.openExternal: resolves once the browser has the address, not when the user is done.
      browser = completeBrowserSignIn(url, { userId: USER, password: PASSWORD });
      browser.catch(() => undefined);
    },
  });
  expect(browser, 'the browser was opened').toBeDefined();
  expect((await browser!).finalBody).toContain('Signed in to TeraSync');
  return result;
}

async function storedTokens(h: Harness, oauth: OAuthSettings): Promise<StoredTokens | null> {
  const text = await h.secrets.get(oauthSecretKey(oauth));
  return text === null ? null : (JSON.parse(text) as StoredTokens);
}

/** PROPFIND Depth 0 of /v2/dav/ with a bare bearer token: the status the node answers. */
async function v2DavStatus(emulator: RunningEmulator, accessToken: string): Promise<number> {
  const response = await fetch(emulator.v2DavUrl, { method: 'PROPFIND', headers: { Authorization: `Bearer ${accessToken}`, Depth: '0' } });
  await response.arrayBuffer();
  return response.status;
}

/** A refresh_token grant sent straight to the authorization server: its status and `error`. */
async function refreshDirectly(emulator: RunningEmulator, refreshToken: string): Promise<{ status: number; error: unknown }> {
  const oauth = emulator.oauth!;
  const response = await fetch(`${oauth.issuer}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: oauth.clientId }),
  });
  const body = (await response.json()) as { error?: unknown };
  return { status: response.status, error: body.error };
}

/** The quota exactly as the emulator's REST API reports it. */
async function emulatorQuota(emulator: RunningEmulator): Promise<{ quotaBytes: number; usedBytes: number }> {
  const response = await fetch(`${emulator.origin}/v2/api/ba/dataset/(capacity)`, {
    headers: { 'X-TeraCLOUD-API-KEY': emulator.apiKey, Authorization: `Basic ${BASIC_FORM}` },
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { dataset: { __ROOT__: { quota: number; used: number } } };
  return { quotaBytes: body.dataset.__ROOT__.quota, usedBytes: body.dataset.__ROOT__.used };
}

function storeFor(connection: Connection, folder = ''): WebDavRemoteStore {
  const store = new WebDavRemoteStore({
    url: `${connection.rootUrl}${folder}`,
    auth: connection.auth,
    retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
  });
  cleanups.push(() => store.dispose());
  return store;
}

async function upload(store: WebDavRemoteStore, path: string, content: string): Promise<void> {
  const bytes = Buffer.from(content);
  await store.upload(path, () => Readable.from([bytes]), bytes.length);
}

/** True when nothing listens at `url` any more (the connection is refused). */
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

/** Nothing of the account was kept: no account.json, no secret. */
async function expectNothingStored(h: Harness): Promise<void> {
  expect(existsSync(h.file.file), 'account.json').toBe(false);
  expect(h.secrets.written, 'secrets written').toEqual([]);
  expect(await h.service.current()).toBeNull();
}

/** What the user reads when BASIC is refused: the Apps password causes, not only "wrong password". */
function expectAppsPasswordHint(error: TeraSyncError): void {
  expect(error.code).toBe(ErrorCode.Unauthorized);
  expect(error.message).toContain('Apps password');
  expect(error.message).toContain('Apps connection');
  expect(error.message).toContain('MyPage');
  expect(error.message).toContain('few minutes');
  expect(error.message).not.toContain(PASSWORD);
}

// ---------------------------------------------------------------------------------------------

describe('sign-in with the user ID and Apps password', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({
      oauth: false,
      accounts: [
        { userId: USER, appsPassword: PASSWORD, node: 'seto' },
        // Made after 2021-06: BASIC is off until the user turns on Apps connection in MyPage.
        { userId: 'modern', appsPassword: 'modern-apps-password', node: 'kita', appsConnection: false },
        // A brand-new account: the REST API answers 202 while its node is being prepared.
        { userId: 'newbie', appsPassword: 'newbie-apps-password', node: 'toi', nodeReady: false },
      ],
    });
    // Something on the disk, so that the usage the quota reports is not zero.
    await writeFile(join(emulator.filesDir(), 'ballast.bin'), randomBytes(64 * 1024));
  });

  afterAll(async () => {
    await emulator?.close();
  });

  it.each(['header', 'matrix'] as const)(
    'finds the node through the REST API (key in the %s), keeps the password only in the secret store, and connects to /dav/ with BASIC',
    async (placement) => {
      const h = await harness();
      const mark = emulator.requests.length;
      const record = await h.service.signInWithPassword({ userId: USER, password: PASSWORD, api: api(emulator, placement) });

      expect(record).toEqual({
        userId: USER,
        origin: emulator.origin,
        node: 'seto',
        method: 'basic',
        basicPreemptive: true,
        basicSignIn: true,
        oauth: null,
        api: api(emulator, placement),
      });
      const rest = requestsSince(emulator, mark, '/v2/api/');
      expect(rest.map((request) => [request.path.split(';')[0], request.authorization, request.apiKey, request.status])).toEqual([
        ['/v2/api/ba/user', 'basic', placement, 200],
      ]);

      const text = await readFile(h.file.file, 'utf8');
      expect(JSON.parse(text)).toMatchObject({ version: 1, userId: USER, origin: emulator.origin, node: 'seto', method: 'basic' });
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(BASIC_FORM);
      expect(await h.secrets.get(basicSecretKey(record))).toBe(PASSWORD);
      expect(h.secrets.written).toEqual([basicSecretKey(record)]);

      const connection = await h.service.connect();
      expect(connection).toMatchObject({
        rootUrl: emulator.davUrl,
        method: 'basic',
        fallbackReason: null,
        auth: { kind: 'basic', user: USER, password: PASSWORD, preemptive: true },
      });

      const beforeWhoami = emulator.requests.length;
      const info = await h.service.whoami();
      expect(info).toEqual({
        userId: USER,
        node: 'seto',
        origin: emulator.origin,
        signedInWith: 'basic',
        method: 'basic',
        webdavUrl: emulator.davUrl,
        fallbackReason: null,
        quota: await emulatorQuota(emulator),
        quotaProblem: null,
        secretStore: 'memory, for this session only',
        secretStoreKind: 'session',
      });
      expect(info.quota!.quotaBytes).toBe(20 * 1024 ** 3);
      expect(info.quota!.usedBytes).toBeGreaterThan(0);
      const quotaCalls = requestsSince(emulator, beforeWhoami, '/v2/api/ba/dataset');
      expect(quotaCalls.map((request) => [request.apiKey, request.authorization, request.status])).toContainEqual([placement, 'basic', 200]);
    },
  );

  it('uses a typed WebDAV URL without asking the REST API, and tells where the quota would come from', async () => {
    const h = await harness();
    const mark = emulator.requests.length;
    const record = await h.service.signInWithPassword({ userId: USER, password: PASSWORD, location: emulator.davUrl });
    expect(record).toMatchObject({ userId: USER, origin: emulator.origin, method: 'basic', basicSignIn: true, api: null });
    expect(requestsSince(emulator, mark, '/v2/api/')).toEqual([]);
    expect(requestsSince(emulator, mark, '/dav/').length).toBeGreaterThan(0);

    const connection = await h.service.connect();
    expect(connection).toMatchObject({ rootUrl: emulator.davUrl, method: 'basic', fallbackReason: null });
    const info = await h.service.whoami();
    expect(info.quota).toBeNull();
    expect(info.quotaProblem).toContain('--api-key');
    expect(requestsSince(emulator, mark, '/v2/api/')).toEqual([]);
  });

  it('without a node, a URL or an API key, asks for --node or --url and sends nothing', async () => {
    const h = await harness();
    const mark = emulator.requests.length;
    const error = await failure(h.service.signInWithPassword({ userId: USER, password: PASSWORD }));
    expect(error.code).toBe(ErrorCode.Configuration);
    expect(error.message).toContain('--node');
    expect(error.message).toContain('--url');
    expect(emulator.requests.length).toBe(mark);
    await expectNothingStored(h);
  });

  it.each([
    ['through the REST API', (emulator: RunningEmulator) => ({ api: api(emulator) })],
    ['on a typed URL', (emulator: RunningEmulator) => ({ location: emulator.davUrl })],
  ])('a wrong Apps password %s: Unauthorized that explains the Apps password, and nothing is stored', async (_how, where) => {
    const h = await harness();
    const error = await failure(h.service.signInWithPassword({ userId: USER, password: 'the-login-password', ...where(emulator) }));
    expectAppsPasswordHint(error);
    expect(error.message).not.toContain('the-login-password');
    await expectNothingStored(h);
  });

  it.each([
    ['through the REST API', (emulator: RunningEmulator) => ({ api: api(emulator) })],
    ['on a typed URL', (emulator: RunningEmulator) => ({ location: emulator.davUrl })],
  ])('Apps connection switched off (%s): Unauthorized that says to turn it on, nothing stored', async (_how, where) => {
    const h = await harness();
    const error = await failure(h.service.signInWithPassword({ userId: 'modern', password: 'modern-apps-password', ...where(emulator) }));
    expectAppsPasswordHint(error);
    await expectNothingStored(h);
  });

  it('a new account whose node is not ready (REST 202): says to enter the node or URL, which then works', async () => {
    const h = await harness();
    const credentials = { userId: 'newbie', password: 'newbie-apps-password' };
    const error = await failure(h.service.signInWithPassword({ ...credentials, api: api(emulator) }));
    expect(error.status).toBe(202);
    expect(error.message).toContain('being prepared');
    expect(error.message).toContain('--node');
    expect(error.message).toContain('--url');
    await expectNothingStored(h);

    const record = await h.service.signInWithPassword({ ...credentials, api: api(emulator), location: emulator.davUrl });
    expect(record).toMatchObject({ userId: 'newbie', origin: emulator.origin, method: 'basic', basicSignIn: true });
    expect((await h.service.connect()).rootUrl).toBe(emulator.davUrl);
  });

  it('the REST API down (503): says to enter the node or URL, which then works (WebDAV does not need the API)', async () => {
    const h = await harness();
    emulator.setApiDown(true);
    try {
      const error = await failure(h.service.signInWithPassword({ userId: USER, password: PASSWORD, api: api(emulator) }));
      expect(error.code).toBe(ErrorCode.Server);
      expect(error.message).toContain('node name');
      expect(error.message).toContain('--node');
      expect(error.message).toContain('--url');
      await expectNothingStored(h);

      const record = await h.service.signInWithPassword({ userId: USER, password: PASSWORD, api: api(emulator), location: emulator.davUrl });
      expect(record).toMatchObject({ userId: USER, origin: emulator.origin, method: 'basic' });
      const connection = await h.service.connect();
      expect(connection.rootUrl).toBe(emulator.davUrl);
      expect((await storeFor(connection).stat(''))?.type).toBe('dir');
      // whoami still answers; the quota is what is missing, and it says why.
      const info = await h.service.whoami();
      expect(info.quota).toBeNull();
      expect(info.quotaProblem).toContain('503');
    } finally {
      emulator.setApiDown(false);
    }
  });

  it('non-preemptive BASIC: the first request goes without Authorization and gets 401, the next one carries it', async () => {
    const h = await harness();
    const mark = emulator.requests.length;
    const record = await h.service.signInWithPassword({ userId: USER, password: PASSWORD, location: emulator.davUrl, preemptive: false });
    expect(record.basicPreemptive).toBe(false);
    const probe = requestsSince(emulator, mark, '/dav/');
    expect(probe.map((request) => [request.method, request.authorization, request.status])).toEqual([
      ['PROPFIND', 'none', 401],
      ['PROPFIND', 'basic', 207],
    ]);

    const connection = await h.service.connect();
    expect(connection.auth).toEqual({ kind: 'basic', user: USER, password: PASSWORD, preemptive: false });
    const syncMark = emulator.requests.length;
    const store = storeFor(connection);
    await store.stat('');
    await store.stat('');
    expect(requestsSince(emulator, syncMark, '/dav/').map((request) => [request.authorization, request.status])).toEqual([
      ['none', 401],
      ['basic', 207],
      ['basic', 207],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('OAuth2 sign-in, /v2/dav/ with a bearer token', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
  });

  afterAll(async () => {
    await emulator?.close();
  });

  it('asks the REST API (bearer) who signed in, stores the tokens only in the secret store, and syncs through /v2/dav/', async () => {
    const h = await harness();
    const mark = emulator.requests.length;
    const { record, fallbackReason } = await oauthSignIn(h, emulator);
    expect(fallbackReason).toBeNull();
    expect(record).toEqual({
      userId: USER,
      origin: emulator.origin,
      node: 'seto',
      method: 'oauth2',
      basicPreemptive: true,
      basicSignIn: false,
      oauth: oauthSettings(emulator),
      api: api(emulator),
    });
    expect(requestsSince(emulator, mark, '/v2/api/').map((request) => [request.path, request.authorization, request.apiKey, request.status])).toEqual([
      ['/v2/api/user', 'bearer', 'header', 200],
    ]);

    const tokens = await storedTokens(h, oauthSettings(emulator));
    expect(tokens).not.toBeNull();
    const file = await readFile(h.file.file, 'utf8');
    expect(file).not.toContain(tokens!.accessToken);
    expect(file).not.toContain(tokens!.refreshToken!);
    expect(h.secrets.written).toEqual([oauthSecretKey(oauthSettings(emulator))]);

    const connection = await h.service.connect();
    expect(connection).toMatchObject({ rootUrl: emulator.v2DavUrl, method: 'oauth2', fallbackReason: null, auth: { kind: 'bearer' } });
    expect('tokens' in connection.auth).toBe(true);

    const syncMark = emulator.requests.length;
    const store = storeFor(connection, 'oauth-upload/');
    await store.createFolder('');
    await upload(store, 'hello.txt', 'hello over OAuth2');
    const listing = await store.list();
    expect([...listing.entries.keys()]).toEqual(['hello.txt']);
    expect(await readFile(join(emulator.filesDir(), 'oauth-upload', 'hello.txt'), 'utf8')).toBe('hello over OAuth2');
    const used = emulator.requests.slice(syncMark);
    expect(used.length).toBeGreaterThan(0);
    expect(used.every((request) => request.path.startsWith('/v2/dav/') && request.authorization === 'bearer')).toBe(true);

    const info = await h.service.whoami();
    expect(info).toMatchObject({ userId: USER, node: 'seto', signedInWith: 'oauth2', method: 'oauth2', webdavUrl: emulator.v2DavUrl, quota: null });
    expect(info.quotaProblem).toContain('Apps password');
  });

  it('cancelled while the browser shows the login page: rejects with Cancelled at once, closes the loopback listener, and keeps nothing', async () => {
    const h = await harness();
    const controller = new AbortController();
    const mark = emulator.requests.length;
    let redirectUri: string | null = null;
    let abortedAt = 0;
    const signIn = h.service.signInWithOAuth({
      oauth: oauthSettings(emulator),
      api: api(emulator),
      signal: controller.signal,
      // Far longer than the test: only the cancellation can end the wait in time.
      timeoutMs: 120_000,
      openBrowser: async (url) => {
        redirectUri = new URL(url).searchParams.get('redirect_uri');
        // The browser shows the login page; the user closes the sign-in dialog instead of signing in.
        const authorization = await fetch(url, { redirect: 'manual' });
        const cookie = authorization.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
        const page = await fetch(new URL(authorization.headers.get('location')!, url), { headers: { cookie } });
        expect(await page.text()).toContain('<form');
        abortedAt = Date.now();
        controller.abort();
      },
    });
    const error = await failure(signIn);
    expect(error.code).toBe(ErrorCode.Cancelled);
    expect(abortedAt).toBeGreaterThan(0);
    expect(Date.now() - abortedAt, 'milliseconds from the cancel to the rejection').toBeLessThan(1_000);

    expect(redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(await connectionRefused(redirectUri!), 'the loopback listener is closed').toBe(true);
    await expectNothingStored(h);
    expect(requestsSince(emulator, mark, '/v2/'), 'nothing asked of the REST API or WebDAV').toEqual([]);
  });

  it('tokens revoked at the server: connect() falls back to /dav/ with the Apps password, and says why', async () => {
    const h = await harness();
    await oauthSignIn(h, emulator);
    const record = await h.service.signInWithPassword({ userId: USER, password: PASSWORD, api: api(emulator) });
    expect(record).toMatchObject({ method: 'oauth2', basicSignIn: true, oauth: oauthSettings(emulator) });
    expect((await h.service.connect()).rootUrl).toBe(emulator.v2DavUrl);

    // The user ends the grant elsewhere (MyPage, another device): RFC 7009 revocation of the refresh token.
    const tokens = (await storedTokens(h, oauthSettings(emulator)))!;
    const revoked = await fetch(`${emulator.oauth!.issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refreshToken!, token_type_hint: 'refresh_token', client_id: emulator.oauth!.clientId }),
    });
    expect(revoked.status).toBe(200);
    expect(await v2DavStatus(emulator, tokens.accessToken)).toBe(401);

    const connection = await h.service.connect();
    expect(connection).toMatchObject({ rootUrl: emulator.davUrl, method: 'basic', auth: { kind: 'basic', user: USER, password: PASSWORD } });
    expect(connection.fallbackReason).toContain('/v2/dav/');
    expect(connection.fallbackReason).toContain('/dav/');
    expect(h.warnings.some((warning) => warning.includes(connection.fallbackReason!))).toBe(true);
    // The dead tokens are gone; the next connection says the sign-in has ended.
    expect(await storedTokens(h, oauthSettings(emulator))).toBeNull();
    const next = await h.service.connect();
    expect(next).toMatchObject({ rootUrl: emulator.davUrl, method: 'basic' });
    expect(next.fallbackReason).toContain('ended');
    const store = storeFor(next);
    expect((await store.stat(''))?.type).toBe('dir');
  });

  it('tokens revoked at the server and no Apps password: connect() says to sign in again', async () => {
    const h = await harness();
    await oauthSignIn(h, emulator);
    const tokens = (await storedTokens(h, oauthSettings(emulator)))!;
    const revoked = await fetch(`${emulator.oauth!.issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refreshToken!, token_type_hint: 'refresh_token', client_id: emulator.oauth!.clientId }),
    });
    expect(revoked.status).toBe(200);
    const error = await failure(h.service.connect());
    expect(error.code).toBe(ErrorCode.Unauthorized);
    expect(error.message).toContain('Sign in again');
    expect(error.message).toContain('Apps password');
  });

  it('the secret store refuses the tokens (keychain locked): the sign-in fails, nothing is kept, and the tokens are handed back', async () => {
    /** A keychain that is locked: every write fails. It remembers what it was asked to keep, so the test can ask the server about it. */
    class LockedSecretStore extends ObservedSecretStore {
      readonly refused: string[] = [];
      override async set(key: string, secret: string): Promise<void> {
        this.refused.push(secret);
        throw new TeraSyncError(ErrorCode.KeychainUnavailable, 'The keyring is locked or refused access, so TeraSync cannot save the sign-in in it.');
      }
    }
    const h = await harness();
    const secrets = new LockedSecretStore();
    const service = new AccountService({ accountFile: h.file, secrets, clock: { now: () => Date.now() }, logger: silentLogger, allowCustomHost: true });
    const error = await failure(oauthSignIn({ ...h, secrets, service }, emulator));
    expect(error.code).toBe(ErrorCode.KeychainUnavailable);
    expect(existsSync(h.file.file)).toBe(false);
    expect(secrets.refused).toHaveLength(1);
    const tokens = JSON.parse(secrets.refused[0]!) as StoredTokens;

    // "Tokens nobody will use are handed back" (AccountService): nobody has them now, so the
    // server must not go on honouring them (the refresh token would live for 14 days).
    expect(await v2DavStatus(emulator, tokens.accessToken), 'the access token still opens /v2/dav/').toBe(401);
    expect(await refreshDirectly(emulator, tokens.refreshToken!)).toEqual({ status: 400, error: 'invalid_grant' });
  });

  it('a typed node name that does not exist is NodeNotFound, and nothing is kept', async () => {
    const h = await harness();
    const asked: string[] = [];
    const service = new AccountService({
      accountFile: h.file,
      secrets: h.secrets,
      clock: { now: () => Date.now() },
      logger: silentLogger,
      allowCustomHost: true,
      lookupHost: async (hostname) => {
        asked.push(hostname);
        if (hostname !== 'teracloud.jp') throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      },
    });
    const error = await failure(oauthSignIn({ ...h, service }, emulator, { api: null, userId: USER, location: 'setoo' }));
    expect(error.code).toBe(ErrorCode.NodeNotFound);
    expect(asked).toEqual(['setoo.teracloud.jp', 'teracloud.jp']);
    expect(existsSync(h.file.file)).toBe(false);
    expect(h.secrets.written).toEqual([]);
  });

  it('signOut() revokes the tokens at the server and removes account.json and both secrets; a second signOut has nothing to do', async () => {
    const h = await harness();
    await oauthSignIn(h, emulator);
    const record = await h.service.signInWithPassword({ userId: USER, password: PASSWORD, api: api(emulator) });
    const tokens = (await storedTokens(h, oauthSettings(emulator)))!;
    expect(await v2DavStatus(emulator, tokens.accessToken)).toBe(207);

    expect(await h.service.signOut()).toEqual({ revocation: 'revoked', revocationError: null, signedOut: true });
    expect(existsSync(h.file.file)).toBe(false);
    expect(await h.secrets.get(basicSecretKey(record))).toBeNull();
    expect(await h.secrets.get(oauthSecretKey(oauthSettings(emulator)))).toBeNull();
    expect(await h.service.current()).toBeNull();
    // At the server: neither token works any more.
    expect(await v2DavStatus(emulator, tokens.accessToken)).toBe(401);
    expect(await refreshDirectly(emulator, tokens.refreshToken!)).toEqual({ status: 400, error: 'invalid_grant' });

    const error = await failure(h.service.connect());
    expect(error.code).toBe(ErrorCode.Unauthorized);
    expect(error.message).toContain('not signed in');

    expect(await h.service.signOut()).toEqual({ revocation: 'nothing', revocationError: null, signedOut: false });
  });
});

// ---------------------------------------------------------------------------------------------

describe('a node without /v2/dav/ (404)', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ v2Dav: false });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  it('OAuth2 only: connect() refuses and says to sign in again or add the Apps password; with it, /dav/ with BASIC and the reason', async () => {
    const h = await harness();
    const { record } = await oauthSignIn(h, emulator);
    expect(record).toMatchObject({ method: 'oauth2', basicSignIn: false });

    const error = await failure(h.service.connect());
    expect(error.status).toBe(404);
    expect(error.message).toContain('Sign in again');
    expect(error.message).toContain('Apps password');

    const withPassword = await h.service.signInWithPassword({ userId: USER, password: PASSWORD, api: api(emulator) });
    expect(withPassword).toMatchObject({ userId: USER, origin: emulator.origin, method: 'oauth2', basicSignIn: true, oauth: oauthSettings(emulator) });
    // Both secrets are kept: the tokens for when /v2/dav/ comes back, the password for now.
    expect(await storedTokens(h, oauthSettings(emulator))).not.toBeNull();
    expect(await h.secrets.get(basicSecretKey(withPassword))).toBe(PASSWORD);

    const connection = await h.service.connect();
    expect(connection).toMatchObject({ rootUrl: emulator.davUrl, method: 'basic', auth: { kind: 'basic', user: USER, password: PASSWORD } });
    expect(connection.fallbackReason).toContain(emulator.v2DavUrl);
    expect(connection.fallbackReason).toContain('404');

    const info = await h.service.whoami();
    expect(info).toMatchObject({ signedInWith: 'oauth2', method: 'basic', webdavUrl: emulator.davUrl, fallbackReason: connection.fallbackReason });
    expect(info.quota).toEqual(await emulatorQuota(emulator));

    const store = storeFor(connection, 'fallback/');
    await store.createFolder('');
    await upload(store, 'via-dav.txt', 'BASIC after all');
    expect(await readFile(join(emulator.filesDir(), 'fallback', 'via-dav.txt'), 'utf8')).toBe('BASIC after all');
  });
});

// ---------------------------------------------------------------------------------------------

/** A pass-through proxy in front of the token endpoint that counts the grants it forwards. */
async function startTokenProxy(tokenEndpoint: string): Promise<{ url: string; grants: string[]; close(): Promise<void> }> {
  const grants: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      grants.push(new URLSearchParams(body).get('grant_type') ?? '?');
      fetch(tokenEndpoint, { method: 'POST', headers: { 'Content-Type': req.headers['content-type'] ?? '', Accept: 'application/json' }, body })
        .then(async (answer) => {
          const text = await answer.text();
          res.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? 'application/json', 'Cache-Control': 'no-store' });
          res.end(text);
        })
        .catch(() => {
          res.writeHead(502).end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    grants,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('an access token that expires between two syncs', () => {
  const TTL_SECONDS = 2;
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ oauth: { accessTokenTtlSeconds: TTL_SECONDS } });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  interface Setup {
    h: Harness;
    oauth: OAuthSettings;
    proxy: Awaited<ReturnType<typeof startTokenProxy>>;
    local: string;
    engine: SyncEngine;
    /** The token set stored when the sign-in was over. */
    signedIn: StoredTokens;
  }

  /** Signs in (token endpoint behind the counting proxy) and builds an engine on one long-lived connection. */
  async function setUp(folder: string, clock: { now(): number } = { now: () => Date.now() }): Promise<Setup> {
    const proxy = await startTokenProxy(`${emulator.oauth!.issuer}/token`);
    cleanups.push(() => proxy.close());
    const oauth = oauthSettings(emulator, { tokenEndpoint: proxy.url });
    const h = await harness();
    const service = new AccountService({ accountFile: h.file, secrets: h.secrets, clock, logger: silentLogger, allowCustomHost: true });
    await oauthSignIn({ ...h, service }, emulator, { oauth });
    expect(proxy.grants.filter((grant) => grant === 'authorization_code')).toHaveLength(1);
    const signedIn = (await storedTokens(h, oauth))!;
    expect(signedIn.refreshToken).toEqual(expect.any(String));

    // One connection for both runs, as the app keeps it while it runs.
    const connection = await service.connect();
    expect(connection.rootUrl).toBe(emulator.v2DavUrl);
    const local = await temporaryFolder('terasync-expiry-local-');
    const journal = Journal.open(join(h.folder, 'journal.sqlite'));
    cleanups.push(async () => journal.close());
    const engine = new SyncEngine({
      localRoot: local,
      remote: storeFor(connection, `${folder}/`),
      journal,
      trash: folderTrash(join(h.folder, 'trash')),
      clock: systemClock,
      logger: silentLogger,
      device: 'testbox',
      platform: 'linux',
      concurrency: 4,
    });
    return { h, oauth, proxy, local, engine, signedIn };
  }

  const refreshes = (setup: Setup): number => setup.proxy.grants.filter((grant) => grant === 'refresh_token').length;

  /** Waits past the access token's lifetime at the authorization server, then syncs two more files. */
  async function secondRunAfterExpiry(setup: Setup, folder: string): Promise<void> {
    await delay(TTL_SECONDS * 1000 + 700);
    await mkdir(join(setup.local, 'more'));
    await writeFile(join(setup.local, 'more', 'second.txt'), 'after expiry');
    await writeFile(join(setup.local, 'third.txt'), 'after expiry, too');
    const second = await setup.engine.runOnce();
    expect(second.report.errors).toEqual([]);
    expect([...second.report.uploaded].sort()).toEqual(['more/second.txt', 'third.txt']);
    expect(await readFile(join(emulator.filesDir(), folder, 'more', 'second.txt'), 'utf8')).toBe('after expiry');
    expect(await readFile(join(emulator.filesDir(), folder, 'third.txt'), 'utf8')).toBe('after expiry, too');
    // No new sign-in happened.
    expect(setup.proxy.grants.filter((grant) => grant === 'authorization_code')).toHaveLength(1);
  }

  it('the second sync refreshes the token without a new sign-in; the used refresh token is dead (rotation)', async () => {
    const setup = await setUp('expiry');
    await writeFile(join(setup.local, 'first.txt'), 'before expiry');
    const first = await setup.engine.runOnce();
    expect(first.report.errors).toEqual([]);
    expect(first.report.uploaded).toEqual(['first.txt']);

    const before = refreshes(setup);
    const mark = emulator.requests.length;
    await secondRunAfterExpiry(setup, 'expiry');
    expect(refreshes(setup)).toBeGreaterThan(before);
    const run = emulator.requests.slice(mark);
    expect(run.every((request) => request.path.startsWith('/v2/dav/') && request.authorization === 'bearer')).toBe(true);
    const now = (await storedTokens(setup.h, setup.oauth))!;
    expect(now.accessToken).not.toBe(setup.signedIn.accessToken);
    expect(now.refreshToken).not.toBe(setup.signedIn.refreshToken);

    // Rotation: the refresh token the sign-in left was used up by a later refresh.
    expect(await refreshDirectly(emulator, setup.signedIn.refreshToken!)).toEqual({ status: 400, error: 'invalid_grant' });
  });

  it('a token the client still believes valid is refused (401): the store refreshes and sends the request again', async () => {
    // The computer's clock is ten minutes behind: by its own reckoning the token has long to live.
    let skewMs = 0;
    const setup = await setUp('expiry-401', { now: () => Date.now() + skewMs });
    skewMs = -10 * 60_000;
    await writeFile(join(setup.local, 'first.txt'), 'before expiry');
    const before = refreshes(setup);
    const first = await setup.engine.runOnce();
    expect(first.report.errors).toEqual([]);
    expect(refreshes(setup), 'no refresh while the token is valid').toBe(before);

    const mark = emulator.requests.length;
    await secondRunAfterExpiry(setup, 'expiry-401');
    const run = emulator.requests.slice(mark);
    // The expired token was sent once and refused; the same request went again with a new one.
    expect(run[0]).toMatchObject({ method: 'PROPFIND', authorization: 'bearer', status: 401 });
    expect(run[1]).toMatchObject({ method: 'PROPFIND', path: run[0]!.path, authorization: 'bearer', status: 207 });
    expect(run.filter((request) => request.status === 401)).toHaveLength(1);
    expect(refreshes(setup)).toBeGreaterThan(before);
  });
});

// ---------------------------------------------------------------------------------------------

describe('a damaged account.json', () => {
  const VALID = {
    version: 1,
    userId: USER,
    origin: 'https://seto.teracloud.jp',
    node: 'seto',
    method: 'basic',
    basicPreemptive: true,
    basicSignIn: true,
    oauth: null,
    api: null,
  };

  it('a valid file is read (the control for the two below)', async () => {
    const h = await harness();
    await writeFile(h.file.file, JSON.stringify(VALID));
    expect(await h.service.current()).toMatchObject({ userId: USER, node: 'seto', method: 'basic' });
    expect(h.warnings).toEqual([]);
  });

  it('not JSON: no account, the problem is reported, and the file is moved aside', async () => {
    const h = await harness();
    const damaged = '{"version": 1, "userId": "demo", "origin": ';
    await writeFile(h.file.file, damaged);
    expect(await h.service.current()).toBeNull();
    expect(h.warnings).toHaveLength(1);
    expect(h.warnings[0]).toContain('not valid JSON');
    expect(h.warnings[0]).toContain('Sign in again');
    const names = await readdir(h.folder);
    expect(names).not.toContain('account.json');
    const aside = names.filter((name) => name.startsWith('account.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(h.warnings[0]).toContain(aside[0]);
    expect(await readFile(join(h.folder, aside[0]!), 'utf8')).toBe(damaged);
    const error = await failure(h.service.connect());
    expect(error.message).toContain('not signed in');
  });

  it('a field named "password": no account, the problem names the field (not its value), and the file is left alone', async () => {
    const h = await harness();
    const text = JSON.stringify({ ...VALID, password: 'hunter2-in-the-file' });
    await writeFile(h.file.file, text);
    expect(await h.service.current()).toBeNull();
    expect(h.warnings).toHaveLength(1);
    expect(h.warnings[0]).toContain('"password"');
    expect(h.warnings[0]).toContain('keychain');
    expect(h.warnings[0]).not.toContain('hunter2-in-the-file');
    expect(await readdir(h.folder)).toEqual(['account.json']);
    expect(await readFile(h.file.file, 'utf8')).toBe(text);
  });
});
