/**
 * One-way backup of local folders ("sources") to the service's backup area:
 *
 *   <root>/<device>/<source>/...                               the latest copy
 *   <root>/<device>/.versions/<YYYY-MM-DDTHHMMSSZ>/<source>/...  what this run replaced or removed
 *
 * A run: scan each source (the sync scanner and ignore rules; symlinks not followed), walk its
 * latest copy on the server, plan against the backup journal (planBackup.ts), settle the
 * comparisons that need content (sha256 of the local file, and of the server's copy when a
 * first backup meets a non-empty folder), check the quota against the bytes to send, then
 * execute, and prune versions older than the retention.
 *
 * The backup never changes a local file, and never destroys a backed-up copy: a copy that is
 * replaced or whose file was deleted locally is MOVEd (server-side, nothing re-sent) into the
 * run's version folder first, and only the retention removes versions.
 *
 * How a file goes up:
 * - New (nothing at its path): one PUT with `If-None-Match: *`. Apache writes a PUT to a temp
 *   file and renames it at the end, so an interrupted PUT leaves nothing half-written.
 * - Replacing a copy: PUT to a temp name beside it (`.terasync-<random>.tmp`, If-None-Match),
 *   journal a `staged` row, MOVE the old copy into `.versions/`, MOVE the temp into place.
 *   Why not MOVE the old copy away and PUT in its place: for the whole upload (minutes for a
 *   large file) the latest copy would be missing, and a failed upload (507, network, cancel)
 *   would leave it missing; this way it is missing only between two MOVEs, and a failed
 *   upload changes nothing. A resumed run finishes a staged file's MOVEs without sending it
 *   again; other temp files left by a killed run are deleted.
 * - Each file commits its own journal row once the server holds it, so a run killed at any
 *   moment resumes without sending again what completed. A file whose upload the server
 *   finished just before the kill (no row yet) is compared by content on the next run, and
 *   not sent again.
 *
 * Errors on one file (unreadable, vanished, a name the server cannot hold, a server refusal)
 * are listed and the run goes on; refused credentials, a full storage (507), a lost
 * connection and a cancel stop it cleanly: what completed is journaled, nothing is pruned.
 *
 * The fail-safe (as sync's, electron/sync/engine.ts): a run that would move more than half of
 * a source's backed-up files out of its latest copy, and at least MASS_DELETE_MINIMUM, stops
 * before it changes anything and says what it would move (another drive mounted at the same
 * path, a folder swapped), unless `allowMassDelete`. A source that is empty while its backup
 * holds files (an unmounted drive) is left alone and listed as failed, the others go on; with
 * `allowMassDelete` it too is backed up as it is.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { mapLimit } from '../../shared/async.js';
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../shared/errors.js';
import { maxListedDeletions } from '../../shared/limits.js';
import { MASS_DELETE_MINIMUM } from '../sync/engine.js';
import type { LocalFileAccess } from '../sync/executor.js';
import { createIgnoreMatcher, TEMP_PREFIX, TEMP_SUFFIX, type IgnoreMatcher } from '../sync/ignoreRules.js';
import type { LocalEntry } from '../sync/model.js';
import { baseName, joinPath, normalizePath, parentPath } from '../sync/names.js';
import type { Clock } from '../core/time.js';
import type { Logger } from '../core/logger.js';
import type { RemoteStore } from '../sync/ports.js';
import { loadIgnoreMatcher, scanLocal, type LocalScan } from '../sync/scanner.js';
import type { BackupJournal, BackupRecord, StagedUpload } from './BackupJournal.js';
import { freeVersionStamp, sourceNameProblem, VERSIONS_FOLDER, versionsToPrune } from './backupNames.js';
import { describeLocalError, plural } from './messages.js';
import { estimateRemainingMs, type BackupEvent, type BackupFailSafe, type BackupSummary, type PlannedItem } from './model.js';
import { planBackup, type BackupAction } from './planBackup.js';
import { checkQuota, quotaExceeded, type QuotaSource } from './quota.js';
import { walkRemote, type RemoteItem, type RemoteTree } from './remoteTree.js';
import { limitBytes } from '../sync/limitBytes.js';

export interface BackupSource {
  /** The folder's name: its name on the server. */
  name: string;
  /** Absolute local path. */
  root: string;
}

export interface BackupEngineDeps {
  /** A store rooted at the backup area (`https://<node>.teracloud.jp/backup/`). */
  remote: RemoteStore;
  journal: BackupJournal;
  clock: Clock;
  logger: Logger;
  /** The device folder's name (backupDeviceName). */
  device: string;
  /** Parallel transfers and listings. */
  concurrency: number;
  /** The quota; null or absent: not checked (the caller says why). */
  quota?: QuotaSource | null;
  /** Local reads, replaceable to inject faults. */
  files?: LocalFileAccess;
}

