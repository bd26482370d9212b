/**
 * The backup and the restore: the one running now (its progress, cancelling it), the history of
 * backups, the fail-safe's pending answer, listing what the backup area holds, and the
 * BackupScheduler's retries and schedule. Only BASIC accounts have the backup area.
 */
import path from 'node:path';
import { stat } from 'node:fs/promises';
import { ErrorCode, TeraSyncError, toTeraSyncError, type ErrorInfo } from '../../../shared/errors.js';
import type {
  BackupFailSafeView,
  BackupListing,
  BackupPhase,
  BackupProgress,
  BackupRunView,
  BackupStateView,
  BackupSummaryView,
  RestoreSummaryView,
} from '../../../shared/types.js';
import type { AccountRecord } from '../../auth/AccountRecord.js';
import { notSignedIn, type AccountService } from '../../auth/AccountService.js';
import { BackupEngine, type BackupSource } from '../../backup/BackupEngine.js';
import { BackupJournal, backupJournalFile } from '../../backup/BackupJournal.js';
import { backupDeviceName } from '../../backup/backupNames.js';
import type { BackupSummary } from '../../backup/model.js';
import type { QuotaSource } from '../../backup/quota.js';
import { listSource, listSources, listVersions, Restore } from '../../backup/Restore.js';
import type { Logger } from '../../core/logger.js';
import type { Clock, Scheduler } from '../../core/time.js';
import { TeraCloudApi } from '../../teracloud/TeraCloudApi.js';
import { WebDavRemoteStore } from '../../webdav/WebDavRemoteStore.js';
import { BackupHistory } from '../BackupHistory.js';
import { BackupScheduler, type BackupOutcome, type BackupTrigger } from '../BackupScheduler.js';
import type { IpcEventHub } from '../IpcEventHub.js';
import { backupListingView, backupProgressView, backupSummaryView, restoreSummaryView } from '../ipcViews.js';
import type { BackupSettings } from '../settings.js';
import type { SettingsStore } from '../SettingsStore.js';
import type { AppSnapshot } from '../trayState.js';
import { OFFLINE_CODES } from './offline.js';

export interface BackupServiceDeps {
  appDataFolder: string;
  clock: Clock;
  scheduler: Scheduler;
  logger: Logger;
  events: IpcEventHub;
  settings: SettingsStore;
  accounts: AccountService;
  /** The computer's name: the backup's device folder unless the settings say. */
  device: string;
  ca?: string;
  /** Parallel transfers. */
  concurrency: () => number;
  /** True when someone is signed in. */
  signedIn: () => boolean;
  /** True once the app started (the window may listen), false again once it stops. */
  live: () => boolean;
  /** True once the app stops. */
  stopped: () => boolean;
  /** A backup or restore began or ended (an update's restart waits for it). */
  activityChanged: () => void;
  onBackupEnded?: (summary: BackupSummary) => void;
  onBackupFailed?: (error: ErrorInfo) => void;
}

/** How a backup ended, for its retries: a connection failure is tried again, nothing else is. */
function backupOutcome(stopped: ErrorInfo | null): BackupOutcome {
  if (stopped === null) return 'ok';
  return OFFLINE_CODES.has(stopped.code) ? 'offline' : 'other';
}

export class BackupService {
  private backup: {
    controller: AbortController;
    operation: 'backup' | 'restore';
    progress: AppSnapshot['backup'];
    /** The last progress event, for a window opened while it runs. */
    view: BackupProgress | null;
  } | null = null;
  private readonly backupHistory: BackupHistory;
  /** The last backup stopped at the fail-safe and waits for an answer: what it would move, and its folders. */
  private backupFailSafe: { view: BackupFailSafeView; roots: string[] } | null = null;
  /** Retries of backups that could not reach TeraCLOUD, and the backup schedule. */
  private readonly backupScheduler: BackupScheduler;
  /** True while a backup that starts tells the scheduler (see runBackup). */
  private backupStarting = false;

  constructor(private readonly deps: BackupServiceDeps) {
    this.backupHistory = new BackupHistory(deps.appDataFolder, deps.logger, deps.clock);
    this.backupScheduler = new BackupScheduler({
      clock: deps.clock,
      scheduler: deps.scheduler,
      run: (trigger) => this.backUpByItself(trigger),
      onChange: () => {
        if (this.deps.live() && !this.backupStarting) void this.emitBackupState();
      },
    });
  }

