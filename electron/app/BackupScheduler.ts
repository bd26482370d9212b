/**
 * When the app backs up by itself: a retry after a backup that failed because TeraCLOUD could
 * not be reached, and the optional schedule (`backup.schedule`).
 *
 * | event                                   | what it arms                                             |
 * | --------------------------------------- | -------------------------------------------------------- |
 * | a backup failed offline (network, 5xx)  | a retry after 1, 2, 5, 15, then every 30 minutes         |
 * | the connection is known to be back      | the pending retry at once (a pair online again, resume)  |
 * | a backup ended otherwise (ok, cancelled,| no retry (nothing to retry, or the user's decision);     |
 * |   refused sign-in, fail-safe, ...)      | the backoff starts over                                  |
 * | schedule hourly / daily                 | a run an hour / a day after the last one started          |
 * | schedule login                          | one run when the app starts (at login, with start at login) |
 *
 * A retry is only promised (`retryAt`) while its timer is armed, and a scheduled time only
 * shown (`nextRunAt`) while that one is. Timers come from the injected Scheduler and Clock,
 * so tests run on virtual time.
 */
import type { BackupSchedule } from '../../shared/types.js';
import type { Clock, Scheduler } from '../core/time.js';

export type { BackupSchedule };

export const backupSchedules: readonly BackupSchedule[] = ['manual', 'hourly', 'daily', 'login'];

const minute = 60_000;

/** The waits between retries after connection failures; the last one repeats. */
export const backupRetryDelaysMs: readonly number[] = [1 * minute, 2 * minute, 5 * minute, 15 * minute, 30 * minute];

/** How long after the last run a scheduled run is due. */
export const scheduleIntervalMs: Readonly<Record<'hourly' | 'daily', number>> = { hourly: 60 * minute, daily: 24 * 60 * minute };

/** How a backup ended, as the scheduler needs to know it. */
export type BackupOutcome = 'ok' | 'offline' | 'other';

export type BackupTrigger = 'retry' | 'schedule' | 'login';

export interface BackupSchedulerDeps {
  clock: Clock;
  scheduler: Scheduler;
  /**
   * Starts a backup of the configured folders, which reports its start and end through
   * `began()` and `ended()`; resolves when it is over. Never rejects. A run that could not
   * start (nothing to back up, signed out) is simply not reported.
   */
  run(trigger: BackupTrigger): Promise<void>;
  /** retryAt or nextRunAt changed. */
  onChange?(): void;
}

export interface BackupTimes {
  /** When the failed backup is tried again; null: no retry is armed. */
  retryAt: number | null;
  /** When the schedule runs the next backup; null: manual, login, or nothing armed. */
  nextRunAt: number | null;
}

export class BackupScheduler {
  private readonly deps: BackupSchedulerDeps;
  private schedule: BackupSchedule = 'manual';
  /** When the last backup (not a dry run) started; null: never. */
  private lastRunAt: number | null = null;
  /** Failed attempts in a row on connection failures. */
  private failures = 0;
  private retry: { at: number; cancel: () => void } | null = null;
  private next: { at: number; cancel: () => void } | null = null;
  private disposed = false;

  constructor(deps: BackupSchedulerDeps) {
    this.deps = deps;
  }

  times(): BackupTimes {
    return { retryAt: this.retry?.at ?? null, nextRunAt: this.next?.at ?? null };
  }

  /**
   * The app started: the schedule and when the last backup started (from the history).
   * With the 'login' schedule, a backup runs now.
   */
  start(schedule: BackupSchedule, lastRunAt: number | null): void {
    if (this.disposed) return;
    this.lastRunAt = lastRunAt;
    this.schedule = schedule;
    if (schedule === 'login') void this.deps.run('login');
    this.armNext();
    this.changed();
  }

  /** The setting changed: the next scheduled run follows the new one. */
  setSchedule(schedule: BackupSchedule): void {
    if (this.disposed || schedule === this.schedule) return;
    this.schedule = schedule;
    this.armNext();
    this.changed();
  }

  /** A backup started (by the user, the schedule or a retry): the pending retry is its job now. */
  began(at: number): void {
    if (this.disposed) return;
    this.lastRunAt = at;
    this.cancelRetry();
    this.armNext();
    this.changed();
  }

  /** A backup ended: an offline failure arms the next retry, anything else ends the retries. */
  ended(outcome: BackupOutcome): void {
    if (this.disposed) return;
    this.cancelRetry();
    if (outcome === 'offline') {
      const delay = backupRetryDelaysMs[Math.min(this.failures, backupRetryDelaysMs.length - 1)] as number;
      this.failures++;
      const at = this.deps.clock.now() + delay;
      const cancel = this.deps.scheduler.schedule(delay, () => this.fire('retry'));
      this.retry = { at, cancel };
    } else {
      this.failures = 0;
    }
    this.changed();
  }

  /** The connection is known to be back (a pair online again, the system resumed or went online): a pending retry runs now. */
  connectionBack(): void {
    if (this.disposed || this.retry === null) return;
    this.fire('retry');
  }

  dispose(): void {
    this.disposed = true;
    this.cancelRetry();
    this.next?.cancel();
    this.next = null;
  }

  private fire(trigger: BackupTrigger): void {
    if (this.disposed) return;
    if (trigger === 'retry') this.cancelRetry();
    else {
      this.next?.cancel();
      this.next = null;
    }
    this.changed();
    void this.deps.run(trigger).then(() => {
      // A scheduled run that did not start (nothing to back up, signed out) is due again an
      // interval later, not at once.
      if (!this.disposed && trigger === 'schedule' && this.next === null) {
        this.armNext(this.deps.clock.now());
        this.changed();
      }
    });
  }

  private cancelRetry(): void {
    this.retry?.cancel();
    this.retry = null;
  }

  /** Arms the next scheduled run: an interval after `from` (default: the last run, or now when there was none). */
  private armNext(from: number | null = this.lastRunAt): void {
    this.next?.cancel();
    this.next = null;
    if (this.schedule !== 'hourly' && this.schedule !== 'daily') return;
    const now = this.deps.clock.now();
    const at = Math.max(now, (from ?? now) + scheduleIntervalMs[this.schedule]);
    const cancel = this.deps.scheduler.schedule(at - now, () => this.fire('schedule'));
    this.next = { at, cancel };
  }

  private changed(): void {
    this.deps.onChange?.();
  }
}
