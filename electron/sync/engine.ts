/**
 * One sync pair's engine: scan, list, plan, check the fail-safes, execute, and repeat while a
 * pass left work for the next one (a folder renamed aside or changed type).
 *
 * Fail-safes (nothing is deleted, the user is told why, `allowMassDelete` overrides):
 * - the local root is missing, or empty, while the journal remembers synced files (an
 *   unmounted drive looks exactly like a user who deleted everything);
 * - the remote root is gone while the journal remembers synced files;
 * - the plan deletes more than half of the synced files, and at least ten.
 */
import { lstat, mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { sameEtag } from '../../shared/etag.js';
import { Executor, fileEntry, learnEtag, type LocalFileAccess } from './executor.js';
import type { IgnoreMatcher } from './ignoreRules.js';
import type { Journal } from './journal.js';
import type { Listing, RemoteEntry } from './model.js';
import { isWithin, type Platform } from './names.js';
import { countFileDeletions, plan, type Action } from './planner.js';
import type { Clock, Logger, RemoteStore, Trash } from './ports.js';
import { emptyReport, type SyncEvent, type SyncReport } from './report.js';
import { loadIgnoreMatcher, MAX_INCREMENTAL_CHANGES, scanLocal, updateScan, type LocalScan } from './scanner.js';

export interface SyncEngineDeps {
  localRoot: string;
  remote: RemoteStore;
  journal: Journal;
  trash: Trash;
  clock: Clock;
  logger: Logger;
  /** Goes into conflict copies' names. */
  device: string;
  platform: Platform;
  /** Parallel transfers. */
  concurrency: number;
  /** Overrides the detection of a case-insensitive local file system (tests). */
  caseInsensitive?: boolean;
  files?: LocalFileAccess;
}

export interface RunOptions {
  dryRun?: boolean;
  allowMassDelete?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: SyncEvent) => void;
  /**
   * What changed since the last run, when a watcher and a poll schedule know it (continuous
   * mode). Leave out for a full run: scan everything, list everything.
   */
  scope?: RunScope;
}

/**
 * A continuous run's shortcut. Both parts fall back on the full work when the engine has no
 * state it can trust from the last run (the first run, or one that ended with errors,
 * conflicts or deferred actions).
 */
export interface RunScope {
  /**
   * Every local path (relative, `/`-separated, as on disk) a watcher reported since the last
   * run: only these are looked at again. Null: scan the whole folder.
   */
  localChanges: readonly string[] | null;
  /**
   * False: plan against the server listing the last run ended with, without listing again.
   * Safe for local changes: uploads and deletions carry preconditions (a weak ETag is checked
   * against the file's current state first), so a server change that listing missed turns
   * into a conflict or a retry, never into a lost version; a move never overwrites
   * (`Overwrite: F`), and a file changed on the server before it was moved is downloaded
   * under its new name by the next poll.
   */
  listRemote: boolean;
  /**
   * With `listRemote`: let the store skip folders whose own ETag says nothing in them changed
   * (see WebDavRemoteStore.list). False asks for a full walk. Default false.
   */
  reuseUnchangedFolders?: boolean;
}

/** Both sides as the last run left them, when it ended clean. */
interface Snapshot {
  local: LocalScan;
  /** The store's listing object (a store returns the same object while nothing changed). */
  listed: Listing<RemoteEntry>;
  /** `listed` with the ignore rules applied. */
  remote: Listing<RemoteEntry>;
}

export interface RunResult {
  report: SyncReport;
  /** The actions of the first pass (what `--dry-run` prints). */
  planned: Action[];
}

const MAX_PASSES = 4;
export const MASS_DELETE_MINIMUM = 10;

export class SyncEngine {
  private readonly deps: SyncEngineDeps;
  private snapshot: Snapshot | null = null;

  constructor(deps: SyncEngineDeps) {
    this.deps = deps;
  }

