/**
 * A local TeraCLOUD / InfiniCLOUD on loopback, for tests and for developers (`npm run
 * emulator`). One HTTP server stands for both https://api.teracloud.jp and the user's node
 * https://<node>.teracloud.jp:
 *
 *   /dav/      WebDAV on the user's files, BASIC (user ID + Apps password)
 *   /v2/dav/   the same files, OAuth2 bearer token (verified by the authorization server)
 *   /backup/   WebDAV on the user's separate backup area, BASIC
 *   /v2/api/   the REST API (RestApi.ts)
 *
 * The WebDAV areas answer like the service's Apache httpd + mod_dav (ApacheDavArea.ts). The
 * OAuth2 authorization server (authorizationServer.ts, oidc-provider) runs on its own
 * loopback port; its sign-in takes the user ID and the account's current Apps password.
 *
 * Files live on disk under `<dataDir>/<userId>/files` and `<dataDir>/<userId>/backup`, so a
 * test can arrange and inspect them directly.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApacheDavArea, type DavMount } from './ApacheDavArea.js';
import { API_KEY_PATTERN, apiKeyOf, authorizationKind, basicCredentials, bearerToken } from './credentials.js';
import { diskUsage } from './diskUsage.js';
import { handleRestRequest, type ResolvedAccount } from './RestApi.js';

export interface EmulatorAccount {
  /** e.g. 'demo' */
  userId: string;
  /** The BASIC password for /dav/ and /backup/. */
  appsPassword: string;
  /** e.g. 'seto' */
  node: string;
  /** Default true; false = BASIC refused with 401 (accounts made after 2021-06 start like this). */
  appsConnection?: boolean;
  /** Default true; false = /v2/api/ba/user answers 202 (a new account). */
  nodeReady?: boolean;
  /** Default 20 GiB. */
  quotaBytes?: number;
}

export interface EmulatorOptions {
  /** Default 0: a free port. Always listens on 127.0.0.1. */
  port?: number;
  /**
   * Files live here (per account `<dataDir>/<userId>/files` and `/backup`). Default: a new
   * temporary folder, removed on close; a folder given here is kept.
   */
  dataDir?: string;
  /** The one application key accepted. Default '0123456789ABCDEF0123456789ABCDEF'. */
  apiKey?: string;
  /** Default one account: demo / demo-apps-password on node seto. */
  accounts?: EmulatorAccount[];
  /** Default true; false = /v2/dav/ answers 404 (to test a client's fallback to /dav/). */
  v2Dav?: boolean;
  /**
   * Default {}: start the OAuth2 authorization server. `port` fixes its loopback port
   * (default: a free one).
   */
  oauth?: false | { accessTokenTtlSeconds?: number; port?: number };
  /** Serve HTTPS with this PEM key and certificate instead of HTTP. */
  tls?: { key: string; cert: string };
  /**
   * The clock (ms since the epoch) behind Apache's weak ETags, which stay weak for one
   * second after a write. Default Date.now.
   */
  now?: () => number;
  /** Called once for every request when its answer has been sent. */
  onRequest?: (request: RecordedEmulatorRequest) => void;
}

export interface RecordedEmulatorRequest {
  method: string;
  /** The URL as sent, matrix parameters and query included (token-like query values blanked). */
  path: string;
  /** The status answered, once the answer is sent. */
  status?: number;
  authorization: 'basic' | 'bearer' | 'none';
  apiKey: 'header' | 'matrix' | 'none';
}

export interface RunningEmulator {
  /** http://127.0.0.1:PORT: stands for both https://api.teracloud.jp and https://<node>.teracloud.jp. */
  origin: string;
  /** `${origin}/`: GET {apiBaseUrl}v2/api/ba/user */
  apiBaseUrl: string;
  davUrl: string;
  v2DavUrl: string;
  backupUrl: string;
  apiKey: string;
  /** The accounts as they are now (defaults filled in; updateAccount changes them). */
  accounts: EmulatorAccount[];
  dataDir: string;
  /** The folder behind /dav/ and /v2/dav/ for that user (default: the first account). */
  filesDir(userId?: string): string;
  /** The folder behind /backup/. */
  backupDir(userId?: string): string;
  oauth: null | { issuer: string; clientId: string; scopes: string[] };
  requests: RecordedEmulatorRequest[];
  /** true: every /v2/api/* request answers 503; WebDAV keeps working. */
  setApiDown(down: boolean): void;
  /** e.g. switch appsConnection off, reissue the Apps password. The user ID cannot change. */
  updateAccount(userId: string, patch: Partial<EmulatorAccount>): void;
  close(): Promise<void>;
}

export const DEFAULT_API_KEY = '0123456789ABCDEF0123456789ABCDEF';
export const DEFAULT_ACCOUNT: EmulatorAccount = { userId: 'demo', appsPassword: 'demo-apps-password', node: 'seto' };
const DEFAULT_QUOTA_BYTES = 20 * 1024 ** 3;
const BASIC_CHALLENGE = 'Basic realm="TeraCLOUD"';
const BEARER_CHALLENGE = 'Bearer error="invalid_token"';

