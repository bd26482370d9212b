/**
 * RemoteStore over WebDAV, written for TeraCLOUD / InfiniCLOUD (Apache httpd + mod_dav, see
 * docs/SERVICE.md, The WebDAV server) and any RFC 4918 server.
 *
 * Every request goes through `webdav`'s `customRequest` (node-fetch underneath) so that we own
 * the headers and the status handling; one keep-alive agent carries all of them. With a proxy
 * (options.proxy, else the process's setting) that agent is electron/net/proxy.ts's routing
 * agent: the same keep-alive, socket limit and TLS checks, inside a CONNECT or SOCKS tunnel.
 *
 * Decisions worth knowing:
 * - Listing walks the tree with bounded, parallel `PROPFIND Depth: 1` (the service refuses
 *   `Depth: infinity`); collection URLs always end in `/`.
 * - A listing is all or nothing: any folder that fails fails `list()`. A partial list would
 *   make files look deleted on the server.
 * - Names that could escape the sync root (`..`, `.`, `/` or `\` once decoded, NUL) and hrefs
 *   outside the folder asked for are never entries: they land in `skipped` as 'invalid-name'
 *   (a name with `\` or with bytes that are not UTF-8 under its readable name, `back\slash.txt`,
 *   `caf\xE9.txt`, with the same sentence as the local side's skip).
 *   Children the server reports without readable properties land there as 'unreadable', and
 *   a second name with the same NFC form as 'case-conflict'.
 * - `RemoteEntry.etag` is the tag exactly as sent (quotes and `W/` kept). `If-Match` carries
 *   only the quoted strong form (etag.ts). An upload with a weak `ifMatch` first compares it
 *   with a fresh PROPFIND (412 when the file changed or vanished); it then sends the server's
 *   current strong tag if it has one by now (Apache turns W/"x" into "x" after a second), and
 *   otherwise no If-Match at all: that leaves the short window between the PROPFIND and the PUT
 *   unguarded, which is the price of a server that hands out weak tags.
 * - Timeouts: one idle watchdog per attempt (timeoutMs until the response headers, and as the
 *   longest gap between two body chunks in either direction; paused while a slow local
 *   destination asks us to wait for 'drain'). It starts once the request has one of the
 *   concurrency + 2 request slots (RequestSlots), as many as the agent's sockets, so waiting
 *   behind other transfers is never taken for a silent server.
 * - Retries (retry.ts) sleep on the injected Clock. A download retries only while nothing was
 *   written to the caller's destination; afterwards it fails with Network and the engine
 *   fetches the whole file again later. An upload calls `open()` again for each attempt.
 * - Hrefs are compared by decoded, NFC-normalised path only (a proxy may answer with another
 *   host or scheme), and a Depth: 1 answer must include the folder itself: an answer about some
 *   other spelling of the folder is a BadResponse, never an empty listing. webdav's parser
 *   keeps only the first propstat of a response (Apache and webdav-server put the 200 one
 *   first); a child whose first propstat is not 2xx is skipped as 'unreadable'.
 * - After a PUT, a PROPFIND (stat) gives size and mtime; the PUT answer's ETag, when there is
 *   one and it names other content than the PROPFIND's, wins (someone wrote in between: the
 *   next sync must see their version as a change).
 * - BASIC is preemptive, built here as UTF-8 (webdav's own encoder throws on non-Latin-1).
 * - MKCOL answering 405 / 301 / 400 is checked with a PROPFIND: an existing folder is success, an
 *   existing file is Conflict.
 * - A retried request whose first attempt may have reached the server can see the effect of
 *   that attempt: MKCOL (405: checked with stat) and DELETE (404: success) are fine, MOVE is
 *   checked with stat on 404/412, and PUT with If-None-Match/If-Match answers 412, which is
 *   reported (a conflict to resolve, never a lost update).
 * - Resumed downloads (DownloadOptions.resumeFrom, see ports.ts): `Range: bytes=<offset>-` with
 *   `If-Range: "<strong tag>"`, never with a weak or missing tag. A 206 must say
 *   `Content-Range: bytes <offset>-<size-1>/<size or *>`, with identity encoding and (when it
 *   names one) the same ETag; anything else is a BadResponse, before a byte is written. A 200 is
 *   the whole file (changed, or Range ignored): the caller's prefix is discarded first. A 416
 *   is asked again without Range, in the same attempt. Once the prefix is discarded, no later
 *   attempt asks for a range.
 * - Bandwidth limits (Throttle.ts): one token bucket per direction for the whole store, paid
 *   per piece of at most 16 KiB as PUT and GET bodies stream; the stream waits meanwhile
 *   (backpressure), and the idle watchdog is paused during the wait, as for 'drain'.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { performance } from 'node:perf_hooks';
import { Transform, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { refusingHttpAgent, tlsOptions } from '../net/tls.js';
import { processProxy, ProxyRoutingAgent, type ProxySetting } from '../net/proxy.js';
import { AuthType, createClient, type RequestDataPayload, type WebDAVClient } from 'webdav';
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../shared/errors.js';
import type { Listing, RemoteEntry, SkippedEntry } from '../sync/model.js';
import {
  silentLogger,
  systemClock,
  type Clock,
  type DownloadOptions,
  type DownloadResult,
  type Logger,
  type PositionalTarget,
  type RemoteStore,
  type ResumeFrom,
  type UploadOptions,
  type UploadResult,
} from '../sync/ports.js';
import { ifMatchHeader, sameEtag } from '../../shared/etag.js';
import { describePath, errorFromFailure, errorFromStatus, failureCode, type AuthKind, type RequestDescription } from './httpErrors.js';
import { TRASH_FOLDER } from '../sync/remoteTrash.js';
import { multistatusHash, parseMultistatus, type DavResource } from './multistatus.js';
import { RequestSlots } from './RequestSlots.js';
import {
  decodeSegment,
  encodeSegment,
  hrefRawSegments,
  invalidNameReason,
  isLoopbackHost,
  joinRelative,
  nfc,
  percentDecodeBytes,
  splitRelativePath,
} from './paths.js';
import { backslashMessage, escapeNameBytes, invalidEncodingMessage } from '../sync/names.js';
import { defaultRetryPolicy, isRetryable, parseRetryAfter, retryDelayMs, type RetryPolicy } from './retry.js';
import { pieces, Throttle, type BandwidthLimits } from './Throttle.js';
import {
  checkRange,
  chunkBytesFor,
  DEFAULT_RANGE_MIN_BYTES,
  DEFAULT_RANGE_STREAMS,
  hashInOrder,
  RangeLedger,
  WRITE_BYTES,
  writeFully,
  type Piece,
  type RangedDownloadOptions,
} from './rangedDownload.js';

export type { BandwidthLimits } from './Throttle.js';
export type { RangedDownloadOptions } from './rangedDownload.js';

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

export interface WebDavRemoteStoreOptions {
  /** The remote root, e.g. https://host/dav/Sync/ (a missing trailing slash is added). */
  url: string;
  auth: WebDavAuth;
  /** PEM certificate(s) to trust in addition to the system roots (`--ca`). */
  ca?: string;
  /** Parallel PROPFINDs while listing; the agent keeps concurrency + 2 sockets. Default 6. */
  concurrency?: number;
  /** Time to response headers and longest idle gap while a body streams. Default 30000. */
  timeoutMs?: number;
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  /**
   * Bandwidth limits in KiB/s (0 or undefined = unlimited), shared by all transfers of this
   * store, one per direction. Change them later with `setBandwidth`.
   */
  bandwidth?: BandwidthLimits;
  /**
   * Which proxy to go through (electron/net/proxy.ts). Default: the process's setting
   * (`setProcessProxy`: the command's environment and --proxy, the app's Proxy settings).
   */
  proxy?: ProxySetting;
  /**
   * Large downloads as parallel `Range` requests (see `download` and rangedDownload.ts):
   * streams at once per file (default 4, 1 = one stream), from which size (default 32 MiB).
   */
  rangedDownloads?: RangedDownloadOptions;
}

/** The part of node-fetch's Response we use (webdav's own type leaves out `body`). */
interface HttpResponse {
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  body: Readable | null;
}

interface FolderRef {
  /** Server spelling of each name below the root. */
  names: string[];
  /** NFC relative path (the key). */
  key: string;
}

interface ChildResource {
  name: string;
  resource: DavResource;
}

/** What a GET answer delivers, once its status and headers are checked. */
interface BodyStart {
  /** Bytes of the file before the body's first byte (the resumed prefix), else 0. */
  offset: number;
  /** Body length the answer announces (identity encoding only), or null. */
  expected: number | null;
  totalSize: number | null;
  etag: string | null;
}

