import { describe, expect, it } from 'vitest';
import { RequestSlots } from '../../../../electron/webdav/RequestSlots.js';

describe('RequestSlots', () => {
  it('grants up to its size, then queues in order', async () => {
    const slots = new RequestSlots(2);
    const first = await slots.acquire();
    const second = await slots.acquire();
    const order: string[] = [];
    const third = slots.acquire().then((release) => {
      order.push('third');
      return release;
    });
    const fourth = slots.acquire().then((release) => {
      order.push('fourth');
      return release;
    });
    await Promise.resolve();
    expect(order).toEqual([]);
    first();
    first();
    (await third)();
    second();
    await fourth;
    expect(order).toEqual(['third', 'fourth']);
  });

  it('a release called twice frees one slot only', async () => {
    const slots = new RequestSlots(1);
    const release = await slots.acquire();
    release();
    release();
    await slots.acquire();
    let granted = false;
    void slots.acquire().then(() => {
      granted = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(granted).toBe(false);
  });

  it('an aborted wait leaves the queue and rejects with the reason', async () => {
    const slots = new RequestSlots(1);
    const release = await slots.acquire();
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    release();
    await expect(slots.acquire()).resolves.toBeTypeOf('function');
    await expect(slots.acquire(AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });

  it('tryAcquire takes a free slot at once, and never one someone waits for', async () => {
    const slots = new RequestSlots(2);
    const first = slots.tryAcquire();
    expect(first).toBeTypeOf('function');
    const second = await slots.acquire();
    expect(slots.tryAcquire()).toBeNull();
    let granted = false;
    void slots.acquire().then(() => {
      granted = true;
    });
    first!();
    await new Promise((resolve) => setImmediate(resolve));
    // The freed slot went to the waiter, not to a later tryAcquire.
    expect(granted).toBe(true);
    expect(slots.tryAcquire()).toBeNull();
    second();
    const third = slots.tryAcquire();
    expect(third).toBeTypeOf('function');
    third!();
    third!();
    // Released twice counts once: one slot is free, not two.
    expect(slots.tryAcquire()).toBeTypeOf('function');
    expect(slots.tryAcquire()).toBeNull();
  });
});
