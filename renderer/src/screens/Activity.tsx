/**
 * The Activity screen: every sync run of the last 30 days (main keeps them across restarts),
 * newest first, a page at a time ("Show more"), filtered by folder and by kind of change. A run
 * that ends while the screen is open appears at the top when it matches the filters.
 */
import { useEffect, useRef, useState } from 'react';
import type { ErrorInfo } from '../../../shared/errors.js';
import type { ActivityListRequest } from '../../../shared/ipc/contract.js';
import type { ActivityGroupKind, ActivityRun } from '../../../shared/types.js';
import { ActivityRunList, type ShowDeletedHandler } from '../components/ActivityRunList.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { SelectField } from '../components/SelectField.js';
import { useI18n } from '../i18n/i18n.js';
import { errorInfoOf, unwrap } from '../state/AppStore.js';
import { useApi, useAppData } from '../state/hooks.js';
import { remoteLabel } from './Status.js';

/** How many runs each page asks for. */
export const activityPageSize = 20;

/** The choices of the kind filter, and the kinds of change each stands for. */
export const activityKindFilters = {
  all: null,
  uploads: ['addedRemote', 'updatedRemote'],
  downloads: ['addedLocal', 'updatedLocal'],
  deleted: ['deletedRemote', 'deletedLocal'],
  moved: ['moved'],
  conflicts: ['conflict'],
  failed: ['failed'],
} as const satisfies Record<string, readonly ActivityGroupKind[] | null>;

export type ActivityKindFilter = keyof typeof activityKindFilters;

export interface ActivityProps {
  /** Opens the list of files deleted on TeraCLOUD by a run; without it, no such button. */
  onShowDeleted?: ShowDeletedHandler;
}

/** A run as the filters show it: only the groups of the chosen kinds; null when none is left. */
function filtered(run: ActivityRun, pairId: string | null, kinds: readonly ActivityGroupKind[] | null): ActivityRun | null {
  if (pairId !== null && run.pairId !== pairId) return null;
  const groups = kinds === null ? run.groups : run.groups.filter((group) => kinds.includes(group.kind));
  return groups.length === 0 ? null : { ...run, groups };
}

export function Activity({ onShowDeleted }: ActivityProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const data = useAppData();
  const pairs = data.settings?.pairs ?? [];
  const [pairId, setPairId] = useState<string | null>(null);
  const [kind, setKind] = useState<ActivityKindFilter>('all');
  const [runs, setRuns] = useState<readonly ActivityRun[]>([]);
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ErrorInfo | null>(null);
  /** Answers of an older filter (or page) are dropped. */
  const generation = useRef(0);
  const kinds = activityKindFilters[kind];

  const fetchPage = async (before: number | null, replace: boolean): Promise<void> => {
    const asked = ++generation.current;
    setLoading(true);
    setError(null);
    const request: ActivityListRequest = {
      limit: activityPageSize,
      ...(pairId === null ? {} : { pairId }),
      ...(kinds === null ? {} : { kinds: [...kinds] }),
      ...(before === null ? {} : { before }),
    };
    try {
      const page = unwrap(await api.listActivity(request));
      if (asked !== generation.current) return;
      setRuns((current) => (replace ? page.runs : [...current, ...page.runs.filter((run) => !current.some((known) => known.id === run.id))]));
      setMore(page.more);
    } catch (failure) {
      if (asked === generation.current) setError(errorInfoOf(failure));
    } finally {
      if (asked === generation.current) setLoading(false);
    }
  };

  useEffect(() => {
    void fetchPage(null, true);
    // A new filter starts the list again (the effects run on the filters, not on every render).
  }, [pairId, kind]);

  // A run that ended while the screen is open (the store hears of each one) goes on top.
  const newest = data.activity[0];
  useEffect(() => {
    if (newest === undefined) return;
    setRuns((current) => {
      if (current.some((run) => run.id >= newest.id)) return current;
      const shown = filtered(newest, pairId, kinds);
      return shown === null ? current : [shown, ...current];
    });
  }, [newest?.id]);

  const last = runs.at(-1);
  return (
    <main className="activity-screen" aria-labelledby="activity-title" aria-busy={loading}>
      <h1 id="activity-title" tabIndex={-1}>
        {t.activity.title}
      </h1>
      <p className="muted">{t.activity.intro}</p>
      <div className="field-row activity-filters">
        <SelectField label={t.activity.folderFilter} value={pairId ?? ''} onChange={(id) => setPairId(id === '' ? null : id)}>
          <option value="">{t.activity.allFolders}</option>
          {pairs.map((pair) => (
            <option key={pair.id} value={pair.id}>
              {remoteLabel(pair.remoteFolder, i18n)} — {pair.localFolder}
            </option>
          ))}
        </SelectField>
        <SelectField<ActivityKindFilter> label={t.activity.kindFilter} value={kind} onChange={setKind}>
          <option value="all">{t.activity.kindAll}</option>
          <option value="uploads">{t.activity.kindUploads}</option>
          <option value="downloads">{t.activity.kindDownloads}</option>
          <option value="deleted">{t.activity.kindDeleted}</option>
          <option value="moved">{t.activity.kindMoved}</option>
          <option value="conflicts">{t.activity.kindConflicts}</option>
          <option value="failed">{t.activity.kindFailed}</option>
        </SelectField>
      </div>
      {error !== null && <ErrorNotice error={error} onRetry={() => void fetchPage(last?.id ?? null, last === undefined)} />}
      <section className="card" aria-label={t.activity.title}>
        {runs.length > 0 ? (
          <ActivityRunList runs={runs} pairs={pairs} headingLevel={2} {...(onShowDeleted === undefined ? {} : { onShowDeleted })} />
        ) : loading ? (
          <p role="status">{t.activity.loading}</p>
        ) : (
          error === null && <p className="muted">{pairId === null && kind === 'all' ? t.activity.empty : t.activity.emptyFiltered}</p>
        )}
        {more && last !== undefined && (
          <button type="button" className="secondary" disabled={loading} onClick={() => void fetchPage(last.id, false)}>
            {t.activity.showMore}
          </button>
        )}
      </section>
    </main>
  );
}
