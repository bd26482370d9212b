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
import { loadIgnoreMatcher, scanLocal, type LocalScan } from './scanner.js';

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

  constructor(deps: SyncEngineDeps) {
    this.deps = deps;
  }

  async runOnce(options: RunOptions = {}): Promise<RunResult> {
    const { journal, logger } = this.deps;
    const report = emptyReport();
    const emit = (event: SyncEvent): void => options.onEvent?.(event);
    const allowMassDelete = options.allowMassDelete ?? false;
    let planned: Action[] = [];

    await this.checkLocalRoot(Boolean(options.dryRun));
    const caseInsensitive = this.deps.caseInsensitive ?? (await detectCaseInsensitive(this.deps.localRoot, this.deps.platform));

    for (let pass = 1; pass <= MAX_PASSES; pass++) {
      if (options.signal?.aborted) throw new TeraSyncError(ErrorCode.Cancelled, 'Sync cancelled.');
      emit({ type: 'phase', phase: 'scanning', pass });
      const ignore = await loadIgnoreMatcher(this.deps.localRoot);
      const local = await scanLocal(this.deps.localRoot, ignore);
      emit({ type: 'phase', phase: 'listing', pass });
      const remote = filterRemote(await this.listRemote(Boolean(options.dryRun)), ignore);

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
      if (!result.needsAnotherPass) break;
    }
    emit({ type: 'phase', phase: 'done', pass: 0 });
    return { report, planned };
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

  private async listRemote(dryRun: boolean): Promise<Listing<RemoteEntry>> {
    try {
      return await this.deps.remote.list();
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
