/**
 * The data both processes see. Pure types: the main side builds these from its services, the
 * renderer shows them, and shared/ipc/schemas.ts checks them at the process boundary. Nothing
 * here ever carries a secret.
 */
import type { ErrorInfo } from './errors.js';

/** How the account signs in; the secret itself lives in the SecretStore, never here. */
export type AuthMethod = 'basic' | 'oauth2';

export interface AccountSummary {
  user: string | null;
  /** The WebDAV root of the account's node, e.g. `https://seto.teracloud.jp/dav/`. */
  server: string | null;
  method: AuthMethod | null;
}

/** One local folder kept in sync with one remote folder. */
export interface PairSummary {
  localFolder: string;
  remoteUrl: string;
}

export interface AppOverview {
  account: AccountSummary;
  pairs: PairSummary[];
  /** Absolute path of settings.json, so the user knows what to edit or back up. */
  settingsFile: string;
  /**
   * Why the settings could not be used, when they could not (a corrupt file moved aside, a
   * file written by a newer version, a secret where none belongs); null when all is well.
   */
  settingsProblem: ErrorInfo | null;
}

/** What one sync pair's engine is doing: the tray icon, the status screen, `terasync status`. */
export type SyncState = 'idle' | 'scanning' | 'syncing' | 'paused' | 'offline' | 'error' | 'failsafe' | 'stopped';

export interface SyncProgress {
  actionsDone: number;
  actionsTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface SyncStatus {
  state: SyncState;
  /** When the last run ended in sync (ms since the epoch), or null. */
  lastSyncAt: number | null;
  /** While syncing: how far the run is. */
  progress: SyncProgress | null;
  /** Why the engine is offline, in error or waiting at the fail-safe. */
  problem: ErrorInfo | null;
  /** When the next attempt is due while offline or in error (ms since the epoch). */
  retryAt: number | null;
  /** The watcher failed and the engine falls back on periodic full scans. */
  watcherFallback: boolean;
  /** Conflicts and failed paths of the last run. */
  lastRun: { conflicts: number; errors: number } | null;
}