export interface BackupRunOptions {
  sources: readonly BackupSource[];
  /** Versions older than this many days are pruned at the end; 0 keeps them all. */
  retentionDays: number;
  dryRun?: boolean;
  /** Go ahead although the run would move most of a source's backed-up files away (the fail-safe). */
  allowMassDelete?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: BackupEvent) => void;
}

/** Errors after which no other file can succeed either: the run stops cleanly. */
const FATAL: ReadonlySet<string> = new Set([
  ErrorCode.Unauthorized,
  ErrorCode.ProxyAuth,
  ErrorCode.InsufficientStorage,
  ErrorCode.Cancelled,
  ErrorCode.Network,
  ErrorCode.Timeout,
  ErrorCode.Tls,
]);

const nodeFiles: LocalFileAccess = { openRead: (absolutePath) => createReadStream(absolutePath) };

/** The source folder as the run sees it. */
interface SourceRun {
  source: BackupSource;
  /** `<device>/<source>` */
  base: string;
  matcher: IgnoreMatcher;
  scan: LocalScan;
  tree: RemoteTree | null;
  records: Map<string, BackupRecord>;
  actions: BackupAction[];
  /** Set when the source is left alone this run (the reason is in `failed`). */
  refused: boolean;
}

/** One file to send, after the comparisons. */
interface SendItem {
  path: string;
  local: LocalEntry;
  replace: RemoteItem | null;
}

/** A file failed: recorded, the run goes on. */
class FileProblem extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class BackupEngine {
  private readonly deps: BackupEngineDeps;
  private readonly files: LocalFileAccess;

  constructor(deps: BackupEngineDeps) {
    this.deps = deps;
    this.files = deps.files ?? nodeFiles;
  }

  async run(options: BackupRunOptions): Promise<BackupSummary> {
    return new BackupRun(this.deps, this.files, options).run();
  }
}

/** The state of one run. */
class BackupRun {
  private readonly summary: BackupSummary;
  private readonly startedAt: number;
  private stamp = '';
  /** Folders known to exist on the server (or being created), by remote path. */
  private readonly folders = new Map<string, Promise<void>>();
  private fatal: TeraSyncError | null = null;
  private filesTotal = 0;
  private filesDone = 0;
  private bytesTotal = 0;
  private bytesCompleted = 0;
  private readonly inFlight = new Map<string, number>();
  private sendingSince = 0;
  private currentFile: string | null = null;

  constructor(
    private readonly deps: BackupEngineDeps,
    private readonly files: LocalFileAccess,
    private readonly options: BackupRunOptions,
  ) {
    this.startedAt = deps.clock.now();
    this.summary = {
      device: deps.device,
      version: null,
      sources: options.sources.map((source) => ({ name: source.name, root: source.root })),
      sent: [],
      unchanged: 0,
      versioned: [],
      createdFolders: 0,
      failed: [],
      skipped: [],
      pruned: [],
      bytesSent: 0,
      durationMs: 0,
      stopped: null,
      dryRun: options.dryRun === true,
      plan: [],
      quota: null,
      failSafe: null,
    };
  }

  private get signal(): AbortSignal | undefined {
    return this.options.signal;
  }

  private emit(event: BackupEvent): void {
    this.options.onEvent?.(event);
  }

  async run(): Promise<BackupSummary> {
    await this.validateSources();
    const { device } = this.deps;
    try {
      const dryRun = this.options.dryRun === true;
      if (!dryRun) await this.ensureFolder(device);
      const versionNames = await this.versionFolderNames();
      this.stamp = freeVersionStamp(this.startedAt, new Set(versionNames));
      this.summary.version = this.stamp;

      const runs: SourceRun[] = [];
      for (const source of this.options.sources) runs.push(await this.prepare(source, dryRun));
      // Before anything is compared, sent or moved: a stop here changes nothing.
      this.checkMassMove(runs);

      const sends = new Map<SourceRun, SendItem[]>();
      for (const run of runs) sends.set(run, await this.resolve(run, dryRun));
      let bytes = 0;
      let count = 0;
      for (const items of sends.values()) {
        for (const item of items) {
          bytes += item.local.size;
          count++;
        }
      }
      this.filesTotal = count;
      this.bytesTotal = bytes;
      this.emit({ type: 'planned', files: count, bytes });

      this.emit({ type: 'phase', phase: 'quota' });
      await this.checkQuota(bytes);
      if (dryRun) return this.finish();

      this.sendingSince = this.deps.clock.now();
      for (const run of runs) {
        if (run.refused) continue;
        await this.execute(run, sends.get(run) ?? []);
        if (this.fatal) throw this.fatal;
      }
      this.throwIfCancelled();
      await this.prune(runs);
      for (const run of runs) if (!run.refused) this.deps.journal.setSource(run.source.name, run.source.root, this.deps.clock.now());
    } catch (error) {
      const coded = this.signal?.aborted ? new TeraSyncError(ErrorCode.Cancelled, 'The backup was cancelled.') : toTeraSyncError(error);
      this.summary.stopped = coded.toInfo();
      this.deps.logger.warn('backup stopped', { code: coded.code, message: coded.message });
    }
    return this.finish();
  }

