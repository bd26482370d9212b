/**
 * A run stopped by a fail-safe, with what it would have deleted: the app shows the list and
 * asks the user to go ahead (`allowMassDelete`) or to bring everything back
 * (`restoreDeletions`). Only the code and message survive IPC as an error; the details travel
 * in the status (SyncStatus.failSafe).
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { maxListedDeletions } from '../../shared/limits.js';
import type { FailSafeDeletion, FailSafeInfo, FailSafeReason } from '../../shared/types.js';
import type { JournalEntry } from './model.js';
import { countFileDeletions, type Action } from './planner.js';

export class FailSafeError extends TeraSyncError {
  readonly info: FailSafeInfo;

  constructor(info: FailSafeInfo, message: string) {
    super(ErrorCode.FailSafeTriggered, message);
    this.info = info;
  }
}

/** The planned deletions of a run stopped by the mass-delete check. */
export function massDeleteInfo(actions: readonly Action[]): FailSafeInfo {
  const deletions: FailSafeDeletion[] = [];
  for (const action of actions) {
    if (deletions.length >= maxListedDeletions) break;
    if (action.kind === 'deleteRemote' || action.kind === 'deleteLocal') {
      deletions.push({ path: action.path, type: action.type, side: action.kind === 'deleteRemote' ? 'remote' : 'local' });
    }
  }
  return { reason: 'massDelete', deletions, total: countFileDeletions(actions) };
}

/**
 * What the journal remembers, as deletions on `side`: a run that found one side empty or gone
 * would have carried that to the other side for every entry.
 */
export function journalDeletionInfo(reason: Exclude<FailSafeReason, 'massDelete'>, entries: readonly JournalEntry[], side: FailSafeDeletion['side']): FailSafeInfo {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    reason,
    deletions: sorted.slice(0, maxListedDeletions).map((entry) => ({ path: entry.path, type: entry.type, side })),
    total: entries.filter((entry) => entry.type === 'file').length,
  };
}
