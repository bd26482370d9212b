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
  lastRun: LastRunSummary | null;
  /** While waiting at the fail-safe (state 'failsafe'): what the run would have deleted; null otherwise. */
  failSafe: FailSafeInfo | null;
  /**
   * How many changes are known to be waiting: local paths not synced yet, actions the run in
   * progress has left, what the last run deferred. 0 with state 'idle' is "up to date".
   */
  pending: number;
}

/** A path the last run could not sync, and why. */
export interface FailedPath {
  path: string;
  error: ErrorInfo;
}

/**
 * An entry the last run left alone on one side, and why in a sentence that says what to do (a
 * name that cannot be synced, a symbolic link, a folder it may not read).
 */
/** Why a path was left alone: the window says it in the user's language from this. */
export type SkipReason = 'symlink' | 'special' | 'invalid-name' | 'unreadable' | 'case-conflict' | 'ignored';

export interface SkippedPath {
  /** As the report shows it: bytes that are not UTF-8 as `\xHH`. */
  path: string;
  side: 'local' | 'remote';
  reason: SkipReason;
  /** The engine's own words (English): for the technical details and the log. */
  message: string;
}

export interface LastRunSummary {
  conflicts: number;
  /** How many paths failed in all. */
  errors: number;
  /** The first failed paths (at most maxListedRunFailures in shared/ipc/contract.ts). */
  failures: FailedPath[];
  /** How many entries were left alone in all (ignored ones not counted). */
  skipped: number;
  /** The first of them (at most maxListedRunSkips in shared/ipc/contract.ts). */
  skips: SkippedPath[];
}

/**
 * Why a run stopped before deleting:
 * - 'massDelete': it would delete more than half of the synced files (and at least ten);
 * - 'localEmpty': the local folder is empty while the journal remembers synced files;
 * - 'localMissing': the local folder is gone (an unmounted drive looks the same);
 * - 'remoteGone': the server folder is gone.
 */
export type FailSafeReason = 'massDelete' | 'localEmpty' | 'localMissing' | 'remoteGone';

/** One entry the stopped run would have deleted. */
export interface FailSafeDeletion {
  path: string;
  type: 'file' | 'dir';
  /** Where it would be deleted: 'remote' when it is gone here, 'local' when it is gone on the server. */
  side: 'local' | 'remote';
}

export interface FailSafeInfo {
  reason: FailSafeReason;
  /** The first deletions (at most maxListedDeletions in shared/ipc/contract.ts). */
  deletions: FailSafeDeletion[];
  /** How many files would be deleted in all. */
  total: number;
}

/*
 * What the app's window sees over IPC (shared/ipc/contract.ts). Views, not the services' own
 * records: each carries what the window shows and nothing more, never a secret, so that a
 * field added to a service record does not cross the process boundary by accident (the
 * validators in shared/ipc/schemas.ts refuse unknown fields).
 */

/** Per direction, in KiB/s; 0 is unlimited (as electron/webdav/Throttle.ts takes them). */
export interface BandwidthLimits {
  uploadKiBps: number;
  downloadKiBps: number;
}

/** One sync pair as the settings keep it (since format 2). */
export interface PairView {
  /** Stable and opaque; names the pair in every request and event. */
  id: string;
  /** Absolute path of the folder on this computer. */
  localFolder: string;
  /**
   * The folder below the account's WebDAV root, '/'-separated without a leading or trailing '/'
   * ('' for the root), or a full http(s) URL (the settings keep either).
   */
  remoteFolder: string;
  paused: boolean;
  bandwidth: BandwidthLimits;
  /**
   * Selective sync: folders below the pair's remote folder ('/'-separated, relative) that are
   * not synced. Nothing in them is deleted on either side; they are left as they are.
   */
  excludedFolders: string[];
}

/** One pair's SyncStatus, as `status:get` lists them and `status:changed` sends them. */
export interface PairStatus {
  pairId: string;
  status: SyncStatus;
}

/** The signed-in account as the window sees it (never a password or a token). */
export interface AccountInfo {
  userId: string;
  /** The storage node's name, e.g. `seto`. */
  node: string;
  /** The WebDAV root in use: `<origin>/v2/dav/` or `<origin>/dav/`. */
  webdavUrl: string;
  /** How the user signed in. */
  signedInWith: AuthMethod;
  /** What connections use now (an OAuth2 account may be on BASIC after a fallback). */
  method: AuthMethod;
  /** Why an OAuth2 account uses /dav/ with BASIC; null when it does not. */
  fallbackReason: string | null;
  quota: { usedBytes: number; quotaBytes: number } | null;
  /** Why there is no quota; null when there is. */
  quotaProblem: string | null;
  /** Where the secrets are kept (the window says it in its language). */
  secretStore: SecretStoreKind;
}

