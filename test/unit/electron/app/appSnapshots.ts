/** Builders of app snapshots for the tray, notification and lifecycle tests. */
import { ErrorCode } from '../../../../shared/errors.js';
import type { SyncProgress, SyncStatus } from '../../../../shared/types.js';
import type { AppSnapshot, PairSnapshot } from '../../../../electron/app/trayState.js';

export function status(change: Partial<SyncStatus> = {}): SyncStatus {
  return {
    state: 'idle',
    lastSyncAt: 1_000,
    progress: null,
    problem: null,
    retryAt: null,
    watcherFallback: false,
    lastRun: null,
    failSafe: null,
    pending: 0,
    ...change,
  };
}

export function pair(localFolder: string, change: Partial<SyncStatus> = {}): PairSnapshot {
  return { localFolder, status: status(change) };
}

export function snapshot(change: Partial<AppSnapshot> = {}): AppSnapshot {
  return { pairs: [pair('/home/alice/TeraCLOUD')], conflicts: [], paused: false, backup: null, account: 'signed-in', ...change };
}

export function progress(actionsDone: number, actionsTotal: number, bytesDone = 0, bytesTotal = 0): SyncProgress {
  return { actionsDone, actionsTotal, bytesDone, bytesTotal };
}

export const failsafeProblem = { code: ErrorCode.FailSafeTriggered, message: 'Refusing to delete 120 of 200 files on the server.' };
export const unauthorized = { code: ErrorCode.Unauthorized, message: 'The server refused the sign-in (401).' };
export const networkDown = { code: ErrorCode.Network, message: 'getaddrinfo ENOTFOUND seto.teracloud.jp' };
export const diskFull = { code: ErrorCode.LocalIo, message: 'No space left on the disk.' };