/** The shape of authorizationServer.ts, which another part of the emulator provides. */
interface AuthorizationServer {
  issuer: string;
  clientId: string;
  scopes: string[];
  verifyAccessToken(token: string): Promise<{ userId: string; scope: string } | null>;
  close(): Promise<void>;
}

function resolveAccount(account: EmulatorAccount): ResolvedAccount {
  return { appsConnection: true, nodeReady: true, quotaBytes: DEFAULT_QUOTA_BYTES, ...withoutUndefined(account) };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}

function checkAccounts(accounts: readonly ResolvedAccount[]): void {
  if (accounts.length === 0) throw new Error('The emulator needs at least one account.');
  const seen = new Set<string>();
  for (const account of accounts) {
    // The user ID names a folder under dataDir (beside .uploads) and goes into BASIC before the colon.
    if (!/^[A-Za-z0-9][A-Za-z0-9._@-]*$/.test(account.userId)) {
      throw new Error(`Emulator account user ID ${JSON.stringify(account.userId)}: use letters, digits and . _ @ - only, starting with a letter or digit.`);
    }
    if (seen.has(account.userId)) throw new Error(`Emulator account ${account.userId} is listed twice.`);
    seen.add(account.userId);
  }
}

/** Query values that could be secrets never reach the request log. */
function redact(url: string): string {
  return url.replace(/([?&;](?:access_token|token|password|code)=)[^&;]*/gi, '$1[redacted]');
}

function sendHtml(res: ServerResponse, status: number, title: string, message: string, headers: Record<string, string> = {}): void {
  const body = `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>${status} ${title}</title>\n</head><body>\n<h1>${title}</h1>\n<p>${message}</p>\n</body></html>\n`;
  res.writeHead(status, { ...headers, 'Content-Type': 'text/html; charset=iso-8859-1', 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function under(pathname: string, prefix: string): boolean {
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolvePort((server.address() as AddressInfo).port);
    });
  });
}

