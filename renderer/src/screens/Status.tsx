/**
 * The status screen: the app's state in words with the tray's icon, each synced folder with
 * its progress (files, bytes, time left), last sync and buttons, a fail-safe stop with its
 * answers, the storage quota, what could not be synced (with Retry), and the last few sync
 * runs of the activity history (with the way to the Activity screen).
 */
import { useId } from 'react';
import { freshSyncStatus, isSignInRefused, overallTrayState, pendingChanges, type TrayState } from '../../../shared/appState.js';
import type { ActivityRun, PairView, SyncStatus } from '../../../shared/types.js';
import { Card } from '../components/Card.js';
import { PauseButton } from '../components/PauseButton.js';
import { ActivityRunList, type ShowDeletedHandler } from '../components/ActivityRunList.js';
import { DeletedUsage } from '../components/DeletedUsage.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { Progress } from '../components/Progress.js';
import { StateIcon } from '../components/StateIcon.js';
import { pastTime, useRemainingMs } from '../components/timeLeft.js';
import { useI18n, type I18n } from '../i18n/i18n.js';
import { FailSafePanel } from './FailSafePanel.js';
import { unwrap } from '../state/AppStore.js';
import { useAction, useApi, useAppData, useNow } from '../state/hooks.js';

export interface StatusProps {
  onSetUp: () => void;
  onShowConflicts: () => void;
  onShowBackup: () => void;
  /** Opens the Activity screen ("Show all activity"). */
  onShowActivity?: () => void;
  /** Opens the files a run deleted on TeraCLOUD (a "Deleted files" screen); without it, no such button. */
  onShowDeleted?: ShowDeletedHandler;
}

const stoppedStatus = freshSyncStatus('stopped');

/** The remote folder as the user reads it. */
export function remoteLabel(remoteFolder: string, i18n: I18n): string {
  return remoteFolder === '' ? i18n.t.setup.remoteRoot : remoteFolder;
}

export function trayStateWords(state: TrayState, i18n: I18n, context: { pairs: number; conflicts: number; signedIn: boolean; expired: boolean }): string {
  const words = i18n.t.trayState;
  switch (state) {
    case 'idle':
      return context.pairs === 0 ? words.idleNoPairs : words.idle;
    case 'conflicts':
      return words.conflicts(context.conflicts);
    case 'error':
      if (!context.signedIn) return words.signedOut;
      return context.expired ? words.expired : words.error;
    default:
      return words[state];
  }
}

/**
 * The headline: the app's state, with what the icon cannot show beside it: the pause next to
 * open conflicts ("Paused · 1 conflict needs your decision"), the conflicts next to a higher
 * state, and the changes waiting while offline, paused or stopped.
 */
export function headlineWords(
  state: TrayState,
  i18n: I18n,
  context: { pairs: number; conflicts: number; signedIn: boolean; expired: boolean; paused: boolean; pending: number },
): string {
  const model = i18n.t.stateModel;
  const parts: string[] = [];
  if (state === 'conflicts' && context.paused) parts.push(i18n.t.trayState.paused, model.conflictsNeedDecision(context.conflicts));
  else parts.push(trayStateWords(state, i18n, context));
  if (state !== 'conflicts' && context.conflicts > 0) parts.push(model.conflictsNeedDecision(context.conflicts));
  if (context.pending > 0 && state !== 'syncing' && state !== 'idle') parts.push(model.changesWaiting(context.pending));
  return parts.join(model.separator);
}