/** Where secrets are kept: the system's keychain of each system, or memory for this session. */
export type SecretStoreKind = 'macosKeychain' | 'windowsCredentialManager' | 'secretService' | 'session';
export const secretStoreKinds: readonly SecretStoreKind[] = ['macosKeychain', 'windowsCredentialManager', 'secretService', 'session'];

export interface SignInResult {
  account: AccountInfo;
  /** Signed in, but syncing cannot connect yet (say so); null when all is well. */
  problem: ErrorInfo | null;
}

export interface SignOutResult {
  /** False when there was no account to sign out of. */
  signedOut: boolean;
  /** What became of the OAuth2 tokens on the server ('nothing': there were none). */
  revocation: 'revoked' | 'unsupported' | 'failed' | 'nothing';
  revocationError: string | null;
}

// Activity history: one entry per sync run, its files grouped by what happened to them.

/**
 * What happened to the files of a group: added or updated on TeraCLOUD (uploads), added or
 * updated on this computer (downloads), deleted on either side, moved, kept as a conflict, or
 * failed.
 */
export type ActivityGroupKind =
  | 'addedRemote'
  | 'updatedRemote'
  | 'addedLocal'
  | 'updatedLocal'
  | 'deletedRemote'
  | 'deletedLocal'
  | 'moved'
  | 'conflict'
  | 'failed';

export interface ActivityFile {
  /** Relative to the pair's folders, '/'-separated; a move's new path. */
  path: string;
  /** A move's old path; null otherwise. */
  from: string | null;
  /** Why it failed (a 'failed' group); null otherwise. */
  error: ErrorInfo | null;
}

export interface ActivityGroup {
  kind: ActivityGroupKind;
  /** Every file of this kind in the run. */
  count: number;
  /** The first of them (at most maxActivityGroupFiles), in the order they happened. */
  files: ActivityFile[];
}

/** One sync run of one pair, as the activity history keeps it. */
export interface ActivityRun {
  /** Increases with each run recorded, across restarts: the paging cursor (`before`). */
  id: number;
  pairId: string;
  /** ms since the epoch. */
  startedAt: number;
  endedAt: number;
  /** 'interrupted': the run stopped before its end (offline, stopped, signed out). */
  outcome: 'completed' | 'interrupted';
  /** In the order of ActivityGroupKind; only kinds that happened. */
  groups: ActivityGroup[];
  /** The run's folder in the pair's trash (DeletedRunView.runId), when it deleted files on TeraCLOUD. */
  trashRunId?: string;
}

/** One page of the history, newest first; `more`: older runs match too. */
export interface ActivityPage {
  runs: ActivityRun[];
  more: boolean;
}

/** An open conflict: both sides changed a file, the local version was kept aside as `copy`. */
export interface ConflictInfo {
  /** Unique within its pair (each pair has its own journal), so a conflict is named by both. */
  id: number;
  pairId: string;
  path: string;
  /** The conflict copy's path, relative to the pair's local folder. */
  copy: string;
  /** ms since the epoch. */
  createdAt: number;
  /** This computer's version (the conflict copy); null when the copy is gone. */
  mine: FileVersionView | null;
  /** The server's version (the file at `path`, as downloaded); null when it is gone. */
  theirs: FileVersionView | null;
}

/** One version of a file, as the conflicts screen compares them. */
export interface FileVersionView {
  size: number;
  /** ms since the epoch. */
  modifiedMs: number;
}

export type ConflictResolution = 'local' | 'remote' | 'both';

export type BackupPhase = 'scanning' | 'listing' | 'comparing' | 'quota' | 'sending' | 'versioning' | 'pruning' | 'done';

/** A running backup's or restore's progress (`backup:progress`). */
export interface BackupProgress {
  operation: 'backup' | 'restore';
  /** The backup's phase; null for a restore. */
  phase: BackupPhase | null;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** `<source>/<path>` of the file moving now, or null. */
  currentFile: string | null;
  /** Estimated ms left; null until there is a rate. */
  remainingMs: number | null;
}

export interface FileFailureView {
  /** The backup source; null in a restore's summary (one source). */
  source: string | null;
  path: string;
  error: ErrorInfo;
}

/**
 * A backup stopped by the fail-safe: per folder, what it would have moved out of the latest
 * copy (another drive at the same path, a folder swapped). Nothing was changed.
 */
