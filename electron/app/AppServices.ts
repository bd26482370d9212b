/**
 * Everything the app runs between launch and quit, built from injected deps so that it runs
 * (and is tested) under plain Node: the account, the settings, one SyncService per sync pair,
 * the backup, and the IpcEventHub the window's events go through. electron/main/index.ts builds
 * one with Electron's ports; the IPC handlers (createIpcHandlers.ts) call it.
 *
 * Each concern is a service of its own in electron/app/services/ (see "The app's services" in
 * docs/ARCHITECTURE.md): this class builds them, gives each its collaborators, and its methods
 * hand each call to the service that owns it. Pairs follow the settings and the account: see
 * the table in services/PairSupervisor.ts; the account's quota is asked again as
 * services/AccountSession.ts says.
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import type { ActivityListRequest, OAuthSignInRequest, PasswordSignInRequest } from '../../shared/ipc/contract.js';
import type { AccountInfo, ActivityPage, AppOverview, BackupListing, BackupStateView, BackupSummaryView, ConflictInfo, ConflictResolution, DeletedFilesUsage, LocalFreeSpace, PairDeletedFiles, PairPreview, PairStatus, PairView, PickPurpose, ProxySettingsInput, ProxySettingsView, ProxyTestResult, RemoteFolderListing, RemoteFolderSize, RestoredDeletedEntry, RestoreSummaryView, SettingsUpdate, SettingsView, SignInResult, SignOutResult, UpdateBusyReason, UpdateStateView } from '../../shared/types.js';
import { AccountFile } from '../auth/AccountRecord.js';
import { AccountService } from '../auth/AccountService.js';

import { setProcessProxy, type ProxyCredentials, type ProxySetting } from '../net/proxy.js';

import type { ActivityHistory } from './ActivityHistory.js';
import { IpcEventHub } from './IpcEventHub.js';
import { settingsView } from './ipcViews.js';
import { logFolderPath } from './LogFile.js';
import { createAppOverviewReader, nodeSettingsFileSystem, type Settings } from './settings.js';
import { nodeSettingsStoreFileSystem, SettingsStore } from './SettingsStore.js';
import { AccountSession } from './services/AccountSession.js';
import { ActivityService } from './services/ActivityService.js';
import { BackupService } from './services/BackupService.js';
import { PairSupervisor } from './services/PairSupervisor.js';
import { ProxyService } from './services/ProxyService.js';
import { RemoteFolderService } from './services/RemoteFolderService.js';
import type { AppSnapshot } from './trayState.js';
import { unavailableUpdater, UpdateController } from './UpdateController.js';

export type { AppServicesDeps } from './appServicesDeps.js';
import type { AppServicesDeps } from './appServicesDeps.js';

export class AppServices {
  readonly events: IpcEventHub;
  readonly accounts: AccountService;
  readonly settings: SettingsStore;
  /** The app's own updates: checked, downloaded, installed when the user says and no run is in progress. */
  readonly updates: UpdateController;
  private readonly deps: AppServicesDeps;
  private readonly readOverview: () => Promise<AppOverview>;
  /** The pairs: their SyncServices, statuses and conflicts. */
  private readonly supervisor: PairSupervisor;
  /** The sync runs that changed something, kept across restarts. */
  readonly activityHistory: ActivityHistory;
  /** Each running pair's runs, collected and written to the history. */
  private readonly activity: ActivityService;
  private settingsSubscription: { dispose(): void } | null = null;
  /** The backup and restore, their history and the backup schedule. */
  private readonly backup: BackupService;
  /** The server's folders outside the pairs' runs, and the pairs' deleted files. */
  private readonly remoteFolders: RemoteFolderService;
  /** Who is signed in: sign-in, sign-out, the account view and its quota. */
  private readonly session: AccountSession;
  private started = false;
  private stopped = false;
  /** The proxy setting and the one every request follows. */
  private readonly proxy: ProxyService;

  constructor(deps: AppServicesDeps) {
    this.deps = deps;
    this.events =
      deps.events ??
      new IpcEventHub({
        onInvalid: (event, message) => deps.logger.error(`event ${event} broke the IPC contract: ${message}`),
        onListenerError: (event, error) => deps.logger.error(`a listener of ${event} failed: ${String(error)}`),
      });
    this.accounts = new AccountService({
      accountFile: new AccountFile(deps.appDataFolder),
      secrets: deps.secrets,
      clock: deps.clock,
      logger: deps.logger,
      ...(deps.ca === undefined ? {} : { ca: deps.ca }),
      allowCustomHost: deps.allowCustomHost ?? false,
      ...(deps.lookupHost === undefined ? {} : { lookupHost: deps.lookupHost }),
    });
    this.session = new AccountSession({
      accounts: this.accounts,
      events: this.events,
      scheduler: deps.scheduler,
      logger: deps.logger,
      ...(deps.api === undefined ? {} : { api: deps.api }),
      ...(deps.oauth === undefined ? {} : { oauth: deps.oauth }),
      openBrowser: (url) => deps.openBrowser(url),
      ...(deps.redactSecret === undefined ? {} : { redactSecret: deps.redactSecret }),
      ...(deps.quotaRefreshMs === undefined ? {} : { quotaRefreshMs: deps.quotaRefreshMs }),
      ...(deps.quotaAfterRunMs === undefined ? {} : { quotaAfterRunMs: deps.quotaAfterRunMs }),
      stopped: () => this.stopped,
      reconcile: () => this.supervisor.reconcile(),
    });
    this.settings = new SettingsStore(
      deps.appDataFolder,
      { fileSystem: deps.settingsFileSystem ?? nodeSettingsStoreFileSystem, clock: deps.clock, logger: deps.logger },
      { caseInsensitivePaths: deps.platform === 'win32' || deps.platform === 'darwin' },
    );
    this.proxy = new ProxyService({
      settings: this.settings,
      secrets: deps.secrets,
      logger: deps.logger,
      account: () => this.session.current(),
      ...(deps.ca === undefined ? {} : { ca: deps.ca }),
      ...(deps.redactSecret === undefined ? {} : { redactSecret: deps.redactSecret }),
      ...(deps.systemProxy === undefined ? {} : { systemProxy: deps.systemProxy }),
      ...(deps.onProxyChanged === undefined ? {} : { onProxyChanged: deps.onProxyChanged }),
    });
    this.readOverview = createAppOverviewReader(deps.appDataFolder, { fileSystem: nodeSettingsFileSystem, clock: deps.clock });
    this.activity = new ActivityService({ appDataFolder: deps.appDataFolder, clock: deps.clock, logger: deps.logger, events: this.events });
    this.activityHistory = this.activity.history;
    this.supervisor = new PairSupervisor({
      appDataFolder: deps.appDataFolder,
      settings: this.settings,
      accounts: this.accounts,
      events: this.events,
      activity: this.activity,
      clock: deps.clock,
      scheduler: deps.scheduler,
      logger: deps.logger,
      watch: deps.watch,
      trash: deps.trash,
      platform: deps.platform,
      device: deps.device,
      ...(deps.ca === undefined ? {} : { ca: deps.ca }),
      ...(deps.syncOptions === undefined ? {} : { syncOptions: deps.syncOptions }),
      ...(deps.reconnectDelayMs === undefined ? {} : { reconnectDelayMs: deps.reconnectDelayMs }),
      openPath: (folder) => deps.openPath(folder),
      showItemInFolder: (file) => deps.showItemInFolder(file),
      account: () => this.session.current(),
      concurrency: (settings) => this.concurrency(settings),
      stopped: () => this.stopped,
      statusChanged: () => this.updates.activityChanged(),
      connectionBack: () => this.connectionBack(),
      serverChanged: () => this.session.quotaAfterRun(),
    });
    this.remoteFolders = new RemoteFolderService({
      settings: this.settings,
      accounts: this.accounts,
      logger: deps.logger,
      platform: deps.platform,
      ...(deps.ca === undefined ? {} : { ca: deps.ca }),
      concurrency: () => this.concurrency(this.settings.current),
      syncIfRunning: (pairId) => this.supervisor.syncIfRunning(pairId),
    });
    this.updates = new UpdateController({
      port: deps.updater ?? unavailableUpdater('0.0.0'),
      clock: deps.clock,
      scheduler: deps.scheduler,
      logger: deps.logger,
      busy: () => this.busyWith(),
      onChange: (state) => {
        if (this.started) this.events.emit('update:changed', state);
      },
      ...deps.updateTimings,
    });
    this.backup = new BackupService({
      appDataFolder: deps.appDataFolder,
      clock: deps.clock,
      scheduler: deps.scheduler,
      logger: deps.logger,
      events: this.events,
      settings: this.settings,
      accounts: this.accounts,
      device: deps.device,
      ...(deps.ca === undefined ? {} : { ca: deps.ca }),
      concurrency: () => this.concurrency(this.settings.current),
      signedIn: () => this.session.current() !== null,
      live: () => this.started && !this.stopped,
      stopped: () => this.stopped,
      activityChanged: () => this.updates.activityChanged(),
      ...(deps.onBackupEnded === undefined ? {} : { onBackupEnded: deps.onBackupEnded }),
      ...(deps.onBackupFailed === undefined ? {} : { onBackupFailed: deps.onBackupFailed }),
    });
  }

  get appDataFolder(): string {
    return this.deps.appDataFolder;
  }

  get logFolder(): string {
    return logFolderPath(this.deps.appDataFolder);
  }

  /** Loads the settings and the account, and starts every pair. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const loaded = await this.settings.load();
    if (loaded.problem !== null) this.deps.logger.warn(`settings: ${loaded.problem.message}`);
    // Before any request: the pairs, the backup and the sign-in go out as the setting says.
    await this.proxy.applyProxy(loaded.settings.proxy);
    const proxySetting = (): ProxySetting => this.proxy.current();
    (this.deps.setProcessProxy ?? setProcessProxy)({ mode: 'follow', current: proxySetting });
    this.settingsSubscription = this.settings.onDidChange((settings) => {
      this.events.emit('settings:changed', settingsView(settings));
      this.backup.setSchedule(settings.backup.schedule);
      this.updates.applySettings(settings.update);
      void this.supervisor.reconcile();
    });
    await this.session.load();
    await this.supervisor.reconcile();
    this.session.armQuotaRefresh();
    await this.backup.start(this.settings.current.backup.schedule);
    this.updates.start(this.settings.current.update);
  }

  /** What an update's restart waits for: a sync run (a pair scanning or syncing), or a backup or restore. */
  private busyWith(): UpdateBusyReason | null {
    if (this.backup.busy()) return 'backup';
    if (this.supervisor.running()) return 'sync';
    return null;
  }

  /** The app's own update, for the window. */
  updateState(): UpdateStateView {
    return this.updates.state;
  }

  /**
   * The connection is known to be back (the system resumed from sleep, a pair reached the
   * server again): a backup waiting to be tried again runs now.
   */
  connectionBack(): void {
    if (!this.stopped) this.backup.connectionBack();
  }

  /** The computer is going to sleep: every pair that is syncing stops where it is (see PairSupervisor). */
  systemSuspending(): void {
    this.supervisor.systemSuspending();
  }

  /** Back from sleep: the pairs go on and sync now; a backup waiting for the network is tried now. */
  systemResumed(): void {
    this.supervisor.systemResumed();
  }

  /** Stops every pair (each stop awaited) and any backup; the services cannot start again. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.supervisor.stopReconnecting();
    this.settingsSubscription?.dispose();
    this.session.dispose();
    this.backup.dispose();
    this.updates.dispose();
    this.backup.abort(new TeraSyncError(ErrorCode.Cancelled, 'TeraSync is quitting.'));
    await this.supervisor.stopAll();
    await this.activity.flush();
    await this.settings.dispose();
  }

  /** What the tray and the notifications look at. */
  snapshot(): AppSnapshot {
    const pairs = this.settings.current.pairs;
    const conflicts = this.supervisor.conflictRecords().map(({ pairId, record }) => ({ id: `${pairId}#${record.id}`, path: record.path }));
    const expired = this.supervisor.unauthorized() && this.session.current() !== null;
    return {
      pairs: pairs.map((pair) => ({ localFolder: pair.localFolder, status: this.supervisor.statusOf(pair.id) })),
      conflicts,
      paused: pairs.length > 0 && pairs.every((pair) => pair.paused),
      backup: this.backup.progress(),
      account: this.session.current() === null ? 'signed-out' : expired ? 'expired' : 'signed-in',
    };
  }

  // Account --------------------------------------------------------------------------------

  overview(): Promise<AppOverview> {
    return this.readOverview();
  }

  /** The account as the window sees it, or null when nobody is signed in. */
  accountInfo(): Promise<AccountInfo | null> {
    return this.session.accountInfo();
  }

  /** Asks for the account (and its quota) again; tells the window when the quota changed. */
  refreshQuota(): Promise<void> {
    return this.session.refreshQuota();
  }

  signInWithPassword(input: PasswordSignInRequest): Promise<SignInResult> {
    return this.session.signInWithPassword(input);
  }

  signInWithOAuth(input: OAuthSignInRequest): Promise<SignInResult> {
    return this.session.signInWithOAuth(input);
  }

  /** Gives up the OAuth2 sign-in that waits for the browser (its loopback listener closes). */
  cancelSignIn(): void {
    this.session.cancelSignIn();
  }

  signOut(): Promise<SignOutResult> {
    return this.session.signOut();
  }

  // Pairs ----------------------------------------------------------------------------------

  pairs(): PairView[] {
    return this.supervisor.pairs();
  }

  addPair(localFolder: string, remoteFolder: string, excludedFolders: readonly string[] = []): Promise<PairView> {
    return this.supervisor.addPair(localFolder, remoteFolder, excludedFolders);
  }

  updatePair(id: string, change: { bandwidth?: { uploadKiBps?: number; downloadKiBps?: number }; excludedFolders?: readonly string[] }): Promise<PairView> {
    return this.supervisor.updatePair(id, change);
  }

  // Server folders and deleted files -----------------------------------------------------------

  /** Every pair's trash: its runs and their files; a pair whose trash cannot be listed says why. */
  deletedFiles(): Promise<PairDeletedFiles[]> {
    return this.remoteFolders.deletedFiles();
  }

  /** Moves a run of a pair's trash (or one entry of it) back (see RemoteFolderService.restoreDeletedFiles). */
  restoreDeletedFiles(pairId: string, runId: string, path: string | null): Promise<RestoredDeletedEntry[]> {
    return this.remoteFolders.restoreDeletedFiles(pairId, runId, path);
  }

  /** Deletes a run of a pair's trash for good. */
  purgeDeletedFiles(pairId: string, runId: string): Promise<void> {
    return this.remoteFolders.purgeDeletedFiles(pairId, runId);
  }

  /** What the trash of every pair takes of the quota, and how long it keeps files. */
  deletedFilesUsage(): Promise<DeletedFilesUsage> {
    return this.remoteFolders.deletedFilesUsage();
  }

  /** The subfolders of a server folder below the account root, for the folder browser and selective sync. */
  listRemoteFolders(folder: string): Promise<RemoteFolderListing> {
    return this.remoteFolders.listRemoteFolders(folder);
  }

  /** How much a server folder holds, everything below it, for selective sync in the set-up. */
  measureRemoteFolder(folder: string): Promise<RemoteFolderSize> {
    return this.remoteFolders.measureRemoteFolder(folder);
  }

  /** Free space on the disk of a local folder (which may not exist yet), for the set-up's preview. */
  localFreeSpace(folder: string): Promise<LocalFreeSpace> {
    return this.remoteFolders.localFreeSpace(folder);
  }

  /** What the first sync of a new pair would do (see RemoteFolderService.previewPair). */
  previewPair(localFolder: string, remoteFolder: string, excludedFolders: readonly string[]): Promise<PairPreview> {
    return this.remoteFolders.previewPair(localFolder, remoteFolder, excludedFolders);
  }

  private concurrency(settings: Settings): number {
    return this.deps.concurrency ?? settings.sync.parallelTransfers;
  }

  /** Stops syncing a pair; its files stay on both sides, its journal goes (see PairSupervisor.removePair). */
  removePair(id: string): Promise<void> {
    return this.supervisor.removePair(id);
  }

  setPaused(id: string, paused: boolean): Promise<PairView> {
    return this.supervisor.setPaused(id, paused);
  }

  /** Every pair paused or resumed (the tray's switch). */
  setAllPaused(paused: boolean): Promise<void> {
    return this.supervisor.setAllPaused(paused);
  }

  syncNow(id: string): void {
    this.supervisor.syncNow(id);
  }

  /** The user's answer to a conflict (see PairSupervisor.resolveConflict). */
  resolveConflict(pairId: string, id: number, keep: ConflictResolution): Promise<void> {
    return this.supervisor.resolveConflict(pairId, id, keep);
  }

  /** The tray's "Sync now": every running pair that is not paused; a pair that is not connected is tried again. */
  syncAllNow(): Promise<void> {
    return this.supervisor.syncAllNow();
  }

  /** The user's answer at a pair's fail-safe. */
  decideFailSafe(id: string, decision: 'allow' | 'restore' | 'keepWaiting'): void {
    this.supervisor.decideFailSafe(id, decision);
  }

  statuses(): PairStatus[] {
    return this.supervisor.statuses();
  }

  /** A page of the activity history (see ActivityHistory.list). */
  activityList(request: ActivityListRequest): Promise<ActivityPage> {
    return this.activity.list(request);
  }

  /** The open conflicts with both versions as they are on disk now (the copy: mine; the file: theirs). */
  conflicts(): Promise<ConflictInfo[]> {
    return this.supervisor.conflicts();
  }

  /** Opens one version of a conflict: the copy (mine) or the file at the path (theirs). */
  openConflictVersion(pairId: string, id: number, side: 'mine' | 'theirs'): Promise<void> {
    return this.supervisor.openConflictVersion(pairId, id, side);
  }

  /** Shows an activity item's file in the file manager, or the nearest folder that is still there. */
  showFile(pairId: string, relative: string): Promise<void> {
    return this.supervisor.showFile(pairId, relative);
  }

  pickPath(purpose: PickPurpose): Promise<string | null> {
    return this.deps.pickPath(purpose);
  }

  folderOf(id: string): string {
    return this.supervisor.folderOf(id);
  }

  openPath(folder: string): Promise<void> {
    return this.deps.openPath(folder);
  }

  openExternal(url: string): Promise<void> {
    return this.deps.openExternal(url);
  }

  // Settings -------------------------------------------------------------------------------

  settingsView(): SettingsView {
    return settingsView(this.settings.current);
  }

  async updateSettings(update: SettingsUpdate): Promise<SettingsView> {
    const settings = await this.settings.update((draft) => {
      Object.assign(draft.sync, update.sync ?? {});
      Object.assign(draft.backup, update.backup ?? {});
      Object.assign(draft.app, update.app ?? {});
      Object.assign(draft.update, update.update ?? {});
    });
    await this.supervisor.reconcile();
    return settingsView(settings);
  }

  // Proxy ----------------------------------------------------------------------------------

  /** The proxy setting, and whether a password is stored (never the password). */
  proxySettings(): Promise<ProxySettingsView> {
    return this.proxy.proxySettings();
  }

  /** Saves the proxy setting (see ProxyService.saveProxySettings). */
  saveProxySettings(input: ProxySettingsInput): Promise<ProxySettingsView> {
    return this.proxy.saveProxySettings(input);
  }

  /** "Test connection" (see ProxyService.testProxySettings). */
  testProxySettings(input: ProxySettingsInput): Promise<ProxyTestResult> {
    return this.proxy.testProxySettings(input);
  }

  /** The proxy's user and password of the setting in force, for a proxy that asks Electron's own requests (main). */
  proxyCredentials(): ProxyCredentials | null {
    return this.proxy.proxyCredentials();
  }

  // Backup ---------------------------------------------------------------------------------

  runBackup(request: { sources?: string[]; dryRun?: boolean; allowMassDelete?: boolean }): Promise<BackupSummaryView> {
    return this.backup.runBackup(request);
  }

  /** The backup or restore running now, the history of backups, and when one runs by itself. */
  backupState(): Promise<BackupStateView> {
    return this.backup.backupState();
  }

  /** Answers the backup stopped at the fail-safe (see BackupService.decideBackupFailSafe). */
  decideBackupFailSafe(decision: 'allow' | 'leave'): Promise<BackupSummaryView | null> {
    return this.backup.decideBackupFailSafe(decision);
  }

  listBackups(request: { source?: string; version?: string }): Promise<BackupListing> {
    return this.backup.listBackups(request);
  }

  runRestore(request: { source: string; version?: string; path?: string; to?: string }): Promise<RestoreSummaryView> {
    return this.backup.runRestore(request);
  }

  /** Cancels the backup or restore that is running; nothing when none is. */
  cancelBackup(): void {
    this.backup.cancelBackup();
  }
}
