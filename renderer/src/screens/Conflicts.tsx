/**
 * Open conflicts: for each, both versions side by side (size, time, which side), a way to open
 * either, and the three answers. The list is the one main pushes after every change, so a
 * conflict resolved elsewhere (the copy deleted in the file manager) leaves it by itself.
 */
import { useId, useRef } from 'react';
import type { ConflictInfo, ConflictResolution, FileVersionView, PairView } from '../../../shared/types.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { useI18n } from '../i18n/i18n.js';
import { unwrap } from '../state/AppStore.js';
import { useAction, useApi, useAppData, useNow } from '../state/hooks.js';

export function Conflicts() {
  const { t } = useI18n();
  const data = useAppData();
  const pairs = new Map((data.settings?.pairs ?? []).map((pair) => [pair.id, pair]));
  const listRef = useRef<HTMLUListElement>(null);
  const helpId = useId();
  return (
    <main className="conflicts" aria-labelledby="conflicts-title">
      <h1 id="conflicts-title" tabIndex={-1}>
        {t.conflicts.title}
      </h1>
      {data.conflicts.length === 0 ? (
        <p className="card" role="status">
          {t.conflicts.none}
        </p>
      ) : (
        <>
          <p className="intro">{t.conflicts.intro}</p>
          <ul id={helpId} className="help choice-help">
            {/* The safest answer first, as on each card. */}
            <li>
              <strong>{t.conflicts.keepBoth}</strong> {t.conflicts.keepBothHelp}
            </li>
            <li>
              <strong>{t.conflicts.keepMine}</strong> {t.conflicts.keepMineHelp}
            </li>
            <li>
              <strong>{t.conflicts.keepTheirs}</strong> {t.conflicts.keepTheirsHelp}
            </li>
          </ul>
          <ul className="conflict-list" ref={listRef}>
            {data.conflicts.map((conflict) => (
              <li key={`${conflict.pairId}#${conflict.id}`}>
                <ConflictCard
                  helpId={helpId}
                  conflict={conflict}
                  pair={pairs.get(conflict.pairId) ?? null}
                  onResolved={() => {
                    // The card goes away: keep the keyboard in the list.
                    requestAnimationFrame(() => listRef.current?.querySelector<HTMLButtonElement>('button')?.focus());
                  }}
                />
              </li>
            ))}
          </ul>
        </>
      )}
    </main>
  );
}

/** Which of the two versions changed later, to the second (what the card can show). */
export type Newness = 'newer' | 'older' | 'same' | null;

export function compareVersions(mine: FileVersionView | null, theirs: FileVersionView | null): { mine: Newness; theirs: Newness } {
  if (mine === null || theirs === null) return { mine: null, theirs: null };
  const a = Math.floor(mine.modifiedMs / 1000);
  const b = Math.floor(theirs.modifiedMs / 1000);
  if (a === b) return { mine: 'same', theirs: 'same' };
  return a > b ? { mine: 'newer', theirs: 'older' } : { mine: 'older', theirs: 'newer' };
}

function VersionFacts({
  title,
  version,
  newness,
  onOpen,
  openLabel,
}: {
  title: string;
  version: FileVersionView | null;
  newness: Newness;
  onOpen: () => void;
  openLabel: string;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <div className="version">
      <h3>{title}</h3>
      {version === null ? (
        <p className="muted">{t.conflicts.gone}</p>
      ) : (
        <>
          <dl className="facts">
            <dt>{t.conflicts.size}</dt>
            <dd>{i18n.bytes(version.size)}</dd>
            <dt>{t.conflicts.modified}</dt>
            <dd>
              <time dateTime={new Date(version.modifiedMs).toISOString()}>{i18n.dateTimeSeconds(version.modifiedMs)}</time>
              {newness === 'newer' && <> <span className="badge newness newer">{t.conflicts.newer}</span></>}
              {newness === 'same' && <> <span className="badge newness">{t.conflicts.sameTime}</span></>}
            </dd>
          </dl>
          <button type="button" className="secondary" onClick={onOpen} aria-label={openLabel}>
            {t.conflicts.open}
          </button>
        </>
      )}
    </div>
  );
}

function ConflictCard({ conflict, pair, onResolved, helpId }: { conflict: ConflictInfo; pair: PairView | null; onResolved: () => void; helpId: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const now = useNow();
  const headingId = useId();
  const resolve = useAction(async (keep: ConflictResolution) => {
    unwrap(await api.resolveConflict({ pairId: conflict.pairId, id: conflict.id, keep }));
    onResolved();
  });
  const open = useAction(async (side: 'mine' | 'theirs') => unwrap(await api.openConflictVersion({ pairId: conflict.pairId, id: conflict.id, side })));
  const newness = compareVersions(conflict.mine, conflict.theirs);
  return (
    <article className="card conflict" aria-labelledby={headingId}>
      <h2 id={headingId} className="path">
        {conflict.path}
      </h2>
      <p className="muted">
        {pair !== null && <>{t.conflicts.inPair(pair.localFolder)} · </>}
        {t.conflicts.since(i18n.relative(conflict.createdAt, now))}
      </p>
      <div className="versions">
        <VersionFacts title={t.conflicts.mine} version={conflict.mine} newness={newness.mine} onOpen={() => void open.run('mine')} openLabel={t.conflicts.openMine(conflict.path)} />
        <VersionFacts title={t.conflicts.theirs} version={conflict.theirs} newness={newness.theirs} onOpen={() => void open.run('theirs')} openLabel={t.conflicts.openTheirs(conflict.path)} />
      </div>
      <p className="muted copy-name">{t.conflicts.copyName(conflict.copy)}</p>
      {open.error !== null && <ErrorNotice error={open.error} onDismiss={open.clearError} />}
      {resolve.error !== null && <ErrorNotice error={resolve.error} onDismiss={resolve.clearError} />}
      <div className="button-row" role="group" aria-label={conflict.path} aria-describedby={helpId}>
        {/* Keeping both loses nothing: it is the one primary answer, and the first. */}
        <button type="button" onClick={() => void resolve.run('both')} disabled={resolve.busy} title={t.conflicts.keepBothHelp}>
          {t.conflicts.keepBoth}
        </button>
        <button type="button" className="secondary" onClick={() => void resolve.run('local')} disabled={resolve.busy} title={t.conflicts.keepMineHelp}>
          {t.conflicts.keepMine}
        </button>
        <button type="button" className="secondary" onClick={() => void resolve.run('remote')} disabled={resolve.busy} title={t.conflicts.keepTheirsHelp}>
          {t.conflicts.keepTheirs}
        </button>
      </div>
    </article>
  );
}