  private finish(): BackupSummary {
    this.summary.durationMs = this.deps.clock.now() - this.startedAt;
    this.emit({ type: 'phase', phase: 'done' });
    return this.summary;
  }

  /** Refuses a run whose sources are not folders or cannot be told apart on the server. */
  private async validateSources(): Promise<void> {
    const names = new Map<string, string>();
    if (this.options.sources.length === 0) throw new TeraSyncError(ErrorCode.InvalidRequest, 'Choose at least one folder to back up.');
    for (const source of this.options.sources) {
      const problem = sourceNameProblem(normalizePath(source.name));
      if (problem !== null) throw new TeraSyncError(ErrorCode.InvalidRequest, `Cannot back up ${source.root}: ${problem}.`);
      const other = names.get(normalizePath(source.name));
      if (other !== undefined) {
        throw new TeraSyncError(
          ErrorCode.InvalidRequest,
          `${other} and ${source.root} would both be backed up as "${source.name}": back them up under different folder names.`,
        );
      }
      names.set(normalizePath(source.name), source.root);
      let stats: Stats;
      try {
        stats = await lstat(source.root);
      } catch (error) {
        const message =
          (error as NodeJS.ErrnoException).code === 'ENOENT'
            ? `The folder to back up ${source.root} does not exist: check the path, or mount the drive it is on.`
            : describeLocalError(error, 'readFolder', source.root);
        throw new TeraSyncError(ErrorCode.InvalidRequest, message, { cause: error });
      }
      if (!stats.isDirectory()) throw new TeraSyncError(ErrorCode.InvalidRequest, `${source.root} is not a folder.`);
    }
  }

  // Planning --------------------------------------------------------------------------------

  private async prepare(source: BackupSource, dryRun: boolean): Promise<SourceRun> {
    const name = normalizePath(source.name);
    const base = `${this.deps.device}/${name}`;
    this.emit({ type: 'phase', phase: 'scanning', source: name });
    let matcher: IgnoreMatcher;
    let scan: LocalScan;
    try {
      matcher = await loadIgnoreMatcher(source.root);
      scan = await scanLocal(source.root, matcher);
    } catch (error) {
      // A folder that cannot be read is left out of this run (its backup untouched); the others go on.
      const cause = error instanceof TeraSyncError && error.cause !== undefined ? error.cause : error;
      const problem = (cause as NodeJS.ErrnoException | null)?.code === undefined ? toTeraSyncError(error).message : describeLocalError(cause, 'readFolder', source.root);
      this.fail(name, '', new FileProblem(ErrorCode.LocalIo, `The folder was not backed up, its backup was left as it is. ${problem}`));
      const empty: LocalScan = { entries: new Map(), skipped: [], tempFiles: [] };
      return { source: { ...source, name }, base, matcher: createIgnoreMatcher(), scan: empty, tree: null, records: new Map(), actions: [], refused: true };
    }
    for (const skipped of scan.skipped) this.summary.skipped.push({ source: name, path: skipped.path, reason: skipped.reason, message: skipped.message });

    this.emit({ type: 'phase', phase: 'listing', source: name });
    let tree = await walkRemote(this.deps.remote, base, { matcher, concurrency: this.deps.concurrency, signal: this.signal });
    if (!dryRun && tree !== null && (tree.temps.length > 0 || this.deps.journal.staged(name).length > 0)) {
      if (await this.recoverStaged(name, base, tree)) {
        tree = await walkRemote(this.deps.remote, base, { matcher, concurrency: this.deps.concurrency, signal: this.signal });
      }
    }
    const records = this.deps.journal.records(name);
    const run: SourceRun = { source: { ...source, name }, base, matcher, scan, tree, records, actions: [], refused: false };
    const remoteFiles = tree === null ? 0 : [...tree.entries.values()].filter((entry) => entry.type === 'file').length;
    if (scan.entries.size === 0 && remoteFiles > 0 && this.options.allowMassDelete !== true) {
      // An unmounted drive looks exactly like a folder whose files were all deleted.
      run.refused = true;
      this.fail(
        name,
        '',
        new TeraSyncError(
          ErrorCode.FailSafeTriggered,
          `${source.root} is empty, but its backup holds ${plural(remoteFiles, 'file')}: is the drive or share mounted? ` +
            'The backup of this folder was left as it is. If you emptied the folder on purpose, run the backup again with --allow-mass-delete.',
        ),
      );
      return run;
    }
    run.actions = planBackup({
      local: scan.entries,
      skipped: scan.skipped.map((entry) => entry.path),
      remote: tree?.entries ?? new Map(),
      journal: records,
    });
    return run;
  }

