/**
 * The backup screen: which folders go to the backup area, Back up now with its progress and
 * Cancel, a backup stopped by the fail-safe (what it would move away; back up anyway, or leave
 * it), the last result and the history, and restore of a file or folder from the latest copy
 * or an older version, to its place or to another folder.
 */
import { useEffect, useId, useMemo, useState } from 'react';
import type { ErrorInfo } from '../../../shared/errors.js';
import { parseVersionStamp } from '../../../shared/versionStamp.js';
import type { BackupFailSafeView, BackupFileView, BackupListing, BackupRunView, BackupSchedule, RestoreSummaryView } from '../../../shared/types.js';
import { Card } from '../components/Card.js';
import { Choice } from '../components/Choice.js';
import { SelectField } from '../components/SelectField.js';
import { ConfirmButton } from '../components/ConfirmButton.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { Icon } from '../components/Icon.js';
import { Progress } from '../components/Progress.js';
import { useI18n, type I18n } from '../i18n/i18n.js';
import { ErrorCode } from '../../../shared/errors.js';
import { errorInfoOf, unwrap } from '../state/AppStore.js';
import { useAction, useApi, useAppData, useNow, useStore } from '../state/hooks.js';

/** A version folder's time as the user's system writes it; its name when it is not one of ours. */
function versionLabel(name: string, i18n: I18n): string {
  const at = parseVersionStamp(name);
  return at === null ? name : i18n.dateTime(at);
}

export function Backup() {
  const { t } = useI18n();
  return (
    <main className="backup" aria-labelledby="backup-title">
      <h1 id="backup-title" tabIndex={-1}>
        {t.backup.title}
      </h1>
      <p className="intro">{t.backup.intro}</p>
      <SourcesCard />
      <ScheduleCard />
      <RunCard />
      <HistoryCard />
      <RestoreCard />
    </main>
  );
}

function SourcesCard() {
  const { t } = useI18n();
  const api = useApi();
  const store = useStore();
  const { settings } = useAppData();
  const sources = settings?.backup.sources ?? [];
  const save = async (next: string[]): Promise<void> => {
    store.accept({ settings: unwrap(await api.updateSettings({ backup: { sources: next } })) });
  };
  const remove = useAction((source: string) => save(sources.filter((item) => item !== source)));
  const add = useAction(async () => {
    const picked = unwrap(await api.pickPath({ purpose: 'backupSource' }));
    if (picked !== null && !sources.includes(picked)) await save([...sources, picked]);
  });
  const error = remove.error ?? add.error;
  return (
    <Card title={t.backup.sourcesHeading}>
      {sources.length === 0 ? (
        <p className="muted">{t.backup.sourcesNone}</p>
      ) : (
        <ul className="source-list">
          {sources.map((source) => (
            <li key={source}>
              <code className="path">{source}</code>
              <button type="button" className="secondary small" aria-label={t.backup.removeSource(source)} onClick={() => void remove.run(source)} disabled={remove.busy || add.busy}>
                {t.backup.remove}
              </button>
            </li>
          ))}
        </ul>
      )}
      {error !== null && (
        <ErrorNotice
          error={error}
          onDismiss={() => {
            remove.clearError();
            add.clearError();
          }}
        />
      )}
      <button type="button" className="secondary" onClick={() => void add.run()} disabled={remove.busy || add.busy}>
        {t.backup.addSource}
      </button>
    </Card>
  );
}

const schedules: readonly BackupSchedule[] = ['manual', 'hourly', 'daily', 'login'];

