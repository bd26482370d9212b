/**
 * The sync core's data model: what a listing of either side looks like, what the journal
 * remembers, and the actions the planner emits. Paths are relative to the sync root, use `/`,
 * have no leading or trailing slash, and are the NFC form of the name (the `key`); each side
 * also keeps its own spelling of the name, because macOS may store NFD and the server may
 * answer either.
 */
import type { SkipReason } from '../../shared/types.js';

export type EntryType = 'file' | 'dir';

export interface LocalEntry {
  /** NFC relative path: the identity of the entry across both sides and the journal. */
  path: string;
  /** The path as spelled on disk (relative, `/`-separated). */
  localPath: string;
  type: EntryType;
  size: number;
  mtimeMs: number;
  /**
   * The inode change time: moves whenever the content or the metadata is written, even by a
   * tool that puts the old mtime back (`touch -r`, `rsync -t`, `cp -p`, unzip).
   */
  ctimeMs: number;
  /** The inode (file id on Windows): a file written to a temp name and renamed over gets a new one. */
  ino: number;
  /**
   * When the file was made, where the file system tells (0 or absent where it does not). A
   * moved file keeps it; a new file that got a deleted file's inode was made after that one.
   */
  birthtimeMs?: number;
}

export interface RemoteEntry {
  path: string;
  /** The path as spelled on the server (relative, `/`-separated, not URL-encoded). */
  remotePath: string;
  type: EntryType;
  size: number;
  /** From `getlastmodified` (one-second resolution). */
  mtimeMs: number;
  /** ETag as the server sent it, for `If-Match` (only when strong); null when none. */
  etag: string | null;
}

export interface SkippedEntry {
  path: string;
  side: 'local' | 'remote';
  reason: SkipReason;
  message: string;
}

export interface Listing<T> {
  entries: Map<string, T>;
  skipped: SkippedEntry[];
}

export interface JournalEntry {
  path: string;
  type: EntryType;
  localPath: string;
  remotePath: string;
  localSize: number;
  localMtimeMs: number;
  /** The local ctime when `hash` was known to be the file's content; 0 when never recorded. */
  localCtimeMs: number;
  localIno: number;
  remoteEtag: string | null;
  remoteSize: number;
  remoteMtimeMs: number;
  /** sha256 of the content last synced (files only). */
  hash: string | null;
}
