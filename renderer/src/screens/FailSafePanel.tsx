/**
 * A pair stopped at the fail-safe: why, what the run would have deleted (each entry and on
 * which side), and the three answers: delete them (asked twice), restore them from the side
 * that still has them, or decide later (the pair stays stopped, nothing changes).
 */
import { useId, useState } from 'react';
import type { FailSafeInfo, PairView } from '../../../shared/types.js';
import { Choice } from '../components/Choice.js';
import { ConfirmButton } from '../components/ConfirmButton.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { useI18n } from '../i18n/i18n.js';
import { unwrap } from '../state/AppStore.js';
import { useAction, useApi, useAppData } from '../state/hooks.js';

/** How many deletions the panel lists before "and N more". */
export const shownDeletions = 50;

export function FailSafePanel({ pair, info }: { pair: PairView; info: FailSafeInfo }) {
  const { t } = useI18n();
  const api = useApi();
  const headingId = useId();
  const listId = useId();
  const [later, setLater] = useState(false);
  const decide = useAction(async (decision: 'allow' | 'restore' | 'keepWaiting') => {
    unwrap(await api.decideFailSafe({ pairId: pair.id, decision }));
    if (decision === 'keepWaiting') setLater(true);
  });
  // The share the stop is measured against is a setting (sync.failSafePercent).
  const percent = useAppData().settings?.sync.failSafePercent ?? 50;
  const reason = t.failSafe.reason[info.reason](info.total, percent);
  const shown = info.deletions.slice(0, shownDeletions);
  const more = info.total - shown.filter((item) => item.type === 'file').length;
  return (
    <section className="notice notice-warning failsafe" aria-labelledby={headingId}>
      <h3 id={headingId}>{t.failSafe.title}</h3>
      <p>{reason}</p>
      <h4 id={listId}>{t.failSafe.listHeading}</h4>
      {/* Scrolls when long: focusable so that the keyboard can scroll it too. */}
      <ul className="deletions" tabIndex={0} aria-labelledby={listId}>
        {shown.map((item) => (
          <li key={`${item.side}:${item.path}`}>
            <code className="path">{item.path}</code> {item.type === 'dir' ? `${t.failSafe.folderSuffix} ` : ''}
            <span className="muted">{item.side === 'remote' ? t.failSafe.deletedOnRemote : t.failSafe.deletedOnLocal}</span>
          </li>
        ))}
      </ul>
      {more > 0 && <p className="muted">{t.failSafe.more(more)}</p>}
      {decide.error !== null && <ErrorNotice error={decide.error} onDismiss={decide.clearError} />}
      <div className="choices">
        <Choice help={t.failSafe.restoreHelp}>
          <button type="button" onClick={() => void decide.run('restore')} disabled={decide.busy}>
            {t.failSafe.restoreThem}
          </button>
        </Choice>
        <Choice help={t.failSafe.deleteHelp}>
          <ConfirmButton
            label={t.failSafe.deleteThem}
            question={t.failSafe.confirmDelete(info.total)}
            confirmLabel={t.failSafe.confirm}
            onConfirm={() => void decide.run('allow')}
            disabled={decide.busy}
          />
        </Choice>
        <Choice help={t.failSafe.decideLaterHelp}>
          <button type="button" className="secondary" onClick={() => void decide.run('keepWaiting')} disabled={decide.busy || later}>
            {t.failSafe.decideLater}
          </button>
        </Choice>
      </div>
    </section>
  );
}