/** When the app backs up by itself (backup.schedule), and when it does next. */
function ScheduleCard() {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const store = useStore();
  const { settings, backup } = useAppData();
  const change = useAction(async (schedule: BackupSchedule) => {
    store.accept({ settings: unwrap(await api.updateSettings({ backup: { schedule } })) });
  });
  if (settings === null) return null;
  const schedule = settings.backup.schedule;
  let next: string;
  if (schedule === 'manual') next = t.backupSchedule.manualHelp;
  else if (schedule === 'login') next = t.backupSchedule.nextLogin;
  else next = backup.nextRunAt !== undefined ? t.backupSchedule.next(i18n.dateTime(backup.nextRunAt)) : '';
  return (
    <Card title={t.backupSchedule.heading}>
      <SelectField<BackupSchedule>
        label={t.backupSchedule.label}
        value={schedule}
        disabled={change.busy}
        help={next === '' ? undefined : { text: next, className: 'help backup-next' }}
        onChange={(item) => void change.run(item)}
      >
        {schedules.map((item) => (
          <option key={item} value={item}>
            {t.backupSchedule[item]}
          </option>
        ))}
      </SelectField>
      {change.error !== null && <ErrorNotice error={change.error} onDismiss={change.clearError} />}
    </Card>
  );
}

/** The codes of a backup that could not reach TeraCLOUD (they are retried, see BackupScheduler). */
const connectionCodes: ReadonlySet<string> = new Set([ErrorCode.Network, ErrorCode.Timeout, ErrorCode.Server, ErrorCode.RateLimited]);

/**
 * What to do about a backup's failure: for a connection failure, when TeraSync tries again
 * (only while a retry is armed), or that the user has to; otherwise the code's own advice.
 */
function useBackupAdvice(error: ErrorInfo): string | undefined {
  const i18n = useI18n();
  const { backup } = useAppData();
  if (!connectionCodes.has(error.code)) return undefined;
  return backup.retryAt !== undefined ? i18n.t.backupSchedule.retryAt(i18n.dateTime(backup.retryAt)) : i18n.t.backupSchedule.noRetry;
}

function BackupError({ error, onDismiss, role }: { error: ErrorInfo; onDismiss?: () => void; role?: 'alert' | 'status' }) {
  const advice = useBackupAdvice(error);
  return <ErrorNotice error={error} {...(advice === undefined ? {} : { advice })} {...(onDismiss === undefined ? {} : { onDismiss })} {...(role === undefined ? {} : { role })} />;
}

function RunCard() {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const { backup, settings } = useAppData();
  const [cancelling, setCancelling] = useState(false);
  const run = useAction(async () => unwrap(await api.runBackup({})));
  const running = backup.running;
  useEffect(() => {
    if (running === null) setCancelling(false);
  }, [running]);
  const progress = running?.progress ?? null;
  const phase = progress?.phase ?? null;
  const words: string[] = [];
  if (running?.operation === 'restore') words.push(t.backup.restoring);
  else if (phase !== null) words.push(t.backup.phase[phase]);
  if (progress !== null && progress.filesTotal > 0) words.push(t.status.progressFiles(progress.filesDone, progress.filesTotal));
  if (progress !== null && progress.bytesTotal > 0) words.push(t.status.progressBytes(i18n.bytes(progress.bytesDone), i18n.bytes(progress.bytesTotal)));
  if (progress?.remainingMs != null) words.push(t.status.timeLeft(i18n.duration(progress.remainingMs)));
  const noSources = (settings?.backup.sources.length ?? 0) === 0;
  return (
    <Card title={t.backup.runHeading}>
      {running !== null ? (
        <>
          <Progress
            label={running.operation === 'backup' ? t.backup.progressLabel : t.backup.restoreProgressLabel}
            value={progress?.bytesTotal ? progress.bytesDone : (progress?.filesDone ?? 0)}
            max={progress?.bytesTotal ? progress.bytesTotal : (progress?.filesTotal ?? 0)}
            indeterminate={progress === null || (progress.filesTotal === 0 && progress.bytesTotal === 0)}
            text={words.join(' · ') || t.app.working}
          />
          {progress?.currentFile != null && <p className="muted path">{t.backup.currentFile(progress.currentFile)}</p>}
          <button
            type="button"
            className="danger-outline"
            disabled={cancelling}
            onClick={() => {
              setCancelling(true);
              void api.cancelBackup();
            }}
          >
            {cancelling ? t.backup.cancelling : running.operation === 'backup' ? t.backup.cancel : t.backup.cancelRestore}
          </button>
        </>
      ) : (
        <button type="button" onClick={() => void run.run()} disabled={run.busy || noSources}>
          {t.backup.run}
        </button>
      )}
      {/* Offline with a retry armed, the last result below says it and when it is tried again. */}
      {run.error !== null && !(connectionCodes.has(run.error.code) && backup.retryAt != null) && <BackupError error={run.error} onDismiss={run.clearError} />}
      {running === null && backup.failSafe !== undefined && <BackupFailSafePanel info={backup.failSafe} />}
      <LastResult run={backup.history[0] ?? null} />
    </Card>
  );
}

