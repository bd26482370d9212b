/**
 * What the tray says: one pure function from the app's aggregate state (every pair's
 * SyncStatus, the open conflicts, the pause switch, a running backup, the account) to the icon
 * state, the tooltip and the status line at the top of the tray menu. The same snapshot feeds
 * the notifications (NotificationController), so the composition root builds it once.
 *
 * Precedence, highest first. The first question is "are my changes reaching the cloud right
 * now?", the second "is there something for me to do?":
 *
 *   | state     | when                                          | why it ranks here                               |
 *   | --------- | --------------------------------------------- | ----------------------------------------------- |
 *   | failsafe  | a pair waits at the fail-safe                 | that pair stopped and waits for a decision      |
 *   |           |                                               | about deleting many files; the longer it waits, |
 *   |           |                                               | the further the two sides drift apart           |
 *   | error     | not signed in, sign-in expired, or a pair in  | syncing stopped and will not come back without  |
 *   |           | error (refused sign-in, disk full, ...)       | the user (sign in, free space, fix a folder)    |
 *   | offline   | a pair cannot reach the server                | syncing stopped too, but comes back by itself:  |
 *   |           |                                               | worth knowing (edits stay local), nothing to do |
 *   | conflicts | open conflicts wait for the user              | syncing works and both versions are safe: the   |
 *   |           |                                               | user decides when it suits them, so it yields   |
 *   |           |                                               | to anything that means edits are not going up   |
 *   | syncing   | a pair is sending or receiving, a pair's first| data is moving; transient                       |
 *   |           | scan runs, or a backup runs                   |                                                 |
 *   | paused    | the user paused syncing                       | the user's own choice, so the least news; below |
 *   |           |                                               | syncing because a backup still moves data while |
 *   |           |                                               | sync is paused (the words still say "Paused")   |
 *   | idle      | otherwise                                     |                                                 |
 *
 * A pair's periodic scan (every poll) is not shown as syncing, or the icon would blink every
 * 30 seconds; only the first scan of a pair that has never synced is, since the user waits on
 * it. A pair being stopped (quitting) counts as idle. While paused, a pair still reporting
 * work from before the pause counts as paused.
 *
 * The tooltip is cut to 127 characters: Windows shows no more in a notification-area tooltip.
 */
import { isSignInExpired, overallTrayState, pairTrayState, pendingChanges, type AccountState, type TrayState } from '../../shared/appState.js';
import type { SyncStatus } from '../../shared/types.js';
import { countOf } from '../../shared/format.js';

export { isSignInRefused, trayStates, type AccountState, type TrayState } from '../../shared/appState.js';

export interface PairSnapshot {
  /** The pair's local folder: what "Open the sync folder" opens. */
  localFolder: string;
  status: SyncStatus;
}

export interface OpenConflict {
  /** Stable for the conflict's lifetime and unique across pairs, e.g. `<local folder>#<journal id>`. */
  id: string;
  /** The file's path in its pair, as the user knows it. */
  path: string;
}

