/**
 * What a backup or a restore tells while it runs (events, for the progress line, the app's
 * window and its notification) and what it reports at the end (a summary, for `--json`).
 */
import type { ErrorCode, ErrorInfo } from '../../shared/errors.js';
import type { BackupPhase, BackupProgress } from '../../shared/types.js';
import type { BackupRule } from './planBackup.js';

/** How far a backup or restore is: BackupProgress of the window without what the caller adds (operation, phase). */
export type Progress = Omit<BackupProgress, 'operation' | 'phase'>;

export type BackupEvent =
  | { type: 'phase'; phase: BackupPhase; source?: string }
  /** What the run will send, once every comparison is done. */
  | { type: 'planned'; files: number; bytes: number }
  | { type: 'quota'; checked: boolean; neededBytes: number; freeBytes: number | null; message: string | null }
  | ({ type: 'progress' } & Progress)
  | { type: 'file'; source: string; path: string; outcome: 'sent' | 'unchanged' | 'versioned' | 'pruned'; bytes?: number }
  | { type: 'file-failed'; source: string; path: string; code: ErrorCode; message: string };

export interface FileFailure {
  source: string;
  path: string;
  code: ErrorCode;
  message: string;
}

/** One line of a dry run. */
export interface PlannedItem {
  source: string;
  path: string;
  action: 'send-new' | 'send-changed' | 'compare' | 'version' | 'create-folder' | 'invalid-name';
  rule: BackupRule;
  bytes: number;
}

/** A run stopped by the fail-safe: per source, what it would have moved out of the latest copy. */
export interface BackupFailSafe {
  sources: Array<{
    name: string;
    /** The local folder. */
    root: string;
    /** Files in its latest copy on the server. */
    backedUp: number;
    /** Of those, the files the run would have moved into `.versions/`. */
    wouldMove: number;
    /** Files the local folder holds now. */
    localFiles: number;
    /** The first of the files it would have moved (at most maxListedDeletions), relative to the source. */
    paths: string[];
  }>;
}

export interface BackupSummary {
  device: string;
  /** The version folder of this run (`.versions/<stamp>/`), whether or not it holds anything. */
  version: string | null;
  sources: Array<{ name: string; root: string }>;
  sent: Array<{ source: string; path: string; bytes: number }>;
  /** Files already backed up as they are (not sent again). */
  unchanged: number;
  /** Copies moved into `.versions/<version>/` (replaced by a newer one, or removed locally). */
  versioned: Array<{ source: string; path: string }>;
  createdFolders: number;
  failed: FileFailure[];
  /** Local entries not backed up: symlinks, special files, unreadable folders. */
  skipped: Array<{ source: string; path: string; reason: string; message: string }>;
  /** Version folders (or a source's part of one) removed by the retention. */
  pruned: string[];
  bytesSent: number;
  durationMs: number;
  /** Why the run stopped before the end (507, refused credentials, cancel, network); null when it did not. */
  stopped: ErrorInfo | null;
  dryRun: boolean;
  /** A dry run: what would be done. */
  plan: PlannedItem[];
  /** The quota check: null when it was not made. */
  quota: { neededBytes: number; freeBytes: number } | null;
  /** The fail-safe stopped the run (`stopped` says why): what it would have moved; null otherwise. */
  failSafe: BackupFailSafe | null;
}

/** Time left at the rate so far; null before a second has passed or a byte has moved. */
export function estimateRemainingMs(bytesDone: number, bytesTotal: number, elapsedMs: number): number | null {
  if (bytesDone <= 0 || elapsedMs < 1000) return null;
  const left = Math.max(0, bytesTotal - bytesDone);
  return Math.ceil(left / (bytesDone / elapsedMs));
}