/** How many of the files a stopped backup would move are listed per folder before "and N more". */
export const shownMoves = 50;

/** A backup stopped by the fail-safe: per folder what it would move away, and the two answers. */
function BackupFailSafePanel({ info }: { info: BackupFailSafeView }) {
  const { t } = useI18n();
  const api = useApi();
  const headingId = useId();
  const decide = useAction(async (decision: 'allow' | 'leave') => {
    unwrap(await api.decideBackupFailSafe({ decision }));
  });
  const total = info.sources.reduce((sum, source) => sum + source.wouldMove, 0);
  return (
    <section className="notice notice-warning failsafe" aria-labelledby={headingId}>
      <h3 id={headingId}>{t.backup.failSafeTitle}</h3>
      {info.sources.map((source) => (
        <FailSafeSource key={source.root} source={source} />
      ))}
      <p>{t.backup.failSafeAdvice}</p>
      {decide.error !== null && <ErrorNotice error={decide.error} onDismiss={decide.clearError} />}
      <div className="choices">
        <Choice help={t.backup.failSafeAllowHelp}>
          <ConfirmButton
            label={t.backup.failSafeAllow}
            question={t.backup.failSafeConfirm(total)}
            confirmLabel={t.backup.failSafeConfirmYes}
            onConfirm={() => void decide.run('allow')}
            disabled={decide.busy}
          />
        </Choice>
        <Choice help={t.backup.failSafeLeaveHelp}>
          <button type="button" className="secondary" onClick={() => void decide.run('leave')} disabled={decide.busy}>
            {t.backup.failSafeLeave}
          </button>
        </Choice>
      </div>
    </section>
  );
}

function FailSafeSource({ source }: { source: BackupFailSafeView['sources'][number] }) {
  const { t } = useI18n();
  const listId = useId();
  const shown = source.paths.slice(0, shownMoves);
  const more = source.wouldMove - shown.length;
  return (
    <>
      <p>{t.backup.failSafeSource(source.root, source.localFiles, source.wouldMove, source.backedUp)}</p>
      <h4 id={listId}>{t.backup.failSafeList(source.name)}</h4>
      {/* Scrolls when long: focusable so that the keyboard can scroll it too. */}
      <ul className="deletions" tabIndex={0} aria-labelledby={listId}>
        {shown.map((path) => (
          <li key={path}>
            <code className="path">{path}</code>
          </li>
        ))}
      </ul>
      {more > 0 && <p className="muted">{t.backup.failSafeMore(more)}</p>}
    </>
  );
}

function resultWords(run: BackupRunView, i18n: I18n): string[] {
  const { t } = i18n;
  const words = [t.backup.resultSummary(run.filesSent, i18n.bytes(run.bytesSent))];
  if (run.versioned > 0) words.push(t.backup.resultVersioned(run.versioned));
  if (run.failedTotal > 0) words.push(t.backup.resultFailed(run.failedTotal));
  return words;
}

