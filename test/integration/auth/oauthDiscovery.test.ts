/**
 * Finding the endpoints: RFC 8414 and OpenID Connect discovery against the real
 * authorization server, and against small metadata servers that serve one document at one
 * path (to see which path the client asked, and what it does with a wrong document).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import { startAuthorizationServer, type RunningAuthorizationServer } from '../../../dev/emulator/authorizationServer.js';
import { resolveEndpoints, type OAuthConfig } from '../../../electron/auth/oauth/OAuthConfig.js';
import { signInWithBrowser } from '../../../electron/auth/oauth/signInWithBrowser.js';
import { httpRequest } from '../../../electron/net/httpRequest.js';
import { failure } from '../../support/failure.js';

let server: RunningAuthorizationServer;

beforeAll(async () => {
  server = await startAuthorizationServer({ verifyUser: () => false });
});

afterAll(async () => {
  await server.close();
});

interface MetadataServer {
  origin: string;
  /** Paths asked for, in order. */
  requests: string[];
}

const running: Server[] = [];

afterEach(async () => {
  await Promise.all(
    running.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        }),
    ),
  );
});

/** Serves `documents(origin)[path]` as JSON, 404 for every other path. */
async function startMetadataServer(documents: (origin: string) => Record<string, unknown>): Promise<MetadataServer> {
  const requests: string[] = [];
  let origin = '';
  const http = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const document = documents(origin)[path];
    if (document === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(document));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  running.push(http);
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { origin, requests };
}

function metadata(issuer: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    revocation_endpoint: `${issuer}/revoke`,
    code_challenge_methods_supported: ['S256'],
    ...extra,
  };
}

function config(extra: Partial<OAuthConfig>): OAuthConfig {
  return { clientId: 'terasync-desktop', scopes: ['dav'], ...extra };
}

