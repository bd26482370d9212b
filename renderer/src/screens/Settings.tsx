/**
 * Settings: the account (who, node, method, quota, sign out), each synced folder (selective
 * sync, bandwidth, pause, stop syncing), how syncing behaves (poll interval, parallel
 * transfers, ignore patterns), the backup's retention and device name, and the app (start at
 * login, notifications, language, appearance, the logs). Every change goes through
 * settings:update or pairs:update, which check it again.
 */
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { isUrlLike } from '../../../shared/pathRules.js';
import type { Language, PairView, SettingsView, Theme } from '../../../shared/types.js';
import { ConfirmButton } from '../components/ConfirmButton.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { FolderTree } from '../components/FolderTree.js';
import { Progress } from '../components/Progress.js';
import { useI18n } from '../i18n/i18n.js';
import { unwrap } from '../state/AppStore.js';
import { useAction, useApi, useAppData, useStore } from '../state/hooks.js';
import { remoteLabel } from './Status.js';

export interface SettingsProps {
  onAddFolder: () => void;
  /** After a sign-out, with what to tell the user on the sign-in (this screen is gone by then), or null. */
  onSignedOut?: (notice: string | null) => void;
}

export const limits = {
  pollIntervalSeconds: { min: 5, max: 86_400 },
  parallelTransfers: { min: 1, max: 16 },
  retentionDays: { min: 0, max: 36_500 },
  kiBps: { min: 0, max: 10 * 1024 * 1024 },
} as const;

/** A whole number typed in a field, within [min, max]; null when it is not one. */
export function parseWholeNumber(text: string, min: number, max: number): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= min && value <= max ? value : null;
}

/** The ignore patterns as typed: one a line, blank lines and surrounding spaces dropped, each once. */
export function parsePatterns(text: string): string[] {
  return [...new Set(text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== ''))];
}