interface FolderContents {
  self: DavResource;
  children: ChildResource[];
  skipped: SkippedEntry[];
}

/** One folder of the last listing: the hash of its PROPFIND body and what came of it. */
interface CachedFolder {
  hash: string;
  /** The folder's own ETag in its own answer. */
  selfEtag: string | null;
  childKeys: string[];
  childFolders: FolderRef[];
  skipped: SkippedEntry[];
}

interface ListingCache {
  listing: Listing<RemoteEntry>;
  folders: Map<string, CachedFolder>;
}

export interface ListOptions {
  signal?: AbortSignal;
  reuseUnchangedFolders?: boolean;
  /** The last complete listing the caller knows of, for a store without one (see `list`). */
  known?: Listing<RemoteEntry>;
}

/**
 * A listing the caller kept, as the per-folder record `list` compares with. No body hash is
 * known, so every folder that is asked is parsed; entries skipped back then are not known
 * either, so a caller only hands in folders whose every entry it took in.
 */
function knownFolders(known: Listing<RemoteEntry>): ListingCache {
  const folders = new Map<string, CachedFolder>();
  folders.set('', { hash: '', selfEtag: null, childKeys: [], childFolders: [], skipped: [] });
  for (const entry of known.entries.values()) {
    if (entry.type === 'dir') folders.set(entry.path, { hash: '', selfEtag: entry.etag, childKeys: [], childFolders: [], skipped: [] });
  }
  for (const entry of known.entries.values()) {
    const slash = entry.path.lastIndexOf('/');
    const parent = folders.get(slash < 0 ? '' : entry.path.slice(0, slash));
    if (parent === undefined) continue;
    parent.childKeys.push(entry.path);
    if (entry.type === 'dir') parent.childFolders.push({ names: entry.remotePath.split('/'), key: entry.path });
  }
  return { listing: known, folders };
}

/** Folder ETags compared exactly (a weak and a strong spelling count as different: safe). */
function sameFolderEtag(a: string | null | undefined, b: string | null | undefined): boolean {
  return typeof a === 'string' && a !== '' && a === b;
}

const PROPFIND_BODY =
  '<?xml version="1.0" encoding="utf-8"?>\n' +
  '<d:propfind xmlns:d="DAV:"><d:prop>' +
  '<d:resourcetype/><d:getcontentlength/><d:getlastmodified/><d:getetag/>' +
  '</d:prop></d:propfind>';

const DEFAULT_CONCURRENCY = 6;
const DEFAULT_TIMEOUT_MS = 30_000;

