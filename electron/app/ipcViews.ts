/**
 * The services' records as the IPC contract's views (shared/types.ts): what the handlers and
 * events of the composition root answer. Pure functions; each picks the fields a view has, so a
 * field added to a service record (a token, a path list of a million entries) never reaches the
 * window by accident, and long lists are cut where the contract says.
 */
import type { ErrorInfo } from '../../shared/errors.js';
import { maxListedBackupFiles, maxListedDeletions, maxListedFailures } from '../../shared/ipc/contract.js';
import type {
  AccountInfo,
  BackupFailSafeView,
  BackupListing,
  BackupPhase,
  BackupProgress,
  BackupSummaryView,
  ConflictInfo,
  FileFailureView,
  FileVersionView,
  PairView,
  RestoreSummaryView,
  SettingsView,
  SignOutResult,
} from '../../shared/types.js';
import type { AccountInfo as AccountServiceInfo, SignOutReport } from '../auth/AccountService.js';
import type { BackupFailSafe, BackupSummary, Progress } from '../backup/model.js';
import type { RestoreSummary, SourceListing } from '../backup/Restore.js';
import type { ConflictRecord } from '../sync/journal.js';
import type { PairSettings, Settings } from './settings.js';

function bytes(value: number): number {
  return Math.max(0, Math.round(value));
}

function errorInfo(error: ErrorInfo): ErrorInfo {
  return { code: error.code, message: error.message };
}

export function accountInfoView(info: AccountServiceInfo): AccountInfo {
  return {
    userId: info.userId,
    node: info.node,
    webdavUrl: info.webdavUrl,
    signedInWith: info.signedInWith,
    method: info.method,
    fallbackReason: info.fallbackReason,
    quota: info.quota === null ? null : { usedBytes: bytes(info.quota.usedBytes), quotaBytes: bytes(info.quota.quotaBytes) },
    quotaProblem: info.quotaProblem,
    secretStore: info.secretStoreKind,
  };
}

export function pairView(pair: PairSettings): PairView {
  return {
    id: pair.id,
    localFolder: pair.localFolder,
    remoteFolder: pair.remoteFolder,
    paused: pair.paused,
    bandwidth: { uploadKiBps: pair.bandwidth.upKiBps, downloadKiBps: pair.bandwidth.downKiBps },
    excludedFolders: [...pair.excludedFolders],
  };
}

export function settingsView(settings: Settings): SettingsView {
  return {
    pairs: settings.pairs.map(pairView),
    sync: {
      pollIntervalSeconds: settings.sync.pollIntervalSeconds,
      fullScanMinutes: settings.sync.fullScanMinutes,
      ignorePatterns: [...settings.sync.ignorePatterns],
      parallelTransfers: settings.sync.parallelTransfers,
      failSafePercent: settings.sync.failSafePercent,
      deletedRetentionDays: settings.sync.deletedRetentionDays,
    },
    backup: { sources: [...settings.backup.sources], device: settings.backup.device, retentionDays: settings.backup.retentionDays, schedule: settings.backup.schedule },
    app: { startAtLogin: settings.app.startAtLogin, notifications: settings.app.notifications, theme: settings.app.theme, language: settings.app.language },
    update: { enabled: settings.update.enabled, channel: settings.update.channel },
  };
}

export function signOutView(report: SignOutReport): SignOutResult {
  return { signedOut: report.signedOut, revocation: report.revocation, revocationError: report.revocationError };
}

/** `mine`: the conflict copy (this computer's version); `theirs`: the file at the path (the server's). */
export function conflictInfo(record: ConflictRecord, pairId: string, mine: FileVersionView | null, theirs: FileVersionView | null): ConflictInfo {
  return {
    id: record.id,
    pairId,
    path: record.path,
    copy: record.copy,
    createdAt: record.createdAt,
    mine: mine === null ? null : { size: bytes(mine.size), modifiedMs: mine.modifiedMs },
    theirs: theirs === null ? null : { size: bytes(theirs.size), modifiedMs: theirs.modifiedMs },
  };
}