  /**
   * The fail-safe: stops the run (nothing changed yet) when it would move more than half of a
   * source's backed-up files out of the latest copy, and at least MASS_DELETE_MINIMUM of them.
   * The files it would move are in the summary's `failSafe`.
   */
  private checkMassMove(runs: readonly SourceRun[]): void {
    if (this.options.allowMassDelete === true) return;
    const stopped: BackupFailSafe['sources'] = [];
    for (const run of runs) {
      if (run.refused || run.tree === null) continue;
      const files = [...run.tree.entries.values()].filter((entry) => entry.type === 'file');
      const roots = new Set(run.actions.filter((action) => action.kind === 'version' || action.kind === 'versionAside').map((action) => action.path));
      if (roots.size === 0) continue;
      const movedAway = (path: string): boolean => {
        for (let at = path; at !== ''; at = parentPath(at)) if (roots.has(at)) return true;
        return false;
      };
      // A file the run sends again under another path (a renamed folder: same name and size)
      // stays in the latest copy: it does not count as moved away.
      const comesBack = new Map<string, number>();
      for (const action of run.actions) {
        if (action.kind !== 'send' || action.replace !== null) continue;
        const key = `${baseName(action.path)}\0${action.local.size}`;
        comesBack.set(key, (comesBack.get(key) ?? 0) + 1);
      }
      const moved: string[] = [];
      for (const file of files) {
        if (!movedAway(file.path)) continue;
        const key = `${baseName(file.path)}\0${file.size}`;
        const left = comesBack.get(key) ?? 0;
        if (left > 0) comesBack.set(key, left - 1);
        else moved.push(file.path);
      }
      if (moved.length < MASS_DELETE_MINIMUM || moved.length * 2 <= files.length) continue;
      moved.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      let localFiles = 0;
      for (const entry of run.scan.entries.values()) if (entry.type === 'file') localFiles++;
      stopped.push({
        name: run.source.name,
        root: run.source.root,
        backedUp: files.length,
        wouldMove: moved.length,
        localFiles,
        paths: moved.slice(0, maxListedDeletions),
      });
    }
    if (stopped.length === 0) return;
    this.summary.failSafe = { sources: stopped };
    const each = stopped.map(
      (source) =>
        `${source.root} now holds ${plural(source.localFiles, 'file')}, but the backup would move ${source.wouldMove} of its ` +
        `${plural(source.backedUp, 'backed-up file')} out of the latest copy (into .versions/).`,
    );
    throw new TeraSyncError(
      ErrorCode.FailSafeTriggered,
      `The backup stopped before changing anything: ${each.join(' ')} ` +
        'If another drive or folder is at that place now, put the right one back and back up again. ' +
        'If the files were removed on purpose, let the backup go ahead (terasync backup --allow-mass-delete, or Back up anyway in the app).',
    );
  }

  /**
   * Finishes what a killed run left staged (uploaded to a temp name, not moved into place) and
   * deletes other temp files of ours. True when the tree changed.
   */
  private async recoverStaged(source: string, base: string, tree: RemoteTree): Promise<boolean> {
    const byTemp = new Map(tree.temps.map((temp) => [normalizePath(temp.remotePath), temp]));
    let changed = false;
    for (const staged of this.deps.journal.staged(source)) {
      const temp = byTemp.get(normalizePath(staged.temp));
      byTemp.delete(normalizePath(staged.temp));
      const latest = tree.entries.get(staged.path) ?? null;
      try {
        if (temp !== undefined && temp.size === staged.size) {
          await this.finishStaged(source, base, staged, temp.remotePath, latest);
          changed = true;
        } else if (temp === undefined && latest?.type === 'file' && latest.size === staged.size) {
          // Killed after the temp was moved into place, before the journal heard of it.
          this.deps.journal.put(this.recordOf(source, staged.path, staged, latest));
        } else {
          this.deps.journal.clearStaged(source, staged.path);
        }
      } catch (error) {
        if (this.isFatal(error)) throw error;
        this.deps.logger.warn('backup: could not finish a staged upload; it is sent again', { path: staged.path, message: (error as Error).message });
        this.deps.journal.clearStaged(source, staged.path);
      }
    }
    for (const temp of byTemp.values()) {
      await this.deps.remote.remove(temp.remotePath, 'file', { signal: this.signal });
      changed = true;
    }
    return changed;
  }