export function Status({ onSetUp, onShowConflicts, onShowBackup, onShowActivity, onShowDeleted }: StatusProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const data = useAppData();
  const pairs = data.settings?.pairs ?? [];
  const statusOf = (id: string): SyncStatus => data.statuses[id] ?? stoppedStatus;
  const paused = pairs.length > 0 && pairs.every((pair) => pair.paused);
  const statuses = pairs.map((pair) => statusOf(pair.id));
  const expired = statuses.some(isSignInRefused);
  const state = overallTrayState({
    statuses,
    conflicts: data.conflicts.length,
    paused,
    backupRunning: data.backup.running !== null,
    account: data.account === null ? 'signed-out' : 'signed-in',
  });
  const all = useAction(async (what: 'sync' | 'pause' | 'resume') => {
    for (const pair of pairs) {
      if (what === 'sync' && !pair.paused) unwrap(await api.syncPairNow({ id: pair.id }));
      if (what === 'pause' && !pair.paused) unwrap(await api.pausePair({ id: pair.id }));
      if (what === 'resume' && pair.paused) unwrap(await api.resumePair({ id: pair.id }));
    }
  });
  const words = headlineWords(state, i18n, {
    pairs: pairs.length,
    conflicts: data.conflicts.length,
    signedIn: data.account !== null,
    expired,
    paused,
    pending: pendingChanges(statuses),
  });

  return (
    <main className="status" aria-labelledby="status-title">
      <h1 id="status-title" tabIndex={-1}>
        {t.status.title}
      </h1>
      <section className="card overall" aria-label={t.status.title}>
        <div className="overall-state">
          <StateIcon state={state} />
          <p className="state-words" role="status" aria-live="polite">
            {words}
          </p>
        </div>
        <div className="button-row">
          {/* One pair: its own card has the buttons. */}
          {pairs.length > 1 && (
            <>
              <button type="button" onClick={() => void all.run('sync')} disabled={all.busy || paused}>
                {t.status.syncAllNow}
              </button>
              <PauseButton paused={paused} run={(what) => void all.run(what)} disabled={all.busy} labels={{ pause: t.status.pauseAll, resume: t.status.resumeAll }} />
            </>
          )}
          {data.conflicts.length > 0 && (
            <button type="button" className="secondary" onClick={onShowConflicts}>
              {t.status.goToConflicts}
            </button>
          )}
          {data.backup.running !== null && (
            <button type="button" className="secondary" onClick={onShowBackup}>
              {t.status.goToBackup}
            </button>
          )}
        </div>
        {all.error !== null && <ErrorNotice error={all.error} onDismiss={all.clearError} />}
      </section>

      {pairs.length === 0 ? (
        <section className="card">
          <p>{t.status.noPairs}</p>
          <button type="button" onClick={onSetUp}>
            {t.status.setUpFirst}
          </button>
        </section>
      ) : (
        pairs.map((pair) => <PairCard key={pair.id} pair={pair} status={statusOf(pair.id)} webdavUrl={data.account?.webdavUrl ?? null} />)
      )}

      <QuotaCard />
      <ProblemsCard pairs={pairs} statusOf={statusOf} />
      <ActivityCard pairs={pairs} activity={data.activity} {...(onShowActivity === undefined ? {} : { onShowActivity })} {...(onShowDeleted === undefined ? {} : { onShowDeleted })} />
    </main>
  );
}

