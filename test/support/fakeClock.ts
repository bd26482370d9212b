/**
 * The one fake clock of the tests: virtual time, one object that is both the `Clock` (now,
 * sleep) and the `Scheduler` (schedule -> cancel) the code takes as ports.
 *
 * Nothing happens until the test calls `advance(ms)`: it fires every timer that falls due
 * within the window in time order (ties in the order they were armed), moving `now()` to each
 * timer's due time before calling it, and lets promises settle after each one (a few
 * macrotask turns: callbacks usually start async work whose continuations arm the next
 * timer). `pending()` is the number of armed timers, to assert "nothing armed while waiting
 * for the user" or "one timer while offline" (no request storm).
 *
 * `sleeps` records every delay asked of `sleep`, in order. With `{ sleeps: 'instant' }` a
 * sleep does not wait for `advance`: it moves the time forward by its delay and resolves at
 * once (for code under test that the test awaits as a whole, such as a request with its
 * retries). `setTime` moves the time for code that only reads it (token expiry), and refuses
 * to jump over an armed timer.
 */
import type { Clock, Scheduler } from '../../electron/core/time.js';

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/** Macrotask turns to let promise chains started by a timer run before the next one. */
const SETTLE_TURNS = 5;

export interface FakeClockOptions {
  /** 'advance' (default): a sleep resolves when `advance` passes its due time. 'instant': at once, moving the time. */
  sleeps?: 'advance' | 'instant';
}

export class FakeClock implements Clock, Scheduler {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, Timer>();
  private readonly instantSleeps: boolean;
  /** Every delay asked of `sleep`, in order. */
  readonly sleeps: number[] = [];

  constructor(start = Date.UTC(2025, 0, 1), options: FakeClockOptions = {}) {
    this.time = start;
    this.instantSleeps = options.sleeps === 'instant';
  }

  now(): number {
    return this.time;
  }

  schedule(ms: number, callback: () => void): () => void {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.time + Math.max(0, ms), callback });
    return () => {
      this.timers.delete(id);
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.instantSleeps) {
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      this.sleeps.push(ms);
      this.time += ms;
      return Promise.resolve();
    }
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        cancel();
        reject(signal?.reason);
      };
      const cancel = this.schedule(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Sets `now()` to `at` without firing anything, for code that only reads the time; throws
   * when an armed timer falls due on the way (use `advance` then).
   */
  setTime(at: number): void {
    const next = this.earliest();
    if (next !== undefined && next.at <= at) throw new Error('FakeClock.setTime: a timer falls due on the way; use advance()');
    this.time = at;
  }

  /** How many timers are armed. */
  pending(): number {
    return this.timers.size;
  }

  /** Milliseconds until the earliest armed timer, or null when none is armed. */
  nextDelay(): number | null {
    const next = this.earliest();
    return next === undefined ? null : next.at - this.time;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order (including those armed by the
   * callbacks, when they fall within the window), and settles promises after each.
   */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (;;) {
      const next = this.earliest();
      if (next === undefined || next.at > end) break;
      this.timers.delete(next.id);
      this.time = Math.max(this.time, next.at);
      next.callback();
      await settle();
    }
    this.time = end;
    await settle();
  }

  /** Moves time to the earliest armed timer and fires it (and any due with it). */
  async advanceToNext(): Promise<void> {
    const delay = this.nextDelay();
    if (delay === null) throw new Error('FakeClock: no timer is armed');
    await this.advance(delay);
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.timers.values()) {
      if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.id < best.id)) best = timer;
    }
    return best;
  }
}

/** Lets pending promise continuations run: a few macrotask turns, not a sleep. */
export async function settle(turns = SETTLE_TURNS): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
