/**
 * The ports through which the sync core reaches the outside world. Implementations are built
 * in a composition root (electron/main for the app, electron/cli for the command) and handed
 * in; tests hand in fakes or real loopback servers.
 */
import type { Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Listing, RemoteEntry, SkippedEntry } from './model.js';

export interface TransferProgress {
  /**
   * Bytes moved so far for this file. A resumed download counts the prefix the caller already
   * held, so the number is a position in the file and ends at the file's size.
   */
  bytes: number;
}

export interface DownloadResult {
  /** Size of the whole file: the resumed prefix (`offset`) plus what this call wrote. */
  size: number;
  /** sha256 (hex) of the whole file, the resumed prefix included. */
  hash: string;
  /**
   * ETag the GET answered with, as sent (may carry W/ or -gzip). A resumed answer (206) that
   * sent none gives `resumeFrom.etag`: If-Range guarantees it is that representation.
   */
  etag: string | null;
  /** True when the server sent only the bytes after `resumeFrom.offset` (206). */
  resumed: boolean;
  /** Bytes skipped because the caller already held them: `resumeFrom.offset` when resumed, else 0. */
  offset: number;
}

/**
 * What the caller holds of a download that was cut short, to fetch only the rest (HTTP Range).
 *
 * Design: the store never sees the prefix bytes, yet `DownloadResult.hash` is the sha256 of the
 * whole file. So the caller hands in a sha256 `Hash` already fed with exactly the `offset` bytes
 * it holds, and the store continues it with the rest. A Hash lives in memory only: after a
 * process restart (or whenever in doubt) re-hash the partial file from disk, and take `offset`
 * from its length on disk.
 *
 * The store sends `Range: bytes=<offset>-` with `If-Range: <etag>` only when `offset > 0` and
 * `etag` is strong (a weak tag cannot be used in If-Range). The server then answers:
 * - 206 starting at `offset` (Content-Range checked; a mismatch is a BadResponse, nothing
 *   written): only the rest is written to `destination`; `hasher` is continued and digested.
 * - 200 (the file changed since `etag`, or the server ignores Range), or the store did not ask
 *   for a range (weak or missing tag, offset 0), or 416 (then the store asks again without
 *   Range): the whole file is written. Before its first byte the store awaits
 *   `discardPrefix()`, and the caller must make `destination` start again at byte 0 (for
 *   example: the partial file opened with flags 'a' (O_APPEND), and `discardPrefix` truncating
 *   it to 0). `hasher` is left alone (not fed, not digested); the store hashes from scratch.
 *
 * Either way `hasher` must not be reused after the call: to resume again, build a new one from
 * the file on disk.
 */
export interface ResumeFrom {
  /** Bytes the caller already holds (the first `offset` bytes of the file). Integer >= 0. */
  offset: number;
  /**
   * The ETag the server gave for the representation those bytes came from (`onStart`'s `etag`
   * when they were downloaded, else the listing's), as sent. Weak or null: no Range is sent.
   */
  etag: string | null;
  /** sha256 Hash fed with exactly those `offset` bytes (createHash('sha256')); the store continues it. */
  hasher: Hash;
  /**
   * Called (and awaited) at most once, before the first byte is written, when the answer is
   * the whole file rather than the rest: make `destination` hold nothing again. A throw fails
   * the download with LocalIo.
   */
  discardPrefix: () => void | Promise<void>;
}

/** What a download answer is about to deliver; given before its first byte is written. */
export interface DownloadStart {
  /** As in DownloadResult: record it beside a partial file, it is the tag to resume with. */
  etag: string | null;
  resumed: boolean;
  /** Bytes skipped (the resumed prefix), else 0. */
  offset: number;
  /** Size of the whole file when the server said (Content-Length, or Content-Range's total), else null. */
  totalSize: number | null;
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
  /**
   * Look the file up after the PUT for its ETag, size and mtime (default true). With false the
   * result carries what the PUT answer said: its ETag if any (Apache sends none), the size
   * sent, and the server's Date as the mtime; the caller learns the tag from its next listing.
   */
  statAfter?: boolean;
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
}

export interface DownloadOptions {
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
  /** Fetch only what follows a prefix the caller already holds (see ResumeFrom). */
  resumeFrom?: ResumeFrom;
  /**
   * Called once the answer whose body will be written is in (after any `discardPrefix`),
   * before its first byte: the moment to record `etag` for a later resume. Called again if that
   * answer fails before its first byte and the store tries again (the last call counts).
   */
  onStart?: (start: DownloadStart) => void;
  /**
   * The file behind `destination`, written by position: lets the store fetch a large file as
   * parallel ranges (see PositionalTarget). Ignored together with `resumeFrom`.
   */
  positional?: PositionalTarget;
}

