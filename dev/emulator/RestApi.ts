/**
 * The TeraCLOUD REST API as far as a sync client uses it (see docs/SERVICE.md, REST answers):
 *
 *   GET /v2/api/ba/user                user and node (BASIC + API key)
 *   GET /v2/api/ba/dataset/(capacity)  quota and usage (BASIC + API key)
 *   GET /v2/api/user                   user and node (OAuth2 bearer + API key)
 *
 * Every answer is JSON with `result` 0 on success and 1 with a `message` on failure. The API
 * key is checked first (403 when missing, malformed or unknown), then the credentials (401),
 * then whether the account's node is ready (202 for a new account). When the API server is
 * down every request answers 503, while WebDAV keeps working, as on the real service.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_KEY_PATTERN, apiKeyOf, basicCredentials, bearerToken, splitMatrix } from './credentials.js';
import type { EmulatorAccount } from './TeraCloudEmulator.js';

export type ResolvedAccount = Required<EmulatorAccount>;

export interface RestApiContext {
  apiKey: string;
  /** `${origin}/dav/`: what the user answer names as the WebDAV URL. */
  davUrl: string;
  apiDown(): boolean;
  /** The account whose user ID and Apps password these are, with BASIC switched on; else null. */
  basicAccount(userId: string, password: string): ResolvedAccount | null;
  /** The account an OAuth2 access token belongs to; null for a missing, invalid or expired token. */
  bearerAccount(token: string | null): Promise<ResolvedAccount | null>;
  /** Bytes used by the account, files and backup together. */
  usedBytes(account: ResolvedAccount): Promise<number>;
}

type Json = Record<string, unknown>;

function send(res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function failure(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  send(res, status, { result: 1, message }, headers);
}

/** The route: path segments after /v2/api/, matrix parameters dropped, percent-decoding undone. */
function routeOf(req: IncomingMessage): string | null {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const names: string[] = [];
  for (const segment of path.split('/').slice(3)) {
    if (segment === '') continue;
    try {
      names.push(decodeURIComponent(splitMatrix(segment).name));
    } catch {
      return null;
    }
  }
  return names.join('/');
}

function userAnswer(account: ResolvedAccount, davUrl: string): Json {
  return {
    result: 0,
    user: account.userId,
    node: account.node,
    webdav_url: davUrl,
    capacity: account.quotaBytes / 1024 ** 3,
    api_key: { status: 'valid' },
  };
}

/** Answers a request whose path starts with /v2/api/. */
export async function handleRestRequest(req: IncomingMessage, res: ServerResponse, context: RestApiContext): Promise<void> {
  req.resume();
  if (context.apiDown()) return failure(res, 503, 'The API server is temporarily unavailable.');
  const route = routeOf(req);
  const known = route === 'ba/user' || route === 'ba/dataset/(capacity)' || route === 'user';
  if (!known) return failure(res, 404, 'No such API.');
  if (req.method !== 'GET') return failure(res, 405, 'Method not allowed.', { Allow: 'GET' });

  const key = apiKeyOf(req);
  if (key.value === null) return failure(res, 403, 'An API key is required (X-TeraCLOUD-API-KEY header or ;api_key= parameter).');
  if (!API_KEY_PATTERN.test(key.value)) return failure(res, 403, 'The API key is malformed.');
  if (key.value !== context.apiKey) return failure(res, 403, 'The API key is not valid.');

  let account: ResolvedAccount | null;
  if (route === 'user') {
    account = await context.bearerAccount(bearerToken(req));
    if (account === null) return failure(res, 401, 'The access token is missing, invalid or expired.', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  } else {
    const credentials = basicCredentials(req);
    account = credentials === null ? null : context.basicAccount(credentials.userId, credentials.password);
    if (account === null) return failure(res, 401, 'Authentication failed.', { 'WWW-Authenticate': 'Basic realm="TeraCLOUD"' });
  }
  if (!account.nodeReady) return send(res, 202, { result: 0, message: 'node is being prepared' });

  if (route === 'ba/dataset/(capacity)') {
    const used = await context.usedBytes(account);
    return send(res, 200, { result: 0, dataset: { __ROOT__: { quota: account.quotaBytes, used } } });
  }
  return send(res, 200, userAnswer(account, context.davUrl));
}
