/**
 * The executor carries out a plan, one journal transaction per completed action (finished
 * uploads in batches, see below), in an order that keeps every intermediate state safe to stop
 * in:
 *
 *   1. renames aside (conflicts of type, case conflicts on the server)
 *   2. folders, parents first
 *   3. transfers, conflicts and journal-only actions, in parallel
 *   4. file deletions, then folder deletions, deepest first
 *
 * Safe writes: a download goes to a temp file in the target folder, is flushed, gets the
 * server's mtime and replaces the target only if the target is still as scanned. An upload
 * that replaces a file sends If-Match with the strong ETag; a new file If-None-Match: *; a 412
 * makes the path a conflict. A file that changes while it uploads is sent again.
 *
 * Journal batches: an upload records its pending row before its PUT, each in its own
 * transaction. When the file is found unchanged after the PUT, its entry goes into the
 * journal's batch (Journal.putAfterPending), written with the removal of the pending rows in
 * one transaction every BATCH_ENTRIES uploads or BATCH_MS after the first one waiting, at the
 * end of the transfers and of the run (also when it fails or is cancelled), and before anything
 * else reads or writes the journal. A kill before that leaves the pending rows, from which the
 * next run adopts what the server holds (SyncEngine.adoptPending).
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { mapLimit } from '../../shared/async.js';
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../shared/errors.js';
import { isTempFileName, TEMP_PREFIX, TEMP_SUFFIX, type IgnoreMatcher } from './ignoreRules.js';
import type { Journal, PartialDownload } from './journal.js';
import type { JournalEntry, Listing, LocalEntry, RemoteEntry } from './model.js';
import { baseName, caseConflictName, conflictName, joinPath, normalizePath, parentPath, pathKey } from './names.js';
import { UPLOAD_CLOCK_SLACK_MS, type Action } from './planner.js';
import { systemScheduler, type Clock, type Scheduler } from '../core/time.js';
import type { Logger } from '../core/logger.js';
import type { RemoteStore, Trash } from './ports.js';
import { isStrongEtag, sameEtag } from '../../shared/etag.js';
import { emptyReport, type ActionChange, type SyncEvent, type SyncReport } from './report.js';
import { limitBytes } from './limitBytes.js';
import { formatBytes } from '../../shared/format.js';
import { runIdAt, TrashSession } from './remoteTrash.js';
import { StateDiskFullError } from './sqliteFile.js';
import { nodeLocalFs, type LocalFs } from './localFs.js';
import { linkReplaced, NO_HARD_LINKS, settleReplaced, type ReplacedDeps, type SyncedVersion } from './replaced.js';

import { hashFile, identityOf, nodeFileAccess, proveContent, type LocalFileAccess, type Proof } from './localIdentity.js';

export { nodeFileAccess, type LocalFileAccess } from './localIdentity.js';

export interface ExecutorDeps {
  root: string;
  remote: RemoteStore;
  journal: Journal;
  trash: Trash;
  clock: Clock;
  /** Arms the wait of the journal's batch of finished uploads (see the top); default the system's. */
  scheduler?: Scheduler;
  logger: Logger;
  /** Goes into conflict copies' names. */
  device: string;
  /** Parallel transfers. */
  concurrency: number;
  caseInsensitive: boolean;
  ignore: IgnoreMatcher;
  files?: LocalFileAccess;
  /** The local file system the executor writes through (localFs.ts); default Node's. */
  fs?: LocalFs;
  signal?: AbortSignal;
  onEvent?: (event: SyncEvent) => void;
  /**
   * The run's server-side trash: what a deletion on the server removes is moved there
   * (remoteTrash.ts), never destroyed.
   */
  remoteTrash?: TrashSession;
}

/** An action that could not be done now and is left, unharmed, for the next run. */
class DeferredActionError extends Error {}

/**
 * The ctime a download is journaled with until its identity is confirmed: no file has it, so
 * a run that finds the file unconfirmed hashes it (see localIdentity.ts).
 */
export const UNCONFIRMED_CTIME = -1;

/**
 * How far past a ctime the clock must be before a hash proves nothing changed in that ctime's
 * tick: file systems stamp times from a coarse clock (4 to 16 ms per tick).
 */
const CTIME_TICK_MARGIN_MS = 50;
const MAX_CONFIRM_WAIT_MS = 2_000;

interface PlacedDownload {
  path: string;
  absolute: string;
  /** The file right after the rename. */
  stats: Stats;
  /** sha256 of what was downloaded. */
  hash: string;
}

