/**
 * The sign-in's advanced options, against the TeraCLOUD emulator served over HTTPS with a
 * certificate from a throwaway CA (test/support/tlsServers.ts) that no system trusts:
 *
 * - a private CA (`caPem`): without it every sign-in fails with Tls and keeps nothing; with it
 *   the sign-in works, the CA is kept in account.json, and every later connection of the
 *   account (WebDAV, REST quota, OAuth2 token and revocation requests) trusts it, also from a
 *   new AccountService that was given no CA at all (the next start of the app);
 * - another REST API server and the `;api_key=` matrix parameter, which the emulator's REST
 *   API checks like the service (a wrong key is refused).
 *
 * OAuth2 runs against the emulator's oidc-provider. The browser reaches its login page over
 * plain HTTP on loopback, as a real browser would reach the real one; the token and
 * revocation endpoints are reached through an HTTPS proxy with a certificate of the same
 * private CA, so that the app's own OAuth2 requests need the CA.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { AccountFile, oauthSecretKey, type ApiSettings, type OAuthSettings } from '../../../electron/auth/AccountRecord.js';
import { AccountService, type Connection } from '../../../electron/auth/AccountService.js';
import { SessionSecretStore } from '../../../electron/auth/SessionSecretStore.js';
import { silentLogger, type Logger } from '../../../electron/core/logger.js';
import { WebDavRemoteStore } from '../../../electron/webdav/WebDavRemoteStore.js';
import { ErrorCode } from '../../../shared/errors.js';
import { completeBrowserSignIn, type BrowserResult } from '../../support/oauthBrowser.js';
import { requireSystemTool } from '../../support/requirements.js';
import { makeTestCertificates, opensslAvailable, type TestCertificates } from '../../support/tlsServers.js';
import { failure } from '../../support/failure.js';
import { FakeClock } from '../../support/fakeClock.js';

const openssl = requireSystemTool('openssl', opensslAvailable());

const USER = 'demo';
const PASSWORD = 'demo-apps-password';

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

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let certificates: TestCertificates;

beforeAll(async () => {
  openssl.assertAvailable();
  certificates = await makeTestCertificates();
});

/** A fresh installation: account folder, secret store and service; `ca` is what the command's --ca would give. */
async function harness(options: { ca?: string } = {}): Promise<Harness> {
  const folder = await mkdtemp(join(tmpdir(), 'terasync-advanced-'));
  cleanups.push(() => rm(folder, { recursive: true, force: true }));
  const file = new AccountFile(folder);
  const secrets = new ObservedSecretStore();
  const warnings: string[] = [];
  const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
  const service = new AccountService({ accountFile: file, secrets, clock: { now: () => Date.now() }, logger, allowCustomHost: true, ...options });
  return { folder, file, secrets, warnings, service };
}

/** The same data folder and keychain on the next start: a new service, given no CA. */
function restarted(h: Harness): AccountService {
  return new AccountService({ accountFile: new AccountFile(h.folder), secrets: h.secrets, clock: { now: () => Date.now() }, logger: silentLogger, allowCustomHost: true });
}

function api(emulator: RunningEmulator, overrides: Partial<ApiSettings> = {}): ApiSettings {
  return { baseUrl: emulator.apiBaseUrl, applicationKey: emulator.apiKey, keyPlacement: 'header', ...overrides };
}

function requestsSince(emulator: RunningEmulator, mark: number, prefix = '/'): RunningEmulator['requests'] {
  return emulator.requests.slice(mark).filter((request) => request.path.startsWith(prefix));
}

