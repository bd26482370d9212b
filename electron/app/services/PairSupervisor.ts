/**
 * The sync pairs and their supervision: one SyncService per pair in the settings, built, paused,
 * resumed and stopped as the settings and the account say (`reconcile`, see the table
 * below), each pair's status, its open conflicts and the user's answers to them, the
 * fail-safe's answer, "sync now", and the pairs held across a sleep of the computer.
 *
 * Pairs follow the settings: after every change of settings.json made through the app, and
 * after a sign-in or sign-out, `reconcile` runs (one at a time) and
 *
 *   | pair in settings | signed in, connected | running service | what happens                          |
 *   | ---------------- | -------------------- | --------------- | ------------------------------------- |
 *   | yes              | yes                  | none            | built and started (paused if paused)  |
 *   | yes              | yes                  | same config     | paused / resumed to match the setting |
 *   | yes              | yes                  | other config    | stopped, built again, started         |
 *   | no               | -                    | any             | stopped, its journal closed           |
 *   | yes              | no (signed out)      | any             | stopped; status 'stopped', Unauthorized |
 *   | yes              | no (connect failed)  | any             | status offline/error; retried later   |
 *
 * A paused pair keeps its SyncService (paused): its watcher keeps collecting changes and its
 * journal stays open, so its conflicts stay listed.
 *
 * Open conflicts stay listed whatever restarts: a pair that stops (a settings change restarts
 * it, a sign-out or a failed connection stops it) keeps its open conflicts listed as they
 * were; a pair (re)started sends the list again as soon as it runs, and after its first run.
 */
