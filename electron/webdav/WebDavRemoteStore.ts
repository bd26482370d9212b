/**
 * RemoteStore over WebDAV, written for TeraCLOUD / InfiniCLOUD (Apache httpd + mod_dav, see
 * docs/SERVICE.md, The WebDAV server) and any RFC 4918 server.
 *
 * This class only composes the parts, one concern each (docs/ARCHITECTURE.md, The WebDAV
 * store, says how they work and why):
 * - transport.ts: the root URL, the agent (and proxy), authorization, request slots, the idle
 *   watchdog, retries and the mapping of failures to coded errors;
 * - listing.ts: PROPFIND, the multistatus sorted into entries, the walk and its cache;
 * - download.ts: GET, resumed or as parallel ranges;
 * - upload.ts and conditions.ts: the conditional PUT and the If-Match guards;
 * - namespace.ts: MKCOL, DELETE and MOVE;
 * - Throttle.ts: the bandwidth limits, one bucket per direction for the whole store.
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import type { Listing, RemoteEntry, SkippedEntry } from '../sync/model.js';
import { systemClock, type Clock } from '../core/time.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { DownloadOptions, DownloadResult, RemoteStore, UploadOptions, UploadResult } from '../sync/ports.js';
import type { Readable } from 'node:stream';
import type { ProxySetting } from '../net/proxy.js';
import { rangedSettings, WebDavDownloads } from './download.js';
import { WebDavListing, type ListOptions } from './listing.js';
import { WebDavNamespace } from './namespace.js';
import type { RangedDownloadOptions } from './rangedDownload.js';
import { Throttle, type BandwidthLimits } from './Throttle.js';
import { WebDavTransport, type WebDavAuth } from './transport.js';
import { WebDavUploads } from './upload.js';

export type { BandwidthLimits } from './Throttle.js';
export type { RangedDownloadOptions } from './rangedDownload.js';
export type { BearerTokenSource, WebDavAuth } from './transport.js';
export type { ListOptions } from './listing.js';

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

const DEFAULT_CONCURRENCY = 6;

export class WebDavRemoteStore implements RemoteStore {
  private readonly transport: WebDavTransport;
  private readonly throttle: Throttle;
  private readonly listing: WebDavListing;
  private readonly downloads: WebDavDownloads;
  private readonly uploads: WebDavUploads;
  private readonly namespace: WebDavNamespace;

  constructor(options: WebDavRemoteStoreOptions) {
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
    const clock = options.clock ?? systemClock;
    const ranged = rangedSettings(options.rangedDownloads);
    this.transport = new WebDavTransport({
      url: options.url,
      auth: options.auth,
      ca: options.ca,
      concurrency,
      extraSockets: ranged.streams - 1,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      clock,
      random: options.random ?? Math.random,
      logger: options.logger ?? silentLogger,
      proxy: options.proxy,
    });
    this.throttle = new Throttle(clock);
    this.setBandwidth(options.bandwidth ?? {});
    this.listing = new WebDavListing(this.transport, concurrency);
    this.downloads = new WebDavDownloads(this.transport, this.throttle, ranged);
    this.uploads = new WebDavUploads(this.transport, this.listing, this.throttle);
    this.namespace = new WebDavNamespace(this.transport, this.listing);
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

  /** The tree, walked with `Depth: 1` PROPFINDs (see WebDavListing.list for the shortcuts). */
  list(options: ListOptions = {}): Promise<Listing<RemoteEntry>> {
    return this.listing.list(options);
  }

  /**
   * False once a listing showed a folder whose entries changed while its ETag stayed the same:
   * `reuseUnchangedFolders` is then off for good (for this store). A caller may keep the
   * verdict (the sync journal does) and hand it to the next store with `distrustFolderEtags`.
   */
  get folderEtagsTrackEntries(): boolean {
    return this.listing.folderEtagsTrackEntries;
  }

  /** Turns `reuseUnchangedFolders` off for good, as a failed check does. */
  distrustFolderEtags(): void {
    this.listing.distrustFolderEtags();
  }

  stat(path: string, options: { signal?: AbortSignal } = {}): Promise<RemoteEntry | null> {
    return this.listing.stat(path, options);
  }

  listChildren(path: string, options: { signal?: AbortSignal; onSkipped?: (entry: SkippedEntry) => void } = {}): Promise<RemoteEntry[]> {
    return this.listing.listChildren(path, options);
  }

  isEmptyFolder(path: string, options: { signal?: AbortSignal } = {}): Promise<boolean> {
    return this.listing.isEmptyFolder(path, options);
  }

  download(path: string, destination: NodeJS.WritableStream, options: DownloadOptions = {}): Promise<DownloadResult> {
    return this.downloads.download(path, destination, options);
  }

  async upload(path: string, open: () => Readable, size: number, options: UploadOptions = {}): Promise<UploadResult> {
    try {
      return await this.uploads.upload(path, open, size, options);
    } finally {
      this.listing.wrote(path);
    }
  }

  async createFolder(path: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    try {
      await this.namespace.createFolder(path, options);
    } finally {
      this.listing.wrote(path);
    }
  }

  async remove(path: string, type: 'file' | 'dir', options: { signal?: AbortSignal; ifMatch?: string | null } = {}): Promise<void> {
    try {
      await this.namespace.remove(path, type, options);
    } finally {
      this.listing.wrote(path);
    }
  }

  async move(from: string, to: string, type: 'file' | 'dir', options: { signal?: AbortSignal; ifMatch?: string | null } = {}): Promise<void> {
    try {
      await this.namespace.move(from, to, type, options);
    } finally {
      this.listing.wrote(from);
      this.listing.wrote(to);
    }
  }

  async dispose(): Promise<void> {
    this.transport.dispose();
  }
}
