/**
 * The token buckets behind the bandwidth limits, on a fake clock: no real sleeps. Times are in
 * ms, sizes in bytes; 256 KiB/s is 262.144 bytes per ms, so a 16 KiB piece takes 62.5 ms.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../../support/fakeClock.js';
import { kibpsToBytesPerSecond, MIN_CAPACITY_BYTES, PIECE_BYTES, pieces, Throttle, TokenBucket } from '../../../../electron/webdav/Throttle.js';

const KiB = 1024;

/** The shared fake clock, from 1,000,000 ms; sleeps wait for `advance`. */
const newClock = (): FakeClock => new FakeClock(1_000_000);

/** A take() whose settlement can be inspected synchronously. */
function track(promise: Promise<void>): { done: () => boolean; error: () => unknown } {
  let done = false;
  let error: unknown;
  promise.then(
    () => {
      done = true;
    },
    (reason: unknown) => {
      error = reason;
    },
  );
  return { done: () => done, error: () => error };
}

describe('TokenBucket', () => {
  it('unlimited (0): everything passes at once and no timer is ever asked for', async () => {
    const clock = newClock();
    const bucket = new TokenBucket(clock, 0);
    expect(bucket.limited).toBe(false);
    const taken = track(bucket.take(100 * 1024 * 1024));
    await settle();
    expect(taken.done()).toBe(true);
    expect(clock.sleeps).toEqual([]);
  });

  it('capacity: 64 KiB at least, a quarter second of the rate above that', () => {
    const clock = newClock();
    expect(new TokenBucket(clock, 16 * KiB).capacity).toBe(MIN_CAPACITY_BYTES);
    expect(new TokenBucket(clock, 256 * KiB).capacity).toBe(64 * KiB);
    expect(new TokenBucket(clock, 1024 * KiB).capacity).toBe(256 * KiB);
    expect(new TokenBucket(clock, 0).capacity).toBe(0);
  });

  it('starts full: a burst of one capacity passes at once, then each piece waits for its own bytes', async () => {
    const clock = newClock();
    const bucket = new TokenBucket(clock, 256 * KiB);
    const burst = [0, 1, 2, 3].map(() => track(bucket.take(16 * KiB)));
    const fifth = track(bucket.take(16 * KiB));
    await settle();
    expect(burst.every((taken) => taken.done())).toBe(true);
    expect(fifth.done()).toBe(false);
    // 16 KiB at 256 KiB/s = 62.5 ms: not at 62 ms, yes at 63 ms (timers are whole ms).
    await clock.advance(62);
    expect(fifth.done()).toBe(false);
    await clock.advance(1);
    expect(fifth.done()).toBe(true);
  });

  it('an idle bucket refills, but never beyond its capacity', async () => {
    const clock = newClock();
    const bucket = new TokenBucket(clock, 256 * KiB);
    await bucket.take(64 * KiB);
    expect(bucket.available()).toBeCloseTo(0, 6);
    await clock.advance(125);
    expect(bucket.available()).toBeCloseTo(32 * KiB, 6);
    await clock.advance(60_000);
    expect(bucket.available()).toBe(64 * KiB);
  });

  it('holds the rate over time: bytes passed <= capacity + rate * elapsed, and close to it', async () => {
    const clock = newClock();
    const rate = 256 * KiB;
    const bucket = new TokenBucket(clock, rate);
    let passed = 0;
    let stop = false;
    const stream = async (): Promise<void> => {
      while (!stop) {
        await bucket.take(PIECE_BYTES);
        passed += PIECE_BYTES;
      }
    };
    const running = stream();
    for (let second = 1; second <= 10; second += 1) {
      await clock.advance(1000);
      const ceiling = bucket.capacity + rate * second;
      expect(passed).toBeLessThanOrEqual(ceiling);
      expect(passed).toBeGreaterThanOrEqual(ceiling - 2 * PIECE_BYTES);
    }
    stop = true;
    await clock.advance(1000);
    await running;
  });

  it('is shared: two transfers together get the one rate, served in turn', async () => {
    const clock = newClock();
    const rate = 128 * KiB;
    const bucket = new TokenBucket(clock, rate);
    const order: string[] = [];
    const bytes = { a: 0, b: 0 };
    let stop = false;
    const transfer = async (name: 'a' | 'b'): Promise<void> => {
      while (!stop) {
        await bucket.take(PIECE_BYTES);
        bytes[name] += PIECE_BYTES;
        order.push(name);
      }
    };
    const running = [transfer('a'), transfer('b')];
    await clock.advance(4000);
    stop = true;
    expect(bytes.a + bytes.b).toBeLessThanOrEqual(bucket.capacity + rate * 4);
    expect(bytes.a + bytes.b).toBeGreaterThanOrEqual(bucket.capacity + rate * 4 - 2 * PIECE_BYTES);
    // Neither starves the other: after the initial burst they alternate.
    expect(Math.abs(bytes.a - bytes.b)).toBeLessThanOrEqual(PIECE_BYTES);
    expect(order.slice(4, 12)).toEqual(['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
    await clock.advance(1000);
    await Promise.all(running);
  });

  it('arms one timer at a time, however many pieces wait', async () => {
    const clock = newClock();
    const bucket = new TokenBucket(clock, 64 * KiB);
    await bucket.take(64 * KiB);
    const waiting = Array.from({ length: 20 }, () => track(bucket.take(PIECE_BYTES)));
    await settle();
    expect(bucket.waiting).toBe(20);
    expect(clock.pending()).toBe(1);
    // 16 KiB at 64 KiB/s = 250 ms each.
    await clock.advance(250 * 5);
    expect(waiting.filter((taken) => taken.done())).toHaveLength(5);
    expect(clock.pending()).toBe(1);
  });

  it('a piece bigger than the capacity passes when the bucket is full and leaves a debt', async () => {
    const clock = newClock();
    const bucket = new TokenBucket(clock, 64 * KiB);
    const big = track(bucket.take(192 * KiB));
    await settle();
    expect(big.done()).toBe(true);
    expect(bucket.available()).toBeCloseTo(-128 * KiB, 6);
    const next = track(bucket.take(PIECE_BYTES));
    // Debt of 128 KiB, then 16 KiB: 144 KiB at 64 KiB/s = 2250 ms.
    await clock.advance(2249);
    expect(next.done()).toBe(false);
    await clock.advance(1);
    expect(next.done()).toBe(true);
  });

  it('an aborted wait rejects with the reason, takes nothing, and the next in line goes on time', async () => {
    const clock = newClock();
    const bucket = new TokenBucket(clock, 64 * KiB);
    await bucket.take(64 * KiB);
    const controller = new AbortController();
    const first = track(bucket.take(PIECE_BYTES, controller.signal));
    const second = track(bucket.take(PIECE_BYTES));
    await clock.advance(100);
    controller.abort(new Error('cancelled'));
    await settle();
    expect((first.error() as Error).message).toBe('cancelled');
    expect(bucket.waiting).toBe(1);
    // The second needed only its own 250 ms.
    await clock.advance(150);
    expect(second.done()).toBe(true);
    // An already aborted signal rejects at once.
    await expect(bucket.take(1, AbortSignal.abort(new Error('late')))).rejects.toThrow('late');
  });

  it('a new limit applies to pieces already waiting: unlimited lets them all through at once', async () => {
    const clock = newClock();
    const bucket = new TokenBucket(clock, 64 * KiB);
    await bucket.take(64 * KiB);
    const waiting = Array.from({ length: 8 }, () => track(bucket.take(PIECE_BYTES)));
    await settle();
    bucket.setRate(0);
    await settle();
    expect(waiting.every((taken) => taken.done())).toBe(true);
    expect(clock.pending()).toBe(0);
  });

  it('a higher limit wakes the waiting piece earlier, a lower one later', async () => {
    const clock = newClock();
    const bucket = new TokenBucket(clock, 64 * KiB);
    await bucket.take(64 * KiB);
    const faster = track(bucket.take(PIECE_BYTES));
    await clock.advance(50);
    // 50 ms at 64 KiB/s gave 3.2 KiB; the remaining 12.8 KiB at 640 KiB/s (capacity 160 KiB) take 20 ms.
    bucket.setRate(640 * KiB);
    await clock.advance(19);
    expect(faster.done()).toBe(false);
    await clock.advance(1);
    expect(faster.done()).toBe(true);

    bucket.setRate(16 * KiB);
    const slower = track(bucket.take(PIECE_BYTES));
    // Nothing left over; 16 KiB at 16 KiB/s = 1 s.
    await clock.advance(999);
    expect(slower.done()).toBe(false);
    await clock.advance(1);
    expect(slower.done()).toBe(true);
  });

  it('from unlimited to limited: the bucket starts full', async () => {
    const clock = newClock();
    const bucket = new TokenBucket(clock, 0);
    await bucket.take(10 * 1024 * KiB);
    bucket.setRate(64 * KiB);
    expect(bucket.available()).toBe(64 * KiB);
  });

  it('a clock that steps back gives no tokens and breaks nothing', async () => {
    const clock = newClock();
    const bucket = new TokenBucket(clock, 64 * KiB);
    await bucket.take(64 * KiB);
    clock.setTime(clock.now() - 60_000);
    expect(bucket.available()).toBeCloseTo(0, 6);
    const next = track(bucket.take(PIECE_BYTES));
    await clock.advance(250);
    expect(next.done()).toBe(true);
  });

  it('refuses a negative or non-finite limit', () => {
    const bucket = new TokenBucket(newClock(), 0);
    expect(() => bucket.setRate(-1)).toThrow(RangeError);
    expect(() => bucket.setRate(Number.NaN)).toThrow(RangeError);
    expect(() => bucket.setRate(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('Throttle', () => {
  it('keeps one bucket per direction, in KiB/s', () => {
    const throttle = new Throttle(newClock(), { uploadKiBps: 100, downloadKiBps: 0 });
    expect(throttle.upload.bytesPerSecond).toBe(100 * KiB);
    expect(throttle.download.limited).toBe(false);
    expect(throttle.limits).toEqual({ uploadKiBps: 100, downloadKiBps: 0 });
  });

  it('set() replaces both limits; a direction left out becomes unlimited', () => {
    const throttle = new Throttle(newClock(), { uploadKiBps: 100, downloadKiBps: 200 });
    throttle.set({ downloadKiBps: 50 });
    expect(throttle.limits).toEqual({ uploadKiBps: 0, downloadKiBps: 50 });
  });

  it('an invalid limit changes nothing', () => {
    const throttle = new Throttle(newClock(), { uploadKiBps: 100, downloadKiBps: 200 });
    expect(() => throttle.set({ uploadKiBps: 10, downloadKiBps: -5 })).toThrow(RangeError);
    expect(throttle.limits).toEqual({ uploadKiBps: 100, downloadKiBps: 200 });
  });

  it('kibpsToBytesPerSecond: undefined and 0 are unlimited', () => {
    expect(kibpsToBytesPerSecond(undefined)).toBe(0);
    expect(kibpsToBytesPerSecond(0)).toBe(0);
    expect(kibpsToBytesPerSecond(1.5)).toBe(1536);
    expect(() => kibpsToBytesPerSecond(-1)).toThrow(RangeError);
  });
});

describe('pieces', () => {
  it('cuts a chunk into views of at most PIECE_BYTES, in order, without copying', () => {
    const chunk = Buffer.alloc(40 * KiB, 1);
    const parts = pieces(chunk);
    expect(parts.map((part) => part.length)).toEqual([16 * KiB, 16 * KiB, 8 * KiB]);
    expect(Buffer.concat(parts).equals(chunk)).toBe(true);
    expect(parts[1]!.buffer).toBe(chunk.buffer);
    const small = Buffer.alloc(10);
    expect(pieces(small)[0]).toBe(small);
  });
});