function sameIdentity(a: Stats, b: Stats): boolean {
  return a.isFile() && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

/** Failures after which a partly downloaded file is worth keeping for a resume. */
const RESUMABLE: ReadonlySet<string> = new Set([ErrorCode.Network, ErrorCode.Timeout, ErrorCode.Cancelled, ErrorCode.Server]);

/**
 * Files up to this size are read whole before their PUT (one read, hashed at once, sent from
 * memory): a stream with its transforms costs more client CPU than a small file's request.
 */
const READ_WHOLE_UP_TO = 1024 * 1024;
/** Files from this size are read for upload in pieces of LARGE_READ_BYTES (default reads: 64 KiB). */
const LARGE_READ_FROM = 8 * 1024 * 1024;
const LARGE_READ_BYTES = 1024 * 1024;

/** Finished uploads written to the journal in one transaction (see the top of this file). */
const BATCH_ENTRIES = 64;
/** How long the first finished upload of a batch waits at most for others before it is written. */
const BATCH_MS = 50;

/** Errors after which no other action can succeed either. */
const FATAL: ReadonlySet<string> = new Set([ErrorCode.Unauthorized, ErrorCode.ProxyAuth, ErrorCode.Cancelled]);

/**
 * One side's spelling of each path (by the planner's key): what this run learned, else the
 * scan's or the listing's, else the journal's. The scan and the listing are looked up when
 * asked (keyed by the NFC path; on a case-insensitive disk through an index of their keys,
 * made at the first question): a run over a big tree that names a few paths does not index
 * them all.
 */
class Spellings<T extends { path: string }> {
  private readonly learned = new Map<string, string>();
  private readonly remembered = new Map<string, string>();
  private folded: Map<string, string> | null = null;

  constructor(
    private readonly key: (path: string) => string,
    private readonly caseInsensitive: boolean,
    private readonly listed: ReadonlyMap<string, T>,
    private readonly spellingOf: (entry: T) => string,
  ) {}

  /** The journal's spelling, the last resort. */
  remember(key: string, spelling: string): void {
    this.remembered.set(key, spelling);
  }

  set(key: string, spelling: string): void {
    this.learned.set(key, spelling);
  }

  get(key: string): string | undefined {
    return this.learned.get(key) ?? this.fromListing(key) ?? this.remembered.get(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  private fromListing(key: string): string | undefined {
    if (!this.caseInsensitive) {
      const entry = this.listed.get(key);
      return entry === undefined ? undefined : this.spellingOf(entry);
    }
    if (this.folded === null) {
      this.folded = new Map();
      for (const entry of this.listed.values()) this.folded.set(this.key(entry.path), this.spellingOf(entry));
    }
    return this.folded.get(key);
  }
}

export class Executor {
  private readonly deps: ExecutorDeps;
  private readonly files: LocalFileAccess;
  private readonly fs: LocalFs;
  private readonly localSpelling: Spellings<LocalEntry>;
  private readonly remoteSpelling: Spellings<RemoteEntry>;
  private report: SyncReport = emptyReport();
  /** Uploads journaled without an ETag (the PUT answer had none), to learn in one listing per folder. */
  private readonly untagged: JournalEntry[] = [];
  /** Interrupted downloads whose bytes are kept, by path. */
  private readonly partials = new Map<string, PartialDownload>();
  /** Downloads renamed into place this run whose new identity is still to be confirmed by content. */
  private readonly placed: PlacedDownload[] = [];
  /** Set by an error after which nothing else can succeed: no new action starts. */
  private fatal: TeraSyncError | null = null;
  /** Cancels the wait of the journal's batch (see flushSoon); null when none is waiting. */
  private cancelBatchWait: (() => void) | null = null;

  /** The server listing the plan was made from. */
  private readonly remoteListing: Listing<RemoteEntry>;
  private readonly remoteTrash: TrashSession;

  constructor(deps: ExecutorDeps, local: Listing<LocalEntry>, remote: Listing<RemoteEntry>, journal: readonly JournalEntry[]) {
    this.deps = deps;
    this.remoteListing = remote;
    this.remoteTrash = deps.remoteTrash ?? new TrashSession(deps.remote, runIdAt(deps.clock.now()), deps.signal);
    this.files = deps.files ?? nodeFileAccess;
    this.fs = deps.fs ?? nodeLocalFs;
    const key = (path: string): string => this.key(path);
    this.localSpelling = new Spellings(key, deps.caseInsensitive, local.entries, (entry) => entry.localPath);
    this.remoteSpelling = new Spellings(key, deps.caseInsensitive, remote.entries, (entry) => entry.remotePath);
    for (const entry of journal) {
      this.localSpelling.remember(this.key(entry.path), entry.localPath);
      this.remoteSpelling.remember(this.key(entry.path), entry.remotePath);
    }
    for (const partial of deps.journal.partials()) this.partials.set(partial.path, partial);
  }

  async run(actions: readonly Action[], report: SyncReport): Promise<void> {
    try {
      await this.runPhases(actions, report);
    } finally {
      // Whatever ended the run, the finished uploads go in now (a failure here leaves their
      // pending rows, as a kill would).
      this.flushBatch();
    }
  }

  private async runPhases(actions: readonly Action[], report: SyncReport): Promise<void> {
    this.report = report;
    const byKind = (kinds: Action['kind'][]): Action[] => actions.filter((a) => kinds.includes(a.kind));
    const depth = (a: Action): number => a.path.split('/').length;

    for (const action of byKind(['renameLocalAside', 'renameRemoteAside'])) await this.attempt(action, report);

    const folders = byKind(['createLocalFolder', 'createRemoteFolder']).sort((a, b) => depth(a) - depth(b));
    for (const level of groupBy(folders, depth)) {
      await mapLimit(level, this.deps.concurrency, (action) => this.attempt(action, report));
    }

    // One at a time, in the planner's order: a move may need the one before it.
    for (const action of byKind(['moveRemote', 'moveLocal'])) await this.attempt(action, report);

    await mapLimit(byKind(['upload', 'download', 'conflict', 'record', 'forget']), this.deps.concurrency, (action) =>
      this.attempt(action, report),
    );
    this.flushBatch();
    await this.confirmPlaced();
    await this.learnUploadedEtags();

    const planned = byKind(['deleteLocal', 'deleteRemote']);
    // A server folder deleted with everything in it goes to the trash in one MOVE; when the
    // fresh look finds it changed, its entries go one by one as below.
    const wholeFolders = this.wholeRemoteFolders(planned);
    const grouped = new Set([...wholeFolders].flatMap(([folder, members]) => [folder, ...members]));
    const fallback: Action[] = [];
    await mapLimit([...wholeFolders], this.deps.concurrency, async ([folder, members]) => {
      if (!(await this.attemptWholeFolder(folder, members, report))) fallback.push(...members, folder);
    });
    const deletions = [...planned.filter((action) => !grouped.has(action)), ...fallback];
    await mapLimit(
      deletions.filter((a) => 'type' in a && a.type === 'file'),
      this.deps.concurrency,
      (action) => this.attempt(action, report),
    );
    const folderDeletions = deletions.filter((a) => 'type' in a && a.type === 'dir').sort((a, b) => depth(b) - depth(a));
    for (const action of folderDeletions) await this.attempt(action, report);
    // Every started action has settled (attempt never throws), so the journal is quiet when
    // the caller hears of the failure and closes it.
    this.flushBatch();
    if (this.fatal) throw this.fatal;
    if (this.deps.signal?.aborted) throw new TeraSyncError(ErrorCode.Cancelled, 'Sync cancelled.');
  }

  private async attempt(action: Action, report: SyncReport): Promise<void> {
    if (this.deps.signal?.aborted || this.fatal) return;
    this.deps.onEvent?.({ type: 'action-start', action: action.kind, path: action.path });
    try {
      const change = await this.execute(action, report);
      this.deps.onEvent?.({ type: 'action-done', action: action.kind, path: action.path, ...(change === null ? {} : { change }) });
    } catch (error) {
      if (error instanceof DeferredActionError) {
        this.deps.logger.info('deferred', { path: action.path, reason: error.message });
        report.deferred.push({ path: action.path, message: error.message });
        this.deps.onEvent?.({ type: 'action-deferred', action: action.kind, path: action.path, message: error.message });
        return;
      }
      const coded = toTeraSyncError(error);
      if (coded instanceof StateDiskFullError) {
        this.fatal ??= coded;
        return;
      }
      if (FATAL.has(coded.code) || this.deps.signal?.aborted) {
        this.fatal ??= coded.code === ErrorCode.Unauthorized || coded.code === ErrorCode.ProxyAuth ? coded : new TeraSyncError(ErrorCode.Cancelled, 'Sync cancelled.');
        return;
      }
      report.errors.push({ path: action.path, code: coded.code, message: coded.message });
      this.deps.logger.warn('action failed', { path: action.path, kind: action.kind, code: coded.code, message: coded.message });
      this.deps.onEvent?.({ type: 'action-failed', action: action.kind, path: action.path, code: coded.code, message: coded.message });
    }
  }

  /**
   * Server folders the plan deletes with every entry the listing shows in them (outermost
   * ones only), each with the deletions below it.
   */
  private wholeRemoteFolders(deletions: readonly Action[]): Map<Action, Action[]> {
    const remoteDeletions = deletions.filter((action) => action.kind === 'deleteRemote');
    const byPath = new Map(remoteDeletions.map((action) => [action.path, action]));
    const folders = remoteDeletions.filter((action) => action.type === 'dir').sort((a, b) => a.path.split('/').length - b.path.split('/').length);
    const groups = new Map<Action, Action[]>();
    const covered: string[] = [];
    for (const folder of folders) {
      if (covered.some((path) => isWithinPath(folder.path, path))) continue;
      const below = [...this.remoteListing.entries.keys()].filter((path) => isWithinPath(path, folder.path) && path !== folder.path);
      if (!below.every((path) => byPath.has(path))) continue;
      groups.set(folder, below.map((path) => byPath.get(path) as Action));
      covered.push(folder.path);
    }
    return groups;
  }

  /**
   * Moves a whole server folder to the trash once a fresh listing shows it holds exactly what
   * the plan deletes: the same files at the versions listed, nothing new. False (nothing done)
   * when it does not: then its entries are deleted one by one, each with its precondition.
   */
  private async attemptWholeFolder(folder: Action, members: readonly Action[], report: SyncReport): Promise<boolean> {
    if (folder.kind !== 'deleteRemote' || this.deps.signal?.aborted || this.fatal) return true;
    const expected = new Map(members.map((action) => [action.path, action]));
    const fresh = await this.freshSubtree(folder.remote.remotePath, folder.path).catch(() => null);
    if (fresh === null || fresh.size !== expected.size) return false;
    let files = 0;
    let bytes = 0;
    for (const [path, entry] of fresh) {
      const planned = expected.get(path);
      if (planned?.kind !== 'deleteRemote' || planned.remote.type !== entry.type) return false;
      if (entry.type === 'file') {
        if (entry.size !== planned.remote.size || !sameEtag(entry.etag, planned.remote.etag)) return false;
        files++;
        bytes += entry.size;
      }
    }
    const all = [...members, folder];
    for (const action of all) this.deps.onEvent?.({ type: 'action-start', action: action.kind, path: action.path });
    try {
      await this.remoteTrash.moveIn(folder.remote.remotePath, 'dir', null, files, bytes);
      this.deps.journal.transaction(() => this.deps.journal.removeTree(folder.path));
      for (const action of all) {
        report.deletedRemote.push(action.path);
        this.deps.onEvent?.({ type: 'action-done', action: action.kind, path: action.path, ...(action.kind === 'deleteRemote' && action.type === 'file' ? { change: { change: 'deleted', side: 'remote' } } : {}) });
      }
      return true;
    } catch (error) {
      const coded = toTeraSyncError(error);
      if (FATAL.has(coded.code) || this.deps.signal?.aborted) {
        this.fatal ??= coded.code === ErrorCode.Unauthorized || coded.code === ErrorCode.ProxyAuth ? coded : new TeraSyncError(ErrorCode.Cancelled, 'Sync cancelled.');
        return true;
      }
      // The folder is where it was: its entries are tried one by one.
      this.deps.logger.warn('moving a folder to the trash failed; its entries are tried one by one', { path: folder.path, code: coded.code });
      return false;
    }
  }

  /** Everything below a server folder now (Depth: 1 listings), by journal path. */
  private async freshSubtree(remotePath: string, path: string): Promise<Map<string, RemoteEntry>> {
    const found = new Map<string, RemoteEntry>();
    const queue: Array<{ remotePath: string; path: string }> = [{ remotePath, path }];
    let skippedAny = false;
    while (queue.length > 0) {
      const folder = queue.shift() as { remotePath: string; path: string };
      const children = await this.deps.remote.listChildren(folder.remotePath, { signal: this.deps.signal, onSkipped: () => (skippedAny = true) });
      for (const child of children) {
        const key = joinPath(folder.path, baseName(child.path));
        found.set(key, child);
        if (child.type === 'dir') queue.push({ remotePath: child.remotePath, path: key });
      }
    }
    // An entry this client cannot handle is something it never synced: not ours to move.
    if (skippedAny) throw new Error('unsynced entries below');
    return found;
  }

  /** Carries out one action; answers what it changed, for the activity history (null: nothing to list). */
  private async execute(action: Action, report: SyncReport): Promise<ActionChange | null> {
    switch (action.kind) {
      case 'upload':
        await this.upload(action.path, action.local, action.remote);
        report.uploaded.push(action.path);
        return { change: action.remote === null && action.journal === null ? 'added' : 'updated', side: 'remote' };
      case 'download':
        if ((await this.download(action.path, action.remote, action.local, action.journal)) !== 'downloaded') return null;
        report.downloaded.push(action.path);
        return { change: action.local === null && action.journal === null ? 'added' : 'updated', side: 'local' };
      case 'conflict':
        await this.conflict(action.path, action.local, action.remote);
        return { change: 'conflict', side: 'local' };
      case 'createRemoteFolder': {
        const remotePath = this.remotePathOf(action.path);
        await this.deps.remote.createFolder(remotePath, { signal: this.deps.signal });
        this.commit(this.folderEntry(action.path, action.local, remotePath));
        report.createdRemoteFolders.push(action.path);
        return null;
      }
      case 'createLocalFolder': {
        const localPath = this.localPathOf(action.path, action.remote.remotePath);
        await this.fs.mkdir(this.absolute(localPath), { recursive: true }).catch((error: unknown) => {
          throw localWriteError(localPath, error);
        });
        const stats = await this.fs.stat(this.absolute(localPath));
        this.commit(this.folderEntry(action.path, toLocalEntry(action.path, localPath, stats), action.remote.remotePath));
        report.createdLocalFolders.push(action.path);
        return null;
      }
      case 'deleteRemote':
        await this.deleteRemote(action.path, action.remote, action.type);
        report.deletedRemote.push(action.path);
        // A folder goes once its files went (each listed): the folder itself is not.
        return action.type === 'file' ? { change: 'deleted', side: 'remote' } : null;
      case 'deleteLocal': {
        const outcome = await this.deleteLocal(action.path, action.local, action.type, action.rule);
        if (outcome === 'deleted') {
          report.deletedLocal.push(action.path);
          return action.type === 'file' ? { change: 'deleted', side: 'local' } : null;
        }
        if (outcome === 'uploaded') {
          report.uploaded.push(action.path);
          return { change: 'added', side: 'remote' };
        }
        return null;
      }
      case 'record':
        this.commit(
          action.local.type === 'dir'
            ? this.folderEntry(action.path, action.local, action.remote.remotePath)
            : fileEntry(action.path, action.local, action.remote, this.deps.journal.get(action.path)?.hash ?? null),
        );
        return null;
      case 'forget':
        this.deps.journal.transaction(() => this.deps.journal.removeTree(action.path));
        return null;
      case 'renameLocalAside': {
        const copy = await this.moveLocalAside(action.local);
        this.deps.journal.transaction(() => this.deps.journal.addConflict(action.path, copy, this.deps.clock.now()));
        report.conflicts.push({ path: action.path, copy });
        return { change: 'conflict', side: 'local' };
      }
      case 'moveRemote': {
        const target = this.remotePathOf(action.path);
        if (action.from.type === 'file') await this.expectLocal(action.local);
        // An earlier run's MOVE reached the server but not the journal (stopped, or its
        // answer lost): only the journal moves now.
        if (!action.doneOnServer) await this.deps.remote.move(action.from.remotePath, target, action.from.type, { signal: this.deps.signal });
        this.moved(action.from.path, action.path, action.local.localPath, target);
        report.moved.push({ from: action.from.path, to: action.path, side: 'remote' });
        return { change: 'moved', side: 'remote', from: action.from.path };
      }
      case 'moveLocal': {
        const target = this.localPathOf(action.path, action.remote.remotePath);
        const source = this.absolute(action.from.localPath);
        if (action.from.type === 'file' && !(await this.prove(action.from.localPath, action.from)).proven) {
          throw new DeferredActionError('the local file changed before it could be moved; looked at again next run');
        }
        await this.expectLocalAt(this.absolute(target), null);
        await this.fs.mkdir(dirname(this.absolute(target)), { recursive: true }).catch((error: unknown) => {
          throw localWriteError(target, error);
        });
        await this.fs.rename(source, this.absolute(target)).catch((error: unknown) => {
          throw localWriteError(target, error);
        });
        this.moved(action.from.path, action.path, target, action.remote.remotePath);
        report.moved.push({ from: action.from.path, to: action.path, side: 'local' });
        return { change: 'moved', side: 'local', from: action.from.path };
      }
      case 'renameRemoteAside': {
        const isFile = action.remote.type === 'file';
        const parent = parentPath(action.remote.remotePath);
        for (let attempt = 0; ; attempt++) {
          const target = joinPath(parent, caseConflictName(baseName(action.remote.remotePath), isFile, attempt));
          try {
            await this.deps.remote.move(action.remote.remotePath, target, action.remote.type, { signal: this.deps.signal });
            report.renamedRemote.push({ path: action.path, to: target });
            return null;
          } catch (error) {
            if (toTeraSyncError(error).code !== ErrorCode.PreconditionFailed || attempt >= 20) throw error;
          }
        }
      }
    }
  }

  // Uploads -------------------------------------------------------------------------------

  /**
   * Sends the local file. A file only touched (identity moved, content the same) never gets
   * here: the engine hashes it before planning and records it unchanged.
   */
  private async upload(path: string, local: LocalEntry, remote: RemoteEntry | null): Promise<void> {
    const absolute = this.absolute(local.localPath);
    let current = await this.expectLocal(local);
    const remotePath = remote?.remotePath ?? this.remotePathOf(path);
    // The store sends a strong tag as it is and checks a weak one first (Apache's tags are
    // weak for a second after a write): see electron/webdav/conditions.ts.
    const ifMatch = remote?.etag ?? null;
    for (let round = 0; ; round++) {
      // The pending entry's remote mtime is when this PUT started: after a crash, a server file
      // of this size written since then is taken for ours (SyncEngine.adoptPending).
      // Its own transaction, before the PUT: the entries of other uploads may wait in the batch.
      const pendingEntry = fileEntry(path, statsEntry(local, current), remoteLike(remotePath, current.size, this.deps.clock.now()), null);
      this.deps.journal.setPending({ path, kind: 'upload', entry: pendingEntry });
      let hash = '';
      let localError: unknown = null;
      let result;
      try {
        // A small file is sent from memory: exactly the announced size of what was read (a file
        // that shrank meanwhile fails the store's size check, as a short stream does), hashed
        // as read. What changes after the read is caught by the lstat after the PUT below.
        let whole: Buffer | null = null;
        if (current.size <= READ_WHOLE_UP_TO && this.files.readWhole) {
          const content = await this.files.readWhole(absolute, current.size).catch((error: unknown) => {
            localError = error;
            throw error;
          });
          whole = content.length > current.size ? content.subarray(0, current.size) : content;
          hash = createHash('sha256').update(whole).digest('hex');
        }
        result = await this.deps.remote.upload(
          remotePath,
          () => {
            if (whole !== null) return Readable.from(whole.length > 0 ? [whole] : [], { objectMode: false });
            const hasher = createHash('sha256');
            let source: Readable;
            try {
              // Large reads for a large file: a sixteenth of the pieces to pass, hash and send.
              source = this.files.openRead(absolute, current.size >= LARGE_READ_FROM ? { highWaterMark: LARGE_READ_BYTES } : undefined);
            } catch (error) {
              localError = error;
              throw error;
            }
            const tap = new Transform({
              transform(chunk: Buffer, _encoding, callback) {
                hasher.update(chunk);
                callback(null, chunk);
              },
              flush(callback) {
                hash = hasher.digest('hex');
                callback();
              },
            });
            source.on('error', (error) => {
              localError = error;
              tap.destroy(error);
            });
            // Send exactly the size that was announced: what grows meanwhile goes in the next round.
            return source.pipe(limitBytes(current.size)).pipe(tap);
          },
          current.size,
          {
            ifMatch: round === 0 ? ifMatch : null,
            ifNoneMatch: round === 0 && remote === null,
            statAfter: false,
            signal: this.deps.signal,
            onProgress: ({ bytes }) => this.deps.onEvent?.({ type: 'transfer', path, bytes, total: current.size }),
          },
        );
      } catch (error) {
        const coded = toTeraSyncError(error);
        if (coded.code === ErrorCode.PreconditionFailed) {
          this.deps.journal.transaction(() => this.deps.journal.clearPending(path));
          // Someone else wrote the server's copy since we listed it: both versions survive.
          const fresh = await this.deps.remote.stat(remotePath, { signal: this.deps.signal });
          if (!fresh || fresh.type !== 'file') throw new DeferredActionError('the server copy changed while uploading; retried next run');
          await this.conflict(path, statsEntry(local, current), fresh);
          return;
        }
        if (localError !== null) {
          this.deps.journal.transaction(() => this.deps.journal.clearPending(path));
          const code = (localError as NodeJS.ErrnoException).code;
          // Renamed or deleted before we could open it: the next scan sees where it went.
          if (code === 'ENOENT' || code === 'ENOTDIR') throw new DeferredActionError('the local file was moved or deleted before it could be sent; looked at again next run');
          throw localReadError(local.localPath, localError);
        }
        throw error;
      }
      const after = await this.fs.lstat(absolute).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
        throw error;
      });
      if (after === null || after.ino !== current.ino) {
        // Renamed or deleted (or replaced by another file) while it was sent: the server holds
        // what we sent, so that is what the journal records, under the identity it had. The
        // next plan then sees a deletion (deleted on the server too, If-Match), a move (MOVE
        // on the server, found by the inode), or a changed file (sent again), instead of a
        // server file that looks new and comes back.
        const entry = fileEntry(path, statsEntry(local, current), result.entry, hash || null);
        this.commit(entry);
        if (entry.remoteEtag === null) this.untagged.push(entry);
        return;
      }
      if (after.size === current.size && after.mtimeMs === current.mtimeMs && after.ctimeMs === current.ctimeMs) {
        // The file is as its pending row says: a kill before the batch is in leaves that row,
        // and the next run adopts this upload from it. (The rarer outcomes above and below
        // are written at once: their file no longer matches the pending row.)
        const entry = fileEntry(path, statsEntry(local, after), result.entry, hash || null);
        this.commitAfterPending(entry);
        if (entry.remoteEtag === null) this.untagged.push(entry);
        return;
      }
      // It changed while we sent it: send the new content (the old one is on the server
      // already, so later rounds replace without a precondition).
      if (round >= 2) {
        // The server holds what we sent: journal it, so the next run sees a local change only.
        this.commit(fileEntry(path, statsEntry(local, current), result.entry, hash || null));
        throw new DeferredActionError('the file keeps changing while it uploads; it is sent again next run');
      }
      current = after;
    }
  }

  /**
   * Apache's PUT answers carry no ETag, and a PROPFIND after every PUT would double the
   * requests of an upload. Instead one `Depth: 1` listing per folder that received uploads
   * tells the tags of all of them. What this misses (a crash, a failed listing) the engine
   * learns from its next full listing (see SyncEngine.learnUploadedEtags).
   */
  private async learnUploadedEtags(): Promise<void> {
    const byFolder = new Map<string, JournalEntry[]>();
    for (const entry of this.untagged) {
      const folder = parentPath(entry.remotePath);
      byFolder.set(folder, [...(byFolder.get(folder) ?? []), entry]);
    }
    this.untagged.length = 0;
    await mapLimit([...byFolder], this.deps.concurrency, async ([folder, entries]) => {
      if (this.deps.signal?.aborted) return;
      let children: RemoteEntry[];
      try {
        children = await this.deps.remote.listChildren(folder, { signal: this.deps.signal });
      } catch (error) {
        this.deps.logger.info('could not list a folder for the ETags of its uploads; learnt next run', { folder, message: toTeraSyncError(error).message });
        return;
      }
      const byName = new Map(children.map((child) => [child.remotePath, child]));
      this.deps.journal.transaction(() => {
        for (const entry of entries) {
          const learned = learnEtag(entry, byName.get(entry.remotePath));
          if (learned) this.deps.journal.put(learned);
        }
      });
    });
  }

  // Downloads -----------------------------------------------------------------------------

  /**
   * Downloads into a temp file beside the target; returns its path and what was received.
   * A download cut short by the network (or a stop) keeps its bytes, recorded in the journal,
   * and the next attempt asks only for the rest (Range + If-Range on the strong ETag), so a
   * large file is never fetched twice from the start.
   */
  private async fetchToTemp(remote: RemoteEntry, localPath: string): Promise<{ temp: string; hash: string; etag: string | null; size: number }> {
    const folder = dirname(this.absolute(localPath));
    await this.fs.mkdir(folder, { recursive: true }).catch((error: unknown) => {
      throw localWriteError(localPath, error, remote.size);
    });
    const resume = await this.resumableBytes(remote);
    const temp = resume?.temp ?? join(folder, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
    // Opened before the stream is made, so that a folder we may not write into fails here, as a
    // rejection, and never as an 'error' event nobody listens to yet. A resumed file is opened
    // to append; if the server sends the whole file after all, it is truncated first
    // (discardPrefix), and appending then starts at byte 0.
    let handle: FileHandle;
    try {
      // 'wx+': a fresh file may also be written by position and read back (parallel ranges).
      handle = await this.fs.open(temp, resume ? 'a' : 'wx+');
    } catch (error) {
      if (resume) {
        await this.fs.unlink(temp).catch(() => undefined);
        this.deps.journal.transaction(() => this.deps.journal.clearPartial(remote.path));
      }
      throw localWriteError(localPath, error, remote.size);
    }
    // `flush` makes the stream fsync before it closes: what is renamed into place is on disk.
    const sink = this.fs.createWriteStream(temp, { fd: handle, flush: true });
    // The store listens while it writes; this one keeps a late error (a failed fsync or close)
    // from being unhandled. `finished` below still sees it.
    sink.on('error', () => undefined);
    try {
      const result = await this.deps.remote.download(remote.remotePath, sink, {
        signal: this.deps.signal,
        onProgress: ({ bytes }) => this.deps.onEvent?.({ type: 'transfer', path: remote.path, bytes, total: remote.size }),
        resumeFrom: resume
          ? { offset: resume.offset, etag: remote.etag, hasher: resume.hasher, discardPrefix: () => this.fs.truncate(temp, 0) }
          : undefined,
        // A large file may come as parallel ranges written at their offsets (never on top of
        // an appending resume: O_APPEND ignores positions).
        positional: resume ? undefined : { file: handle, size: remote.size, etag: remote.etag },
      });
      // The store writes; the file is ours to end and close.
      sink.end();
      await finished(sink);
      if (remote.mtimeMs > 0) {
        const when = new Date(remote.mtimeMs);
        await this.fs.utimes(temp, when, when);
      }
      if (resume) this.deps.journal.transaction(() => this.deps.journal.clearPartial(remote.path));
      return { temp, hash: result.hash, etag: result.etag, size: result.size };
    } catch (error) {
      sink.destroy();
      await finished(sink).catch(() => undefined);
      const code = toTeraSyncError(error).code;
      const held = await this.fs.stat(temp).then((stats) => stats.size, () => 0);
      const keep = isStrongEtag(remote.etag) && held > 0 && RESUMABLE.has(code);
      if (keep) {
        this.deps.journal.transaction(() =>
          this.deps.journal.setPartial({ path: remote.path, temp: relative(this.deps.root, temp).split(sep).join('/'), etag: remote.etag ?? '', remoteSize: remote.size }),
        );
      } else {
        await this.fs.unlink(temp).catch(() => undefined);
        if (resume) this.deps.journal.transaction(() => this.deps.journal.clearPartial(remote.path));
      }
      if (errnoOf(error) === null) throw error;
      const free = errnoOf(error) === 'ENOSPC' ? await freeBytes(this.fs, folder) : null;
      throw localWriteError(localPath, error, remote.size, free);
    }
  }

  /** The kept bytes of an earlier, interrupted download of this very version, if any. */
  private async resumableBytes(remote: RemoteEntry): Promise<{ temp: string; offset: number; hasher: Hash } | null> {
    const partial = this.partials.get(remote.path);
    if (!partial) return null;
    this.partials.delete(remote.path);
    const temp = this.absolute(partial.temp);
    const sameVersion = isStrongEtag(remote.etag) && sameEtag(partial.etag, remote.etag) && partial.remoteSize === remote.size;
    const offset = await this.fs.stat(temp).then((stats) => stats.size, () => -1);
    if (!sameVersion || offset <= 0 || offset >= remote.size) {
      await this.fs.unlink(temp).catch(() => undefined);
      this.deps.journal.transaction(() => this.deps.journal.clearPartial(remote.path));
      return null;
    }
    // A hash cannot outlive the process that made it: rebuild it from the bytes on disk.
    const hasher = createHash('sha256');
    for await (const chunk of this.fs.createReadStream(temp)) hasher.update(chunk as Buffer);
    return { temp, offset, hasher };
  }

  /**
   * Replaces (or creates) `localPath` with `temp` if the target is still as scanned. `synced`
   * is the version the replaced file was proven to hold: the file is kept under a second name
   * across the rename and removed only if it still holds that version (replaced.ts).
   */
  private async placeTemp(
    path: string,
    temp: string,
    localPath: string,
    expected: LocalEntry | null,
    remote: RemoteEntry,
    hash: string,
    etag: string | null,
    synced: SyncedVersion | null = null,
  ): Promise<void> {
    const target = this.absolute(localPath);
    let placed: Stats;
    let entry: JournalEntry;
    let aside: string | null = null;
    try {
      placed = await this.fs.stat(temp);
      const remoteEntry: RemoteEntry = { ...remote, etag: etag && !isStrongEtag(remote.etag) ? etag : remote.etag ?? etag };
      entry = fileEntry(path, toLocalEntry(path, localPath, placed), { ...remoteEntry, size: placed.size }, hash);
      this.deps.journal.transaction(() => this.deps.journal.setPending({ path, kind: 'download', entry }));
      try {
        await this.expectLocalAt(target, expected);
        if (expected === null) await this.placeNew(temp, target, localPath);
        else {
          aside = await linkReplaced(this.deps.root, path, localPath).catch((error: unknown) => {
            if (errnoOf(error) === 'ENOENT') throw new DeferredActionError('the local file disappeared since the scan; looked at again next run');
            throw localWriteError(localPath, error);
          });
          await this.fs.rename(temp, target).catch((error: unknown) => {
            throw localWriteError(localPath, error);
          });
        }
      } catch (error) {
        if (aside !== null) await this.fs.unlink(this.absolute(aside)).catch(() => undefined);
        this.deps.journal.transaction(() => this.deps.journal.clearPending(path));
        throw error;
      }
    } catch (error) {
      await this.fs.unlink(temp).catch(() => undefined);
      throw error;
    }
    let copy: string | null = null;
    if (aside !== null) {
      try {
        copy = await settleReplaced(this.replacedDeps(), path, localPath, aside, synced);
      } catch (error) {
        // The download is in place; the replaced file stays under its second name with the
        // pending download, and the next run settles it before it scans (recoverReplaced).
        throw new TeraSyncError(
          ErrorCode.LocalIo,
          `${localPath} was downloaded, but the version it replaced could not be checked (${toTeraSyncError(error).message}); it is kept and looked at again next run.`,
          { cause: error },
        );
      }
    }
    // The rename moves the ctime on most file systems, so the identity to remember is the one
    // the placed file has after it. But an edit that keeps size and mtime, written between the
    // rename and a stat of it (or in the same tick of the file system's clock), would look like
    // our own file: the journal records the download with its ctime unknown, and the end of the
    // run confirms the new identity by content (confirmPlaced).
    this.commit({ ...entry, localCtimeMs: UNCONFIRMED_CTIME });
    const now = await this.fs.lstat(target).catch(() => null);
    const same = now !== null && now.isFile() && now.ino === placed.ino && now.size === placed.size && now.mtimeMs === placed.mtimeMs;
    if (same) this.placed.push({ path, absolute: target, stats: now, hash });
    if (copy !== null) {
      const copyPath = normalizePath(copy);
      await this.upload(copyPath, toLocalEntry(copyPath, copy, await this.fs.stat(this.absolute(copy))), null);
      this.report.conflicts.push({ path, copy });
    }
  }

  /**
   * Puts a downloaded file where no file is, never over one that appeared meanwhile: a hard link
   * fails where the name is taken (rename would replace it). Without hard links, a rename.
   */
  private async placeNew(temp: string, target: string, localPath: string): Promise<void> {
    try {
      await this.fs.link(temp, target);
    } catch (error) {
      const code = errnoOf(error);
      if (code === 'EEXIST') throw new DeferredActionError('a local file appeared at this path since the scan; looked at again next run');
      if (code !== null && NO_HARD_LINKS.has(code)) {
        await this.fs.rename(temp, target).catch((failure: unknown) => {
          throw localWriteError(localPath, failure);
        });
        return;
      }
      throw localWriteError(localPath, error);
    }
    // Placed; a temp name left behind (unlink failed) is cleared at the next start.
    await this.fs.unlink(temp).catch(() => undefined);
  }

  private replacedDeps(): ReplacedDeps {
    return { root: this.deps.root, journal: this.deps.journal, files: this.files, clock: this.deps.clock, logger: this.deps.logger, device: this.deps.device };
  }

  /**
   * Records the identity of the files downloaded this run, once their content is shown to be
   * what was downloaded (racy-git style). The hash is taken only after the file system's clock
   * has moved past the ctime the rename gave them: an edit before the hash changes the hash; an
   * edit after it moves the ctime past the one recorded. A file that cannot be confirmed keeps
   * its unknown ctime, so the next run hashes it and finds any edit.
   */
  private async confirmPlaced(): Promise<void> {
    const placed = this.placed.splice(0);
    if (placed.length === 0 || this.deps.signal?.aborted || this.fatal) return;
    const latest = Math.max(...placed.map((file) => file.stats.ctimeMs));
    const wait = latest + CTIME_TICK_MARGIN_MS - Date.now();
    // A ctime far ahead of this machine's clock (a network file system's own clock): the next
    // run hashes those files instead.
    if (wait > MAX_CONFIRM_WAIT_MS) return;
    if (wait > 0) await delay(wait);
    await mapLimit(placed, this.deps.concurrency, async (file) => {
      if (this.deps.signal?.aborted) return;
      const recorded = this.deps.journal.get(file.path);
      // Changed by a later action of this run (a conflict, a move): that one recorded it.
      if (recorded === null || recorded.localCtimeMs !== UNCONFIRMED_CTIME || recorded.localIno !== file.stats.ino || recorded.hash !== file.hash) return;
      try {
        const before = await this.fs.lstat(file.absolute);
        if (!sameIdentity(before, file.stats)) return;
        const hash = await hashFile(this.files, file.absolute);
        const after = await this.fs.lstat(file.absolute);
        if (!sameIdentity(after, before) || hash !== file.hash) return;
        this.deps.journal.transaction(() => {
          const current = this.deps.journal.get(file.path);
          if (current !== null && current.localCtimeMs === UNCONFIRMED_CTIME && current.localIno === after.ino) this.deps.journal.put({ ...current, ...identityOf(after) });
        });
      } catch (error) {
        // Unreadable or gone: left for the next run, which looks at the file again.
        this.deps.logger.info('could not confirm a downloaded file; looked at again next run', { path: file.path, message: toTeraSyncError(error).message });
      }
    });
  }

  /**
   * Downloads `remote` to its local path. Before a local file is replaced, it must be proven to
   * hold the version the journal synced (see localIdentity.ts): one that cannot be is an edit
   * nobody synced, and the path becomes a conflict instead (both versions kept).
   */
  private async download(path: string, remote: RemoteEntry, local: LocalEntry | null, journal: JournalEntry | null): Promise<'downloaded' | 'conflict'> {
    const localPath = local?.localPath ?? this.localPathOf(path, remote.remotePath);
    const fetched = await this.fetchToTemp(remote, localPath);
    let expected = local;
    if (local !== null) {
      let proof;
      try {
        proof = await this.prove(local.localPath, journal);
      } catch (error) {
        await this.fs.unlink(fetched.temp).catch(() => undefined);
        throw error;
      }
      if (!proof.proven) {
        if (proof.stats === null) {
          await this.fs.unlink(fetched.temp).catch(() => undefined);
          throw new DeferredActionError('the local file changed since the scan; it is synced next run');
        }
        this.deps.logger.warn('a local file about to be replaced holds a version that was never synced; kept as a conflict', { path });
        await this.settleConflict(path, statsEntry(local, proof.stats), remote, fetched);
        return 'conflict';
      }
      expected = statsEntry(local, proof.stats);
    }
    const synced = expected === null || journal === null ? null : { ino: expected.ino, size: expected.size, mtimeMs: expected.mtimeMs, hash: journal.hash };
    await this.placeTemp(path, fetched.temp, localPath, expected, remote, fetched.hash, fetched.etag, synced);
    return 'downloaded';
  }

  // Conflicts -----------------------------------------------------------------------------

  /**
   * Both sides hold a version nobody has synced. Equal content is no conflict. Otherwise the
   * server's version keeps the path and the local one is renamed to a conflict copy, which is
   * uploaded too.
   */
  private async conflict(path: string, local: LocalEntry, remote: RemoteEntry): Promise<void> {
    await this.expectLocal(local);
    const fetched = await this.fetchToTemp(remote, local.localPath);
    await this.settleConflict(path, local, remote, fetched);
  }

  /** A conflict whose server version is fetched to `fetched.temp` already. */
  private async settleConflict(path: string, local: LocalEntry, remote: RemoteEntry, fetched: { temp: string; hash: string; etag: string | null; size: number }): Promise<void> {
    try {
      if (fetched.size === local.size && fetched.hash === (await this.hashLocal(local.localPath))) {
        await this.fs.unlink(fetched.temp);
        const current = await this.expectLocal(local);
        this.commit(fileEntry(path, statsEntry(local, current), remote, fetched.hash));
        return;
      }
    } catch (error) {
      await this.fs.unlink(fetched.temp).catch(() => undefined);
      throw error;
    }
    let copy: string;
    try {
      copy = await this.moveLocalAside(local);
    } catch (error) {
      await this.fs.unlink(fetched.temp).catch(() => undefined);
      throw error;
    }
    this.deps.journal.transaction(() => this.deps.journal.addConflict(path, copy, this.deps.clock.now()));
    await this.placeTemp(path, fetched.temp, local.localPath, null, remote, fetched.hash, fetched.etag);
    const copyStats = await this.fs.stat(this.absolute(copy));
    const copyPath = normalizePath(copy);
    await this.upload(copyPath, toLocalEntry(copyPath, copy, copyStats), null);
    this.report.conflicts.push({ path, copy });
  }

  private async moveLocalAside(local: LocalEntry): Promise<string> {
    const parent = parentPath(local.localPath);
    const name = baseName(local.localPath);
    const at = new Date(this.deps.clock.now());
    for (let attempt = 0; attempt < 50; attempt++) {
      const copy = joinPath(parent, conflictName(name, local.type === 'file', at, this.deps.device, attempt));
      if (this.remoteSpelling.has(this.key(copy)) || (await exists(this.fs, this.absolute(copy)))) continue;
      await this.fs.rename(this.absolute(local.localPath), this.absolute(copy)).catch((error: unknown) => {
        throw localWriteError(copy, error);
      });
      return copy;
    }
    throw new TeraSyncError(ErrorCode.LocalIo, `no free name for a conflict copy of ${local.localPath}`);
  }

  // Deletions -----------------------------------------------------------------------------

  private async deleteRemote(path: string, remote: RemoteEntry, type: 'file' | 'dir'): Promise<void> {
    if (type === 'dir' && !(await this.deps.remote.isEmptyFolder(remote.remotePath, { signal: this.deps.signal }))) {
      throw new DeferredActionError('the server folder still holds files; it is looked at again next run');
    }
    try {
      // Only the version the journal synced may go (to the trash): a newer one written
      // meanwhile survives where it is.
      const files = type === 'file' ? 1 : 0;
      await this.remoteTrash.moveIn(remote.remotePath, type, type === 'file' ? remote.etag : null, files, type === 'file' ? remote.size : 0);
    } catch (error) {
      if (toTeraSyncError(error).code === ErrorCode.PreconditionFailed) {
        throw new DeferredActionError('the server copy changed since it was listed; the change is fetched next run');
      }
      throw error;
    }
    this.deps.journal.transaction(() => this.deps.journal.removeTree(path));
  }

  /**
   * Deletes a local entry (to the OS trash) that the server deleted or replaced. A file is
   * deleted only when it is proven to hold the version the journal synced; one that holds
   * another (an edit the scan could not see) survives: sent back to the server when the server
   * deleted the path (as R15 would), or kept as a conflict copy when a folder took its place.
   */
  private async deleteLocal(path: string, local: LocalEntry, type: 'file' | 'dir', rule: Action['rule']): Promise<'deleted' | 'uploaded' | 'conflict'> {
    const absolute = this.absolute(local.localPath);
    if (type === 'file') {
      const proof = await this.prove(local.localPath, this.deps.journal.get(path));
      if (proof.stats === null) throw new DeferredActionError('the local file disappeared since the scan; looked at again next run');
      const current = statsEntry(local, proof.stats);
      if (!proof.proven) {
        this.deps.logger.warn('a local file about to be deleted holds a version that was never synced; kept', { path });
        if (rule === 'R13') {
          this.deps.journal.transaction(() => this.deps.journal.removeTree(path));
          await this.upload(path, current, null);
          return 'uploaded';
        }
        const copy = await this.moveLocalAside(current);
        this.deps.journal.transaction(() => this.deps.journal.addConflict(path, copy, this.deps.clock.now()));
        this.report.conflicts.push({ path, copy });
        return 'conflict';
      }
      await this.expectLocal(current);
      await this.deps.trash.trash(absolute).catch((error: unknown) => {
        throw localWriteError(local.localPath, error);
      });
    } else {
      const left = await this.fs.readdir(absolute).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
      if (left !== null) {
        const keepers = left.filter((name) => !isTempFileName(name) && !this.deps.ignore.ignores(joinPath(local.localPath, name), false));
        if (keepers.length > 0) throw new DeferredActionError('the folder still holds files; it is looked at again next run');
        // Only what we never sync is left (.DS_Store and the like): the folder goes to the
        // trash with it, so even that can be restored.
        await (left.length > 0 ? this.deps.trash.trash(absolute) : this.fs.rmdir(absolute)).catch((error: unknown) => {
          throw localWriteError(local.localPath, error);
        });
      }
    }
    this.deps.journal.transaction(() => this.deps.journal.removeTree(path));
    return 'deleted';
  }

  // Helpers -------------------------------------------------------------------------------

  private commit(entry: JournalEntry): void {
    this.deps.journal.transaction(() => {
      this.deps.journal.put(entry);
      this.deps.journal.clearPending(entry.path);
    });
    this.rememberSpellings(entry.path, entry.localPath, entry.remotePath);
  }

  /** `commit` for a finished upload whose pending row matches the file: in the journal's batch. */
  private commitAfterPending(entry: JournalEntry): void {
    const waiting = this.deps.journal.putAfterPending(entry);
    this.rememberSpellings(entry.path, entry.localPath, entry.remotePath);
    if (waiting >= BATCH_ENTRIES) this.flushBatch();
    else this.flushSoon();
  }

  /** Writes the journal's batch in BATCH_MS, unless something writes it before. */
  private flushSoon(): void {
    if (this.cancelBatchWait !== null) return;
    this.cancelBatchWait = (this.deps.scheduler ?? systemScheduler).schedule(BATCH_MS, () => {
      this.cancelBatchWait = null;
      this.flushBatch();
    });
  }

  /**
   * Writes the journal's batch now. A failure (a full disk) stops the run as a fatal error; the
   * batch's pending rows stay for the next run.
   */
  private flushBatch(): void {
    this.cancelBatchWait?.();
    this.cancelBatchWait = null;
    try {
      this.deps.journal.flush();
    } catch (error) {
      const coded = toTeraSyncError(error);
      this.fatal ??= coded instanceof StateDiskFullError ? coded : new TeraSyncError(ErrorCode.LocalIo, `Cannot write the sync journal: ${coded.message}`, { cause: error });
    }
  }

  private moved(from: string, to: string, localPath: string, remotePath: string): void {
    this.deps.journal.transaction(() => this.deps.journal.moveTree(from, to, localPath, remotePath));
    this.rememberSpellings(to, localPath, remotePath);
  }

  /** How each side spells `path` now that the journal records it (see Spellings). */
  private rememberSpellings(path: string, localPath: string, remotePath: string): void {
    this.localSpelling.set(this.key(path), localPath);
    this.remoteSpelling.set(this.key(path), remotePath);
  }

  private folderEntry(path: string, local: LocalEntry, remotePath: string): JournalEntry {
    return {
      path,
      type: 'dir',
      localPath: local.localPath,
      remotePath,
      localSize: 0,
      localMtimeMs: local.mtimeMs,
      localCtimeMs: local.ctimeMs,
      localIno: local.ino,
      remoteEtag: null,
      remoteSize: 0,
      remoteMtimeMs: 0,
      hash: null,
    };
  }

  private key(path: string): string {
    return pathKey(path, this.deps.caseInsensitive);
  }

  /** The server spelling of `path`: as known, or the parent's spelling plus our name. */
  private remotePathOf(path: string): string {
    const known = this.remoteSpelling.get(this.key(path));
    if (known !== undefined) return known;
    const parent = parentPath(path);
    return joinPath(parent === '' ? '' : this.remotePathOf(parent), baseName(path));
  }

  /** The local spelling of `path`: as known, or the parent's spelling plus the server's name. */
  private localPathOf(path: string, remotePath: string): string {
    const known = this.localSpelling.get(this.key(path));
    if (known !== undefined) return known;
    const parent = parentPath(path);
    return joinPath(parent === '' ? '' : this.localPathOf(parent, parentPath(remotePath)), baseName(remotePath));
  }

  /** Resolves a relative local path, refusing anything that would land outside the root. */
  private absolute(localPath: string): string {
    const root = resolve(this.deps.root);
    const target = resolve(root, localPath);
    if (target !== root && !target.startsWith(root.endsWith(sep) ? root : root + sep)) {
      throw new TeraSyncError(ErrorCode.InvalidName, `refusing to write outside the sync folder: ${localPath}`);
    }
    return target;
  }

  private async expectLocal(local: LocalEntry): Promise<Stats> {
    const stats = await this.expectLocalAt(this.absolute(local.localPath), local);
    if (stats === null) throw new DeferredActionError('the local file disappeared since the scan; looked at again next run');
    return stats;
  }

  /** Fails with DeferredActionError unless the file at `absolute` is as the scan saw it (or absent). */
  private async expectLocalAt(absolute: string, expected: LocalEntry | null): Promise<Stats | null> {
    let stats: Stats | null = null;
    try {
      stats = await this.fs.lstat(absolute);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (expected === null) {
      if (stats !== null) throw new DeferredActionError('a local file appeared at this path since the scan; looked at again next run');
      return null;
    }
    if (stats === null) throw new DeferredActionError('the local file disappeared since the scan; looked at again next run');
    if (
      expected.type === 'file' &&
      (!stats.isFile() || stats.size !== expected.size || stats.mtimeMs !== expected.mtimeMs || stats.ctimeMs !== expected.ctimeMs || stats.ino !== expected.ino)
    ) {
      throw new DeferredActionError('the local file changed since the scan; it is synced next run');
    }
    return stats;
  }

  /** sha256 of a local file; a file we may not read fails with a sentence that says what to do. */
  private hashLocal(localPath: string): Promise<string> {
    return hashFile(this.files, this.absolute(localPath)).catch((error: unknown) => {
      throw localReadError(localPath, readFailure(error));
    });
  }

  /** proveContent (localIdentity.ts), with the same sentence for a file we may not read. */
  private prove(localPath: string, journal: JournalEntry | null): Promise<Proof> {
    return proveContent(this.files, this.absolute(localPath), journal).catch((error: unknown) => {
      throw localReadError(localPath, readFailure(error));
    });
  }
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => number): T[][] {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const group = groups.get(k) ?? [];
    group.push(item);
    groups.set(k, group);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((k) => groups.get(k) ?? []);
}

async function exists(fs: LocalFs, absolute: string): Promise<boolean> {
  try {
    await fs.lstat(absolute);
    return true;
  } catch {
    return false;
  }
}

export function toLocalEntry(path: string, localPath: string, stats: Stats): LocalEntry {
  return {
    path,
    localPath,
    type: stats.isDirectory() ? 'dir' : 'file',
    size: stats.isDirectory() ? 0 : stats.size,
    mtimeMs: stats.mtimeMs,
    ctimeMs: stats.ctimeMs,
    ino: stats.ino,
    birthtimeMs: stats.birthtimeMs,
  };
}

function statsEntry(local: LocalEntry, stats: Stats): LocalEntry {
  return { ...local, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino };
}

function remoteLike(remotePath: string, size: number, mtimeMs: number): RemoteEntry {
  return { path: remotePath, remotePath, type: 'file', size, mtimeMs, etag: null };
}

/**
 * The journal entry with the ETag of `listed`, when `listed` is the very file an upload wrote
 * (same size, getlastmodified within the slack of the PUT answer's Date); else null.
 */
export function learnEtag(entry: JournalEntry, listed: RemoteEntry | undefined): JournalEntry | null {
  if (entry.remoteEtag !== null || !listed || listed.type !== 'file' || listed.etag === null) return null;
  if (listed.size !== entry.remoteSize || Math.abs(listed.mtimeMs - entry.remoteMtimeMs) > UPLOAD_CLOCK_SLACK_MS) return null;
  return { ...entry, remoteEtag: listed.etag, remoteMtimeMs: listed.mtimeMs };
}

export function fileEntry(path: string, local: LocalEntry, remote: RemoteEntry, hash: string | null): JournalEntry {
  return {
    path,
    type: 'file',
    localPath: local.localPath,
    remotePath: remote.remotePath,
    localSize: local.size,
    localMtimeMs: local.mtimeMs,
    localCtimeMs: local.ctimeMs,
    localIno: local.ino,
    remoteEtag: remote.etag,
    remoteSize: remote.size,
    remoteMtimeMs: remote.mtimeMs,
    hash,
  };
}

/** The errno code (EACCES, ENOSPC...) behind an error or any of its causes, or null. */
export function errnoOf(error: unknown): string | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  }
  return null;
}

/**
 * A local write that failed, said so the user knows what to do: which folder refuses us and
 * how to let us in, a full disk with what the file needs, a name too long for the file system.
 */
export function localWriteError(localPath: string, error: unknown, bytes?: number, free: number | null = null): TeraSyncError {
  const folder = parentPath(localPath) === '' ? 'the sync folder' : `the folder "${parentPath(localPath)}"`;
  const what = `"${localPath}"`;
  let message: string;
  switch (errnoOf(error)) {
    case 'EACCES':
    case 'EPERM':
      message = `Cannot write ${what}: permission denied in ${folder}. Give your user write permission to it (for example chmod u+w), or exclude it from sync.`;
      break;
    case 'EROFS':
      message = `Cannot write ${what}: ${folder} is on a read-only disk. Make it writable, or exclude it from sync.`;
      break;
    case 'ENOSPC':
    case 'EDQUOT':
      message =
        `Cannot write ${what}: the disk is full` +
        (bytes !== undefined ? ` (the file needs ${formatBytes(bytes)}${free !== null ? `, ${formatBytes(free)} is free` : ''})` : '') +
        '. Free up space and sync again.';
      break;
    case 'ENAMETOOLONG':
      message = `Cannot write ${what}: the name is too long for this file system. Rename it on the server to a shorter name.`;
      break;
    case 'ENOTDIR':
    case 'EEXIST':
      message = `Cannot write ${what}: something in the way is not a folder. It is looked at again next run.`;
      break;
    default:
      message = `Cannot write ${what}: ${(error as Error).message}`;
  }
  return new TeraSyncError(ErrorCode.LocalIo, message, { cause: error });
}

/** A local read that failed, said so the user knows what to do. */
/** The file system's error under hashFile's wrapping (its message names the absolute path). */
function readFailure(error: unknown): unknown {
  return error instanceof TeraSyncError && error.cause instanceof Error && errnoOf(error.cause) !== null ? error.cause : error;
}

export function localReadError(localPath: string, error: unknown): TeraSyncError {
  const code = errnoOf(error);
  const message =
    code === 'EACCES' || code === 'EPERM'
      ? `Cannot read "${localPath}": permission denied. Give your user read permission to it (for example chmod u+r), or exclude it from sync.`
      : `Cannot read "${localPath}": ${(error as Error).message}`;
  return new TeraSyncError(ErrorCode.LocalIo, message, { cause: error });
}

/** Bytes free for us on the disk holding `folder`, or null when the OS does not say. */
async function freeBytes(fs: LocalFs, folder: string): Promise<number | null> {
  try {
    const info = await fs.statfs(folder);
    return info.bavail * info.bsize;
  } catch {
    return null;
  }
}

function isWithinPath(path: string, folder: string): boolean {
  return path === folder || path.startsWith(`${folder}/`);
}
