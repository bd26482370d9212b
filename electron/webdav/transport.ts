/**
 * The WebDAV store's transport: the root URL and the paths below it, the HTTP(S) agent (or a
 * proxy's routing agent) and node:http(s) requests on it, the Authorization header of each
 * try, the request slots, the idle watchdog (one Watchdog timer for every Attempt), retries on
 * the injected Clock, and the mapping of statuses and failures to coded errors
 * (httpErrors.ts). Listing, transfers and the namespace operations (listing.ts, download.ts,
 * upload.ts, namespace.ts) send their requests through it. docs/ARCHITECTURE.md (The WebDAV
 * store) says why it works the way it does.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { pipeline, type Readable } from 'node:stream';
import { urlToHttpOptions } from 'node:url';
import { constants as zlib, createBrotliDecompress, createGunzip } from 'node:zlib';
import { INSECURE_REDIRECT_CODE, tlsOptions } from '../net/tls.js';
import { processProxy, ProxyRoutingAgent, type ProxySetting } from '../net/proxy.js';
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../shared/errors.js';
import type { Clock } from '../core/time.js';
import type { Logger } from '../core/logger.js';
import { errorFromFailure, errorFromStatus, type AuthKind, type RequestDescription } from '../net/httpErrors.js';
import { parseMultistatus } from './multistatus.js';
import { RequestSlots } from './RequestSlots.js';
import { decodeSegment, encodeSegment, hrefRawSegments, isLoopbackHost, nfc, splitRelativePath } from './paths.js';
import { defaultRetryPolicy, parseRetryAfter, retryDelayMs, type RetryPolicy } from '../net/retry.js';

/**
 * How the store proves who it is. BASIC is preemptive by default (Authorization on the first
 * request, which TeraCLOUD accepts); `preemptive: false` waits for the server's 401 challenge
 * once, then sends it on every request. A bearer token is fixed, or comes from a source that
 * refreshes it (an OAuth2 TokenManager): on a 401 the source is asked for a new token once and
 * the request is sent again.
 */
export type WebDavAuth =
  | { kind: 'basic'; user: string; password: string; preemptive?: boolean }
  | { kind: 'bearer'; token: string }
  | { kind: 'bearer'; tokens: BearerTokenSource };

export interface BearerTokenSource {
  /** A valid access token (refreshed first when it is about to expire). */
  accessToken(): Promise<string>;
  /** The server refused `rejected`: a new token, or null when only a new sign-in will do. */
  onUnauthorized(rejected: string): Promise<string | null>;
}

/** What the transport is built from (see WebDavRemoteStoreOptions for each field). */
export interface TransportOptions {
  url: string;
  auth: WebDavAuth;
  ca?: string;
  /** Request slots (and sockets) for listings and transfers: concurrency + 2. */
  concurrency: number;
  /** Sockets beyond those, for the extra streams of ranged downloads. */
  extraSockets: number;
  timeoutMs?: number;
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  clock: Clock;
  random: () => number;
  logger: Logger;
  proxy?: ProxySetting;
}

/** An answer's head and its body, as `WebDavTransport.send` hands it to the callers. */
export interface HttpResponse {
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  body: Readable | null;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** What a request without its own Accept-Encoding asks for; `answer` decodes both. */
const ACCEPT_ENCODING = 'gzip, br';
const MAX_REDIRECTS = 20;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Methods whose redirects are followed: they change nothing on the server. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'PROPFIND', 'OPTIONS']);

function hasHeader(headers: Record<string, string>, lowerCaseName: string): boolean {
  return Object.keys(headers).some((name) => name.toLowerCase() === lowerCaseName);
}

/**
 * A redirect that is not followed, typed as node-fetch typed it: `errorFromFailure` makes it
 * BadResponse, naming the request.
 */
function redirectFailure(type: 'max-redirect' | 'invalid-redirect' | 'unsupported-redirect', what: string, cause?: unknown): Error {
  return Object.assign(new Error(`The server answered with ${what}.`, { cause }), { type });
}