export function Settings({ onAddFolder, onSignedOut }: SettingsProps) {
  const { t } = useI18n();
  const { settings, overview } = useAppData();
  return (
    <main className="settings" aria-labelledby="settings-title">
      <h1 id="settings-title" tabIndex={-1}>
        {t.settings.title}
      </h1>
      <AccountSection onSignedOut={onSignedOut} />
      {settings !== null && (
        <>
          <PairsSection pairs={settings.pairs} onAddFolder={onAddFolder} />
          <SyncSection settings={settings} />
          <BackupSection settings={settings} />
          <AppSection settings={settings} />
        </>
      )}
      {overview !== null && <p className="muted settings-file">{t.settings.settingsFile(overview.settingsFile)}</p>}
    </main>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const headingId = useId();
  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}

function AccountSection({ onSignedOut }: { onSignedOut: ((notice: string | null) => void) | undefined }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const store = useStore();
  const { account } = useAppData();
  const signOut = useAction(async () => {
    const result = unwrap(await api.signOut());
    onSignedOut?.(result.revocation === 'failed' && result.revocationError !== null ? t.settings.signedOutRevokeFailed(result.revocationError) : null);
    store.accept({ account: null });
  });
  if (account === null) return null;
  return (
    <Section title={t.settings.accountHeading}>
      <dl className="facts">
        <dt>{t.settings.user}</dt>
        <dd>{account.userId}</dd>
        <dt>{t.settings.node}</dt>
        <dd>{account.node}</dd>
        <dt>{t.settings.method}</dt>
        <dd>
          {account.signedInWith === 'oauth2' ? t.settings.methodOAuth : t.settings.methodBasic}
          {account.fallbackReason !== null && <p className="muted">{t.settings.fallback(account.fallbackReason)}</p>}
        </dd>
        <dt>{t.settings.webdav}</dt>
        <dd>
          <code className="path">{account.webdavUrl}</code>
        </dd>
        <dt>{t.settings.secrets}</dt>
        <dd>{account.secretStore}</dd>
        <dt>{t.settings.quota}</dt>
        <dd>
          {account.quota !== null && account.quota.quotaBytes > 0 ? (
            <Progress
              label={t.status.quotaLabel}
              value={account.quota.usedBytes}
              max={account.quota.quotaBytes}
              text={t.status.quotaUsed(i18n.bytes(account.quota.usedBytes), i18n.bytes(account.quota.quotaBytes), i18n.percent(account.quota.usedBytes / account.quota.quotaBytes))}
            />
          ) : (
            <span className="muted">{account.quotaProblem ?? t.status.quotaUnknown}</span>
          )}
        </dd>
      </dl>
      {signOut.error !== null && <ErrorNotice error={signOut.error} onDismiss={signOut.clearError} />}
      <ConfirmButton label={t.settings.signOut} question={t.settings.signOutConfirm} confirmLabel={t.settings.signOutYes} onConfirm={() => void signOut.run()} disabled={signOut.busy} />
    </Section>
  );
}

function PairsSection({ pairs, onAddFolder }: { pairs: readonly PairView[]; onAddFolder: () => void }) {
  const { t } = useI18n();
  return (
    <Section title={t.settings.pairsHeading}>
      {pairs.length === 0 ? <p className="muted">{t.settings.pairsNone}</p> : pairs.map((pair) => <PairSettings key={pair.id} pair={pair} />)}
      <button type="button" onClick={onAddFolder}>
        {t.nav.addFolder}
      </button>
    </Section>
  );
}

function PairSettings({ pair }: { pair: PairView }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const headingId = useId();
  const upId = useId();
  const downId = useId();
  const [editing, setEditing] = useState(false);
  const [excluded, setExcluded] = useState<string[]>(pair.excludedFolders);
  const [up, setUp] = useState(String(pair.bandwidth.uploadKiBps));
  const [down, setDown] = useState(String(pair.bandwidth.downloadKiBps));
  const [invalid, setInvalid] = useState(false);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!editing) setExcluded(pair.excludedFolders);
  }, [pair.excludedFolders, editing]);
  const update = useAction(async (what: 'folders' | 'bandwidth' | 'pause' | 'resume' | 'remove') => {
    setSaved(false);
    if (what === 'folders') {
      unwrap(await api.updatePair({ id: pair.id, excludedFolders: excluded }));
      setEditing(false);
    }
    if (what === 'bandwidth') {
      const uploadKiBps = parseWholeNumber(up, limits.kiBps.min, limits.kiBps.max);
      const downloadKiBps = parseWholeNumber(down, limits.kiBps.min, limits.kiBps.max);
      setInvalid(uploadKiBps === null || downloadKiBps === null);
      if (uploadKiBps === null || downloadKiBps === null) return;
      unwrap(await api.updatePair({ id: pair.id, bandwidth: { uploadKiBps, downloadKiBps } }));
      setSaved(true);
    }
    if (what === 'pause') unwrap(await api.pausePair({ id: pair.id }));
    if (what === 'resume') unwrap(await api.resumePair({ id: pair.id }));
    if (what === 'remove') unwrap(await api.removePair({ id: pair.id }));
  });
  const browsable = !isUrlLike(pair.remoteFolder);
  return (
    <article className="pair-settings" aria-labelledby={headingId}>
      <h3 id={headingId} className="path">
        {pair.localFolder}
      </h3>
      <dl className="facts">
        <dt>{t.settings.pairLocal}</dt>
        <dd>
          <code className="path">{pair.localFolder}</code>
        </dd>
        <dt>{t.settings.pairRemote}</dt>
        <dd>
          <code className="path">{remoteLabel(pair.remoteFolder, i18n)}</code>
        </dd>
        <dt>{t.settings.excluded}</dt>
        <dd>
          {pair.excludedFolders.length === 0
            ? t.settings.excludedNone
            : pair.excludedFolders.map((folder) => (
                <code key={folder} className="path tag">
                  {folder}
                </code>
              ))}
        </dd>
      </dl>
      {update.error !== null && <ErrorNotice error={update.error} onDismiss={update.clearError} />}
      {browsable && !editing && (
        <button type="button" className="secondary" onClick={() => setEditing(true)}>
          {t.settings.chooseFolders}
        </button>
      )}
      {editing && (
        <div className="selective">
          <p>{t.setup.selectiveHelp}</p>
          <FolderTree root={pair.remoteFolder} excluded={excluded} onChange={setExcluded} label={t.setup.selectiveHeading} disabled={update.busy} />
          <div className="button-row">
            <button type="button" onClick={() => void update.run('folders')} disabled={update.busy}>
              {t.settings.saveFolders}
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setEditing(false);
                setExcluded(pair.excludedFolders);
              }}
            >
              {t.app.cancel}
            </button>
          </div>
        </div>
      )}
      <form
        className="field-row"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void update.run('bandwidth');
        }}
      >
        <div className="field">
          <label htmlFor={upId}>{t.settings.uploadLimit}</label>
          <input id={upId} type="text" inputMode="numeric" value={up} aria-invalid={invalid ? true : undefined} onChange={(event) => setUp(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={downId}>{t.settings.downloadLimit}</label>
          <input id={downId} type="text" inputMode="numeric" value={down} aria-invalid={invalid ? true : undefined} onChange={(event) => setDown(event.target.value)} />
        </div>
        <button type="submit" className="secondary" disabled={update.busy}>
          {t.app.save}
        </button>
        {invalid && (
          <p className="field-error" role="alert">
            {t.settings.invalidNumber(limits.kiBps.min, limits.kiBps.max)}
          </p>
        )}
        {saved && (
          <p className="saved" role="status">
            {t.app.saved}
          </p>
        )}
      </form>
      <div className="button-row">
        {pair.paused ? (
          <button type="button" className="secondary" onClick={() => void update.run('resume')} disabled={update.busy}>
            {t.status.resume}
          </button>
        ) : (
          <button type="button" className="secondary" onClick={() => void update.run('pause')} disabled={update.busy}>
            {t.status.pause}
          </button>
        )}
        <ConfirmButton label={t.settings.removePair} question={t.settings.removeConfirm} confirmLabel={t.settings.removeYes} onConfirm={() => void update.run('remove')} disabled={update.busy} />
      </div>
    </article>
  );
}