/** A backup in progress; counts are 0 until it has compared what to send. */
export interface BackupActivity {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

/** Everything the tray and the notifications look at. */
export interface AppSnapshot {
  pairs: readonly PairSnapshot[];
  /** The open conflicts of every pair. */
  conflicts: readonly OpenConflict[];
  /** The tray's Pause switch (every pair paused). */
  paused: boolean;
  /** The backup running now, or null. */
  backup: BackupActivity | null;
  account: AccountState;
}

export interface TrayView {
  state: TrayState;
  /** "TeraSync — syncing 3 of 12 files (4.2 MB of 10 MB)" */
  tooltip: string;
  /** The first, disabled line of the tray menu: "Syncing 3 of 12 files (4.2 MB of 10 MB)" */
  statusLine: string;
}

export const TOOLTIP_MAX_LENGTH = 127;
export const STATUS_LINE_MAX_LENGTH = 80;

/** Decimal units, as file managers show sizes: "512 B", "4.2 MB", "10 MB", "1.5 GB". */
export function formatSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  const shown = value < 10 ? value.toFixed(1).replace(/\.0$/, '') : String(Math.round(value));
  // 999.6 kB rounds to "1000 kB": say "1 MB" instead.
  if (shown === '1000' && unit < units.length - 1) return `1 ${units[unit + 1]}`;
  return `${shown} ${units[unit]}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** True when the account needs signing in again: the app says so, or a pair's sign-in was refused. */
export function signInExpired(snapshot: AppSnapshot): boolean {
  return isSignInExpired(snapshot.account, snapshot.pairs.map((pair) => pair.status));
}

function syncPhrase(pairs: readonly PairSnapshot[]): string {
  const working = pairs.filter((pair) => pair.status.state === 'syncing' && pair.status.progress !== null);
  if (working.length === 0) return 'looking for changes';
  let done = 0;
  let total = 0;
  let bytesDone = 0;
  let bytesTotal = 0;
  for (const pair of working) {
    const progress = pair.status.progress;
    if (progress === null) continue;
    done += progress.actionsDone;
    total += progress.actionsTotal;
    bytesDone += progress.bytesDone;
    bytesTotal += progress.bytesTotal;
  }
  const sizes = bytesTotal > 0 ? ` (${formatSize(bytesDone)} of ${formatSize(bytesTotal)})` : '';
  return `syncing ${done} of ${countOf(total, 'file', 'files')}${sizes}`;
}

function backupPhrase(backup: BackupActivity): string {
  if (backup.filesTotal === 0) return 'backing up';
  const sizes = backup.bytesTotal > 0 ? ` (${formatSize(backup.bytesDone)} of ${formatSize(backup.bytesTotal)})` : '';
  return `backing up ${backup.filesDone} of ${countOf(backup.filesTotal, 'file', 'files')}${sizes}`;
}

function conflictsPhrase(count: number): string {
  return `${countOf(count, 'conflict', 'conflicts')} waiting`;
}

/** "a problem" for one pair, "2 folders: a problem" for more, so the user knows it is not all. */
function problemPhrase(pairs: readonly PairSnapshot[], fallback: string): string {
  const message = pairs.find((pair) => pair.status.problem !== null)?.status.problem?.message ?? fallback;
  const trimmed = message.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  return pairs.length > 1 ? `${pairs.length} folders: ${trimmed}` : trimmed;
}

function mainPhrase(state: TrayState, snapshot: AppSnapshot, byState: Map<TrayState, PairSnapshot[]>): string {
  const pairsIn = (wanted: TrayState): PairSnapshot[] => byState.get(wanted) ?? [];
  switch (state) {
    case 'failsafe':
      return `waiting for your decision: ${problemPhrase(pairsIn('failsafe'), 'many files would be deleted')}`;
    case 'error':
      if (snapshot.account === 'signed-out') return 'not signed in';
      if (signInExpired(snapshot)) return 'sign-in expired: sign in again';
      return `error: ${problemPhrase(pairsIn('error'), 'syncing stopped')}`;
    case 'offline':
      return 'offline, will retry by itself';
    case 'conflicts':
      return conflictsPhrase(snapshot.conflicts.length);
    case 'syncing': {
      const parts: string[] = [];
      if (pairsIn('syncing').length > 0) parts.push(syncPhrase(pairsIn('syncing')));
      if (snapshot.backup !== null) parts.push(backupPhrase(snapshot.backup));
      return parts.join('; ');
    }
    case 'paused':
      return 'paused';
    case 'idle':
      return snapshot.pairs.length === 0 ? 'no folders to sync' : 'up to date';
  }
}

export function computeTrayState(snapshot: AppSnapshot): TrayView {
  const byState = new Map<TrayState, PairSnapshot[]>();
  for (const pair of snapshot.pairs) {
    const state = pairTrayState(pair.status, snapshot.paused);
    byState.set(state, [...(byState.get(state) ?? []), pair]);
  }
  const state = overallTrayState({
    statuses: snapshot.pairs.map((pair) => pair.status),
    conflicts: snapshot.conflicts.length,
    paused: snapshot.paused,
    backupRunning: snapshot.backup !== null,
    account: snapshot.account,
  });

  // Paused with conflicts open: both, the pause first (it is why nothing moves).
  const phrases = state === 'conflicts' && snapshot.paused ? ['paused'] : [];
  phrases.push(mainPhrase(state, snapshot, byState));
  // What the icon cannot show at the same time, in words.
  if (state !== 'conflicts' && snapshot.conflicts.length > 0) phrases.push(conflictsPhrase(snapshot.conflicts.length));
  if (state !== 'syncing' && snapshot.backup !== null) phrases.push(backupPhrase(snapshot.backup));
  if (state !== 'paused' && state !== 'conflicts' && snapshot.paused) phrases.push('paused');
  // Offline, paused or stopped: how many changes have not reached the other side yet.
  const pending = pendingChanges(snapshot.pairs.map((pair) => pair.status));
  if (pending > 0 && state !== 'syncing' && state !== 'idle') phrases.push(`${countOf(pending, 'change', 'changes')} waiting`);
  const text = phrases.join('; ');
  return {
    state,
    tooltip: truncate(`TeraSync — ${text}`, TOOLTIP_MAX_LENGTH),
    statusLine: truncate(capitalize(text), STATUS_LINE_MAX_LENGTH),
  };
}
