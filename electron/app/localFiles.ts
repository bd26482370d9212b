/**
 * The window asks to see files of a sync pair (an activity line, a conflict's two versions).
 * Main resolves every path itself, inside the pair's folder, from what it knows (the request
 * names a pair and a relative path the validators have checked; a conflict, by its id), so
 * the window can never name an arbitrary file. A file that may run code when opened (a
 * program, a script, a shortcut) is shown in its folder instead of being opened: a conflict
 * copy came from the network, and opening it must not mean running it.
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';

/** Extensions that Windows, macOS or a Linux desktop may run rather than open. */
const runnableExtensions: ReadonlySet<string> = new Set([
  '.app', '.appimage', '.applescript', '.bat', '.bin', '.cmd', '.com', '.command', '.cpl', '.desktop', '.dll', '.exe',
  '.gadget', '.hta', '.inf', '.jar', '.js', '.jse', '.ksh', '.lnk', '.msc', '.msi', '.msp', '.pif', '.pkg', '.ps1',
  '.psm1', '.py', '.rb', '.reg', '.run', '.scf', '.scr', '.sh', '.url', '.vb', '.vbe', '.vbs', '.workflow', '.ws', '.wsf',
]);

export function mayRunWhenOpened(file: string): boolean {
  return runnableExtensions.has(path.extname(file).toLowerCase());
}

/** `relative` ('/'-separated) inside `root`; throws when it would leave it. */
export function fileInFolder(root: string, relative: string): string {
  const resolvedRoot = path.resolve(root);
  const file = path.resolve(resolvedRoot, ...relative.split('/'));
  if (file !== resolvedRoot && !file.startsWith(resolvedRoot + path.sep)) {
    throw new TeraSyncError(ErrorCode.InvalidRequest, `${relative} is not inside ${root}.`);
  }
  return file;
}

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}

/** The file itself when it exists, else the nearest folder above it that does (never above `root`). */
export async function nearestExisting(root: string, file: string): Promise<{ path: string; isFile: boolean }> {
  if (await exists(file)) return { path: file, isFile: true };
  const resolvedRoot = path.resolve(root);
  let folder = path.dirname(file);
  while (folder.startsWith(resolvedRoot) && folder !== resolvedRoot) {
    if (await exists(folder)) return { path: folder, isFile: false };
    folder = path.dirname(folder);
  }
  if (await exists(resolvedRoot)) return { path: resolvedRoot, isFile: false };
  throw new TeraSyncError(ErrorCode.NotFound, `The folder ${root} is not there (is its drive connected?).`);
}