import { randomUUID } from 'node:crypto';
import { lstat, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { freshSyncStatus } from '../../../shared/appState.js';
import { ErrorCode, TeraSyncError, toTeraSyncError, type ErrorInfo } from '../../../shared/errors.js';
import type { ConflictInfo, ConflictResolution, FileVersionView, PairStatus, PairView, SyncStatus } from '../../../shared/types.js';
import type { AccountRecord } from '../../auth/AccountRecord.js';
import { notSignedIn, type AccountService, type Connection } from '../../auth/AccountService.js';
import type { Logger } from '../../core/logger.js';
import { FolderLock } from '../../platform/folderLock.js';
import { journalFile } from '../../platform/paths.js';
import { SyncEngine } from '../../sync/engine.js';
import { Journal, type ConflictRecord } from '../../sync/journal.js';
import type { SyncReport } from '../../sync/report.js';
import { SyncService } from '../../sync/SyncService.js';
import type { WebDavRemoteStore } from '../../webdav/WebDavRemoteStore.js';
import type { AppServicesDeps } from '../appServicesDeps.js';
import type { IpcEventHub } from '../IpcEventHub.js';
import { conflictInfo, pairView } from '../ipcViews.js';
import { fileInFolder, mayRunWhenOpened, nearestExisting } from '../localFiles.js';
import { resolveRemoteFolder, type PairSettings, type Settings } from '../settings.js';
import type { SettingsStore } from '../SettingsStore.js';
import type { ActivityService } from './ActivityService.js';
import { OFFLINE_CODES } from './offline.js';
import { openRemoteStore } from './remoteStore.js';

/** The app's deps the supervisor uses as they are (appServicesDeps.ts says what each is). */
type SharedDeps = Pick<
  AppServicesDeps,
  'appDataFolder' | 'clock' | 'scheduler' | 'logger' | 'watch' | 'trash' | 'platform' | 'device' | 'ca' | 'syncOptions' | 'reconnectDelayMs' | 'openPath' | 'showItemInFolder'
>;

export interface PairSupervisorDeps extends SharedDeps {
  settings: SettingsStore;
  accounts: AccountService;
  events: IpcEventHub;
  activity: ActivityService;
  /** The account signed in now, or null. */
  account: () => AccountRecord | null;
  /** Parallel transfers of a pair with these settings. */
  concurrency: (settings: Settings) => number;
  /** True once the app stops. */
  stopped: () => boolean;
  /** A pair's state changed (an update's restart waits for a run). */
  statusChanged: () => void;
  /** The connection is known to be back (a pair reached the server again, the system resumed). */
  connectionBack: () => void;
  /** A run changed what the server holds (its quota may have changed). */
  serverChanged: () => void;
}

/** True when the run changed what the server holds (so its quota may have changed). */
function changedServer(report: SyncReport): boolean {
  return report.uploaded.length + report.deletedRemote.length + report.createdRemoteFolders.length + report.renamedRemote.length + report.conflicts.length > 0 || report.moved.some((move) => move.side === 'remote');
}

interface PairRuntime {
  pair: PairSettings;
  /** What the service was built from: a change means a new service. */
  key: string;
  service: SyncService;
  journal: Journal;
  remote: WebDavRemoteStore;
  subscription: { dispose(): void };
}

function initialStatus(state: SyncStatus['state'], problem: ErrorInfo | null = null, retryAt: number | null = null): SyncStatus {
  return freshSyncStatus(state, { problem, retryAt });
}

/** A pair in one of these states is talking to the server. */
const onlineStates: ReadonlySet<SyncStatus['state']> = new Set(['idle', 'scanning', 'syncing']);

export class PairSupervisor {
  private readonly runtimes = new Map<string, PairRuntime>();
  /** The last status of every pair in the settings, running or not. */
  private readonly pairStatuses = new Map<string, SyncStatus>();
  private reconciling: Promise<void> = Promise.resolve();
  private cancelReconnect: (() => void) | null = null;
  /** The open conflicts of pairs in the settings that are not running now, as they were when each stopped. */
  private readonly stoppedConflicts = new Map<string, { records: ConflictRecord[]; root: string }>();
  /** The pair services systemSuspending() paused, which systemResumed() resumes. */
  private heldForSleep = new Set<SyncService>();

  constructor(private readonly deps: PairSupervisorDeps) {}

  /** True while a pair runs (scanning or syncing). */
  running(): boolean {
    for (const status of this.pairStatuses.values()) {
      if (status.state === 'syncing' || status.state === 'scanning') return true;
    }
    return false;
  }

  /** True when a pair stopped because the server refused the sign-in. */
  unauthorized(): boolean {
    return [...this.pairStatuses.values()].some((status) => status.problem?.code === ErrorCode.Unauthorized);
  }

  /** Syncs a pair now when it runs and is not paused. */
  syncIfRunning(pairId: string): void {
    const runtime = this.runtimes.get(pairId);
    if (runtime !== undefined && !runtime.pair.paused) runtime.service.syncNow();
  }

  /** No reconnect waits any more (the app stops). */
  stopReconnecting(): void {
    this.cancelReconnect?.();
    this.cancelReconnect = null;
  }

  /** Stops every pair, each stop awaited, once the reconcile running now ended. */
  async stopAll(): Promise<void> {
    await this.reconciling;
    await Promise.all([...this.runtimes.keys()].map((id) => this.stopPair(id, 'stopped')));
  }

  /**
   * The computer is going to sleep (powerMonitor 'suspend'): every pair that is syncing stops
   * where it is, as on pause (its transfers are aborted, what was done is in the journal, no
   * half-written file is left), rather than leaving a transfer in flight across the sleep to
   * fail on a dead connection afterwards. The user's own pause setting is not touched.
   */
  systemSuspending(): void {
    if (this.deps.stopped()) return;
    for (const runtime of this.runtimes.values()) {
      if (runtime.pair.paused) continue;
      runtime.service.pause();
      this.heldForSleep.add(runtime.service);
    }
  }

  /**
   * Back from sleep (powerMonitor 'resume'): the pairs held for the sleep go on, and every pair
   * that is not paused syncs now, since the server may have changed meanwhile (a poll would
   * otherwise wait for its interval, and a pair waiting out a lost connection tries again);
   * a backup waiting for the network is tried now.
   */
  systemResumed(): void {
    if (this.deps.stopped()) return;
    const held = this.heldForSleep;
    this.heldForSleep = new Set();
    for (const runtime of this.runtimes.values()) {
      // A pair the user paused meanwhile stays paused.
      if (runtime.pair.paused) continue;
      if (held.has(runtime.service)) runtime.service.resume();
      else runtime.service.syncNow();
    }
    this.deps.connectionBack();
  }

  /** Sync now; a pair still held for a sleep whose end was never reported (no 'resume') goes on too. */
  private syncRuntimeNow(runtime: PairRuntime): void {
    if (this.heldForSleep.delete(runtime.service)) runtime.service.resume();
    else runtime.service.syncNow();
  }

  pairs(): PairView[] {
    return this.deps.settings.current.pairs.map(pairView);
  }

  async addPair(localFolder: string, remoteFolder: string, excludedFolders: readonly string[] = []): Promise<PairView> {
    const id = randomUUID();
    const taken = this.deps.settings.current.pairs.some((pair) => path.resolve(pair.localFolder) === path.resolve(localFolder) && pair.remoteFolder === remoteFolder);
    // A pair that exists keeps its journal; adding it twice is refused by the settings below.
    if (!taken) await this.dropStaleJournals({ localFolder, remoteFolder });
    await this.deps.settings.update((draft) => {
      draft.pairs.push({
        id,
        localFolder: path.resolve(localFolder),
        remoteFolder,
        paused: false,
        bandwidth: { upKiBps: 0, downKiBps: 0 },
        excludedFolders: [...excludedFolders],
      });
    });
    await this.reconcile();
    return this.pairViewOf(id);
  }

  async updatePair(
    id: string,
    change: { bandwidth?: { uploadKiBps?: number; downloadKiBps?: number }; excludedFolders?: readonly string[] },
  ): Promise<PairView> {
    await this.deps.settings.update((draft) => {
      const pair = findPair(draft, id);
      if (change.bandwidth?.uploadKiBps !== undefined) pair.bandwidth.upKiBps = change.bandwidth.uploadKiBps;
      if (change.bandwidth?.downloadKiBps !== undefined) pair.bandwidth.downKiBps = change.bandwidth.downloadKiBps;
      if (change.excludedFolders !== undefined) pair.excludedFolders = [...change.excludedFolders];
    });
    await this.reconcile();
    return this.pairViewOf(id);
  }

  /** A store on `url` with the connection's sign-in and CA. */
  private storeFor(connection: Connection, url: string, concurrency: number, bandwidth?: { uploadKiBps: number; downloadKiBps: number }): WebDavRemoteStore {
    return openRemoteStore(connection, url, concurrency, { ca: this.deps.ca, logger: this.deps.logger, ...(bandwidth === undefined ? {} : { bandwidth }) });
  }

  /**
   * Stops syncing a pair; its files stay on both sides. Its journal goes too: were the same
   * folders paired again later, a journal from back then would take every file deleted
   * meanwhile on one side for a deletion to carry to the other. Without one, the next first
   * sync deletes nothing.
   */
  async removePair(id: string): Promise<void> {
    let removed: PairSettings | undefined;
    await this.deps.settings.update((draft) => {
      removed = findPair(draft, id);
      draft.pairs = draft.pairs.filter((pair) => pair.id !== id);
    });
    await this.reconcile();
    if (removed !== undefined) for (const file of this.journalFiles(removed)) await removeJournal(file, this.deps.logger);
  }

  /**
   * The journal files a pair may have: one per WebDAV root its remote folder resolves under
   * (an OAuth2 account syncs below /v2/dav/, or below /dav/ after a fallback); only the one
   * when its remote folder is a full URL.
   */
  private journalFiles(pair: Pick<PairSettings, 'localFolder' | 'remoteFolder'>): string[] {
    const roots = this.deps.account() === null ? [null] : ['/v2/dav/', '/dav/'].map((area) => `${(this.deps.account() as AccountRecord).origin}${area}`);
    const urls = new Set(roots.map((root) => resolveRemoteFolder(pair.remoteFolder, root)).filter((url): url is string => url !== null));
    return [...urls].map((url) => journalFile(this.deps.appDataFolder, path.resolve(pair.localFolder), url));
  }

  /**
   * A journal left from an earlier pairing of the same folders (before journals went with
   * their pair, or by the command) would make the new pair's first sync carry every deletion
   * since then to the other side: it goes, so that the first sync deletes nothing. One in use
   * (the command is syncing these folders) is refused instead.
   */
  private async dropStaleJournals(pair: Pick<PairSettings, 'localFolder' | 'remoteFolder'>): Promise<void> {
    for (const file of this.journalFiles(pair)) {
      const found = await stat(file).catch(() => null);
      if (found === null) continue;
      Journal.open(file).close();
      await removeJournal(file, this.deps.logger);
    }
  }

  async setPaused(id: string, paused: boolean): Promise<PairView> {
    await this.deps.settings.update((draft) => {
      findPair(draft, id).paused = paused;
    });
    await this.reconcile();
    return this.pairViewOf(id);
  }

  /** Every pair paused or resumed (the tray's switch). */
  async setAllPaused(paused: boolean): Promise<void> {
    await this.deps.settings.update((draft) => {
      for (const pair of draft.pairs) pair.paused = paused;
    });
    await this.reconcile();
  }

  syncNow(id: string): void {
    const runtime = this.runningPair(id);
    if (runtime.pair.paused) throw new TeraSyncError(ErrorCode.InvalidRequest, 'This pair is paused: resume it to sync.');
    this.syncRuntimeNow(runtime);
  }

  /**
   * The user's answer to a conflict. The file at the conflict's path holds the server's
   * version and the copy holds this computer's (see the executor). 'remote': the copy goes to
   * the trash; 'local': the server's version goes to the trash and the copy takes its place;
   * 'both': the copy stays, a file of its own. Nothing is deleted for good, and the next run
   * (started here) sends the change to the server.
   */
  async resolveConflict(pairId: string, id: number, keep: ConflictResolution): Promise<void> {
    const runtime = this.runningPair(pairId);
    const conflict = runtime.journal.conflict(id);
    if (conflict === null || conflict.state !== 'open') {
      throw new TeraSyncError(ErrorCode.NotFound, 'This conflict is not open any more: it was resolved already.');
    }
    const root = runtime.pair.localFolder;
    const copy = path.join(root, ...conflict.copy.split('/'));
    const original = path.join(root, ...conflict.path.split('/'));
    const exists = async (file: string): Promise<boolean> =>
      stat(file).then(
        () => true,
        () => false,
      );
    try {
      if (keep === 'remote' && (await exists(copy))) await this.deps.trash.trash(copy);
      if (keep === 'local' && (await exists(copy))) {
        if (await exists(original)) await this.deps.trash.trash(original);
        await rename(copy, original);
      }
    } catch (error) {
      throw new TeraSyncError(ErrorCode.LocalIo, `The conflict of ${conflict.path} could not be resolved: ${(error as Error).message}`, { cause: error });
    }
    runtime.journal.transaction(() => runtime.journal.resolveConflict(id));
    await this.emitConflicts();
    if (!runtime.pair.paused) runtime.service.syncNow();
  }

  /** The tray's "Sync now": every running pair that is not paused; a pair that is not connected is tried again. */
  async syncAllNow(): Promise<void> {
    await this.reconcile();
    for (const runtime of this.runtimes.values()) if (!runtime.pair.paused) this.syncRuntimeNow(runtime);
  }

  /** The user's answer at a pair's fail-safe. */
  decideFailSafe(id: string, decision: 'allow' | 'restore' | 'keepWaiting'): void {
    const runtime = this.runningPair(id);
    if (runtime.service.getStatus().state !== 'failsafe') {
      throw new TeraSyncError(ErrorCode.InvalidRequest, 'This pair is not waiting at the fail-safe.');
    }
    // 'keepWaiting': the service already waits for the user, with no timer and no requests.
    if (decision === 'allow') runtime.service.allowMassDelete();
    if (decision === 'restore') runtime.service.restoreDeletions();
  }

  statuses(): PairStatus[] {
    return this.deps.settings.current.pairs.map((pair) => ({ pairId: pair.id, status: this.statusOf(pair.id) }));
  }

  /** Every open conflict of every running pair, as the journals hold them. */
  conflictRecords(): Array<{ pairId: string; record: ConflictRecord; root: string }> {
    const list: Array<{ pairId: string; record: ConflictRecord; root: string }> = [];
    for (const [pairId, runtime] of this.runtimes) {
      for (const record of runtime.journal.openConflicts()) list.push({ pairId, record, root: runtime.pair.localFolder });
    }
    // A pair that is not running keeps its conflicts listed (they are open until resolved).
    const inSettings = new Set(this.deps.settings.current.pairs.map((pair) => pair.id));
    for (const [pairId, kept] of this.stoppedConflicts) {
      if (this.runtimes.has(pairId) || !inSettings.has(pairId)) continue;
      for (const record of kept.records) list.push({ pairId, record, root: kept.root });
    }
    return list;
  }

  /** The open conflicts with both versions as they are on disk now (the copy: mine; the file: theirs). */
  async conflicts(): Promise<ConflictInfo[]> {
    const version = async (file: string): Promise<FileVersionView | null> => {
      const stats = await lstat(file).catch(() => null);
      return stats === null || !stats.isFile() ? null : { size: stats.size, modifiedMs: stats.mtimeMs };
    };
    return Promise.all(
      this.conflictRecords().map(async ({ pairId, record, root }) => {
        const [mine, theirs] = await Promise.all([version(fileInFolder(root, record.copy)), version(fileInFolder(root, record.path))]);
        return conflictInfo(record, pairId, mine, theirs);
      }),
    );
  }

  private async emitConflicts(): Promise<void> {
    this.deps.events.emit('conflicts:changed', await this.conflicts());
  }

  /** Opens one version of a conflict: the copy (mine) or the file at the path (theirs). */
  async openConflictVersion(pairId: string, id: number, side: 'mine' | 'theirs'): Promise<void> {
    const runtime = this.runningPair(pairId);
    const conflict = runtime.journal.conflict(id);
    if (conflict === null || conflict.state !== 'open') throw new TeraSyncError(ErrorCode.NotFound, 'This conflict is not open any more: it was resolved already.');
    const file = fileInFolder(runtime.pair.localFolder, side === 'mine' ? conflict.copy : conflict.path);
    const stats = await lstat(file).catch(() => null);
    if (stats === null || !stats.isFile()) {
      throw new TeraSyncError(ErrorCode.NotFound, `${side === 'mine' ? conflict.copy : conflict.path} is not in ${runtime.pair.localFolder} any more.`);
    }
    // A file that could run code is shown in its folder, never opened (see localFiles.ts).
    if (mayRunWhenOpened(file)) await this.deps.showItemInFolder(file);
    else await this.deps.openPath(file);
  }

  /** Shows an activity item's file in the file manager, or the nearest folder that is still there. */
  async showFile(pairId: string, relative: string): Promise<void> {
    const root = this.folderOf(pairId);
    const found = await nearestExisting(root, fileInFolder(root, relative));
    if (found.isFile) await this.deps.showItemInFolder(found.path);
    else await this.deps.openPath(found.path);
  }

  folderOf(id: string): string {
    const pair = this.deps.settings.current.pairs.find((item) => item.id === id);
    if (pair === undefined) throw noSuchPair(id);
    return pair.localFolder;
  }

  private pairViewOf(id: string): PairView {
    const pair = this.deps.settings.current.pairs.find((item) => item.id === id);
    if (pair === undefined) throw noSuchPair(id);
    return pairView(pair);
  }

  private runningPair(id: string): PairRuntime {
    const runtime = this.runtimes.get(id);
    if (runtime !== undefined) return runtime;
    this.folderOf(id);
    const problem = this.statusOf(id).problem;
    throw new TeraSyncError(problem?.code ?? ErrorCode.Unauthorized, problem?.message ?? 'This pair is not running.');
  }

  statusOf(id: string): SyncStatus {
    return this.pairStatuses.get(id) ?? initialStatus('stopped');
  }

  private setStatus(id: string, status: SyncStatus): void {
    const before = this.pairStatuses.get(id)?.state;
    this.pairStatuses.set(id, status);
    this.deps.events.emit('status:changed', { pairId: id, status });
    if (status.state !== before) this.deps.statusChanged();
    // A pair that reached the server again is the surest sign the connection is back.
    if (before === 'offline' && onlineStates.has(status.state)) this.deps.connectionBack();
  }

  /** Brings the running pairs in line with the settings and the account (see the table above). One at a time. */
  reconcile(): Promise<void> {
    const run = this.reconciling.then(() => this.reconcileNow());
    this.reconciling = run.catch((error: unknown) => this.deps.logger.error(`pairs: ${toTeraSyncError(error).message}`));
    return run;
  }

  private async reconcileNow(): Promise<void> {
    if (this.deps.stopped()) return;
    this.cancelReconnect?.();
    this.cancelReconnect = null;
    const settings = this.deps.settings.current;
    const wanted = new Map(settings.pairs.map((pair) => [pair.id, pair]));
    for (const id of [...this.runtimes.keys()]) {
      const pair = wanted.get(id);
      if (pair === undefined || this.deps.account() === null || this.runtimes.get(id)?.key !== this.keyOf(pair, settings)) {
        await this.stopPair(id, this.deps.account() === null ? 'signed-out' : 'stopped');
      }
    }
    for (const id of [...this.pairStatuses.keys()]) if (!wanted.has(id)) this.pairStatuses.delete(id);
    for (const id of [...this.stoppedConflicts.keys()]) if (!wanted.has(id)) this.stoppedConflicts.delete(id);
    if (this.deps.account() === null) {
      for (const pair of settings.pairs) this.setStatus(pair.id, initialStatus('stopped', notSignedIn().toInfo()));
      return;
    }
    for (const runtime of this.runtimes.values()) {
      const pair = wanted.get(runtime.pair.id) as PairSettings;
      if (pair.paused && !runtime.pair.paused) runtime.service.pause();
      if (!pair.paused && runtime.pair.paused) runtime.service.resume();
      if (pair.bandwidth.upKiBps !== runtime.pair.bandwidth.upKiBps || pair.bandwidth.downKiBps !== runtime.pair.bandwidth.downKiBps) {
        runtime.remote.setBandwidth({ uploadKiBps: pair.bandwidth.upKiBps, downloadKiBps: pair.bandwidth.downKiBps });
      }
      runtime.pair = pair;
    }
    const missing = settings.pairs.filter((pair) => !this.runtimes.has(pair.id));
    if (missing.length === 0) return;
    let connection: Connection;
    try {
      connection = await this.deps.accounts.connect();
    } catch (error) {
      const problem = toTeraSyncError(error).toInfo();
      const delay = this.deps.reconnectDelayMs ?? 30_000;
      const state = OFFLINE_CODES.has(problem.code) ? 'offline' : 'error';
      for (const pair of missing) this.setStatus(pair.id, initialStatus(pair.paused ? 'paused' : state, problem, this.deps.clock.now() + delay));
      this.cancelReconnect = this.deps.scheduler.schedule(delay, () => {
        this.cancelReconnect = null;
        void this.reconcile();
      });
      return;
    }
    for (const pair of missing) await this.startPair(pair, settings, connection);
    // The (re)started pairs' conflicts, from their journals: the window's list is whole again.
    await this.emitConflicts();
  }

  private keyOf(pair: PairSettings, settings: Settings): string {
    // Not the bandwidth: the store changes it live (setBandwidth), without stopping a transfer.
    // The excluded folders too: they change what the engine looks at, so it starts afresh.
    return JSON.stringify([pair.localFolder, pair.remoteFolder, pair.excludedFolders, settings.sync, this.deps.account()?.userId, this.deps.account()?.origin]);
  }

  private async startPair(pair: PairSettings, settings: Settings, connection: Connection): Promise<void> {
    const remoteUrl = resolveRemoteFolder(pair.remoteFolder, connection.rootUrl);
    if (remoteUrl === null) return;
    const concurrency = this.deps.concurrency(settings);
    const remote = this.storeFor(connection, remoteUrl, concurrency, { uploadKiBps: pair.bandwidth.upKiBps, downloadKiBps: pair.bandwidth.downKiBps });
    let journal: Journal;
    try {
      journal = Journal.open(journalFile(this.deps.appDataFolder, pair.localFolder, remoteUrl));
    } catch (error) {
      await remote.dispose();
      this.setStatus(pair.id, initialStatus('error', toTeraSyncError(error).toInfo()));
      return;
    }
    const engine = new SyncEngine({
      localRoot: pair.localFolder,
      remote,
      journal,
      trash: this.deps.trash,
      clock: this.deps.clock,
      logger: this.deps.logger,
      device: this.deps.device,
      platform: this.deps.platform,
      concurrency,
      ignorePatterns: settings.sync.ignorePatterns,
      excludedFolders: pair.excludedFolders,
      failSafePercent: settings.sync.failSafePercent,
      deletedRetentionDays: settings.sync.deletedRetentionDays,
    });
    let firstReport = true;
    const service = new SyncService({
      localRoot: pair.localFolder,
      engine,
      watch: this.deps.watch,
      clock: this.deps.clock,
      scheduler: this.deps.scheduler,
      logger: this.deps.logger,
      options: {
        pollIntervalMs: settings.sync.pollIntervalSeconds * 1000,
        fullScanIntervalMs: settings.sync.fullScanMinutes * 60_000,
        ...this.deps.syncOptions,
      },
      onEvent: (event) => this.deps.activity.activityEvent(pair.id, event),
      onReport: (report) => {
        // The first run of a (re)started pair sends the list whatever it found.
        if (firstReport || report.conflicts.length > 0 || report.resolvedConflicts.length > 0) void this.emitConflicts();
        firstReport = false;
        if (changedServer(report)) this.deps.serverChanged();
      },
      // The same lock as the command's: never two syncs of one local folder at once.
      folderLock: new FolderLock(pair.localFolder, { program: 'the TeraSync app', warn: (message) => this.deps.logger.warn(message), platform: this.deps.platform }),
    });
    const subscription = service.onDidChangeStatus((status) => {
      if (status.state !== 'syncing' && status.state !== 'scanning') this.deps.activity.interruptRun(pair.id);
      this.setStatus(pair.id, status);
    });
    this.runtimes.set(pair.id, { pair, key: this.keyOf(pair, settings), service, journal, remote, subscription });
    this.stoppedConflicts.delete(pair.id);
    if (pair.paused) service.pause();
    else this.setStatus(pair.id, service.getStatus());
    await service.start();
  }

  private async stopPair(id: string, why: 'stopped' | 'signed-out'): Promise<void> {
    const runtime = this.runtimes.get(id);
    if (runtime === undefined) return;
    this.runtimes.delete(id);
    const open = runtime.journal.openConflicts();
    const hadConflicts = open.length > 0;
    // Still open: listed while the pair is not running (until it runs again, or leaves the settings).
    if (hadConflicts) this.stoppedConflicts.set(id, { records: open, root: runtime.pair.localFolder });
    else this.stoppedConflicts.delete(id);
    try {
      await runtime.service.stop();
    } finally {
      runtime.subscription.dispose();
      this.deps.activity.pairStopped(id);
      runtime.journal.close();
      await runtime.remote.dispose();
    }
    this.setStatus(id, { ...runtime.service.getStatus(), state: 'stopped', progress: null, retryAt: null, ...(why === 'signed-out' ? { problem: notSignedIn().toInfo() } : {}) });
    if (hadConflicts) await this.emitConflicts();
  }
}

/** A removed pair's journal, with SQLite's companion files; one that is not there is fine. */
async function removeJournal(file: string, logger: Logger): Promise<void> {
  for (const name of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    await rm(name, { force: true }).catch((error: unknown) => logger.warn(`could not remove ${name}: ${(error as Error).message}`));
  }
}

function noSuchPair(id: string): TeraSyncError {
  return new TeraSyncError(ErrorCode.NotFound, `There is no sync pair ${id}.`);
}

function findPair(settings: Settings, id: string): PairSettings {
  const pair = settings.pairs.find((item) => item.id === id);
  if (pair === undefined) throw noSuchPair(id);
  return pair;
}
