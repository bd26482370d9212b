/**
 * A real OAuth 2.0 authorization server on loopback, for the emulator and the OAuth2 tests:
 * oidc-provider v9 with one public native client, the way TeraCLOUD's still unpublished
 * OAuth2 service is expected to look to a desktop app (RFC 8252).
 *
 * - Client `terasync-desktop`: `application_type: native`, `token_endpoint_auth_method: none`,
 *   redirect URI `http://127.0.0.1/callback`. oidc-provider (9.x, `Client#redirectUriAllowed`)
 *   accepts any port on a registered loopback `http:` redirect URI of a native client, as
 *   RFC 8252 §7.3 asks, so the app's `http://127.0.0.1:<random port>/callback` matches
 *   without registering ports.
 * - Authorization code + PKCE (S256 only; required for every request), refresh tokens with
 *   rotation: a refresh token works once, and presenting a used one again is answered
 *   `invalid_grant` and revokes the whole grant (oidc-provider's refresh token reuse
 *   detection, as the OAuth 2.0 Security BCP recommends), so the thief's and the victim's
 *   tokens die together.
 * - Revocation (RFC 7009) at `/token/revocation`; revoking a refresh token revokes its grant.
 * - Discovery at `/.well-known/openid-configuration`, and the same document at RFC 8414's
 *   `/.well-known/oauth-authorization-server`.
 * - Opaque access tokens kept in memory, so `verifyAccessToken` (what the emulated WebDAV
 *   server uses to check a bearer token) is a lookup that sees revocation at once.
 * - The login page is a plain HTML form (user ID + password) checked with `verifyUser`;
 *   consent is given automatically, as for a first-party app. "Cancel" answers the app
 *   with `access_denied`.
 *
 * Everything (signing key, cookie key, tokens, sessions) lives in memory and is generated at
 * start. oidc-provider prints notices when a default it wants replaced is used: every one
 * reached by this configuration is replaced, and its "unsupported runtime" warning (for a
 * Node it was not tested on; everything this server uses works on Node 22.12 and later) is
 * filtered out while the module loads.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AuthorizationServerOptions {
  /** Default: a free port. */
  port?: number;
  /** Default 'terasync-desktop'. */
  clientId?: string;
  /** Default 3600. */
  accessTokenTtlSeconds?: number;
  verifyUser(userId: string, password: string): boolean;
}

export interface RunningAuthorizationServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  issuer: string;
  clientId: string;
  scopes: string[];
  /** The user and scope of a valid (known, unexpired, unrevoked) access token, else null. */
  verifyAccessToken(token: string): Promise<{ userId: string; scope: string } | null>;
  close(): Promise<void>;
}

const DEFAULT_CLIENT_ID = 'terasync-desktop';
const SCOPES = ['openid', 'offline_access', 'dav'];
const REDIRECT_URI = 'http://127.0.0.1/callback';
const MAX_FORM_BYTES = 16 * 1024;

/* ---- The part of oidc-provider's API used here (the package ships no type declarations). ---- */

interface OidcAccessToken {
  accountId: string;
  clientId: string;
  scope?: string;
}

interface OidcGrant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(resource: string, scope: string): void;
  save(): Promise<string>;
}

interface OidcInteraction {
  uid: string;
  prompt: { name: string; details: Record<string, unknown> };
  params: Record<string, unknown>;
  session?: { accountId?: string };
  grantId?: string;
}

interface OidcProvider {
  proxy: boolean;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<OidcInteraction>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  Grant: {
    new (init: { accountId: string; clientId: string }): OidcGrant;
    find(id: string): Promise<OidcGrant | undefined>;
  };
  AccessToken: { find(token: string): Promise<OidcAccessToken | undefined> };
}

type ProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;

let providerModule: Promise<ProviderConstructor> | undefined;

function loadProvider(): Promise<ProviderConstructor> {
  providerModule ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return;
      warn(...args);
    };
    try {
      // @ts-expect-error -- oidc-provider ships no type declarations; the part used is typed above.
      const module = (await import('oidc-provider')) as { default: ProviderConstructor };
      return module.default;
    } finally {
      console.warn = warn;
    }
  })();
  return providerModule;
}

