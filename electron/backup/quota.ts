/**
 * The quota check before a backup: the bytes the run will send against what the account has
 * free (`quota - used` from the REST call `/v2/api/ba/dataset/(capacity)`). The service counts
 * space on disk (compression, snapshots), so the check is an estimate that refuses a run which
 * cannot fit; a 507 during the run still stops it cleanly.
 *
 * The source of the numbers is injected: TeraCloudApi in the app and the command, a fake or the
 * emulator in tests.
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import type { TeraCloudQuota } from '../teracloud/TeraCloudApi.js';
import { formatBytes } from '../../shared/format.js';

export interface QuotaSource {
  getQuota(signal?: AbortSignal): Promise<TeraCloudQuota>;
}

export interface QuotaCheck {
  neededBytes: number;
  freeBytes: number;
  quota: TeraCloudQuota;
  fits: boolean;
}

export function compareWithQuota(neededBytes: number, quota: TeraCloudQuota): QuotaCheck {
  const freeBytes = Math.max(0, quota.quotaBytes - quota.usedBytes);
  return { neededBytes, freeBytes, quota, fits: neededBytes <= freeBytes };
}

export async function checkQuota(source: QuotaSource, neededBytes: number, signal?: AbortSignal): Promise<QuotaCheck> {
  return compareWithQuota(neededBytes, await source.getQuota(signal));
}

/** The error a run that would not fit stops with, before it sends anything. */
export function quotaExceeded(check: QuotaCheck): TeraSyncError {
  return new TeraSyncError(
    ErrorCode.InsufficientStorage,
    `The backup would not fit: it needs to send ${formatBytes(check.neededBytes)}, but only ${formatBytes(check.freeBytes)} ` +
      `is free in your storage (${formatBytes(check.quota.usedBytes)} used of ${formatBytes(check.quota.quotaBytes)}). ` +
      'Nothing was sent. Free some space (or shorten the version retention), or back up fewer folders.',
  );
}

