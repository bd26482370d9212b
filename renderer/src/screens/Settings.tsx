/**
 * Settings: the account (who, node, method, quota, sign out), each synced folder (selective
 * sync, bandwidth, pause, stop syncing), how syncing behaves (poll interval, parallel
 * transfers, ignore patterns), the backup's retention and device name, and the app (start at
 * login, notifications, language, appearance, the logs), the proxy, and its updates. Every setting applies at once, as
 * components/SettingField.tsx describes (typed values on leaving the field or Enter, after a
 * check); every change goes through settings:update or pairs:update, which check it again.
 * The proxy is the exception: its fields belong together (a host without its port means
 * nothing), so the Proxy card has Save and Test connection (proxy:save, proxy:test), and its
 * password is sent once and never shown again: the card only learns whether one is stored.
 */
import { useEffect, useId, useState } from 'react';
import { isUrlLike } from '../../../shared/pathRules.js';
import { isProxyHost, proxyLimits, type Language, type PairView, type ProxyMode, type ProxySettingsInput, type ProxySettingsView, type ProxyTestResult, type SettingsUpdate, type SettingsView, type Theme } from '../../../shared/types.js';
import { Card } from '../components/Card.js';
import { PauseButton } from '../components/PauseButton.js';
import { SelectField } from '../components/SelectField.js';
import { TextField } from '../components/TextField.js';
import { ConfirmButton } from '../components/ConfirmButton.js';
import { DeletedUsage } from '../components/DeletedUsage.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { FolderTree } from '../components/FolderTree.js';
import { SettingField, WholeNumberSetting } from '../components/SettingField.js';
import { Progress } from '../components/Progress.js';
import { UpdateSection } from '../components/Update.js';
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
  deviceLength: 255,
  failSafePercent: { min: 1, max: 99 },
  deletedRetentionDays: { min: 1, max: 365 },
} as const;

export { parseWholeNumber } from '../components/SettingField.js';

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
          <ProxySection />
          <UpdateSection enabled={settings.update.enabled} channel={settings.update.channel} />
        </>
      )}
      {overview !== null && <p className="muted settings-file">{t.settings.settingsFile(overview.settingsFile)}</p>}
    </main>
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
    <Card title={t.settings.accountHeading}>
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
        <dd>{t.settings.secretStores[account.secretStore]}</dd>
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
          <DeletedUsage />
        </dd>
      </dl>
      {signOut.error !== null && <ErrorNotice error={signOut.error} onDismiss={signOut.clearError} />}
      <ConfirmButton label={t.settings.signOut} question={t.settings.signOutConfirm} confirmLabel={t.settings.signOutYes} onConfirm={() => void signOut.run()} disabled={signOut.busy} />
    </Card>
  );
}

function PairsSection({ pairs, onAddFolder }: { pairs: readonly PairView[]; onAddFolder: () => void }) {
  const { t } = useI18n();
  return (
    <Card title={t.settings.pairsHeading}>
      {pairs.length === 0 ? <p className="muted">{t.settings.pairsNone}</p> : pairs.map((pair) => <PairSettings key={pair.id} pair={pair} />)}
      <button type="button" onClick={onAddFolder}>
        {t.nav.addFolder}
      </button>
    </Card>
  );
}

