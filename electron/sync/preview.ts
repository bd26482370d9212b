/**
 * What the first sync of a pair would do, before it starts: the engine's dry run, summed up.
 * Nothing is changed on either side: a missing local folder is not created, a missing server
 * folder is not created, the journal is not written.
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import type { PairPreview } from '../../shared/types.js';
import { SyncEngine, type RunOptions, type SyncEngineDeps } from './engine.js';
import type { SkippedEntry } from './model.js';
import type { Action } from './planner.js';
import { systemClock } from '../core/time.js';
import type { Trash } from './ports.js';

/** The most conflicting paths a preview names. */
export const MAX_PREVIEW_CONFLICT_PATHS = 20;

/**
 * The engine's settings a preview uses, and the run's signal. The journal is the pair's: an
 * empty one for a first sync (`Journal.open(':memory:')` will do).
 */
export type PreviewOptions = Pick<SyncEngineDeps, 'localRoot' | 'remote' | 'journal' | 'logger' | 'platform' | 'caseInsensitive' | 'ignorePatterns' | 'excludedFolders'> &
  Pick<RunOptions, 'signal'>;

/**
 * Counts a plan. Files on both sides are compared by content only when they are synced, so a
 * preview can only tell those whose sizes differ (both versions will be kept: `conflicts`) from
 * those of equal size (`onBoth`: recorded if equal, kept both ways if not).
 */
export function summarisePlan(actions: readonly Action[], skipped: readonly SkippedEntry[]): PairPreview {
  const preview: PairPreview = {
    upload: { files: 0, bytes: 0 },
    download: { files: 0, bytes: 0 },
    createLocalFolders: 0,
    createRemoteFolders: 0,
    conflicts: 0,
    onBoth: 0,
    skipped: skipped.length,
    conflictPaths: [],
  };
  for (const action of actions) {
    switch (action.kind) {
      case 'upload':
        preview.upload.files++;
        preview.upload.bytes += action.local.size;
        break;
      case 'download':
        preview.download.files++;
        preview.download.bytes += action.remote.size;
        break;
      case 'createLocalFolder':
        preview.createLocalFolders++;
        break;
      case 'createRemoteFolder':
        preview.createRemoteFolders++;
        break;
      case 'conflict':
        if (action.local.size === action.remote.size) {
          preview.onBoth++;
        } else {
          preview.conflicts++;
          if (preview.conflictPaths.length < MAX_PREVIEW_CONFLICT_PATHS) preview.conflictPaths.push(action.path);
        }
        break;
      default:
        break;
    }
  }
  return preview;
}

/** A dry run of the pair, summed up; throws what the run would (a fail-safe, a refused sign-in). */
export async function previewSync(options: PreviewOptions): Promise<PairPreview> {
  const engine = new SyncEngine({
    localRoot: options.localRoot,
    remote: options.remote,
    journal: options.journal,
    trash: refusingTrash,
    // A dry run reads no time and moves no file: conflict copies are never named.
    clock: systemClock,
    logger: options.logger,
    device: 'preview',
    platform: options.platform,
    concurrency: 1,
    caseInsensitive: options.caseInsensitive,
    ignorePatterns: options.ignorePatterns,
    excludedFolders: options.excludedFolders,
  });
  const { report, planned } = await engine.runOnce({ dryRun: true, signal: options.signal });
  return summarisePlan(planned, report.skipped);
}

/** A dry run deletes nothing; should that ever change, the preview fails instead of deleting. */
const refusingTrash: Trash = {
  trash: async (absolutePath) => {
    throw new TeraSyncError(ErrorCode.Internal, `a preview must not delete anything (asked to trash ${absolutePath})`);
  },
};