function PairCard({ pair, status, webdavUrl }: { pair: PairView; status: SyncStatus; webdavUrl: string | null }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const now = useNow();
  const headingId = useId();
  const action = useAction(async (what: 'sync' | 'pause' | 'resume' | 'open') => {
    if (what === 'sync') unwrap(await api.syncPairNow({ id: pair.id }));
    if (what === 'pause') unwrap(await api.pausePair({ id: pair.id }));
    if (what === 'resume') unwrap(await api.resumePair({ id: pair.id }));
    if (what === 'open') unwrap(await api.openFolder({ kind: 'syncFolder', pairId: pair.id }));
  });
  const progress = status.state === 'syncing' ? status.progress : null;
  const remaining = useRemainingMs(progress === null ? null : { at: Date.now(), done: progress.bytesDone, total: progress.bytesTotal });
  const progressText =
    progress === null
      ? ''
      : [
          t.status.progressFiles(progress.actionsDone, progress.actionsTotal),
          progress.bytesTotal > 0 ? t.status.progressBytes(i18n.bytes(progress.bytesDone), i18n.bytes(progress.bytesTotal)) : null,
          remaining === null ? null : remaining < 60_000 ? t.stateModel.timeLeftUnderMinute : t.status.timeLeft(i18n.duration(remaining)),
        ]
          .filter((part) => part !== null)
          .join(' · ');
  // A fail-safe stop shows its own panel; one reported without its list, the message.
  // Offline is no failure: one calm line and one button, the details behind a disclosure.
  const offline = status.state === 'offline';
  const showProblem = status.problem !== null && !offline && status.state !== 'stopped' && !(status.state === 'failsafe' && status.failSafe !== null);
  return (
    <section className="card pair-card" aria-labelledby={headingId}>
      <h2 id={headingId} className="pair-title">
        <code className="path">{pair.localFolder}</code>
        <span aria-hidden="true"> ⇄ </span>
        <span className="sr-only"> — </span>
        <span className="remote-name">{remoteLabel(pair.remoteFolder, i18n)}</span>
      </h2>
      <p className={`pair-state state-${status.state}`}>
        <strong>{t.pairState[status.state]}</strong>
        {status.pending > 0 && status.state !== 'idle' && status.state !== 'stopped' && <> · {t.stateModel.changesWaiting(status.pending)}</>}
        {' · '}
        {status.lastSyncAt !== null ? t.status.lastSync(i18n.relative(pastTime(status.lastSyncAt, now), now)) : t.status.neverSynced}
        {status.retryAt !== null && (status.state === 'offline' || status.state === 'error') && <> · {t.status.retryAt(i18n.relative(status.retryAt, now))}</>}
      </p>
      {offline && (
        <div className="offline-note">
          <p className="muted">{t.stateModel.offlineHint}</p>
          {status.problem !== null && (
            <details className="technical-details">
              <summary>{t.errorSituations.technicalDetails}</summary>
              <p className="muted">
                {i18n.error(status.problem.code).title} <code>{status.problem.message}</code>
              </p>
            </details>
          )}
        </div>
      )}
      {progress !== null && (
        <Progress
          label={t.status.progressLabel}
          value={progress.bytesTotal > 0 ? progress.bytesDone : progress.actionsDone}
          max={progress.bytesTotal > 0 ? progress.bytesTotal : progress.actionsTotal}
          text={progressText}
        />
      )}
      {status.watcherFallback && <p className="muted">{t.status.watcherFallback}</p>}
      {showProblem && status.problem !== null && (
        <ErrorNotice
          error={status.problem}
          context="sync"
          webdavUrl={webdavUrl}
          role="status"
          onRetry={pair.paused ? undefined : () => void action.run('sync')}
          retryLabel={t.status.retryNow}
        />
      )}
      {status.state === 'failsafe' && status.failSafe !== null && <FailSafePanel pair={pair} info={status.failSafe} />}
      {action.error !== null && <ErrorNotice error={action.error} onDismiss={action.clearError} />}
      <div className="button-row">
        <button type="button" onClick={() => void action.run('sync')} disabled={action.busy || pair.paused}>
          {offline ? t.stateModel.tryNow : t.status.syncNow}
        </button>
        <PauseButton paused={pair.paused} run={(what) => void action.run(what)} disabled={action.busy} />
        <button type="button" className="secondary" onClick={() => void action.run('open')} disabled={action.busy}>
          {t.status.openFolder}
        </button>
      </div>
    </section>
  );
}

function QuotaCard() {
  const i18n = useI18n();
  const { t } = i18n;
  const { account } = useAppData();
  if (account === null) return null;
  const quota = account.quota;
  return (
    <Card title={t.status.quotaHeading}>
      {quota !== null && quota.quotaBytes > 0 ? (
        <Progress
          label={t.status.quotaLabel}
          value={quota.usedBytes}
          max={quota.quotaBytes}
          tone={quota.usedBytes / quota.quotaBytes > 0.9 ? 'warning' : 'normal'}
          text={t.status.quotaUsed(i18n.bytes(quota.usedBytes), i18n.bytes(quota.quotaBytes), i18n.percent(quota.usedBytes / quota.quotaBytes))}
        />
      ) : (
        <p className="muted">
          {t.status.quotaUnknown}
          {account.quotaProblem !== null && <> {t.errors.detail(account.quotaProblem)}</>}
        </p>
      )}
      <DeletedUsage />
    </Card>
  );
}