  async runOnce(options: RunOptions = {}): Promise<RunResult> {
    const { journal, logger } = this.deps;
    const report = emptyReport();
    const emit = (event: SyncEvent): void => options.onEvent?.(event);
    const allowMassDelete = options.allowMassDelete ?? false;
    let planned: Action[] = [];

    const scope = options.dryRun ? undefined : options.scope;
    // Whatever happens below, the state is only trusted again once this run ends clean.
    const snapshot = this.snapshot;
    this.snapshot = null;

    await this.checkLocalRoot(Boolean(options.dryRun));
    const caseInsensitive = this.deps.caseInsensitive ?? (await detectCaseInsensitive(this.deps.localRoot, this.deps.platform));

    for (let pass = 1; pass <= MAX_PASSES; pass++) {
      if (options.signal?.aborted) throw new TeraSyncError(ErrorCode.Cancelled, 'Sync cancelled.');
      const shortcut = pass === 1 && scope !== undefined && snapshot !== null ? snapshot : null;
      emit({ type: 'phase', phase: 'scanning', pass });
      const ignore = await loadIgnoreMatcher(this.deps.localRoot);
      const incremental =
        shortcut !== null && scope?.localChanges != null
          ? await updateScan(this.deps.localRoot, ignore, shortcut.local, scope.localChanges)
          : null;
      const local = incremental ?? (await scanLocal(this.deps.localRoot, ignore));
      emit({ type: 'phase', phase: 'listing', pass });
      const listed =
        shortcut !== null && scope?.listRemote === false
          ? shortcut.listed
          : await this.listRemote(Boolean(options.dryRun), pass === 1 && scope?.reuseUnchangedFolders === true);
      // The ignore rules are the same as last time unless the full scan was needed.
      const remote = incremental !== null && shortcut !== null && listed === shortcut.listed ? shortcut.remote : filterRemote(listed, ignore);

      if (incremental !== null && shortcut !== null && remote === shortcut.remote && scope?.localChanges?.length === 0) {
        // Nothing changed on either side since a run that ended clean: nothing to plan.
        this.snapshot = shortcut;
        break;
      }

      if (pass === 1 && !options.dryRun) {
        await this.clearTempFiles(local, remote);
        this.adoptPending(local, remote);
        this.learnUploadedEtags(remote);
      }
      const synced = journal.fileCount();
      if (!allowMassDelete && synced > 0 && local.entries.size === 0) {
        throw new TeraSyncError(
          ErrorCode.FailSafeTriggered,
          `The local folder ${this.deps.localRoot} is empty, but ${synced} files were synced from it. ` +
            'If a drive is not mounted, mount it and sync again. If you emptied the folder on purpose, run again with --allow-mass-delete.',
        );
      }

      emit({ type: 'phase', phase: 'planning', pass });
      const journalEntries = journal.all();
      const result = plan({ local, remote, journal: journalEntries, caseInsensitive, platform: this.deps.platform });
      if (pass === 1) {
        planned = result.actions;
        report.skipped.push(...result.skipped);
      }
      const deletions = countFileDeletions(result.actions);
      if (!allowMassDelete && deletions >= MASS_DELETE_MINIMUM && deletions * 2 > synced) {
        throw new TeraSyncError(
          ErrorCode.FailSafeTriggered,
          `This sync would delete ${deletions} of ${synced} synced files. Nothing was deleted. ` +
            'Check both folders; if the deletions are intended, run again with --allow-mass-delete.',
        );
      }
      emit({
        type: 'planned',
        pass,
        actions: result.actions.length,
        bytes: result.actions.reduce((sum, a) => sum + transferBytes(a), 0),
      });
      if (options.dryRun) break;

      emit({ type: 'phase', phase: 'executing', pass });
      const executor = new Executor(
        {
          root: this.deps.localRoot,
          remote: this.deps.remote,
          journal,
          trash: this.deps.trash,
          clock: this.deps.clock,
          logger,
          device: this.deps.device,
          concurrency: this.deps.concurrency,
          caseInsensitive,
          ignore,
          files: this.deps.files,
          signal: options.signal,
          onEvent: options.onEvent,
        },
        local,
        remote,
        journalEntries,
      );
      await executor.run(result.actions, report);
      if (!options.dryRun && clean(report)) {
        this.snapshot =
          result.actions.length === 0 ? { local, listed, remote } : await this.afterActions(local, remote, result.actions, ignore);
      }
      if (!result.needsAnotherPass) break;
      this.snapshot = null;
    }
    emit({ type: 'phase', phase: 'done', pass: 0 });
    return { report, planned };
  }

