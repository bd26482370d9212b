/**
 * What is in the backup, and getting it back.
 *
 * Listing: the sources of a device (the folders beside `.versions`), and for one source its
 * latest copy and each version folder that holds part of it. A version `<stamp>` holds the
 * copies that the backup run at that time replaced or removed, not a full snapshot.
 *
 * Restore: one file or folder of a source, from the latest copy or from one version, to a
 * local path (its original place, or one the user chose). Each file is downloaded to a temp
 * file beside its target and put in place only once complete. A local file already there is
 * never overwritten: the same content is left alone, other content is renamed aside
 * (`name (restore conflict <time>).ext`) and reported. Where a file is in the way of a folder
 * to restore (or the other way round), it is renamed aside the same way.
 *
 * The folder restored into is created with its parents when missing (as `cp -r` does). A local
 * failure (a folder without write permission, a full disk) fails that file with a sentence that
 * says what to do, and the rest goes on; a target that cannot be created stops the restore.
 * Every file handle is opened before it is used, so a refused open is an error of that file,
 * never an unhandled stream error, and no temp file is left. Entries of the backup the server
 * lists under names this client does not write (a "\" that another client allowed, a name that
 * is not UTF-8) are reported as skipped, named readably.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { link, lstat, mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { finished } from 'node:stream/promises';
import { mapLimit } from '../../shared/async.js';
import { ErrorCode, TeraSyncError, toTeraSyncError, type ErrorInfo } from '../../shared/errors.js';
import { TEMP_PREFIX, TEMP_SUFFIX } from '../sync/ignoreRules.js';
import type { Clock } from '../core/time.js';
import type { Logger } from '../core/logger.js';
import type { RemoteStore } from '../sync/ports.js';
import { parseVersionStamp, restoreConflictName, VERSIONS_FOLDER } from './backupNames.js';
import { describeLocalError, type LocalOperation } from './messages.js';
import { estimateRemainingMs, type FileFailure, type Progress } from './model.js';
import { walkRemote, type RemoteItem } from './remoteTree.js';

export interface BackupFile {
  /** Relative to the source. */
  path: string;
  size: number;
  /** When the server wrote the copy (ms since the epoch). */
  modifiedMs: number;
}

export interface SourceListing {
  source: string;
  latest: BackupFile[];
  /** Oldest first. */
  versions: Array<{ version: string; at: number; files: BackupFile[] }>;
}

export interface ListOptions {
  signal?: AbortSignal;
  concurrency?: number;
}

function isNotFound(error: unknown): boolean {
  return toTeraSyncError(error).code === ErrorCode.NotFound;
}

