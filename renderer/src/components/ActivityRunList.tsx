/**
 * A list of activity runs, newest first, as the status screen (the last few) and the Activity
 * screen (all of them, a page at a time) show them: each run names its folder and when it
 * ended, then one line per kind of change ("Added 200 files to TeraCLOUD", "Deleted 122 files
 * on TeraCLOUD", ...). A line opens to the files it is about (the first 50 of them; the rest
 * counted), and a file that is still on this computer is shown in its folder on a press.
 *
 * `onShowDeleted` links a run with deletions on TeraCLOUD to the screen that lists deleted
 * files; without it, no such button is shown.
 */
import { useId, useState } from 'react';
import type { ActivityGroup, ActivityGroupKind, ActivityRun, PairView } from '../../../shared/types.js';
import { useI18n } from '../i18n/i18n.js';
import { remoteLabel } from '../screens/Status.js';
import { unwrap } from '../state/AppStore.js';
import { useAction, useApi, useNow } from '../state/hooks.js';
import { ErrorNotice } from './ErrorNotice.js';
import { Icon, type IconName } from './Icon.js';

/**
 * A run with deletions on TeraCLOUD was asked for (the "Deleted files" screen links here):
 * `runId` is the run's folder in the pair's trash (ActivityRun.trashRunId), null for a run
 * recorded before it was carried.
 */
export type ShowDeletedHandler = (run: { runId: string | null; pairId: string }) => void;

export interface ActivityRunListProps {
  runs: readonly ActivityRun[];
  pairs: readonly PairView[];
  onShowDeleted?: ShowDeletedHandler;
  /** The level of each run's heading: one below the heading the list sits under (default 3, under a card's h2). */
  headingLevel?: 2 | 3;
}

const groupIcons: Readonly<Record<ActivityGroupKind, IconName>> = {
  addedRemote: 'upload',
  updatedRemote: 'upload',
  addedLocal: 'download',
  updatedLocal: 'download',
  deletedRemote: 'trash',
  deletedLocal: 'trash',
  moved: 'move',
  conflict: 'warning',
  failed: 'error',
};

/** Files of these kinds are gone from this computer: nothing to show in a folder. */
const goneLocally: ReadonlySet<ActivityGroupKind> = new Set(['deletedLocal', 'deletedRemote']);

export function ActivityRunList({ runs, pairs, onShowDeleted, headingLevel = 3 }: ActivityRunListProps) {
  const i18n = useI18n();
  const now = useNow();
  const byId = new Map(pairs.map((pair) => [pair.id, pair]));
  return (
    <ol className="activity-runs">
      {runs.map((run) => {
        const pair = byId.get(run.pairId);
        const folder = pair === undefined ? i18n.t.activity.otherFolder : remoteLabel(pair.remoteFolder, i18n);
        return (
          <li key={run.id} className="activity-run">
            <RunView run={run} folder={folder} pair={pair ?? null} now={now} headingLevel={headingLevel} {...(onShowDeleted === undefined ? {} : { onShowDeleted })} />
          </li>
        );
      })}
    </ol>
  );
}

function RunView({
  run,
  folder,
  pair,
  now,
  headingLevel,
  onShowDeleted,
}: {
  run: ActivityRun;
  folder: string;
  pair: PairView | null;
  now: number;
  headingLevel: 2 | 3;
  onShowDeleted?: ShowDeletedHandler;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const headingId = useId();
  const deletedRemotely = run.groups.some((group) => group.kind === 'deletedRemote');
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <article aria-labelledby={headingId}>
      <Heading id={headingId} className="activity-run-heading">
        <span className="activity-run-folder">{folder}</span>{' '}
        <time className="activity-time" dateTime={new Date(run.endedAt).toISOString()} title={i18n.dateTime(run.endedAt)}>
          {i18n.relative(run.endedAt, now)}
        </time>
        {run.outcome === 'interrupted' && <span className="activity-interrupted"> — {t.activity.interrupted}</span>}
      </Heading>
      <ul className="activity-groups">
        {run.groups.map((group) => (
          <li key={group.kind}>
            <GroupView group={group} pair={pair} />
          </li>
        ))}
      </ul>
      {deletedRemotely && onShowDeleted !== undefined && (
        <button type="button" className="secondary" onClick={() => onShowDeleted({ runId: run.trashRunId ?? null, pairId: run.pairId })}>
          {t.activity.showDeleted}
        </button>
      )}
    </article>
  );
}

function GroupView({ group, pair }: { group: ActivityGroup; pair: PairView | null }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const [open, setOpen] = useState(false);
  const filesId = useId();
  const show = useAction(async (path: string) => {
    if (pair !== null) unwrap(await api.showFile({ pairId: pair.id, path }));
  });
  const clickable = pair !== null && !goneLocally.has(group.kind);
  const more = group.count - group.files.length;
  return (
    <div className="activity-group">
      <div className="activity-group-line">
        <span className={`activity-icon kind-${group.kind}`}>
          <Icon name={groupIcons[group.kind]} size={18} />
        </span>
        <span className="activity-summary">{t.activity[group.kind](group.count)}</span>
        <button
          type="button"
          className="link"
          aria-expanded={open}
          aria-controls={filesId}
          aria-label={t.activity.filesOf(open ? t.activity.hideFiles : t.activity.showFiles, t.activity[group.kind](group.count))}
          onClick={() => setOpen((value) => !value)}
        >
          {open ? t.activity.hideFiles : t.activity.showFiles}
        </button>
      </div>
      <div id={filesId} hidden={!open}>
        {show.error !== null && <ErrorNotice error={show.error} onDismiss={show.clearError} />}
        {open && (
          <ul className="activity-files">
            {group.files.map((file, index) => {
              const text = (
                <>
                  <span className="activity-path">{file.path}</span>
                  {file.from !== null && <span className="activity-kind"> {t.activity.movedFrom(file.from)}</span>}
                  {file.error !== null && <span className="activity-kind"> — {i18n.error(file.error.code).title}</span>}
                </>
              );
              return (
                <li key={`${index}:${file.path}`}>
                  {clickable ? (
                    <button type="button" className="activity-file" onClick={() => void show.run(file.path)} title={t.status.showInFolder(file.path)}>
                      {text}
                      <span className="sr-only"> ({t.status.showInFolderHint})</span>
                    </button>
                  ) : (
                    <span className="activity-file">{text}</span>
                  )}
                </li>
              );
            })}
            {more > 0 && <li className="muted">{t.activity.moreFiles(more)}</li>}
          </ul>
        )}
      </div>
    </div>
  );
}