/* ---- Storage: oidc-provider's adapter interface over one Map. ---- */

interface StoredEntry {
  payload: Record<string, unknown>;
  /** ms epoch, or Infinity. */
  expiresAt: number;
}

/** Models whose records belong to a grant (and die with it on revocation). */
const GRANT_BOUND = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

function memoryAdapterFactory(): (model: string) => unknown {
  const entries = new Map<string, StoredEntry>();
  const grants = new Map<string, Set<string>>();
  const sessionsByUid = new Map<string, string>();

  const read = (key: string): Record<string, unknown> | undefined => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.payload;
  };

  return (model: string) => {
    const keyOf = (id: string): string => `${model}:${id}`;
    return {
      async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
        const key = keyOf(id);
        entries.set(key, { payload, expiresAt: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity });
        const grantId = payload['grantId'];
        if (GRANT_BOUND.has(model) && typeof grantId === 'string') {
          const members = grants.get(grantId) ?? new Set<string>();
          members.add(key);
          grants.set(grantId, members);
        }
        if (model === 'Session' && typeof payload['uid'] === 'string') sessionsByUid.set(payload['uid'], id);
      },
      async find(id: string): Promise<Record<string, unknown> | undefined> {
        return read(keyOf(id));
      },
      async findByUid(uid: string): Promise<Record<string, unknown> | undefined> {
        const id = sessionsByUid.get(uid);
        return id === undefined ? undefined : read(keyOf(id));
      },
      async findByUserCode(): Promise<undefined> {
        return undefined;
      },
      async consume(id: string): Promise<void> {
        const payload = read(keyOf(id));
        if (payload !== undefined) payload['consumed'] = Math.floor(Date.now() / 1000);
      },
      async destroy(id: string): Promise<void> {
        entries.delete(keyOf(id));
      },
      async revokeByGrantId(grantId: string): Promise<void> {
        for (const key of grants.get(grantId) ?? []) entries.delete(key);
        grants.delete(grantId);
      },
    };
  };
}