export interface BackupFailSafeView {
  sources: Array<{
    /** The folder's name in the backup area. */
    name: string;
    /** The local folder (absolute). */
    root: string;
    /** Files in its latest copy. */
    backedUp: number;
    /** Of those, the files the backup would move into `.versions/`. */
    wouldMove: number;
    /** Files the local folder holds now. */
    localFiles: number;
    /** The first of the files it would move, relative to the folder (at most maxListedDeletions). */
    paths: string[];
  }>;
}

export interface BackupSummaryView {
  device: string;
  /** The version folder of this run, or null. */
  version: string | null;
  dryRun: boolean;
  /** Files sent (a dry run: files that would be sent). */
  filesSent: number;
  bytesSent: number;
  unchanged: number;
  versioned: number;
  createdFolders: number;
  /** Entries not backed up (symlinks, special files, unreadable folders). */
  skipped: number;
  /** Version folders (or a source's part of one) removed by the retention. */
  pruned: string[];
  /** The first failures (at most maxListedFailures in shared/ipc/contract.ts). */
  failed: FileFailureView[];
  /** How many files failed in all. */
  failedTotal: number;
  durationMs: number;
  /** Why the run stopped before the end; null when it did not. */
  stopped: ErrorInfo | null;
  quota: { neededBytes: number; freeBytes: number } | null;
  /** Present when the fail-safe stopped the run: what it would have moved away. */
  failSafe?: BackupFailSafeView;
}

export interface BackupFileView {
  /** Relative to the source. */
  path: string;
  size: number;
  /** When the server wrote the copy (ms since the epoch). */
  modifiedMs: number;
}

export interface BackupListing {
  device: string;
  /** Every source backed up from this device, by name. */
  sources: string[];
  /** Every version folder of this device, oldest first. */
  versions: string[];
  /** The source asked for, or null. */
  source: string | null;
  /** The version asked for, or null for the latest copy. */
  version: string | null;
  /** The files of `source` (latest copy, or `version`); empty when no source was asked for. */
  files: BackupFileView[];
  /** True when `files` was cut at the listing limit. */
  truncated: boolean;
}

export interface RestoreSummaryView {
  source: string;
  version: string | null;
  path: string;
  /** Absolute local path restored to. */
  target: string;
  restored: number;
  unchanged: number;
  /** Local files renamed aside to make room, with their new absolute path. */
  keptAside: Array<{ path: string; copy: string }>;
  /** The first failures (at most maxListedFailures in shared/ipc/contract.ts). */
  failed: FileFailureView[];
  /** How many files failed in all. */
  failedTotal: number;
  bytes: number;
  durationMs: number;
  stopped: ErrorInfo | null;
}

export type Theme = 'system' | 'light' | 'dark';

/** The window's language; 'system' follows the system's. */
export type Language = 'system' | 'en' | 'ja';

/** The settings the window shows and edits (settings format 4; the proxy has its own methods, proxy:get / proxy:save). */
export interface SettingsView {
  pairs: PairView[];
  sync: {
    /** How often the server is asked for changes. */
    pollIntervalSeconds: number;
    /** How often the local folders are scanned in full, besides the watcher. */
    fullScanMinutes: number;
    /** Patterns (gitignore syntax) never synced in any pair, besides the built-in ones and .terasyncignore. */
    ignorePatterns: string[];
    /** Transfers at the same time, per pair and for the backup. */
    parallelTransfers: number;
    /** A run deleting more than this percent of the synced files (and at least 10) stops and asks (1..99). */
    failSafePercent: number;
    /** Days files deleted on the server stay in the pair's trash (1..365). */
    deletedRetentionDays: number;
  };
  backup: {
    /** Absolute paths of the folders to back up. */
    sources: string[];
    /** The device folder's name in the backup area; null: the computer's name. */
    device: string | null;
    /** Versions older than this are pruned; 0 keeps them all. */
    retentionDays: number;
    /** When the app backs up by itself; 'manual': only when asked. */
    schedule: BackupSchedule;
  };
  app: {
    /** null: not decided yet (the app turns it on after the first sign-in). */
    startAtLogin: boolean | null;
    notifications: boolean;
    theme: Theme;
    language: Language;
  };
  /** Updates of the app itself (electron/app/UpdateController.ts). */
  update: {
    /** false: the app never asks the update feed. */
    enabled: boolean;
    channel: UpdateChannel;
  };
}

