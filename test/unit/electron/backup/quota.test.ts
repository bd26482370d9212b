/**
 * The quota check's arithmetic and message, and the time-left estimate of the progress events.
 */
import { describe, expect, it } from 'vitest';
import { estimateRemainingMs } from '../../../../electron/backup/model.js';
import { checkQuota, compareWithQuota, quotaExceeded } from '../../../../electron/backup/quota.js';
import { ErrorCode } from '../../../../shared/errors.js';

describe('quota check', () => {
  it('compares the bytes to send with quota minus used', async () => {
    expect(compareWithQuota(100, { quotaBytes: 1000, usedBytes: 900 })).toEqual({ neededBytes: 100, freeBytes: 100, quota: { quotaBytes: 1000, usedBytes: 900 }, fits: true });
    expect(compareWithQuota(101, { quotaBytes: 1000, usedBytes: 900 }).fits).toBe(false);
    // Usage counts snapshots too, and can pass the quota.
    expect(compareWithQuota(0, { quotaBytes: 1000, usedBytes: 1200 })).toMatchObject({ freeBytes: 0, fits: true });
    const asked: Array<AbortSignal | undefined> = [];
    const signal = new AbortController().signal;
    const check = await checkQuota({ getQuota: async (s) => (asked.push(s), { quotaBytes: 10, usedBytes: 0 }) }, 11, signal);
    expect(check.fits).toBe(false);
    expect(asked).toEqual([signal]);
  });

  it('says how much is needed and free, and that nothing was sent', () => {
    const error = quotaExceeded(compareWithQuota(3 * 1024 ** 3, { quotaBytes: 20 * 1024 ** 3, usedBytes: 19 * 1024 ** 3 }));
    expect(error.code).toBe(ErrorCode.InsufficientStorage);
    expect(error.message).toMatch(/needs to send 3\.0 GiB, but only 1\.0 GiB is free .*19\.0 GiB used of 20\.0 GiB.*Nothing was sent/);
  });
});

describe('time left', () => {
  it('comes from the rate so far, once there is one', () => {
    expect(estimateRemainingMs(0, 1000, 5000)).toBeNull();
    expect(estimateRemainingMs(100, 1000, 500)).toBeNull();
    expect(estimateRemainingMs(250, 1000, 1000)).toBe(3000);
    expect(estimateRemainingMs(1000, 1000, 4000)).toBe(0);
  });
});
