/**
 * The TeraCLOUD REST API, the two calls a sync client needs: who the user is and which node
 * holds their files (`/v2/api/ba/user` with BASIC, `/v2/api/user` with an OAuth2 token, on
 * the API server), and how full the storage is (`/v2/api/ba/dataset/(capacity)` on the node).
 * See docs/SERVICE.md, Credentials and REST answers.
 *
 * Every request carries the application's API key (header or matrix parameter, apiKey.ts);
 * BASIC is preemptive. Answers are checked strictly (`result` 0, every field of the right
 * type): a half-understood answer is a BadResponse, never a guess. Failures become coded
 * errors whose message says what to do; node discovery is a convenience, so the API server's
 * failures point to the manual way (node name or WebDAV URL from MyPage). Messages never hold
 * the password, the token or the key, nor the server's answer body.
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { systemClock, type WallClock } from '../core/time.js';
import { httpRequest, parseJsonBody, type HttpRequestOptions, type HttpTextResponse } from '../net/httpRequest.js';
import { insecureUrlReason } from '../net/tls.js';
import { BASIC_UNAUTHORIZED_HINT, BEARER_UNAUTHORIZED_HINT } from '../net/httpErrors.js';
import { parseRetryAfter } from '../net/retry.js';
import { parseApiKey, withApiKey, type ApiKeyPlacement } from './apiKey.js';

export const DEFAULT_API_BASE_URL = 'https://api.teracloud.jp/';
/** httpRequest's default, for messages. */
const DEFAULT_TIMEOUT_MS = 30_000;

export type TeraCloudCredentials = { userId: string; password: string } | { bearer: () => Promise<string> };

export interface TeraCloudApiOptions {
  /** Default https://api.teracloud.jp/ (the emulator passes its own). */
  apiBaseUrl?: string;
  /** Validated with parseApiKey at construction. */
  apiKey: string;
  /** Default 'header'. */
  apiKeyPlacement?: ApiKeyPlacement;
  /** BASIC (user ID + Apps password) for the /ba/ calls; an OAuth2 bearer token for /v2/api/user. */
  credentials: TeraCloudCredentials;
  /** PEM of a private CA, trusted in addition to the system roots. */
  ca?: string;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
}

export interface TeraCloudApiDeps {
  request: (url: URL, options: HttpRequestOptions) => Promise<HttpTextResponse>;
  /** For Retry-After dates. */
  clock: WallClock;
}

export const defaultTeraCloudApiDeps: TeraCloudApiDeps = { request: httpRequest, clock: systemClock };

export interface TeraCloudUser {
  userId: string;
  node: string;
  /** As the API sent it; check it with nodeFromWebDavUrl before use. */
  webdavUrl: string;
  /** Plan size in GB, null when the answer has none. */
  capacityGb: number | null;
}

export interface TeraCloudQuota {
  quotaBytes: number;
  usedBytes: number;
}

/** What discoverAccount needs: anything that can answer getUser. */
export interface TeraCloudUserSource {
  getUser(signal?: AbortSignal): Promise<TeraCloudUser>;
}

const MANUAL_HINT = 'You can enter your node name or WebDAV URL from MyPage instead.';
const NODE_NOT_READY =
  'Your storage node is still being prepared (202). Try again in a few minutes, or enter your node name or WebDAV URL from MyPage.';

/** Who is asking, for messages: the API server (node discovery) or the node (quota). */
interface Endpoint {
  /** "the TeraCLOUD API", "your storage node seto.teracloud.jp". */
  what: string;
  /** What the user can do when this endpoint fails. */
  fallback: string;
  authKind: 'basic' | 'bearer';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * `text` as a URL without a user name or password in it, and safe to send credentials to
 * (insecureUrlReason); `what` names it in the messages ("The API address").
 */
function credentialSafeUrl(text: string, what: string, example: string): URL {
  const url = URL.parse(text);
  if (url === null) throw new TeraSyncError(ErrorCode.Configuration, `${what} is not a web address (expected e.g. ${example}).`);
  if (url.username !== '' || url.password !== '') throw new TeraSyncError(ErrorCode.Configuration, `${what} must not contain a user name or password.`);
  const insecure = insecureUrlReason(url);
  if (insecure !== null) throw new TeraSyncError(ErrorCode.Configuration, insecure);
  return url;
}

function validatedBaseUrl(text: string): URL {
  const url = credentialSafeUrl(text, 'The API address', DEFAULT_API_BASE_URL);
  if (url.search !== '' || url.hash !== '') {
    throw new TeraSyncError(ErrorCode.Configuration, `The API address ${url.origin}${url.pathname} must not have a query or fragment.`);
  }
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return url;
}

function validatedNodeOrigin(text: string): URL {
  const url = credentialSafeUrl(text, 'The node address', 'https://seto.teracloud.jp');
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new TeraSyncError(ErrorCode.Configuration, `The node address must be an origin such as https://seto.teracloud.jp, not ${url.origin}${url.pathname}.`);
  }
  return url;
}