  /** Starts the schedule, counted from the last backup in the history. */
  async start(schedule: BackupSettings['schedule']): Promise<void> {
    const lastBackup = (await this.backupHistory.list()).find((run) => !run.dryRun);
    this.backupScheduler.start(schedule, lastBackup?.startedAt ?? null);
  }

  /** The settings changed: the schedule follows. */
  setSchedule(schedule: BackupSettings['schedule']): void {
    this.backupScheduler.setSchedule(schedule);
  }

  /** The connection is known to be back: a backup waiting to be tried again runs now. */
  connectionBack(): void {
    this.backupScheduler.connectionBack();
  }

  /** No more runs by itself. */
  dispose(): void {
    this.backupScheduler.dispose();
  }

  /** Aborts the backup or restore running now, with `reason`. */
  abort(reason: TeraSyncError): void {
    this.backup?.controller.abort(reason);
  }

  /** True while a backup or restore runs or starts (an update's restart waits for it). */
  busy(): boolean {
    return this.backup !== null || this.backupStarting;
  }

  /** The progress of the backup or restore running now, for the tray; null when none runs. */
  progress(): AppSnapshot['backup'] {
    return this.backup?.progress ?? null;
  }

  private device(): string {
    return backupDeviceName(this.deps.settings.current.backup.device ?? this.deps.device);
  }

  /** Runs `work` as the one backup or restore, with a store on the backup area (BASIC only). */
  private async withBackupArea<T>(
    operation: 'backup' | 'restore' | null,
    work: (setup: { remote: WebDavRemoteStore; rootUrl: string; record: AccountRecord; signal: AbortSignal; quota: QuotaSource | null }) => Promise<T>,
  ): Promise<T> {
    if (operation !== null && this.backup !== null) {
      throw new TeraSyncError(ErrorCode.InvalidRequest, `A ${this.backup.operation} is running: wait for it to end, or cancel it.`);
    }
    const controller = new AbortController();
    // Taken before the first await, so that a second run started meanwhile is refused.
    const slot = operation === null ? null : { controller, operation, progress: { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 }, view: null };
    if (slot !== null) {
      this.backup = slot;
      void this.emitBackupState();
      this.deps.activityChanged();
    }
    let remote: WebDavRemoteStore | null = null;
    try {
      const record = await this.deps.accounts.current();
      if (record === null) throw notSignedIn();
      const auth = await this.deps.accounts.basicCredentials(record);
      controller.signal.throwIfAborted();
      const rootUrl = `${record.origin}/backup/`;
      const ca = this.deps.accounts.caFor(record) ?? this.deps.ca;
      remote = new WebDavRemoteStore({
        url: rootUrl,
        auth,
        ...(ca === undefined ? {} : { ca }),
        concurrency: this.deps.concurrency(),
        logger: this.deps.logger,
      });
      return await work({ remote, rootUrl, record, signal: controller.signal, quota: this.quotaSource(record, auth.password) });
    } finally {
      if (slot !== null && this.backup === slot) {
        this.backup = null;
        void this.emitBackupState();
        this.deps.activityChanged();
      }
      await remote?.dispose();
    }
  }

  private quotaSource(record: AccountRecord, password: string): QuotaSource | null {
    if (record.api === null) return null;
    const rest = new TeraCloudApi({
      apiBaseUrl: record.api.baseUrl,
      apiKey: record.api.applicationKey,
      apiKeyPlacement: record.api.keyPlacement,
      credentials: { userId: record.userId, password },
      ...(this.deps.ca === undefined ? {} : { ca: this.deps.ca }),
    });
    return { getQuota: (signal) => rest.getQuota(record.origin, signal) };
  }

