/**
 * The app's one state, as the tray icon shows it and the window repeats it: a pure function of
 * every pair's SyncStatus, the open conflicts, the pause switch, a running backup and the
 * account. electron/app/trayState.ts adds the tray's words; the renderer its own (in the
 * user's language). The precedence and the reasons for it are in trayState.ts.
 */
import { ErrorCode } from './errors.js';
import type { SyncState, SyncStatus } from './types.js';

export type TrayState = 'idle' | 'syncing' | 'paused' | 'offline' | 'error' | 'conflicts' | 'failsafe';

/** Every tray state, highest precedence first. */
export const trayStates: readonly TrayState[] = ['failsafe', 'error', 'offline', 'conflicts', 'syncing', 'paused', 'idle'];

/** 'expired': the server refused the saved sign-in (or the token could not be renewed). */
export type AccountState = 'signed-in' | 'signed-out' | 'expired';

export interface AppStateInput {
  statuses: readonly SyncStatus[];
  /** How many conflicts are open in all. */
  conflicts: number;
  /** The tray's Pause switch (every pair paused). */
  paused: boolean;
  backupRunning: boolean;
  account: AccountState;
}

const rank = new Map(trayStates.map((state, index) => [state, index]));

/** What one pair contributes to the app's state. */
export function pairTrayState(status: SyncStatus, paused: boolean): TrayState {
  const state: SyncState = status.state;
  switch (state) {
    case 'failsafe':
    case 'error':
    case 'offline':
      return state;
    case 'paused':
      return 'paused';
    case 'syncing':
      return paused ? 'paused' : 'syncing';
    case 'scanning':
      if (paused) return 'paused';
      // A periodic look for changes is up to date; a first one, or one with changes waiting, is not.
      return status.lastSyncAt === null || status.pending > 0 ? 'syncing' : 'idle';
    case 'idle':
      if (paused) return 'paused';
      // "Up to date" only when nothing is known to be waiting.
      return status.pending > 0 ? 'syncing' : 'idle';
    case 'stopped':
      return 'idle';
  }
}

export function highestTrayState(states: Iterable<TrayState>): TrayState {
  let best: TrayState = 'idle';
  for (const state of states) {
    if ((rank.get(state) ?? Infinity) < (rank.get(best) ?? Infinity)) best = state;
  }
  return best;
}

/** The pair stopped because the server refused the sign-in. */
export function isSignInRefused(status: SyncStatus): boolean {
  return status.state === 'error' && status.problem?.code === ErrorCode.Unauthorized;
}

/** True when the account needs signing in again: the app says so, or a pair's sign-in was refused. */
export function isSignInExpired(account: AccountState, statuses: readonly SyncStatus[]): boolean {
  return account === 'expired' || (account === 'signed-in' && statuses.some(isSignInRefused));
}

/** A status with nothing known yet: no sync, no run, no problem. */
export function freshSyncStatus(state: SyncState, change: Partial<SyncStatus> = {}): SyncStatus {
  return { state, lastSyncAt: null, progress: null, problem: null, retryAt: null, watcherFallback: false, lastRun: null, failSafe: null, pending: 0, ...change };
}

export function overallTrayState(input: AppStateInput): TrayState {
  const candidates: TrayState[] = input.statuses.map((status) => pairTrayState(status, input.paused));
  if (input.account !== 'signed-in' || isSignInExpired(input.account, input.statuses)) candidates.push('error');
  if (input.conflicts > 0) candidates.push('conflicts');
  if (input.backupRunning) candidates.push('syncing');
  if (input.paused) candidates.push('paused');
  return highestTrayState(candidates);
}

/** How many changes wait in all pairs (as far as their engines know). */
export function pendingChanges(statuses: readonly SyncStatus[]): number {
  return statuses.reduce((sum, status) => sum + (status.state === 'stopped' ? 0 : status.pending), 0);
}
