import { describe, expect, it } from 'vitest';
import { BackupScheduler, backupRetryDelaysMs, type BackupOutcome, type BackupTrigger } from '../../../../electron/app/BackupScheduler.js';
import { FakeClock } from '../../../support/fakeClock.js';

const minute = 60_000;

/** A scheduler whose runs end as `outcomes` says, in turn (then 'ok'); `runs` lists what started them. */
function setUp(outcomes: BackupOutcome[] = [], options: { starts?: boolean } = {}) {
  const clock = new FakeClock();
  const runs: { trigger: BackupTrigger; at: number }[] = [];
  let changes = 0;
  const scheduler: BackupScheduler = new BackupScheduler({
    clock,
    scheduler: clock,
    onChange: () => changes++,
    run: async (trigger) => {
      runs.push({ trigger, at: clock.now() });
      if (options.starts === false) return;
      scheduler.began(clock.now());
      await Promise.resolve();
      scheduler.ended(outcomes.shift() ?? 'ok');
    },
  });
  return { clock, runs, scheduler, changes: () => changes };
}

describe('BackupScheduler: retries', () => {
  it('promises no retry until a backup failed offline', () => {
    const { scheduler, clock } = setUp();
    scheduler.start('manual', null);
    expect(scheduler.times()).toEqual({ retryAt: null, nextRunAt: null });
    expect(clock.pending()).toBe(0);
  });

  it('retries an offline failure after 1, 2, 5, 15 and then every 30 minutes', async () => {
    const { scheduler, clock, runs } = setUp(['offline', 'offline', 'offline', 'offline', 'offline', 'offline']);
    scheduler.start('manual', null);
    const t0 = clock.now();
    scheduler.ended('offline');
    expect(scheduler.times().retryAt).toBe(t0 + 1 * minute);
    expect(clock.pending()).toBe(1);
    await clock.advance(1 * minute);
    await clock.advance(2 * minute);
    await clock.advance(5 * minute);
    await clock.advance(15 * minute);
    await clock.advance(30 * minute);
    await clock.advance(30 * minute);
    expect(runs.map((run) => (run.at - t0) / minute)).toEqual([1, 3, 8, 23, 53, 83]);
    expect(runs.every((run) => run.trigger === 'retry')).toBe(true);
    expect(backupRetryDelaysMs.map((ms) => ms / minute)).toEqual([1, 2, 5, 15, 30]);
    // Still failing: one timer armed, never a storm.
    expect(clock.pending()).toBe(1);
    expect(scheduler.times().retryAt).toBe(clock.now() + 30 * minute);
  });

  it('stops retrying once a backup worked, and starts the backoff over', async () => {
    const { scheduler, clock, runs } = setUp(['ok']);
    scheduler.start('manual', null);
    scheduler.ended('offline');
    await clock.advance(1 * minute);
    expect(runs).toHaveLength(1);
    expect(scheduler.times().retryAt).toBeNull();
    expect(clock.pending()).toBe(0);
    scheduler.ended('offline');
    expect(scheduler.times().retryAt).toBe(clock.now() + 1 * minute);
  });

  it('does not retry a backup that failed for another reason', () => {
    const { scheduler, clock } = setUp();
    scheduler.start('manual', null);
    scheduler.ended('other');
    expect(scheduler.times().retryAt).toBeNull();
    expect(clock.pending()).toBe(0);
  });

  it('retries at once when the connection is known to be back', async () => {
    const { scheduler, clock, runs } = setUp();
    scheduler.start('manual', null);
    scheduler.ended('offline');
    await clock.advance(10_000);
    scheduler.connectionBack();
    await clock.advance(0);
    expect(runs).toEqual([{ trigger: 'retry', at: clock.now() }]);
    expect(scheduler.times().retryAt).toBeNull();
    expect(clock.pending()).toBe(0);
  });

  it('does nothing when the connection comes back and no retry is pending', async () => {
    const { scheduler, clock, runs } = setUp();
    scheduler.start('manual', null);
    scheduler.connectionBack();
    await clock.advance(60 * minute);
    expect(runs).toEqual([]);
  });

  it('drops the pending retry when a backup starts meanwhile (the user pressed Back up now)', () => {
    const { scheduler, clock } = setUp();
    scheduler.start('manual', null);
    scheduler.ended('offline');
    scheduler.began(clock.now());
    expect(scheduler.times().retryAt).toBeNull();
    expect(clock.pending()).toBe(0);
  });

  it('arms nothing after dispose', async () => {
    const { scheduler, clock, runs } = setUp();
    scheduler.start('hourly', null);
    scheduler.ended('offline');
    scheduler.dispose();
    expect(clock.pending()).toBe(0);
    await clock.advance(24 * 60 * minute);
    expect(runs).toEqual([]);
  });
});

describe('BackupScheduler: the schedule', () => {
  it('runs an hourly backup an hour after the last one started, and every hour after', async () => {
    const { scheduler, clock, runs } = setUp();
    const last = clock.now() - 20 * minute;
    scheduler.start('hourly', last);
    expect(scheduler.times().nextRunAt).toBe(last + 60 * minute);
    await clock.advance(40 * minute);
    expect(runs).toEqual([{ trigger: 'schedule', at: last + 60 * minute }]);
    expect(scheduler.times().nextRunAt).toBe(clock.now() + 60 * minute);
    await clock.advance(60 * minute);
    expect(runs).toHaveLength(2);
  });

  it('runs a daily backup that is overdue at once', async () => {
    const { scheduler, clock, runs } = setUp();
    scheduler.start('daily', clock.now() - 3 * 24 * 60 * minute);
    expect(scheduler.times().nextRunAt).toBe(clock.now());
    await clock.advance(0);
    expect(runs.map((run) => run.trigger)).toEqual(['schedule']);
    expect(scheduler.times().nextRunAt).toBe(clock.now() + 24 * 60 * minute);
  });

  it('counts from a backup the user started', async () => {
    const { scheduler, clock } = setUp();
    scheduler.start('daily', null);
    await clock.advance(5 * 60 * minute);
    scheduler.began(clock.now());
    expect(scheduler.times().nextRunAt).toBe(clock.now() + 24 * 60 * minute);
  });

  it('backs up once when the app starts with the login schedule, and arms no timer', async () => {
    const { scheduler, clock, runs } = setUp();
    scheduler.start('login', clock.now() - 60 * minute);
    await clock.advance(0);
    expect(runs).toEqual([{ trigger: 'login', at: clock.now() }]);
    expect(scheduler.times()).toEqual({ retryAt: null, nextRunAt: null });
    expect(clock.pending()).toBe(0);
  });

  it('follows a changed setting: manual arms nothing, hourly arms a run', () => {
    const { scheduler, clock, changes } = setUp();
    scheduler.start('hourly', clock.now());
    expect(clock.pending()).toBe(1);
    const before = changes();
    scheduler.setSchedule('manual');
    expect(clock.pending()).toBe(0);
    expect(scheduler.times().nextRunAt).toBeNull();
    expect(changes()).toBe(before + 1);
    scheduler.setSchedule('hourly');
    expect(scheduler.times().nextRunAt).toBe(clock.now() + 60 * minute);
  });

  it('a scheduled run that could not start is due again an interval later, not at once', async () => {
    const { scheduler, clock, runs } = setUp([], { starts: false });
    scheduler.start('hourly', clock.now() - 60 * minute);
    await clock.advance(0);
    expect(runs).toHaveLength(1);
    expect(scheduler.times().nextRunAt).toBe(clock.now() + 60 * minute);
    await clock.advance(30 * minute);
    expect(runs).toHaveLength(1);
  });
});