/* ---- HTML ---- */

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return (
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`
  );
}

function loginPage(uid: string, clientId: string, error: string | null, userId = ''): string {
  const action = `/interaction/${encodeURIComponent(uid)}`;
  return page(
    'Sign in to TeraCLOUD (emulator)',
    `<p>${escapeHtml(clientId)} asks to use your storage.</p>` +
      (error === null ? '' : `<p role="alert" class="error">${escapeHtml(error)}</p>`) +
      `<form method="post" action="${action}/login">` +
      `<label>User ID <input name="userId" autocomplete="username" value="${escapeHtml(userId)}"></label>` +
      '<label>Password <input name="password" type="password" autocomplete="current-password"></label>' +
      '<button type="submit">Sign in</button></form>' +
      `<form method="post" action="${action}/abort"><button type="submit">Cancel</button></form>`,
  );
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; form-action 'self'",
  });
  res.end(html);
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > MAX_FORM_BYTES) {
        reject(new Error('form too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

/* ---- The server ---- */

export async function startAuthorizationServer(options: AuthorizationServerOptions): Promise<RunningAuthorizationServer> {
  const Provider = await loadProvider();
  const clientId = options.clientId ?? DEFAULT_CLIENT_ID;
  const accessTokenTtl = options.accessTokenTtlSeconds ?? 3600;

  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    adapter: memoryAdapterFactory(),
    clients: [
      {
        client_id: clientId,
        client_name: 'TeraSync',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    // The app always sends redirect_uri; accepting its absence would hide a client bug.
    allowOmittingSingleRegisteredRedirectUri: false,
    clientBasedCORS: () => false,
    claims: { openid: ['sub'] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: false },
      // Plain scopes, no resource servers: access tokens stay opaque and carry `dav`.
      resourceIndicators: { enabled: false },
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx: unknown, client: { clientId: string }, token: { clientId: string }) => token.clientId === client.clientId,
      },
    },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    // A public client gets a refresh token whenever it may use the grant, with or without
    // offline_access: TeraSync is a generic OAuth2 client, not only an OpenID Connect one.
    issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    jwks: { keys: [{ ...signingKey, use: 'sig', alg: 'ES256', kid: randomBytes(8).toString('hex') }] },
    pkce: { required: () => true },
    renderError: (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', Object.entries(out).map(([key, value]) => `<p>${escapeHtml(key)}: ${escapeHtml(value)}</p>`).join(''));
    },
    responseTypes: ['code'],
    rotateRefreshToken: true,
    scopes: SCOPES,
    ttl: {
      AccessToken: accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 14 * 24 * 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 14 * 24 * 3600,
    },
  });
  provider.proxy = false;
  const handleProtocol = provider.callback();

  const handleInteraction = async (req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined): Promise<void> => {
    const interaction = await provider.interactionDetails(req, res);
    if (interaction.uid !== uid) {
      send(res, 400, page('Sign-in error', '<p>This sign-in page is out of date: start the sign-in again from TeraSync.</p>'));
      return;
    }
    if (req.method === 'GET' && action === undefined) {
      if (interaction.prompt.name === 'login') {
        send(res, 200, loginPage(uid, clientId, null));
        return;
      }
      // Consent for the first-party client: grant what was asked.
      const accountId = interaction.session?.accountId;
      if (interaction.prompt.name !== 'consent' || accountId === undefined) {
        send(res, 400, page('Sign-in error', `<p>Unexpected step ${escapeHtml(interaction.prompt.name)}.</p>`));
        return;
      }
      const grant =
        (interaction.grantId === undefined ? undefined : await provider.Grant.find(interaction.grantId)) ??
        new provider.Grant({ accountId, clientId: String(interaction.params['client_id']) });
      const details = interaction.prompt.details;
      const missingScope = details['missingOIDCScope'];
      const missingClaims = details['missingOIDCClaims'];
      const missingResourceScopes = details['missingResourceScopes'];
      if (Array.isArray(missingScope)) grant.addOIDCScope(missingScope.join(' '));
      if (Array.isArray(missingClaims)) grant.addOIDCClaims(missingClaims.map(String));
      if (missingResourceScopes !== null && typeof missingResourceScopes === 'object') {
        for (const [resource, scopes] of Object.entries(missingResourceScopes as Record<string, string[]>)) {
          grant.addResourceScope(resource, scopes.join(' '));
        }
      }
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }
    if (req.method === 'POST' && action === 'login') {
      const form = await readForm(req);
      const userId = form.get('userId') ?? '';
      const password = form.get('password') ?? '';
      if (userId === '' || !options.verifyUser(userId, password)) {
        send(res, 200, loginPage(uid, clientId, 'Wrong user ID or password.', userId));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: userId } }, { mergeWithLastSubmission: false });
      return;
    }
    if (req.method === 'POST' && action === 'abort') {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The user cancelled the sign-in.' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    send(res, 404, page('Not found', ''));
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const interaction = /^\/interaction\/([^/]+)(?:\/(login|abort))?$/.exec(path);
    if (interaction !== null) {
      handleInteraction(req, res, decodeURIComponent(interaction[1] ?? ''), interaction[2]).catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        // oidc-provider's own errors (SessionNotFound: no or an expired interaction cookie) carry a 4xx statusCode.
        const status = (error as { statusCode?: unknown }).statusCode;
        if (typeof status === 'number' && status >= 400 && status < 500) {
          send(res, 400, page('Sign-in error', '<p>This sign-in has expired or was not started here: start it again from TeraSync.</p>'));
        } else {
          send(res, 500, page('Sign-in error', `<p>The emulator's sign-in page failed: ${escapeHtml(error instanceof Error ? error.message : String(error))}</p>`));
        }
      });
      return;
    }
    // RFC 8414 metadata: the same document oidc-provider serves for OpenID Connect discovery.
    if (path === '/.well-known/oauth-authorization-server') req.url = '/.well-known/openid-configuration';
    handleProtocol(req, res);
  });

  return {
    issuer,
    clientId,
    scopes: [...SCOPES],
    async verifyAccessToken(token: string) {
      try {
        const found = await provider.AccessToken.find(token);
        if (found === undefined || found.clientId !== clientId) return null;
        return { userId: found.accountId, scope: found.scope ?? '' };
      } catch {
        return null;
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
