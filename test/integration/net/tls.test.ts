/**
 * The TLS policy, proven against real TLS servers on loopback: "HTTPS only, TLS 1.2 minimum,
 * certificate checks always on; a custom CA file is the only way to trust a private
 * certificate. Plain HTTP only for loopback test servers." It holds for every connection
 * TeraSync makes, so every case runs each client that opens one: the WebDAV store, the small
 * REST/OAuth2 client (httpRequest), the TeraCLOUD REST client and OAuth2 discovery.
 *
 * Each scenario has its own server (its own port), and within a scenario the refusals run
 * before the successes: a client that pooled a connection verified with a CA must not be what
 * makes a later refusal pass or fail (see "a CA lent to the next request" below).
 */
import { rootCertificates, createSecureContext } from 'node:tls';
import type * as NodeTls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../shared/errors.js';
import { resolveEndpoints } from '../../../electron/auth/oauth/OAuthConfig.js';
import { httpRequest } from '../../../electron/net/httpRequest.js';
import { MIN_TLS_VERSION, tlsOptions, trustContext } from '../../../electron/net/tls.js';
import { TeraCloudApi } from '../../../electron/teracloud/TeraCloudApi.js';
import { failureCode } from '../../../electron/net/httpErrors.js';
import { WebDavRemoteStore } from '../../../electron/webdav/WebDavRemoteStore.js';
import { requireSystemTool } from '../../support/requirements.js';
import {
  legacyHandshake,
  makeTestCertificates,
  opensslAvailable,
  startPlainServer,
  startTlsServer,
  type TestCertificates,
  type TestServer,
  type TlsServerOptions,
} from '../../support/tlsServers.js';
import { failure } from '../../support/failure.js';

// No server on loopback can chain to a public root, so "the system roots are still trusted"
// is checked on what tls.ts builds its secure context from. The spy passes every call through.
vi.mock('node:tls', async (importOriginal) => {
  const actual = await importOriginal<typeof NodeTls>();
  return { ...actual, createSecureContext: vi.fn(actual.createSecureContext) };
});

const openssl = requireSystemTool('openssl', opensslAvailable());

const API_KEY = '0123456789ABCDEF0123456789ABCDEF';
const TIMEOUT_MS = 10_000;

interface Client {
  name: string;
  /** One request to the server at `origin`; what it got, in a word, when it worked. */
  call(origin: string, ca: string | undefined): Promise<string>;
  /** That word for a working server. */
  ok: string;
}

function storeFor(url: string, ca: string | undefined): WebDavRemoteStore {
  return new WebDavRemoteStore({ url, auth: { kind: 'basic', user: 'demo', password: 'demo-apps-password' }, ca, timeoutMs: TIMEOUT_MS });
}

function apiFor(apiBaseUrl: string, ca: string | undefined): TeraCloudApi {
  return new TeraCloudApi({ apiBaseUrl, apiKey: API_KEY, credentials: { userId: 'demo', password: 'demo-apps-password' }, ca, timeoutMs: TIMEOUT_MS });
}

const clients: Client[] = [
  {
    name: 'WebDavRemoteStore.stat',
    ok: 'dir',
    async call(origin, ca) {
      const store = storeFor(`${origin}/dav/`, ca);
      try {
        return (await store.stat(''))?.type ?? 'missing';
      } finally {
        await store.dispose();
      }
    },
  },
  {
    name: 'httpRequest',
    ok: '200 hello',
    async call(origin, ca) {
      const response = await httpRequest(`${origin}/hello`, { ca, timeoutMs: TIMEOUT_MS });
      return `${response.status} ${response.body}`;
    },
  },
  {
    name: 'TeraCloudApi.getUser',
    ok: 'demo',
    async call(origin, ca) {
      return (await apiFor(`${origin}/`, ca).getUser()).userId;
    },
  },
  {
    name: 'OAuth2 discovery (resolveEndpoints)',
    ok: '/token',
    async call(origin, ca) {
      const endpoints = await resolveEndpoints({ issuer: origin, clientId: 'terasync', scopes: [], ca }, { timeoutMs: TIMEOUT_MS });
      return new URL(endpoints.tokenEndpoint).pathname;
    },
  },
];

