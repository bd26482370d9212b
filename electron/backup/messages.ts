/**
 * The words the backup and the restore use for people: counts with the right plural, a local
 * file-system failure as a sentence (what failed, where, and what to do, never a bare errno),
 * and a server name that is not plain text shown readably.
 */
import { dirname } from 'node:path';
import { escapeNameBytes } from '../sync/names.js';
import { percentDecodeBytes } from '../webdav/paths.js';

/** `1 file`, `2 files`; `many` defaults to `one` + "s". */
export { countOf as plural } from '../../shared/format.js';

/** What was being done to a local path when it failed. */
export type LocalOperation =
  /** Reading a file (to back it up, or to compare it). */
  | 'read'
  /** Listing a folder (a folder to back up). */
  | 'readFolder'
  /** Creating a file in a folder (a restore's temp file). */
  | 'write'
  /** Creating a folder. */
  | 'createFolder'
  /** Renaming a file into place, or aside. */
  | 'rename';

function codeOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A local failure as one sentence: what failed, where, and what to do. The errno code stays in
 * parentheses for searching, never as the whole message.
 *
 * `path` is the file or folder the operation was on; for 'write' and 'rename' the folder that
 * needs permission is the one that holds it, for 'createFolder' its parent.
 */
export function describeLocalError(error: unknown, operation: LocalOperation, path: string): string {
  const code = codeOf(error);
  const what = {
    read: `Cannot read ${path}`,
    readFolder: `Cannot read the folder ${path}`,
    write: `Cannot write ${path}`,
    createFolder: `Cannot create the folder ${path}`,
    rename: `Cannot rename ${path}`,
  }[operation];
  const folder = dirname(path);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      if (operation === 'read') return `${what}: permission denied (${code}). Give your user read permission on it, or leave it out with .terasyncignore.`;
      if (operation === 'readFolder') return `${what}: permission denied (${code}). Give your user read and search (x) permission on it and on the folders above it.`;
      return `${what}: permission denied in ${folder} (${code}). Give your user write permission on ${folder}, or restore into another folder.`;
    case 'EROFS':
      return `${what}: ${folder} is on a read-only file system (${code}). Restore into a folder on a writable disk.`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `${what}: the disk is full (${code}). Free some space on the disk of ${folder} and run again.`;
    case 'ENOENT':
      if (operation === 'read') return `${what}: it vanished since the scan (${code}); it is backed up on the next run if it is back.`;
      if (operation === 'readFolder') return `${what}: it does not exist (${code}). Check the path, or mount the drive it is on.`;
      return `${what}: ${folder} does not exist (any more) (${code}). Check that the disk is mounted and run again.`;
    case 'ENOTDIR':
      return `${what}: a file is in the way of a folder on its path (${code}). Move that file and run again.`;
    case 'EISDIR':
      return `${what}: it is a folder, not a file (${code}).`;
    case 'ENAMETOOLONG':
      return `${what}: the name is too long for this file system (${code}). Restore into a folder with a shorter path.`;
    case 'EMFILE':
    case 'ENFILE':
      return `${what}: too many files are open (${code}). Close some programs, or use a lower --concurrency, and run again.`;
    case 'EBUSY':
    case 'ETXTBSY':
      return `${what}: it is in use by another program (${code}). Close that program and run again.`;
    case 'EIO':
      return `${what}: the disk reported an input/output error (${code}). Check the disk, then run again.`;
    default: {
      const detail = error instanceof Error ? error.message : String(error);
      return `${what}: ${detail}. Check the folder and run again.`;
    }
  }
}

/**
 * A name from the server as people can read it: percent-escapes decoded where they make UTF-8,
 * other bytes as `\xNN`, control characters as `\u{..}`. `café` stays `café`, `caf%E9.txt`
 * becomes `caf\xE9.txt`, `back%5Cslash.txt` becomes `back\slash.txt`.
 */
export function readableName(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // Decode what forms UTF-8, escape the rest byte by byte, as local names are shown.
    decoded = raw.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => escapeNameBytes(percentDecodeBytes(run) ?? new Uint8Array()));
  }
  // eslint-disable-next-line no-control-regex
  return decoded.replace(/[\u0000-\u001f\u007f]/g, (char) => `\\u{${char.charCodeAt(0).toString(16)}}`);
}