/**
 * One section's form: its fields as typed, Save, and what came of it. `edited` is true from the
 * first keystroke until a save worked: until then the fields follow the settings as main
 * pushes them (a change made in the tray or by the command is shown, not overwritten later).
 */
function useSettingsForm(save: () => Promise<void> | null) {
  const [saved, setSaved] = useState(false);
  const [edited, setEdited] = useState(false);
  const action = useAction(async () => {
    setSaved(false);
    const saving = save();
    if (saving === null) return;
    await saving;
    setEdited(false);
    setSaved(true);
  });
  const changed = (): void => {
    setSaved(false);
    setEdited(true);
  };
  return { ...action, saved, edited, changed };
}

function SyncSection({ settings }: { settings: SettingsView }) {
  const { t } = useI18n();
  const api = useApi();
  const store = useStore();
  const patternsId = useId();
  const patternsHelpId = useId();
  const [poll, setPoll] = useState(String(settings.sync.pollIntervalSeconds));
  const [parallel, setParallel] = useState(String(settings.sync.parallelTransfers));
  const [patterns, setPatterns] = useState(settings.sync.ignorePatterns.join('\n'));
  const [invalid, setInvalid] = useState<'poll' | 'parallel' | null>(null);
  const { pollIntervalSeconds: savedPoll, parallelTransfers: savedParallel, ignorePatterns: savedPatterns } = settings.sync;
  const form = useSettingsForm(() => {
    const pollIntervalSeconds = parseWholeNumber(poll, limits.pollIntervalSeconds.min, limits.pollIntervalSeconds.max);
    const parallelTransfers = parseWholeNumber(parallel, limits.parallelTransfers.min, limits.parallelTransfers.max);
    setInvalid(pollIntervalSeconds === null ? 'poll' : parallelTransfers === null ? 'parallel' : null);
    if (pollIntervalSeconds === null || parallelTransfers === null) return null;
    return api
      .updateSettings({ sync: { pollIntervalSeconds, parallelTransfers, ignorePatterns: parsePatterns(patterns) } })
      .then(unwrap)
      .then((value) => {
        store.accept({ settings: value });
        setPatterns(value.sync.ignorePatterns.join('\n'));
      });
  });
  useEffect(() => {
    if (form.edited) return;
    setPoll(String(savedPoll));
    setParallel(String(savedParallel));
    setPatterns(savedPatterns.join('\n'));
  }, [form.edited, savedPoll, savedParallel, savedPatterns]);
  return (
    <Section title={t.settings.syncHeading}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void form.run();
        }}
        onChange={form.changed}
      >
        <WholeNumberField label={t.settings.pollInterval} value={poll} onChange={setPoll} invalid={invalid === 'poll'} limit={limits.pollIntervalSeconds} />
        <WholeNumberField label={t.settings.parallelTransfers} value={parallel} onChange={setParallel} invalid={invalid === 'parallel'} limit={limits.parallelTransfers} />
        <div className="field">
          <label htmlFor={patternsId}>{t.settings.ignorePatterns}</label>
          <textarea id={patternsId} rows={5} spellCheck={false} value={patterns} aria-describedby={patternsHelpId} onChange={(event) => setPatterns(event.target.value)} />
          <p id={patternsHelpId} className="help">
            {t.settings.ignoreHelp}
          </p>
        </div>
        <SaveRow form={form} />
      </form>
    </Section>
  );
}

/** A field for a whole number in [min, max], with the message when what was typed is not one. */
function WholeNumberField({ label, value, onChange, invalid, limit }: { label: string; value: string; onChange: (value: string) => void; invalid: boolean; limit: { min: number; max: number } }) {
  const { t } = useI18n();
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="text" inputMode="numeric" value={value} aria-invalid={invalid ? true : undefined} onChange={(event) => onChange(event.target.value)} />
      {invalid && (
        <p className="field-error" role="alert">
          {t.settings.invalidNumber(limit.min, limit.max)}
        </p>
      )}
    </div>
  );
}