/** The TeraSyncError `run` throws synchronously. */
function thrown(run: () => unknown): TeraSyncError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TeraSyncError);
    return error as TeraSyncError;
  }
  throw new Error('expected a refusal, but nothing was thrown');
}

/** What the message advises, by failure: a private CA helps only with an unknown issuer. */
const ADVICE = {
  protocol: /TLS 1\.2 or later could not be negotiated/,
  unknownIssuer: /--ca <file\.pem>/,
  hostName: /certificate is for another host name/,
  expired: /certificate is expired/,
};

/**
 * A Tls error whose message says what happened and what to do (`advice`), caused by `reason`
 * (the code Node / OpenSSL gave), with no HTTP request on the server.
 */
async function expectTlsRefusal(server: TestServer, attempt: Promise<unknown>, reason: RegExp, advice: RegExp): Promise<void> {
  const error = await failure(attempt);
  expect(error.code, error.message).toBe(ErrorCode.Tls);
  expect(error.message).toMatch(/secure \(TLS\) connection/);
  expect(error.message).toMatch(advice);
  for (const other of Object.values(ADVICE)) if (other !== advice) expect(error.message).not.toMatch(other);
  expect(failureCode(error.cause)).toMatch(reason);
  expect(server.requests).toEqual([]);
}

describe.skipIf(openssl.skip)('TLS policy on every connection', () => {
  let certs: TestCertificates;
  const servers: TestServer[] = [];

  async function server(options: TlsServerOptions): Promise<TestServer> {
    const started = await startTlsServer(options);
    servers.push(started);
    return started;
  }

  beforeAll(async () => {
    openssl.assertAvailable();
    certs = await makeTestCertificates();
  });

  afterAll(async () => {
    await Promise.all(servers.map((started) => started.stop()));
  });

  describe('a server that only speaks TLS 1.0 / 1.1', () => {
    let legacy: TestServer;

    beforeAll(async () => {
      // OpenSSL 3 refuses TLS < 1.2 at its default security level (1), on a server too: level 0
      // lets it offer them. The clients keep their own settings.
      legacy = await server({ ...certs.server, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    });

    it('does negotiate TLS 1.1 with a legacy client, so the refusals below are about the version', async () => {
      const protocol = await legacyHandshake(legacy.port, certs.ca).catch((error: unknown) => {
        throw new Error(`the TLS 1.0/1.1 test server cannot offer TLS 1.1 on this machine: ${String(error)}`);
      });
      expect(protocol).toBe('TLSv1.1');
      expect(legacy.requests).toEqual([]);
    });

    it.each(clients)('$name refuses it with Tls, its CA given, before sending a request', async (client) => {
      const failuresBefore = legacy.handshakeFailures.length;
      await expectTlsRefusal(legacy, client.call(legacy.origin, certs.ca), /^(?:EPROTO|ERR_SSL_.*PROTOCOL.*)$/, ADVICE.protocol);
      // The server saw a client that offers nothing below TLS 1.2.
      expect(legacy.handshakeFailures.slice(failuresBefore).map((error) => error.message).join('\n')).toMatch(/unsupported protocol/);
    });
  });

  describe('a certificate from a CA the client was not given', () => {
    let privateServer: TestServer;

    beforeAll(async () => {
      privateServer = await server(certs.server);
    });

    it.each(clients)('$name refuses it with Tls when no CA is given', async (client) => {
      await expectTlsRefusal(privateServer, client.call(privateServer.origin, undefined), /^UNABLE_TO_VERIFY_LEAF_SIGNATURE$/, ADVICE.unknownIssuer);
    });

    it.each(clients)('$name refuses it with Tls when another CA is given: a CA trusts only what it signed', async (client) => {
      await expectTlsRefusal(privateServer, client.call(privateServer.origin, certs.otherCa), /^UNABLE_TO_VERIFY_LEAF_SIGNATURE$/, ADVICE.unknownIssuer);
    });

    it.each(clients)('$name trusts it once its CA is given', async (client) => {
      expect(await client.call(privateServer.origin, certs.ca)).toBe(client.ok);
      expect(privateServer.protocols.length).toBeGreaterThan(0);
      expect(privateServer.protocols.every((protocol) => protocol === 'TLSv1.2' || protocol === 'TLSv1.3')).toBe(true);
    });
  });

  describe('a self-signed certificate', () => {
    let selfSigned: TestServer;

    beforeAll(async () => {
      selfSigned = await server(certs.selfSigned);
    });

    it.each(clients)('$name refuses it with Tls when it is not given as the CA', async (client) => {
      await expectTlsRefusal(selfSigned, client.call(selfSigned.origin, undefined), /^DEPTH_ZERO_SELF_SIGNED_CERT$/, ADVICE.unknownIssuer);
    });

    it.each(clients)('$name trusts it given as the CA', async (client) => {
      expect(await client.call(selfSigned.origin, certs.selfSigned.cert)).toBe(client.ok);
    });
  });

  describe('the trust built from a CA', () => {
    it('is the system roots plus the CA, TLS 1.2+, built once per CA and shared', () => {
      const context = trustContext(certs.ca);
      expect(context).toBeDefined();
      expect(trustContext(certs.ca)).toBe(context);
      expect(tlsOptions(certs.ca)).toMatchObject({ minVersion: 'TLSv1.2', secureContext: context });
      expect(trustContext(certs.otherCa)).not.toBe(context);

      const builds = vi.mocked(createSecureContext).mock.calls.filter(([options]) => Array.isArray(options?.ca) && options.ca.includes(certs.ca));
      expect(builds).toHaveLength(1);
      expect(rootCertificates.length).toBeGreaterThan(50);
      expect(builds[0]![0]).toMatchObject({ ca: [...rootCertificates, certs.ca], minVersion: MIN_TLS_VERSION });
    });

    it('is Node\'s default (the system roots) when no CA is given, still TLS 1.2+', () => {
      expect(trustContext(undefined)).toBeUndefined();
      expect(tlsOptions(undefined)).toMatchObject({ minVersion: 'TLSv1.2' });
    });
  });

  describe('a certificate for another host name, its CA given', () => {
    let wrongHost: TestServer;

    beforeAll(async () => {
      wrongHost = await server(certs.wrongHost);
    });

    it.each(clients)('$name refuses it with Tls: a CA never switches off the host name check', async (client) => {
      await expectTlsRefusal(wrongHost, client.call(wrongHost.origin, certs.ca), /^ERR_TLS_CERT_ALTNAME_INVALID$/, ADVICE.hostName);
    });
  });

  describe('an expired certificate, its CA given', () => {
    let expired: TestServer;

    beforeAll(async () => {
      expired = await server(certs.expired);
    });

    it.each(clients)('$name refuses it with Tls', async (client) => {
      await expectTlsRefusal(expired, client.call(expired.origin, certs.ca), /^CERT_HAS_EXPIRED$/, ADVICE.expired);
    });
  });

  describe('TLS 1.2 and TLS 1.3 servers, their CA given', () => {
    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      describe(version, () => {
        let modern: TestServer;

        beforeAll(async () => {
          modern = await server({ ...certs.server, minVersion: version, maxVersion: version });
        });

        it.each(clients)(`$name works over ${version}`, async (client) => {
          expect(await client.call(modern.origin, certs.ca)).toBe(client.ok);
          expect(modern.protocols.length).toBeGreaterThan(0);
          expect(new Set(modern.protocols)).toEqual(new Set([version]));
        });
      });
    }
  });

  describe('plain http://', () => {
    const auth = { kind: 'basic', user: 'demo', password: 'demo-apps-password' } as const;
    let plain: TestServer;

    beforeAll(async () => {
      plain = await startPlainServer();
      servers.push(plain);
    });

    it('to a host that is not loopback is refused with Configuration before any connection', async () => {
      const store = thrown(() => new WebDavRemoteStore({ url: 'http://example.com/dav/', auth }));
      expect(store.code).toBe(ErrorCode.Configuration);
      expect(store.message).toMatch(/https:\/\//);

      const request = await failure(httpRequest('http://example.com/dav/', { timeoutMs: TIMEOUT_MS }));
      expect(request.code).toBe(ErrorCode.Configuration);
      expect(request.message).toMatch(/plain HTTP/);

      const api = thrown(() => apiFor('http://example.com/', undefined));
      expect(api.code).toBe(ErrorCode.Configuration);
      const quota = await failure(apiFor('https://example.com/', undefined).getQuota('http://example.com'));
      expect(quota.code).toBe(ErrorCode.Configuration);

      const discovery = await failure(resolveEndpoints({ issuer: 'http://example.com', clientId: 'terasync', scopes: [] }));
      expect(discovery.code).toBe(ErrorCode.Configuration);
    });

    it.each(clients)('$name refuses http:// to 0.0.0.0 with Configuration without connecting (Linux would route it to this machine)', async (client) => {
      const error = await failure(client.call(`http://0.0.0.0:${plain.port}`, undefined));
      expect(error.code, error.message).toBe(ErrorCode.Configuration);
      expect(plain.connections).toBe(0);
    });

    it.each(clients)('$name is allowed to a loopback test server', async (client) => {
      expect(await client.call(plain.origin, undefined)).toBe(client.ok);
    });
  });

  // Ways around the policy: each is a private certificate trusted without its CA file, checks
  // switched off, or plain HTTP off loopback, which the policy forbids.
  describe('no way around the policy', () => {
    // https.Agent pools sockets and caches TLS sessions under a key made of the TLS options,
    // and `secureContext` is not part of that key: a socket or session verified with one CA
    // must not serve a request made with none or with another.
    it.each(clients)('$name: a CA given to one request is not lent to the next request to the same server', async (client) => {
      const shared = await server(certs.server);
      expect(await client.call(shared.origin, certs.ca)).toBe(client.ok);
      const served = shared.requests.length;
      const withoutCa = await failure(client.call(shared.origin, undefined));
      expect(withoutCa.code, withoutCa.message).toBe(ErrorCode.Tls);
      const withOtherCa = await failure(client.call(shared.origin, certs.otherCa));
      expect(withOtherCa.code, withOtherCa.message).toBe(ErrorCode.Tls);
      expect(shared.requests.length).toBe(served);
    });

    // Node reads it on every connection that does not set rejectUnauthorized itself.
    it.each(clients)('$name keeps certificate checks on when NODE_TLS_REJECT_UNAUTHORIZED=0 is set', async (client) => {
      const selfSigned = await server(certs.selfSigned);
      vi.stubEnv('NODE_TLS_REJECT_UNAUTHORIZED', '0');
      try {
        await expectTlsRefusal(selfSigned, client.call(selfSigned.origin, undefined), /^DEPTH_ZERO_SELF_SIGNED_CERT$/, ADVICE.unknownIssuer);
      } finally {
        vi.unstubAllEnvs();
      }
    });

    it.each(clients)('$name does not follow a redirect to plain http:// off loopback', async (client) => {
      const observer = await startPlainServer();
      servers.push(observer);
      // 0.0.0.0 is not loopback for the policy, yet on Linux a connection to it reaches the
      // observer on 127.0.0.1: a request that goes there is seen.
      const redirecting = await server({ ...certs.server, redirectTo: `http://0.0.0.0:${observer.port}/dav/` });
      const outcome = await client.call(redirecting.origin, certs.ca).then(
        (value) => ({ followed: value }),
        (error: unknown) => ({ error }),
      );
      expect(observer.requests, `followed the redirect to plain HTTP: ${JSON.stringify(observer.requests)}`).toEqual([]);
      expect(observer.connections).toBe(0);
      expect(redirecting.requests.length).toBeGreaterThan(0);
      if ('error' in outcome) {
        expect(outcome.error).toBeInstanceOf(TeraSyncError);
        expect([ErrorCode.BadResponse, ErrorCode.Configuration]).toContain((outcome.error as TeraSyncError).code);
      } else {
        // httpRequest hands the 307 to its caller, which is not following it.
        expect(outcome.followed).toMatch(/^307 /);
      }
    });
  });
});