function basicAuthorization(userId: string, password: string): string {
  return `Basic ${Buffer.from(`${userId}:${password}`, 'utf8').toString('base64')}`;
}

export class TeraCloudApi implements TeraCloudUserSource {
  private readonly apiBase: URL;
  private readonly apiKey: string;
  private readonly placement: ApiKeyPlacement;
  private readonly credentials: TeraCloudCredentials;

  constructor(
    private readonly options: TeraCloudApiOptions,
    private readonly deps: TeraCloudApiDeps = defaultTeraCloudApiDeps,
  ) {
    this.apiKey = parseApiKey(options.apiKey);
    this.apiBase = validatedBaseUrl(options.apiBaseUrl ?? DEFAULT_API_BASE_URL);
    this.placement = options.apiKeyPlacement ?? 'header';
    if (this.placement !== 'header' && this.placement !== 'matrix') {
      throw new TeraSyncError(ErrorCode.Configuration, `The API key placement must be "header" or "matrix", not "${String(this.placement)}".`);
    }
    const credentials = options.credentials;
    if ('userId' in credentials) {
      // RFC 7617: the user-id of BASIC cannot contain a colon.
      if (credentials.userId === '' || credentials.userId.includes(':') || /\p{Cc}/u.test(credentials.userId)) {
        throw new TeraSyncError(ErrorCode.Configuration, 'The user ID is empty or contains a colon or control character.');
      }
      if (credentials.password === '') throw new TeraSyncError(ErrorCode.Configuration, 'The Apps password is empty.');
    }
    this.credentials = credentials;
  }

  /**
   * The signed-in user and their node: GET {apiBase}v2/api/ba/user with BASIC, or
   * {apiBase}v2/api/user with a bearer token.
   */
  async getUser(signal?: AbortSignal): Promise<TeraCloudUser> {
    const basic = 'userId' in this.credentials;
    const url = new URL(basic ? 'v2/api/ba/user' : 'v2/api/user', this.apiBase);
    const endpoint: Endpoint = { what: 'the TeraCLOUD API', fallback: MANUAL_HINT, authKind: basic ? 'basic' : 'bearer' };
    const body = await this.get(url, endpoint, await this.authorization(), signal);
    return parseUser(body, endpoint);
  }

  /** Quota and usage of the whole account: GET {nodeOrigin}/v2/api/ba/dataset/(capacity), BASIC. */
  async getQuota(nodeOrigin: string, signal?: AbortSignal): Promise<TeraCloudQuota> {
    if (!('userId' in this.credentials)) {
      throw new TeraSyncError(ErrorCode.Configuration, 'The quota can only be asked with the user ID and Apps password (BASIC), not with a sign-in token.');
    }
    const origin = validatedNodeOrigin(nodeOrigin);
    const url = new URL('/v2/api/ba/dataset/(capacity)', origin);
    const endpoint: Endpoint = { what: `your storage node ${origin.host}`, fallback: 'Try again later.', authKind: 'basic' };
    const body = await this.get(url, endpoint, await this.authorization(), signal);
    return parseQuota(body, endpoint);
  }

  private async authorization(): Promise<string> {
    const credentials = this.credentials;
    if ('userId' in credentials) return basicAuthorization(credentials.userId, credentials.password);
    let token: string;
    try {
      token = await credentials.bearer();
    } catch (error) {
      if (error instanceof TeraSyncError) throw error;
      throw new TeraSyncError(ErrorCode.Unauthorized, `Could not get a sign-in token. ${BEARER_UNAUTHORIZED_HINT}`, { cause: error });
    }
    if (typeof token !== 'string' || token === '' || /[\s\p{Cc}]/u.test(token)) {
      throw new TeraSyncError(ErrorCode.Unauthorized, `The sign-in token is empty or malformed. ${BEARER_UNAUTHORIZED_HINT}`);
    }
    return `Bearer ${token}`;
  }

