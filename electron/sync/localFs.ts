/**
 * The local file system as the executor uses it: the port through which it creates folders,
 * writes downloads into temp files, renames them into place, and deletes. Like the other ports
 * (ports.ts) it is handed in (`ExecutorDeps.fs`, `SyncEngineDeps.fs`); `nodeLocalFs` is Node's
 * own `node:fs`, and is the default. Reading a file for an upload or a hash goes through
 * `LocalFileAccess` (localIdentity.ts) instead, which tests replace to inject read faults.
 *
 * The methods are Node's, with the same arguments, results and errors (an `ErrnoException`
 * whose `code` the executor reads: ENOENT, EACCES, ENOSPC, ...).
 */
import { createReadStream, createWriteStream, type Stats, type StatsFs, type WriteStream } from 'node:fs';
import { link, lstat, mkdir, open, readdir, rename, rmdir, stat, statfs, truncate, unlink, utimes, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

export interface LocalFs {
  lstat(path: string): Promise<Stats>;
  stat(path: string): Promise<Stats>;
  /** Free space of the disk holding `path`. */
  statfs(path: string): Promise<StatsFs>;
  readdir(path: string): Promise<string[]>;
  mkdir(path: string, options: { recursive: true }): Promise<string | undefined>;
  rename(from: string, to: string): Promise<void>;
  /** A hard link `to` for the file `from`. */
  link(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  truncate(path: string, length: number): Promise<void>;
  utimes(path: string, atime: Date, mtime: Date): Promise<void>;
  /** `flags` as Node's: 'wx+' (a new file to write and read back), 'a' (append). */
  open(path: string, flags: string): Promise<FileHandle>;
  /** A stream writing to an opened file; `flush` syncs it to disk before it closes. */
  createWriteStream(path: string, options: { fd: FileHandle; flush: boolean }): WriteStream;
  createReadStream(path: string): Readable;
}

export const nodeLocalFs: LocalFs = {
  lstat: (path) => lstat(path),
  stat: (path) => stat(path),
  statfs: (path) => statfs(path),
  readdir: (path) => readdir(path),
  mkdir: (path, options) => mkdir(path, options),
  rename: (from, to) => rename(from, to),
  link: (from, to) => link(from, to),
  unlink: (path) => unlink(path),
  rmdir: (path) => rmdir(path),
  truncate: (path, length) => truncate(path, length),
  utimes: (path, atime, mtime) => utimes(path, atime, mtime),
  open: (path, flags) => open(path, flags),
  createWriteStream: (path, options) => createWriteStream(path, options),
  createReadStream: (path) => createReadStream(path),
};
