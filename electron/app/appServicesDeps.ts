/**
 * What AppServices is built from (electron/main/index.ts gives the real ones, tests their own):
 * in a module of its own, so that the services it composes (services/) can take their part of
 * it without importing the facade.
 */
import type { ErrorInfo } from '../../shared/errors.js';
import type { PickPurpose } from '../../shared/types.js';
import type { ApiSettings, OAuthSettings } from '../auth/AccountRecord.js';
import type { HostLookup } from '../auth/AccountService.js';
import type { SecretStore } from '../auth/SecretStore.js';
import type { BackupSummary } from '../backup/model.js';
import type { Clock, Scheduler } from '../core/time.js';
import type { Logger } from '../core/logger.js';
import type { ProxySetting, SystemProxyResolver } from '../net/proxy.js';
import type { Platform } from '../sync/names.js';
import type { Trash, WatchFolder } from '../sync/ports.js';
import type { SyncServiceOptions } from '../sync/SyncService.js';
import type { IpcEventHub } from './IpcEventHub.js';
import type { ProxySettings } from './settings.js';
import type { SettingsStoreFileSystem } from './SettingsStore.js';
import type { UpdateControllerDeps, UpdaterPort } from './UpdateController.js';

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