function SaveRow({ form }: { form: ReturnType<typeof useSettingsForm> }) {
  const { t } = useI18n();
  return (
    <>
      {form.error !== null && <ErrorNotice error={form.error} onDismiss={form.clearError} />}
      <div className="button-row">
        <button type="submit" disabled={form.busy}>
          {form.busy ? t.app.saving : t.app.save}
        </button>
        {form.saved && (
          <span className="saved" role="status">
            {t.app.saved}
          </span>
        )}
      </div>
    </>
  );
}

function BackupSection({ settings }: { settings: SettingsView }) {
  const { t } = useI18n();
  const api = useApi();
  const store = useStore();
  const deviceId = useId();
  const deviceHelpId = useId();
  const [retention, setRetention] = useState(String(settings.backup.retentionDays));
  const [device, setDevice] = useState(settings.backup.device ?? '');
  const [invalid, setInvalid] = useState(false);
  const { retentionDays: savedRetention, device: savedDevice } = settings.backup;
  const form = useSettingsForm(() => {
    const retentionDays = parseWholeNumber(retention, limits.retentionDays.min, limits.retentionDays.max);
    setInvalid(retentionDays === null);
    if (retentionDays === null) return null;
    return api
      .updateSettings({ backup: { retentionDays, device: device.trim() === '' ? null : device.trim() } })
      .then(unwrap)
      .then((value) => store.accept({ settings: value }));
  });
  useEffect(() => {
    if (form.edited) return;
    setRetention(String(savedRetention));
    setDevice(savedDevice ?? '');
  }, [form.edited, savedRetention, savedDevice]);
  return (
    <Section title={t.settings.backupHeading}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void form.run();
        }}
        onChange={form.changed}
      >
        <WholeNumberField label={t.settings.retentionDays} value={retention} onChange={setRetention} invalid={invalid} limit={limits.retentionDays} />
        <div className="field">
          <label htmlFor={deviceId}>{t.settings.device}</label>
          <input id={deviceId} type="text" value={device} aria-describedby={deviceHelpId} onChange={(event) => setDevice(event.target.value)} />
          <p id={deviceHelpId} className="help">
            {t.settings.deviceHelp}
          </p>
        </div>
        <SaveRow form={form} />
      </form>
    </Section>
  );
}

function AppSection({ settings }: { settings: SettingsView }) {
  const { t } = useI18n();
  const api = useApi();
  const store = useStore();
  const languageId = useId();
  const themeId = useId();
  const change = useAction(async (update: Parameters<typeof api.updateSettings>[0]) => {
    store.accept({ settings: unwrap(await api.updateSettings(update)) });
  });
  const openLogs = useAction(async () => unwrap(await api.openFolder({ kind: 'logs' })));
  const app = settings.app;
  return (
    <Section title={t.settings.appHeading}>
      <label className="inline">
        <input type="checkbox" checked={app.startAtLogin === true} disabled={change.busy} onChange={(event) => void change.run({ app: { startAtLogin: event.target.checked } })} />{' '}
        {t.settings.startAtLogin}
      </label>
      <label className="inline">
        <input type="checkbox" checked={app.notifications} disabled={change.busy} onChange={(event) => void change.run({ app: { notifications: event.target.checked } })} />{' '}
        {t.settings.notifications}
      </label>
      <div className="field-row">
        <div className="field">
          <label htmlFor={languageId}>{t.settings.language}</label>
          <select id={languageId} value={app.language} disabled={change.busy} onChange={(event) => void change.run({ app: { language: event.target.value as Language } })}>
            <option value="system">{t.settings.languageSystem}</option>
            <option value="en" lang="en">
              English
            </option>
            <option value="ja" lang="ja">
              日本語
            </option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={themeId}>{t.settings.theme}</label>
          <select id={themeId} value={app.theme} disabled={change.busy} onChange={(event) => void change.run({ app: { theme: event.target.value as Theme } })}>
            <option value="system">{t.settings.themeSystem}</option>
            <option value="light">{t.settings.themeLight}</option>
            <option value="dark">{t.settings.themeDark}</option>
          </select>
        </div>
      </div>
      {change.error !== null && <ErrorNotice error={change.error} onDismiss={change.clearError} />}
      {openLogs.error !== null && <ErrorNotice error={openLogs.error} onDismiss={openLogs.clearError} />}
      <button type="button" className="secondary" onClick={() => void openLogs.run()}>
        {t.settings.openLogs}
      </button>
    </Section>
  );
}
