/**
 * Bandwidth limits: one token bucket per direction, shared by every transfer of a store.
 *
 * A token is a byte. The bucket refills at the limit (bytes per second) up to its capacity,
 * `max(64 KiB, a quarter second of the limit)`: a short burst after an idle spell, never more.
 * Transfers ask for tokens in pieces of at most PIECE_BYTES (`pieces()`), and each piece waits,
 * in arrival order, until the bucket holds enough for it; whoever streams the bytes waits too,
 * which pauses the stream (backpressure) instead of buffering it. Over any long stretch the
 * bytes passed are at most `capacity + limit * seconds`.
 *
 * One timer at most, on the injected Clock (tests drive a fake one): it wakes the head of the
 * queue when enough tokens will be there. A new limit (`setRate`) takes effect at once, also for
 * pieces already waiting; 0 means unlimited and lets everyone through.
 */
import type { Clock } from '../core/time.js';

export interface BandwidthLimits {
  /** KiB/s for PUT bodies; 0 or undefined = unlimited. */
  uploadKiBps?: number;
  /** KiB/s for GET bodies; 0 or undefined = unlimited. */
  downloadKiBps?: number;
}

/** Largest piece a throttled transfer asks for at once (smooth pacing, small timers). */
export const PIECE_BYTES = 16 * 1024;
/** Smallest capacity: a whole piece (and a usual 64 KiB stream chunk) always fits. */
export const MIN_CAPACITY_BYTES = 64 * 1024;
/** Burst allowance in seconds of the limit, when that is more than MIN_CAPACITY_BYTES. */
const BURST_SECONDS = 0.25;

interface Waiter {
  bytes: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** Bytes per second for a KiB/s setting; throws RangeError for a negative or non-finite one. */
export function kibpsToBytesPerSecond(kibps: number | undefined): number {
  if (kibps === undefined) return 0;
  if (typeof kibps !== 'number' || !Number.isFinite(kibps) || kibps < 0) {
    throw new RangeError(`A bandwidth limit must be a number of KiB/s >= 0 (0 = unlimited), got ${String(kibps)}.`);
  }
  return kibps * 1024;
}

/** `chunk` cut into views of at most `size` bytes (no copy). */
export function pieces(chunk: Buffer, size: number = PIECE_BYTES): Buffer[] {
  if (chunk.length <= size) return [chunk];
  const result: Buffer[] = [];
  for (let start = 0; start < chunk.length; start += size) result.push(chunk.subarray(start, start + size));
  return result;
}

export class TokenBucket {
  private rate = 0;
  private tokens = 0;
  private lastRefill: number;
  private readonly queue: Waiter[] = [];
  /** Aborts the pending wake-up sleep; undefined when none is pending. */
  private timer: AbortController | undefined;

  constructor(
    private readonly clock: Clock,
    bytesPerSecond = 0,
  ) {
    this.lastRefill = clock.now();
    this.setRate(bytesPerSecond);
  }

  /** The limit in bytes per second; 0 = unlimited. */
  get bytesPerSecond(): number {
    return this.rate;
  }

  get limited(): boolean {
    return this.rate > 0;
  }

  get capacity(): number {
    return this.rate > 0 ? Math.max(MIN_CAPACITY_BYTES, this.rate * BURST_SECONDS) : 0;
  }

  /** Pieces waiting for tokens. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Tokens there now (negative while a piece bigger than the capacity is paid off). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** A new limit, effective at once (waiting pieces included). 0 = unlimited. */
  setRate(bytesPerSecond: number): void {
    if (!Number.isFinite(bytesPerSecond) || bytesPerSecond < 0) {
      throw new RangeError(`A bandwidth limit must be >= 0 bytes/s, got ${bytesPerSecond}.`);
    }
    this.refill();
    const wasLimited = this.rate > 0;
    this.rate = bytesPerSecond;
    // Coming from unlimited, the bucket starts full: nothing was owed.
    this.tokens = wasLimited ? Math.min(this.tokens, this.capacity) : this.capacity;
    this.pump();
  }

  /**
   * Resolves once `bytes` may pass (at once when unlimited). Rejects with the signal's reason
   * when it aborts first; the piece then takes no tokens. A piece bigger than the capacity
   * passes when the bucket is full and leaves it in debt.
   */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (bytes <= 0 || this.rate === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        bytes,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.queue.indexOf(waiter);
          if (index < 0) return;
          this.queue.splice(index, 1);
          reject(signal?.reason);
          // The head may have changed: the next one may pass now, or wake at another time.
          this.pump();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  private refill(): void {
    const now = this.clock.now();
    // A clock that steps back (wall clock) gives nothing, never takes.
    const elapsedMs = Math.max(0, now - this.lastRefill);
    this.lastRefill = now;
    if (this.rate > 0) this.tokens = Math.min(this.capacity, this.tokens + (elapsedMs * this.rate) / 1000);
  }

  /** Lets through whoever can go, in order, and sets the one timer for the next in line. */
  private pump(): void {
    this.timer?.abort();
    this.timer = undefined;
    this.refill();
    for (let head = this.queue[0]; head !== undefined; head = this.queue[0]) {
      if (this.rate > 0) {
        // Rounding slack: a wake-up exactly on time must let the piece through.
        if (this.tokens + 1e-6 < this.need(head)) break;
        this.tokens -= head.bytes;
      }
      this.queue.shift();
      head.signal?.removeEventListener('abort', head.onAbort);
      head.resolve();
    }
    const head = this.queue[0];
    if (head === undefined || this.rate === 0) return;
    const waitMs = Math.max(1, Math.ceil(((this.need(head) - this.tokens) * 1000) / this.rate));
    const timer = new AbortController();
    this.timer = timer;
    this.clock.sleep(waitMs, timer.signal).then(
      () => {
        if (this.timer !== timer) return;
        this.timer = undefined;
        this.pump();
      },
      () => undefined,
    );
  }

  private need(waiter: Waiter): number {
    return Math.min(waiter.bytes, this.capacity);
  }
}

/** The two buckets of a store. */
export class Throttle {
  readonly upload: TokenBucket;
  readonly download: TokenBucket;

  constructor(clock: Clock, limits: BandwidthLimits = {}) {
    this.upload = new TokenBucket(clock, kibpsToBytesPerSecond(limits.uploadKiBps));
    this.download = new TokenBucket(clock, kibpsToBytesPerSecond(limits.downloadKiBps));
  }

  /** Replaces both limits (a direction left out becomes unlimited). */
  set(limits: BandwidthLimits): void {
    const upload = kibpsToBytesPerSecond(limits.uploadKiBps);
    const download = kibpsToBytesPerSecond(limits.downloadKiBps);
    this.upload.setRate(upload);
    this.download.setRate(download);
  }

  get limits(): Required<BandwidthLimits> {
    return { uploadKiBps: this.upload.bytesPerSecond / 1024, downloadKiBps: this.download.bytesPerSecond / 1024 };
  }
}
