/**
 * The local scanner: every file and folder under the sync root with size, mtime, inode and
 * type. Symlinks are not followed (a link could lead out of the root or into a loop) and are
 * reported as skipped, as are sockets, pipes and devices, names that are not valid UTF-8 (shown
 * with the bad bytes as `\xHH`) and names with a backslash. Our own leftover temp files are
 * returned apart so the engine can clear them.
 */
import type { Dirent, Stats } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mapLimit } from '../../shared/async.js';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { createIgnoreMatcher, IGNORE_FILE, isTempFileName, type IgnoreMatcher, type IgnoreScope } from './ignoreRules.js';
import type { Listing, LocalEntry } from './model.js';
import { backslashMessage, decodeName, escapeNameBytes, invalidEncodingMessage, joinPath, normalizePath } from './names.js';
import { lstatFile } from './localFs.js';

export interface LocalScan extends Listing<LocalEntry> {
  /** Relative paths of our own temp files found in the tree. */
  tempFiles: string[];
}

/**
 * Reads the user's ignore patterns (a missing file means none) and adds the app's patterns and
 * the excluded folders of `scope`.
 */
export async function loadIgnoreMatcher(root: string, scope: IgnoreScope = {}): Promise<IgnoreMatcher> {
  try {
    return createIgnoreMatcher(await readFile(join(root, IGNORE_FILE), 'utf8'), scope);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return createIgnoreMatcher('', scope);
    throw new TeraSyncError(ErrorCode.LocalIo, `Cannot read ${IGNORE_FILE}: ${(error as Error).message}`, { cause: error });
  }
}

export async function scanLocal(root: string, matcher: IgnoreMatcher, concurrency = 16): Promise<LocalScan> {
  const walker = new Walker(root, matcher, concurrency, { entries: new Map(), skipped: [], tempFiles: [] });
  await walker.walk('');
  walker.settleTwins();
  return walker.scan;
}

/**
 * Linux lets a folder hold one name twice, in NFC and in NFD (a copy from a Mac beside a name
 * typed here). Both are the same path to the engine and to the server, so neither is synced:
 * both are left alone and reported, until one is renamed.
 */
export function twinNameMessage(isDir: boolean): string {
  return `another ${isDir ? 'folder' : 'file'} in this folder has the same name written with other Unicode code points (NFC and NFD, as a copy from a Mac makes it); the server holds one name only, so neither is synced until one of them is renamed`;
}

/** Changes beyond this many paths are cheaper to take in with one full scan. */
export const MAX_INCREMENTAL_CHANGES = 500;

/**
 * `previous` brought up to date for the paths a watcher reported (relative, `/`-separated, as
 * spelled on disk): each is looked at again, a folder with everything below it. The result is
 * what `scanLocal` would return if nothing else changed; that the watcher saw every change is
 * the caller's promise (a full scan at a long interval backs it up).
 *
 * Null when only a full scan will do: the ignore file changed, too many paths changed, a
 * path holds U+FFFD (how a name that is not valid UTF-8 reaches us; only a walk of its folder
 * as bytes finds it), a path's parent folder is not in `previous` (its event was missed), or
 * a path is another spelling (NFC or NFD) of one in `previous` (a twin name, or a rename that
 * only changed the normalization). With no paths, `previous` itself.
 */
export async function updateScan(
  root: string,
  matcher: IgnoreMatcher,
  previous: LocalScan,
  changed: Iterable<string>,
  concurrency = 16,
): Promise<LocalScan | null> {
  const paths = [...new Set(changed)].filter((path) => path !== '' && path !== '.');
  // Nothing to look at: the previous scan is the answer (the engine then sees an unchanged side).
  if (paths.length === 0) return previous;
  if (paths.length > MAX_INCREMENTAL_CHANGES) return null;
  if (paths.includes(IGNORE_FILE)) return null;
  if (paths.some((path) => path.includes('\uFFFD'))) return null;
  // Another spelling of a path already seen (NFC and NFD twins): only a full scan sees both.
  if (paths.some((path) => (previous.entries.get(normalizePath(path))?.localPath ?? path) !== path)) return null;
  const keys = paths.map(normalizePath);
  const within = (path: string): boolean => keys.some((key) => path === key || path.startsWith(`${key}/`));
  const entries = new Map(previous.entries);
  // Only keys below a changed path need a prefix test; most changes are files with no entries below.
  for (const key of entries.keys()) if (within(key)) entries.delete(key);
  const scan: LocalScan = {
    entries,
    skipped: previous.skipped.filter((entry) => !within(entry.path)),
    tempFiles: previous.tempFiles.filter((temp) => !within(normalizePath(temp))),
  };
  const walker = new Walker(root, matcher, concurrency, scan);
  // Parents first, so that a new folder's entry exists before its children are looked at.
  paths.sort((a, b) => a.split('/').length - b.split('/').length);
  const changedFolders = new Set(paths);
  for (const localPath of paths) {
    const parts = localPath.split('/');
    // Below another changed path: looking at that one again covers this one.
    if (parts.some((_, depth) => depth > 0 && changedFolders.has(parts.slice(0, depth).join('/')))) continue;
    let ignored = false;
    for (let depth = 1; depth < parts.length; depth++) {
      const ancestor = parts.slice(0, depth).join('/');
      if (matcher.ignores(ancestor, true)) {
        ignored = true;
        break;
      }
      const entry = scan.entries.get(normalizePath(ancestor));
      // Below a symlink, a special file or an unreadable folder: nothing of ours.
      if (entry === undefined && scan.skipped.some((skip) => skip.path === normalizePath(ancestor))) {
        ignored = true;
        break;
      }
      if (entry === undefined || entry.type !== 'dir') return null;
    }
    if (ignored) continue;
    if (scan.entries.has(normalizePath(localPath))) continue;
    const name = parts[parts.length - 1] ?? localPath;
    const folder = await walker.visit(localPath, name, null);
    if (folder !== null) await walker.walk(folder);
  }
  walker.settleTwins();
  return scan;
}

