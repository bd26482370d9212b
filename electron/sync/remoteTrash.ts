/**
 * The pair's own trash on the server. TeraCLOUD's WebDAV has no trash, so what a sync deletes
 * on the server is moved (WebDAV MOVE, never a DELETE, with the same If-Match the DELETE
 * carried) into
 *
 *   <pair remote root>/.terasync-trash/<run id>/<path relative to the pair root>
 *
 * where the run id is the UTC time the run started (`2026-12-05T235329Z`); a run folder of
 * that name already there (two runs in one second) gives `<run id>-2`, `-3`... A second
 * deletion of the same path in one run keeps both: the later one is `name (2).ext`.
 *
 * The trash is never synced (its name starts with `.terasync-`, see ignoreRules.ts), never
 * listed by a sync, and never counted by the fail-safes. Run folders older than the retention
 * (30 days unless set) are deleted, at most once a day (SyncEngine). Restoring moves an entry
 * back to its original path, or beside it as `name (restored).ext` when that name is taken:
 * nothing is ever overwritten. The next sync then downloads it as a new server file.
 */
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../shared/errors.js';
import { TRASH_FOLDER_NAME } from './ignoreRules.js';
import { baseName, joinPath, parentPath } from './names.js';
import type { RemoteEntry, SkippedEntry } from './model.js';
import type { RemoteStore } from './ports.js';

export const TRASH_FOLDER = TRASH_FOLDER_NAME;
export const DAY_MS = 86_400_000;
export const DEFAULT_RETENTION_DAYS = 30;
export const DEFAULT_FAIL_SAFE_PERCENT = 50;

/** Whether `path` (relative to the pair root, `/`-separated) is the trash or inside it. */
export function isTrashPath(path: string): boolean {
  return path === TRASH_FOLDER || path.startsWith(`${TRASH_FOLDER}/`);
}

/** The run id of a run started at `ms`: `YYYY-MM-DDTHHMMSSZ` (UTC), safe in any file name. */
export function runIdAt(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

const RUN_FOLDER = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-(\d+))?$/;

/** When the run of a trash run folder started, or null for a folder this client did not make. */
export function runTimeOf(folder: string): number | null {
  const match = RUN_FOLDER.exec(folder);
  if (match === null) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isNaN(ms) ? null : ms;
}

/** `name (suffix).ext`: the suffix goes before the extension of the last segment. */
function withSuffix(path: string, suffix: string): string {
  const name = baseName(path);
  const dot = name.lastIndexOf('.');
  const renamed = dot > 0 ? `${name.slice(0, dot)} (${suffix})${name.slice(dot)}` : `${name} (${suffix})`;
  return joinPath(parentPath(path), renamed);
}

/** What one run moved to the trash, for the sync report. */
export interface DeletedToTrash {
  runId: string;
  /** Files moved (a folder counts the files it held). */
  count: number;
  bytes: number;
}

export interface DeletedFile {
  /** The path it had, relative to the pair root (the path it is restored to). */
  path: string;
  size: number;
  mtimeMs: number;
}

export interface DeletedRun {
  /** The run folder's name in the trash (the run id, or `<run id>-2`). */
  runId: string;
  /** When the run started (from its id). */
  deletedAt: number;
  files: DeletedFile[];
  bytes: number;
}

export interface RestoredEntry {
  /** The original path. */
  path: string;
  /** Where it went: the original path, or a restored copy name beside it. */
  restoredTo: string;
}

/** One run's moves into the trash; the run folder is made with the first of them. */
export class TrashSession {
  private folder: Promise<string> | null = null;
  private readonly folders = new Map<string, Promise<void>>();
  private readonly taken = new Set<string>();
  private moved = 0;
  private movedBytes = 0;
  private runFolder: string | null = null;

  constructor(
    private readonly remote: RemoteStore,
    readonly runId: string,
    private readonly signal?: AbortSignal,
  ) {}

  /** What was moved so far; null while nothing was. */
  summary(): DeletedToTrash | null {
    if (this.runFolder === null || this.moved === 0) return null;
    return { runId: this.runFolder, count: this.moved, bytes: this.movedBytes };
  }

