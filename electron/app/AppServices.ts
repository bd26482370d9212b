/**
 * Everything the app runs between launch and quit, built from injected deps so that it runs
 * (and is tested) under plain Node: the account, the settings, one SyncService per sync pair,
 * the backup, and the IpcEventHub the window's events go through. electron/main/index.ts builds
 * one with Electron's ports; the IPC handlers (createIpcHandlers.ts) call it.
 *
 * Pairs follow the settings: after every change of settings.json made through this class, and
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
 *
 * The quota in the account view is asked again every `quotaRefreshMs` (10 minutes) and
 * `quotaAfterRunMs` after a run that changed the server; the window hears of it through
 * `account:changed` when it changed.
 */
import type { DeletedFilesUsage, PairDeletedFiles, RestoredDeletedEntry } from '../../shared/types.js';
import { randomUUID } from 'node:crypto';
import { lstat, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { freshSyncStatus } from '../../shared/appState.js';
import { ErrorCode, TeraSyncError, toTeraSyncError, type ErrorInfo } from '../../shared/errors.js';
import { type ActivityListRequest, type AdvancedSignInOptions, type OAuthSignInRequest, type PasswordSignInRequest } from '../../shared/ipc/contract.js';
import type {
  AccountInfo,
  ActivityPage,
  AppOverview,
  BackupListing,
  BackupSummaryView,
  ConflictInfo,
  ConflictResolution,
  PairStatus,
  PairView,
  BackupStateView,
  FileVersionView,
  PairPreview,
  PickPurpose,
  RemoteFolderListing,
  RestoreSummaryView,
  SettingsUpdate,
  SettingsView,
  SignInResult,
  SignOutResult,
  SyncStatus,
} from '../../shared/types.js';
import type { LocalFreeSpace, RemoteFolderSize } from '../../shared/types.js';
import { AccountFile, type AccountRecord, type ApiSettings, type OAuthSettings } from '../auth/AccountRecord.js';
import { AccountService, notSignedIn, type AdvancedAccountOptions, type Connection, type HostLookup } from '../auth/AccountService.js';
import { readCaFile } from '../auth/caFile.js';
import type { SecretStore } from '../auth/SecretStore.js';
import { setProcessProxy, type ProxyCredentials, type ProxySetting, type SystemProxyResolver } from '../net/proxy.js';
import type { ProxySettingsInput, ProxySettingsView, ProxyTestResult } from '../../shared/types.js';
import { ProxyService } from './services/ProxyService.js';
import type { BackupSummary } from '../backup/model.js';
import { journalFile } from '../platform/paths.js';
import { FolderLock } from '../platform/folderLock.js';
import { SyncEngine } from '../sync/engine.js';
import { Journal, type ConflictRecord } from '../sync/journal.js';
import type { Platform } from '../sync/names.js';
import type { Clock, Scheduler } from '../core/time.js';
import type { Logger } from '../core/logger.js';
import type { Trash, WatchFolder } from '../sync/ports.js';
import { SyncService, type SyncServiceOptions } from '../sync/SyncService.js';
import type { SyncReport } from '../sync/report.js';
import type { WebDavRemoteStore } from '../webdav/WebDavRemoteStore.js';
import { IpcEventHub } from './IpcEventHub.js';
import {
  accountInfoView,
  conflictInfo,
  pairView,
  settingsView,
  signOutView,
} from './ipcViews.js';
import { createAppOverviewReader, nodeSettingsFileSystem, resolveRemoteFolder, type PairSettings, type ProxySettings, type Settings } from './settings.js';
import { nodeSettingsStoreFileSystem, SettingsStore, type SettingsStoreFileSystem } from './SettingsStore.js';
import type { AppSnapshot } from './trayState.js';
import { logFolderPath } from './LogFile.js';
import type { ActivityHistory } from './ActivityHistory.js';
import { ActivityService } from './services/ActivityService.js';
import { BackupService } from './services/BackupService.js';
import { OFFLINE_CODES } from './services/offline.js';
import { RemoteFolderService } from './services/RemoteFolderService.js';
import { openRemoteStore } from './services/remoteStore.js';
import { fileInFolder, mayRunWhenOpened, nearestExisting } from './localFiles.js';
import { unavailableUpdater, UpdateController, type UpdateControllerDeps, type UpdaterPort } from './UpdateController.js';
import type { UpdateBusyReason, UpdateStateView } from '../../shared/types.js';

export interface AppServicesDeps {
  /** Where settings.json, account.json, the journals and the logs live. */
  appDataFolder: string;
  secrets: SecretStore;
  clock: Clock;
  scheduler: Scheduler;
  logger: Logger;
  /** The local folder watcher (electron/platform/folderWatcher.ts), behind the sync port. */
  watch: WatchFolder;
  /** Where the engine puts local files it deletes (Electron's shell.trashItem in the app). */
  trash: Trash;
  platform: Platform;
  /** The computer's name: conflict copies' names and, unless the settings say, the backup's device folder. */
  device: string;
  /** Opens a local folder in the file manager, or a file in its app (Electron's shell.openPath). */
  openPath(folder: string): Promise<void>;
  /** Shows a file selected in its folder in the file manager (Electron's shell.showItemInFolder). */
  showItemInFolder(file: string): Promise<void>;
  /** The system's folder (or, for a CA certificate, file) dialog; null when the user cancelled. */
  pickPath(purpose: PickPurpose): Promise<string | null>;
  /** Opens an https: URL in the browser (Electron's shell.openExternal). */
  openExternal(url: string): Promise<void>;
  /** Opens the OAuth2 sign-in page. */
  openBrowser(url: string): Promise<void>;
  /** The TeraCLOUD REST API (finds the node, the quota); null: not configured. */
  api?: ApiSettings | null;
  /** The OAuth2 client; null: OAuth2 sign-in is not configured. */
  oauth?: OAuthSettings | null;
  /** PEM of a private CA for every connection. */
  ca?: string;
  /** Accept loopback and non-service hosts (the emulator, development). */
  allowCustomHost?: boolean;
  /** Resolves host names at sign-in (a node name that does not exist); default the system's resolver. */
  lookupHost?: HostLookup;
  /** Parallel transfers per pair and for the backup. Default 4. */
  concurrency?: number;
  /** Overrides of the SyncService timings (the poll and full-scan intervals come from the settings). */
  syncOptions?: Partial<SyncServiceOptions>;
  /** How long to wait before connecting again after a failed connect. Default 30 s. */
  reconnectDelayMs?: number;
  settingsFileSystem?: SettingsStoreFileSystem;
  /** The hub the window's events go through. Default: a new one reporting contract violations to `logger`. */
  events?: IpcEventHub;
  /** Told each secret the user types (the Apps password), so that the log can redact it. */
  redactSecret?: (secret: string) => void;
  /** A backup ended (stopped or not), with the engine's own summary: for the notification. */
  onBackupEnded?: (summary: BackupSummary) => void;
  /** A backup could not start or failed outright. */
  onBackupFailed?: (error: ErrorInfo) => void;
  /** How often the account's quota is asked again. Default 10 minutes. */
  quotaRefreshMs?: number;
  /** How long after a run that changed the server the quota is asked again. Default 5 s. */
  quotaAfterRunMs?: number;
  /** The app's own updates (electron/main/updater.ts); none: updates are off ('not-packaged'). */
  updater?: UpdaterPort;
  /** Overrides of the update checks' timings (tests). */
  updateTimings?: Pick<UpdateControllerDeps, 'startDelayMs' | 'intervalMs' | 'retryDelaysMs'>;
  /**
   * The computer's proxy configuration for a URL, answered like a PAC file (Electron's
   * `session.resolveProxy`); used when the proxy setting is "system". None: "system" is direct.
   */
  systemProxy?: SystemProxyResolver;
  /**
   * Makes a ProxySetting the one every request of the process follows. Default
   * `setProcessProxy` (electron/net/proxy.ts); given once, at start, a setting that follows
   * the app's proxy setting as it changes.
   */
  setProcessProxy?: (setting: ProxySetting) => void;
  /**
   * Told the proxy setting at start and after each save, for Electron's own requests (the
   * update feed): main gives it to `session.setProxy` (chromiumProxyConfig).
   */
  onProxyChanged?: (proxy: ProxySettings) => Promise<void>;
}

const QUOTA_REFRESH_MS = 10 * 60_000;
const QUOTA_AFTER_RUN_MS = 5_000;

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

export class AppServices {
  readonly events: IpcEventHub;
  readonly accounts: AccountService;
  readonly settings: SettingsStore;
  /** The app's own updates: checked, downloaded, installed when the user says and no run is in progress. */
  readonly updates: UpdateController;
  private readonly deps: AppServicesDeps;
  private readonly readOverview: () => Promise<AppOverview>;
  private readonly runtimes = new Map<string, PairRuntime>();
  /** The last status of every pair in the settings, running or not. */
  private readonly pairStatuses = new Map<string, SyncStatus>();
  /** The sync runs that changed something, kept across restarts. */
  readonly activityHistory: ActivityHistory;
  /** Each running pair's runs, collected and written to the history. */
  private readonly activity: ActivityService;
  private reconciling: Promise<void> = Promise.resolve();
  private cancelReconnect: (() => void) | null = null;
  private settingsSubscription: { dispose(): void } | null = null;
  /** The backup and restore, their history and the backup schedule. */
  private readonly backup: BackupService;
  /** The server's folders outside the pairs' runs, and the pairs' deleted files. */
  private readonly remoteFolders: RemoteFolderService;
  /** The OAuth2 sign-in waiting for the browser, to cancel it. */
  private signingIn: AbortController | null = null;
  private account: AccountRecord | null = null;
  /** The open conflicts of pairs in the settings that are not running now, as they were when each stopped. */
  private readonly stoppedConflicts = new Map<string, { records: ConflictRecord[]; root: string }>();
  /** The quota last sent to the window (JSON), to tell it only of a change. */
  private lastQuota: string | null = null;
  private cancelQuotaTimer: (() => void) | null = null;
  private cancelQuotaAfterRun: (() => void) | null = null;
  private started = false;
  private stopped = false;
  /** The pair services systemSuspending() paused, which systemResumed() resumes. */
  private heldForSleep = new Set<SyncService>();
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
    this.settings = new SettingsStore(
      deps.appDataFolder,
      { fileSystem: deps.settingsFileSystem ?? nodeSettingsStoreFileSystem, now: () => deps.clock.now(), logger: deps.logger },
      { caseInsensitivePaths: deps.platform === 'win32' || deps.platform === 'darwin' },
    );
    this.proxy = new ProxyService({
      settings: this.settings,
      secrets: deps.secrets,
      logger: deps.logger,
      account: () => this.account,
      ...(deps.ca === undefined ? {} : { ca: deps.ca }),
      ...(deps.redactSecret === undefined ? {} : { redactSecret: deps.redactSecret }),
      ...(deps.systemProxy === undefined ? {} : { systemProxy: deps.systemProxy }),
      ...(deps.onProxyChanged === undefined ? {} : { onProxyChanged: deps.onProxyChanged }),
    });
    this.remoteFolders = new RemoteFolderService({
      settings: this.settings,
      accounts: this.accounts,
      logger: deps.logger,
      platform: deps.platform,
      ...(deps.ca === undefined ? {} : { ca: deps.ca }),
      concurrency: () => this.concurrency(this.settings.current),
      syncIfRunning: (pairId) => {
        const runtime = this.runtimes.get(pairId);
        if (runtime !== undefined && !runtime.pair.paused) runtime.service.syncNow();
      },
    });
    this.readOverview = createAppOverviewReader(deps.appDataFolder, { fileSystem: nodeSettingsFileSystem, now: () => deps.clock.now() });
    this.activity = new ActivityService({ appDataFolder: deps.appDataFolder, clock: deps.clock, logger: deps.logger, events: this.events });
    this.activityHistory = this.activity.history;
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
      signedIn: () => this.account !== null,
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
      void this.reconcile();
    });
    this.account = await this.accounts.current();
    await this.reconcile();
    this.armQuotaRefresh();
    await this.backup.start(this.settings.current.backup.schedule);
    this.updates.start(this.settings.current.update);
  }

  /** What an update's restart waits for: a sync run (a pair scanning or syncing), or a backup or restore. */
  private busyWith(): UpdateBusyReason | null {
    if (this.backup.busy()) return 'backup';
    for (const status of this.pairStatuses.values()) {
      if (status.state === 'syncing' || status.state === 'scanning') return 'sync';
    }
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

  /**
   * The computer is going to sleep (powerMonitor 'suspend'): every pair that is syncing stops
   * where it is, as on pause (its transfers are aborted, what was done is in the journal, no
   * half-written file is left), rather than leaving a transfer in flight across the sleep to
   * fail on a dead connection afterwards. The user's own pause setting is not touched.
   */
  systemSuspending(): void {
    if (this.stopped) return;
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
    if (this.stopped) return;
    const held = this.heldForSleep;
    this.heldForSleep = new Set();
    for (const runtime of this.runtimes.values()) {
      // A pair the user paused meanwhile stays paused.
      if (runtime.pair.paused) continue;
      if (held.has(runtime.service)) runtime.service.resume();
      else runtime.service.syncNow();
    }
    this.connectionBack();
  }

  /** Sync now; a pair still held for a sleep whose end was never reported (no 'resume') goes on too. */
  private syncRuntimeNow(runtime: PairRuntime): void {
    if (this.heldForSleep.delete(runtime.service)) runtime.service.resume();
    else runtime.service.syncNow();
  }

  /** The periodic quota refresh: one timer, armed again after each refresh. */
  private armQuotaRefresh(): void {
    if (this.stopped) return;
    this.cancelQuotaTimer = this.deps.scheduler.schedule(this.deps.quotaRefreshMs ?? QUOTA_REFRESH_MS, () => {
      this.cancelQuotaTimer = null;
      void this.refreshQuota().finally(() => this.armQuotaRefresh());
    });
  }

  /** A refresh soon after a run that changed the server (one at a time, however many runs end). */
  private quotaAfterRun(): void {
    if (this.stopped || this.cancelQuotaAfterRun !== null) return;
    this.cancelQuotaAfterRun = this.deps.scheduler.schedule(this.deps.quotaAfterRunMs ?? QUOTA_AFTER_RUN_MS, () => {
      this.cancelQuotaAfterRun = null;
      void this.refreshQuota();
    });
  }

  /** Asks for the account (and its quota) again; tells the window when the quota changed. */
  async refreshQuota(): Promise<void> {
    if (this.stopped || this.account === null) return;
    try {
      const info = await this.accountInfo();
      if (info === null || this.stopped) return;
      const quota = JSON.stringify([info.quota, info.quotaProblem]);
      if (quota === this.lastQuota) return;
      this.lastQuota = quota;
      this.events.emit('account:changed', info);
    } catch (error) {
      this.deps.logger.warn(`quota: ${toTeraSyncError(error).message}`);
    }
  }

  /** Stops every pair (each stop awaited) and any backup; the services cannot start again. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelReconnect?.();
    this.cancelReconnect = null;
    this.settingsSubscription?.dispose();
    this.cancelQuotaTimer?.();
    this.cancelQuotaTimer = null;
    this.cancelQuotaAfterRun?.();
    this.cancelQuotaAfterRun = null;
    this.backup.dispose();
    this.updates.dispose();
    this.backup.abort(new TeraSyncError(ErrorCode.Cancelled, 'TeraSync is quitting.'));
    await this.reconciling;
    await Promise.all([...this.runtimes.keys()].map((id) => this.stopPair(id, 'stopped')));
    await this.activity.flush();
    await this.settings.dispose();
  }

  /** What the tray and the notifications look at. */
  snapshot(): AppSnapshot {
    const pairs = this.settings.current.pairs;
    const conflicts = this.conflictRecords().map(({ pairId, record }) => ({ id: `${pairId}#${record.id}`, path: record.path }));
    const expired = [...this.pairStatuses.values()].some((status) => status.problem?.code === ErrorCode.Unauthorized && this.account !== null);
    return {
      pairs: pairs.map((pair) => ({ localFolder: pair.localFolder, status: this.statusOf(pair.id) })),
      conflicts,
      paused: pairs.length > 0 && pairs.every((pair) => pair.paused),
      backup: this.backup.progress(),
      account: this.account === null ? 'signed-out' : expired ? 'expired' : 'signed-in',
    };
  }

  // Account --------------------------------------------------------------------------------

  overview(): Promise<AppOverview> {
    return this.readOverview();
  }

  /** The account as the window sees it, or null when nobody is signed in. */
  async accountInfo(): Promise<AccountInfo | null> {
    this.account = await this.accounts.current();
    if (this.account === null) return null;
    try {
      return accountInfoView(await this.accounts.whoami());
    } catch (error) {
      // Offline, or the sign-in was refused: still signed in; the window shows who, and why not connected.
      this.deps.logger.warn(`account: ${toTeraSyncError(error).message}`);
      return this.offlineAccountInfo(this.account, toTeraSyncError(error).message);
    }
  }

  async signInWithPassword(input: PasswordSignInRequest): Promise<SignInResult> {
    this.deps.redactSecret?.(input.password);
    const advanced = await this.advancedOptions(input.advanced);
    await this.accounts.signInWithPassword({
      userId: input.userId,
      password: input.password,
      api: this.deps.api ?? null,
      ...(input.location === undefined ? {} : { location: input.location }),
      ...(input.preemptive === undefined ? {} : { preemptive: input.preemptive }),
      ...(advanced === undefined ? {} : { advanced }),
    });
    return this.afterSignIn(null);
  }

  async signInWithOAuth(input: OAuthSignInRequest): Promise<SignInResult> {
    const oauth = this.deps.oauth ?? null;
    if (oauth === null) {
      throw new TeraSyncError(
        ErrorCode.Configuration,
        'OAuth2 sign-in is not configured in this build (TeraCLOUD has not published its sign-in server yet): sign in with your user ID and Apps password.',
      );
    }
    if (this.signingIn !== null) throw new TeraSyncError(ErrorCode.InvalidRequest, 'A sign-in in the browser is already waiting: finish it there, or cancel it.');
    const controller = new AbortController();
    this.signingIn = controller;
    try {
      const advanced = await this.advancedOptions(input.advanced);
      const { problem } = await this.accounts.signInWithOAuth({
        oauth,
        api: this.deps.api ?? null,
        openBrowser: (url) => this.deps.openBrowser(url),
        signal: controller.signal,
        ...(input.location === undefined ? {} : { location: input.location }),
        ...(advanced === undefined ? {} : { advanced }),
      });
      return await this.afterSignIn(problem === null ? null : problem.toInfo());
    } finally {
      if (this.signingIn === controller) this.signingIn = null;
    }
  }

  /** Gives up the OAuth2 sign-in that waits for the browser (its loopback listener closes). */
  cancelSignIn(): void {
    this.signingIn?.abort(new TeraSyncError(ErrorCode.Cancelled, 'The sign-in was cancelled.'));
  }

  /** The sign-in screen's advanced section, with the CA file read here (the window sends its path). */
  private async advancedOptions(options: AdvancedSignInOptions | undefined): Promise<AdvancedAccountOptions | undefined> {
    if (options === undefined) return undefined;
    const advanced: AdvancedAccountOptions = {};
    if (options.apiServer !== undefined) advanced.apiServer = options.apiServer;
    if (options.apiKeyPlacement !== undefined) advanced.apiKeyPlacement = options.apiKeyPlacement;
    if (options.caFile !== undefined) advanced.caPem = await readCaFile(options.caFile);
    return advanced;
  }

  async signOut(): Promise<SignOutResult> {
    const report = await this.accounts.signOut();
    this.account = null;
    await this.reconcile();
    this.events.emit('account:changed', null);
    return signOutView(report);
  }

  private async afterSignIn(problem: ErrorInfo | null): Promise<SignInResult> {
    this.account = await this.accounts.current();
    await this.reconcile();
    const account = await this.accountInfo();
    if (account === null) throw notSignedIn();
    this.events.emit('account:changed', account);
    return { account, problem };
  }

  private offlineAccountInfo(record: AccountRecord, problem: string): AccountInfo {
    return {
      userId: record.userId,
      node: record.node,
      webdavUrl: `${record.origin}${record.method === 'oauth2' ? '/v2/dav/' : '/dav/'}`,
      signedInWith: record.method,
      method: record.method,
      fallbackReason: null,
      quota: null,
      quotaProblem: problem,
      secretStore: this.accounts.secretStoreKind(),
    };
  }

  // Pairs ----------------------------------------------------------------------------------

  pairs(): PairView[] {
    return this.settings.current.pairs.map(pairView);
  }

  async addPair(localFolder: string, remoteFolder: string, excludedFolders: readonly string[] = []): Promise<PairView> {
    const id = randomUUID();
    const taken = this.settings.current.pairs.some((pair) => path.resolve(pair.localFolder) === path.resolve(localFolder) && pair.remoteFolder === remoteFolder);
    // A pair that exists keeps its journal; adding it twice is refused by the settings below.
    if (!taken) await this.dropStaleJournals({ localFolder, remoteFolder });
    await this.settings.update((draft) => {
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
    await this.settings.update((draft) => {
      const pair = findPair(draft, id);
      if (change.bandwidth?.uploadKiBps !== undefined) pair.bandwidth.upKiBps = change.bandwidth.uploadKiBps;
      if (change.bandwidth?.downloadKiBps !== undefined) pair.bandwidth.downKiBps = change.bandwidth.downloadKiBps;
      if (change.excludedFolders !== undefined) pair.excludedFolders = [...change.excludedFolders];
    });
    await this.reconcile();
    return this.pairViewOf(id);
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
    await this.settings.update((draft) => {
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
    const roots = this.account === null ? [null] : ['/v2/dav/', '/dav/'].map((area) => `${(this.account as AccountRecord).origin}${area}`);
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
    await this.settings.update((draft) => {
      findPair(draft, id).paused = paused;
    });
    await this.reconcile();
    return this.pairViewOf(id);
  }

  /** Every pair paused or resumed (the tray's switch). */
  async setAllPaused(paused: boolean): Promise<void> {
    await this.settings.update((draft) => {
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
    return this.settings.current.pairs.map((pair) => ({ pairId: pair.id, status: this.statusOf(pair.id) }));
  }

  /** A page of the activity history (see ActivityHistory.list). */
  activityList(request: ActivityListRequest): Promise<ActivityPage> {
    return this.activity.list(request);
  }

  /** Every open conflict of every running pair, as the journals hold them. */
  private conflictRecords(): Array<{ pairId: string; record: ConflictRecord; root: string }> {
    const list: Array<{ pairId: string; record: ConflictRecord; root: string }> = [];
    for (const [pairId, runtime] of this.runtimes) {
      for (const record of runtime.journal.openConflicts()) list.push({ pairId, record, root: runtime.pair.localFolder });
    }
    // A pair that is not running keeps its conflicts listed (they are open until resolved).
    const inSettings = new Set(this.settings.current.pairs.map((pair) => pair.id));
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
    this.events.emit('conflicts:changed', await this.conflicts());
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

  pickPath(purpose: PickPurpose): Promise<string | null> {
    return this.deps.pickPath(purpose);
  }

  folderOf(id: string): string {
    const pair = this.settings.current.pairs.find((item) => item.id === id);
    if (pair === undefined) throw noSuchPair(id);
    return pair.localFolder;
  }

  openPath(folder: string): Promise<void> {
    return this.deps.openPath(folder);
  }

  openExternal(url: string): Promise<void> {
    return this.deps.openExternal(url);
  }

  private pairViewOf(id: string): PairView {
    const pair = this.settings.current.pairs.find((item) => item.id === id);
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

  private statusOf(id: string): SyncStatus {
    return this.pairStatuses.get(id) ?? initialStatus('stopped');
  }

  private setStatus(id: string, status: SyncStatus): void {
    const before = this.pairStatuses.get(id)?.state;
    this.pairStatuses.set(id, status);
    this.events.emit('status:changed', { pairId: id, status });
    if (status.state !== before) this.updates.activityChanged();
    // A pair that reached the server again is the surest sign the connection is back.
    if (before === 'offline' && onlineStates.has(status.state)) this.connectionBack();
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
    await this.reconcile();
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

  // Reconcile ------------------------------------------------------------------------------

  /** Brings the running pairs in line with the settings and the account (see the table above). One at a time. */
  reconcile(): Promise<void> {
    const run = this.reconciling.then(() => this.reconcileNow());
    this.reconciling = run.catch((error: unknown) => this.deps.logger.error(`pairs: ${toTeraSyncError(error).message}`));
    return run;
  }

  private async reconcileNow(): Promise<void> {
    if (this.stopped) return;
    this.cancelReconnect?.();
    this.cancelReconnect = null;
    const settings = this.settings.current;
    const wanted = new Map(settings.pairs.map((pair) => [pair.id, pair]));
    for (const id of [...this.runtimes.keys()]) {
      const pair = wanted.get(id);
      if (pair === undefined || this.account === null || this.runtimes.get(id)?.key !== this.keyOf(pair, settings)) {
        await this.stopPair(id, this.account === null ? 'signed-out' : 'stopped');
      }
    }
    for (const id of [...this.pairStatuses.keys()]) if (!wanted.has(id)) this.pairStatuses.delete(id);
    for (const id of [...this.stoppedConflicts.keys()]) if (!wanted.has(id)) this.stoppedConflicts.delete(id);
    if (this.account === null) {
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
      connection = await this.accounts.connect();
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
    return JSON.stringify([pair.localFolder, pair.remoteFolder, pair.excludedFolders, settings.sync, this.account?.userId, this.account?.origin]);
  }

  private async startPair(pair: PairSettings, settings: Settings, connection: Connection): Promise<void> {
    const remoteUrl = resolveRemoteFolder(pair.remoteFolder, connection.rootUrl);
    if (remoteUrl === null) return;
    const concurrency = this.concurrency(settings);
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
      onEvent: (event) => this.activity.activityEvent(pair.id, event),
      onReport: (report) => {
        // The first run of a (re)started pair sends the list whatever it found.
        if (firstReport || report.conflicts.length > 0 || report.resolvedConflicts.length > 0) void this.emitConflicts();
        firstReport = false;
        if (changedServer(report)) this.quotaAfterRun();
      },
      // The same lock as the command's: never two syncs of one local folder at once.
      folderLock: new FolderLock(pair.localFolder, { program: 'the TeraSync app', warn: (message) => this.deps.logger.warn(message), platform: this.deps.platform }),
    });
    const subscription = service.onDidChangeStatus((status) => {
      if (status.state !== 'syncing' && status.state !== 'scanning') this.activity.interruptRun(pair.id);
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
      this.activity.pairStopped(id);
      runtime.journal.close();
      await runtime.remote.dispose();
    }
    this.setStatus(id, { ...runtime.service.getStatus(), state: 'stopped', progress: null, retryAt: null, ...(why === 'signed-out' ? { problem: notSignedIn().toInfo() } : {}) });
    if (hadConflicts) await this.emitConflicts();
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