function PairSettings({ pair }: { pair: PairView }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const headingId = useId();
  const [editing, setEditing] = useState(false);
  const [excluded, setExcluded] = useState<string[]>(pair.excludedFolders);
  useEffect(() => {
    if (!editing) setExcluded(pair.excludedFolders);
  }, [pair.excludedFolders, editing]);
  const applyBandwidth = async (bandwidth: Partial<PairView['bandwidth']>): Promise<void> => {
    unwrap(await api.updatePair({ id: pair.id, bandwidth: { ...pair.bandwidth, ...bandwidth } }));
  };
  const update = useAction(async (what: 'folders' | 'pause' | 'resume' | 'remove') => {
    if (what === 'folders') {
      unwrap(await api.updatePair({ id: pair.id, excludedFolders: excluded }));
      setEditing(false);
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
      <div className="field-row">
        <WholeNumberSetting
          label={t.settings.uploadLimit}
          value={pair.bandwidth.uploadKiBps}
          range={limits.kiBps}
          apply={(uploadKiBps) => applyBandwidth({ uploadKiBps })}
        />
        <WholeNumberSetting
          label={t.settings.downloadLimit}
          value={pair.bandwidth.downloadKiBps}
          range={limits.kiBps}
          apply={(downloadKiBps) => applyBandwidth({ downloadKiBps })}
        />
      </div>
      <div className="button-row">
        <PauseButton paused={pair.paused} run={(what) => void update.run(what)} disabled={update.busy} />
        <ConfirmButton label={t.settings.removePair} question={t.settings.removeConfirm} confirmLabel={t.settings.removeYes} onConfirm={() => void update.run('remove')} disabled={update.busy} />
      </div>
    </article>
  );
}

/** Applies part of the settings through settings:update and takes main's answer as the truth. */
function useApplySettings(): (update: SettingsUpdate) => Promise<void> {
  const api = useApi();
  const store = useStore();
  return async (update) => {
    store.accept({ settings: unwrap(await api.updateSettings(update)) });
  };
}

function SyncSection({ settings }: { settings: SettingsView }) {
  const { t } = useI18n();
  const apply = useApplySettings();
  return (
    <Card title={t.settings.syncHeading}>
      <WholeNumberSetting
        label={t.settings.pollInterval}
        value={settings.sync.pollIntervalSeconds}
        range={limits.pollIntervalSeconds}
        apply={(pollIntervalSeconds) => apply({ sync: { pollIntervalSeconds } })}
      />
      <WholeNumberSetting
        label={t.settings.parallelTransfers}
        value={settings.sync.parallelTransfers}
        range={limits.parallelTransfers}
        apply={(parallelTransfers) => apply({ sync: { parallelTransfers } })}
      />
      <WholeNumberSetting
        label={t.deleted.failSafePercent}
        value={settings.sync.failSafePercent}
        range={limits.failSafePercent}
        apply={(failSafePercent) => apply({ sync: { failSafePercent } })}
      />
      <WholeNumberSetting
        label={t.deleted.deletedRetentionDays}
        help={t.deleted.deletedRetentionHelp}
        value={settings.sync.deletedRetentionDays}
        range={limits.deletedRetentionDays}
        apply={(deletedRetentionDays) => apply({ sync: { deletedRetentionDays } })}
      />
      <SettingField<string[]>
        label={t.settings.ignorePatterns}
        help={t.settings.ignoreHelp}
        multiline
        value={settings.sync.ignorePatterns}
        format={(patterns) => patterns.join('\n')}
        parse={(text) => ({ ok: true, value: parsePatterns(text) })}
        apply={(ignorePatterns) => apply({ sync: { ignorePatterns } })}
      />
    </Card>
  );
}

function BackupSection({ settings }: { settings: SettingsView }) {
  const { t } = useI18n();
  const apply = useApplySettings();
  return (
    <Card title={t.settings.backupHeading}>
      <WholeNumberSetting
        label={t.settings.retentionDays}
        value={settings.backup.retentionDays}
        range={limits.retentionDays}
        apply={(retentionDays) => apply({ backup: { retentionDays } })}
      />
      <SettingField<string | null>
        label={t.settings.device}
        help={t.settings.deviceHelp}
        value={settings.backup.device}
        format={(device) => device ?? ''}
        parse={(text) =>
          text.trim().length > limits.deviceLength
            ? { ok: false, message: t.settingField.deviceTooLong(limits.deviceLength) }
            : { ok: true, value: text.trim() === '' ? null : text.trim() }
        }
        apply={(device) => apply({ backup: { device } })}
      />
    </Card>
  );
}

function AppSection({ settings }: { settings: SettingsView }) {
  const { t } = useI18n();
  const api = useApi();
  const store = useStore();
  const change = useAction(async (update: Parameters<typeof api.updateSettings>[0]) => {
    store.accept({ settings: unwrap(await api.updateSettings(update)) });
  });
  const openLogs = useAction(async () => unwrap(await api.openFolder({ kind: 'logs' })));
  const app = settings.app;
  return (
    <Card title={t.settings.appHeading}>
      <label className="inline">
        <input type="checkbox" checked={app.startAtLogin === true} disabled={change.busy} onChange={(event) => void change.run({ app: { startAtLogin: event.target.checked } })} />{' '}
        {t.settings.startAtLogin}
      </label>
      <label className="inline">
        <input type="checkbox" checked={app.notifications} disabled={change.busy} onChange={(event) => void change.run({ app: { notifications: event.target.checked } })} />{' '}
        {t.settings.notifications}
      </label>
      <div className="field-row">
        <SelectField<Language> label={t.settings.language} value={app.language} disabled={change.busy} onChange={(language) => void change.run({ app: { language } })}>
          <option value="system">{t.settings.languageSystem}</option>
          <option value="en" lang="en">
            English
          </option>
          <option value="ja" lang="ja">
            日本語
          </option>
        </SelectField>
        <SelectField<Theme> label={t.settings.theme} value={app.theme} disabled={change.busy} onChange={(theme) => void change.run({ app: { theme } })}>
          <option value="system">{t.settings.themeSystem}</option>
          <option value="light">{t.settings.themeLight}</option>
          <option value="dark">{t.settings.themeDark}</option>
        </SelectField>
      </div>
      {change.error !== null && <ErrorNotice error={change.error} onDismiss={change.clearError} />}
      {openLogs.error !== null && <ErrorNotice error={openLogs.error} onDismiss={openLogs.clearError} />}
      <button type="button" className="secondary" onClick={() => void openLogs.run()}>
        {t.settings.openLogs}
      </button>
    </Card>
  );
}

const proxyModeOrder: readonly ProxyMode[] = ['system', 'none', 'http', 'socks5'];

interface ProxyProblems {
  host: string | null;
  port: string | null;
}

/**
 * What the Proxy card's fields make, or the problem of each field. Host and port matter only for
 * an HTTP or SOCKS5 proxy (then a host is required); otherwise they are kept as typed when valid.
 */
export function readProxyFields(
  fields: { mode: ProxyMode; host: string; port: string; user: string },
  messages: { hostRequired: string; hostInvalid: string; portInvalid: string },
): { ok: true; value: Omit<ProxySettingsInput, 'password' | 'clearPassword'> } | { ok: false; problems: ProxyProblems } {
  const manual = fields.mode === 'http' || fields.mode === 'socks5';
  const host = fields.host.trim();
  const portText = fields.port.trim();
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  const portOk = Number.isInteger(port) && port >= proxyLimits.port.min && port <= proxyLimits.port.max;
  const hostOk = host === '' || isProxyHost(host);
  const user = fields.user.trim() === '' ? null : fields.user.trim();
  if (manual && (host === '' || !hostOk || !portOk)) {
    return { ok: false, problems: { host: host === '' ? messages.hostRequired : hostOk ? null : messages.hostInvalid, port: portOk ? null : messages.portInvalid } };
  }
  // For the system proxy and no proxy, host and port are only kept: what is not valid is dropped.
  return { ok: true, value: { mode: fields.mode, host: hostOk ? host : '', port: portOk ? port : 8080, user } };
}

function ProxySection() {
  const { t } = useI18n();
  const api = useApi();
  const ids = { mode: useId(), host: useId(), port: useId(), user: useId(), userHelp: useId(), password: useId(), passwordState: useId(), hostProblem: useId(), portProblem: useId() };
  const [stored, setStored] = useState<ProxySettingsView | null>(null);
  const [mode, setMode] = useState<ProxyMode>('system');
  const [host, setHost] = useState('');
  const [port, setPort] = useState('8080');
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [removePassword, setRemovePassword] = useState(false);
  const [problems, setProblems] = useState<ProxyProblems>({ host: null, port: null });
  const [saved, setSaved] = useState(false);
  const [tested, setTested] = useState<ProxyTestResult | null>(null);
  const show = (view: ProxySettingsView): void => {
    setStored(view);
    setMode(view.mode);
    setHost(view.host);
    setPort(String(view.port));
    setUser(view.user ?? '');
    setPassword('');
    setRemovePassword(false);
  };
  const load = useAction(async () => show(unwrap(await api.getProxySettings())));
  const { run: loadNow } = load;
  // Once, when the card opens; afterwards what Save answers is the truth.
  useEffect(() => {
    void loadNow();
  }, [loadNow]);
  const edited = (): void => {
    setSaved(false);
    setTested(null);
  };
  /** The fields as a request, or null after showing each field's problem. */
  const input = (): ProxySettingsInput | null => {
    const read = readProxyFields({ mode, host, port, user }, t.proxy);
    if (!read.ok) {
      setProblems(read.problems);
      return null;
    }
    setProblems({ host: null, port: null });
    const request: ProxySettingsInput = { ...read.value };
    if (read.value.user !== null && password !== '') request.password = password;
    else if (removePassword) request.clearPassword = true;
    return request;
  };
  const save = useAction(async () => {
    const request = input();
    if (request === null) return;
    show(unwrap(await api.saveProxySettings(request)));
    setSaved(true);
  });
  const test = useAction(async () => {
    setTested(null);
    const request = input();
    if (request === null) return;
    setTested(unwrap(await api.testProxySettings(request)));
  });
  const manual = mode === 'http' || mode === 'socks5';
  const usesProxy = mode !== 'none';
  const hasUser = user.trim() !== '';
  const busy = save.busy || test.busy || stored === null;
  const changed =
    stored !== null &&
    (stored.mode !== mode || stored.host !== host.trim() || String(stored.port) !== port.trim() || (stored.user ?? '') !== user.trim() || password !== '' || removePassword);
  return (
    <Card title={t.proxy.heading}>
      <p className="help">{t.proxy.help}</p>
      {load.error !== null && <ErrorNotice error={load.error} onRetry={() => void load.run()} />}
      <fieldset className="field" disabled={stored === null}>
        <legend>{t.proxy.modeLegend}</legend>
        {proxyModeOrder.map((item) => (
          <label key={item} className="inline">
            <input
              type="radio"
              name={ids.mode}
              value={item}
              checked={mode === item}
              onChange={() => {
                setMode(item);
                setProblems({ host: null, port: null });
                edited();
              }}
            />{' '}
            {t.proxy.modes[item]}
          </label>
        ))}
      </fieldset>
      <div className="field-row">
        <TextField
          id={ids.host}
          label={t.proxy.host}
          value={host}
          disabled={!manual || busy}
          spellCheck={false}
          autoComplete="off"
          problem={{ id: ids.hostProblem, text: problems.host, alert: true }}
          onChange={(text) => {
            setHost(text);
            edited();
          }}
        />
        <TextField
          id={ids.port}
          label={t.proxy.port}
          className="proxy-port"
          inputMode="numeric"
          value={port}
          disabled={!manual || busy}
          autoComplete="off"
          problem={{ id: ids.portProblem, text: problems.port, alert: true }}
          onChange={(text) => {
            setPort(text);
            edited();
          }}
        />
      </div>
      <div className="field-row proxy-credentials">
        <TextField
          id={ids.user}
          label={t.proxy.user}
          value={user}
          disabled={!usesProxy || busy}
          spellCheck={false}
          autoComplete="off"
          help={{ id: ids.userHelp, text: t.proxy.userHelp }}
          onChange={(text) => {
            setUser(text);
            edited();
          }}
        />
        <TextField
          id={ids.password}
          label={t.proxy.password}
          type="password"
          value={password}
          disabled={!usesProxy || !hasUser || removePassword || busy}
          autoComplete="new-password"
          help={{ id: ids.passwordState, text: !hasUser ? t.proxy.passwordNeedsUser : stored?.passwordStored === true ? t.proxy.passwordStored : t.proxy.passwordNone }}
          onChange={(text) => {
            setPassword(text);
            edited();
          }}
        >
          {stored?.passwordStored === true && (
            <label className="inline">
              <input
                type="checkbox"
                checked={removePassword}
                disabled={busy || password !== ''}
                onChange={(event) => {
                  setRemovePassword(event.target.checked);
                  edited();
                }}
              />{' '}
              {t.proxy.removePassword}
            </label>
          )}
        </TextField>
      </div>
      {save.error !== null && <ErrorNotice error={save.error} onDismiss={save.clearError} />}
      {test.error !== null && <ErrorNotice error={test.error} onDismiss={test.clearError} />}
      {tested !== null &&
        (tested.ok ? (
          <div className="notice notice-success" role="status">
            <p>{t.proxy.testOk(tested.target, tested.via)}</p>
            {changed && <p>{t.proxy.notSavedYet}</p>}
          </div>
        ) : (
          tested.error !== null && <ErrorNotice error={tested.error} heading={t.proxy.testFailed} />
        ))}
      <div className="button-row">
        <button type="button" onClick={() => void save.run()} disabled={busy}>
          {save.busy ? t.app.saving : t.proxy.save}
        </button>
        <button type="button" className="secondary" onClick={() => void test.run()} disabled={busy}>
          {test.busy ? t.proxy.testing : t.proxy.test}
        </button>
        {saved && !changed && (
          <span className="saved" role="status">
            {t.proxy.saved}
          </span>
        )}
      </div>
    </Card>
  );
}