describe('the authorization server publishes its metadata', () => {
  it('serves the same document at both well-known paths, naming itself, S256, revocation and iss', async () => {
    const oauth = await httpRequest(`${server.issuer}/.well-known/oauth-authorization-server`);
    const openid = await httpRequest(`${server.issuer}/.well-known/openid-configuration`);
    expect(oauth.status).toBe(200);
    expect(openid.status).toBe(200);
    const document = JSON.parse(oauth.body) as Record<string, unknown>;
    expect(JSON.parse(openid.body)).toEqual(document);
    expect(document).toMatchObject({
      issuer: server.issuer,
      authorization_endpoint: `${server.issuer}/auth`,
      token_endpoint: `${server.issuer}/token`,
      revocation_endpoint: `${server.issuer}/token/revocation`,
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(document['grant_types_supported']).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']));
  });

  it('is found by resolveEndpoints from the issuer alone', async () => {
    await expect(resolveEndpoints(config({ issuer: server.issuer }))).resolves.toEqual({
      issuer: server.issuer,
      authorizationEndpoint: `${server.issuer}/auth`,
      tokenEndpoint: `${server.issuer}/token`,
      revocationEndpoint: `${server.issuer}/token/revocation`,
      issuerInAuthorizationResponse: true,
    });
  });
});

describe('resolveEndpoints', () => {
  it('asks RFC 8414 first and stops there when it answers', async () => {
    const meta = await startMetadataServer((origin) => ({ '/.well-known/oauth-authorization-server': metadata(origin) }));
    const endpoints = await resolveEndpoints(config({ issuer: meta.origin }));
    expect(endpoints.tokenEndpoint).toBe(`${meta.origin}/token`);
    expect(endpoints.revocationEndpoint).toBe(`${meta.origin}/revoke`);
    expect(meta.requests).toEqual(['/.well-known/oauth-authorization-server']);
  });

  it('falls back to OpenID Connect discovery', async () => {
    const meta = await startMetadataServer((origin) => ({ '/.well-known/openid-configuration': metadata(origin) }));
    const endpoints = await resolveEndpoints(config({ issuer: meta.origin }));
    expect(endpoints.authorizationEndpoint).toBe(`${meta.origin}/authorize`);
    expect(meta.requests).toEqual(['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']);
  });

  it('puts an issuer path after the well-known segment for RFC 8414 and after the issuer for OIDC', async () => {
    const meta = await startMetadataServer((origin) => ({ '/tenant/.well-known/openid-configuration': metadata(`${origin}/tenant`) }));
    const endpoints = await resolveEndpoints(config({ issuer: `${meta.origin}/tenant` }));
    expect(endpoints.issuer).toBe(`${meta.origin}/tenant`);
    expect(meta.requests).toEqual([
      '/.well-known/oauth-authorization-server/tenant',
      '/tenant/.well-known/oauth-authorization-server',
      '/tenant/.well-known/openid-configuration',
    ]);
  });

  it('refuses metadata that names another issuer, and the sign-in never opens the browser', async () => {
    const meta = await startMetadataServer(() => ({ '/.well-known/oauth-authorization-server': metadata(server.issuer) }));
    const error = await failure(resolveEndpoints(config({ issuer: meta.origin })));
    expect(error.code).toBe(ErrorCode.Configuration);
    expect(error.message).toContain(`"${server.issuer}"`);
    expect(error.message).toContain('Check the issuer setting');

    let opened = false;
    const signIn = signInWithBrowser({
      config: config({ issuer: meta.origin }),
      openBrowser: async () => {
        opened = true;
      },
    });
    expect((await failure(signIn)).code).toBe(ErrorCode.Configuration);
    expect(opened).toBe(false);
  });

  it('refuses a trailing-slash variant of the issuer (the match is exact, RFC 8414 §3.3)', async () => {
    const meta = await startMetadataServer((origin) => ({ '/.well-known/oauth-authorization-server': metadata(`${origin}/`) }));
    expect((await failure(resolveEndpoints(config({ issuer: meta.origin })))).code).toBe(ErrorCode.Configuration);
  });

  it('refuses a server that does not do PKCE S256', async () => {
    const meta = await startMetadataServer((origin) => ({
      '/.well-known/oauth-authorization-server': metadata(origin, { code_challenge_methods_supported: ['plain'] }),
    }));
    const error = await failure(resolveEndpoints(config({ issuer: meta.origin })));
    expect(error.code).toBe(ErrorCode.Configuration);
    expect(error.message).toContain('S256');
  });

  it('lets explicit endpoints win, and does not ask for metadata when it has them all', async () => {
    const meta = await startMetadataServer((origin) => ({ '/.well-known/oauth-authorization-server': metadata(origin) }));
    const explicit = {
      authorizationEndpoint: 'https://login.example/authorize',
      tokenEndpoint: 'https://login.example/token',
      revocationEndpoint: 'https://login.example/revoke',
    };
    const endpoints = await resolveEndpoints(config({ issuer: meta.origin, ...explicit }));
    expect(endpoints).toMatchObject(explicit);
    expect(meta.requests).toEqual([]);

    const mixed = await resolveEndpoints(config({ issuer: meta.origin, tokenEndpoint: 'https://login.example/token' }));
    expect(mixed).toMatchObject({ authorizationEndpoint: `${meta.origin}/authorize`, tokenEndpoint: 'https://login.example/token', revocationEndpoint: `${meta.origin}/revoke` });
  });

  it('works from explicit endpoints without an issuer; revocation is then optional', async () => {
    const endpoints = await resolveEndpoints(config({ authorizationEndpoint: 'https://login.example/authorize', tokenEndpoint: 'https://login.example/token' }));
    expect(endpoints).toEqual({
      issuer: null,
      authorizationEndpoint: 'https://login.example/authorize',
      tokenEndpoint: 'https://login.example/token',
      revocationEndpoint: null,
      issuerInAuthorizationResponse: false,
    });
  });

  it('says which setting to add when an endpoint is missing', async () => {
    const noIssuer = await failure(resolveEndpoints(config({ authorizationEndpoint: 'https://login.example/authorize' })));
    expect(noIssuer.code).toBe(ErrorCode.Configuration);
    expect(noIssuer.message).toContain('"tokenEndpoint"');

    const meta = await startMetadataServer((origin) => ({
      '/.well-known/oauth-authorization-server': { issuer: origin, authorization_endpoint: `${origin}/authorize` },
    }));
    const unpublished = await failure(resolveEndpoints(config({ issuer: meta.origin })));
    expect(unpublished.code).toBe(ErrorCode.Configuration);
    expect(unpublished.message).toContain('does not publish its token endpoint');
    expect(unpublished.message).toContain('"tokenEndpoint"');
  });

  it('says what it tried when there is no metadata at all', async () => {
    const meta = await startMetadataServer(() => ({}));
    const error = await failure(resolveEndpoints(config({ issuer: meta.origin })));
    expect(error.code).toBe(ErrorCode.Configuration);
    expect(error.message).toContain(`${meta.origin}/.well-known/oauth-authorization-server (404)`);
    expect(error.message).toContain(`${meta.origin}/.well-known/openid-configuration (404)`);
    expect(error.message).toContain('"authorizationEndpoint" and "tokenEndpoint"');
  });

  it('refuses plain HTTP anywhere but loopback, for the issuer and for discovered endpoints', async () => {
    const issuer = await failure(resolveEndpoints(config({ issuer: 'http://auth.example' })));
    expect(issuer.code).toBe(ErrorCode.Configuration);
    expect(issuer.message).toContain('plain HTTP');

    const meta = await startMetadataServer((origin) => ({
      '/.well-known/oauth-authorization-server': metadata(origin, { token_endpoint: 'http://tokens.example/token' }),
    }));
    const discovered = await failure(resolveEndpoints(config({ issuer: meta.origin })));
    expect(discovered.code).toBe(ErrorCode.Configuration);
    expect(discovered.message).toContain('token endpoint');
  });

  it('refuses an empty client ID', async () => {
    expect((await failure(resolveEndpoints(config({ clientId: ' ', issuer: server.issuer })))).message).toContain('"clientId"');
  });
});