function LastResult({ run }: { run: BackupRunView | null }) {
  const i18n = useI18n();
  const { t } = i18n;
  const now = useNow();
  return (
    <div className="last-result">
      <h3>{t.backup.lastResult}</h3>
      {run === null ? (
        <p className="muted">{t.backup.never}</p>
      ) : (
        <>
          <p>
            <strong>{run.stopped !== null ? t.backup.resultStopped : t.backup.resultOk}</strong> · {i18n.relative(run.endedAt, now)}
            {run.dryRun && <> · {t.backup.dryRun}</>}
          </p>
          <p>{resultWords(run, i18n).join(' · ')}</p>
          {run.stopped !== null && <BackupError error={run.stopped} role="status" />}
        </>
      )}
    </div>
  );
}

function HistoryCard() {
  const i18n = useI18n();
  const { t } = i18n;
  const { backup } = useAppData();
  const headingId = useId();
  if (backup.history.length === 0) return null;
  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{t.backup.historyHeading}</h2>
      <div className="table-scroll" tabIndex={0} role="group" aria-labelledby={headingId}>
        <table className="history">
          <thead>
            <tr>
              <th scope="col">{t.backup.historyWhen}</th>
              <th scope="col">{t.backup.historyResult}</th>
              <th scope="col">{t.backup.historyFolders}</th>
              <th scope="col">{t.backup.historyDuration}</th>
            </tr>
          </thead>
          <tbody>
            {backup.history.map((run, index) => (
              // Two runs may start in the same millisecond (a run stopped and started again).
              <tr key={`${run.startedAt}-${index}`}>
                <td>
                  <time dateTime={new Date(run.startedAt).toISOString()}>{i18n.dateTime(run.startedAt)}</time>
                </td>
                <td>
                  <strong>{run.stopped !== null ? t.backup.resultStopped : t.backup.resultOk}</strong>
                  {run.dryRun && <> ({t.backup.dryRun})</>}: {resultWords(run, i18n).join(', ')}
                </td>
                <td>
                  {run.sources.map((source) => (
                    <code key={source} className="path tag">
                      {source}
                    </code>
                  ))}
                </td>
                <td>{i18n.duration(run.endedAt - run.startedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

interface TreeFolder {
  name: string;
  path: string;
  folders: Map<string, TreeFolder>;
  files: BackupFileView[];
}

/** The listing's flat paths as folders and files. */
export function buildTree(files: readonly BackupFileView[]): TreeFolder {
  const root: TreeFolder = { name: '', path: '', folders: new Map(), files: [] };
  for (const file of files) {
    const parts = file.path.split('/');
    let folder = root;
    for (const part of parts.slice(0, -1)) {
      let next = folder.folders.get(part);
      if (next === undefined) {
        next = { name: part, path: folder.path === '' ? part : `${folder.path}/${part}`, folders: new Map(), files: [] };
        folder.folders.set(part, next);
      }
      folder = next;
    }
    folder.files.push(file);
  }
  return root;
}

function RestoreCard() {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const [overview, setOverview] = useState<BackupListing | null>(null);
  const [overviewError, setOverviewError] = useState<ErrorInfo | null>(null);
  const [source, setSource] = useState('');
  const [version, setVersion] = useState('');
  const [listing, setListing] = useState<BackupListing | null>(null);
  const [selected, setSelected] = useState('');
  const [target, setTarget] = useState<'original' | 'elsewhere'>('original');
  const [targetFolder, setTargetFolder] = useState<string | null>(null);
  const [summary, setSummary] = useState<RestoreSummaryView | null>(null);
  const [attempt, setAttempt] = useState(0);
  // A backup that ends (here, or from the tray) may bring new sources and versions: list again.
  const lastRun = useAppData().backup.history[0]?.endedAt ?? null;

  useEffect(() => {
    let current = true;
    setOverviewError(null);
    api
      .listBackups({})
      .then(unwrap)
      .then(
        (value) => {
          if (!current) return;
          setOverview(value);
          setSource((chosen) => (chosen === '' || !value.sources.includes(chosen) ? (value.sources[0] ?? '') : chosen));
        },
        (failure: unknown) => {
          if (current) setOverviewError(errorInfoOf(failure));
        },
      );
    return () => {
      current = false;
    };
  }, [api, attempt, lastRun]);

  const load = useAction(async () => {
    setSummary(null);
    setSelected('');
    setListing(unwrap(await api.listBackups({ source, ...(version === '' ? {} : { version }) })));
  });
  const restore = useAction(async () => {
    setSummary(
      unwrap(
        await api.runRestore({
          source,
          ...(version === '' ? {} : { version }),
          ...(selected === '' ? {} : { path: selected }),
          ...(target === 'elsewhere' && targetFolder !== null ? { to: targetFolder } : {}),
        }),
      ),
    );
  });
  const pickTarget = useAction(async () => {
    const picked = unwrap(await api.pickPath({ purpose: 'restoreTarget' }));
    if (picked !== null) {
      setTargetFolder(picked);
      setTarget('elsewhere');
    }
  });
  const tree = useMemo(() => (listing === null ? null : buildTree(listing.files)), [listing]);
  const versions = overview?.versions ?? [];

  return (
    <Card title={t.backup.restoreHeading}>
      <p>{t.backup.restoreIntro}</p>
      {overviewError !== null && <ErrorNotice error={overviewError} onRetry={() => setAttempt((n) => n + 1)} />}
      {overview === null && overviewError === null && <p role="status">{t.backup.restoreLoading}</p>}
      {overview !== null && overview.sources.length === 0 && <p className="muted">{t.backup.restoreNoSources}</p>}
      {overview !== null && overview.sources.length > 0 && (
        <>
          <div className="field-row">
            <SelectField
              label={t.backup.restoreSource}
              value={source}
              onChange={(name) => {
                setSource(name);
                setListing(null);
              }}
            >
              {overview.sources.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </SelectField>
            <SelectField
              label={t.backup.restoreVersion}
              value={version}
              onChange={(name) => {
                setVersion(name);
                setListing(null);
              }}
            >
              <option value="">{t.backup.latest}</option>
              {[...versions].reverse().map((name) => (
                <option key={name} value={name}>
                  {t.backup.versionAt(versionLabel(name, i18n))}
                </option>
              ))}
            </SelectField>
            <button type="button" className="secondary" onClick={() => void load.run()} disabled={load.busy || source === ''}>
              {t.backup.restoreLoad}
            </button>
          </div>
          {load.error !== null && <ErrorNotice error={load.error} onDismiss={load.clearError} />}
          {load.busy && <p role="status">{t.backup.restoreLoading}</p>}
          {listing !== null && tree !== null && (
            <fieldset className="restore-pick">
              <legend>{t.backup.restoreBrowse}</legend>
              {listing.files.length === 0 ? (
                <p className="muted">{t.backup.restoreEmpty}</p>
              ) : (
                <>
                  <label className="inline">
                    <input type="radio" name="restore-item" checked={selected === ''} onChange={() => setSelected('')} /> {t.backup.restoreWhole}
                  </label>
                  <RestoreTree folder={tree} selected={selected} onSelect={setSelected} />
                  {listing.truncated && <p className="muted">{t.backup.restoreTruncated}</p>}
                </>
              )}
            </fieldset>
          )}
          {listing !== null && listing.files.length > 0 && (
            <>
              <fieldset className="field">
                <legend>{t.backup.restoreTarget}</legend>
                <label className="inline">
                  <input type="radio" name="restore-target" checked={target === 'original'} onChange={() => setTarget('original')} /> {t.backup.restoreOriginal}
                </label>
                <label className="inline">
                  <input
                    type="radio"
                    name="restore-target"
                    checked={target === 'elsewhere'}
                    onChange={() => (targetFolder === null ? void pickTarget.run() : setTarget('elsewhere'))}
                  />{' '}
                  {targetFolder === null ? t.backup.restoreElsewhere : <code className="path">{targetFolder}</code>}
                </label>
                {target === 'elsewhere' && (
                  <button type="button" className="secondary small" onClick={() => void pickTarget.run()}>
                    {t.setup.choose}
                  </button>
                )}
              </fieldset>
              <p className="selected-path">{t.backup.restoreSelection(selected === '' ? source : `${source}/${selected}`)}</p>
              <button type="button" onClick={() => void restore.run()} disabled={restore.busy || (target === 'elsewhere' && targetFolder === null)}>
                {t.backup.restoreRun}
              </button>
            </>
          )}
          {pickTarget.error !== null && <ErrorNotice error={pickTarget.error} onDismiss={pickTarget.clearError} />}
          {restore.error !== null && <ErrorNotice error={restore.error} onDismiss={restore.clearError} />}
          {summary !== null && <RestoreResult summary={summary} />}
        </>
      )}
    </Card>
  );
}

function RestoreTree({ folder, selected, onSelect }: { folder: TreeFolder; selected: string; onSelect: (path: string) => void }) {
  const i18n = useI18n();
  return (
    <ul className="restore-tree">
      {[...folder.folders.values()]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((child) => (
          <RestoreFolder key={child.path} folder={child} selected={selected} onSelect={onSelect} />
        ))}
      {[...folder.files]
        .sort((a, b) => a.path.localeCompare(b.path))
        .map((file) => (
          <li key={file.path}>
            <label className="inline">
              <input type="radio" name="restore-item" checked={selected === file.path} onChange={() => onSelect(file.path)} /> {file.path.split('/').pop()}{' '}
              <span className="muted">
                {i18n.bytes(file.size)} · {i18n.dateTime(file.modifiedMs)}
              </span>
            </label>
          </li>
        ))}
    </ul>
  );
}

function RestoreFolder({ folder, selected, onSelect }: { folder: TreeFolder; selected: string; onSelect: (path: string) => void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const listId = useId();
  return (
    <li>
      <div className="folder-row">
        <button type="button" className="disclosure" aria-expanded={open} aria-controls={open ? listId : undefined} aria-label={t.backup.folderToggle(folder.name)} onClick={() => setOpen((value) => !value)}>
          <span aria-hidden="true">{open ? '▾' : '▸'}</span>
        </button>
        <label className="inline">
          <input type="radio" name="restore-item" checked={selected === folder.path} onChange={() => onSelect(folder.path)} /> <Icon name="folder" />
          {folder.name}
        </label>
      </div>
      {open && (
        <div id={listId}>
          <RestoreTree folder={folder} selected={selected} onSelect={onSelect} />
        </div>
      )}
    </li>
  );
}

function RestoreResult({ summary }: { summary: RestoreSummaryView }) {
  const { t } = useI18n();
  return (
    <div className={summary.stopped !== null || summary.failedTotal > 0 ? 'notice notice-warning' : 'notice notice-success'} role="status">
      <p className="notice-title">{t.backup.restoreDone(summary.restored)}</p>
      {summary.unchanged > 0 && <p>{t.backup.restoreUnchanged(summary.unchanged)}</p>}
      <p>
        <code className="path">{summary.target}</code>
      </p>
      {summary.keptAside.length > 0 && (
        <>
          <p>{t.backup.restoreKeptAside}</p>
          <ul>
            {summary.keptAside.map((item) => (
              <li key={item.copy}>
                <code className="path">{item.copy}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      {summary.failedTotal > 0 && <p>{t.backup.restoreFailed(summary.failedTotal)}</p>}
      {summary.stopped !== null && <ErrorNotice error={summary.stopped} role="status" />}
    </div>
  );
}
