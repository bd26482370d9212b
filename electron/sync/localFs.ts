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
import {
  close as closeFd,
  createReadStream,
  createWriteStream,
  lstat as lstatCallback,
  open as openFd,
  read as readFd,
  type Stats,
  type StatsFs,
  type WriteStream,
} from 'node:fs';
import { link, mkdir, open, readdir, rename, rmdir, stat, statfs, truncate, unlink, utimes, type FileHandle } from 'node:fs/promises';
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

/**
 * `lstat` through Node's callback API. Every asynchronous file-system call hands its work to
 * libuv's thread pool and back; `node:fs/promises` adds its own objects and promise chains on
 * top (docs/BENCHMARKS.md, "Item 5 again"). For the scanner, which looks at every entry of a
 * tree, many at a time, and the executor's checks around each transfer.
 */
export function lstatFile(path: string): Promise<Stats> {
  return new Promise((resolve, reject) => {
    lstatCallback(path, (error, stats) => (error ? reject(error) : resolve(stats)));
  });
}

/**
 * The first `size` bytes of a file (fewer when it is shorter): one open, as few reads as it
 * takes, one close, through the callback API as `lstatFile` (no FileHandle made per file).
 * A failed read is the error thrown; a failed close after a good read too.
 */
export function readFileStart(path: string, size: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    openFd(path, 'r', (openError, fd) => {
      if (openError) {
        reject(openError);
        return;
      }
      const buffer = Buffer.allocUnsafe(size);
      let filled = 0;
      const finish = (readError: Error | null): void => {
        closeFd(fd, (closeError) => {
          const failure = readError ?? closeError;
          if (failure) reject(failure);
          else resolve(buffer.subarray(0, filled));
        });
      };
      const next = (): void => {
        if (filled >= size) {
          finish(null);
          return;
        }
        readFd(fd, buffer, filled, size - filled, filled, (readError, bytesRead) => {
          if (readError) finish(readError);
          else if (bytesRead === 0) finish(null);
          else {
            filled += bytesRead;
            next();
          }
        });
      };
      next();
    });
  });
}

export const nodeLocalFs: LocalFs = {
  // Never a synchronous lstat: in the app this loop also answers the window, and a file on a
  // network file system can take a round trip to answer (docs/BENCHMARKS.md, "Item 5 again").
  lstat: lstatFile,
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