/** What a request and its answer's body fail with when the attempt is aborted. */
function abortError(attempt: Attempt): Error {
  return Object.assign(new Error('The request was aborted.', { cause: attempt.reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}

/**
 * The caller's view of an answer, its body decoded when it came gzip or brotli (the headers
 * still say how it came: a download that asked for identity checks them).
 */
function answer(response: IncomingMessage, method: string): HttpResponse {
  const status = response.statusCode ?? 0;
  const raw = response.headers;
  const headers = {
    get(name: string): string | null {
      const value = raw[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
  let body: Readable = response;
  if (method !== 'HEAD' && status !== 204 && status !== 304) {
    const encoding = raw['content-encoding']?.trim().toLowerCase();
    // Lenient on a body cut short at a flush point, as browsers (and node-fetch) are.
    const decoder =
      encoding === 'gzip' || encoding === 'x-gzip'
        ? createGunzip({ flush: zlib.Z_SYNC_FLUSH, finishFlush: zlib.Z_SYNC_FLUSH })
        : encoding === 'br'
          ? createBrotliDecompress()
          : null;
    if (decoder !== null) {
      // Either side's failure (an abort, a corrupt stream) ends the other with it.
      pipeline(response, decoder, () => undefined);
      body = decoder;
    }
  }
  return { status, statusText: response.statusMessage ?? '', headers, body };
}

/**
 * The idle watchdog of every attempt in flight on one transport: one timer, due when the attempt
 * that has been idle longest reaches the timeout, instead of a timer per request. When it fires,
 * each attempt idle for the timeout or longer is aborted (as a timeout), and the timer is set
 * again for the next one due. A paused attempt (waiting on the local side) is skipped until it
 * resumes. Touching an attempt only moves its own time: no timer work per chunk or request.
 */
export class Watchdog {
  private readonly watched = new Set<Attempt>();
  private timer: NodeJS.Timeout | undefined;
  private dueAt = Number.POSITIVE_INFINITY;
  /**
   * The attempts in flight for each caller's signal, with one abort listener per signal (a run
   * passes the same signal to all its requests) instead of one added and removed per request.
   */
  private readonly byCaller = new WeakMap<AbortSignal, Set<Attempt>>();

  constructor(readonly timeoutMs: number) {}

  /** Aborts `attempt` with `caller`'s reason when `caller` aborts (until `unfollow`). */
  follow(caller: AbortSignal, attempt: Attempt): void {
    let attempts = this.byCaller.get(caller);
    if (attempts === undefined) {
      const followed = new Set<Attempt>();
      attempts = followed;
      this.byCaller.set(caller, followed);
      caller.addEventListener(
        'abort',
        () => {
          for (const each of [...followed]) each.abort(caller.reason);
          followed.clear();
        },
        { once: true },
      );
    }
    attempts.add(attempt);
  }

  unfollow(caller: AbortSignal, attempt: Attempt): void {
    this.byCaller.get(caller)?.delete(attempt);
  }

  watch(attempt: Attempt): void {
    this.watched.add(attempt);
    this.wakeBy(attempt.lastActivity + this.timeoutMs);
  }

  unwatch(attempt: Attempt): void {
    this.watched.delete(attempt);
  }

  /**
   * Makes the timer fire by `due` (performance.now() time). Every due time asked is now plus
   * the timeout or earlier, so a timer already set is never later than a new attempt needs.
   */
  wakeBy(due: number): void {
    if (this.timer !== undefined) {
      if (this.dueAt <= due) return;
      clearTimeout(this.timer);
    }
    this.dueAt = due;
    this.timer = setTimeout(this.check, Math.max(1, Math.ceil(due - performance.now())));
    this.timer.unref();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAt = Number.POSITIVE_INFINITY;
  }

  private readonly check = (): void => {
    this.timer = undefined;
    this.dueAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const attempt of this.watched) {
      if (!attempt.watched) continue;
      const due = attempt.lastActivity + this.timeoutMs;
      if (now >= due) attempt.expire();
      else if (due < next) next = due;
    }
    if (next !== Number.POSITIVE_INFINITY) this.wakeBy(next);
  };
}

/** One try of one request: its abort (the caller's, or the watchdog's), watched by the transport's Watchdog. */
export class Attempt {
  /** The Authorization header of this try; null to send none (waiting for a challenge). */
  authorization: string | null = null;
  /** performance.now() of the last progress. */
  lastActivity = performance.now();
  private paused = false;
  private done = false;
  timedOut = false;
  private abortReason: unknown = undefined;
  private isAborted = false;
  /** Made when something asks for `signal` (waits in downloads and bandwidth-limited uploads). */
  private controller: AbortController | undefined;
  /** The request on the wire, ended by an abort (`onAbort`). */
  private abortHandler: (() => void) | null = null;

  constructor(
    private readonly watchdog: Watchdog,
    private readonly caller: AbortSignal | undefined,
  ) {
    if (caller?.aborted) this.abort(caller.reason);
    else {
      if (caller !== undefined) watchdog.follow(caller, this);
      watchdog.watch(this);
    }
  }

  /** An AbortSignal that follows this attempt's abort, for APIs that take one. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.isAborted) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.isAborted;
  }

  /** Why it was aborted (the caller's reason, or the watchdog's `Error('timeout')`). */
  get reason(): unknown {
    return this.abortReason;
  }

  /** Throws the abort's reason when the attempt is aborted. */
  throwIfAborted(): void {
    if (this.isAborted) throw this.abortReason;
  }

  /**
   * Calls `handler` once when the attempt is aborted (at once when it is already); the function
   * returned stops that. One handler at a time: the request on the wire.
   */
  onAbort(handler: () => void): () => void {
    if (this.isAborted) {
      handler();
      return () => undefined;
    }
    this.abortHandler = handler;
    return () => {
      if (this.abortHandler === handler) this.abortHandler = null;
    };
  }

  get cancelled(): boolean {
    return this.caller?.aborted === true;
  }

  /** Whether the watchdog counts this attempt's idle time now. */
  get watched(): boolean {
    return !this.paused && !this.done && !this.isAborted;
  }

  /** Something moved: the idle gap starts again. */
  touch(): void {
    this.lastActivity = performance.now();
  }

  /**
   * Runs `work` with the watchdog stopped: a wait on the local side (the disk, our own
   * bandwidth limit), not on the server. The idle gap starts again when it ends.
   */
  async whilePaused<T>(work: () => Promise<T>): Promise<T> {
    this.paused = true;
    try {
      return await work();
    } finally {
      this.resume();
    }
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.touch();
    if (!this.done && !this.isAborted) this.watchdog.wakeBy(this.lastActivity + this.watchdog.timeoutMs);
  }

  finish(): void {
    this.done = true;
    this.watchdog.unwatch(this);
    if (this.caller !== undefined) this.watchdog.unfollow(this.caller, this);
  }

  /** The watchdog's verdict: idle for its whole timeout. */
  expire(): void {
    this.timedOut = true;
    this.abort(new Error('timeout'));
  }

  /** Ends the try: the request on the wire, and `signal` for whoever waits on it. */
  abort(reason: unknown): void {
    if (this.isAborted) return;
    this.isAborted = true;
    this.abortReason = reason;
    this.watchdog.unwatch(this);
    this.controller?.abort(reason);
    const handler = this.abortHandler;
    this.abortHandler = null;
    handler?.();
  }
}

function configuration(message: string): TeraSyncError {
  return new TeraSyncError(ErrorCode.Configuration, message);
}

export function localIo(message: string, cause?: unknown): TeraSyncError {
  return new TeraSyncError(ErrorCode.LocalIo, message, { cause });
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300 && status !== 207;
}

/** Lets an unread body drain so the keep-alive socket can be reused (or closed on error). */
export function discard(response: HttpResponse): void {
  const body = response.body;
  if (!body) return;
  body.on('error', () => undefined);
  body.resume();
}

function basicAuthorization(user: string, password: string): string {
  // RFC 7617 with UTF-8; webdav's own encoder (base-64) throws on non-Latin-1 characters.
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

export class WebDavTransport {
  private readonly agent: HttpAgent | HttpsAgent;
  /** The agent when requests may go through a proxy (the same object as `agent`). */
  private readonly proxyAgent: ProxyRoutingAgent | undefined;
  /** Origin + root path, ending in '/', as sent on the wire. */
  private readonly rootUrl: string;
  /** The root URL's origin, and what `http.request` makes of it (see `exchange`). */
  private readonly origin: string;
  private readonly originOptions: Pick<RequestOptions, 'protocol' | 'hostname' | 'port'>;
  /** Raw (percent-encoded) segments of the root path, for relative hrefs. */
  private readonly rootRawSegments: string[];
  /** Decoded segments of the root path, to recognise hrefs. */
  private readonly rootNames: string[];
  readonly authKind: AuthKind;
  private readonly auth: WebDavAuth;
  /** BASIC: send Authorization (preemptive, or the server has challenged us once). */
  private basicChallenged: boolean;
  private readonly timeoutMs: number;
  /** The idle watchdog of every attempt in flight (one timer for all of them). */
  private readonly watchdog: Watchdog;
  private readonly retry: RetryPolicy;
  readonly clock: Clock;
  private readonly random: () => number;
  readonly logger: Logger;
  /** concurrency + 2 slots, as many as the agent's sockets for them (see `run`). */
  readonly slots: RequestSlots;
  private disposed = false;

  constructor(options: TransportOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch (error) {
      throw new TeraSyncError(ErrorCode.Configuration, 'The WebDAV URL is not a valid URL.', { cause: error });
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw configuration(`The WebDAV URL must start with https:// (got ${url.protocol}).`);
    }
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      throw configuration(
        `Refusing plain http:// to ${url.hostname}: the password would travel unencrypted. Use https:// ` +
          '(plain http is only allowed for a server on this computer: localhost, 127.0.0.0/8, ::1).',
      );
    }
    if (url.username !== '' || url.password !== '') {
      throw configuration('The WebDAV URL must not contain a user name or password: enter them as credentials.');
    }
    if (url.search !== '' || url.hash !== '') {
      throw configuration('The WebDAV URL must not contain a query (?...) or a fragment (#...).');
    }
    const rootPath = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
    this.rootUrl = `${url.origin}${rootPath}`;
    this.origin = url.origin;
    const { protocol, hostname, port } = urlToHttpOptions(url);
    this.originOptions = { protocol, hostname, ...(port === undefined ? {} : { port }) };
    this.rootRawSegments = rootPath.split('/').filter((segment) => segment !== '');
    const rootNames = this.rootRawSegments.map(decodeSegment);
    if (rootNames.some((name) => name === null)) throw configuration('The WebDAV URL has an invalid percent-encoding.');
    this.rootNames = rootNames.map((name) => nfc(name ?? ''));

    this.timeoutMs = Math.max(1, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.watchdog = new Watchdog(this.timeoutMs);
    this.retry = {
      attempts: Math.max(1, Math.floor(options.retry?.attempts ?? defaultRetryPolicy.attempts)),
      baseDelayMs: options.retry?.baseDelayMs ?? defaultRetryPolicy.baseDelayMs,
      maxDelayMs: options.retry?.maxDelayMs ?? defaultRetryPolicy.maxDelayMs,
    };
    this.clock = options.clock;
    this.random = options.random;
    this.logger = options.logger;
    this.slots = new RequestSlots(options.concurrency + 2);
    const maxSockets = options.concurrency + 2 + options.extraSockets;
    const proxy = options.proxy ?? processProxy();
    // A private CA is trusted in addition to, not instead of, the system roots, through one
    // secure context built once (see electron/net/tls.ts for why not `ca:`). Through a proxy
    // the same TLS options check the server inside the tunnel.
    this.proxyAgent =
      proxy.mode === 'none'
        ? undefined
        : new ProxyRoutingAgent(proxy, { keepAlive: true, maxSockets, ...(url.protocol === 'https:' ? { tls: tlsOptions(options.ca) } : {}) });
    this.agent =
      this.proxyAgent ??
      (url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, maxSockets, ...tlsOptions(options.ca) }) : new HttpAgent({ keepAlive: true, maxSockets }));

    this.authKind = options.auth.kind;
    this.auth = options.auth;
    this.basicChallenged = options.auth.kind === 'basic' && options.auth.preemptive === false ? false : true;
  }

  // ---- requests ------------------------------------------------------------------------------

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.watchdog.dispose();
    this.agent.destroy();
  }

  assertUsable(): void {
    if (this.disposed) throw new TeraSyncError(ErrorCode.Cancelled, 'The WebDAV connection was closed.');
  }

  /**
   * Runs `body` with retries (retry.ts): each try takes a request slot, then gets a fresh
   * Attempt (abort, watched by the watchdog), so the watchdog never counts time spent waiting
   * for a socket.
   * `body` must not call `run` itself (it holds a slot).
   */
  async run<T>(
    request: RequestDescription,
    signal: AbortSignal | undefined,
    body: (attempt: Attempt, attemptNumber: number) => Promise<T>,
    mayRetry: (error: TeraSyncError) => boolean = () => true,
    slots: RequestSlots | null = this.slots,
  ): Promise<T> {
    let reauthorized = false;
    for (let attemptNumber = 1; ; attemptNumber += 1) {
      let release: () => void;
      try {
        // null: the caller holds a slot for all its tries (a ranged download's extra stream).
        release = slots === null ? () => undefined : await slots.acquire(signal);
      } catch (error) {
        throw errorFromFailure(error, request, { cancelled: true });
      }
      const attempt = new Attempt(this.watchdog, signal);
      let failure: TeraSyncError;
      try {
        attempt.authorization = await this.authorize();
        return await body(attempt, attemptNumber);
      } catch (error) {
        failure = errorFromFailure(error, request, {
          cancelled: attempt.cancelled,
          timedOut: attempt.timedOut,
          timeoutMs: this.timeoutMs,
          ...(this.proxyAgent === undefined ? {} : { proxy: this.proxyAgent }),
        });
      } finally {
        attempt.finish();
        release();
      }
      if (failure.status === 401 && !reauthorized && (await this.reauthorize(attempt.authorization, failure))) {
        // Once per request: a second 401 with fresh credentials is the answer.
        reauthorized = true;
        attemptNumber -= 1;
        continue;
      }
      const delayMs = mayRetry(failure) ? retryDelayMs(failure, attemptNumber, this.retry, this.random) : null;
      if (delayMs === null) throw failure;
      this.logger.warn('webdav: request failed, will retry', {
        method: request.method,
        path: request.path,
        attempt: attemptNumber,
        code: failure.code,
        status: failure.status,
        delayMs,
      });
      try {
        await this.clock.sleep(delayMs, signal);
      } catch (error) {
        throw errorFromFailure(error, request, { cancelled: true });
      }
    }
  }

  /** The Authorization header for the next try; null while BASIC waits for a challenge. */
  private async authorize(): Promise<string | null> {
    const auth = this.auth;
    if (auth.kind === 'basic') return this.basicChallenged ? basicAuthorization(auth.user, auth.password) : null;
    if ('token' in auth) return `Bearer ${auth.token}`;
    try {
      return `Bearer ${await auth.tokens.accessToken()}`;
    } catch (error) {
      throw toTeraSyncError(error, ErrorCode.Unauthorized);
    }
  }

  /** After a 401: whether the request is worth sending again with other credentials. */
  private async reauthorize(sent: string | null, failure: TeraSyncError): Promise<boolean> {
    const auth = this.auth;
    if (auth.kind === 'basic') {
      if (sent !== null) return false;
      // The server challenged a request we sent without credentials (non-preemptive BASIC).
      this.basicChallenged = true;
      return true;
    }
    if ('token' in auth || sent === null) return false;
    try {
      const next = await auth.tokens.onUnauthorized(sent.slice('Bearer '.length));
      return next !== null;
    } catch (error) {
      this.logger.warn('webdav: the access token could not be refreshed', { code: toTeraSyncError(error).code, status: failure.status });
      return false;
    }
  }

  /**
   * Sends one request on the transport's agent and resolves with the answer's head; the body
   * is the caller's to read (or `discard`). A string or Buffer body goes out with its
   * Content-Length in one write with the headers; a Readable is piped (with backpressure).
   * An abort of the attempt (cancel or watchdog) destroys the request and the answer's
   * body. See "HTTP" in docs/ARCHITECTURE.md for the redirects and encodings handled here.
   */
  async send(attempt: Attempt, method: string, url: string, headers: Record<string, string>, data?: string | Buffer | Readable): Promise<HttpResponse> {
    this.assertUsable();
    const sent: Record<string, string> = { 'User-Agent': 'TeraSync', ...headers };
    if (attempt.authorization !== null) sent.Authorization = attempt.authorization;
    // Downloads ask for identity; other requests accept a compressed answer (Apache's
    // mod_deflate on a listing). `answer` decodes one whatever was asked, as node-fetch did.
    if (!hasHeader(headers, 'accept-encoding')) sent['Accept-Encoding'] = ACCEPT_ENCODING;
    let target = url;
    for (let redirects = 0; ; redirects += 1) {
      const response = await this.exchange(attempt, method, target, sent, data);
      attempt.touch();
      this.logger.debug('webdav', { method, status: response.statusCode });
      // A followed or refused redirect's own body is never read: drained, so that its socket
      // can be reused.
      const drain = (): void => {
        response.on('error', () => undefined);
        response.resume();
      };
      let next: string | null;
      try {
        next = this.redirectTarget(method, target, response, data);
      } catch (error) {
        drain();
        throw error;
      }
      if (next === null) return answer(response, method);
      drain();
      if (redirects >= MAX_REDIRECTS) throw redirectFailure('max-redirect', `more than ${MAX_REDIRECTS} redirects`);
      target = next;
    }
  }

  /** One request on the wire: resolves with the answer's head, rejects on a failure before it. */
  private exchange(attempt: Attempt, method: string, url: string, headers: Record<string, string>, data: string | Buffer | Readable | undefined): Promise<IncomingMessage> {
    if (attempt.aborted) return Promise.reject(abortError(attempt));
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (Buffer.isBuffer(bytes)) headers = { ...headers, 'Content-Length': String(bytes.length) };
    return new Promise<IncomingMessage>((resolve, reject) => {
      let settled = false;
      let answered: IncomingMessage | undefined;
      // An address on the root's origin (all but a redirect's, nearly) goes as the options
      // Node would make of it, parsed once: no URL parsed per request.
      const send = url.startsWith('https:') ? httpsRequest : httpRequest;
      const request = url.startsWith(`${this.origin}/`)
        ? send({ ...this.originOptions, path: url.slice(this.origin.length), method, headers, agent: this.agent })
        : send(url, { method, headers, agent: this.agent });
      const onAbort = (): void => {
        const error = abortError(attempt);
        answered?.destroy(error);
        request.destroy(error);
        if (!settled) {
          settled = true;
          reject(error);
        }
      };
      const release = attempt.onAbort(onAbort);
      request.on('response', (response) => {
        settled = true;
        answered = response;
        // Until the body is over, an abort still ends it (the caller is reading it).
        response.once('end', release);
        response.once('close', release);
        response.once('error', release);
        resolve(response);
      });
      request.on('error', (error) => {
        if (settled) return;
        settled = true;
        release();
        reject(error);
      });
      if (bytes === undefined) request.end();
      else if (Buffer.isBuffer(bytes)) request.end(bytes);
      else {
        // A failing source destroys the request (its error rejects the answer); a request
        // that fails stops the source. Either way the caller sees the first error.
        pipeline(bytes, request, () => undefined);
      }
    });
  }

  /** Where a followed redirect goes, or null to hand the answer to the caller as it is. */
  private redirectTarget(method: string, from: string, response: IncomingMessage, data: string | Buffer | Readable | undefined): string | null {
    const status = response.statusCode ?? 0;
    if (!REDIRECT_STATUSES.has(status) || !SAFE_METHODS.has(method)) return null;
    // 303 means "GET the answer there": not the same request again (a PROPFIND stays here).
    if (status === 303 && method !== 'GET' && method !== 'HEAD') return null;
    const location = response.headers.location;
    if (location === undefined) return null;
    // Only bodies that can be sent again; safe methods carry none but PROPFIND's text.
    if (data !== undefined && typeof data !== 'string' && !Buffer.isBuffer(data)) return null;
    let next: URL;
    try {
      next = new URL(location, from);
    } catch (error) {
      throw redirectFailure('invalid-redirect', `a redirect to an invalid address (${location})`, error);
    }
    const origin = new URL(from);
    if (origin.protocol === 'https:' && next.protocol !== 'https:') {
      throw Object.assign(new Error(`The server redirected an HTTPS request to ${next.origin}: TeraSync does not follow it.`), { code: INSECURE_REDIRECT_CODE });
    }
    if (next.origin !== origin.origin) {
      // The agent, the credentials and the trust belong to this server only.
      throw redirectFailure('unsupported-redirect', `a redirect to another server (${next.origin})`);
    }
    next.hash = '';
    return next.href;
  }

  async statusError(response: HttpResponse, request: RequestDescription): Promise<TeraSyncError> {
    discard(response);
    return errorFromStatus(response.status, request, {
      statusText: response.statusText,
      retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after'), this.clock.now()),
      authKind: this.authKind,
    });
  }

  /** A 207 to DELETE / MOVE means part of it failed: report the first failing status. */
  async multiStatusError(attempt: Attempt, response: HttpResponse, request: RequestDescription): Promise<TeraSyncError> {
    const resources = await parseMultistatus(await this.readText(attempt, response), request);
    const failed = resources.find((resource) => resource.status >= 300);
    return errorFromStatus(failed?.status ?? 500, request, { authKind: this.authKind });
  }

  async readText(attempt: Attempt, response: HttpResponse): Promise<string> {
    if (!response.body) return '';
    const chunks: Buffer[] = [];
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      attempt.touch();
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  // ---- paths ---------------------------------------------------------------------------------

  fileNames(path: string): string[] {
    const names = splitRelativePath(path);
    if (names.length === 0) throw new TeraSyncError(ErrorCode.InvalidName, 'The sync folder itself is not a file.');
    return names;
  }

  urlFor(names: readonly string[], collection: boolean): string {
    const encoded = names.map(encodeSegment).join('/');
    return `${this.rootUrl}${encoded}${collection && names.length > 0 ? '/' : ''}`;
  }

  rawSegmentsFor(names: readonly string[]): string[] {
    return [...this.rootRawSegments, ...names.map(encodeSegment)];
  }

  /** Decoded, NFC names from the server root down to `names`. */
  fullNames(names: readonly string[]): string[] {
    return [...this.rootNames, ...names.map(nfc)];
  }

  matches(href: string, target: readonly string[], baseRaw: readonly string[]): boolean {
    const decoded = hrefRawSegments(href, baseRaw).map(decodeSegment);
    return decoded.length === target.length && decoded.every((name, index) => name !== null && nfc(name) === target[index]);
  }

  /** The server's spelling of the names below the root in an href (falls back to ours). */
  serverNames(href: string, names: readonly string[], baseRaw: readonly string[]): string[] {
    const decoded = hrefRawSegments(href, baseRaw).map(decodeSegment);
    const below = decoded.slice(this.rootNames.length);
    return below.every((name): name is string => name !== null) && below.length === names.length ? below : [...names];
  }
}
