/**
 * Deleted files: what syncs deleted on TeraCLOUD, kept in each synced folder's trash there
 * (`.terasync-trash/<run id>/`, electron/sync/remoteTrash.ts). Per folder, the runs newest
 * first (when, how many files, how big), each opening to its files; Restore puts a run, or one
 * file of it, back where it was on TeraCLOUD (a name that is taken gives a restored copy, and
 * the result says so), and the next sync brings it back to this computer. Delete for good
 * removes a run after a confirmation. The Activity screen opens this screen on one run.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { ErrorInfo } from '../../../shared/errors.js';
import type { DeletedRunView, PairDeletedFiles, PairView, RestoredDeletedEntry } from '../../../shared/types.js';
import { Card } from '../components/Card.js';
import { ConfirmButton } from '../components/ConfirmButton.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { Progress } from '../components/Progress.js';
import { useI18n } from '../i18n/i18n.js';
import { errorInfoOf, unwrap } from '../state/AppStore.js';
import { useApi, useAppData } from '../state/hooks.js';
import { remoteLabel } from './Status.js';

/** A run to open when the screen shows (from the Activity screen); runId null: the folder only. */
export interface DeletedTarget {
  pairId: string;
  runId: string | null;
}

export interface DeletedProps {
  open?: DeletedTarget | null;
}

/** What the last restore or purge did, said once under the list. */
type Outcome =
  | { kind: 'restored'; count: number; entries: RestoredDeletedEntry[] }
  | { kind: 'purged'; when: string }
  | { kind: 'failed'; heading: string; error: ErrorInfo };

/** A restore or purge under way (only one at a time). */
interface Working {
  pairId: string;
  runId: string;
  /** The file being restored; null for the whole run; 'purge' for a purge. */
  path: string | null | 'purge';
  count: number;
}

export function Deleted({ open = null }: DeletedProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const data = useAppData();
  const pairs = data.settings?.pairs ?? [];
  const retentionDays = data.settings?.sync.deletedRetentionDays ?? 30;
  const [list, setList] = useState<PairDeletedFiles[] | null>(null);
  const [loadError, setLoadError] = useState<ErrorInfo | null>(null);
  const [working, setWorking] = useState<Working | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const load = useCallback(async (): Promise<void> => {
    try {
      const answer = unwrap(await api.listDeletedFiles());
      if (!mounted.current) return;
      setList(answer);
      setLoadError(null);
    } catch (error) {
      if (mounted.current) setLoadError(errorInfoOf(error));
    }
  }, [api]);
  useEffect(() => {
    void load();
  }, [load]);

  const restore = async (pairId: string, run: DeletedRunView, path: string | null): Promise<void> => {
    if (working !== null) return;
    const count = path === null ? run.files.length : 1;
    setWorking({ pairId, runId: run.runId, path, count });
    setOutcome(null);
    try {
      const entries = unwrap(await api.restoreDeletedFiles(path === null ? { pairId, runId: run.runId } : { pairId, runId: run.runId, path }));
      if (mounted.current) setOutcome({ kind: 'restored', count, entries });
    } catch (error) {
      if (mounted.current) setOutcome({ kind: 'failed', heading: t.deleted.restoreFailed, error: errorInfoOf(error) });
    } finally {
      if (mounted.current) setWorking(null);
      await load();
    }
  };

  const purge = async (pairId: string, run: DeletedRunView): Promise<void> => {
    if (working !== null) return;
    setWorking({ pairId, runId: run.runId, path: 'purge', count: run.files.length });
    setOutcome(null);
    try {
      unwrap(await api.purgeDeletedFiles({ pairId, runId: run.runId }));
      if (mounted.current) setOutcome({ kind: 'purged', when: i18n.dateTime(run.deletedAt) });
    } catch (error) {
      if (mounted.current) setOutcome({ kind: 'failed', heading: t.deleted.purgeFailed, error: errorInfoOf(error) });
    } finally {
      if (mounted.current) setWorking(null);
      await load();
    }
  };

  const byId = new Map(pairs.map((pair) => [pair.id, pair]));
  const shown = (list ?? []).filter((entry) => byId.has(entry.pairId));
  const nothing = shown.every((entry) => entry.runs.length === 0 && entry.problem === null);
  return (
    <main className="deleted" aria-labelledby="deleted-title">
      <h1 id="deleted-title" tabIndex={-1}>
        {t.deleted.title}
      </h1>
      <p className="muted">{t.deleted.intro(retentionDays)}</p>
      {working !== null && working.path !== 'purge' && (
        <div role="status" className="card deleted-working">
          <Progress label={t.deleted.restoreProgressLabel} value={0} max={working.count} indeterminate text={t.deleted.restoring(working.count)} />
        </div>
      )}
      <OutcomeView outcome={outcome} onDismiss={() => setOutcome(null)} />
      {loadError !== null && <ErrorNotice error={loadError} onRetry={() => void load()} />}
      {list === null && loadError === null && (
        <p className="muted" role="status" aria-busy="true">
          {t.deleted.loading}
        </p>
      )}
      {list !== null && nothing && (
        <p className="card" role="status">
          {t.deleted.empty}
        </p>
      )}
      {list !== null &&
        !nothing &&
        shown.map((entry) => (
          <PairTrash
            key={entry.pairId}
            entry={entry}
            pair={byId.get(entry.pairId) as PairView}
            openRunId={open !== null && open.pairId === entry.pairId ? open.runId : null}
            working={working}
            onRestore={(run, path) => void restore(entry.pairId, run, path)}
            onPurge={(run) => void purge(entry.pairId, run)}
          />
        ))}
    </main>
  );
}