  /**
   * Moves `remotePath` (a file known by `ifMatch`, or a folder) into the trash. Resolves
   * 'gone' when the file is not on the server any more (nothing to keep); rejects with
   * PreconditionFailed when it changed since it was listed (it stays where it is).
   * `files` and `bytes` are what the entry holds, for the report.
   */
  async moveIn(remotePath: string, type: 'file' | 'dir', ifMatch: string | null, files: number, bytes: number): Promise<'moved' | 'gone'> {
    const folder = await this.ensureRunFolder();
    await this.ensureFolder(folder, parentPath(remotePath));
    let target = joinPath(folder, remotePath);
    for (let n = 2; ; n++) {
      if (this.taken.has(target)) {
        target = joinPath(folder, withSuffix(remotePath, String(n)));
        continue;
      }
      this.taken.add(target);
      try {
        await this.remote.move(remotePath, target, type, { signal: this.signal, ifMatch: type === 'file' ? ifMatch : null });
        break;
      } catch (error) {
        const coded = toTeraSyncError(error);
        if (coded.code === ErrorCode.NotFound && type === 'file') return 'gone';
        // 412: the destination exists (an earlier deletion of this name), or the file changed.
        if (coded.code !== ErrorCode.PreconditionFailed || n > 100) throw error;
        if ((await this.remote.stat(target, { signal: this.signal })) === null) {
          // If-Match fails on a file that is not there at all: gone, nothing to keep.
          if (type === 'file' && (await this.remote.stat(remotePath, { signal: this.signal })) === null) return 'gone';
          throw error;
        }
      }
    }
    this.moved += files;
    this.movedBytes += bytes;
    return 'moved';
  }

  private ensureRunFolder(): Promise<string> {
    this.folder ??= (async () => {
      await this.remote.createFolder(TRASH_FOLDER, { signal: this.signal });
      for (let n = 1; n < 1000; n++) {
        const name = n === 1 ? this.runId : `${this.runId}-${n}`;
        const path = joinPath(TRASH_FOLDER, name);
        if ((await this.remote.stat(path, { signal: this.signal })) !== null) continue;
        await this.remote.createFolder(path, { signal: this.signal });
        this.runFolder = name;
        return path;
      }
      throw new TeraSyncError(ErrorCode.Conflict, `no free name for the trash folder of run ${this.runId}`);
    })();
    // A failed attempt is tried again by the next deletion.
    this.folder.catch(() => {
      this.folder = null;
    });
    return this.folder;
  }

  /** Makes `relative` (and its parents) inside the run folder, once each. */
  private async ensureFolder(runFolder: string, relative: string): Promise<void> {
    if (relative === '') return;
    await this.ensureFolder(runFolder, parentPath(relative));
    const path = joinPath(runFolder, relative);
    let made = this.folders.get(path);
    if (made === undefined) {
      made = this.remote.createFolder(path, { signal: this.signal });
      this.folders.set(path, made);
      made.catch(() => this.folders.delete(path));
    }
    await made;
  }
}

/** Listing, restoring and purging the trash of one pair (the app, the command, the engine). */
export class RemoteTrash {
  constructor(private readonly remote: RemoteStore) {}

  /** Every run folder with the files it holds, newest first. */
  async list(options: { signal?: AbortSignal } = {}): Promise<DeletedRun[]> {
    const runs: DeletedRun[] = [];
    for (const child of await this.children(TRASH_FOLDER, options.signal)) {
      if (child.type !== 'dir') continue;
      const name = baseName(child.remotePath);
      const deletedAt = runTimeOf(name);
      if (deletedAt === null) continue;
      const prefix = joinPath(TRASH_FOLDER, name);
      const entries = await this.walk(prefix, options.signal);
      const files = entries
        .filter((entry) => entry.type === 'file')
        .map((entry) => ({ path: entry.remotePath.slice(prefix.length + 1), size: entry.size, mtimeMs: entry.mtimeMs }))
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      runs.push({ runId: name, deletedAt, files, bytes: files.reduce((sum, file) => sum + file.size, 0) });
    }
    return runs.sort((a, b) => b.deletedAt - a.deletedAt || (a.runId < b.runId ? 1 : -1));
  }

  /** Bytes the trash holds. */
  async usage(options: { signal?: AbortSignal } = {}): Promise<{ bytes: number; files: number; runs: number }> {
    const runs = await this.list(options);
    return {
      bytes: runs.reduce((sum, run) => sum + run.bytes, 0),
      files: runs.reduce((sum, run) => sum + run.files.length, 0),
      runs: runs.length,
    };
  }

  /**
   * Moves a run's entries (or the one file `path` of it) back to where they were. A folder
   * that exists again is merged into; a file whose name is taken comes back as
   * `name (restored).ext`. A run folder left empty is removed.
   */
  async restore(runId: string, path: string | null, options: { signal?: AbortSignal } = {}): Promise<RestoredEntry[]> {
    const signal = options.signal;
    const runFolder = this.runFolder(runId);
    if ((await this.remote.stat(runFolder, { signal }))?.type !== 'dir') {
      throw new TeraSyncError(ErrorCode.NotFound, `There is no deleted-files run ${runId} in the trash.`);
    }
    const restored: RestoredEntry[] = [];
    if (path === null) {
      for (const child of await this.children(runFolder, signal)) {
        await this.restoreEntry(runFolder, child.remotePath.slice(runFolder.length + 1), child.type, restored, signal);
      }
    } else {
      const entry = await this.remote.stat(joinPath(runFolder, path), { signal });
      if (entry === null) throw new TeraSyncError(ErrorCode.NotFound, `${path} is not among the files deleted by run ${runId}.`);
      await this.restoreEntry(runFolder, path, entry.type, restored, signal);
    }
    await this.removeIfEmpty(runFolder, signal);
    return restored;
  }