/** The SHA-256 fingerprints of the certificates in PEM text, in order. */
function fingerprints(pem: string | undefined): string[] {
  return (pem?.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map((block) => new X509Certificate(block).fingerprint256);
}

function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

async function expectNothingStored(h: Harness): Promise<void> {
  expect(existsSync(h.file.file), 'account.json').toBe(false);
  expect(h.secrets.written, 'secrets written').toEqual([]);
  expect(await h.service.current()).toBeNull();
}

/** A store as a sync builds one from a connection, trusting what the connection says. */
function storeFor(connection: Connection, folder = ''): WebDavRemoteStore {
  const store = new WebDavRemoteStore({
    url: `${connection.rootUrl}${folder}`,
    auth: connection.auth,
    retry: { attempts: 1 },
    ...(connection.ca === undefined ? {} : { ca: connection.ca }),
  });
  cleanups.push(() => store.dispose());
  return store;
}

async function upload(store: WebDavRemoteStore, path: string, content: string): Promise<void> {
  const bytes = Buffer.from(content);
  await store.upload(path, () => Readable.from([bytes]), bytes.length);
}

// ---------------------------------------------------------------------------------------------

describe.skipIf(openssl.skip)('a private CA, with the user ID and Apps password', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ oauth: false, tls: certificates.server });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  it('without the CA: the sign-in fails with Tls (node found through the REST API, or typed) and keeps nothing', async () => {
    const h = await harness();
    const throughApi = await failure(h.service.signInWithPassword({ userId: USER, password: PASSWORD, api: api(emulator) }));
    expect(throughApi.code).toBe(ErrorCode.Tls);
    const typed = await failure(h.service.signInWithPassword({ userId: USER, password: PASSWORD, location: emulator.davUrl }));
    expect(typed.code).toBe(ErrorCode.Tls);
    expect(typed.message).toContain('certificate');
    // A CA that did not sign the server's certificate is no better.
    const wrongCa = await failure(h.service.signInWithPassword({ userId: USER, password: PASSWORD, location: emulator.davUrl, advanced: { caPem: certificates.otherCa } }));
    expect(wrongCa.code).toBe(ErrorCode.Tls);
    await expectNothingStored(h);
  });

  it('with the CA: signs in, keeps the CA in account.json, and every connection trusts it, also after a restart without a CA', async () => {
    const h = await harness();
    const record = await h.service.signInWithPassword({ userId: USER, password: PASSWORD, api: api(emulator), advanced: { caPem: certificates.ca } });
    expect(record).toMatchObject({ userId: USER, origin: emulator.origin, node: 'seto', method: 'basic', api: api(emulator) });
    expect(fingerprints(record.caPem)).toEqual([fingerprint(certificates.ca)]);

    const text = await readFile(h.file.file, 'utf8');
    expect(fingerprints((JSON.parse(text) as { caPem?: string }).caPem)).toEqual([fingerprint(certificates.ca)]);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('PRIVATE KEY');

    const connection = await h.service.connect();
    expect(connection).toMatchObject({ rootUrl: emulator.davUrl, method: 'basic', fallbackReason: null });
    expect(fingerprints(connection.ca)).toEqual([fingerprint(certificates.ca)]);
    expect(fingerprints(h.service.caFor(record))).toEqual([fingerprint(certificates.ca)]);

    // The next start of the app: nothing but the data folder and the keychain.
    const service = restarted(h);
    const again = await service.connect();
    expect(again).toMatchObject({ rootUrl: emulator.davUrl, method: 'basic' });
    const store = storeFor(again, 'private-ca/');
    await store.createFolder('');
    await upload(store, 'hello.txt', 'over a private CA');
    expect(await readFile(join(emulator.filesDir(), 'private-ca', 'hello.txt'), 'utf8')).toBe('over a private CA');
    // The same store without the connection's CA is what a sync would get if it dropped it.
    const untrusting = new WebDavRemoteStore({ url: again.rootUrl, auth: again.auth, retry: { attempts: 1 } });
    cleanups.push(() => untrusting.dispose());
    expect((await failure(untrusting.stat(''))).code).toBe(ErrorCode.Tls);

    const mark = emulator.requests.length;
    const info = await service.whoami();
    expect(info.quotaProblem).toBeNull();
    expect(info.quota?.quotaBytes).toBe(20 * 1024 ** 3);
    expect(requestsSince(emulator, mark, '/v2/api/ba/dataset').map((request) => request.status)).toEqual([200]);
  });

  it('trusts both the command’s CA and the account’s when both are given', async () => {
    const h = await harness({ ca: certificates.otherCa });
    const record = await h.service.signInWithPassword({ userId: USER, password: PASSWORD, location: emulator.davUrl, advanced: { caPem: certificates.ca } });
    // account.json keeps the account's own CA only; the command passes its --ca each time.
    expect(fingerprints(record.caPem)).toEqual([fingerprint(certificates.ca)]);
    const connection = await h.service.connect();
    expect(fingerprints(connection.ca).sort()).toEqual([fingerprint(certificates.ca), fingerprint(certificates.otherCa)].sort());
    expect((await storeFor(connection).stat(''))?.type).toBe('dir');
  });

  it('the command’s CA alone (no advanced option) still works, and is not written to account.json', async () => {
    const h = await harness({ ca: certificates.ca });
    const record = await h.service.signInWithPassword({ userId: USER, password: PASSWORD, location: emulator.davUrl });
    expect(record.caPem).toBeUndefined();
    expect(await readFile(h.file.file, 'utf8')).not.toContain('CERTIFICATE');
    expect(fingerprints((await h.service.connect()).ca)).toEqual([fingerprint(certificates.ca)]);
    // Without --ca on the next start, the account has nothing to trust the server with.
    const withoutCa = await restarted(h).connect();
    expect(withoutCa.ca).toBeUndefined();
    expect((await failure(storeFor(withoutCa).stat(''))).code).toBe(ErrorCode.Tls);
  });
});

