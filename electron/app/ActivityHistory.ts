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
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { activityRetentionMs, maxActivityPage, maxActivityRuns, type ActivityListRequest } from '../../shared/ipc/contract.js';
import { validateActivityRuns } from '../../shared/ipc/schemas.js';
import type { ActivityPage, ActivityRun } from '../../shared/types.js';
import type { Logger } from '../core/logger.js';
import type { ActivityRunDraft } from './activityRuns.js';

export const activityHistoryFileName = 'activity-history.json';
const formatVersion = 1;

/** The file operations the history uses; tests put faults in them. */
export interface ActivityHistoryFileSystem {
  readFile(file: string, encoding: 'utf8'): Promise<string>;
  writeFile(file: string, text: string, encoding: 'utf8'): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(folder: string, options: { recursive: true }): Promise<unknown>;
}

const nodeFileSystem: ActivityHistoryFileSystem = {
  readFile: (file, encoding) => fs.readFile(file, encoding),
  writeFile: (file, text, encoding) => fs.writeFile(file, text, encoding),
  rename: (from, to) => fs.rename(from, to),
  mkdir: (folder, options) => fs.mkdir(folder, options),
};

export interface ActivityHistoryOptions {
  logger: Logger;
  now: () => number;
  fileSystem?: ActivityHistoryFileSystem;
}

export class ActivityHistory {
  /** Newest first. */
  private runs: ActivityRun[] = [];
  private nextId = 1;
  private loaded: Promise<void> | null = null;
  private writing: Promise<void> = Promise.resolve();
  private readonly file: string;
  private readonly fs: ActivityHistoryFileSystem;

  constructor(
    folder: string,
    private readonly options: ActivityHistoryOptions,
  ) {
    this.file = path.join(folder, activityHistoryFileName);
    this.fs = options.fileSystem ?? nodeFileSystem;
  }

  get fileName(): string {
    return this.file;
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
    const oldest = this.options.now() - activityRetentionMs;
    this.runs = this.runs.filter((run) => run.endedAt >= oldest).slice(0, maxActivityRuns);
  }

  private save(): Promise<void> {
    const text = `${JSON.stringify({ version: formatVersion, nextId: this.nextId, runs: this.runs })}\n`;
    this.writing = this.writing.then(() => this.write(text));
    return this.writing;
  }

  private load(): Promise<void> {
    this.loaded ??= this.read();
    return this.loaded;
  }

  private async read(): Promise<void> {
    let text: string;
    try {
      text = await this.fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.options.logger.warn(`activity history: ${(error as Error).message}`);
      return;
    }
    try {
      const json = JSON.parse(text) as { version?: unknown; nextId?: unknown; runs?: unknown };
      if (json.version !== formatVersion) throw new Error(`unknown format ${String(json.version)}`);
      // The same rules as what the window accepts: a file that breaks them is not shown.
      const checked = validateActivityRuns(json.runs);
      if (!checked.ok) throw new Error(checked.error.message);
      const runs = checked.value.sort((a, b) => b.id - a.id);
      const highest = runs[0]?.id ?? 0;
      const nextId = typeof json.nextId === 'number' && Number.isSafeInteger(json.nextId) ? json.nextId : 1;
      this.runs = runs;
      this.nextId = Math.max(nextId, highest + 1);
    } catch (error) {
      const aside = `${this.file}.corrupt-${this.options.now()}`;
      this.options.logger.warn(`activity history: ${(error as Error).message}; moved to ${aside}, starting a new one`);
      await this.fs.rename(this.file, aside).catch(() => undefined);
    }
  }

  private async write(text: string): Promise<void> {
    const temp = `${this.file}.tmp`;
    try {
      await this.fs.mkdir(path.dirname(this.file), { recursive: true });
      await this.fs.writeFile(temp, text, 'utf8');
      await this.fs.rename(temp, this.file);
    } catch (error) {
      this.options.logger.warn(`activity history could not be saved: ${(error as Error).message}`);
    }
  }
}