  /**
   * Settles checkLocal and compare (I/O), records what turned out unchanged, reports invalid
   * names, and returns the files to send. A dry run compares nothing: what needs a comparison
   * is listed as such, and counted as if it were sent.
   */
  private async resolve(run: SourceRun, dryRun: boolean): Promise<SendItem[]> {
    if (run.refused) return [];
    const source = run.source.name;
    const sends: SendItem[] = [];
    const plan = (path: string, action: PlannedItem['action'], rule: PlannedItem['rule'], bytes: number): void => {
      if (dryRun) this.summary.plan.push({ source, path, action, rule, bytes });
    };
    const pending: Array<Extract<BackupAction, { kind: 'checkLocal' | 'compare' }>> = [];
    for (const action of run.actions) {
      switch (action.kind) {
        case 'unchanged':
          this.summary.unchanged++;
          break;
        case 'send':
          sends.push({ path: action.path, local: action.local, replace: action.replace });
          plan(action.path, action.replace === null ? 'send-new' : 'send-changed', action.rule, action.local.size);
          break;
        case 'checkLocal':
        case 'compare':
          if (dryRun) {
            sends.push({ path: action.path, local: action.local, replace: action.remote });
            plan(action.path, 'compare', action.rule, action.local.size);
          } else pending.push(action);
          break;
        case 'invalidName':
          this.fail(source, action.path, new TeraSyncError(ErrorCode.InvalidName, action.message));
          plan(action.path, 'invalid-name', action.rule, 0);
          break;
        case 'versionAside':
        case 'version':
          plan(action.path, 'version', action.rule, 0);
          break;
        case 'createFolder':
          plan(action.path, 'create-folder', action.rule, 0);
          break;
        case 'keep':
        case 'forget':
          break;
      }
    }
    if (pending.length === 0) return sends;
    this.emit({ type: 'phase', phase: 'comparing', source });
    await mapLimit(pending, this.deps.concurrency, async (action) => {
      if (this.fatal || this.signal?.aborted) return;
      try {
        const absolute = this.absolute(run.source.root, action.local.localPath);
        const stats = await this.expectLocal(absolute);
        const localHash = await this.hashLocal(absolute);
        const same =
          action.kind === 'checkLocal'
            ? localHash === action.record.sha256
            : (await this.hashRemote(action.remote.remotePath)) === localHash;
        if (same) {
          // Unchanged (only touched, or its mtime put back): its new identity is recorded.
          this.deps.journal.put(this.recordOf(source, action.path, { ...identityOf(stats), sha256: localHash }, action.remote));
          this.summary.unchanged++;
          this.emit({ type: 'file', source, path: action.path, outcome: 'unchanged' });
        } else {
          sends.push({ path: action.path, local: action.local, replace: action.remote });
        }
      } catch (error) {
        this.failOrStop(source, action.path, error);
      }
    });
    if (this.fatal) throw this.fatal;
    this.throwIfCancelled();
    return sends;
  }

  private async checkQuota(bytes: number): Promise<void> {
    const quota = this.deps.quota;
    if (quota === undefined || quota === null) {
      this.emit({ type: 'quota', checked: false, neededBytes: bytes, freeBytes: null, message: null });
      return;
    }
    let check;
    try {
      check = await checkQuota(quota, bytes, this.signal);
    } catch (error) {
      this.throwIfCancelled();
      // The REST API is a convenience: WebDAV works without it, and a 507 still stops the run.
      const message = `the quota could not be checked: ${toTeraSyncError(error).message}`;
      this.deps.logger.warn(`backup: ${message}`);
      this.emit({ type: 'quota', checked: false, neededBytes: bytes, freeBytes: null, message });
      return;
    }
    this.summary.quota = { neededBytes: check.neededBytes, freeBytes: check.freeBytes };
    this.emit({ type: 'quota', checked: true, neededBytes: bytes, freeBytes: check.freeBytes, message: null });
    if (!check.fits) throw quotaExceeded(check);
  }

  // Execution -------------------------------------------------------------------------------

  private async execute(run: SourceRun, sends: readonly SendItem[]): Promise<void> {
    const source = run.source.name;
    const concurrency = this.deps.concurrency;
    this.deps.journal.setSource(source, run.source.root, null);
    await this.ensureFolder(run.base);

    // Type changes first: the entry in the way goes into .versions as a whole.
    for (const action of run.actions) {
      if (action.kind !== 'versionAside') continue;
      await this.attempt(source, action.path, async () => {
        await this.versionEntry(source, action.path, action.remote);
        this.deps.journal.removeTree(source, action.path);
      });
    }

    const folders = run.actions.filter((action): action is Extract<BackupAction, { kind: 'createFolder' }> => action.kind === 'createFolder');
    folders.sort((a, b) => a.path.split('/').length - b.path.split('/').length);
    for (const folder of folders) {
      await this.attempt(source, folder.path, async () => {
        await this.ensureFolder(this.remotePathOf(run, folder.path));
        this.summary.createdFolders++;
      });
    }

    this.emit({ type: 'phase', phase: 'sending', source });
    await mapLimit(sends, concurrency, (item) =>
      this.attempt(source, item.path, async () => {
        try {
          await this.send(run, item);
        } finally {
          this.filesDone++;
          this.progress();
        }
      }),
    );
    if (this.fatal) return;

    this.emit({ type: 'phase', phase: 'versioning', source });
    for (const action of run.actions) {
      if (action.kind === 'version') {
        await this.attempt(source, action.path, async () => {
          await this.versionEntry(source, action.path, action.remote);
          this.deps.journal.removeTree(source, action.path);
        });
      } else if (action.kind === 'forget') {
        this.deps.journal.removeTree(source, action.path);
      }
    }
  }

