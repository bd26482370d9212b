/**
 * Turns one pair's stream of SyncEvents into activity runs: everything between a run's first
 * event and its 'done' phase is one run, its files grouped by what happened to them (added to
 * TeraCLOUD, updated on this computer, deleted on TeraCLOUD, ...). Each group counts all of its
 * files and lists the first maxActivityGroupFiles, so a run of 100,000 files stays small. A run
 * that changed nothing is no run at all (the poll every 30 seconds would bury the history).
 */
import { maxActivityGroupFiles } from '../../shared/ipc/contract.js';
import type { ActivityFile, ActivityGroup, ActivityGroupKind, ActivityRun } from '../../shared/types.js';
import type { ActionChange, SyncEvent } from '../sync/report.js';

/** The order groups are listed in, within a run. */
export const activityGroupOrder: readonly ActivityGroupKind[] = [
  'addedRemote',
  'updatedRemote',
  'addedLocal',
  'updatedLocal',
  'deletedRemote',
  'deletedLocal',
  'moved',
  'conflict',
  'failed',
];

/** A run as recorded, before the history gives it its id. */
export type ActivityRunDraft = Omit<ActivityRun, 'id'>;

export function groupKindOf(change: ActionChange): ActivityGroupKind {
  switch (change.change) {
    case 'added':
      return change.side === 'remote' ? 'addedRemote' : 'addedLocal';
    case 'updated':
      return change.side === 'remote' ? 'updatedRemote' : 'updatedLocal';
    case 'deleted':
      return change.side === 'remote' ? 'deletedRemote' : 'deletedLocal';
    case 'moved':
      return 'moved';
    case 'conflict':
      return 'conflict';
  }
}

export class ActivityRunCollector {
  private startedAt: number | null = null;
  private groups = new Map<ActivityGroupKind, ActivityGroup>();
  private trashRunId: string | null = null;

  constructor(private readonly pairId: string) {}

  /** True while a run is open (its first event seen, its end not yet). */
  get open(): boolean {
    return this.startedAt !== null;
  }

  /**
   * Takes one event at time `now`; answers the finished run when the event ends one that
   * changed something, else null.
   */
  add(event: SyncEvent, now: number): ActivityRunDraft | null {
    if (event.type === 'phase' && event.phase === 'done') return this.finish('completed', now);
    this.startedAt ??= now;
    if (event.type === 'action-done' && event.change !== undefined) {
      this.file(groupKindOf(event.change), { path: event.path, from: event.change.from ?? null, error: null });
    } else if (event.type === 'action-failed') {
      this.file('failed', { path: event.path, from: null, error: { code: event.code, message: event.message } });
    } else if (event.type === 'trashed') {
      this.trashRunId = event.runId;
    }
    return null;
  }

  /**
   * Ends the open run (a run also ends by its 'done' phase): 'interrupted' when the service
   * stopped or failed before the end. Null when no run is open or it changed nothing.
   */
  finish(outcome: ActivityRun['outcome'], now: number): ActivityRunDraft | null {
    const startedAt = this.startedAt;
    const groups = activityGroupOrder.flatMap((kind) => {
      const group = this.groups.get(kind);
      return group === undefined ? [] : [group];
    });
    const trashRunId = this.trashRunId;
    this.startedAt = null;
    this.groups = new Map();
    this.trashRunId = null;
    if (startedAt === null || groups.length === 0) return null;
    return { pairId: this.pairId, startedAt, endedAt: Math.max(startedAt, now), outcome, groups, ...(trashRunId === null ? {} : { trashRunId }) };
  }

  private file(kind: ActivityGroupKind, file: ActivityFile): void {
    let group = this.groups.get(kind);
    if (group === undefined) {
      group = { kind, count: 0, files: [] };
      this.groups.set(kind, group);
    }
    group.count += 1;
    if (group.files.length < maxActivityGroupFiles) group.files.push(file);
  }
}