  async runBackup(request: { sources?: string[]; dryRun?: boolean; allowMassDelete?: boolean }): Promise<BackupSummaryView> {
    const configured = this.deps.settings.current.backup;
    const roots = request.sources ?? configured.sources;
    for (const root of roots) {
      if (!configured.sources.includes(root)) throw new TeraSyncError(ErrorCode.InvalidRequest, `${root} is not one of the folders to back up (see the settings).`);
    }
    if (roots.length === 0) throw new TeraSyncError(ErrorCode.InvalidRequest, 'No folders to back up: add some in the settings.');
    const sources: BackupSource[] = roots.map((root) => ({ name: path.basename(root), root }));
    const device = this.device();
    const startedAt = this.deps.clock.now();
    const dryRun = request.dryRun ?? false;
    // A backup that starts takes over any pending retry; the schedule counts from it.
    const reported = !dryRun && this.backup === null;
    if (reported) {
      // The run's own first state (running, with the scheduler's new times) tells the window;
      // a state sent from here would say "not running" a moment before it does.
      this.backupStarting = true;
      try {
        this.backupScheduler.began(startedAt);
      } finally {
        this.backupStarting = false;
      }
    }
    try {
      const summary = await this.withBackupArea('backup', (setup) => this.backUp(sources, { dryRun, allowMassDelete: request.allowMassDelete === true }, device, setup));
      const view = backupSummaryView(summary);
      // A backup that ran answers an earlier stop; one that stopped at the fail-safe waits for an answer.
      if (!dryRun) this.backupFailSafe = view.failSafe === undefined ? null : { view: view.failSafe, roots };
      await this.recordBackup({
        startedAt,
        endedAt: this.deps.clock.now(),
        sources: roots,
        dryRun,
        filesSent: view.filesSent,
        bytesSent: view.bytesSent,
        versioned: view.versioned,
        failedTotal: view.failedTotal,
        stopped: view.stopped,
        version: view.version,
      });
      if (reported) this.backupScheduler.ended(backupOutcome(view.stopped));
      this.deps.onBackupEnded?.(summary);
      return view;
    } catch (error) {
      const coded = toTeraSyncError(error);
      // A run refused because another one is running is not a run of its own.
      if (!(coded.code === ErrorCode.InvalidRequest && this.backup !== null)) {
        await this.recordBackup({
          startedAt,
          endedAt: this.deps.clock.now(),
          sources: roots,
          dryRun,
          filesSent: 0,
          bytesSent: 0,
          versioned: 0,
          failedTotal: 0,
          stopped: coded.toInfo(),
          version: null,
        });
      }
      if (reported) this.backupScheduler.ended(backupOutcome(coded.toInfo()));
      this.deps.onBackupFailed?.(coded.toInfo());
      throw coded;
    }
  }

  /** The backup or restore running now, the history of backups, and when one runs by itself. */
  async backupState(): Promise<BackupStateView> {
    const running = this.backup === null ? null : { operation: this.backup.operation, progress: this.backup.view };
    const failSafe = running === null && this.backupFailSafe !== null ? { failSafe: this.backupFailSafe.view } : {};
    const { retryAt, nextRunAt } = this.backupScheduler.times();
    return {
      running,
      history: await this.backupHistory.list(),
      ...failSafe,
      ...(retryAt === null ? {} : { retryAt }),
      ...(nextRunAt === null ? {} : { nextRunAt }),
    };
  }

  /** A backup the app starts by itself (a retry, the schedule): only when there is something to back up and nothing runs. */
  async backUpByItself(trigger: BackupTrigger): Promise<void> {
    if (this.deps.stopped() || this.backup !== null || !this.deps.signedIn() || this.deps.settings.current.backup.sources.length === 0) return;
    this.deps.logger.info(`backup: started by itself (${trigger})`);
    try {
      await this.runBackup({});
    } catch (error) {
      this.deps.logger.warn(`backup (${trigger}): ${toTeraSyncError(error).message}`);
    }
  }

  /**
   * Answers the backup stopped at the fail-safe: 'allow' runs it again for the same folders,
   * letting it move those files into .versions/; 'leave' forgets the stop (nothing is moved).
   */
  async decideBackupFailSafe(decision: 'allow' | 'leave'): Promise<BackupSummaryView | null> {
    const pending = this.backupFailSafe;
    if (pending === null) throw new TeraSyncError(ErrorCode.InvalidRequest, 'No backup is waiting for an answer at the fail-safe.');
    if (decision === 'allow') return this.runBackup({ sources: pending.roots, allowMassDelete: true });
    this.backupFailSafe = null;
    await this.emitBackupState();
    return null;
  }

  private async recordBackup(run: BackupRunView): Promise<void> {
    await this.backupHistory.add(run);
    await this.emitBackupState();
  }

  async emitBackupState(): Promise<void> {
    this.deps.events.emit('backup:changed', await this.backupState());
  }