  /** Deletes one run folder for good. */
  async purgeRun(runId: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.remote.remove(this.runFolder(runId), 'dir', { signal: options.signal });
  }

  /** Deletes every run folder (all of them with `olderThanMs` null), for good; returns their ids. */
  async purge(olderThanMs: number | null, options: { signal?: AbortSignal } = {}): Promise<string[]> {
    const purged: string[] = [];
    for (const child of await this.children(TRASH_FOLDER, options.signal)) {
      const name = baseName(child.remotePath);
      const time = runTimeOf(name);
      if (child.type !== 'dir' || time === null) continue;
      if (olderThanMs !== null && time >= olderThanMs) continue;
      await this.remote.remove(child.remotePath, 'dir', { signal: options.signal });
      purged.push(name);
    }
    return purged;
  }

  private runFolder(runId: string): string {
    if (runTimeOf(runId) === null) throw new TeraSyncError(ErrorCode.InvalidName, `${JSON.stringify(runId)} is not a deleted-files run.`);
    return joinPath(TRASH_FOLDER, runId);
  }

  private async restoreEntry(runFolder: string, path: string, type: 'file' | 'dir', restored: RestoredEntry[], signal?: AbortSignal): Promise<void> {
    const from = joinPath(runFolder, path);
    const current = await this.remote.stat(path, { signal });
    if (type === 'dir' && current?.type === 'dir') {
      // The folder exists again: what it held comes back into it, one entry at a time.
      for (const child of await this.children(from, signal)) {
        await this.restoreEntry(runFolder, child.remotePath.slice(runFolder.length + 1), child.type, restored, signal);
      }
      await this.removeIfEmpty(from, signal);
      return;
    }
    await this.ensureParents(parentPath(path), signal);
    for (let n = current === null ? 0 : 1; n < 1000; n++) {
      const target = n === 0 ? path : withSuffix(path, n === 1 ? 'restored' : `restored ${n}`);
      if (n > 0 && (await this.remote.stat(target, { signal })) !== null) continue;
      try {
        await this.remote.move(from, target, type, { signal });
        restored.push({ path, restoredTo: target });
        return;
      } catch (error) {
        // Taken between the look and the move: try the next name.
        if (toTeraSyncError(error).code !== ErrorCode.PreconditionFailed) throw error;
      }
    }
    throw new TeraSyncError(ErrorCode.Conflict, `no free name to restore ${path}`);
  }

  private async ensureParents(path: string, signal?: AbortSignal): Promise<void> {
    if (path === '') return;
    const existing = await this.remote.stat(path, { signal });
    if (existing?.type === 'dir') return;
    if (existing !== null) throw new TeraSyncError(ErrorCode.Conflict, `${path} is a file now: restore into it is not possible.`);
    await this.ensureParents(parentPath(path), signal);
    await this.remote.createFolder(path, { signal });
  }

  /**
   * Removes `folder` when no file is left in it (empty folders below it go with it). An entry
   * the listing skipped (a name this client cannot handle) counts as left: it is never deleted
   * unseen.
   */
  private async removeIfEmpty(folder: string, signal?: AbortSignal): Promise<void> {
    let skipped = false;
    const left = await this.walk(folder, signal, () => (skipped = true));
    if (skipped || left.some((entry) => entry.type === 'file')) return;
    await this.remote.remove(folder, 'dir', { signal });
  }

  private async children(path: string, signal?: AbortSignal, onSkipped: (entry: SkippedEntry) => void = () => undefined): Promise<RemoteEntry[]> {
    try {
      return await this.remote.listChildren(path, { signal, onSkipped });
    } catch (error) {
      if (toTeraSyncError(error).code === ErrorCode.NotFound) return [];
      throw error;
    }
  }

  /** Everything below `path` (Depth: 1 listings, as the service refuses Depth: infinity). */
  private async walk(path: string, signal?: AbortSignal, onSkipped?: (entry: SkippedEntry) => void): Promise<RemoteEntry[]> {
    const all: RemoteEntry[] = [];
    const queue = [path];
    while (queue.length > 0) {
      const folder = queue.shift() as string;
      for (const child of await this.children(folder, signal, onSkipped)) {
        all.push(child);
        if (child.type === 'dir') queue.push(child.remotePath);
      }
    }
    return all;
  }
}
