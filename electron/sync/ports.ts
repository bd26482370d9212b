/**
 * The ports through which the sync core reaches the outside world. Implementations are built
 * in a composition root (electron/main for the app, electron/cli for the command) and handed
 * in; tests hand in fakes or real loopback servers.
 */
import type { Readable } from 'node:stream';
import type { Listing, RemoteEntry } from './model.js';

export interface TransferProgress {
  /** Bytes moved so far for this file. */
  bytes: number;
}

export interface DownloadResult {
  size: number;
  /** sha256 (hex) of what was written. */
  hash: string;
  /** ETag the GET answered with, as sent (may carry W/ or -gzip). */
  etag: string | null;
}

export interface UploadResult {
  /** The remote entry after the upload (from the PUT answer or a follow-up PROPFIND). */
  entry: RemoteEntry;
}

export interface UploadOptions {
  /**
   * The ETag the caller last saw (as sent by the server). A strong tag goes in `If-Match`; a
   * weak one is never sent, but checked against the server's current tag first.
   */
  ifMatch?: string | null;
  /** Send `If-None-Match: *` (the file must not exist yet). */
  ifNoneMatch?: boolean;
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
}

export interface DownloadOptions {
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
}

/**
 * The server side of a sync pair. Paths are relative to the pair's remote root, `/`-separated,
 * not URL-encoded, without leading or trailing slash ('' is the root). Every failure is a
 * TeraSyncError with a code.
 */
export interface RemoteStore {
  /** The whole tree under the root. Throws NotFound when the root itself does not exist. */
  list(options?: { signal?: AbortSignal }): Promise<Listing<RemoteEntry>>;
  /** One entry, or null when absent. */
  stat(path: string, options?: { signal?: AbortSignal }): Promise<RemoteEntry | null>;
  /** True when the folder has no children (used before a recursive DELETE). */
  isEmptyFolder(path: string, options?: { signal?: AbortSignal }): Promise<boolean>;
  /** Streams the file into `destination` (a writable the caller owns and closes). */
  download(path: string, destination: NodeJS.WritableStream, options?: DownloadOptions): Promise<DownloadResult>;
  /** Streams `open()` to the server; `open` is called again for each retry. */
  upload(path: string, open: () => Readable, size: number, options?: UploadOptions): Promise<UploadResult>;
  /** Creates the folder; a folder that already exists is success. */
  createFolder(path: string, options?: { signal?: AbortSignal }): Promise<void>;
  /** Deletes a file, or a folder with what is in it. A missing entry is success. */
  remove(path: string, type: 'file' | 'dir', options?: { signal?: AbortSignal }): Promise<void>;
  /** Server-side move; fails with PreconditionFailed when `to` exists. */
  move(from: string, to: string, type: 'file' | 'dir', options?: { signal?: AbortSignal }): Promise<void>;
  /** Releases sockets and timers. */
  dispose(): Promise<void>;
}

/** Moves local files to the OS trash instead of unlinking them. */
export interface Trash {
  trash(absolutePath: string): Promise<void>;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
