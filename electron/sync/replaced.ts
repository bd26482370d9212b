/**
 * The file a download replaces is kept under a second name until it is shown to be the version
 * last synced, so that an edit written between the last check and the rename is never lost.
 *
 * The executor proves a local file holds the synced version before a download replaces it, but
 * an edit can land after that proof and before rename(temp, target) (a few microseconds, more
 * on a loaded machine). A stat cannot see it afterwards: the edit and our own link both move
 * the ctime, in the same tick of the file system's clock. So the target gets a hard link
 * (`.terasync-<hash of the path>.replaced`, beside it, left out of every scan) before the
 * rename, and after it the content of that link is compared with the journal's sha256: the
 * synced version is unlinked; anything else becomes a conflict copy, uploaded like any other.
 * The file is read once more through an open handle after the unlink, so an edit saved into
 * it by a program that had it open, between the check and the unlink, is kept too.
 *
 * A run stopped between the link and the check leaves the link and the pending download in the
 * journal; the next run settles it the same way before it scans (recoverReplaced). File systems
 * without hard links (FAT, exFAT, some network shares) fall back to the check before the rename.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, link, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Journal } from './journal.js';
import { TEMP_PREFIX, TEMP_SUFFIX } from './ignoreRules.js';
import { hashFile, type LocalFileAccess } from './localIdentity.js';
import { baseName, conflictName, joinPath, parentPath } from './names.js';
import type { WallClock } from '../core/time.js';
import type { Logger } from '../core/logger.js';

export const REPLACED_SUFFIX = '.replaced';

/** Errors of link() that mean the file system has no hard links here. */
export const NO_HARD_LINKS: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK', 'EINVAL']);

/** The name (in the target's folder) of the second link to the file a download of `path` replaces. */
export function replacedName(path: string): string {
  return `${TEMP_PREFIX}${createHash('sha256').update(path).digest('hex').slice(0, 16)}${REPLACED_SUFFIX}`;
}

export interface ReplacedDeps {
  root: string;
  journal: Journal;
  files: LocalFileAccess;
  clock: WallClock;
  logger: Logger;
  device: string;
}

/** What the replaced file must be to go: the synced version's identity and sha256 (if known). */
export interface SyncedVersion {
  ino: number;
  size: number;
  mtimeMs: number;
  hash: string | null;
}

/**
 * Links the file at `localPath` (relative) to its replaced name. Null where the file system has
 * no hard links, or an earlier link is still there (then only the check before the rename
 * guards the file). Throws the link's error otherwise (ENOENT: the file is gone).
 */
export async function linkReplaced(root: string, path: string, localPath: string): Promise<string | null> {
  const aside = joinPath(parentPath(localPath), replacedName(path));
  try {
    await link(join(root, localPath), join(root, aside));
    return aside;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST' || NO_HARD_LINKS.has(code)) return null;
    throw error;
  }
}

/**
 * Settles the replaced file kept at `aside` for the download of `path` to `localPath`: the
 * synced version is removed; anything else is renamed to a conflict copy (returned, relative)
 * and recorded as a conflict.
 *
 * The file is held open while it is checked and unlinked, and read once more through that
 * handle after the unlink: an edit written by a program that still had it open (an editor
 * saving in place), landing between the check and the unlink, is then still found there and
 * kept as a conflict copy. Only a write that starts after the unlink goes to a file that is no
 * longer in any folder, as it would with any other program that removed it.
 */
export async function settleReplaced(deps: ReplacedDeps, path: string, localPath: string, aside: string, synced: SyncedVersion | null): Promise<string | null> {
  const absolute = join(deps.root, aside);
  let stats;
  try {
    stats = await lstat(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (!stats.isFile()) return null;
  // Stopped between the link and the rename: the path still holds this very file.
  const current = await lstat(join(deps.root, localPath)).catch(() => null);
  if (current !== null && current.ino === stats.ino && current.dev === stats.dev) {
    await unlink(absolute);
    return null;
  }
  if (synced !== null && stats.ino === synced.ino && stats.size === synced.size && stats.mtimeMs === synced.mtimeMs) {
    if (synced.hash === null) {
      await unlink(absolute);
      return null;
    }
    let handle: FileHandle;
    try {
      handle = await open(absolute, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      const hash = await hashFile(deps.files, absolute);
      const after = await handle.stat();
      if (hash === synced.hash && after.ino === stats.ino && after.size === stats.size && after.mtimeMs === stats.mtimeMs && after.ctimeMs === stats.ctimeMs) {
        await unlink(absolute);
        // The unlink moves the ctime itself, so only the content can tell a late edit.
        if ((await hashHandle(handle)) === synced.hash) return null;
        return await conflictCopy(deps, path, localPath, (copy) => copyHandle(handle, copy));
      }
    } finally {
      await handle.close();
    }
  }
  return await conflictCopy(deps, path, localPath, (copy) => rename(absolute, copy));
}

/** Puts the replaced file's edit at a free conflict-copy name with `place`, and records the conflict. */
async function conflictCopy(deps: ReplacedDeps, path: string, localPath: string, place: (absoluteCopy: string) => Promise<void>): Promise<string> {
  const at = new Date(deps.clock.now());
  for (let attempt = 0; attempt < 50; attempt++) {
    const copy = joinPath(parentPath(localPath), conflictName(baseName(localPath), true, at, deps.device, attempt));
    if ((await lstat(join(deps.root, copy)).catch(() => null)) !== null) continue;
    await place(join(deps.root, copy));
    deps.journal.transaction(() => deps.journal.addConflict(path, copy, deps.clock.now()));
    deps.logger.warn('a local file replaced by a download held an edit made while it was replaced; kept as a conflict copy', { path, copy });
    return copy;
  }
  throw new Error(`no free name for a conflict copy of ${localPath}`);
}

async function hashHandle(handle: FileHandle): Promise<string> {
  const hasher = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  for (let position = 0; ; ) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return hasher.digest('hex');
    hasher.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
}

/**
 * Writes what `handle` holds (a file no longer in any folder) to `target`, with its times:
 * through a temp name beside it, so that a stop half-way leaves no partial copy under the
 * copy's name (the temp name is cleared at the next start).
 */
async function copyHandle(handle: FileHandle, target: string): Promise<void> {
  const temp = join(dirname(target), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  const out = await open(temp, 'wx');
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    for (let position = 0; ; ) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      await out.write(buffer, 0, bytesRead, position);
      position += bytesRead;
    }
    const times = await handle.stat();
    await out.utimes(times.atimeMs / 1000, times.mtimeMs / 1000);
    await out.close();
    await rename(temp, target);
  } catch (error) {
    await out.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/**
 * Settles the replaced files a stopped run left (one per pending download), before a scan:
 * the synced version goes, an edit becomes a conflict copy the scan then finds and uploads.
 */
export async function recoverReplaced(deps: ReplacedDeps): Promise<void> {
  for (const pending of deps.journal.pending()) {
    if (pending.kind !== 'download') continue;
    const aside = joinPath(parentPath(pending.entry.localPath), replacedName(pending.path));
    if ((await lstat(join(deps.root, aside)).catch(() => null)) === null) continue;
    const known = deps.journal.get(pending.path);
    const synced = known !== null && known.type === 'file' ? { ino: known.localIno, size: known.localSize, mtimeMs: known.localMtimeMs, hash: known.hash } : null;
    try {
      await settleReplaced(deps, pending.path, pending.entry.localPath, aside, synced);
    } catch (error) {
      deps.logger.warn('could not settle a file kept from an interrupted download; looked at again next run', { path: pending.path, message: (error as Error).message });
    }
  }
}