/**
 * A file the store may write at any offset, with what the caller's listing says of the version
 * to fetch. When `etag` is strong and `size` reaches the store's threshold, the store may send
 * several `Range` requests at once (each guarded by `If-Range: <etag>`) and write their bytes
 * into `file` at their offsets instead of into `destination`, which then receives nothing; the
 * caller ends and closes `destination` as usual. The store hashes the file by reading it back
 * in order, so `file` must be open for reading too (for example a FileHandle opened 'wx+').
 *
 * Never spliced: an answer of another version (a 200 to a ranged request, a 206 naming another
 * ETag or total size) stops every other range, and the whole file is then written from byte 0
 * by one stream. When the call fails, `file` is cut to the bytes known good from its start
 * (maybe 0), the prefix a later `resumeFrom` can continue; `DownloadResult.size` is checked
 * against `size` when it succeeds.
 */
export interface PositionalTarget {
  file: PositionalFile;
  /** The file's size in the listing. */
  size: number;
  /** The file's ETag in the listing, as sent (weak or null: one stream, as without this). */
  etag: string | null;
}

/** The part of node:fs/promises' FileHandle the store uses. */
export interface PositionalFile {
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  truncate(length?: number): Promise<void>;
}

/**
 * The server side of a sync pair. Paths are relative to the pair's remote root, `/`-separated,
 * not URL-encoded, without leading or trailing slash ('' is the root). Every failure is a
 * TeraSyncError with a code.
 */
export interface RemoteStore {
  /**
   * The whole tree under the root. Throws NotFound when the root itself does not exist.
   * `reuseUnchangedFolders`: a store may skip asking for folders whose own ETag shows they did
   * not change (where the server's folder ETags are known to track their entries).
   */
  list(options?: { signal?: AbortSignal; reuseUnchangedFolders?: boolean; known?: Listing<RemoteEntry> }): Promise<Listing<RemoteEntry>>;
  /**
   * Optional, with `reuseUnchangedFolders`: false once a listing showed that this server keeps
   * a folder's ETag when its entries change (the shortcut is then off for good); and the way
   * to hand that verdict, kept from an earlier process, to a new store.
   */
  readonly folderEtagsTrackEntries?: boolean;
  distrustFolderEtags?(): void;
  /** One entry, or null when absent. */
  stat(path: string, options?: { signal?: AbortSignal }): Promise<RemoteEntry | null>;
  /**
   * The entries directly in a folder (one `Depth: 1` listing). `onSkipped` hears of each child
   * left out (a name this client does not handle, an entry without properties).
   */
  listChildren(path: string, options?: { signal?: AbortSignal; onSkipped?: (entry: SkippedEntry) => void }): Promise<RemoteEntry[]>;
  /** True when the folder has no children (used before a recursive DELETE). */
  isEmptyFolder(path: string, options?: { signal?: AbortSignal }): Promise<boolean>;
  /** Streams the file into `destination` (a writable the caller owns and closes). */
  download(path: string, destination: NodeJS.WritableStream, options?: DownloadOptions): Promise<DownloadResult>;
  /** Streams `open()` to the server; `open` is called again for each retry. */
  upload(path: string, open: () => Readable, size: number, options?: UploadOptions): Promise<UploadResult>;
  /** Creates the folder; a folder that already exists is success. */
  createFolder(path: string, options?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Deletes a file, or a folder with what is in it. A missing entry is success. With a
   * strong `ifMatch` a file is deleted only if it is still that version (else
   * PreconditionFailed); when the file is gone the server's answer decides (Apache: 404,
   * success; webdav-server: 412, PreconditionFailed). A weak tag is checked against the file's
   * current state first, and a file found gone is success.
   */
  remove(path: string, type: 'file' | 'dir', options?: { signal?: AbortSignal; ifMatch?: string | null }): Promise<void>;
  /**
   * Server-side move; fails with PreconditionFailed when `to` exists. With a strong `ifMatch`
   * a file moves only if it is still that version (else PreconditionFailed too; a weak tag is
   * checked against the file's current state first, as for `remove`); a file that is gone
   * fails with NotFound (under a strong `ifMatch` a server may answer 412 instead, as
   * webdav-server does: a caller that must tell the two apart asks `stat`). The RemoteStore
   * contract tests (test/support/remoteStoreContract.ts) hold every store to these rules.
   */
  move(from: string, to: string, type: 'file' | 'dir', options?: { signal?: AbortSignal; ifMatch?: string | null }): Promise<void>;
  /** Releases sockets and timers. */
  dispose(): Promise<void>;
}

/**
 * Keeps other TeraSync programs out of a local folder while a pair runs in it (the app and the
 * command share it through electron/platform/folderLock.ts).
 */
export interface FolderGuard {
  /** Holds the folder from here on, or throws (Busy) when another program holds it; false while the folder is missing. */
  ensure(): boolean;
  release(): void;
}

/** Moves local files to the OS trash instead of unlinking them. */
export interface Trash {
  trash(absolutePath: string): Promise<void>;
}

/** Tells of changes under a local folder (relative paths), and of its own failures. */
export interface ChangeWatcher {
  close(): Promise<void>;
}

export interface WatchHandlers {
  onChange(relativePath: string): void;
  /** The watcher stopped working (for example the OS ran out of watches). */
  onError(error: Error): void;
}

export type WatchFolder = (root: string, handlers: WatchHandlers) => Promise<ChangeWatcher>;
