/**
 * Sizes for the set-up: how much a server folder holds (for selective sync, so the user sees
 * what leaving a folder out saves), and how much room the disk of the local folder has (so a
 * first sync that would fill it is flagged before it starts). Both are bounded: the server
 * folder is walked breadth first over at most `maxListings` folders, then the figures are a
 * lower bound (`complete: false`).
 */
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import { mapLimit } from '../../shared/async.js';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import type { LocalFreeSpace, RemoteFolderSize } from '../../shared/types.js';
import type { RemoteEntry } from '../sync/model.js';

/** Folders listed at most for one measure: a few seconds on the service at worst. */
export const maxFolderSizeListings = 200;

/** What measuring needs of a remote store. */
export interface FolderLister {
  listChildren(path: string, options?: { signal?: AbortSignal }): Promise<RemoteEntry[]>;
}

/**
 * The size of `folder` and everything below it, level by level (breadth first), `parallel`
 * listings at a time and `maxListings` in all; past that, what was counted so far.
 */
export async function measureRemoteFolder(
  store: FolderLister,
  folder: string,
  options: { maxListings?: number; parallel?: number; signal?: AbortSignal } = {},
): Promise<RemoteFolderSize> {
  const maxListings = options.maxListings ?? maxFolderSizeListings;
  const parallel = Math.max(1, options.parallel ?? 4);
  const listOptions = options.signal === undefined ? {} : { signal: options.signal };
  let level = [folder];
  let listed = 0;
  let bytes = 0;
  let files = 0;
  let complete = true;
  while (level.length > 0) {
    options.signal?.throwIfAborted();
    const batch = level.slice(0, Math.max(0, maxListings - listed));
    if (batch.length < level.length) complete = false;
    if (batch.length === 0) break;
    listed += batch.length;
    const listings = await mapLimit(batch, parallel, (item) => store.listChildren(item, listOptions));
    const next: string[] = [];
    for (const children of listings) {
      for (const entry of children) {
        if (entry.type === 'dir') next.push(entry.remotePath);
        else if (entry.type === 'file') {
          bytes += entry.size;
          files++;
        }
      }
    }
    if (!complete) break;
    level = next;
  }
  return { path: folder, bytes, files, complete };
}

/** Free bytes for this user on the disk of `folder`, or of its nearest existing parent when it does not exist yet. */
export async function localFreeSpace(folder: string): Promise<LocalFreeSpace> {
  if (!path.isAbsolute(folder)) throw new TeraSyncError(ErrorCode.InvalidRequest, `${folder} is not an absolute path.`);
  let current = path.resolve(folder);
  for (;;) {
    try {
      const info = await statfs(current);
      return { path: folder, freeBytes: Number(info.bavail) * Number(info.bsize) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const parent = path.dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) {
        throw new TeraSyncError(ErrorCode.LocalIo, `Could not read the free space of ${folder}: ${(error as Error).message}`);
      }
      current = parent;
    }
  }
}
