/**
 * One sync pair's engine: scan, list, plan, check the fail-safes, execute, and repeat while a
 * pass left work for the next one (a folder renamed aside or changed type).
 *
 * Fail-safes (nothing is deleted, the user is told why and what, as a FailSafeError):
 * - the local root is missing, or empty, while the journal remembers synced files (an
 *   unmounted drive looks exactly like a user who deleted everything);
 * - the remote root is gone while the journal remembers synced files;
 * - the plan deletes more than half of the synced files, and at least ten.
 * The user's answers: `allowMassDelete` goes ahead with the deletions of an emptied folder or a
 * mass delete; `restoreDeletions` deletes nothing and brings everything back from the side that
 * still has it, by forgetting what the journal remembers of it: planned again, it is new on one
 * side only, and the planner copies it over (R1, R2, R4, R5).
 *
 * Only synced files the ignore rules leave in scope count for the fail-safes: a file in a
 * folder the user excluded (selective sync) or ignored is not synced any more, not deleted.
 * The journal forgets such entries, and nothing of them is touched on either side.
 *
 * At the end of every run but a dry one, an open conflict whose copy is gone from the
 * local folder (the user deleted it, or renamed it over the original) is marked resolved.
 */
import { lstat, mkdir, readdir, readlink, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { sameEtag } from '../../shared/etag.js';
import { countOf } from '../../shared/format.js';
import { Executor, fileEntry, learnEtag, type ExecutorDeps } from './executor.js';
import { FailSafeError, journalDeletionInfo, massDeleteInfo } from './failSafe.js';
import { applyFolderEtagVerdict, endRunClean, keepFolderEtagVerdict, oneShotListing, recordFolderEtags, startRun } from './folderEtags.js';
import type { IgnoreMatcher } from './ignoreRules.js';
import type { Journal } from './journal.js';
import { confirmIdentities, nodeFileAccess } from './localIdentity.js';
import type { JournalEntry, Listing, LocalEntry, RemoteEntry, SkippedEntry } from './model.js';
import { isWithin, normalizePath, parentPath, pathKey, type Platform } from './names.js';
import { countFileDeletions, plan, remoteState, type Action, type Plan, type PlanInput } from './planner.js';
import { emptyReport, type ResolvedConflict, type SyncEvent, type SyncReport } from './report.js';
import { DAY_MS, DEFAULT_FAIL_SAFE_PERCENT, DEFAULT_RETENTION_DAYS, RemoteTrash, runIdAt, TrashSession } from './remoteTrash.js';
import { recoverReplaced } from './replaced.js';
import { loadIgnoreMatcher, MAX_INCREMENTAL_CHANGES, scanLocal, updateScan, type LocalScan } from './scanner.js';
import { listingChanges, refilter, scopedInputs } from './scope.js';

/** What a run needs: the executor's ports and settings, and what the engine alone uses. */
export interface SyncEngineDeps extends Pick<ExecutorDeps, 'remote' | 'journal' | 'trash' | 'clock' | 'logger' | 'device' | 'concurrency' | 'files' | 'fs'> {
  localRoot: string;
  platform: Platform;
  /** Overrides the detection of a case-insensitive local file system (tests). */
  caseInsensitive?: boolean;
  /** Gitignore lines from the app's settings, applied to every pair like `.terasyncignore` lines. */
  ignorePatterns?: readonly string[];
  /**
   * Selective sync: folders relative to the pair root, `/`-separated, each left alone with
   * everything below it on both sides (never synced, never deleted).
   */
  excludedFolders?: readonly string[];
  /**
   * The mass-delete fail-safe stops a run that deletes more than this share (percent) of the
   * synced files, and at least ten. Default 50.
   */
  failSafePercent?: number;
  /** Days a run's folder stays in the server-side trash (remoteTrash.ts). Default 30. */
  deletedRetentionDays?: number;
}

export interface RunOptions {
  dryRun?: boolean;
  allowMassDelete?: boolean;
  /**
   * The user's answer "Restore them" at the fail-safe: this run deletes nothing, and everything
   * the stopped run would have deleted is copied back from the side that still has it (a
   * missing local or remote root is made again first).
   */
  restoreDeletions?: boolean;
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
  /**
   * Paths the next scoped plan looks at again although nothing reported them: what the last
   * pass's actions touched (see scope.ts).
   */
  recheck: readonly string[];
  /** What the last plan skipped (a name this OS refuses, a case clash): planned every time. */
  skipped: readonly string[];
}

export interface RunResult {
  report: SyncReport;
  /** The actions of the first pass (what `--dry-run` prints). */
  planned: Action[];
}

const MAX_PASSES = 4;
/** How far the server's clock may lag ours when an interrupted upload is recognised. */
const PENDING_CLOCK_MARGIN_MS = 120_000;
export const MASS_DELETE_MINIMUM = 10;
const HOUR_MS = 60 * 60 * 1000;

/** Journal meta key: when the trash was last purged of expired runs (ms since the epoch). */
export const TRASH_PURGED_AT = 'trashPurgedAt';

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
    const dryRun = options.dryRun ?? false;
    const allowMassDelete = options.allowMassDelete ?? false;
    const restore = options.restoreDeletions ?? false;
    const remembered = new RunJournal(journal, dryRun);
    const lastRunClean = startRun(journal, dryRun);
    let planned: Action[] = [];

    const scope = dryRun ? undefined : options.scope;
    // Whatever happens below, the state is only trusted again once this run ends clean.
    const snapshot = this.snapshot;
    this.snapshot = null;

    const remoteTrash = new TrashSession(this.deps.remote, runIdAt(this.deps.clock.now()), options.signal);

    const localMissing = await this.checkLocalRoot(dryRun, restore, remembered);
    if (!dryRun && !localMissing) {
      // A download stopped around its rename left the file it replaced under a second name.
      const { localRoot: root, clock, device } = this.deps;
      await recoverReplaced({ root, journal, files: this.deps.files ?? nodeFileAccess, clock, logger, device });
    }
    const caseInsensitive = this.deps.caseInsensitive ?? (await detectCaseInsensitive(this.deps.localRoot, this.deps.platform));

    for (let pass = 1; pass <= MAX_PASSES; pass++) {
      if (options.signal?.aborted) throw new TeraSyncError(ErrorCode.Cancelled, 'Sync cancelled.');
      const shortcut = pass === 1 && scope !== undefined && snapshot !== null ? snapshot : null;
      emit({ type: 'phase', phase: 'scanning', pass });
      const ignore = await this.loadIgnore();
      // The server is listed while the local folder is scanned: far away, the listing's round
      // trips are most of a run, and the scan needs nothing from it.
      const fromStore = shortcut === null || scope?.listRemote !== false;
      const listing = fromStore
        ? this.listWithFolderEtags(pass, scope, lastRunClean, { dryRun, restore, remembered, ignore })
        : Promise.resolve(shortcut.listed);
      // Awaited below; a scan that fails first must not leave its rejection unhandled.
      listing.catch(() => undefined);
      const incremental =
        shortcut !== null && scope?.localChanges != null
          ? await updateScan(this.deps.localRoot, ignore, shortcut.local, scope.localChanges)
          : null;
      // A dry run leaves a missing root missing: there is nothing in it to scan.
      const local = localMissing ? emptyScan() : incremental ?? (await scanLocal(this.deps.localRoot, ignore));
      emit({ type: 'phase', phase: 'listing', pass });
      const listed = await listing;
      // The ignore rules are the same as last time unless the full scan was needed: then only
      // the server's paths that changed since are looked at (and filtered) again.
      const serverChanges = incremental !== null && shortcut !== null ? listingChanges(shortcut.listed, listed) : null;
      const remote =
        serverChanges === null || shortcut === null
          ? filterRemote(listed, ignore)
          : serverChanges.length === 0
            ? { entries: shortcut.remote.entries, skipped: listed.skipped }
            : refilter(shortcut.remote, listed, serverChanges, ignore);

      if (serverChanges?.length === 0 && shortcut !== null && incremental === shortcut.local && shortcut.recheck.length === 0) {
        // Nothing changed on either side since a run that ended clean: nothing to plan. The
        // store's own listing is kept, so that its next poll is known unchanged at once.
        this.snapshot = { ...shortcut, listed, remote };
        break;
      }

      // An adopted transfer changes the journal at its path: planned again whatever the scope.
      const pendingPaths = pass === 1 && !dryRun ? journal.pending().map((pending) => pending.path) : [];
      if (pass === 1 && !dryRun) {
        await this.clearTempFiles(local, remote);
        this.adoptPending(local, remote);
      }
      const excluded = await this.excludedFoldersPresent(localMissing, listed);
      // After a clean run, what changed since (see scope.ts); null: everything.
      const scoped =
        serverChanges !== null && shortcut !== null && scope?.localChanges != null && !restore && !localMissing && local.entries.size > 0
          ? scopedInputs({
              local,
              remote,
              extraSkipped: [...excluded.local, ...excluded.remote],
              journal,
              paths: [...scope.localChanges, ...serverChanges, ...shortcut.recheck, ...shortcut.skipped, ...pendingPaths],
              caseInsensitive,
            })
          : null;
      let journalEntries: JournalEntry[];
      let synced: number;
      if (scoped !== null) {
        // The fail-safes count every synced file; the rules are the last run's, which forgot
        // what they leave out already.
        journalEntries = this.learnUploadedEtags(scoped.journal, remote);
        synced = journal.fileCount();
        logger.debug('planning the changed paths only', { paths: scoped.paths, synced });
      } else {
        // Only the files without an ETag can learn one: the journal is not read whole for them.
        if (pass === 1 && !dryRun) this.learnUploadedEtags(journal.filesWithoutEtag(), remote);
        // What the ignore rules now leave out (an excluded folder, a new pattern) is no longer
        // synced: forgotten, it is neither deleted on either side nor counted by the fail-safes.
        // An incremental scan means the rules are those of the last run, which forgot already.
        const { inScope, outOfScope } = remembered.partition(incremental === null ? ignore : null);
        if (!dryRun) remembered.forget(outOfScope.map((entry) => entry.path));
        journalEntries = inScope;
        synced = countFiles(journalEntries);
      }
      if (synced > 0 && local.entries.size === 0) {
        if (restore) {
          // Everything the journal remembers is absent here: forgotten, it is downloaded again.
          remembered.forget(journalEntries.map((entry) => entry.path));
          journalEntries = remembered.partition(ignore).inScope;
        } else if (!allowMassDelete) {
          throw new FailSafeError(
            journalDeletionInfo('localEmpty', journalEntries, 'remote'),
            `The local folder ${this.deps.localRoot} is empty, but ${countOf(synced, 'file')} ${synced === 1 ? 'was' : 'were'} synced from it. ` +
              'If a drive is not mounted, mount it and sync again. If you emptied the folder on purpose, run again with --allow-mass-delete.',
          );
        }
      }

      // A file whose identity moved with its size kept is hashed: the same content is no edit.
      journalEntries = await this.confirmIdentities(local, journalEntries, caseInsensitive, dryRun);

      emit({ type: 'phase', phase: 'planning', pass });
      const planLocal = scoped?.local ?? local;
      const planRemote = scoped?.remote ?? remote;
      const planInput = (entries: readonly JournalEntry[]): PlanInput => ({
        local: { entries: planLocal.entries, skipped: [...local.skipped, ...excluded.local] },
        remote: { entries: planRemote.entries, skipped: [...remote.skipped, ...excluded.remote] },
        journal: entries,
        caseInsensitive,
        platform: this.deps.platform,
      });
      let result = plan(planInput(journalEntries));
      if (restore) {
        const restored = this.planWithoutDeletions(result, remembered, ignore, journalEntries, planInput);
        result = restored.result;
        journalEntries = restored.journalEntries;
      }
      if (pass === 1) {
        planned = result.actions;
        // The user chose to leave those folders out: nothing to report.
        report.skipped.push(...result.skipped.filter((entry) => entry.reason !== 'ignored'));
      }
      const deletions = countFileDeletions(result.actions);
      const percent = this.deps.failSafePercent ?? DEFAULT_FAIL_SAFE_PERCENT;
      if (!allowMassDelete && deletions >= MASS_DELETE_MINIMUM && deletions * 100 > synced * percent) {
        throw new FailSafeError(
          massDeleteInfo(result.actions),
          `This sync would delete ${deletions} of ${countOf(synced, 'synced file')}. Nothing was deleted. ` +
            'Check both folders; if the deletions are intended, run again with --allow-mass-delete.',
        );
      }
      emit({
        type: 'planned',
        pass,
        actions: result.actions.length,
        bytes: result.actions.reduce((sum, a) => sum + transferBytes(a), 0),
      });
      if (dryRun) break;

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
          fs: this.deps.fs,
          signal: options.signal,
          onEvent: options.onEvent,
          remoteTrash,
        },
        local,
        remote,
        journalEntries,
      );
      try {
        await executor.run(result.actions, report);
      } finally {
        report.deletedToTrash = remoteTrash.summary();
        if (report.deletedToTrash !== null) emit({ type: 'trashed', ...report.deletedToTrash });
      }
      if (clean(report)) {
        const skippedPaths = result.skipped.map((entry) => entry.path);
        this.snapshot =
          result.actions.length === 0
            ? { local, listed, remote, recheck: [], skipped: skippedPaths }
            : await this.afterActions(local, remote, result.actions, ignore, skippedPaths);
      }
      if (!result.needsAnotherPass) {
        // The journal now holds every entry of that listing: its folder ETags can be kept.
        if (clean(report) && fromStore) {
          const skippedPaths = [...listed.skipped, ...result.skipped, ...local.skipped].map((entry) => entry.path);
          // In scope: the journal's entries there and those the actions made, as the actions
          // left them (the journal is not read whole).
          const paths = scoped === null ? null : new Set([...scoped.journal.map((entry) => entry.path), ...result.actions.map((action) => action.path)]);
          const entries = paths === null ? undefined : [...paths].map((path) => journal.get(path)).filter((entry) => entry !== null);
          recordFolderEtags(journal, listed, skippedPaths, ignore, entries);
        }
        break;
      }
      this.snapshot = null;
    }
    if (!dryRun && clean(report)) endRunClean(journal);
    if (!dryRun) report.resolvedConflicts.push(...(await this.resolveGoneConflicts()));
    if (!dryRun) await this.purgeExpiredTrash(options.signal);
    emit({ type: 'phase', phase: 'done', pass: 0 });
    return { report, planned };
  }

  /**
   * Deletes the trash's run folders older than the retention, at most once a day (the journal
   * remembers when it last did). A new journal starts the day's count without a listing (the
   * first sync costs no extra request); a failure is logged and tried again an hour later.
   */
  private async purgeExpiredTrash(signal: AbortSignal | undefined): Promise<void> {
    const { journal, clock, logger } = this.deps;
    const now = clock.now();
    const last = journal.getMeta(TRASH_PURGED_AT);
    if (last === null) {
      journal.transaction(() => journal.setMeta(TRASH_PURGED_AT, String(now)));
      return;
    }
    if (now - Number(last) < DAY_MS && Number(last) <= now) return;
    const days = this.deps.deletedRetentionDays ?? DEFAULT_RETENTION_DAYS;
    try {
      const purged = await new RemoteTrash(this.deps.remote).purge(now - days * DAY_MS, { signal });
      if (purged.length > 0) logger.info('deleted files past their retention were purged from the trash', { runs: purged });
      journal.transaction(() => journal.setMeta(TRASH_PURGED_AT, String(now)));
    } catch (error) {
      logger.warn('purging the trash failed; tried again in an hour', { message: (error as Error).message });
      journal.transaction(() => journal.setMeta(TRASH_PURGED_AT, String(now - DAY_MS + HOUR_MS)));
    }
  }

  /**
   * "Restore them": every path the plan would delete (with everything below a folder) is
   * forgotten and planned again, where it is new on the side that still has it. Each round
   * forgets at least one entry (every deletion rule needs a journal entry), so this ends.
   */
  private planWithoutDeletions(
    first: Plan,
    remembered: RunJournal,
    ignore: IgnoreMatcher,
    entries: JournalEntry[],
    planInput: (entries: readonly JournalEntry[]) => PlanInput,
  ): { result: Plan; journalEntries: JournalEntry[] } {
    let result = first;
    let journalEntries = entries;
    for (;;) {
      const deleted = result.actions.filter((action) => action.kind === 'deleteRemote' || action.kind === 'deleteLocal').map((action) => action.path);
      if (deleted.length === 0) return { result, journalEntries };
      remembered.forget(deleted);
      const left = remembered.partition(ignore).inScope;
      if (left.length >= journalEntries.length) {
        throw new TeraSyncError(ErrorCode.Internal, `restoring deletions: forgetting ${deleted.join(', ')} left the journal as it was`);
      }
      journalEntries = left;
      result = plan(planInput(journalEntries));
    }
  }

  /**
   * The journal with the new identity of every file whose identity moved but whose content is
   * still the journal's (see localIdentity.ts); recorded at once except in a dry run.
   */
  private async confirmIdentities(local: LocalScan, entries: JournalEntry[], caseInsensitive: boolean, dryRun: boolean): Promise<JournalEntry[]> {
    let byKey: Map<string, LocalEntry> | null = null;
    const find = (scanned: ReadonlyMap<string, LocalEntry>, entry: JournalEntry): LocalEntry | undefined => {
      const exact = scanned.get(entry.path);
      if (exact !== undefined || !caseInsensitive) return exact;
      byKey ??= new Map([...scanned.values()].map((candidate) => [pathKey(candidate.path, true), candidate]));
      return byKey.get(pathKey(entry.path, true));
    };
    const confirmed = await confirmIdentities(this.deps.localRoot, this.deps.files ?? nodeFileAccess, local.entries, entries, this.deps.concurrency, find);
    if (confirmed.length === 0) return entries;
    if (!dryRun) this.deps.journal.transaction(() => confirmed.forEach((entry) => this.deps.journal.put(entry)));
    const byPath = new Map(confirmed.map((entry) => [entry.path, entry]));
    return entries.map((entry) => byPath.get(entry.path) ?? entry);
  }

  /** Open conflicts whose copy is gone from the local folder, now marked resolved. */
  private async resolveGoneConflicts(): Promise<ResolvedConflict[]> {
    const { journal } = this.deps;
    const resolved: ResolvedConflict[] = [];
    for (const conflict of journal.openConflicts()) {
      if (await existsLocally(join(this.deps.localRoot, conflict.copy))) continue;
      if (journal.resolveConflict(conflict.id)) resolved.push({ id: conflict.id, path: conflict.path });
    }
    return resolved;
  }

  /**
   * The excluded folders that exist on each side, as entries the planner leaves alone there: a
   * synced folder that holds one is kept (R18b, R19b) when the other side deletes it, instead
   * of being deleted with it or deferred run after run because it is not empty.
   */
  private async excludedFoldersPresent(localMissing: boolean, listed: Listing<RemoteEntry>): Promise<{ local: SkippedEntry[]; remote: SkippedEntry[] }> {
    const local: SkippedEntry[] = [];
    const remote: SkippedEntry[] = [];
    for (const folder of this.deps.excludedFolders ?? []) {
      const segments = folder.split('/').filter((segment) => segment !== '');
      if (segments.length === 0) continue;
      const path = normalizePath(segments.join('/'));
      const skipped = (side: SkippedEntry['side']): SkippedEntry => ({ path, side, reason: 'ignored', message: 'excluded from sync' });
      if (!localMissing && (await isLocalFolder(join(this.deps.localRoot, ...segments)))) local.push(skipped('local'));
      if (listed.entries.get(path)?.type === 'dir') remote.push(skipped('remote'));
    }
    return { local, remote };
  }

  private loadIgnore(): Promise<IgnoreMatcher> {
    return loadIgnoreMatcher(this.deps.localRoot, { appPatterns: this.deps.ignorePatterns, excludedFolders: this.deps.excludedFolders });
  }

  /**
   * Both sides after a pass whose actions all succeeded: the local side is looked at again
   * where the actions touched it, the server side is what the journal recorded for those
   * paths. Null (a full run next time) when that cannot be told for sure.
   */
  private async afterActions(
    local: LocalScan,
    remote: Listing<RemoteEntry>,
    actions: readonly Action[],
    ignore: IgnoreMatcher,
    skippedPaths: readonly string[],
  ): Promise<Snapshot | null> {
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
    // Updated in place: nothing else holds this run's filtered listing (never a store's own
    // object), and a big tree is not copied for a few paths. A listing holds the folder of
    // each of its entries, so only a touched folder can have entries below it.
    const entries = remote.entries;
    const folders = [...touched].filter((path) => entries.get(path)?.type === 'dir');
    for (const path of touched) entries.delete(path);
    if (folders.length > 0) for (const key of entries.keys()) if (folders.some((folder) => isWithin(key, folder))) entries.delete(key);
    for (const path of touched) {
      for (const { entry } of this.deps.journal.entriesAt(path, true)) {
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
    // A listing object no store ever returned: the next poll's listing is compared with it.
    // The touched paths are planned again next time, which finds them in sync.
    return { local: updatedLocal, listed: updatedRemote, remote: updatedRemote, recheck: [...touched], skipped: skippedPaths };
  }

  /**
   * True when the local root is missing and stays so (a dry run creates nothing). A missing
   * root with synced files stops the run, unless the user asked to restore: then it is made
   * again, and the run finds it empty.
   */
  private async checkLocalRoot(dryRun: boolean, restore: boolean, remembered: RunJournal): Promise<boolean> {
    const root = this.deps.localRoot;
    try {
      // A symbolic link to a folder (~/Sync -> /data/Sync) is that folder: only the root's
      // own link is followed, never one inside it.
      const stats = await stat(root);
      if (!stats.isDirectory()) {
        throw new TeraSyncError(ErrorCode.Configuration, `The local path ${root} is not a folder.`);
      }
      return false;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const dangling = await readlink(root).catch(() => null);
      const { inScope } = remembered.partition(await this.loadIgnore());
      const synced = countFiles(inScope);
      if (synced > 0 && !restore) {
        throw new FailSafeError(
          journalDeletionInfo('localMissing', inScope, 'remote'),
          `The local folder ${root} is missing, but ${countOf(synced, 'file')} ${synced === 1 ? 'was' : 'were'} synced into it. ` +
            'If it is on a drive that is not mounted, mount it and sync again. Nothing was deleted.',
        );
      }
      if (dangling !== null) {
        throw new TeraSyncError(
          ErrorCode.Configuration,
          `The local folder ${root} is a symbolic link to ${dangling}, which does not exist. If it is on a drive that is not mounted, mount it; or make that folder, or give the folder itself. Nothing was changed.`,
        );
      }
      if (dryRun) return true;
      await mkdir(root, { recursive: true });
      return false;
    }
  }

  /**
   * The remote listing of one pass. A one-shot run (no scope) gives the store the journal as
   * the last listing and, within the limits of folderEtags.ts, lets it skip unchanged folders;
   * a continuous run skips what its scope says, against the store's own last listing.
   */
  private async listWithFolderEtags(
    pass: number,
    scope: RunScope | undefined,
    lastRunClean: boolean,
    run: { dryRun: boolean; restore: boolean; remembered: RunJournal; ignore: IgnoreMatcher },
  ): Promise<Listing<RemoteEntry>> {
    const { journal, remote, clock, logger } = this.deps;
    const now = clock.now();
    let options: { reuseUnchangedFolders: boolean; known?: Listing<RemoteEntry> };
    if (pass === 1 && scope === undefined) {
      options = oneShotListing(journal, run.remembered.partition(null).inScope, remote, run.ignore, now, lastRunClean);
    } else {
      options = { reuseUnchangedFolders: pass === 1 && scope?.reuseUnchangedFolders === true && applyFolderEtagVerdict(journal, remote) };
    }
    const listed = await this.listRemote({ ...run, ...options });
    if (!run.dryRun) keepFolderEtagVerdict(journal, remote, !options.reuseUnchangedFolders, now, logger);
    return listed;
  }

  private async listRemote(run: {
    dryRun: boolean;
    restore: boolean;
    remembered: RunJournal;
    ignore: IgnoreMatcher;
    reuseUnchangedFolders: boolean;
    known?: Listing<RemoteEntry>;
  }): Promise<Listing<RemoteEntry>> {
    try {
      return await this.deps.remote.list({
        ...(run.reuseUnchangedFolders ? { reuseUnchangedFolders: true } : {}),
        ...(run.known !== undefined ? { known: run.known } : {}),
      });
    } catch (error) {
      if (!(error instanceof TeraSyncError) || error.code !== ErrorCode.NotFound) throw error;
      const { inScope } = run.remembered.partition(run.ignore);
      const synced = countFiles(inScope);
      if (synced > 0) {
        if (!run.restore) {
          throw new FailSafeError(
            journalDeletionInfo('remoteGone', inScope, 'local'),
            `The server folder is gone, but ${countOf(synced, 'file')} ${synced === 1 ? 'was' : 'were'} synced with it. Nothing was deleted. ` +
              'Check the remote URL; if the folder was removed on purpose, remove the pair or its journal and sync again.',
          );
        }
        // Forgotten, everything here is new next to an empty server folder: it is uploaded again.
        run.remembered.forget(inScope.map((entry) => entry.path));
      }
      if (!run.dryRun) await this.deps.remote.createFolder('');
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

  /**
   * ETags the executor could not learn right after uploading (see Executor.learnUploadedEtags),
   * for `entries` (the journal's files without one, or a scoped plan's entries): those
   * entries, updated.
   */
  private learnUploadedEtags(entries: JournalEntry[], remote: Listing<RemoteEntry>): JournalEntry[] {
    const { journal } = this.deps;
    const learned = new Map<string, JournalEntry>();
    for (const entry of entries) {
      if (entry.type !== 'file' || entry.remoteEtag !== null) continue;
      const known = learnEtag(entry, remote.entries.get(entry.path));
      if (known !== null) learned.set(entry.path, known);
    }
    if (learned.size === 0) return entries;
    journal.transaction(() => learned.forEach((entry) => journal.put(entry)));
    return entries.map((entry) => learned.get(entry.path) ?? entry);
  }

  /**
   * A transfer that finished just before a crash, before its journal transaction: adopt it
   * when the file on disk is exactly the one we wrote (same inode, size and mtime) or, for an
   * upload, the server holds a file of the size we sent.
   *
   * An upload is adopted only when the server's file is not the version the journal knew
   * (a same-size edit whose PUT never landed is sent again). One whose local file was renamed
   * or deleted after the PUT and before the crash is adopted under the identity the file had
   * when it was sent: the next plan then moves or deletes it on the server as the local side
   * says, instead of taking the server's file for a new one and bringing it back.
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
        onDisk.ctimeMs === pending.entry.localCtimeMs &&
        onDisk.ino === pending.entry.localIno;
      journal.transaction(() => {
        if (sameLocal && pending.kind === 'download') {
          journal.put(pending.entry);
        } else if (sameLocal && pending.kind === 'upload' && onServer?.type === 'file' && this.sentBefore(pending.entry, onServer)) {
          journal.put(fileEntry(pending.path, onDisk, onServer, null));
        } else if (onDisk === undefined && pending.kind === 'upload' && onServer?.type === 'file' && this.sentBefore(pending.entry, onServer)) {
          // Renamed or deleted since it was sent. A file still here but edited is not adopted:
          // changed (or new) on both sides, it plans as a conflict, where equal content is
          // recorded and different content keeps both (the server's may be another client's).
          const sent: LocalEntry = {
            path: pending.path,
            localPath: pending.entry.localPath,
            type: 'file',
            size: pending.entry.localSize,
            mtimeMs: pending.entry.localMtimeMs,
            ctimeMs: pending.entry.localCtimeMs,
            ino: pending.entry.localIno,
          };
          journal.put(fileEntry(pending.path, sent, onServer, null));
        }
        journal.clearPending(pending.path);
      });
    }
  }

  /**
   * Whether `onServer` is, as far as a listing can tell, the file an interrupted upload sent:
   * the size we sent, written no earlier than the PUT started (less a margin for the server's
   * clock), and not the version the journal already knew there.
   */
  private sentBefore(pending: JournalEntry, onServer: RemoteEntry): boolean {
    if (onServer.size !== pending.localSize || pending.remoteMtimeMs <= 0) return false;
    if (onServer.mtimeMs < pending.remoteMtimeMs - PENDING_CLOCK_MARGIN_MS) return false;
    const known = this.deps.journal.get(pending.path);
    // The planner's own test of "the server still holds the synced version".
    return known === null || known.type !== 'file' || remoteState(onServer, known) !== 'unchanged';
  }
}

/**
 * The journal as one run sees it: the entries the ignore rules leave in scope, minus what the
 * run forgot. A dry run forgets in memory only; any other run commits each forgetting at once,
 * in one transaction.
 */
class RunJournal {
  private readonly forgotten = new Set<string>();

  constructor(
    private readonly journal: Journal,
    private readonly dryRun: boolean,
  ) {}

  /** `ignore` null: every entry is in scope (the caller knows the rules forgot nothing new). */
  partition(ignore: IgnoreMatcher | null): { inScope: JournalEntry[]; outOfScope: JournalEntry[] } {
    const inScope: JournalEntry[] = [];
    const outOfScope: JournalEntry[] = [];
    for (const entry of this.journal.all()) {
      if (this.isForgotten(entry.path)) continue;
      if (ignore === null) {
        inScope.push(entry);
        continue;
      }
      const isDir = entry.type === 'dir';
      const ignored = ignore.ignores(entry.localPath, isDir) || (entry.remotePath !== entry.localPath && ignore.ignores(entry.remotePath, isDir));
      if (ignored) outOfScope.push(entry);
      else inScope.push(entry);
    }
    return { inScope, outOfScope };
  }

  /** Forgets each path with everything recorded below it. */
  forget(paths: readonly string[]): void {
    const roots = outermost(paths);
    if (roots.length === 0) return;
    if (this.dryRun) roots.forEach((path) => this.forgotten.add(path));
    else this.journal.transaction(() => roots.forEach((path) => this.journal.removeTree(path)));
  }

  private isForgotten(path: string): boolean {
    if (this.forgotten.size === 0) return false;
    for (let ancestor = path; ancestor !== ''; ancestor = parentPath(ancestor)) {
      if (this.forgotten.has(ancestor)) return true;
    }
    return false;
  }
}

/** The paths that lie below none of the others: forgetting those forgets them all. */
function outermost(paths: readonly string[]): string[] {
  const all = new Set(paths);
  return [...all].filter((path) => {
    for (let ancestor = parentPath(path); ancestor !== ''; ancestor = parentPath(ancestor)) {
      if (all.has(ancestor)) return false;
    }
    return true;
  });
}

function countFiles(entries: readonly JournalEntry[]): number {
  return entries.filter((entry) => entry.type === 'file').length;
}

function emptyScan(): LocalScan {
  return { entries: new Map(), skipped: [], tempFiles: [] };
}

async function isLocalFolder(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Whether something is at `path`; an error other than "not there" counts as there. */
async function existsLocally(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
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
export function filterRemote(listing: Listing<RemoteEntry>, ignore: IgnoreMatcher): Listing<RemoteEntry> {
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