/** One try of one request: its AbortController, and the idle watchdog that fires it. */
class Attempt {
  /** The Authorization header of this try; null to send none (waiting for a challenge). */
  authorization: string | null = null;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private lastActivity = performance.now();
  private paused = false;
  private done = false;
  timedOut = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly caller: AbortSignal | undefined,
  ) {
    if (caller?.aborted) this.controller.abort(caller.reason);
    else caller?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.arm(timeoutMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get cancelled(): boolean {
    return this.caller?.aborted === true;
  }

  /** Something moved: the idle gap starts again. */
  touch(): void {
    this.lastActivity = performance.now();
  }

  /** Stops the watchdog while we wait on the local side, not on the server. */
  pause(): void {
    this.paused = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.touch();
    if (!this.done && !this.controller.signal.aborted) this.arm(this.timeoutMs);
  }

  finish(): void {
    this.done = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }

  private readonly onCallerAbort = (): void => {
    this.controller.abort(this.caller?.reason);
  };

  private arm(delayMs: number): void {
    this.timer = setTimeout(this.check, delayMs);
    this.timer.unref();
  }

  private readonly check = (): void => {
    this.timer = undefined;
    if (this.paused || this.controller.signal.aborted) return;
    const idle = performance.now() - this.lastActivity;
    if (idle >= this.timeoutMs) {
      this.timedOut = true;
      this.controller.abort(new Error('timeout'));
    } else {
      this.arm(Math.max(1, Math.ceil(this.timeoutMs - idle)));
    }
  };
}

function configuration(message: string): TeraSyncError {
  return new TeraSyncError(ErrorCode.Configuration, message);
}

function localIo(message: string, cause?: unknown): TeraSyncError {
  return new TeraSyncError(ErrorCode.LocalIo, message, { cause });
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300 && status !== 207;
}

/** Lets an unread body drain so the keep-alive socket can be reused (or closed on error). */
function discard(response: HttpResponse): void {
  const body = response.body;
  if (!body) return;
  body.on('error', () => undefined);
  body.resume();
}

/** A 200: the whole file from byte 0. */
function fullStart(response: HttpResponse): BodyStart {
  const encoding = (response.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  const lengthHeader = response.headers.get('content-length');
  // node-fetch decodes a compressed body the server sent anyway; the length is then the
  // compressed one and says nothing about what we write.
  const expected = encoding === 'identity' && lengthHeader !== null && /^\d+$/.test(lengthHeader.trim()) ? Number(lengthHeader) : null;
  return { offset: 0, expected, totalSize: expected, etag: response.headers.get('etag') };
}

function basicAuthorization(user: string, password: string): string {
  // RFC 7617 with UTF-8; webdav's own encoder (base-64) throws on non-Latin-1 characters.
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

export class WebDavRemoteStore implements RemoteStore {
  private readonly client: WebDAVClient;
  private readonly agent: HttpAgent | HttpsAgent;
  /** The agent when requests may go through a proxy (the same object as `agent`). */
  private readonly proxyAgent: ProxyRoutingAgent | undefined;
  /** Origin + root path, ending in '/', as sent on the wire. */
  private readonly rootUrl: string;
  /** Raw (percent-encoded) segments of the root path, for relative hrefs. */
  private readonly rootRawSegments: string[];
  /** Decoded segments of the root path, to recognise hrefs. */
  private readonly rootNames: string[];
  private readonly authKind: AuthKind;
  private readonly auth: WebDavAuth;
  /** BASIC: send Authorization (preemptive, or the server has challenged us once). */
  private basicChallenged: boolean;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly slots: RequestSlots;
  /**
   * The extra streams of ranged downloads (streams - 1 for the whole store), on sockets of
   * their own: they never take a slot a listing or another transfer waits for.
   */
  private readonly rangeSlots: RequestSlots | null;
  private readonly ranged: { streams: number; minBytes: number; chunkBytes: number | undefined };
  private readonly throttle: Throttle;
  private disposed = false;
  /** The last full listing and, per folder, what its PROPFIND body said (see `list`). */
  private listingCache: ListingCache | null = null;
  /**
   * Whether a folder's ETag has changed with every change of its direct entries so far. Set
   * false for good (for this store) the first time a listing shows otherwise.
   */
  private folderEtagsTrackChildren = true;

  constructor(options: WebDavRemoteStoreOptions) {
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
    this.rootRawSegments = rootPath.split('/').filter((segment) => segment !== '');
    const rootNames = this.rootRawSegments.map(decodeSegment);
    if (rootNames.some((name) => name === null)) throw configuration('The WebDAV URL has an invalid percent-encoding.');
    this.rootNames = rootNames.map((name) => nfc(name ?? ''));

    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
    this.timeoutMs = Math.max(1, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.retry = {
      attempts: Math.max(1, Math.floor(options.retry?.attempts ?? defaultRetryPolicy.attempts)),
      baseDelayMs: options.retry?.baseDelayMs ?? defaultRetryPolicy.baseDelayMs,
      maxDelayMs: options.retry?.maxDelayMs ?? defaultRetryPolicy.maxDelayMs,
    };
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
    this.throttle = new Throttle(this.clock);
    this.setBandwidth(options.bandwidth ?? {});

    const streams = Math.max(1, Math.floor(options.rangedDownloads?.streams ?? DEFAULT_RANGE_STREAMS));
    this.ranged = {
      streams,
      minBytes: Math.max(1, options.rangedDownloads?.minBytes ?? DEFAULT_RANGE_MIN_BYTES),
      chunkBytes: options.rangedDownloads?.chunkBytes,
    };
    this.slots = new RequestSlots(this.concurrency + 2);
    this.rangeSlots = streams > 1 ? new RequestSlots(streams - 1) : null;
    const maxSockets = this.concurrency + 2 + (streams - 1);
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
    // Authorization is set per try (see authorize): a refreshed token must reach the next one.
    this.client = createClient(this.rootUrl, {
      authType: AuthType.None,
      headers: { 'User-Agent': 'TeraSync' },
      // An HTTPS store never follows a redirect to plain HTTP (node-fetch follows redirects,
      // and webdav's customRequest cannot turn that off).
      ...(url.protocol === 'https:' ? { httpsAgent: this.agent, httpAgent: refusingHttpAgent() } : { httpAgent: this.agent }),
    });
  }

  /**
   * Replaces the bandwidth limits (KiB/s; 0 or a direction left out = unlimited). Takes effect
   * at once, for transfers under way too. Throws Configuration (and changes nothing) for a
   * negative or non-finite limit.
   */
  setBandwidth(limits: BandwidthLimits): void {
    try {
      this.throttle.set(limits);
    } catch (error) {
      throw new TeraSyncError(ErrorCode.Configuration, error instanceof Error ? error.message : String(error), { cause: error });
    }
  }

  /**
   * Walks the tree with `Depth: 1` PROPFINDs, `concurrency` at a time.
   *
   * A poll walks the tree (Apache's folder ETags do not change for changes below their direct
   * entries), so the walk must be cheap when nothing changed:
   * - a folder whose PROPFIND body is byte for byte the one of the last listing is not parsed
   *   again, and when every folder's is, the last listing itself is returned (the same
   *   object: callers may skip their own work on it);
   * - with `reuseUnchangedFolders`, a folder without subfolders whose ETag (in its parent's
   *   answer) is the one of the last listing is not asked at all. Apache's mod_dav_fs writes
   *   a PUT to a temporary file and renames it into place, so a folder's ETag (from its
   *   mtime) changes whenever an entry directly in it is added, removed, renamed or replaced.
   *   Each listed folder checks that this holds (its ETag unchanged but its entries changed
   *   means it does not), and the shortcut is off for good once it did not. Callers still
   *   ask for a full walk now and then (SyncService: with every full local scan).
   *
   * `known` stands in for the last listing while this store has none of its own (a new
   * process): the tree as the caller last saw it complete, each folder with the ETag it had
   * in its parent's answer (the sync journal). It feeds the same shortcut and the same check.
   * When the check finds, during a walk that skipped folders, that this server's folder ETags
   * do not track their entries, the walk is done again without skipping: what a skipped
   * folder may hide is found in the same call.
   */
  async list(options: ListOptions = {}): Promise<Listing<RemoteEntry>> {
    this.assertUsable();
    const trusted = this.folderEtagsTrackChildren;
    const { listing, reusedFolders } = await this.walk(options);
    if (reusedFolders > 0 && trusted && !this.folderEtagsTrackChildren) {
      this.logger.info('webdav: listing again without skipping folders', { skipped: reusedFolders });
      return (await this.walk({ ...options, reuseUnchangedFolders: false })).listing;
    }
    return listing;
  }

  /**
   * False once a listing showed a folder whose entries changed while its ETag stayed the same:
   * `reuseUnchangedFolders` is then off for good (for this store). A caller may keep the
   * verdict (the sync journal does) and hand it to the next store with `distrustFolderEtags`.
   */
  get folderEtagsTrackEntries(): boolean {
    return this.folderEtagsTrackChildren;
  }

  /** Turns `reuseUnchangedFolders` off for good, as a failed check does. */
  distrustFolderEtags(): void {
    this.folderEtagsTrackChildren = false;
  }

  private async walk(options: ListOptions): Promise<{ listing: Listing<RemoteEntry>; reusedFolders: number }> {
    const previous = this.listingCache ?? (options.known === undefined ? null : knownFolders(options.known));
    let reusedFolders = 0;
    const entries = new Map<string, RemoteEntry>();
    const skipped: SkippedEntry[] = [];
    const folders = new Map<string, CachedFolder>();
    let unchanged = previous !== null;
    const internal = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, internal.signal]) : internal.signal;
    const state: { failure: TeraSyncError | undefined } = { failure: undefined };
    const queue: FolderRef[] = [{ names: [], key: '' }];
    const running = new Set<Promise<void>>();

    const absorb = (folder: FolderRef, hash: string, contents: FolderContents): CachedFolder => {
      const cached: CachedFolder = { hash, selfEtag: contents.self.props?.etag ?? null, childKeys: [], childFolders: [], skipped: [...contents.skipped] };
      for (const { name, resource } of contents.children) {
        // The pair's trash is never synced: its (maybe large) tree is not walked either.
        if (folder.key === '' && name === TRASH_FOLDER) continue;
        const key = joinRelative(folder.key, nfc(name));
        const remotePath = [...folder.names, name].join('/');
        if (entries.has(key)) {
          cached.skipped.push({
            path: key,
            side: 'remote',
            reason: 'case-conflict',
            message: `"${remotePath}" has the same name as another entry once Unicode-normalised (NFC); only the first is synced.`,
          });
          continue;
        }
        const entry = this.toEntry(key, remotePath, resource);
        entries.set(key, entry);
        cached.childKeys.push(key);
        if (entry.type === 'dir') cached.childFolders.push({ names: [...folder.names, name], key });
      }
      skipped.push(...cached.skipped);
      queue.push(...cached.childFolders);
      return cached;
    };
    /** A folder whose body did not change: its children are the last listing's. */
    const reuse = (cached: CachedFolder, from: Listing<RemoteEntry>): void => {
      for (const key of cached.childKeys) {
        const entry = from.entries.get(key);
        if (entry !== undefined) entries.set(key, entry);
      }
      skipped.push(...cached.skipped);
      queue.push(...cached.childFolders);
    };

    while (queue.length > 0 || running.size > 0) {
      while (state.failure === undefined && running.size < this.concurrency) {
        const folder = queue.shift();
        if (folder === undefined) break;
        const before = previous?.folders.get(folder.key);
        if (
          options.reuseUnchangedFolders === true &&
          this.folderEtagsTrackChildren &&
          previous !== null &&
          before !== undefined &&
          before.childFolders.length === 0 &&
          folder.key !== '' &&
          sameFolderEtag(previous.listing.entries.get(folder.key)?.etag, entries.get(folder.key)?.etag)
        ) {
          folders.set(folder.key, before);
          reuse(before, previous.listing);
          reusedFolders += 1;
          continue;
        }
        const task: Promise<void> = this.listFolder(folder, signal, before?.hash)
          .then(
            (result) => {
              if (state.failure !== undefined) return;
              if (result.contents === null && before !== undefined && previous !== null) {
                folders.set(folder.key, before);
                reuse(before, previous.listing);
              } else if (result.contents !== null) {
                unchanged = false;
                const cached = absorb(folder, result.hash, result.contents);
                folders.set(folder.key, cached);
                if (before !== undefined && previous !== null) this.checkFolderEtag(folder.key, before, cached, previous.listing, entries);
              }
            },
            (error: unknown) => {
              if (state.failure !== undefined) return;
              state.failure = toTeraSyncError(error, ErrorCode.BadResponse);
              internal.abort();
            },
          )
          .finally(() => running.delete(task));
        running.add(task);
      }
      if (running.size === 0) break;
      await Promise.race(running);
    }
    if (state.failure !== undefined) throw state.failure;
    if (unchanged && previous !== null && folders.size === previous.folders.size) return { listing: previous.listing, reusedFolders };
    const listing = { entries, skipped };
    this.listingCache = { listing, folders };
    return { listing, reusedFolders };
  }

  /**
   * A folder listed again with other entries than last time must have another ETag too, or
   * this server's folder ETags do not track their entries and `reuseUnchangedFolders` is off.
   */
  private checkFolderEtag(
    key: string,
    before: CachedFolder,
    after: CachedFolder,
    previous: Listing<RemoteEntry>,
    current: Map<string, RemoteEntry>,
  ): void {
    if (!this.folderEtagsTrackChildren || !sameFolderEtag(before.selfEtag, after.selfEtag)) return;
    const changed =
      before.childKeys.length !== after.childKeys.length ||
      after.childKeys.some((child) => {
        const old = previous.entries.get(child);
        const now = current.get(child);
        if (old === undefined || now === undefined || old.type !== now.type) return true;
        // A subfolder's ETag follows its own entries, not its parent's.
        return now.type === 'file' && (old.size !== now.size || !sameEtag(old.etag, now.etag));
      });
    if (!changed) return;
    this.folderEtagsTrackChildren = false;
    this.logger.info('webdav: this server keeps a folder ETag when its entries change; every poll lists every folder', { folder: key });
  }

  async stat(path: string, options: { signal?: AbortSignal } = {}): Promise<RemoteEntry | null> {
    this.assertUsable();
    const names = splitRelativePath(path);
    const request: RequestDescription = { method: 'PROPFIND', path };
    return this.run(request, options.signal, async (attempt) => {
      const resources = await this.propfind(attempt, request, names, names.length === 0, '0');
      if (resources === null) return null;
      const target = this.fullNames(names);
      // A relative href resolves against the URL's directory (RFC 3986): the parent here.
      const base = this.rawSegmentsFor(names.length === 0 ? names : names.slice(0, -1));
      const self = resources.find((resource) => this.matches(resource.href, target, base));
      if (!self) {
        throw new TeraSyncError(ErrorCode.BadResponse, `The server's answer to PROPFIND ${describePath(path)} does not describe it.`);
      }
      if (self.status === 404) return null;
      const serverNames = this.serverNames(self.href, names, base);
      return this.toEntry(nfc(path), serverNames.join('/'), self);
    });
  }

  async listChildren(path: string, options: { signal?: AbortSignal; onSkipped?: (entry: SkippedEntry) => void } = {}): Promise<RemoteEntry[]> {
    this.assertUsable();
    const names = splitRelativePath(path);
    const key = nfc(path);
    const contents = await this.listFolder({ names, key }, options.signal);
    for (const skipped of contents.skipped) options.onSkipped?.(skipped);
    return contents.children.map(({ name, resource }) => this.toEntry(joinRelative(key, nfc(name)), [...names, name].join('/'), resource));
  }

  async isEmptyFolder(path: string, options: { signal?: AbortSignal } = {}): Promise<boolean> {
    this.assertUsable();
    const names = splitRelativePath(path);
    const contents = await this.listFolder({ names, key: nfc(path) }, options.signal);
    return contents.children.length === 0 && contents.skipped.length === 0;
  }

  async download(path: string, destination: NodeJS.WritableStream, options: DownloadOptions = {}): Promise<DownloadResult> {
    this.assertUsable();
    const names = this.fileNames(path);
    const request: RequestDescription = { method: 'GET', path };
    const resumeFrom = options.resumeFrom;
    if (resumeFrom !== undefined && (!Number.isSafeInteger(resumeFrom.offset) || resumeFrom.offset < 0)) {
      throw localIo(`Invalid resume offset ${String(resumeFrom.offset)} for ${describePath(path)}.`);
    }
    // The If-Range value while a range may be asked for; null once it may not (see ports.ts).
    let ifRange = resumeFrom !== undefined && resumeFrom.offset > 0 ? ifMatchHeader(resumeFrom.etag) : null;
    if (resumeFrom !== undefined && resumeFrom.offset > 0 && ifRange === null) {
      this.logger.debug('webdav: no strong ETag to resume with, downloading from the start', { path });
    }
    const positional = options.positional;
    if (resumeFrom === undefined && positional !== undefined) {
      const tag = this.rangeTag(positional);
      if (tag !== null) return this.downloadRanges(path, names, positional, tag, options);
    }
    const url = this.urlFor(names, false);
    let prefixDiscarded = false;
    let written = 0;
    try {
      return await this.run(
        request,
        options.signal,
        async (attempt) => {
          const ranged = ifRange !== null && resumeFrom !== undefined ? { resumeFrom, ifRange } : null;
          let response = await this.send(
            attempt,
            'GET',
            url,
            ranged === null
              ? { 'Accept-Encoding': 'identity' }
              : { 'Accept-Encoding': 'identity', Range: `bytes=${ranged.resumeFrom.offset}-`, 'If-Range': ranged.ifRange },
          );
          let partial = ranged;
          if (ranged !== null && response.status === 416) {
            // The prefix is no prefix of this file (it is as long as the file, or longer).
            discard(response);
            this.logger.debug('webdav: range not satisfiable, downloading from the start', { path });
            ifRange = null;
            partial = null;
            response = await this.send(attempt, 'GET', url, { 'Accept-Encoding': 'identity' });
          }
          let start: BodyStart;
          if (response.status === 206) start = this.partialStart(response, partial?.resumeFrom, path);
          else if (response.status === 200) start = fullStart(response);
          else throw await this.statusError(response, request);
          const resumed = start.offset > 0;

          if (resumeFrom !== undefined && !resumed && !prefixDiscarded) {
            if (ranged !== null) this.logger.debug('webdav: the server sent the whole file, not the rest', { path, status: response.status });
            attempt.pause();
            try {
              await resumeFrom.discardPrefix();
            } catch (error) {
              discard(response);
              throw localIo(`Could not discard the partial download of ${describePath(path)}.`, error);
            } finally {
              attempt.resume();
            }
            // The prefix is gone: a retry must not ask for the rest of it.
            prefixDiscarded = true;
            ifRange = null;
          }
          try {
            options.onStart?.({ etag: start.etag, resumed, offset: start.offset, totalSize: start.totalSize });
          } catch (error) {
            discard(response);
            throw localIo(`The download of ${describePath(path)} was refused by its destination.`, error);
          }

          // Resumed: continue the caller's hash of the prefix; else hash the whole file here.
          const hash = resumed && resumeFrom !== undefined ? resumeFrom.hasher : createHash('sha256');
          const bucket = this.throttle.download;
          let received = 0;
          let destinationError: unknown;
          const onDestinationError = (error: unknown): void => {
            destinationError ??= error;
          };
          const writeOut = async (piece: Buffer): Promise<void> => {
            if (bucket.limited) {
              // Waiting for our own bandwidth limit is not a silent server.
              attempt.pause();
              try {
                await bucket.take(piece.length, attempt.signal);
              } finally {
                attempt.resume();
              }
            }
            hash.update(piece);
            received += piece.length;
            let flowing: boolean;
            try {
              flowing = destination.write(piece);
            } catch (error) {
              throw localIo(`Could not write the download of ${describePath(path)}.`, error);
            }
            written += piece.length;
            options.onProgress?.({ bytes: start.offset + received });
            if (!flowing) {
              attempt.pause();
              try {
                await once(destination, 'drain', { signal: attempt.signal });
              } catch (error) {
                if (attempt.signal.aborted) throw error;
                throw localIo(`Could not write the download of ${describePath(path)}.`, error);
              } finally {
                attempt.resume();
              }
            }
          };
          destination.on('error', onDestinationError);
          try {
            if (response.body) {
              for await (const chunk of response.body as AsyncIterable<Buffer>) {
                attempt.touch();
                if (destinationError !== undefined) break;
                if (!bucket.limited) {
                  await writeOut(chunk);
                  continue;
                }
                for (const piece of pieces(chunk)) {
                  await writeOut(piece);
                  if (destinationError !== undefined) break;
                }
              }
            }
          } finally {
            destination.removeListener('error', onDestinationError);
          }
          if (destinationError !== undefined) {
            throw localIo(`Could not write the download of ${describePath(path)}.`, destinationError);
          }
          if (start.expected !== null && received !== start.expected) {
            const cause = Object.assign(new Error(`body ended after ${received} of ${start.expected} bytes`), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
            throw new TeraSyncError(ErrorCode.Network, `The download of ${describePath(path)} ended early (${received} of ${start.expected} bytes).`, {
              cause,
            });
          }
          return { size: start.offset + received, hash: hash.digest('hex'), etag: start.etag, resumed, offset: start.offset };
        },
        () => written === 0,
      );
    } catch (error) {
      const failure = toTeraSyncError(error, ErrorCode.Network);
      if (written > 0 && isRetryable(failure)) {
        throw new TeraSyncError(
          ErrorCode.Network,
          `The download of ${describePath(path)} was interrupted after ${written} bytes; it will be fetched again.`,
          { cause: failure },
        );
      }
      throw failure;
    }
  }

  /**
   * Checks a 206 against the range asked for: the rest of the file from `resumeFrom.offset`,
   * to its end, unencoded, of the same version. Anything else is a BadResponse (body
   * discarded), never bytes appended to the caller's prefix.
   */
  private partialStart(response: HttpResponse, resumeFrom: ResumeFrom | undefined, path: string): BodyStart {
    const bad = (why: string): TeraSyncError => {
      discard(response);
      return new TeraSyncError(ErrorCode.BadResponse, `The server's partial answer (206) to GET ${describePath(path)} ${why}.`, { status: 206 });
    };
    if (resumeFrom === undefined) throw bad('came although no range was asked for');
    const encoding = (response.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity') throw bad(`is compressed (${encoding}), so its bytes are not the file's`);
    const contentRange = response.headers.get('content-range');
    const match = contentRange === null ? null : /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(contentRange.trim());
    const first = match ? Number(match[1]) : NaN;
    const last = match ? Number(match[2]) : NaN;
    const total = match && match[3] !== '*' ? Number(match[3]) : null;
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || (total !== null && !Number.isSafeInteger(total))) {
      throw bad(`has no usable Content-Range (${contentRange ?? 'none'})`);
    }
    if (first !== resumeFrom.offset) throw bad(`starts at byte ${first}, not at byte ${resumeFrom.offset} as asked (Content-Range: ${contentRange ?? ''})`);
    if (last < first || (total !== null && last !== total - 1)) {
      throw bad(`does not run to the end of the file (Content-Range: ${contentRange ?? ''})`);
    }
    const expected = last - first + 1;
    const lengthHeader = response.headers.get('content-length');
    if (lengthHeader !== null && /^\d+$/.test(lengthHeader.trim()) && Number(lengthHeader) !== expected) {
      throw bad(`says ${lengthHeader.trim()} bytes in Content-Length but ${expected} in Content-Range`);
    }
    const etag = response.headers.get('etag');
    if (etag !== null && !sameEtag(etag, resumeFrom.etag)) {
      throw bad(`is of another version of the file (ETag ${etag}, asked for ${resumeFrom.etag ?? 'none'})`);
    }
    return { offset: first, expected, totalSize: total, etag: etag ?? resumeFrom.etag };
  }

  /** The If-Range value when `target` is to be fetched in parallel ranges, else null. */
  private rangeTag(target: PositionalTarget): string | null {
    if (this.rangeSlots === null) return null;
    if (!Number.isSafeInteger(target.size) || target.size < this.ranged.minBytes) return null;
    return ifMatchHeader(target.etag);
  }

  /**
   * A large file as parallel `Range: bytes=a-b` requests, each with `If-Range: <tag>`, written
   * at their offsets into `target.file` (see PositionalTarget in ports.ts). The first range
   * goes out alone on the transfer's own request slot; once it is a good 206, up to streams - 1
   * more run beside it, each on a slot of `rangeSlots` that is free at that moment (none free:
   * fewer streams). Pieces are handed out in file order; a piece cut short is asked again
   * from its first missing byte (a short 206 is no error, a dropped body is retried).
   *
   * Never spliced: a 200 (the file changed since `tag`, or the server ignores Range), a 206 of
   * another version or size, a 416, or a 206 whose Content-Range is not the range asked for
   * makes that stream take over: it stops the others, waits until none writes any more, cuts
   * the file to 0 and writes the whole file from one answer (that 200, or a plain GET).
   *
   * The hash reads the file back behind the good prefix while the ranges run. On failure the
   * file is cut to the good prefix, so the caller keeps only bytes it may resume from.
   */
  private async downloadRanges(path: string, names: string[], target: PositionalTarget, tag: string, options: DownloadOptions): Promise<DownloadResult> {
    const request: RequestDescription = { method: 'GET', path };
    const url = this.urlFor(names, false);
    const { file, size } = target;
    const rangeSlots = this.rangeSlots;
    const ledger = new RangeLedger(size, chunkBytesFor(size, this.ranged.streams, this.ranged.chunkBytes));
    const bucket = this.throttle.download;
    const state: {
      failure: TeraSyncError | null;
      /** The stream that took over with the whole file, and what it wrote. */
      wholeBy: number | null;
      wholeWritten: number;
      whole: DownloadResult | null;
      etag: string | null;
      started: boolean;
      extrasStarted: boolean;
      bytes: number;
    } = { failure: null, wholeBy: null, wholeWritten: 0, whole: null, etag: null, started: false, extrasStarted: false, bytes: 0 };
    const controllers = new Map<number, AbortController>();
    const running = new Map<number, Promise<void>>();
    const stopOthers = (me: number | null): void => {
      ledger.stop();
      for (const [id, controller] of controllers) if (id !== me) controller.abort(new Error('stopped'));
    };
    const hashing = hashInOrder(file, ledger).catch((error: unknown) => {
      if (state.failure === null && state.wholeBy === null) {
        state.failure = localIo(`Could not read back the download of ${describePath(path)}.`, error);
        stopOthers(null);
      }
      return null;
    });
    // Unhandled until awaited below: keep a rejection from surfacing early.
    void hashing;

    const progress = (bytes: number): void => {
      state.bytes += bytes;
      options.onProgress?.({ bytes: state.bytes });
    };
    const announce = (etag: string | null): void => {
      try {
        options.onStart?.({ etag, resumed: false, offset: 0, totalSize: size });
      } catch (error) {
        throw localIo(`The download of ${describePath(path)} was refused by its destination.`, error);
      }
    };

    /** Body bytes to `file` from `position` on, gathered into writes of WRITE_BYTES. */
    const writeBody = async (
      attempt: Attempt,
      body: Readable | null,
      expected: number | null,
      position: number,
      wrote: (bytes: number) => void,
      hash: ReturnType<typeof createHash> | null,
    ): Promise<number> => {
      const buffer = Buffer.allocUnsafe(expected === null ? WRITE_BYTES : Math.max(1, Math.min(WRITE_BYTES, expected)));
      let filled = 0;
      let received = 0;
      const flush = async (): Promise<void> => {
        if (filled === 0) return;
        attempt.pause();
        try {
          await writeFully(file, buffer, filled, position);
        } catch (error) {
          throw localIo(`Could not write the download of ${describePath(path)}.`, error);
        } finally {
          attempt.resume();
        }
        hash?.update(buffer.subarray(0, filled));
        position += filled;
        const bytes = filled;
        filled = 0;
        wrote(bytes);
        progress(bytes);
      };
      if (body) {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          attempt.touch();
          if (expected !== null && received + chunk.length > expected) {
            throw new TeraSyncError(ErrorCode.BadResponse, `The server sent more of ${describePath(path)} than it announced (over ${expected} bytes).`);
          }
          received += chunk.length;
          for (const piece of bucket.limited ? pieces(chunk) : [chunk]) {
            if (bucket.limited) {
              attempt.pause();
              try {
                await bucket.take(piece.length, attempt.signal);
              } finally {
                attempt.resume();
              }
            }
            let offset = 0;
            while (offset < piece.length) {
              const copied = piece.copy(buffer, filled, offset);
              filled += copied;
              offset += copied;
              if (filled === buffer.length) await flush();
            }
          }
        }
      }
      await flush();
      if (expected !== null && received !== expected) {
        const cause = Object.assign(new Error(`body ended after ${received} of ${expected} bytes`), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
        throw new TeraSyncError(ErrorCode.Network, `The download of ${describePath(path)} ended early (${received} of ${expected} bytes).`, { cause });
      }
      return received;
    };

    /** This stream writes the whole file from one answer; every other stream stops first. */
    const takeWhole = async (attempt: Attempt, me: number, answer: HttpResponse | null, why: string): Promise<'whole' | 'stopped'> => {
      if (state.wholeBy === null) {
        if (state.failure !== null) {
          if (answer) discard(answer);
          return 'stopped';
        }
        state.wholeBy = me;
        state.bytes = 0;
        this.logger.info('webdav: a range answer was not of the version asked for; downloading the whole file in one stream', { path, why });
        stopOthers(me);
        attempt.pause();
        try {
          await Promise.allSettled([...running].filter(([id]) => id !== me).map(([, task]) => task));
          await hashing;
          await file.truncate(0);
        } catch (error) {
          if (answer) discard(answer);
          throw localIo(`Could not start the download of ${describePath(path)} again.`, error);
        } finally {
          attempt.resume();
        }
      } else if (state.wholeBy !== me) {
        if (answer) discard(answer);
        return 'stopped';
      }
      let response = answer;
      if (response === null) {
        response = await this.send(attempt, 'GET', url, { 'Accept-Encoding': 'identity' });
        if (response.status !== 200) throw await this.statusError(response, request);
      }
      const start = fullStart(response);
      announce(start.etag);
      const hash = createHash('sha256');
      const received = await writeBody(attempt, response.body, start.expected, 0, (bytes) => (state.wholeWritten += bytes), hash);
      state.whole = { size: received, hash: hash.digest('hex'), etag: start.etag, resumed: false, offset: 0 };
      return 'whole';
    };

    const startExtras = (): void => {
      if (state.extrasStarted || rangeSlots === null) return;
      state.extrasStarted = true;
      for (let id = 1; id < this.ranged.streams; id += 1) {
        const release = rangeSlots.tryAcquire();
        if (release === null) break;
        launch(id, release);
      }
    };

    /** One piece, asked again from its first missing byte until it is complete. */
    const fetchPiece = async (attempt: Attempt, me: number, piece: Piece): Promise<'done' | 'whole' | 'stopped'> => {
      if (state.wholeBy !== null) return takeWhole(attempt, me, null, 'taken over');
      while (piece.next < piece.end) {
        const first = piece.next;
        const last = piece.end - 1;
        const response = await this.send(attempt, 'GET', url, { 'Accept-Encoding': 'identity', Range: `bytes=${first}-${last}`, 'If-Range': tag });
        if (response.status === 200) return takeWhole(attempt, me, response, 'the server answered a ranged request with the whole file (200)');
        if (response.status === 416) {
          discard(response);
          return takeWhole(attempt, me, null, 'the server found the range outside the file (416)');
        }
        if (response.status !== 206) throw await this.statusError(response, request);
        const checked = checkRange(response.headers, first, last, size, (etag) => sameEtag(etag, tag));
        if (typeof checked === 'string') {
          discard(response);
          return takeWhole(attempt, me, null, `its 206 ${checked}`);
        }
        if (state.wholeBy !== null || state.failure !== null) {
          discard(response);
          return state.wholeBy === me ? takeWhole(attempt, me, null, 'taken over') : 'stopped';
        }
        if (!state.started) {
          state.started = true;
          state.etag = response.headers.get('etag') ?? target.etag;
          announce(state.etag);
        }
        startExtras();
        await writeBody(attempt, response.body, checked.last - first + 1, first, (bytes) => ledger.wrote(piece, bytes), null);
      }
      return 'done';
    };

    const launch = (me: number, heldSlot: (() => void) | null): void => {
      const controller = new AbortController();
      controllers.set(me, controller);
      const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
      const stopping = (): boolean => controller.signal.aborted || (state.wholeBy !== null && state.wholeBy !== me);
      const task = (async () => {
        try {
          for (;;) {
            const piece = state.wholeBy === me ? ({ start: 0, next: 0, end: 0 } as Piece) : ledger.take();
            if (piece === undefined) return;
            const outcome = await this.run(
              request,
              signal,
              (attempt) => fetchPiece(attempt, me, piece),
              // A piece restarts at its first missing byte; the whole file only before its first.
              () => !stopping() && (state.wholeBy !== me || state.wholeWritten === 0),
              heldSlot === null ? this.slots : null,
            );
            if (outcome !== 'done') return;
          }
        } catch (error) {
          if (stopping() && !options.signal?.aborted) return;
          if (state.failure === null) {
            state.failure = toTeraSyncError(error, ErrorCode.Network);
            stopOthers(me);
          }
        } finally {
          heldSlot?.();
        }
      })();
      running.set(me, task);
    };

    launch(0, null);
    // Streams started later (startExtras) join `running`: wait until every one has ended.
    let launched: number;
    do {
      launched = running.size;
      await Promise.allSettled([...running.values()]);
    } while (running.size !== launched);
    if (state.failure === null && state.whole === null && ledger.goodPrefix < size) {
      state.failure = new TeraSyncError(ErrorCode.Network, `The download of ${describePath(path)} stopped before its end.`);
    }
    if (state.failure !== null) {
      ledger.stop();
      await hashing;
      const good = state.wholeBy !== null ? state.wholeWritten : ledger.goodPrefix;
      try {
        await file.truncate(good);
      } catch (error) {
        this.logger.warn('webdav: could not cut a failed download to its good bytes', { path, code: failureCode(error) });
        await file.truncate(0).catch(() => undefined);
      }
      const failure = state.failure;
      if (good > 0 && isRetryable(failure)) {
        throw new TeraSyncError(ErrorCode.Network, `The download of ${describePath(path)} was interrupted after ${good} bytes; it will be fetched again.`, {
          cause: failure,
        });
      }
      throw failure;
    }
    if (state.whole !== null) return state.whole;
    const hash = await hashing;
    if (hash === null) throw localIo(`Could not read back the download of ${describePath(path)}.`);
    return { size, hash, etag: state.etag, resumed: false, offset: 0 };
  }

  async upload(path: string, open: () => Readable, size: number, options: UploadOptions = {}): Promise<UploadResult> {
    this.assertUsable();
    const names = this.fileNames(path);
    if (!Number.isSafeInteger(size) || size < 0) throw localIo(`Invalid size ${size} for ${describePath(path)}.`);
    const request: RequestDescription = { method: 'PUT', path };
    const conditions = await this.conditionHeaders(path, options);
    const answer = await this.run(request, options.signal, async (attempt) => {
      let source: Readable;
      try {
        source = open();
      } catch (error) {
        throw localIo(`Could not open ${describePath(path)} for upload.`, error);
      }
      let sent = 0;
      let passed = 0;
      let localError: TeraSyncError | undefined;
      const fail = (error: TeraSyncError): TeraSyncError => {
        localError ??= error;
        return localError;
      };
      const bucket = this.throttle.upload;
      // Ends a wait for bandwidth once this attempt is over, whatever ended it; made at the
      // first wait (without a limit there is none, and each upload's pair of signals cost).
      let pacing: AbortController | undefined;
      let paceSignal: AbortSignal | undefined;
      const pace = async (chunk: Buffer): Promise<void> => {
        pacing ??= new AbortController();
        paceSignal ??= AbortSignal.any([attempt.signal, pacing.signal]);
        for (const piece of pieces(chunk)) {
          // Waiting for our own bandwidth limit is not a silent server.
          attempt.pause();
          try {
            await bucket.take(piece.length, paceSignal);
          } finally {
            attempt.resume();
          }
          passed += piece.length;
          options.onProgress?.({ bytes: passed });
          counter.push(piece);
        }
      };
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          attempt.touch();
          sent += chunk.length;
          if (sent > size) {
            callback(fail(localIo(`${describePath(path)} grew while it was being uploaded.`)));
            return;
          }
          if (!bucket.limited) {
            passed += chunk.length;
            options.onProgress?.({ bytes: passed });
            callback(null, chunk);
            return;
          }
          // The callback waits for the bandwidth: the source is paused meanwhile (backpressure).
          pace(chunk).then(
            () => callback(),
            (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
          );
        },
        flush(callback) {
          if (sent !== size) callback(fail(localIo(`${describePath(path)} changed size while it was being uploaded (${sent} of ${size} bytes).`)));
          else callback();
        },
      });
      source.on('error', (error: unknown) => {
        fail(localIo(`Could not read ${describePath(path)} for upload.`, error));
        counter.destroy(localError);
      });
      source.pipe(counter);
      try {
        const response = await this.send(
          attempt,
          'PUT',
          this.urlFor(names, false),
          { 'Content-Length': String(size), 'Content-Type': 'application/octet-stream', ...conditions },
          counter,
        );
        if (localError) {
          discard(response);
          throw localError;
        }
        if (!isSuccess(response.status)) throw await this.statusError(response, request);
        discard(response);
        // Apache answers once it has Content-Length bytes, possibly before the source has
        // reported its end: wait for it, so that bytes beyond `size` (a file that grew) are
        // noticed and the source is never cut off before its 'end'.
        try {
          await finished(counter, { readable: false });
        } catch (error) {
          if (localError) throw localError;
          // The server answered success with all Content-Length bytes in hand, then closed the
          // connection (Apache does after MaxKeepAliveRequests) before our body stream saw its
          // end, which tears that stream down. The upload is done: retrying it would send the
          // file twice (and with If-None-Match, take our own copy for a conflict). A file that
          // grew meanwhile is the caller's to notice (the executor stats it again).
          this.logger.debug('webdav: connection closed after the PUT was answered', { path, code: failureCode(error) });
        }
        return { etag: response.headers.get('etag'), date: response.headers.get('date') };
      } catch (error) {
        throw localError ?? error;
      } finally {
        pacing?.abort();
        source.unpipe(counter);
        source.destroy();
      }
    });
    const putEtag = answer.etag;
    if (options.statAfter === false) {
      // The caller learns the tag from its next listing: on Apache, whose PUT answers carry no
      // ETag, this saves one PROPFIND per file. The server's Date stands in for the mtime.
      const date = answer.date === null ? Number.NaN : Date.parse(answer.date);
      return {
        entry: {
          path: nfc(path),
          remotePath: path,
          type: 'file',
          size,
          mtimeMs: Number.isFinite(date) ? date : this.clock.now(),
          etag: putEtag,
        },
      };
    }
    const stat = await this.stat(path, { signal: options.signal });
    if (stat === null || stat.type !== 'file') {
      throw new TeraSyncError(ErrorCode.BadResponse, `${describePath(path)} is not on the server right after its upload.`);
    }
    if (putEtag !== null && stat.etag !== null && !sameEtag(putEtag, stat.etag)) {
      // Someone wrote the file between our PUT and PROPFIND: remember our version's tag so
      // the next sync sees theirs as a remote change instead of taking it for ours.
      this.logger.warn('webdav: file changed right after upload', { path });
      return { entry: { ...stat, etag: putEtag } };
    }
    if (stat.size !== size) this.logger.warn('webdav: uploaded size differs from the server size', { path, size, remoteSize: stat.size });
    return { entry: { ...stat, etag: stat.etag ?? putEtag } };
  }

  async createFolder(path: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    this.assertUsable();
    const names = splitRelativePath(path);
    const request: RequestDescription = { method: 'MKCOL', path };
    const outcome = await this.run(request, options.signal, async (attempt) => {
      const response = await this.send(attempt, 'MKCOL', this.urlFor(names, true), {});
      if (isSuccess(response.status)) {
        discard(response);
        return 'created' as const;
      }
      // mod_dav: 405 on an existing collection with a trailing slash, 301 without one. When a
      // FILE has that name, RFC 4918 servers answer 405 too and Apache 2.4 answers 400 (the
      // trailing slash on a file): look before calling any of them success.
      if (response.status === 405 || response.status === 301 || response.status === 400) {
        discard(response);
        return response.status;
      }
      throw await this.statusError(response, request);
    });
    if (outcome === 'created') return;
    const existing = await this.stat(path, options);
    if (existing?.type === 'dir') return;
    if (existing?.type === 'file') {
      throw new TeraSyncError(ErrorCode.Conflict, `Cannot create the folder ${describePath(path)}: a file with that name exists on the server.`, {
        status: outcome,
      });
    }
    throw errorFromStatus(outcome, request, { authKind: this.authKind });
  }

  async remove(path: string, type: 'file' | 'dir', options: { signal?: AbortSignal; ifMatch?: string | null } = {}): Promise<void> {
    this.assertUsable();
    const names = splitRelativePath(path);
    if (names.length === 0) throw new TeraSyncError(ErrorCode.InvalidName, 'Refusing to delete the sync folder itself.');
    const request: RequestDescription = { method: 'DELETE', path };
    let guard: string | null = null;
    if (type === 'file' && options.ifMatch !== undefined && options.ifMatch !== null && options.ifMatch.trim() !== '') {
      const checked = await this.strongGuard(path, options.ifMatch, options.signal);
      // Gone already: what the caller wanted.
      if (checked === 'gone') return;
      guard = checked;
    }
    await this.run(request, options.signal, async (attempt) => {
      const response = await this.send(attempt, 'DELETE', this.urlFor(names, type === 'dir'), guard === null ? {} : { 'If-Match': guard });
      if (isSuccess(response.status) || response.status === 404) {
        discard(response);
        return;
      }
      if (response.status === 207) throw await this.multiStatusError(attempt, response, request);
      throw await this.statusError(response, request);
    });
  }

  async move(from: string, to: string, type: 'file' | 'dir', options: { signal?: AbortSignal; ifMatch?: string | null } = {}): Promise<void> {
    this.assertUsable();
    const fromNames = splitRelativePath(from);
    const toNames = splitRelativePath(to);
    if (fromNames.length === 0 || toNames.length === 0) throw new TeraSyncError(ErrorCode.InvalidName, 'Cannot move the sync folder itself.');
    const request: RequestDescription = { method: 'MOVE', path: from };
    const collection = type === 'dir';
    // The same guard as a DELETE's: only the version the caller knows may move.
    let guard: string | null = null;
    if (type === 'file' && options.ifMatch !== undefined && options.ifMatch !== null && options.ifMatch.trim() !== '') {
      const checked = await this.strongGuard(from, options.ifMatch, options.signal);
      if (checked === 'gone') throw new TeraSyncError(ErrorCode.NotFound, `${describePath(from)} is not on the server any more.`, { status: 404 });
      guard = checked;
    }
    const outcome = await this.run(request, options.signal, async (attempt, attemptNumber) => {
      const response = await this.send(attempt, 'MOVE', this.urlFor(fromNames, collection), {
        Destination: this.urlFor(toNames, collection),
        Overwrite: 'F',
        ...(guard === null ? {} : { 'If-Match': guard }),
      });
      if (isSuccess(response.status)) {
        discard(response);
        return null;
      }
      if (response.status === 207) throw await this.multiStatusError(attempt, response, request);
      const error = await this.statusError(response, request);
      // An earlier attempt may have moved it before its answer got lost.
      if (attemptNumber > 1 && (response.status === 404 || response.status === 412)) return error;
      if (response.status === 412) {
        throw new TeraSyncError(ErrorCode.PreconditionFailed, `Cannot move ${describePath(from)} to ${describePath(to)}: the destination exists.`, {
          status: 412,
        });
      }
      throw error;
    });
    if (outcome === null) return;
    const [source, target] = await Promise.all([this.stat(from, options), this.stat(to, options)]);
    if (source === null && target !== null) return;
    throw outcome;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.agent.destroy();
  }

  // ---- requests ------------------------------------------------------------------------------

  private assertUsable(): void {
    if (this.disposed) throw new TeraSyncError(ErrorCode.Cancelled, 'The WebDAV connection was closed.');
  }

  /**
   * Runs `body` with retries (retry.ts): each try takes a request slot, then gets a fresh
   * Attempt (abort + watchdog), so the watchdog never counts time spent waiting for a socket.
   * `body` must not call `run` itself (it holds a slot).
   */
  private async run<T>(
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
      const attempt = new Attempt(this.timeoutMs, signal);
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

  private async send(attempt: Attempt, method: string, url: string, headers: Record<string, string>, data?: string | Readable): Promise<HttpResponse> {
    this.assertUsable();
    try {
      const response = await this.client.customRequest('', {
        url,
        method,
        headers: attempt.authorization === null ? headers : { ...headers, Authorization: attempt.authorization },
        // node-fetch streams a Readable body; webdav's type only lists buffers and strings.
        ...(data === undefined ? {} : { data: data as unknown as RequestDataPayload }),
        signal: attempt.signal,
      });
      attempt.touch();
      const http = response as unknown as HttpResponse;
      this.logger.debug('webdav', { method, status: http.status });
      return http;
    } catch (error) {
      // customRequest throws on status >= 400 with the response attached: we handle statuses.
      const response = (error as { response?: unknown } | null)?.response;
      if (typeof (error as { status?: unknown }).status === 'number' && response) {
        attempt.touch();
        const http = response as HttpResponse;
        this.logger.debug('webdav', { method, status: http.status });
        return http;
      }
      throw error;
    }
  }

  private async statusError(response: HttpResponse, request: RequestDescription): Promise<TeraSyncError> {
    discard(response);
    return errorFromStatus(response.status, request, {
      statusText: response.statusText,
      retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after'), this.clock.now()),
      authKind: this.authKind,
    });
  }

  /** A 207 to DELETE / MOVE means part of it failed: report the first failing status. */
  private async multiStatusError(attempt: Attempt, response: HttpResponse, request: RequestDescription): Promise<TeraSyncError> {
    const resources = await parseMultistatus(await this.readText(attempt, response), request);
    const failed = resources.find((resource) => resource.status >= 300);
    return errorFromStatus(failed?.status ?? 500, request, { authKind: this.authKind });
  }

  private async readText(attempt: Attempt, response: HttpResponse): Promise<string> {
    if (!response.body) return '';
    const chunks: Buffer[] = [];
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      attempt.touch();
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** PROPFIND; null on 404, the resources on 207 (or a 200 carrying a multistatus). */
  private async propfind(
    attempt: Attempt,
    request: RequestDescription,
    names: readonly string[],
    collection: boolean,
    depth: '0' | '1',
  ): Promise<DavResource[] | null> {
    const body = await this.propfindText(attempt, request, names, collection, depth);
    return body === null ? null : parseMultistatus(body, request);
  }

  /** PROPFIND; null on 404, the multistatus body's text on 207 (or 200). */
  private async propfindText(
    attempt: Attempt,
    request: RequestDescription,
    names: readonly string[],
    collection: boolean,
    depth: '0' | '1',
  ): Promise<string | null> {
    const response = await this.send(
      attempt,
      'PROPFIND',
      this.urlFor(names, collection),
      { Depth: depth, 'Content-Type': 'application/xml; charset=utf-8' },
      PROPFIND_BODY,
    );
    if (response.status === 404) {
      discard(response);
      return null;
    }
    if (response.status !== 207 && response.status !== 200) throw await this.statusError(response, request);
    return this.readText(attempt, response);
  }

  private async listFolder(folder: FolderRef, signal: AbortSignal | undefined): Promise<FolderContents>;
  private async listFolder(
    folder: FolderRef,
    signal: AbortSignal | undefined,
    knownHash: string | undefined,
  ): Promise<{ hash: string; contents: FolderContents | null }>;
  /**
   * One folder's `Depth: 1` PROPFIND. With `knownHash` (a string or undefined): also the body's
   * hash, and contents null when the body hashes to `knownHash` (not parsed again).
   */
  private async listFolder(
    folder: FolderRef,
    signal: AbortSignal | undefined,
    ...known: [string | undefined] | []
  ): Promise<FolderContents | { hash: string; contents: FolderContents | null }> {
    const path = folder.names.join('/');
    const request: RequestDescription = { method: 'PROPFIND', path };
    return this.run(request, signal, async (attempt) => {
      const body = await this.propfindText(attempt, request, folder.names, true, '1');
      if (body === null) throw errorFromStatus(404, request, { authKind: this.authKind });
      if (known.length === 0) return this.sortFolder(folder, await parseMultistatus(body, request), request);
      const hash = multistatusHash(body);
      if (hash === known[0]) return { hash, contents: null };
      return { hash, contents: this.sortFolder(folder, await parseMultistatus(body, request), request) };
    });
  }

  /** Tells the folder itself from its children, and keeps unsafe names out of the children. */
  private sortFolder(folder: FolderRef, resources: DavResource[], request: RequestDescription): FolderContents {
    const target = this.fullNames(folder.names);
    const baseRaw = this.rawSegmentsFor(folder.names);
    let self: DavResource | undefined;
    const children: ChildResource[] = [];
    const skipped: SkippedEntry[] = [];
    for (const resource of resources) {
      const raw = hrefRawSegments(resource.href, baseRaw);
      const decoded = raw.map(decodeSegment);
      const prefixMatches = target.every((name, index) => {
        const other = decoded[index];
        return other !== null && other !== undefined && nfc(other) === name;
      });
      if (prefixMatches && decoded.length === target.length) {
        self ??= resource;
        continue;
      }
      const rawName = raw[raw.length - 1] ?? '';
      if (!prefixMatches || decoded.length !== target.length + 1) {
        skipped.push({
          path: joinRelative(folder.key, rawName),
          side: 'remote',
          reason: 'invalid-name',
          message: `The server listed "${resource.href}" in ${describePath(folder.key)}, but it is not directly inside that folder.`,
        });
        continue;
      }
      const name = decoded[decoded.length - 1] ?? null;
      const isDir = resource.props?.isCollection ?? false;
      if (name === null) {
        // Not UTF-8 (or broken percent-encoding): shown as local names are, bad bytes as \xHH.
        const bytes = percentDecodeBytes(rawName);
        const shown = bytes === null ? rawName : escapeNameBytes(bytes);
        const why =
          bytes === null
            ? `Skipped the remote entry "${rawName}" in ${describePath(folder.key)}: the server sent a name that is not valid percent-encoding; it is left on the server.`
            : invalidEncodingMessage(isDir, 'remote');
        skipped.push({ path: joinRelative(folder.key, shown), side: 'remote', reason: 'invalid-name', message: why });
        continue;
      }
      if (name.includes('\\') && !name.includes('/') && !name.includes('\0')) {
        // Shown as it is, not percent-encoded: the rule and the sentence are the local side's.
        skipped.push({ path: joinRelative(folder.key, nfc(name)), side: 'remote', reason: 'invalid-name', message: backslashMessage(isDir, 'remote') });
        continue;
      }
      const reason = invalidNameReason(name);
      if (reason !== null) {
        skipped.push({
          path: joinRelative(folder.key, rawName),
          side: 'remote',
          reason: 'invalid-name',
          message: `Skipped the remote entry "${rawName}" in ${describePath(folder.key)}: ${reason}.`,
        });
        continue;
      }
      if (resource.props === null) {
        skipped.push({
          path: joinRelative(folder.key, nfc(name)),
          side: 'remote',
          reason: 'unreadable',
          message: `The server gave no properties for "${name}" (status ${resource.status}).`,
        });
        continue;
      }
      children.push({ name, resource });
    }
    if (!self) {
      throw new TeraSyncError(
        ErrorCode.BadResponse,
        `The server's answer to ${request.method} ${describePath(request.path)} does not include the folder itself ` +
          '(is the WebDAV URL spelled exactly as the server spells it?).',
      );
    }
    if (self.props !== null && !self.props.isCollection) {
      throw new TeraSyncError(ErrorCode.Conflict, `${describePath(folder.key)} is a file on the server, not a folder.`);
    }
    return { self, children, skipped };
  }

  private toEntry(key: string, remotePath: string, resource: DavResource): RemoteEntry {
    const props = resource.props;
    if (props === null) {
      throw new TeraSyncError(ErrorCode.BadResponse, `The server gave no properties for ${describePath(remotePath)} (status ${resource.status}).`);
    }
    const type = props.isCollection ? 'dir' : 'file';
    return {
      path: key,
      remotePath,
      type,
      size: type === 'dir' ? 0 : (props.size ?? 0),
      mtimeMs: props.mtimeMs ?? 0,
      etag: props.etag,
    };
  }

  /** If-Match / If-None-Match for an upload (see the header comment for weak tags). */
  private async conditionHeaders(path: string, options: UploadOptions): Promise<Record<string, string>> {
    const headers: Record<string, string> = {};
    if (options.ifNoneMatch) headers['If-None-Match'] = '*';
    if (options.ifMatch === undefined || options.ifMatch === null || options.ifMatch.trim() === '') return headers;
    const guard = await this.strongGuard(path, options.ifMatch, options.signal);
    if (guard === 'gone') {
      throw new TeraSyncError(ErrorCode.PreconditionFailed, `${describePath(path)} changed on the server since it was last synced.`, {
        status: 412,
      });
    }
    if (guard !== null) headers['If-Match'] = guard;
    return headers;
  }

  /**
   * The `If-Match` value that guards a change of `path` known by `etag`. mod_dav compares
   * strongly, and Apache hands out a weak tag for a file written within the last second, so a
   * weak tag is never sent: the file's current state is asked for instead. Resolves 'gone' when
   * the file is not there any more, null when it is unchanged but still only has a weak tag
   * (the change then goes out unguarded, right after this check); rejects with
   * PreconditionFailed when it changed.
   */
  private async strongGuard(path: string, etag: string, signal: AbortSignal | undefined): Promise<string | 'gone' | null> {
    const strong = ifMatchHeader(etag);
    if (strong !== null) return strong;
    const current = await this.stat(path, { signal });
    if (current === null) return 'gone';
    if (current.type !== 'file' || !sameEtag(current.etag, etag)) {
      throw new TeraSyncError(ErrorCode.PreconditionFailed, `${describePath(path)} changed on the server since it was last synced.`, {
        status: 412,
      });
    }
    const currentStrong = ifMatchHeader(current.etag);
    if (currentStrong === null) this.logger.debug('webdav: weak ETag, sending without If-Match after checking the file', { path });
    return currentStrong;
  }

  // ---- paths ---------------------------------------------------------------------------------

  private fileNames(path: string): string[] {
    const names = splitRelativePath(path);
    if (names.length === 0) throw new TeraSyncError(ErrorCode.InvalidName, 'The sync folder itself is not a file.');
    return names;
  }

  private urlFor(names: readonly string[], collection: boolean): string {
    const encoded = names.map(encodeSegment).join('/');
    return `${this.rootUrl}${encoded}${collection && names.length > 0 ? '/' : ''}`;
  }

  private rawSegmentsFor(names: readonly string[]): string[] {
    return [...this.rootRawSegments, ...names.map(encodeSegment)];
  }

  /** Decoded, NFC names from the server root down to `names`. */
  private fullNames(names: readonly string[]): string[] {
    return [...this.rootNames, ...names.map(nfc)];
  }

  private matches(href: string, target: readonly string[], baseRaw: readonly string[]): boolean {
    const decoded = hrefRawSegments(href, baseRaw).map(decodeSegment);
    return decoded.length === target.length && decoded.every((name, index) => name !== null && nfc(name) === target[index]);
  }

  /** The server's spelling of the names below the root in an href (falls back to ours). */
  private serverNames(href: string, names: readonly string[], baseRaw: readonly string[]): string[] {
    const decoded = hrefRawSegments(href, baseRaw).map(decodeSegment);
    const below = decoded.slice(this.rootNames.length);
    return below.every((name): name is string => name !== null) && below.length === names.length ? below : [...names];
  }
}
