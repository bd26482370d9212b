/**
 * The activity: each running pair's sync events collected into runs (activityRuns.ts), the runs
 * that changed something written to the history (ActivityHistory.ts) and told to the window.
 */
import type { ActivityListRequest } from '../../../shared/ipc/contract.js';
import type { ActivityPage } from '../../../shared/types.js';
import type { Logger } from '../../core/logger.js';
import type { Clock } from '../../core/time.js';
import type { SyncEvent } from '../../sync/report.js';
import { ActivityHistory } from '../ActivityHistory.js';
import { ActivityRunCollector, type ActivityRunDraft } from '../activityRuns.js';
import type { IpcEventHub } from '../IpcEventHub.js';

export interface ActivityServiceDeps {
  appDataFolder: string;
  clock: Clock;
  logger: Logger;
  events: IpcEventHub;
}

export class ActivityService {
  /** The sync runs that changed something, kept across restarts. */
  readonly history: ActivityHistory;
  /** Each running pair's run being collected. */
  private readonly activityRuns = new Map<string, ActivityRunCollector>();
  /** Runs being written to the history, awaited by flush(). */
  private activityWrites: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ActivityServiceDeps) {
    this.history = new ActivityHistory(deps.appDataFolder, { logger: deps.logger, clock: deps.clock });
  }

  /** A page of the activity history (see ActivityHistory.list). */
  list(request: ActivityListRequest): Promise<ActivityPage> {
    return this.history.list(request);
  }

  /** Feeds one of a pair's sync events to its run; a run that ends is recorded. */
  activityEvent(pairId: string, event: SyncEvent): void {
    let collector = this.activityRuns.get(pairId);
    if (collector === undefined) {
      collector = new ActivityRunCollector(pairId);
      this.activityRuns.set(pairId, collector);
    }
    this.recordRun(collector.add(event, this.deps.clock.now()));
  }

  /** Ends a pair's open run as interrupted (its service stopped, failed or went offline). */
  interruptRun(pairId: string): void {
    const collector = this.activityRuns.get(pairId);
    if (collector?.open === true) this.recordRun(collector.finish('interrupted', this.deps.clock.now()));
  }

  /** A pair stopped: its open run ends as interrupted, and its collector goes. */
  pairStopped(pairId: string): void {
    this.interruptRun(pairId);
    this.activityRuns.delete(pairId);
  }

  /** Resolves when every run recorded so far is written. */
  flush(): Promise<void> {
    return this.activityWrites;
  }

  private recordRun(draft: ActivityRunDraft | null): void {
    if (draft === null) return;
    const written = this.history.add(draft).then(
      (run) => void this.deps.events.emit('activity:runAdded', run),
      (error: unknown) => this.deps.logger.warn(`activity history: ${String(error)}`),
    );
    this.activityWrites = this.activityWrites.then(() => written);
  }
}