/** The engine's reasons are clauses ("the name contains ..."): shown as a sentence. */
function asSentence(text: string): string {
  const trimmed = text.trim();
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}${/[.!?]$/.test(trimmed) ? '' : '.'}`;
}

function ProblemsCard({ pairs, statusOf }: { pairs: readonly PairView[]; statusOf: (id: string) => SyncStatus }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const retry = useAction(async (id: string) => unwrap(await api.syncPairNow({ id })));
  // What failed because the connection went is not a problem of its own: it waits (the pair
  // says offline, with the changes waiting), so an offline pair lists only what was left alone.
  const failing = pairs
    .map((pair) => {
      const status = statusOf(pair.id);
      const lastRun = status.lastRun !== null && status.state === 'offline' ? { ...status.lastRun, errors: 0, failures: [] } : status.lastRun;
      return { pair, lastRun };
    })
    .filter((item) => item.lastRun !== null && (item.lastRun.errors > 0 || item.lastRun.skipped > 0));
  if (failing.length === 0) return null;
  return (
    <Card title={t.status.errorsHeading} className="problems">
      {retry.error !== null && <ErrorNotice error={retry.error} onDismiss={retry.clearError} />}
      {failing.map(({ pair, lastRun }) =>
        lastRun === null ? null : (
          <div key={pair.id} className="problem-group">
            <h3 className="path">{pair.localFolder}</h3>
            {lastRun.errors > 0 && (
              <>
                <p>{t.status.errorsIntro}</p>
                <ul className="problem-list">
                  {lastRun.failures.map((failure) => (
                    <li key={failure.path}>
                      <code className="path">{failure.path}</code>
                      <span className="problem-text">
                        {i18n.error(failure.error.code).title}
                      </span>
                      <TechnicalDetails text={failure.error.message} label={t.errorSituations.technicalDetails} />
                    </li>
                  ))}
                </ul>
                {lastRun.errors > lastRun.failures.length && <p className="muted">{t.status.moreErrors(lastRun.errors - lastRun.failures.length)}</p>}
              </>
            )}
            {lastRun.skipped > 0 && (
              <>
                <p>{t.status.skippedIntro}</p>
                <ul className="problem-list">
                  {lastRun.skips.map((skip) => (
                    <li key={`${skip.side}:${skip.path}`}>
                      <code className="path">{skip.path}</code>
                      <span className="problem-text">
                        {skip.side === 'local' ? t.status.skippedLocal : t.status.skippedRemote} {t.status.skipReasons[skip.reason]}
                      </span>
                      <TechnicalDetails text={asSentence(skip.message)} label={t.errorSituations.technicalDetails} />
                    </li>
                  ))}
                </ul>
                {lastRun.skipped > lastRun.skips.length && <p className="muted">{t.status.moreErrors(lastRun.skipped - lastRun.skips.length)}</p>}
              </>
            )}
            <button type="button" onClick={() => void retry.run(pair.id)} disabled={retry.busy || pair.paused}>
              {t.status.retry}
            </button>
          </div>
        ),
      )}
    </Card>
  );
}

/** The newest runs of the activity history, and the way to all of them. */
function ActivityCard({ pairs, activity, onShowActivity, onShowDeleted }: { pairs: readonly PairView[]; activity: readonly ActivityRun[]; onShowActivity?: () => void; onShowDeleted?: ShowDeletedHandler }) {
  const { t } = useI18n();
  return (
    <Card title={t.status.activityHeading}>
      {activity.length === 0 ? (
        <p className="muted">{t.status.activityEmpty}</p>
      ) : (
        <ActivityRunList runs={activity} pairs={pairs} {...(onShowDeleted === undefined ? {} : { onShowDeleted })} />
      )}
      {onShowActivity !== undefined && (
        <button type="button" className="secondary" onClick={onShowActivity}>
          {t.status.showAllActivity}
        </button>
      )}
    </Card>
  );
}

/** The engine's own words (English) for one problem, closed under the sentence that says it. */
function TechnicalDetails({ text, label }: { text: string; label: string }) {
  if (text === '') return null;
  return (
    <details className="technical-details">
      <summary>{label}</summary>
      <p className="muted" lang="en">
        {text}
      </p>
    </details>
  );
}
