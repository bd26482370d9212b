/**
 * The desktop notifications: a conflict was created, a pair waits at the fail-safe, the sign-in
 * expired, a backup finished or failed. Fed the same snapshots as the tray (several a second
 * while files move), so its job is mostly to say each thing once:
 *
 *   | notice          | shown when                                   | shown again when                        |
 *   | --------------- | -------------------------------------------- | --------------------------------------- |
 *   | conflict        | a conflict id appears that was not open in   | never for that id (a conflict resolved  |
 *   |                 | the last snapshot; more than three new at    | and created again gets a new journal id) |
 *   |                 | once make one summary instead of a flood     |                                         |
 *   | fail-safe       | a pair enters the fail-safe                  | after that pair has completed a run     |
 *   |                 |                                              | (its lastSyncAt moved): leaving and      |
 *   |                 |                                              | re-entering on "Sync now", pause and     |
 *   |                 |                                              | resume is the same episode              |
 *   | sign-in expired | the account is expired, or a pair's sign-in  | after the account is signed in again or |
 *   |                 | was refused                                  | a pair completed a run (proof that the  |
 *   |                 |                                              | sign-in works again); an offline spell  |
 *   |                 |                                              | in between does not count               |
 *   | backup          | each backup that ends (not dry runs, not     | every backup                            |
 *   |                 | ones the user cancelled)                     |                                         |
 *
 * The conflicts open when the first snapshot arrives are taken as known: they were open when
 * the app last ran, and the tray already shows that conflicts wait.
 *
 * The setting (settings.json `app.notifications`) only silences: the bookkeeping goes on while
 * it is off, so turning it on does not replay what happened meanwhile.
 *
 * The words are the shared catalog's (shared/i18n/, `notifications`), in the app's language at
 * the moment each notification is shown (AppLanguage). An error is said with the catalog's
 * title and advice for its code; the service's own (English) message is added only where the
 * catalog's advice points to it (a configuration problem).
 */
import { ErrorCode, type ErrorInfo } from '../../shared/errors.js';
import type { I18n } from '../../shared/i18n/translator.js';
import type { BackupSummary } from '../backup/model.js';
import type { LanguageSource } from './AppLanguage.js';
import { errorPhrase, isSignInRefused, type AppSnapshot } from './trayState.js';

export interface DesktopNotification {
  title: string;
  body: string;
  /** What a click on the notification does (where the system reports clicks). */
  onClick?: () => void;
}

export interface NotificationPort {
  show(notification: DesktopNotification): void;
}

export interface NotificationControllerDeps {
  port: NotificationPort;
  /** The setting at start. */
  enabled: boolean;
  /** A click shows the window, where every one of these is dealt with. */
  showWindow(): void;
  /** The language of the notifications: the current one when each is shown. */
  language: Pick<LanguageSource, 'current'>;
}

/** More new conflicts than this in one snapshot make one summary notification. */
export const MAX_SEPARATE_CONFLICT_NOTIFICATIONS = 3;

function baseName(filePath: string): string {
  const parts = filePath.split(/[\\/]/).filter((part) => part !== '');
  return parts[parts.length - 1] ?? filePath;
}

/** "a, b and c", "a, b, c and 2 more" (「a、b、c」「a、b、cほか2件」). */
export function listNames(names: readonly string[], i18n: I18n, max = 3): string {
  const words = i18n.t.notifications;
  const shown = names.slice(0, max);
  const rest = names.length - shown.length;
  if (rest > 0) return words.listMore(shown.join(words.listSeparator), rest);
  if (shown.length <= 1) return shown.join('');
  return words.listLast(shown.slice(0, -1).join(words.listSeparator), shown[shown.length - 1] as string);
}

/**
 * An error as a notification says it: the catalog's title and what to do (as for a button the
 * user pressed: nothing retries a failed backup before its next time). Configuration and
 * invalid-request errors have their particulars only in the service's message (the catalog's
 * advice points to "the details"), so that message comes instead of the advice.
 */
export function errorSentences(error: ErrorInfo, i18n: I18n): string {
  // A refused sign-in here is the saved one, as in a running sync: sign in again.
  const said = error.code === ErrorCode.Unauthorized ? i18n.t.errors.signInUnauthorized : i18n.error(error.code, 'action');
  const specific = error.code === ErrorCode.Configuration || error.code === ErrorCode.InvalidRequest;
  return i18n.t.notifications.sentences(said.title, specific && error.message.trim() !== '' ? i18n.t.errors.detail(error.message.trim()) : said.advice);
}

export class NotificationController {
  private readonly deps: NotificationControllerDeps;
  private enabled: boolean;
  private knownConflicts: Set<string> | null = null;
  /** Pairs (by local folder) told about their fail-safe, with their lastSyncAt at that time. */
  private readonly failsafeTold = new Map<string, number | null>();
  /** Set when the expired sign-in was told: the pairs' lastSyncAt at that time. */
  private signInTold: Map<string, number | null> | null = null;
  private lastAccount: AppSnapshot['account'] | null = null;
  /** Pairs whose refused sign-in predates the user signing in again. */
  private readonly staleRefusals = new Set<string>();

