/**
 * Whether a local file still holds the content the journal recorded, told without trusting the
 * mtime alone.
 *
 * A file's identity is its size, mtime, ctime and inode (file id on Windows), as git's index
 * compares them. Tools that keep mtimes (`touch -r`, `rsync -t`, `cp -p`, unzip, tar, restores)
 * leave size and mtime as they were, but every write moves the ctime, and a file written to a
 * temp name and renamed over the old one has a new inode. When the identity moved and the size
 * did not, only the content can tell: the file is hashed and compared with the journal's sha256.
 *
 * Two places use this:
 * - before planning (`confirmIdentities`): a file whose identity moved but whose content is the
 *   journal's (a chmod, a copy put back, our own rename of a download) gets its new identity
 *   recorded, so it plans as unchanged instead of as an edit;
 * - before the executor replaces, moves or deletes a local file (`proveContent`): unless the
 *   identity is the journal's, or the hash is, the file holds a version nobody synced and is
 *   kept (conflict copy or upload), never overwritten.
 */
import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileStart } from './localFs.js';
import { mapLimit } from '../../shared/async.js';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import type { JournalEntry, LocalEntry } from './model.js';
import { sameLocalIdentity } from './planner.js';
import type { Readable } from 'node:stream';

/** The local file-system calls that tests may replace to inject faults. */
export interface LocalFileAccess {
  /** `highWaterMark`: bytes per read (large files go faster in large reads). */
  openRead(absolutePath: string, options?: { highWaterMark?: number }): Readable;
  /**
   * The first `size` bytes of a small file at once (fewer when it is shorter): one open, read
   * and close instead of a stream. Optional: an upload without it reads through `openRead`.
   */
  readWhole?(absolutePath: string, size: number): Promise<Buffer>;
}

export const nodeFileAccess: LocalFileAccess = {
  openRead: (absolutePath, options) => createReadStream(absolutePath, options),
  readWhole: readFileStart,
};

/** sha256 of a local file, read through `files`. */
export async function hashFile(files: LocalFileAccess, absolute: string): Promise<string> {
  const hasher = createHash('sha256');
  try {
    for await (const chunk of files.openRead(absolute)) hasher.update(chunk as Buffer);
  } catch (error) {
    throw new TeraSyncError(ErrorCode.LocalIo, `cannot read ${absolute}: ${(error as Error).message}`, { cause: error });
  }
  return hasher.digest('hex');
}

/** The journal's identity fields taken from a stat. */
export function identityOf(stats: Pick<Stats, 'size' | 'mtimeMs' | 'ctimeMs' | 'ino'>): Pick<JournalEntry, 'localSize' | 'localMtimeMs' | 'localCtimeMs' | 'localIno'> {
  return { localSize: stats.size, localMtimeMs: stats.mtimeMs, localCtimeMs: stats.ctimeMs, localIno: stats.ino };
}

function sameStats(a: Stats, b: Pick<LocalEntry, 'size' | 'mtimeMs' | 'ctimeMs' | 'ino'>): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

export type Proof =
  /** The file is the journal's version; `stats` is what it was proven with. */
  | { proven: true; stats: Stats }
  /** It is not, or cannot be shown to be; `stats` null when it is gone or not a file. */
  | { proven: false; stats: Stats | null };

/**
 * Proves that the file at `absolute` holds the content `journal` recorded: by its identity, or
 * else by its hash (taken between two equal stats, so a write during the read is no proof).
 */
export async function proveContent(files: LocalFileAccess, absolute: string, journal: JournalEntry | null): Promise<Proof> {
  const before = await statFile(absolute);
  if (before === null) return { proven: false, stats: null };
  if (journal === null || journal.type !== 'file') return { proven: false, stats: before };
  const asEntry = { size: before.size, mtimeMs: before.mtimeMs, ctimeMs: before.ctimeMs, ino: before.ino };
  if (sameLocalIdentity(asEntry, journal)) return { proven: true, stats: before };
  if (journal.hash === null || before.size !== journal.localSize) return { proven: false, stats: before };
  const hash = await hashFile(files, absolute);
  const after = await statFile(absolute);
  if (after === null || !sameStats(after, asEntry)) return { proven: false, stats: after };
  return hash === journal.hash ? { proven: true, stats: after } : { proven: false, stats: after };
}

/**
 * Files whose identity moved while their size did not, hashed: those whose content is still the
 * journal's come back as journal entries with the new identity (to record before planning).
 * The rest are edits, and the planner sees them as changed. A file that cannot be read, or
 * changes while it is read, is left as changed: the upload that follows reports or resends it.
 */
export async function confirmIdentities(
  root: string,
  files: LocalFileAccess,
  local: ReadonlyMap<string, LocalEntry>,
  journal: readonly JournalEntry[],
  concurrency: number,
  find: (entries: ReadonlyMap<string, LocalEntry>, journal: JournalEntry) => LocalEntry | undefined,
): Promise<JournalEntry[]> {
  const suspects: Array<{ entry: LocalEntry; journal: JournalEntry }> = [];
  for (const j of journal) {
    if (j.type !== 'file' || j.hash === null) continue;
    const entry = find(local, j);
    if (entry === undefined || entry.type !== 'file' || entry.size !== j.localSize) continue;
    if (sameLocalIdentity(entry, j)) continue;
    suspects.push({ entry, journal: j });
  }
  const confirmed: JournalEntry[] = [];
  await mapLimit(suspects, concurrency, async ({ entry, journal: j }) => {
    const absolute = join(root, entry.localPath);
    let hash: string;
    try {
      hash = await hashFile(files, absolute);
    } catch {
      return;
    }
    const after = await statFile(absolute);
    if (after === null || !sameStats(after, entry) || hash !== j.hash) return;
    confirmed.push({ ...j, ...identityOf(after) });
  });
  return confirmed;
}

async function statFile(absolute: string): Promise<Stats | null> {
  try {
    const stats = await lstat(absolute);
    return stats.isFile() ? stats : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw error;
  }
}
