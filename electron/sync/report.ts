/**
 * What a run did, for the command's `--json`, its terminal output, and the app's activity list.
 */
import type { ErrorCode } from '../../shared/errors.js';
import { maxListedRunFailures, maxListedRunSkips } from '../../shared/limits.js';
import type { LastRunSummary } from '../../shared/types.js';
import type { SkippedEntry } from './model.js';

export interface SyncReport {
  uploaded: string[];
  downloaded: string[];
  deletedLocal: string[];
  deletedRemote: string[];
  createdLocalFolders: string[];
  createdRemoteFolders: string[];
  conflicts: Array<{ path: string; copy: string }>;
  renamedRemote: Array<{ path: string; to: string }>;
  /** Moves and renames carried to the other side as one move (never a delete plus a copy). */
  moved: Array<{ from: string; to: string; side: 'local' | 'remote' }>;
  skipped: SkippedEntry[];
  /** Left for the next run because something changed under us (never an error). */
  deferred: Array<{ path: string; message: string }>;
  errors: Array<{ path: string; code: ErrorCode; message: string }>;
  /** Open conflicts whose copy the user deleted, or renamed over the original, outside the app. */
  resolvedConflicts: ResolvedConflict[];
  /** What the run's deletions on the server moved into the pair's trash (null: nothing). */
  deletedToTrash: DeletedToTrash | null;
}

/** The run's trash folder (`.terasync-trash/<runId>`), the files moved there and their bytes. */
export interface DeletedToTrash {
  runId: string;
  count: number;
  bytes: number;
}

/** A conflict (its journal id and the path it is about) settled outside the app. */
export interface ResolvedConflict {
  id: number;
  path: string;
}

export function emptyReport(): SyncReport {
  return {
    uploaded: [],
    downloaded: [],
    deletedLocal: [],
    deletedRemote: [],
    createdLocalFolders: [],
    createdRemoteFolders: [],
    conflicts: [],
    renamedRemote: [],
    moved: [],
    skipped: [],
    deferred: [],
    errors: [],
    resolvedConflicts: [],
    deletedToTrash: null,
  };
}

/** What a status says of a finished run: its counts, the first failed paths and the first skipped ones. */
export function lastRunSummary(report: SyncReport): LastRunSummary {
  const skipped = report.skipped.filter((entry) => entry.reason !== 'ignored');
  return {
    conflicts: report.conflicts.length,
    errors: report.errors.length,
    failures: report.errors.slice(0, maxListedRunFailures).map((failure) => ({ path: failure.path, error: { code: failure.code, message: failure.message } })),
    skipped: skipped.length,
    skips: skipped.slice(0, maxListedRunSkips).map((entry) => ({ path: entry.path, side: entry.side, reason: entry.reason, message: entry.message })),
  };
}

export type SyncEvent =
  | { type: 'phase'; phase: 'scanning' | 'listing' | 'planning' | 'executing' | 'done'; pass: number }
  | { type: 'planned'; actions: number; bytes: number; pass: number }
  | { type: 'action-start'; action: string; path: string }
  | { type: 'action-done'; action: string; path: string; change?: ActionChange }
  | { type: 'action-deferred'; action: string; path: string; message: string }
  | { type: 'action-failed'; action: string; path: string; code: ErrorCode; message: string }
  | { type: 'transfer'; path: string; bytes: number; total: number }
  /** The run's deletions on the server went to the pair's trash (`.terasync-trash/<runId>`): so far, in all. */
  | { type: 'trashed'; runId: string; count: number; bytes: number };

/**
 * What a finished action changed, as a person would say it (for the app's activity history):
 * a file added, updated, deleted or moved on one side, or kept as a conflict. Left out of an
 * action-done event when the action changed nothing one would list (a folder created, the
 * journal brought up to date, a download that found the file already there).
 */
export interface ActionChange {
  change: 'added' | 'updated' | 'deleted' | 'moved' | 'conflict';
  /** Where it changed: 'remote' on TeraCLOUD, 'local' on this computer. */
  side: 'local' | 'remote';
  /** A move's old path. */
  from?: string;
}