  constructor(deps: NotificationControllerDeps) {
    this.deps = deps;
    this.enabled = deps.enabled;
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  update(snapshot: AppSnapshot): void {
    this.checkConflicts(snapshot);
    this.checkFailsafe(snapshot);
    this.checkSignIn(snapshot);
    this.lastAccount = snapshot.account;
  }

  /** A backup ended with this summary (stopped or not). */
  backupEnded(summary: BackupSummary): void {
    if (summary.dryRun) return;
    if (summary.stopped !== null) {
      this.backupFailed(summary.stopped, summary.sent.length);
      return;
    }
    const i18n = this.i18n();
    const words = i18n.t.notifications;
    const sent = summary.sent.length === 0 ? words.backupNothingNew : words.backupSent(summary.sent.length, i18n.bytes(summary.bytesSent));
    if (summary.failed.length > 0) {
      const names = listNames(summary.failed.map((failure) => baseName(failure.path)), i18n);
      this.show(words.backupFinishedWithProblems, words.sentences(sent, words.backupNotSent(summary.failed.length, names)));
      return;
    }
    this.show(words.backupFinished, sent);
  }

  /** A backup stopped before the end, or could not start. */
  backupFailed(error: ErrorInfo, sentBeforeStop = 0): void {
    if (error.code === ErrorCode.Cancelled) return;
    const i18n = this.i18n();
    const words = i18n.t.notifications;
    const said = errorSentences(error, i18n);
    this.show(words.backupFailed, sentBeforeStop > 0 ? words.sentences(said, words.backupSentBeforeStop(sentBeforeStop)) : said);
  }

  private checkConflicts(snapshot: AppSnapshot): void {
    const open = new Set(snapshot.conflicts.map((conflict) => conflict.id));
    const known = this.knownConflicts;
    this.knownConflicts = open;
    if (known === null) return;
    const created = snapshot.conflicts.filter((conflict) => !known.has(conflict.id));
    if (created.length === 0) return;
    const i18n = this.i18n();
    const words = i18n.t.notifications;
    if (created.length <= MAX_SEPARATE_CONFLICT_NOTIFICATIONS) {
      for (const conflict of created) this.show(words.conflictTitle(baseName(conflict.path)), words.conflictBody(conflict.path));
      return;
    }
    this.show(words.conflictsTitle(created.length), words.conflictsBody(listNames(created.map((conflict) => baseName(conflict.path)), i18n)));
  }

  private checkFailsafe(snapshot: AppSnapshot): void {
    const present = new Set<string>();
    for (const pair of snapshot.pairs) {
      present.add(pair.localFolder);
      const told = this.failsafeTold.get(pair.localFolder);
      if (told !== undefined && pair.status.lastSyncAt !== told && pair.status.state !== 'failsafe') {
        this.failsafeTold.delete(pair.localFolder);
      }
      if (pair.status.state !== 'failsafe' || this.failsafeTold.has(pair.localFolder)) continue;
      this.failsafeTold.set(pair.localFolder, pair.status.lastSyncAt);
      const i18n = this.i18n();
      const info = pair.status.failSafe;
      const why = info !== null ? i18n.t.tray.filesToDelete(info.total) : errorPhrase({ code: ErrorCode.FailSafeTriggered, message: '' }, i18n);
      this.show(i18n.t.notifications.failsafeTitle, i18n.t.notifications.failsafeBody(pair.localFolder, why));
    }
    for (const folder of this.failsafeTold.keys()) {
      if (!present.has(folder)) this.failsafeTold.delete(folder);
    }
  }

  private checkSignIn(snapshot: AppSnapshot): void {
    // A pair still showing the refusal from before the user signed in again says nothing new
    // until it has tried again (it retries at the poll interval, or at once on "Sync now").
    for (const folder of this.staleRefusals) {
      const pair = snapshot.pairs.find((candidate) => candidate.localFolder === folder);
      if (pair === undefined || !isSignInRefused(pair.status)) this.staleRefusals.delete(folder);
    }
    const signedInAgain = snapshot.account === 'signed-in' && this.lastAccount !== null && this.lastAccount !== 'signed-in';
    if (signedInAgain) {
      this.signInTold = null;
      for (const pair of snapshot.pairs) if (isSignInRefused(pair.status)) this.staleRefusals.add(pair.localFolder);
    }
    const told = this.signInTold;
    if (told !== null && snapshot.pairs.some((pair) => told.has(pair.localFolder) && pair.status.lastSyncAt !== told.get(pair.localFolder))) {
      this.signInTold = null;
    }
    const expired =
      snapshot.account === 'expired' ||
      (snapshot.account === 'signed-in' && snapshot.pairs.some((pair) => isSignInRefused(pair.status) && !this.staleRefusals.has(pair.localFolder)));
    if (this.signInTold !== null || !expired) return;
    this.signInTold = new Map(snapshot.pairs.map((pair) => [pair.localFolder, pair.status.lastSyncAt]));
    const words = this.i18n().t.notifications;
    this.show(words.expiredTitle, words.expiredBody);
  }

  private i18n(): I18n {
    return this.deps.language.current();
  }

  private show(title: string, body: string): void {
    if (!this.enabled) return;
    this.deps.port.show({ title, body, onClick: () => this.deps.showWindow() });
  }
}