  /** Runs one file's work; a failure is listed, or stops the run when nothing else can succeed. */
  private async attempt(source: string, path: string, work: () => Promise<void>): Promise<void> {
    if (this.fatal || this.signal?.aborted) return;
    try {
      await work();
    } catch (error) {
      this.failOrStop(source, path, error);
    }
  }

  private failOrStop(source: string, path: string, error: unknown): void {
    if (this.isFatal(error)) {
      this.fatal ??= this.signal?.aborted ? new TeraSyncError(ErrorCode.Cancelled, 'The backup was cancelled.') : toTeraSyncError(error);
      return;
    }
    this.fail(source, path, error);
  }

  private isFatal(error: unknown): boolean {
    return this.signal?.aborted === true || (!(error instanceof FileProblem) && FATAL.has(toTeraSyncError(error).code));
  }

  private fail(source: string, path: string, error: unknown): void {
    const code = error instanceof FileProblem ? error.code : toTeraSyncError(error).code;
    const message = error instanceof Error ? error.message : String(error);
    this.summary.failed.push({ source, path, code, message });
    this.deps.logger.warn('backup: file failed', { source, path, code, message });
    this.emit({ type: 'file-failed', source, path, code, message });
  }

  private async send(run: SourceRun, item: SendItem): Promise<void> {
    const source = run.source.name;
    const absolute = this.absolute(run.source.root, item.local.localPath);
    const stats = await this.expectLocal(absolute);
    this.currentFile = `${source}/${item.path}`;
    const target = this.remotePathOf(run, item.path);
    if (item.replace === null) {
      try {
        const sent = await this.upload(target, absolute, stats.size, `${source}/${item.path}`, true);
        this.deps.journal.put(this.recordOf(source, item.path, { ...identityOf(stats), sha256: sent.sha256 }, sent.entry));
        this.sent(source, item.path, stats.size);
        return;
      } catch (error) {
        // Someone put a file there since the listing: it is replaced like any other copy.
        if (toTeraSyncError(error).code !== ErrorCode.PreconditionFailed) throw error;
      }
    }
    const temp = joinPath(parentPath(target), `${TEMP_PREFIX}${randomBytes(8).toString('hex')}${TEMP_SUFFIX}`);
    const sent = await this.upload(temp, absolute, stats.size, `${source}/${item.path}`, false);
    const staged: StagedUpload = { source, path: item.path, temp, ...identityOf(stats), sha256: sent.sha256 };
    this.deps.journal.setStaged(staged);
    const latest = item.replace ?? (await this.statItem(target, item.path));
    await this.finishStaged(source, run.base, staged, temp, latest);
    this.sent(source, item.path, stats.size);
  }

  private sent(source: string, path: string, bytes: number): void {
    this.inFlight.delete(`${source}/${path}`);
    this.bytesCompleted += bytes;
    this.summary.bytesSent += bytes;
    this.summary.sent.push({ source, path, bytes });
    this.emit({ type: 'file', source, path, outcome: 'sent', bytes });
  }

  /** MOVEs the copy a staged upload replaces into .versions, then the temp into place. */
  private async finishStaged(source: string, base: string, staged: StagedUpload, temp: string, latest: RemoteItem | null): Promise<void> {
    const target = latest?.remotePath ?? `${base}/${staged.path}`;
    if (latest !== null) await this.versionEntry(source, staged.path, latest);
    // Only this device writes here; should anything appear between the two MOVEs anyway, the
    // MOVE fails (no overwrite) and the staged row finishes the job next run.
    await this.deps.remote.move(temp, target, 'file', { signal: this.signal });
    const entry = await this.deps.remote.stat(target, { signal: this.signal });
    if (entry === null || entry.type !== 'file') {
      throw new TeraSyncError(ErrorCode.BadResponse, `${target} is not on the server right after it was moved into place.`);
    }
    this.deps.journal.put(this.recordOf(source, staged.path, staged, { etag: entry.etag, size: entry.size }));
  }

