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
 * The words are the window's (the shared catalog, shared/i18n/), in the app's language
 * (AppLanguage): one term for one state in the window and the tray. A pair's problem is said
 * with the catalog's title for its error code; the service's own (English) message stays in
 * the window's technical details.
 *
 * The tooltip is cut to 127 characters: Windows shows no more in a notification-area tooltip.
 */
import { isSignInExpired, overallTrayState, pairTrayState, pendingChanges, type AccountState, type TrayState } from '../../shared/appState.js';
import { ErrorCode, type ErrorInfo } from '../../shared/errors.js';
import type { I18n } from '../../shared/i18n/translator.js';
import type { SyncStatus } from '../../shared/types.js';

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
  /** "TeraSync — Syncing 3 of 12 files (4.2 MB of 10 MB)" */
  tooltip: string;
  /** The first, disabled line of the tray menu: "Syncing 3 of 12 files (4.2 MB of 10 MB)" */
  statusLine: string;
}

export const TOOLTIP_MAX_LENGTH = 127;
export const STATUS_LINE_MAX_LENGTH = 80;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** True when the account needs signing in again: the app says so, or a pair's sign-in was refused. */
export function signInExpired(snapshot: AppSnapshot): boolean {
  return isSignInExpired(snapshot.account, snapshot.pairs.map((pair) => pair.status));
}

/** An error in the catalog's words, as a phrase: its title without the full stop. */
export function errorPhrase(problem: ErrorInfo, i18n: I18n): string {
  return i18n.error(problem.code).title.replace(/[.。]$/, '');
}

/** "3 of 12 files (4.2 MB of 10 MB)": the sizes only when bytes move. */
function progressPhrase(i18n: I18n, done: number, total: number, bytesDone: number, bytesTotal: number): string {
  const files = i18n.t.status.progressFiles(done, total);
  return bytesTotal > 0 ? i18n.t.tray.progress(files, i18n.t.status.progressBytes(i18n.bytes(bytesDone), i18n.bytes(bytesTotal))) : files;
}

function syncPhrase(pairs: readonly PairSnapshot[], i18n: I18n): string {
  const working = pairs.filter((pair) => pair.status.state === 'syncing' && pair.status.progress !== null);
  if (working.length === 0) return i18n.t.pairState.scanning;
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
  return i18n.t.tray.syncingFiles(progressPhrase(i18n, done, total, bytesDone, bytesTotal));
}

export function backupPhrase(backup: BackupActivity, i18n: I18n): string {
  if (backup.filesTotal === 0) return i18n.t.tray.backingUp;
  return i18n.t.tray.backingUpFiles(progressPhrase(i18n, backup.filesDone, backup.filesTotal, backup.bytesDone, backup.bytesTotal));
}

/** "Syncing stopped: <why>" for one pair, "Syncing stopped: 2 folders: <why>" for more, so the user knows it is not all. */
function reasonPhrase(words: string, pairs: readonly PairSnapshot[], why: string, i18n: I18n): string {
  return i18n.t.tray.reason(words, pairs.length > 1 ? i18n.t.tray.inFolders(pairs.length, why) : why);
}

function failsafeWhy(pairs: readonly PairSnapshot[], i18n: I18n): string {
  const infos = pairs.flatMap((pair) => (pair.status.failSafe === null ? [] : [pair.status.failSafe]));
  if (infos.length === 0) return errorPhrase({ code: ErrorCode.FailSafeTriggered, message: '' }, i18n);
  return i18n.t.tray.filesToDelete(infos.reduce((sum, info) => sum + info.total, 0));
}

function mainPhrase(state: TrayState, snapshot: AppSnapshot, byState: Map<TrayState, PairSnapshot[]>, i18n: I18n): string {
  const words = i18n.t.trayState;
  const pairsIn = (wanted: TrayState): PairSnapshot[] => byState.get(wanted) ?? [];
  switch (state) {
    case 'failsafe':
      return reasonPhrase(words.failsafe, pairsIn('failsafe'), failsafeWhy(pairsIn('failsafe'), i18n), i18n);
    case 'error': {
      if (snapshot.account === 'signed-out') return words.signedOut;
      if (signInExpired(snapshot)) return words.expired;
      const failing = pairsIn('error');
      const problem = failing.find((pair) => pair.status.problem !== null)?.status.problem;
      return problem === undefined || problem === null ? words.error : reasonPhrase(words.error, failing, errorPhrase(problem, i18n), i18n);
    }
    case 'offline':
      return words.offline;
    case 'conflicts':
      return words.conflicts(snapshot.conflicts.length);
    case 'syncing': {
      const parts: string[] = [];
      if (pairsIn('syncing').length > 0) parts.push(syncPhrase(pairsIn('syncing'), i18n));
      if (snapshot.backup !== null) parts.push(backupPhrase(snapshot.backup, i18n));
      return parts.join(i18n.t.stateModel.separator);
    }
    case 'paused':
      return words.paused;
    case 'idle':
      return snapshot.pairs.length === 0 ? words.idleNoPairs : words.idle;
  }
}

/**
 * The icon state and its words in the given language. The words are the window's status words
 * (the catalog's trayState and stateModel), in the order of the window's headline: the pause
 * before open conflicts, what the icon cannot show after the state.
 */
export function computeTrayState(snapshot: AppSnapshot, i18n: I18n): TrayView {
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
  const model = i18n.t.stateModel;
  const conflicts = snapshot.conflicts.length;

  // Paused with conflicts open: both, the pause first (it is why nothing moves).
  const phrases = state === 'conflicts' && snapshot.paused ? [i18n.t.trayState.paused, model.conflictsNeedDecision(conflicts)] : [mainPhrase(state, snapshot, byState, i18n)];
  // What the icon cannot show at the same time, in words.
  if (state !== 'conflicts' && conflicts > 0) phrases.push(model.conflictsNeedDecision(conflicts));
  if (state !== 'syncing' && snapshot.backup !== null) phrases.push(backupPhrase(snapshot.backup, i18n));
  if (state !== 'paused' && state !== 'conflicts' && snapshot.paused) phrases.push(i18n.t.trayState.paused);
  // Offline, paused or stopped: how many changes have not reached the other side yet.
  const pending = pendingChanges(snapshot.pairs.map((pair) => pair.status));
  if (pending > 0 && state !== 'syncing' && state !== 'idle') phrases.push(model.changesWaiting(pending));
  const text = phrases.join(model.separator);
  return {
    state,
    tooltip: truncate(i18n.t.tray.tooltip(text), TOOLTIP_MAX_LENGTH),
    statusLine: truncate(text, STATUS_LINE_MAX_LENGTH),
  };
}