async function startAuthorization(
  options: { accessTokenTtlSeconds?: number; port?: number },
  verifyUser: (userId: string, password: string) => boolean,
): Promise<AuthorizationServer> {
  const { startAuthorizationServer } = await import('./authorizationServer.js');
  return startAuthorizationServer({
    verifyUser,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.accessTokenTtlSeconds === undefined ? {} : { accessTokenTtlSeconds: options.accessTokenTtlSeconds }),
  });
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  if (!API_KEY_PATTERN.test(apiKey)) throw new Error('The emulator API key must be 32 upper-case hex digits, like the service issues.');
  const accounts = (options.accounts ?? [DEFAULT_ACCOUNT]).map(resolveAccount);
  checkAccounts(accounts);
  const now = options.now ?? Date.now;
  const v2Dav = options.v2Dav ?? true;
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir === undefined ? await mkdtemp(join(tmpdir(), 'terasync-emulator-')) : resolve(options.dataDir);
  // Uploads in progress: on the same file system as the areas (so they can be renamed into
  // place) and outside them (so listings never show them). Left-overs of a crash go.
  const uploadDir = join(dataDir, '.uploads');
  await rm(uploadDir, { recursive: true, force: true });
  await mkdir(uploadDir, { recursive: true });

  const account = (userId: string | undefined): ResolvedAccount => {
    const found = userId === undefined ? accounts[0] : accounts.find((candidate) => candidate.userId === userId);
    if (found === undefined) throw new Error(`The emulator has no account ${userId}.`);
    return found;
  };
  const filesDir = (userId?: string): string => join(dataDir, account(userId).userId, 'files');
  const backupDir = (userId?: string): string => join(dataDir, account(userId).userId, 'backup');
  for (const item of accounts) {
    await mkdir(filesDir(item.userId), { recursive: true });
    await mkdir(backupDir(item.userId), { recursive: true });
  }

  const areas = new Map<string, ApacheDavArea>();
  const area = (userId: string, kind: 'files' | 'backup'): ApacheDavArea => {
    const key = `${kind}:${userId}`;
    let found = areas.get(key);
    if (found === undefined) {
      found = new ApacheDavArea({ root: kind === 'files' ? filesDir(userId) : backupDir(userId), uploadDir, userId, now });
      areas.set(key, found);
    }
    return found;
  };

  const basicAccount = (userId: string, password: string): ResolvedAccount | null => {
    const found = accounts.find((candidate) => candidate.userId === userId);
    return found !== undefined && found.appsConnection && found.appsPassword === password ? found : null;
  };
  let authorizationServer: AuthorizationServer | null = null;
  const bearerAccount = async (token: string | null): Promise<ResolvedAccount | null> => {
    if (token === null || authorizationServer === null) return null;
    const verified = await authorizationServer.verifyAccessToken(token);
    return verified === null ? null : (accounts.find((candidate) => candidate.userId === verified.userId) ?? null);
  };

  let apiDown = false;
  const requests: RecordedEmulatorRequest[] = [];
  const scheme = options.tls === undefined ? 'http' : 'https';
  let origin = '';

  const mounts: Record<'dav' | 'v2Dav' | 'backup', DavMount> = {
    dav: { prefix: '/dav', aliases: ['/v2/dav'] },
    v2Dav: { prefix: '/v2/dav', aliases: ['/dav'] },
    backup: { prefix: '/backup', aliases: [] },
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    // Location headers name the host the client asked for, as Apache does.
    const requestOrigin = req.headers.host === undefined ? origin : `${scheme}://${req.headers.host}`;
    if (under(pathname, '/v2/api')) {
      return handleRestRequest(req, res, {
        apiKey,
        davUrl: `${origin}/dav/`,
        apiDown: () => apiDown,
        basicAccount,
        bearerAccount,
        usedBytes: (item) => diskUsage([filesDir(item.userId), backupDir(item.userId)]),
      });
    }
    if (under(pathname, '/v2/dav')) {
      if (!v2Dav) {
        req.resume();
        return sendHtml(res, 404, 'Not Found', 'The requested URL was not found on this server.');
      }
      const found = await bearerAccount(bearerToken(req));
      if (found === null) {
        req.resume();
        return sendHtml(res, 401, 'Unauthorized', 'The access token is missing, invalid or expired.', { 'WWW-Authenticate': BEARER_CHALLENGE });
      }
      return area(found.userId, 'files').handle(req, res, mounts.v2Dav, requestOrigin);
    }
    const kind = under(pathname, '/dav') ? 'files' : under(pathname, '/backup') ? 'backup' : null;
    if (kind === null) {
      req.resume();
      return sendHtml(res, 404, 'Not Found', 'The requested URL was not found on this server.');
    }
    const credentials = basicCredentials(req);
    const found = credentials === null ? null : basicAccount(credentials.userId, credentials.password);
    if (found === null) {
      req.resume();
      return sendHtml(res, 401, 'Unauthorized', 'This server could not verify that you are authorized to access the document requested.', {
        'WWW-Authenticate': BASIC_CHALLENGE,
      });
    }
    return area(found.userId, kind).handle(req, res, kind === 'files' ? mounts.dav : mounts.backup, requestOrigin);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const record: RecordedEmulatorRequest = {
      method: req.method ?? '',
      path: redact(req.url ?? ''),
      authorization: authorizationKind(req),
      apiKey: apiKeyOf(req).source,
    };
    requests.push(record);
    // The status is recorded as the head goes out, so a client that has read the answer
    // always finds it here ('finish' can come after the client's read).
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      const result = writeHead(...args);
      record.status = res.statusCode;
      return result;
    }) as ServerResponse['writeHead'];
    res.on('finish', () => {
      record.status = res.statusCode;
      options.onRequest?.(record);
    });
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendHtml(res, 500, 'Internal Server Error', 'The emulator failed on this request.');
      else res.destroy(error instanceof Error ? error : undefined);
    });
  };

  const server: Server = options.tls === undefined ? createHttpServer(onRequest) : createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest);
  let port: number;
  try {
    port = await listen(server, options.port ?? 0);
  } catch (error) {
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  origin = `${scheme}://127.0.0.1:${port}`;

  const closeServer = (): Promise<void> =>
    new Promise((resolveClose) => {
      server.close(() => resolveClose());
      server.closeAllConnections();
    });

  if (options.oauth !== false) {
    try {
      authorizationServer = await startAuthorization(options.oauth ?? {}, (userId, password) => {
        // The OAuth2 sign-in works whether or not Apps connection (BASIC) is on.
        const found = accounts.find((candidate) => candidate.userId === userId);
        return found !== undefined && found.appsPassword === password;
      });
    } catch (error) {
      await closeServer();
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  let closing: Promise<void> | null = null;
  return {
    origin,
    apiBaseUrl: `${origin}/`,
    davUrl: `${origin}/dav/`,
    v2DavUrl: `${origin}/v2/dav/`,
    backupUrl: `${origin}/backup/`,
    apiKey,
    accounts,
    dataDir,
    filesDir,
    backupDir,
    oauth:
      authorizationServer === null
        ? null
        : { issuer: authorizationServer.issuer, clientId: authorizationServer.clientId, scopes: [...authorizationServer.scopes] },
    requests,
    setApiDown(down: boolean): void {
      apiDown = down;
    },
    updateAccount(userId: string, patch: Partial<EmulatorAccount>): void {
      const found = account(userId);
      if (patch.userId !== undefined && patch.userId !== userId) throw new Error('updateAccount cannot change a user ID.');
      Object.assign(found, withoutUndefined(patch));
    },
    close(): Promise<void> {
      closing ??= (async () => {
        await closeServer();
        await authorizationServer?.close();
        if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