/** The sources backed up under `device`, by name. */
export async function listSources(remote: RemoteStore, device: string, options: ListOptions = {}): Promise<string[]> {
  try {
    const children = await remote.listChildren(device, { signal: options.signal });
    return children
      .filter((child) => child.type === 'dir' && child.path.split('/').pop() !== VERSIONS_FOLDER)
      .map((child) => child.path.split('/').pop() ?? child.path)
      .sort();
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

/** The version folders of `device`, oldest first (names that are not stamps are left out). */
export async function listVersions(remote: RemoteStore, device: string, options: ListOptions = {}): Promise<string[]> {
  try {
    const children = await remote.listChildren(`${device}/${VERSIONS_FOLDER}`, { signal: options.signal });
    return children
      .filter((child) => child.type === 'dir')
      .map((child) => child.path.split('/').pop() ?? '')
      .filter((name) => parseVersionStamp(name) !== null)
      .sort();
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

function filesOf(items: Iterable<RemoteItem>): BackupFile[] {
  return [...items]
    .filter((item) => item.type === 'file')
    .map((item) => ({ path: item.path, size: item.size, modifiedMs: item.mtimeMs }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The latest copy of a source and every version that holds part of it. */
export async function listSource(remote: RemoteStore, device: string, source: string, options: ListOptions = {}): Promise<SourceListing> {
  const walk = { concurrency: options.concurrency ?? 4, signal: options.signal };
  const latest = await walkRemote(remote, `${device}/${source}`, walk);
  const versions: SourceListing['versions'] = [];
  for (const version of await listVersions(remote, device, options)) {
    const tree = await walkRemote(remote, `${device}/${VERSIONS_FOLDER}/${version}/${source}`, walk);
    if (tree === null) continue;
    versions.push({ version, at: parseVersionStamp(version) ?? 0, files: filesOf(tree.entries.values()) });
  }
  if (latest === null && versions.length === 0) {
    throw new TeraSyncError(ErrorCode.NotFound, `There is no backup of "${source}" for this device.`);
  }
  return { source, latest: latest === null ? [] : filesOf(latest.entries.values()), versions };
}

export interface RestoreDeps {
  /** A store rooted at the backup area. */
  remote: RemoteStore;
  clock: Clock;
  logger: Logger;
  device: string;
  concurrency: number;
}

export type RestoreEvent =
  | ({ type: 'progress' } & Progress)
  | { type: 'file'; path: string; outcome: 'restored' | 'unchanged' }
  | { type: 'kept-aside'; path: string; copy: string }
  | { type: 'skipped'; path: string; message: string }
  | { type: 'file-failed'; path: string; code: ErrorInfo['code']; message: string };

export interface RestoreOptions {
  source: string;
  /** A version stamp, or null for the latest copy. */
  version: string | null;
  /** The file or folder in the source ('' for the whole source). */
  path: string;
  /**
   * The local path the file or folder takes (absolute): its original place
   * (`<source folder>/<path>`) or one inside a folder the user chose.
   */
  target: string;
  signal?: AbortSignal;
  onEvent?: (event: RestoreEvent) => void;
}

export interface RestoreSummary {
  source: string;
  version: string | null;
  path: string;
  target: string;
  /** Paths relative to `target` ('' when the target is the file itself). */
  restored: string[];
  /** Already there with the same content: left alone. */
  unchanged: string[];
  /** Local files (or folders) renamed aside to make room, with their new absolute path. */
  keptAside: Array<{ path: string; copy: string }>;
  /** Entries of the backup not restored: names this client does not write, shown readably. */
  skipped: Array<{ path: string; reason: string; message: string }>;
  failed: Array<Omit<FileFailure, 'source'>>;
  bytes: number;
  durationMs: number;
  stopped: ErrorInfo | null;
}

/** Errors after which nothing else can succeed. */
const FATAL: ReadonlySet<string> = new Set([ErrorCode.Unauthorized, ErrorCode.ProxyAuth, ErrorCode.Cancelled, ErrorCode.Network, ErrorCode.Timeout, ErrorCode.Tls]);

export class Restore {
  constructor(private readonly deps: RestoreDeps) {}

  async run(options: RestoreOptions): Promise<RestoreSummary> {
    const { remote, device, clock } = this.deps;
    const startedAt = clock.now();
    const target = resolve(options.target);
    const summary: RestoreSummary = {
      source: options.source,
      version: options.version,
      path: options.path,
      target,
      restored: [],
      unchanged: [],
      keptAside: [],
      skipped: [],
      failed: [],
      bytes: 0,
      durationMs: 0,
      stopped: null,
    };
    if (options.version !== null && parseVersionStamp(options.version) === null) {
      throw new TeraSyncError(ErrorCode.InvalidRequest, `"${options.version}" is not a version: versions look like 2025-01-31T235959Z (see "terasync backup list").`);
    }
    const path = options.path.split('/').filter((segment) => segment !== '').join('/');
    if (path.split('/').some((segment) => segment === '.' || segment === '..' || segment.includes('\\'))) {
      throw new TeraSyncError(ErrorCode.InvalidRequest, `--path ${options.path}: a path in the backup may not contain ".", ".." or "\\".`);
    }
    const base = options.version === null ? `${device}/${options.source}` : `${device}/${VERSIONS_FOLDER}/${options.version}/${options.source}`;
    const remotePath = path === '' ? base : `${base}/${path}`;
    const where = `${options.version === null ? 'the latest backup' : `version ${options.version}`} of "${options.source}"`;

    const files: Array<{ relative: string; item: RemoteItem }> = [];
    const folders: string[] = [];
    let fatal: TeraSyncError | null = null;
    const state = { filesDone: 0, bytesDone: 0, bytesTotal: 0, current: null as string | null };
    const inFlight = new Map<string, number>();
    const progress = (): void => {
      let bytes = state.bytesDone;
      for (const value of inFlight.values()) bytes += value;
      options.onEvent?.({
        type: 'progress',
        filesDone: state.filesDone,
        filesTotal: files.length,
        bytesDone: bytes,
        bytesTotal: state.bytesTotal,
        currentFile: state.current,
        remainingMs: estimateRemainingMs(bytes, state.bytesTotal, clock.now() - startedAt),
      });
    };
    const fail = (relative: string, error: unknown): void => {
      const coded = toTeraSyncError(error);
      if (FATAL.has(coded.code) || options.signal?.aborted) {
        fatal ??= options.signal?.aborted ? new TeraSyncError(ErrorCode.Cancelled, 'The restore was cancelled.') : coded;
        return;
      }
      summary.failed.push({ path: relative, code: coded.code, message: coded.message });
      this.deps.logger.warn('restore: file failed', { path: relative, code: coded.code, message: coded.message });
      options.onEvent?.({ type: 'file-failed', path: relative, code: coded.code, message: coded.message });
    };
    const keepAside = async (absolute: string, isFile: boolean): Promise<void> => {
      const copy = await moveAside(absolute, isFile, new Date(clock.now()));
      summary.keptAside.push({ path: relativeTo(target, absolute), copy });
      options.onEvent?.({ type: 'kept-aside', path: relativeTo(target, absolute), copy });
    };

    try {
      const item = await remote.stat(remotePath, { signal: options.signal });
      if (item === null) {
        throw new TeraSyncError(ErrorCode.NotFound, `${path === '' ? 'Nothing' : `"${path}"`} is in ${where}.`);
      }
      if (item.type === 'file') {
        files.push({ relative: '', item: { path: '', remotePath: item.remotePath, type: 'file', size: item.size, mtimeMs: item.mtimeMs, etag: item.etag } });
      } else {
        const tree = await walkRemote(remote, item.remotePath, { concurrency: this.deps.concurrency, signal: options.signal });
        for (const entry of tree?.entries.values() ?? []) {
          if (entry.type === 'dir') folders.push(entry.path);
          else files.push({ relative: entry.path, item: entry });
        }
        for (const entry of tree?.skipped ?? []) {
          const message = skippedMessage(entry.path, entry.reason);
          summary.skipped.push({ path: entry.path, reason: entry.reason, message });
          this.deps.logger.warn('restore: skipped', { path: entry.path, detail: entry.detail });
          options.onEvent?.({ type: 'skipped', path: entry.path, message });
        }
      }
      state.bytesTotal = files.reduce((total, file) => total + file.item.size, 0);

      const ensured = new Map<string, Promise<void>>();
      /**
       * Makes `absolute` a folder: a file (or link) in the way inside the target is renamed
       * aside; the folders above the target are created when missing.
       */
      const ensureFolder = (absolute: string): Promise<void> => {
        let pending = ensured.get(absolute);
        if (pending === undefined) {
          pending = (async () => {
            if (!isWithin(absolute, target)) {
              await local('createFolder', absolute, () => mkdir(absolute, { recursive: true }));
              return;
            }
            await ensureFolder(dirname(absolute));
            const stats = await lstatOrNull(absolute);
            if (stats?.isDirectory()) return;
            if (stats !== null) await keepAside(absolute, true);
            await local('createFolder', absolute, () => mkdir(absolute));
          })();
          ensured.set(absolute, pending);
        }
        return pending;
      };

      if (item.type === 'dir') {
        await ensureFolder(target);
        folders.sort((a, b) => a.split('/').length - b.split('/').length);
        for (const folder of folders) {
          if (fatal || options.signal?.aborted) break;
          try {
            await ensureFolder(inside(target, folder));
          } catch (error) {
            fail(folder, error);
          }
        }
      }

      await mapLimit(files, this.deps.concurrency, async ({ relative, item: file }) => {
        if (fatal || options.signal?.aborted) return;
        const destination = relative === '' ? target : inside(target, relative);
        state.current = relative === '' ? basename(target) : relative;
        try {
          await ensureFolder(dirname(destination));
          const outcome = await this.restoreFile(file.remotePath, destination, options.signal, (bytes) => {
            inFlight.set(relative, bytes);
            progress();
          }, keepAside);
          summary.bytes += outcome.bytes;
          (outcome.unchanged ? summary.unchanged : summary.restored).push(relative);
          options.onEvent?.({ type: 'file', path: relative, outcome: outcome.unchanged ? 'unchanged' : 'restored' });
          state.bytesDone += file.size;
        } catch (error) {
          fail(relative, error);
        } finally {
          inFlight.delete(relative);
          state.filesDone++;
          progress();
        }
      });
      if (fatal) throw fatal;
      if (options.signal?.aborted) throw new TeraSyncError(ErrorCode.Cancelled, 'The restore was cancelled.');
    } catch (error) {
      if (error instanceof TeraSyncError && (error.code === ErrorCode.NotFound || error.code === ErrorCode.InvalidRequest) && files.length === 0) {
        throw error;
      }
      summary.stopped = (options.signal?.aborted ? new TeraSyncError(ErrorCode.Cancelled, 'The restore was cancelled.') : toTeraSyncError(error)).toInfo();
    }
    summary.durationMs = clock.now() - startedAt;
    return summary;
  }

  /**
   * Downloads to a temp file beside `destination`, then puts it in place without overwriting.
   * The temp file is opened (and a refusal reported) before anything is downloaded; it is
   * removed whatever happens unless it was put in place.
   */
  private async restoreFile(
    remotePath: string,
    destination: string,
    signal: AbortSignal | undefined,
    onBytes: (bytes: number) => void,
    keepAside: (absolute: string, isFile: boolean) => Promise<void>,
  ): Promise<{ unchanged: boolean; bytes: number }> {
    const temp = join(dirname(destination), `${TEMP_PREFIX}${randomBytes(8).toString('hex')}${TEMP_SUFFIX}`);
    let handle: FileHandle;
    try {
      handle = await open(temp, 'wx');
    } catch (error) {
      throw localError(error, 'write', destination);
    }
    const output = handle.createWriteStream();
    // Listened to from the start: a write error is this file's failure, never an unhandled event.
    let writeError: unknown = null;
    output.on('error', (error) => {
      writeError ??= error;
    });
    let placed = false;
    try {
      let result;
      try {
        result = await this.deps.remote.download(remotePath, output, { signal, onProgress: (progress) => onBytes(progress.bytes) });
        output.end();
        await finished(output);
      } catch (error) {
        if (writeError !== null && !signal?.aborted) throw localError(writeError, 'write', destination);
        throw error;
      }
      const existing = await lstatOrNull(destination);
      if (existing !== null) {
        if (existing.isFile() && existing.size === result.size && (await hashFile(destination)) === result.hash) {
          return { unchanged: true, bytes: result.size };
        }
        await keepAside(destination, !existing.isDirectory());
      }
      await placeWithoutOverwrite(temp, destination);
      placed = true;
      return { unchanged: false, bytes: result.size };
    } finally {
      if (!output.closed) {
        output.destroy();
        await new Promise<void>((resolve) => output.once('close', () => resolve()));
      }
      if (!placed) await unlink(temp).catch(() => undefined);
    }
  }
}

/** A local failure as this file's error, told as a sentence (see describeLocalError). */
function localError(error: unknown, operation: LocalOperation, path: string): TeraSyncError {
  if (error instanceof TeraSyncError) return error;
  return new TeraSyncError(ErrorCode.LocalIo, describeLocalError(error, operation, path), { cause: error });
}

/** Runs one local file-system call; its failure becomes a sentence about `path`. */
async function local<T>(operation: LocalOperation, path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw localError(error, operation, path);
  }
}

/** Why an entry of the backup was not restored, and what to do. */
function skippedMessage(path: string, reason: string): string {
  const name = path.split('/').pop() ?? path;
  let why: string;
  if (reason !== 'invalid-name') why = 'the server gave no details for it';
  // Bytes that are not UTF-8 are shown as \xNN (a "\" too, so this is asked first).
  else if (/\\x[0-9A-F]{2}/i.test(name)) why = 'its name is not valid UTF-8 text';
  else if (name.includes('\\')) why = 'TeraSync does not write names that contain "\\" (a folder separator on Windows)';
  else why = 'TeraSync does not write such a name';
  return `"${path}" was not restored: ${why}. Download it from TeraCLOUD's web page, or rename it there and restore again.`;
}

/**
 * Puts `temp` at `destination` unless something is there: a hard link fails with EEXIST
 * instead of replacing (rename would replace silently). Where hard links are not supported
 * (FAT, some network shares) it falls back on rename after a last look.
 */
async function placeWithoutOverwrite(temp: string, destination: string): Promise<void> {
  const appeared = 'a local file appeared at this path during the restore; it was left alone. Run the restore again to keep it aside and restore this file';
  try {
    await link(temp, destination);
    await unlink(temp);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new TeraSyncError(ErrorCode.Conflict, `${appeared}.`, { cause: error });
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV' && code !== 'EMLINK') throw localError(error, 'rename', destination);
  }
  if ((await lstatOrNull(destination)) !== null) throw new TeraSyncError(ErrorCode.Conflict, `${appeared}.`);
  await local('rename', destination, () => rename(temp, destination));
}

/** Renames a local entry to a free `name (restore conflict <time>).ext` beside it; returns the new path. */
async function moveAside(absolute: string, isFile: boolean, at: Date): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const copy = join(dirname(absolute), restoreConflictName(basename(absolute), isFile, at, attempt));
    if ((await lstatOrNull(copy)) !== null) continue;
    await local('rename', absolute, () => rename(absolute, copy));
    return copy;
  }
  throw new TeraSyncError(ErrorCode.LocalIo, `No free name to keep ${absolute} aside: rename or remove its earlier "(restore conflict ...)" copies and restore again.`);
}

async function lstatOrNull(absolute: string): Promise<Stats | null> {
  try {
    return await lstat(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw localError(error, 'read', absolute);
  }
}

async function hashFile(absolute: string): Promise<string> {
  const hasher = createHash('sha256');
  try {
    for await (const chunk of createReadStream(absolute) as AsyncIterable<Buffer>) hasher.update(chunk);
  } catch (error) {
    throw localError(error, 'read', absolute);
  }
  return hasher.digest('hex');
}

function isWithin(absolute: string, root: string): boolean {
  return absolute === root || absolute.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** `relative` (from the server, `/`-separated) below `root`, refusing anything that would leave it. */
function inside(root: string, relative: string): string {
  const absolute = resolve(root, ...relative.split('/'));
  if (!isWithin(absolute, root)) throw new TeraSyncError(ErrorCode.InvalidName, `refusing to write outside ${root}: ${relative}`);
  return absolute;
}

function relativeTo(root: string, absolute: string): string {
  return absolute === root ? '' : absolute.slice(root.length + 1).split(sep).join('/');
}