/** `settings:update`: any of the fields; pairs change through the pairs:* methods. */
export interface SettingsUpdate {
  sync?: Partial<SettingsView['sync']>;
  backup?: Partial<SettingsView['backup']>;
  /** startAtLogin is the user's decision: true or false, never back to undecided. */
  app?: Partial<Omit<SettingsView['app'], 'startAtLogin'> & { startAtLogin: boolean }>;
  update?: Partial<SettingsView['update']>;
}

// The app's proxy -----------------------------------------------------------------------------

/**
 * How the app's requests go out: 'system' follows the computer's proxy configuration (PAC
 * files included), 'none' goes direct, 'http' / 'socks5' use the proxy at host:port.
 */
export type ProxyMode = 'system' | 'none' | 'http' | 'socks5';

export const proxyModes: readonly ProxyMode[] = ['system', 'none', 'http', 'socks5'];

/** The bounds both validators use (settings.ts and shared/ipc/schemas.ts), and the window. */
export const proxyLimits = { hostLength: 253, userLength: 256, passwordLength: 1_024, port: { min: 1, max: 65_535 } } as const;

/**
 * True when `text` is a bare host name (letters, digits, '.', '-', '_') or IP address (IPv6
 * with or without brackets): no scheme, port, user or space. The one rule for settings.ts,
 * shared/ipc/schemas.ts and the Proxy card.
 */
export function isProxyHost(text: string): boolean {
  return text.length <= proxyLimits.hostLength && /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?|\[?[0-9A-Fa-f:.]+(?:%[A-Za-z0-9]+)?\]?)$/.test(text);
}

/** The proxy setting as settings.json keeps it (settings format 4): no password. */
export interface ProxySettingsView {
  mode: ProxyMode;
  /** The proxy's host name or IP address; '' when none was typed ('system' and 'none' need none). */
  host: string;
  port: number;
  /** The proxy's user name, when it asks for one; null: none. */
  user: string | null;
  /** True when a proxy password is kept in the keychain (the password itself never leaves main). */
  passwordStored: boolean;
}

/** `proxy:save` and `proxy:test`: the proxy setting the user typed. */
export interface ProxySettingsInput {
  mode: ProxyMode;
  host: string;
  port: number;
  /** null or '': no user (and then no password). */
  user: string | null;
  /** A new password; left out: keep the stored one. */
  password?: string;
  /** True: remove the stored password (a new `password` wins). */
  clearPassword?: boolean;
}

/** What "Test connection" found. */
export interface ProxyTestResult {
  /** True when the service answered through the proposed setting. */
  ok: boolean;
  /** The address that was tried (the account's server, or TeraCLOUD's). */
  target: string;
  /** The proxy the request went through, without its password; null: direct. */
  via: string | null;
  /** Why it failed (ProxyAuth, Network, Configuration, Timeout, Tls ...); null when ok. */
  error: ErrorInfo | null;
}

// App updates --------------------------------------------------------------------------------

/** 'stable': releases only; 'beta': pre-releases too (and the releases after them). */
export type UpdateChannel = 'stable' | 'beta';

/**
 * Where the app's own update stands:
 *
 * - disabled: no checks (`disabledReason` says why);
 * - idle: waiting for the next check (`problem` holds the last failure, kept quiet);
 * - checking, downloading (with `percent`): in the background;
 * - ready: `version` is downloaded and verified; "Restart to update" installs it;
 * - installing: the app is stopping to install it.
 */
export type UpdatePhase = 'disabled' | 'idle' | 'checking' | 'downloading' | 'ready' | 'installing';

/**
 * Why updates are off: the setting; a copy run from a checkout or an unpacked folder
 * (`not-packaged`); an install that cannot replace itself, such as an unpacked folder on Linux
 * (`unsupported`); a build with no update feed configured (`no-feed`).
 */
export type UpdateDisabledReason = 'setting' | 'not-packaged' | 'unsupported' | 'no-feed';

/** What keeps a restart waiting: a sync run or a backup (or restore) in progress. */
export type UpdateBusyReason = 'sync' | 'backup';

export interface UpdateStateView {
  phase: UpdatePhase;
  disabledReason: UpdateDisabledReason | null;
  /** The version running now. */
  currentVersion: string;
  /** The newer version being downloaded, ready or being installed. */
  version: string | null;
  /** 0 to 100 while downloading. */
  percent: number | null;
  /** When the feed last answered (whether or not there was an update). */
  lastCheckedAt: number | null;
  /** The last check or download failed: it is tried again by itself at `nextCheckAt`. */
  problem: ErrorInfo | null;
  nextCheckAt: number | null;
  /** The user asked to restart while a run was in progress: it restarts as soon as none is. */
  restartPending: boolean;
  /** A run in progress now, which a restart waits for. */
  busy: UpdateBusyReason | null;
}