  /**
   * Both sides after a pass whose actions all succeeded: the local side is looked at again
   * where the actions touched it, the server side is what the journal recorded for those
   * paths. Null (a full run next time) when that cannot be told for sure.
   */
  private async afterActions(local: LocalScan, remote: Listing<RemoteEntry>, actions: readonly Action[], ignore: IgnoreMatcher): Promise<Snapshot | null> {
    const touched = new Set<string>();
    for (const action of actions) {
      if (action.kind === 'conflict' || action.kind === 'renameLocalAside' || action.kind === 'renameRemoteAside') return null;
      touched.add(action.path);
      if (action.kind === 'moveRemote' || action.kind === 'moveLocal') touched.add(action.from.path);
    }
    if (touched.size > MAX_INCREMENTAL_CHANGES) return null;
    const localPaths = [...touched].map((path) => local.entries.get(path)?.localPath ?? this.deps.journal.get(path)?.localPath ?? path);
    const updatedLocal = await updateScan(this.deps.localRoot, ignore, local, localPaths);
    if (updatedLocal === null) return null;
    const entries = new Map(remote.entries);
    const touchedPaths = [...touched];
    const within = (path: string): boolean => touchedPaths.some((key) => path === key || isWithin(path, key));
    for (const key of entries.keys()) if (within(key)) entries.delete(key);
    for (const path of touched) {
      for (const entry of this.deps.journal.subtree(path)) {
        if (entry.type === 'file' && entry.remoteEtag === null) return null;
        entries.set(entry.path, {
          path: entry.path,
          remotePath: entry.remotePath,
          type: entry.type,
          size: entry.remoteSize,
          mtimeMs: entry.remoteMtimeMs,
          etag: entry.remoteEtag,
        });
      }
    }
    const updatedRemote = { entries, skipped: remote.skipped };
    // A listing object no store ever returned: the next poll's listing is filtered afresh.
    return { local: updatedLocal, listed: updatedRemote, remote: updatedRemote };
  }