export function backupProgressView(operation: 'backup' | 'restore', phase: BackupPhase | null, progress: Progress): BackupProgress {
  return {
    operation,
    phase: operation === 'backup' ? phase : null,
    filesDone: progress.filesDone,
    filesTotal: progress.filesTotal,
    bytesDone: bytes(progress.bytesDone),
    bytesTotal: bytes(progress.bytesTotal),
    currentFile: progress.currentFile,
    remainingMs: progress.remainingMs,
  };
}

function failures(list: ReadonlyArray<{ source?: string; path: string; code: ErrorInfo['code']; message: string }>): FileFailureView[] {
  return list.slice(0, maxListedFailures).map((failure) => ({
    source: failure.source ?? null,
    path: failure.path,
    error: { code: failure.code, message: failure.message },
  }));
}

/** What a backup stopped by the fail-safe would have moved away. */
export function backupFailSafeView(failSafe: BackupFailSafe): BackupFailSafeView {
  return {
    sources: failSafe.sources.map((source) => ({
      name: source.name,
      root: source.root,
      backedUp: source.backedUp,
      wouldMove: source.wouldMove,
      localFiles: source.localFiles,
      paths: source.paths.slice(0, maxListedDeletions),
    })),
  };
}

export function backupSummaryView(summary: BackupSummary): BackupSummaryView {
  // A dry run sent nothing: it tells what it would send.
  const planned = summary.plan.filter((item) => item.action === 'send-new' || item.action === 'send-changed');
  return {
    ...(summary.failSafe === null ? {} : { failSafe: backupFailSafeView(summary.failSafe) }),
    device: summary.device,
    version: summary.version,
    dryRun: summary.dryRun,
    filesSent: summary.dryRun ? planned.length : summary.sent.length,
    bytesSent: bytes(summary.dryRun ? planned.reduce((sum, item) => sum + item.bytes, 0) : summary.bytesSent),
    unchanged: summary.unchanged,
    versioned: summary.versioned.length,
    createdFolders: summary.createdFolders,
    skipped: summary.skipped.length,
    pruned: [...summary.pruned],
    failed: failures(summary.failed),
    failedTotal: summary.failed.length,
    durationMs: summary.durationMs,
    stopped: summary.stopped === null ? null : errorInfo(summary.stopped),
    quota: summary.quota === null ? null : { neededBytes: bytes(summary.quota.neededBytes), freeBytes: bytes(summary.quota.freeBytes) },
  };
}

export function restoreSummaryView(summary: RestoreSummary): RestoreSummaryView {
  return {
    source: summary.source,
    version: summary.version,
    path: summary.path,
    target: summary.target,
    restored: summary.restored.length,
    unchanged: summary.unchanged.length,
    keptAside: summary.keptAside.map((item) => ({ path: item.path, copy: item.copy })),
    failed: failures(summary.failed),
    failedTotal: summary.failed.length,
    bytes: bytes(summary.bytes),
    durationMs: summary.durationMs,
    stopped: summary.stopped === null ? null : errorInfo(summary.stopped),
  };
}

export interface BackupListingInput {
  device: string;
  sources: string[];
  versions: string[];
  /** The source asked for, listed (Restore's listSource); null when none was asked for. */
  listing: SourceListing | null;
  version: string | null;
}

/** `backup:list`: a source's latest copy or one version of it, cut at maxListedBackupFiles. */
export function backupListingView(input: BackupListingInput): BackupListing {
  const files =
    input.listing === null
      ? []
      : input.version === null
        ? input.listing.latest
        : (input.listing.versions.find((item) => item.version === input.version)?.files ?? []);
  return {
    device: input.device,
    sources: [...input.sources],
    versions: [...input.versions],
    source: input.listing?.source ?? null,
    version: input.listing === null ? null : input.version,
    files: files.slice(0, maxListedBackupFiles).map((file) => ({ path: file.path, size: bytes(file.size), modifiedMs: file.modifiedMs })),
    truncated: files.length > maxListedBackupFiles,
  };
}
