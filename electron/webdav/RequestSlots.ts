/**
 * A counting semaphore for requests in flight. The store takes a slot before an attempt starts
 * its timeout watchdog and gives it back when the attempt is over, with as many slots as the
 * agent has sockets: a request never waits inside the agent for a socket, so time spent queued
 * behind other transfers can never be mistaken for a silent server.
 */
export class RequestSlots {
  private available: number;
  private readonly waiting: Array<{ grant: () => void }> = [];

  constructor(size: number) {
    this.available = Math.max(1, Math.floor(size));
  }

  /** Resolves with a release function once a slot is free; rejects with the signal's reason on abort. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.available > 0) {
      this.available -= 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.releaser());
        },
      };
      const onAbort = (): void => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** A release function when a slot is free right now (and nobody waits for one), else null. */
  tryAcquire(): (() => void) | null {
    if (this.available === 0 || this.waiting.length > 0) return null;
    this.available -= 1;
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.available += 1;
    };
  }
}