  private async checkLocalRoot(dryRun: boolean): Promise<void> {
    const root = this.deps.localRoot;
    try {
      const stats = await lstat(root);
      if (!stats.isDirectory()) {
        throw new TeraSyncError(ErrorCode.Configuration, `The local path ${root} is not a folder.`);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const synced = this.deps.journal.fileCount();
      if (synced > 0) {
        throw new TeraSyncError(
          ErrorCode.FailSafeTriggered,
          `The local folder ${root} is missing, but ${synced} files were synced into it. ` +
            'If it is on a drive that is not mounted, mount it and sync again. Nothing was deleted.',
        );
      }
      if (!dryRun) await mkdir(root, { recursive: true });
    }
  }

  private async listRemote(dryRun: boolean, reuseUnchangedFolders = false): Promise<Listing<RemoteEntry>> {
    try {
      return await this.deps.remote.list(reuseUnchangedFolders ? { reuseUnchangedFolders } : {});
    } catch (error) {
      if (!(error instanceof TeraSyncError) || error.code !== ErrorCode.NotFound) throw error;
      const synced = this.deps.journal.fileCount();
      if (synced > 0) {
        throw new TeraSyncError(
          ErrorCode.FailSafeTriggered,
          `The server folder is gone, but ${synced} files were synced with it. Nothing was deleted. ` +
            'Check the remote URL; if the folder was removed on purpose, remove the pair or its journal and sync again.',
        );
      }
      if (!dryRun) await this.deps.remote.createFolder('');
      return { entries: new Map(), skipped: [] };
    }
  }

  /**
   * Temp files are ours and were never renamed into place: removing them loses nothing.
   * Interrupted downloads of a version the server still has are kept to resume; the rest go.
   */
  private async clearTempFiles(local: LocalScan, remote: Listing<RemoteEntry>): Promise<void> {
    const { journal } = this.deps;
    const keep = new Set<string>();
    for (const partial of journal.partials()) {
      const current = remote.entries.get(partial.path);
      if (current && sameEtag(current.etag, partial.etag) && current.size === partial.remoteSize) keep.add(partial.temp);
      else journal.transaction(() => journal.clearPartial(partial.path));
    }
    for (const temp of local.tempFiles) {
      if (keep.has(temp)) continue;
      await unlink(join(this.deps.localRoot, temp)).catch(() => undefined);
    }
  }

  /** ETags the executor could not learn right after uploading (see Executor.learnUploadedEtags). */
  private learnUploadedEtags(remote: Listing<RemoteEntry>): void {
    const { journal } = this.deps;
    const learned = journal
      .all()
      .filter((entry) => entry.type === 'file' && entry.remoteEtag === null)
      .map((entry) => learnEtag(entry, remote.entries.get(entry.path)))
      .filter((entry) => entry !== null);
    if (learned.length > 0) journal.transaction(() => learned.forEach((entry) => journal.put(entry)));
  }

  /**
   * A transfer that finished just before a crash, before its journal transaction: adopt it
   * when the file on disk is exactly the one we wrote (same inode, size and mtime) or, for an
   * upload, the server holds a file of the size we sent.
   */
  private adoptPending(local: LocalScan, remote: Listing<RemoteEntry>): void {
    const { journal } = this.deps;
    for (const pending of journal.pending()) {
      const onDisk = local.entries.get(pending.path);
      const onServer = remote.entries.get(pending.path);
      const sameLocal =
        onDisk !== undefined &&
        onDisk.type === 'file' &&
        onDisk.size === pending.entry.localSize &&
        onDisk.mtimeMs === pending.entry.localMtimeMs &&
        onDisk.ino === pending.entry.localIno;
      journal.transaction(() => {
        if (sameLocal && pending.kind === 'download') {
          journal.put(pending.entry);
        } else if (sameLocal && pending.kind === 'upload' && onServer?.type === 'file' && onServer.size === onDisk.size) {
          journal.put(fileEntry(pending.path, onDisk, onServer, null));
        }
        journal.clearPending(pending.path);
      });
    }
  }
}

/** A run whose every action succeeded: its end state can be trusted without a full scan. */
function clean(report: SyncReport): boolean {
  return report.errors.length === 0 && report.deferred.length === 0 && report.conflicts.length === 0;
}

function transferBytes(action: Action): number {
  if (action.kind === 'upload') return action.local.size;
  if (action.kind === 'download' || action.kind === 'conflict') return action.remote.size;
  return 0;
}

/** The server's side of the ignore rules: what we never upload, we never download either. */
function filterRemote(listing: Listing<RemoteEntry>, ignore: IgnoreMatcher): Listing<RemoteEntry> {
  const ignoredFolders: string[] = [];
  const entries = new Map<string, RemoteEntry>();
  const sorted = [...listing.entries.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const entry of sorted) {
    if (ignoredFolders.some((folder) => isWithin(entry.path, folder))) continue;
    if (ignore.ignores(entry.remotePath, entry.type === 'dir')) {
      if (entry.type === 'dir') ignoredFolders.push(entry.path);
      continue;
    }
    entries.set(entry.path, entry);
  }
  return { entries, skipped: listing.skipped };
}

/**
 * Whether names that differ only in case are the same file here. Looked up on an entry that
 * exists, so nothing is written; an empty folder falls back on the platform's default.
 */
async function detectCaseInsensitive(root: string, platform: Platform): Promise<boolean> {
  try {
    const names = await readdir(root);
    const probe = names.find((name) => name.toUpperCase() !== name.toLowerCase());
    if (probe !== undefined) {
      const swapped = [...probe].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
      if (!names.includes(swapped)) {
        try {
          await lstat(join(root, swapped));
          return true;
        } catch {
          return false;
        }
      }
    }
  } catch {
    // Fall through to the platform's default.
  }
  return platform === 'darwin' || platform === 'win32';
}