describe.skipIf(openssl.skip)('another REST API server and the matrix key placement', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ oauth: false, tls: certificates.server });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  /** The app's defaults, none of which would work here: the real API server, the key in the header. */
  const appDefaults = (): ApiSettings => api(emulator, { baseUrl: 'https://api.invalid/', keyPlacement: 'header' });

  it('discovery and quota go to the given server with ;api_key= on the path, and the account keeps both settings', async () => {
    const h = await harness();
    const mark = emulator.requests.length;
    const record = await h.service.signInWithPassword({
      userId: USER,
      password: PASSWORD,
      api: appDefaults(),
      advanced: { apiServer: emulator.origin, apiKeyPlacement: 'matrix', caPem: certificates.ca },
    });
    expect(record.api).toEqual({ baseUrl: emulator.apiBaseUrl, applicationKey: emulator.apiKey, keyPlacement: 'matrix' });
    const discovery = requestsSince(emulator, mark, '/v2/api/');
    expect(discovery.map((request) => [request.path, request.apiKey, request.authorization, request.status])).toEqual([
      [`/v2/api/ba/user;api_key=${emulator.apiKey}`, 'matrix', 'basic', 200],
    ]);

    const quotaMark = emulator.requests.length;
    const info = await restarted(h).whoami();
    expect(info.quota).not.toBeNull();
    expect(requestsSince(emulator, quotaMark, '/v2/api/').map((request) => [request.path, request.apiKey, request.status])).toEqual([
      [`/v2/api/ba/dataset/(capacity);api_key=${emulator.apiKey}`, 'matrix', 200],
    ]);
  });

  it('the emulator checks the key sent that way: a wrong one is refused (Forbidden) and nothing is kept', async () => {
    const h = await harness();
    const error = await failure(
      h.service.signInWithPassword({
        userId: USER,
        password: PASSWORD,
        api: { ...appDefaults(), applicationKey: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF' },
        advanced: { apiServer: emulator.apiBaseUrl, apiKeyPlacement: 'matrix', caPem: certificates.ca },
      }),
    );
    expect(error.code).toBe(ErrorCode.Forbidden);
    await expectNothingStored(h);
  });

  it.each([
    ['a plain-HTTP API server', { apiServer: 'http://api.example/' }, 'must be an https: address'],
    ['an API server that is not an address', { apiServer: 'api teracloud' }, 'is not a web address'],
    ['an API server with a password', { apiServer: 'https://alice:secret@api.example/' }, 'must not contain a user name or password'],
    ['a CA that is not a certificate', { caPem: 'hello' }, 'is not a PEM certificate'],
  ] as const)('refuses %s with Configuration before anything is sent', async (_name, advanced, message) => {
    const h = await harness();
    const mark = emulator.requests.length;
    const error = await failure(h.service.signInWithPassword({ userId: USER, password: PASSWORD, api: api(emulator), advanced }));
    expect(error.code).toBe(ErrorCode.Configuration);
    expect(error.message).toContain(message);
    expect(error.message).not.toContain('secret');
    expect(requestsSince(emulator, mark)).toEqual([]);
    await expectNothingStored(h);
  });

  it('refuses a CA with a private key in it, without repeating the key', async () => {
    const h = await harness();
    const error = await failure(
      h.service.signInWithPassword({ userId: USER, password: PASSWORD, location: emulator.davUrl, advanced: { caPem: `${certificates.ca}${certificates.server.key}` } }),
    );
    expect(error.code).toBe(ErrorCode.Configuration);
    expect(error.message).toContain('private key');
    expect(error.message).not.toContain(certificates.server.key.split('\n')[1]!);
    await expectNothingStored(h);
  });

  it('refuses an API server or key placement when no application key is configured (the REST API is not used then)', async () => {
    const h = await harness();
    for (const advanced of [{ apiServer: emulator.apiBaseUrl }, { apiKeyPlacement: 'matrix' as const }]) {
      const error = await failure(h.service.signInWithPassword({ userId: USER, password: PASSWORD, location: emulator.davUrl, api: null, advanced }));
      expect(error.code).toBe(ErrorCode.Configuration);
      expect(error.message).toContain('application key');
    }
    await expectNothingStored(h);
  });
});