  /**
   * Moves a copy (file or folder) into this run's version folder. The same path versioned
   * twice in one run (a resumed staged upload, then a newer change) keeps both: the second as
   * `name (2).ext`.
   */
  private async versionEntry(source: string, path: string, item: RemoteItem): Promise<void> {
    const folder = parentPath(`${this.deps.device}/${VERSIONS_FOLDER}/${this.stamp}/${source}/${path}`);
    await this.ensureFolder(folder);
    for (let attempt = 0; ; attempt++) {
      const name = attempt === 0 ? baseName(path) : numberedName(baseName(path), item.type === 'file', attempt + 1);
      try {
        await this.deps.remote.move(item.remotePath, `${folder}/${name}`, item.type, { signal: this.signal });
        break;
      } catch (error) {
        if (toTeraSyncError(error).code !== ErrorCode.PreconditionFailed || attempt >= 20) throw error;
      }
    }
    this.summary.versioned.push({ source, path });
    this.emit({ type: 'file', source, path, outcome: 'versioned' });
  }

  private async statItem(remotePath: string, path: string): Promise<RemoteItem | null> {
    const entry = await this.deps.remote.stat(remotePath, { signal: this.signal });
    if (entry === null) return null;
    return { path, remotePath: entry.remotePath, type: entry.type, size: entry.size, mtimeMs: entry.mtimeMs, etag: entry.etag };
  }

  /** Streams the file (exactly `size` bytes: what grows meanwhile goes next run) and hashes what it sent. */
  private async upload(
    remotePath: string,
    absolute: string,
    size: number,
    label: string,
    isNew: boolean,
  ): Promise<{ sha256: string; entry: { etag: string | null; size: number } }> {
    let attemptHash: { hasher: ReturnType<typeof createHash>; bytes: number } | null = null;
    let localError: unknown = null;
    this.inFlight.set(label, 0);
    let result;
    try {
      result = await this.deps.remote.upload(
        remotePath,
        () => {
          const state = { hasher: createHash('sha256'), bytes: 0 };
          attemptHash = state;
          let stream: Readable;
          try {
            stream = this.files.openRead(absolute);
          } catch (error) {
            localError = error;
            throw error;
          }
          const limit = limitBytes(size, (piece) => {
            state.hasher.update(piece);
            state.bytes += piece.length;
          });
          stream.on('error', (error) => {
            localError = error;
            limit.destroy(error);
          });
          return stream.pipe(limit);
        },
        size,
        {
          ifNoneMatch: true,
          statAfter: isNew,
          signal: this.signal,
          onProgress: (progress) => {
            this.inFlight.set(label, progress.bytes);
            this.currentFile = label;
            this.progress();
          },
        },
      );
    } catch (error) {
      this.inFlight.delete(label);
      if (localError !== null && !this.signal?.aborted) {
        throw new FileProblem(ErrorCode.LocalIo, describeLocalError(localError, 'read', absolute));
      }
      throw error;
    }
    const state = attemptHash as { hasher: ReturnType<typeof createHash>; bytes: number } | null;
    // The server may answer before our stream saw its end (see WebDavRemoteStore.upload): the
    // hash of what was sent is then taken from the file itself.
    const sha256 = state !== null && state.bytes === size ? state.hasher.digest('hex') : await this.hashLocal(absolute, size);
    return { sha256, entry: { etag: result.entry.etag, size: result.entry.size } };
  }

  // Versions ---------------------------------------------------------------------------------

  private async versionFolderNames(): Promise<string[]> {
    try {
      const children = await this.deps.remote.listChildren(`${this.deps.device}/${VERSIONS_FOLDER}`, { signal: this.signal });
      return children.filter((child) => child.type === 'dir').map((child) => baseName(child.remotePath));
    } catch (error) {
      if (toTeraSyncError(error).code === ErrorCode.NotFound) return [];
      throw error;
    }
  }

  /**
   * Removes each source's part of the version folders older than the retention, and a version
   * folder left empty. Only sources of this run are touched: a folder no longer backed up keeps
   * its history, and so do other devices.
   */
  private async prune(runs: readonly SourceRun[]): Promise<void> {
    const expired = versionsToPrune(await this.versionFolderNames(), this.deps.clock.now(), this.options.retentionDays).filter(
      (name) => name !== this.stamp,
    );
    if (expired.length === 0) return;
    this.emit({ type: 'phase', phase: 'pruning' });
    const versions = `${this.deps.device}/${VERSIONS_FOLDER}`;
    for (const name of expired) {
      for (const run of runs) {
        if (run.refused) continue;
        const folder = `${versions}/${name}/${run.source.name}`;
        if ((await this.deps.remote.stat(folder, { signal: this.signal })) === null) continue;
        await this.deps.remote.remove(folder, 'dir', { signal: this.signal });
        this.summary.pruned.push(`${name}/${run.source.name}`);
        this.emit({ type: 'file', source: run.source.name, path: name, outcome: 'pruned' });
      }
      if (await this.deps.remote.isEmptyFolder(`${versions}/${name}`, { signal: this.signal })) {
        await this.deps.remote.remove(`${versions}/${name}`, 'dir', { signal: this.signal });
      }
    }
  }

  // Helpers ---------------------------------------------------------------------------------

