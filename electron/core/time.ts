/**
 * Time, injected: the wall clock and sleeping (Clock) and timers (Scheduler). Everything that
 * waits or reads the time takes these, so tests run on a fake clock
 * (test/support/fakeClock.ts). Part of the kernel every folder under electron/ may use.
 */
/** What only reads the time (a token's expiry, a file's age): the `now` of a Clock. */
export type WallClock = Pick<Clock, 'now'>;

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Timers, injected so continuous-mode tests run on a fake clock. */
export interface Scheduler {
  /** Calls `callback` after `ms`; the returned function cancels it. */
  schedule(ms: number, callback: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export const systemScheduler: Scheduler = {
  schedule(ms, callback) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

