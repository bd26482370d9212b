/**
 * The activity history: the sync runs that changed something, newest first, kept in
 * activity-history.json in the app's data folder so that it outlives a restart. Bounded twice:
 * a run older than activityRetentionMs (30 days) is dropped, and never more than
 * maxActivityRuns (500) are kept. Each run's groups list at most maxActivityGroupFiles files.
 *
 * Writes are atomic: the whole file goes to a temporary file that is then renamed over the old
 * one, so a crash mid-write leaves the previous history, never half of one. What the file holds
 * is a record for the user, nothing the sync needs: a damaged file is moved aside
 * (activity-history.json.corrupt-<time>) and the history starts again, and a write that fails
 * is logged, never thrown into the sync run that just ended.
 */
import path from 'node:path';
import { activityRetentionMs, maxActivityPage, maxActivityRuns, type ActivityListRequest } from '../../shared/ipc/contract.js';
import { validateActivityRuns } from '../../shared/ipc/schemas.js';
import type { ActivityPage, ActivityRun } from '../../shared/types.js';
import type { Logger } from '../core/logger.js';
import type { WallClock } from '../core/time.js';
import type { ActivityRunDraft } from './activityRuns.js';
import { HistoryFile, type HistoryFileSystem } from './HistoryFile.js';

export const activityHistoryFileName = 'activity-history.json';
const formatVersion = 1;

/** The file operations the history uses; tests put faults in them. */
export type ActivityHistoryFileSystem = HistoryFileSystem;

export interface ActivityHistoryOptions {
  logger: Logger;
  clock: WallClock;
  fileSystem?: ActivityHistoryFileSystem;
}

export class ActivityHistory {
  /** Newest first. */
  private runs: ActivityRun[] = [];
  private nextId = 1;
  private loaded: Promise<void> | null = null;
  private readonly history: HistoryFile<{ runs: ActivityRun[]; nextId: number }>;

  constructor(
    folder: string,
    private readonly options: ActivityHistoryOptions,
  ) {
    this.history = new HistoryFile({
      file: path.join(folder, activityHistoryFileName),
      what: 'activity history',
      logger: options.logger,
      clock: options.clock,
      ...(options.fileSystem === undefined ? {} : { fileSystem: options.fileSystem }),
      parse: (value) => {
        const json = value as { version?: unknown; nextId?: unknown; runs?: unknown };
        if (json.version !== formatVersion) throw new Error(`unknown format ${String(json.version)}`);
        // The same rules as what the window accepts: a file that breaks them is not shown.
        const checked = validateActivityRuns(json.runs);
        if (!checked.ok) throw new Error(checked.error.message);
        const runs = checked.value.sort((a, b) => b.id - a.id);
        const highest = runs[0]?.id ?? 0;
        const nextId = typeof json.nextId === 'number' && Number.isSafeInteger(json.nextId) ? json.nextId : 1;
        return { runs, nextId: Math.max(nextId, highest + 1) };
      },
    });
  }

  get fileName(): string {
    return this.history.file;
  }

  /**
   * One page, newest first: the runs of `pairId` (all pairs when left out) older than the run
   * `before`, each with only its groups of `kinds` (a run with none of them is left out).
   */
  async list(request: ActivityListRequest): Promise<ActivityPage> {
    await this.load();
    this.prune();
    const limit = Math.max(1, Math.min(request.limit, maxActivityPage));
    const kinds = request.kinds === undefined ? null : new Set(request.kinds);
    const runs: ActivityRun[] = [];
    for (const run of this.runs) {
      if (request.before !== undefined && run.id >= request.before) continue;
      if (request.pairId !== undefined && run.pairId !== request.pairId) continue;
      const groups = kinds === null ? run.groups : run.groups.filter((group) => kinds.has(group.kind));
      if (groups.length === 0) continue;
      if (runs.length === limit) return { runs, more: true };
      runs.push(structuredClone({ ...run, groups }));
    }
    return { runs, more: false };
  }

  /** Records a finished run (its id given here) and saves the history; answers the run as recorded. */
  async add(draft: ActivityRunDraft): Promise<ActivityRun> {
    await this.load();
    const run: ActivityRun = { id: this.nextId, ...structuredClone(draft) };
    this.nextId += 1;
    this.runs.unshift(run);
    this.prune();
    await this.save();
    return structuredClone(run);
  }

  /** Drops the runs past the bounds: older than the retention, beyond the most kept. */
  private prune(): void {
    const oldest = this.options.clock.now() - activityRetentionMs;
    this.runs = this.runs.filter((run) => run.endedAt >= oldest).slice(0, maxActivityRuns);
  }

  private save(): Promise<void> {
    return this.history.save({ version: formatVersion, nextId: this.nextId, runs: this.runs });
  }

  private load(): Promise<void> {
    this.loaded ??= this.history.load().then((saved) => {
      if (saved === null) return;
      this.runs = saved.runs;
      this.nextId = saved.nextId;
    });
    return this.loaded;
  }
}