// ---------------------------------------------------------------------------------------------

interface TlsProxy {
  origin: string;
  /** `METHOD path` of every request that reached the proxy. */
  requests: string[];
  stop(): Promise<void>;
}

/** An HTTPS front (certificate of the private CA) for the plain-HTTP authorization server. */
async function startTlsProxy(target: string, keyPair: { key: string; cert: string }): Promise<TlsProxy> {
  const upstream = new URL(target);
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server: HttpsServer = createHttpsServer(keyPair, (req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.writeHead(502).end());
    req.pipe(forwarded);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A client that refuses the certificate hangs up during the handshake; that is not a failure here.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

describe.skipIf(openssl.skip)('a private CA, with OAuth2', () => {
  let emulator: RunningEmulator;
  let proxy: TlsProxy;
  let oauth: OAuthSettings;

  beforeAll(async () => {
    emulator = await startEmulator({ tls: certificates.server });
    proxy = await startTlsProxy(emulator.oauth!.issuer, certificates.server);
    oauth = {
      clientId: emulator.oauth!.clientId,
      scopes: ['openid', 'offline_access', 'dav'],
      authorizationEndpoint: `${emulator.oauth!.issuer}/auth`,
      tokenEndpoint: `${proxy.origin}/token`,
      revocationEndpoint: `${proxy.origin}/token/revocation`,
    };
  });

  afterAll(async () => {
    await proxy?.stop();
    await emulator?.close();
  });

  /** Signs in, the headless browser playing the user; the browser's last page. */
  async function signIn(h: Harness, advanced: Parameters<AccountService['signInWithOAuth']>[0]['advanced']): Promise<{
    result: Promise<Awaited<ReturnType<AccountService['signInWithOAuth']>>>;
    browser: () => Promise<BrowserResult>;
  }> {
    let browser: Promise<BrowserResult> | undefined;
    const result = h.service.signInWithOAuth({
      oauth,
      api: api(emulator),
      ...(advanced === undefined ? {} : { advanced }),
      timeoutMs: 20_000,
      openBrowser: async (url) => {
        browser = completeBrowserSignIn(url, { userId: USER, password: PASSWORD });
        browser.catch(() => undefined);
      },
    });
    result.catch(() => undefined);
    return { result, browser: () => browser ?? Promise.reject(new Error('the browser was never opened')) };
  }

  it('without the CA: the token request fails with Tls, the browser page says the sign-in failed, and nothing is kept', async () => {
    const h = await harness();
    const { result, browser } = await signIn(h, undefined);
    const error = await failure(result);
    expect(error.code).toBe(ErrorCode.Tls);
    expect((await browser()).finalBody).toContain('TeraSync sign-in failed');
    // Refused during the handshake: the code never reached the token endpoint.
    expect(proxy.requests).toEqual([]);
    await expectNothingStored(h);
  });

  it('with the CA: signs in (key as a matrix parameter), syncs through /v2/dav/, and a restarted service without a CA connects and signs out', async () => {
    const h = await harness();
    const mark = emulator.requests.length;
    const { result, browser } = await signIn(h, { caPem: certificates.ca, apiKeyPlacement: 'matrix' });
    const { record, problem, fallbackReason } = await result;
    expect((await browser()).finalBody).toContain('Signed in to TeraSync');
    expect(problem).toBeNull();
    expect(fallbackReason).toBeNull();
    expect(record).toMatchObject({ userId: USER, node: 'seto', method: 'oauth2', oauth, api: api(emulator, { keyPlacement: 'matrix' }) });
    expect(fingerprints(record.caPem)).toEqual([fingerprint(certificates.ca)]);
    expect(proxy.requests).toEqual(['POST /token']);
    expect(requestsSince(emulator, mark, '/v2/api/').map((request) => [request.path, request.apiKey, request.authorization, request.status])).toEqual([
      [`/v2/api/user;api_key=${emulator.apiKey}`, 'matrix', 'bearer', 200],
    ]);
    expect(h.secrets.written).toEqual([oauthSecretKey(oauth)]);

    const service = restarted(h);
    const connection = await service.connect();
    expect(connection).toMatchObject({ rootUrl: emulator.v2DavUrl, method: 'oauth2', fallbackReason: null });
    expect(fingerprints(connection.ca)).toEqual([fingerprint(certificates.ca)]);
    const store = storeFor(connection, 'oauth-private-ca/');
    await store.createFolder('');
    await upload(store, 'hello.txt', 'bearer over a private CA');
    expect(await readFile(join(emulator.filesDir(), 'oauth-private-ca', 'hello.txt'), 'utf8')).toBe('bearer over a private CA');

    const report = await service.signOut();
    expect(report).toEqual({ revocation: 'revoked', revocationError: null, signedOut: true });
    expect(proxy.requests.filter((line) => line === 'POST /token/revocation').length).toBeGreaterThan(0);
    expect(existsSync(h.file.file)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------

describe.skipIf(openssl.skip)('the CA in account.json', () => {
  const base = { version: 1, userId: USER, origin: 'https://seto.teracloud.jp', node: 'seto', method: 'basic', basicSignIn: true, oauth: null, api: null };

  async function accountFileWith(content: unknown): Promise<AccountFile> {
    const folder = await mkdtemp(join(tmpdir(), 'terasync-account-ca-'));
    cleanups.push(() => rm(folder, { recursive: true, force: true }));
    await writeFile(join(folder, 'account.json'), JSON.stringify(content));
    return new AccountFile(folder, new FakeClock(Date.UTC(2025, 0, 2, 3, 4, 5)));
  }

  it('is read with its certificates, not taken for a secret', async () => {
    const { record, problem } = await (await accountFileWith({ ...base, caPem: `${certificates.ca}${certificates.otherCa}` })).read();
    expect(problem).toBeNull();
    expect(fingerprints(record?.caPem)).toEqual([fingerprint(certificates.ca), fingerprint(certificates.otherCa)]);
  });

  it('holding a private key: refused as a secret and left alone, naming the field', async () => {
    const file = await accountFileWith({ ...base, caPem: `${certificates.ca}${certificates.server.key}` });
    const { record, problem } = await file.read();
    expect(record).toBeNull();
    expect(problem?.code).toBe(ErrorCode.Configuration);
    expect(problem?.message).toContain('"caPem"');
    expect(problem?.message).toContain('looks like a secret');
    expect(existsSync(file.file)).toBe(true);
  });

  it('damaged: the file is moved aside and the user signs in again', async () => {
    const file = await accountFileWith({ ...base, caPem: 'not a certificate' });
    const { record, problem } = await file.read();
    expect(record).toBeNull();
    expect(problem?.message).toContain('caPem is not a PEM certificate');
    expect(problem?.message).toContain('moved to');
    expect(existsSync(file.file)).toBe(false);
  });
});