  private async backUp(
    sources: BackupSource[],
    { dryRun, allowMassDelete }: { dryRun: boolean; allowMassDelete: boolean },
    device: string,
    { remote, rootUrl, signal, quota }: { remote: WebDavRemoteStore; rootUrl: string; signal: AbortSignal; quota: QuotaSource | null },
  ): Promise<BackupSummary> {
    const configured = this.deps.settings.current.backup;
    const journal = BackupJournal.open(backupJournalFile(this.deps.appDataFolder, rootUrl, device));
    let phase: BackupPhase | null = null;
    try {
      const engine = new BackupEngine({ remote, journal, clock: this.deps.clock, logger: this.deps.logger, device, concurrency: this.deps.concurrency(), quota });
      const summary = await engine.run({
        sources,
        retentionDays: configured.retentionDays,
        dryRun,
        allowMassDelete,
        signal,
        onEvent: (event) => {
          if (event.type === 'phase') phase = event.phase;
          if (event.type !== 'progress') return;
          this.progressed(backupProgressView('backup', phase, event), event);
        },
      });
      return summary;
    } finally {
      journal.close();
    }
  }

  async listBackups(request: { source?: string; version?: string }): Promise<BackupListing> {
    if (request.version !== undefined && request.source === undefined) {
      throw new TeraSyncError(ErrorCode.InvalidRequest, 'A version is listed for one source: name the source too.');
    }
    const device = this.device();
    return this.withBackupArea(null, async ({ remote, signal }) => {
      const options = { concurrency: this.deps.concurrency(), signal };
      const [sources, versions] = await Promise.all([listSources(remote, device, options), listVersions(remote, device, options)]);
      const listing = request.source === undefined ? null : await listSource(remote, device, request.source, options);
      return backupListingView({ device, sources, versions, listing, version: request.version ?? null });
    });
  }

  async runRestore(request: { source: string; version?: string; path?: string; to?: string }): Promise<RestoreSummaryView> {
    const device = this.device();
    const relative = (request.path ?? '').split('/').filter((segment) => segment !== '').join('/');
    return this.withBackupArea('restore', async ({ remote, rootUrl, signal }) => {
      let target: string;
      if (request.to !== undefined) {
        // The folder the user picked; what is restored goes inside it (Restore makes only the last level).
        const to = await stat(request.to).catch(() => null);
        if (to === null || !to.isDirectory()) throw new TeraSyncError(ErrorCode.NotFound, `There is no folder ${request.to} to restore into.`);
        target = path.join(path.resolve(request.to), relative === '' ? request.source : (relative.split('/').pop() as string));
      } else {
        const journal = BackupJournal.open(backupJournalFile(this.deps.appDataFolder, rootUrl, device));
        let localRoot: string | null;
        try {
          localRoot = journal.source(request.source)?.localRoot ?? null;
        } finally {
          journal.close();
        }
        if (localRoot === null) {
          throw new TeraSyncError(ErrorCode.InvalidRequest, `This computer has not backed up a folder named "${request.source}": say where to restore it.`);
        }
        target = relative === '' ? localRoot : path.join(localRoot, ...relative.split('/'));
      }
      const restore = new Restore({ remote, clock: this.deps.clock, logger: this.deps.logger, device, concurrency: this.deps.concurrency() });
      const summary = await restore.run({
        source: request.source,
        version: request.version ?? null,
        path: relative,
        target,
        signal,
        onEvent: (event) => {
          if (event.type !== 'progress') return;
          this.progressed(backupProgressView('restore', null, event), event);
        },
      });
      return restoreSummaryView(summary);
    });
  }

  /** A progress event of the running backup or restore: kept for the tray and a window opened later, and sent. */
  private progressed(view: BackupProgress, event: { filesDone: number; filesTotal: number; bytesDone: number; bytesTotal: number }): void {
    if (this.backup !== null) {
      this.backup.progress = { filesDone: event.filesDone, filesTotal: event.filesTotal, bytesDone: event.bytesDone, bytesTotal: event.bytesTotal };
      this.backup.view = view;
    }
    this.deps.events.emit('backup:progress', view);
  }

  /** Cancels the backup or restore that is running; nothing when none is. */
  cancelBackup(): void {
    this.backup?.controller.abort(new TeraSyncError(ErrorCode.Cancelled, 'Cancelled.'));
  }
}
