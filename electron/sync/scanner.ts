/**
 * The local scanner: every file and folder under the sync root with size, mtime, inode and
 * type. Symlinks are not followed (a link could lead out of the root or into a loop) and are
 * reported as skipped, as are sockets, pipes and devices. Our own leftover temp files are
 * returned apart so the engine can clear them.
 */
import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mapLimit } from '../../shared/async.js';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { createIgnoreMatcher, IGNORE_FILE, isTempFileName, type IgnoreMatcher } from './ignoreRules.js';
import type { Listing, LocalEntry, SkippedEntry } from './model.js';
import { joinPath, normalizePath } from './names.js';

export interface LocalScan extends Listing<LocalEntry> {
  /** Relative paths of our own temp files found in the tree. */
  tempFiles: string[];
}

/** Reads the user's ignore patterns; a missing file means none. */
export async function loadIgnoreMatcher(root: string): Promise<IgnoreMatcher> {
  try {
    return createIgnoreMatcher(await readFile(join(root, IGNORE_FILE), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return createIgnoreMatcher();
    throw new TeraSyncError(ErrorCode.LocalIo, `Cannot read ${IGNORE_FILE}: ${(error as Error).message}`, { cause: error });
  }
}

export async function scanLocal(root: string, matcher: IgnoreMatcher, concurrency = 16): Promise<LocalScan> {
  const entries = new Map<string, LocalEntry>();
  const skipped: SkippedEntry[] = [];
  const tempFiles: string[] = [];

  const walk = async (relative: string): Promise<void> => {
    let children: Dirent[];
    try {
      children = await readdir(relative === '' ? root : join(root, relative), { withFileTypes: true });
    } catch (error) {
      if (relative === '') {
        throw new TeraSyncError(ErrorCode.LocalIo, `Cannot read the local folder ${root}: ${(error as Error).message}`, { cause: error });
      }
      skipped.push({ path: normalizePath(relative), side: 'local', reason: 'unreadable', message: `cannot list the folder: ${(error as Error).message}` });
      return;
    }
    const folders: string[] = [];
    await mapLimit(children, concurrency, async (child) => {
      const localPath = joinPath(relative, child.name);
      const path = normalizePath(localPath);
      if (child.isFile() && isTempFileName(child.name)) {
        tempFiles.push(localPath);
        return;
      }
      let stats: Stats;
      try {
        stats = await lstat(join(root, localPath));
      } catch (error) {
        // Vanished between readdir and lstat: simply not there any more.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        skipped.push({ path, side: 'local', reason: 'unreadable', message: (error as Error).message });
        return;
      }
      const isDir = stats.isDirectory();
      if (matcher.ignores(localPath, isDir)) return;
      if (stats.isSymbolicLink()) {
        skipped.push({ path, side: 'local', reason: 'symlink', message: 'symbolic links are not followed' });
        return;
      }
      if (!isDir && !stats.isFile()) {
        skipped.push({ path, side: 'local', reason: 'special', message: 'not a regular file or folder' });
        return;
      }
      entries.set(path, {
        path,
        localPath,
        type: isDir ? 'dir' : 'file',
        size: isDir ? 0 : stats.size,
        mtimeMs: stats.mtimeMs,
        ino: stats.ino,
      });
      if (isDir) folders.push(localPath);
    });
    for (const folder of folders) await walk(folder);
  };

  await walk('');
  return { entries, skipped, tempFiles };
}
