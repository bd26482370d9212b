/**
 * The app's own update in the window (electron/app/UpdateController.ts decides):
 *
 * - UpdateBanner: a quiet line at the top of every screen once an update is downloaded and
 *   verified, with "Restart to update"; while a sync run or backup is in progress it says that
 *   the restart waits for the end of it. Nothing else about updates ever interrupts: checking,
 *   downloading and failures are shown only in Settings.
 * - UpdateSection: the Settings card: turning updates off, the channel, where the update
 *   stands (one line, the last failure included), and Check now.
 */
import type { UpdateChannel, UpdateStateView } from '../../../shared/types.js';
import { useI18n } from '../i18n/i18n.js';
import { unwrap } from '../state/AppStore.js';
import { useAction, useApi, useAppData, useNow, useStore } from '../state/hooks.js';
import { Card } from './Card.js';
import { SelectField } from './SelectField.js';
import { ErrorNotice } from './ErrorNotice.js';

function useRestart() {
  const api = useApi();
  const store = useStore();
  return useAction(async () => {
    store.accept({ update: unwrap(await api.restartToUpdate()) });
  });
}

/** What a restart waits for, or what it would wait for, in a sentence; null when nothing runs. */
function waitingLine(t: ReturnType<typeof useI18n>['t'], update: UpdateStateView): string | null {
  if (update.busy === null) return null;
  if (update.restartPending) return update.busy === 'sync' ? t.update.restartsAfterSync : t.update.restartsAfterBackup;
  return update.busy === 'sync' ? t.update.wouldWaitSync : t.update.wouldWaitBackup;
}

export function UpdateBanner() {
  const { t } = useI18n();
  const { update } = useAppData();
  const restart = useRestart();
  if (update === null || update.version === null || (update.phase !== 'ready' && update.phase !== 'installing')) return null;
  const waiting = update.phase === 'ready' ? waitingLine(t, update) : null;
  return (
    <div className="notice notice-success update-banner" role="status">
      <p className="notice-title">{update.phase === 'installing' ? t.update.installing(update.version) : t.update.ready(update.version)}</p>
      {waiting !== null && <p>{waiting}</p>}
      {update.phase === 'ready' && !update.restartPending && (
        <button type="button" disabled={restart.busy} onClick={() => void restart.run()}>
          {t.update.restart}
        </button>
      )}
      {restart.error !== null && <ErrorNotice error={restart.error} onDismiss={restart.clearError} />}
    </div>
  );
}

/** Where the update stands, in one line. */
function statusLine(i18n: ReturnType<typeof useI18n>, update: UpdateStateView, now: number): string {
  const { t } = i18n;
  switch (update.phase) {
    case 'disabled':
      switch (update.disabledReason) {
        case 'not-packaged':
          return t.update.disabledNotPackaged;
        case 'unsupported':
          return t.update.disabledUnsupported;
        case 'no-feed':
          return t.update.disabledNoFeed;
        default:
          return t.update.disabledSetting;
      }
    case 'checking':
      return t.update.checking;
    case 'downloading':
      return t.update.downloading(update.version ?? '', update.percent ?? 0);
    case 'ready':
      return t.update.ready(update.version ?? '');
    case 'installing':
      return t.update.installing(update.version ?? '');
    case 'idle':
      if (update.problem !== null && update.nextCheckAt !== null) return t.update.problem(i18n.relative(update.nextCheckAt, now));
      if (update.lastCheckedAt !== null) return t.update.upToDate(i18n.relative(update.lastCheckedAt, now));
      return update.nextCheckAt === null ? t.update.checking : t.update.notCheckedYet(i18n.relative(update.nextCheckAt, now));
  }
}

export function UpdateSection({ enabled, channel }: { enabled: boolean; channel: UpdateChannel }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const store = useStore();
  const { update } = useAppData();
  const now = useNow();
  const change = useAction(async (next: { enabled?: boolean; channel?: UpdateChannel }) => {
    store.accept({ settings: unwrap(await api.updateSettings({ update: next })) });
  });
  const check = useAction(async () => {
    store.accept({ update: unwrap(await api.checkForUpdate()) });
  });
  const restart = useRestart();
  // Turned off by the user, the switch still works; a copy that cannot update has nothing to switch.
  const cannotUpdate = update !== null && update.phase === 'disabled' && update.disabledReason !== 'setting';
  return (
    <Card title={t.update.heading}>
      {update !== null && <p className="muted">{t.update.current(update.currentVersion)}</p>}
      <label className="inline">
        <input type="checkbox" checked={enabled} disabled={change.busy || cannotUpdate} onChange={(event) => void change.run({ enabled: event.target.checked })} />{' '}
        {t.update.enabled}
      </label>
      <SelectField<UpdateChannel>
        label={t.update.channel}
        value={channel}
        disabled={change.busy || cannotUpdate}
        help={{ text: t.update.channelHelp, className: 'muted' }}
        onChange={(next) => void change.run({ channel: next })}
      >
        <option value="stable">{t.update.channelStable}</option>
        <option value="beta">{t.update.channelBeta}</option>
      </SelectField>
      {update !== null && (
        <p className="update-status" role="status">
          {statusLine(i18n, update, now)}
        </p>
      )}
      {update !== null && update.phase === 'ready' && !update.restartPending && (
        <button type="button" disabled={restart.busy} onClick={() => void restart.run()}>
          {t.update.restart}
        </button>
      )}
      {update !== null && update.phase === 'idle' && (
        <button type="button" className="secondary" disabled={check.busy} onClick={() => void check.run()}>
          {t.update.checkNow}
        </button>
      )}
      {change.error !== null && <ErrorNotice error={change.error} onDismiss={change.clearError} />}
      {check.error !== null && <ErrorNotice error={check.error} onDismiss={check.clearError} />}
      {restart.error !== null && <ErrorNotice error={restart.error} onDismiss={restart.clearError} />}
    </Card>
  );
}