  /** GET with the key and Authorization; the parsed JSON of a 200, or a coded error. */
  private async get(target: URL, endpoint: Endpoint, authorization: string, signal: AbortSignal | undefined): Promise<unknown> {
    const { url, headers } = withApiKey(target, this.apiKey, this.placement);
    let response: HttpTextResponse;
    try {
      response = await this.deps.request(url, {
        method: 'GET',
        headers: { ...headers, Authorization: authorization, Accept: 'application/json' },
        ca: this.options.ca,
        timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        signal,
        what: endpoint.what,
      });
    } catch (error) {
      throw transportError(error, endpoint, this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    }
    if (response.status !== 200) throw this.statusError(response, endpoint);
    try {
      return parseJsonBody(response, capitalized(endpoint.what));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new TeraSyncError(ErrorCode.BadResponse, `${message} ${endpoint.fallback}`, { cause: error, status: response.status });
    }
  }

  private statusError(response: HttpTextResponse, endpoint: Endpoint): TeraSyncError {
    const status = response.status;
    const header = response.headers['retry-after'];
    const retryAfterSeconds = parseRetryAfter(Array.isArray(header) ? header[0] : header, this.deps.clock.now());
    const options = { status, retryAfterSeconds };
    const who = capitalized(endpoint.what);
    switch (status) {
      case 202:
        return new TeraSyncError(ErrorCode.Server, NODE_NOT_READY, options);
      case 401:
        return endpoint.authKind === 'basic'
          ? new TeraSyncError(ErrorCode.Unauthorized, `${who} refused the user ID or Apps password (401). ${BASIC_UNAUTHORIZED_HINT}`, options)
          : new TeraSyncError(ErrorCode.Unauthorized, `${who} refused the sign-in token (401). ${BEARER_UNAUTHORIZED_HINT}`, options);
      case 403:
        return new TeraSyncError(
          ErrorCode.Forbidden,
          `${who} refused the application's API key (403): check the API key setting or update TeraSync. ${endpoint.fallback}`,
          options,
        );
      case 404:
        return new TeraSyncError(ErrorCode.NotFound, `${who} does not know this request (404). ${endpoint.fallback}`, options);
      case 429:
        return new TeraSyncError(ErrorCode.RateLimited, `${who} asked to slow down (429). ${endpoint.fallback}`, options);
      default:
        break;
    }
    if (status >= 500) {
      return new TeraSyncError(ErrorCode.Server, `${who} is unavailable (${status}). ${endpoint.fallback}`, options);
    }
    return new TeraSyncError(ErrorCode.BadResponse, `${who} gave an unexpected answer (${status}). ${endpoint.fallback}`, options);
  }
}

/** Network and timeout failures point to the fallback; the rest (Tls, Cancelled, ...) pass as they are. */
function transportError(error: unknown, endpoint: Endpoint, timeoutMs: number): TeraSyncError {
  if (error instanceof TeraSyncError) {
    if (error.code === ErrorCode.Network) {
      return new TeraSyncError(ErrorCode.Network, `${error.message} ${endpoint.fallback}`, { cause: error });
    }
    if (error.code === ErrorCode.Timeout) {
      const limit = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`;
      return new TeraSyncError(ErrorCode.Timeout, `${capitalized(endpoint.what)} did not answer within ${limit}. ${endpoint.fallback}`, { cause: error });
    }
    return error;
  }
  return new TeraSyncError(ErrorCode.Network, `Could not reach ${endpoint.what}. ${endpoint.fallback}`, { cause: error });
}

function badAnswer(endpoint: Endpoint, problem: string): TeraSyncError {
  return new TeraSyncError(ErrorCode.BadResponse, `${capitalized(endpoint.what)} answered in an unexpected form (${problem}). ${endpoint.fallback}`, {
    status: 200,
  });
}

/** The answer as a record whose `result` is 0. */
function successRecord(body: unknown, endpoint: Endpoint): Record<string, unknown> {
  if (!isRecord(body)) throw badAnswer(endpoint, 'not a JSON object');
  if (typeof body.result !== 'number') throw badAnswer(endpoint, 'no numeric "result"');
  if (body.result !== 0) {
    throw new TeraSyncError(ErrorCode.Server, `${capitalized(endpoint.what)} reported an error (result ${body.result}). ${endpoint.fallback}`, { status: 200 });
  }
  return body;
}

function nonEmptyString(record: Record<string, unknown>, field: string, endpoint: Endpoint): string {
  const value = record[field];
  if (typeof value !== 'string' || value.trim() === '') throw badAnswer(endpoint, `"${field}" is not a non-empty string`);
  return value.trim();
}

function byteCount(record: Record<string, unknown>, field: string, endpoint: Endpoint): number {
  const value = record[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw badAnswer(endpoint, `"${field}" is not a byte count`);
  return value;
}

function parseUser(body: unknown, endpoint: Endpoint): TeraCloudUser {
  const record = successRecord(body, endpoint);
  const capacity = record.capacity;
  if (capacity !== undefined && capacity !== null && (typeof capacity !== 'number' || !Number.isFinite(capacity) || capacity < 0)) {
    throw badAnswer(endpoint, '"capacity" is not a number of GB');
  }
  return {
    userId: nonEmptyString(record, 'user', endpoint),
    node: nonEmptyString(record, 'node', endpoint),
    webdavUrl: nonEmptyString(record, 'webdav_url', endpoint),
    capacityGb: capacity ?? null,
  };
}

function parseQuota(body: unknown, endpoint: Endpoint): TeraCloudQuota {
  const record = successRecord(body, endpoint);
  const dataset = record.dataset;
  if (!isRecord(dataset)) throw badAnswer(endpoint, 'no "dataset" object');
  const root = dataset.__ROOT__;
  if (!isRecord(root)) throw badAnswer(endpoint, 'no "dataset.__ROOT__" object');
  return { quotaBytes: byteCount(root, 'quota', endpoint), usedBytes: byteCount(root, 'used', endpoint) };
}