/** What the window asks the system's dialog for: a folder, or (caCertificate) a PEM file. */
export type PickPurpose = 'syncFolder' | 'backupSource' | 'restoreTarget' | 'caCertificate';

/** One folder of the server, as the remote folder browser shows it. */
export interface RemoteFolderView {
  name: string;
  /** '/'-separated below the account root, no leading or trailing '/'. */
  path: string;
}

export interface RemoteFolderListing {
  /** The folder listed ('' for the account root). */
  path: string;
  /** Its subfolders, by name. */
  folders: RemoteFolderView[];
  /** How many files it holds directly. */
  files: number;
}

/** What a first sync would do: counts and bytes each way, before it starts. */
export interface PairPreview {
  upload: { files: number; bytes: number };
  download: { files: number; bytes: number };
  createLocalFolders: number;
  createRemoteFolders: number;
  /** Files on both sides that differ: both versions are kept (the local one as a conflict copy). */
  conflicts: number;
  /** Files on both sides; the same content is recorded, a different one becomes a conflict. */
  onBoth: number;
  /** Entries left alone (unreadable, symlinks, names this system refuses). */
  skipped: number;
  /** A few of the conflicting paths, for the preview to name. */
  conflictPaths: string[];
}

/** One backup run, as the backup screen's history lists it. */
export interface BackupRunView {
  /** ms since the epoch. */
  startedAt: number;
  endedAt: number;
  sources: string[];
  dryRun: boolean;
  filesSent: number;
  bytesSent: number;
  versioned: number;
  failedTotal: number;
  /** Why it stopped before the end (cancelled, the quota, ...); null when it did not. */
  stopped: ErrorInfo | null;
  /** The version folder it made, or null. */
  version: string | null;
}

export interface BackupStateView {
  /** The backup or restore that is running, or null. */
  running: { operation: 'backup' | 'restore'; progress: BackupProgress | null } | null;
  /** The latest runs, newest first. */
  history: BackupRunView[];
  /** Present while a backup stopped by the fail-safe waits for an answer (`backup:decideFailSafe`). */
  failSafe?: BackupFailSafeView;
  /** Present while a retry of a backup that could not reach TeraCLOUD is armed: when it runs (ms since the epoch). */
  retryAt?: number;
  /** Present while the schedule (hourly, daily) has a backup armed: when it runs. */
  nextRunAt?: number;
}

/**
 * When the app backs up by itself: 'manual' only when asked, 'hourly' and 'daily' an hour or
 * a day after the last backup, 'login' once when the app starts.
 */
export type BackupSchedule = 'manual' | 'hourly' | 'daily' | 'login';

/**
 * How much a server folder holds, everything below it counted (remote:folderSize). The count
 * stops after a bounded number of folders: then `complete` is false and the figures are a
 * lower bound ("more than").
 */
export interface RemoteFolderSize {
  /** The folder measured, below the account root ('' for the root). */
  path: string;
  bytes: number;
  files: number;
  complete: boolean;
}

/** Free space on the disk that holds a local folder, or would hold it (local:freeSpace). */
export interface LocalFreeSpace {
  /** The folder asked about. */
  path: string;
  /** Bytes this user can still write there. */
  freeBytes: number;
}

// Deleted files: each pair's server-side trash (.terasync-trash) ------------------------------

/** A file a sync deleted on the server, kept in the pair's trash. */
export interface DeletedFileView {
  /** Where it was, relative to the pair's folder (where a restore puts it back). */
  path: string;
  size: number;
}

/** One sync run's deletions: its folder in the trash. */
export interface DeletedRunView {
  /** The run's folder name in the trash (`2026-12-05T235329Z`, or with `-2`). */
  runId: string;
  /** When the run started (ms since the epoch). */
  deletedAt: number;
  files: DeletedFileView[];
  bytes: number;
}

/** What one pair's trash holds; `problem` when it could not be listed. */
export interface PairDeletedFiles {
  pairId: string;
  runs: DeletedRunView[];
  bytes: number;
  problem: ErrorInfo | null;
}

/** The trash of every pair together, for the quota display. */
export interface DeletedFilesUsage {
  bytes: number;
  retentionDays: number;
}

/** A restored entry: its path, and where it went (a restored copy's name when the path was taken). */
export interface RestoredDeletedEntry {
  path: string;
  restoredTo: string;
}