/** One scan's state, shared by the full walk and the incremental update. */
class Walker {
  /** Paths (NFC) seen under two spellings, with whether they are folders. */
  private readonly twins = new Map<string, boolean>();

  constructor(
    private readonly root: string,
    private readonly matcher: IgnoreMatcher,
    private readonly concurrency: number,
    readonly scan: LocalScan,
  ) {}

  /**
   * Takes the paths seen under two spellings (and everything below them) out of the scan and
   * reports each once: skipped, they are neither synced nor deleted on either side.
   */
  settleTwins(): void {
    if (this.twins.size === 0) return;
    const keys = [...this.twins.keys()].sort((a, b) => a.length - b.length);
    const outermost = keys.filter((key) => !keys.some((other) => other !== key && key.startsWith(`${other}/`)));
    const below = (path: string): boolean => outermost.some((key) => path === key || path.startsWith(`${key}/`));
    for (const path of [...this.scan.entries.keys()]) if (below(path)) this.scan.entries.delete(path);
    const kept = this.scan.skipped.filter((entry) => !below(entry.path));
    this.scan.skipped.length = 0;
    this.scan.skipped.push(...kept);
    for (const key of outermost) {
      this.scan.skipped.push({ path: key, side: 'local', reason: 'invalid-name', message: twinNameMessage(this.twins.get(key) ?? false) });
    }
  }

  /** Lists `relative` and everything below it. */
  async walk(relative: string): Promise<void> {
    let children: Array<Dirent<Buffer>>;
    try {
      // As bytes: a name that is not valid UTF-8 would come back as U+FFFD, which opens nothing.
      children = await readdir(relative === '' ? this.root : join(this.root, relative), { withFileTypes: true, encoding: 'buffer' });
    } catch (error) {
      if (relative === '') {
        throw new TeraSyncError(ErrorCode.LocalIo, `Cannot read the local folder ${this.root}: ${(error as Error).message}`, { cause: error });
      }
      // Gone since it was seen: simply not there any more.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.scan.entries.delete(normalizePath(relative));
        return;
      }
      this.scan.skipped.push({ path: normalizePath(relative), side: 'local', reason: 'unreadable', message: `cannot list the folder: ${(error as Error).message}` });
      return;
    }
    const folders: string[] = [];
    await mapLimit(children, this.concurrency, async (child) => {
      const name = decodeName(child.name);
      if (name === null) {
        this.skipInvalidEncoding(relative, child);
        return;
      }
      const folder = await this.visit(joinPath(relative, name), name, child);
      if (folder !== null) folders.push(folder);
    });
    for (const folder of folders) await this.walk(folder);
  }

  /**
   * A child of `relative` whose name is not valid UTF-8: reported under its name with the bad
   * bytes escaped (`caf\xE9.txt`), unless the ignore rules leave that name out. Nothing below
   * such a folder is looked at.
   */
  private skipInvalidEncoding(relative: string, child: Dirent<Buffer>): void {
    const localPath = joinPath(relative, escapeNameBytes(child.name));
    const isDir = child.isDirectory();
    if (this.matcher.ignores(localPath, isDir)) return;
    this.scan.skipped.push({ path: normalizePath(localPath), side: 'local', reason: 'invalid-name', message: invalidEncodingMessage(isDir) });
  }

  /** Records one path; returns it when it is a folder to walk. */
  async visit(localPath: string, name: string, dirent: { isFile(): boolean } | null): Promise<string | null> {
    const path = normalizePath(localPath);
    const { scan } = this;
    if ((dirent === null || dirent.isFile()) && isTempFileName(name)) {
      if (dirent !== null) scan.tempFiles.push(localPath);
      else {
        // An incremental update sees temp files come and go during our own downloads.
        try {
          if ((await lstatFile(join(this.root, localPath))).isFile()) scan.tempFiles.push(localPath);
        } catch {
          // Gone already.
        }
      }
      return null;
    }
    let stats: Stats;
    try {
      stats = await lstatFile(join(this.root, localPath));
    } catch (error) {
      // Vanished between readdir and lstat: simply not there any more.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      scan.skipped.push({ path, side: 'local', reason: 'unreadable', message: (error as Error).message });
      return null;
    }
    const isDir = stats.isDirectory();
    if (this.matcher.ignores(localPath, isDir)) return null;
    // Legal here, but a folder separator to Windows and to other clients of the server.
    if (name.includes('\\')) {
      scan.skipped.push({ path, side: 'local', reason: 'invalid-name', message: backslashMessage(isDir) });
      return null;
    }
    if (stats.isSymbolicLink()) {
      scan.skipped.push({ path, side: 'local', reason: 'symlink', message: 'symbolic links are not followed' });
      return null;
    }
    if (!isDir && !stats.isFile()) {
      scan.skipped.push({ path, side: 'local', reason: 'special', message: 'not a regular file or folder' });
      return null;
    }
    const seen = scan.entries.get(path);
    if (seen !== undefined && seen.localPath !== localPath) this.twins.set(path, isDir || seen.type === 'dir');
    scan.entries.set(path, {
      path,
      localPath,
      type: isDir ? 'dir' : 'file',
      size: isDir ? 0 : stats.size,
      mtimeMs: stats.mtimeMs,
      ctimeMs: stats.ctimeMs,
      ino: stats.ino,
      birthtimeMs: stats.birthtimeMs,
    });
    return isDir ? localPath : null;
  }
}