  /** Creates a folder and its parents once per run (MKCOL; an existing folder is success). */
  private ensureFolder(remotePath: string): Promise<void> {
    if (remotePath === '') return Promise.resolve();
    let pending = this.folders.get(remotePath);
    if (pending === undefined) {
      const parent = parentPath(remotePath);
      pending = this.ensureFolder(parent).then(() => this.deps.remote.createFolder(remotePath, { signal: this.signal }));
      // A failure is not remembered: the next file in that folder tries again.
      pending.catch(() => this.folders.delete(remotePath));
      this.folders.set(remotePath, pending);
    }
    return pending;
  }

  /** The server spelling of a source path: as listed, or its parent's spelling plus our name. */
  private remotePathOf(run: SourceRun, path: string): string {
    const known = run.tree?.entries.get(path);
    if (known !== undefined) return known.remotePath;
    const parent = parentPath(path);
    return `${parent === '' ? run.base : this.remotePathOf(run, parent)}/${baseName(path)}`;
  }

  private recordOf(
    source: string,
    path: string,
    local: { size: number; mtimeMs: number; ctimeMs: number; ino: number; sha256: string },
    remote: { etag: string | null; size: number },
  ): BackupRecord {
    return {
      source,
      path,
      size: local.size,
      mtimeMs: local.mtimeMs,
      ctimeMs: local.ctimeMs,
      ino: local.ino,
      sha256: local.sha256,
      remoteEtag: remote.etag,
      remoteSize: remote.size,
      backedUpAt: this.deps.clock.now(),
    };
  }

  private absolute(root: string, localPath: string): string {
    const base = resolve(root);
    const target = resolve(base, localPath);
    if (target !== base && !target.startsWith(base.endsWith(sep) ? base : base + sep)) {
      throw new FileProblem(ErrorCode.InvalidName, `refusing to read outside the folder: ${localPath}`);
    }
    return target;
  }

  /** The file as the scan saw it, or a FileProblem (vanished, replaced by something else). */
  private async expectLocal(absolute: string): Promise<Stats> {
    let stats: Stats;
    try {
      stats = await lstat(absolute);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new FileProblem(ErrorCode.LocalIo, 'the file vanished since the scan; nothing was sent');
      throw new FileProblem(ErrorCode.LocalIo, describeLocalError(error, 'read', absolute));
    }
    if (!stats.isFile()) throw new FileProblem(ErrorCode.LocalIo, 'the file was replaced by something else since the scan; nothing was sent');
    return stats;
  }

  /** sha256 of the file (of its first `limit` bytes when given). */
  private async hashLocal(absolute: string, limit?: number): Promise<string> {
    const hasher = createHash('sha256');
    let seen = 0;
    try {
      for await (const chunk of this.files.openRead(absolute) as AsyncIterable<Buffer>) {
        const piece = limit !== undefined && seen + chunk.length > limit ? chunk.subarray(0, limit - seen) : chunk;
        hasher.update(piece);
        seen += piece.length;
        if (limit !== undefined && seen >= limit) break;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new FileProblem(ErrorCode.LocalIo, 'the file vanished since the scan; nothing was sent');
      throw new FileProblem(ErrorCode.LocalIo, describeLocalError(error, 'read', absolute));
    }
    return hasher.digest('hex');
  }

  /** sha256 of the server's copy, downloaded and discarded. */
  private async hashRemote(remotePath: string): Promise<string> {
    const sink = new Writable({
      write(_chunk, _encoding, callback) {
        callback();
      },
    });
    const result = await this.deps.remote.download(remotePath, sink, { signal: this.signal });
    sink.destroy();
    return result.hash;
  }

  private progress(): void {
    let bytes = this.bytesCompleted;
    for (const value of this.inFlight.values()) bytes += value;
    const elapsed = this.deps.clock.now() - this.sendingSince;
    this.emit({
      type: 'progress',
      filesDone: this.filesDone,
      filesTotal: this.filesTotal,
      bytesDone: bytes,
      bytesTotal: this.bytesTotal,
      currentFile: this.currentFile,
      remainingMs: estimateRemainingMs(bytes, this.bytesTotal, elapsed),
    });
  }

  private throwIfCancelled(): void {
    if (this.signal?.aborted) throw new TeraSyncError(ErrorCode.Cancelled, 'The backup was cancelled.');
  }
}

/** The local identity a journal row keeps (see planBackup's sameIdentity), from a stat taken before the file was read. */
function identityOf(stats: Stats): { size: number; mtimeMs: number; ctimeMs: number; ino: number } {
  return { size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino };
}

/** `report.pdf` -> `report (2).pdf`. */
function numberedName(name: string, isFile: boolean, number: number): string {
  const dot = name.lastIndexOf('.');
  if (!isFile || dot <= 0) return `${name} (${number})`;
  return `${name.slice(0, dot)} (${number})${name.slice(dot)}`;
}