function OutcomeView({ outcome, onDismiss }: { outcome: Outcome | null; onDismiss: () => void }) {
  const { t } = useI18n();
  if (outcome === null) return null;
  if (outcome.kind === 'failed') return <ErrorNotice heading={outcome.heading} error={outcome.error} onDismiss={onDismiss} />;
  const renamed = outcome.kind === 'restored' ? outcome.entries.filter((entry) => entry.restoredTo !== entry.path) : [];
  return (
    <div className="notice notice-success" role="status">
      <p className="notice-title">{outcome.kind === 'restored' ? t.deleted.restored(outcome.count) : t.deleted.purged(outcome.when)}</p>
      {renamed.length > 0 && (
        <ul>
          {renamed.map((entry) => (
            <li key={entry.path}>{t.deleted.restoredAs(entry.path, entry.restoredTo)}</li>
          ))}
        </ul>
      )}
      <div className="button-row">
        <button type="button" className="secondary" onClick={onDismiss}>
          {t.app.dismiss}
        </button>
      </div>
    </div>
  );
}

function PairTrash({
  entry,
  pair,
  openRunId,
  working,
  onRestore,
  onPurge,
}: {
  entry: PairDeletedFiles;
  pair: PairView;
  openRunId: string | null;
  working: Working | null;
  onRestore: (run: DeletedRunView, path: string | null) => void;
  onPurge: (run: DeletedRunView) => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <Card title={remoteLabel(pair.remoteFolder, i18n)} className="deleted-pair">
      {entry.problem !== null && <ErrorNotice heading={t.deleted.listFailed} error={entry.problem} role="status" />}
      {entry.problem === null && entry.runs.length === 0 && <p className="muted">{t.deleted.pairEmpty}</p>}
      {entry.runs.length > 0 && (
        <ol className="deleted-runs">
          {entry.runs.map((run) => (
            <li key={run.runId}>
              <RunView run={run} initiallyOpen={run.runId === openRunId} working={working} onRestore={(path) => onRestore(run, path)} onPurge={() => onPurge(run)} />
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}

function RunView({
  run,
  initiallyOpen,
  working,
  onRestore,
  onPurge,
}: {
  run: DeletedRunView;
  initiallyOpen: boolean;
  working: Working | null;
  onRestore: (path: string | null) => void;
  onPurge: () => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [open, setOpen] = useState(initiallyOpen);
  const headingId = useId();
  const filesId = useId();
  const articleRef = useRef<HTMLElement>(null);
  const when = i18n.dateTime(run.deletedAt);
  const busy = working !== null;
  useEffect(() => {
    if (initiallyOpen) articleRef.current?.scrollIntoView?.({ block: 'nearest' });
  }, [initiallyOpen]);
  return (
    <article ref={articleRef} className={`deleted-run${initiallyOpen ? ' deleted-run-target' : ''}`} aria-labelledby={headingId}>
      <h3 id={headingId} className="deleted-run-heading">
        <time dateTime={new Date(run.deletedAt).toISOString()}>{t.deleted.runHeading(when)}</time>
      </h3>
      <p className="deleted-run-summary">{t.deleted.runSummary(run.files.length, i18n.bytes(run.bytes))}</p>
      <div className="button-row">
        <button type="button" className="link" aria-expanded={open} aria-controls={filesId} aria-label={t.deleted.filesOf(open ? t.deleted.hideFiles : t.deleted.showFiles, when)} onClick={() => setOpen((value) => !value)}>
          {open ? t.deleted.hideFiles : t.deleted.showFiles}
        </button>
        <button type="button" aria-label={t.deleted.restoreRunLabel(run.files.length, when)} disabled={busy} onClick={() => onRestore(null)}>
          {t.deleted.restoreRun}
        </button>
        <ConfirmButton label={t.deleted.purge} question={t.deleted.purgeQuestion(run.files.length, when)} confirmLabel={t.deleted.purgeYes} onConfirm={onPurge} disabled={busy} />
      </div>
      <ul id={filesId} className="deleted-files" hidden={!open}>
        {run.files.map((file) => (
          <li key={file.path}>
            <span className="path">{file.path}</span> <span className="muted">{i18n.bytes(file.size)}</span>{' '}
            <button type="button" className="secondary" aria-label={t.deleted.restoreFileLabel(file.path)} disabled={busy} onClick={() => onRestore(file.path)}>
              {t.deleted.restoreFile}
            </button>
          </li>
        ))}
      </ul>
    </article>
  );
}
