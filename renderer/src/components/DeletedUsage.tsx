/**
 * The quota's "Deleted files: 12 MB, kept 30 days" line (deleted:usage): what the synced
 * folders' trash on TeraCLOUD takes of the storage, and how long it keeps files. Asked again
 * after each recorded sync run (a run may have deleted, or the retention purged, files) and
 * when the quota or the retention changes. Nothing is shown until it is known, or when it
 * cannot be: it is a detail of the quota, not a problem of its own.
 */
import { useEffect, useRef, useState } from 'react';
import type { DeletedFilesUsage } from '../../../shared/types.js';
import { useI18n } from '../i18n/i18n.js';
import { useApi, useAppData } from '../state/hooks.js';

export function DeletedUsage({ className = 'muted deleted-usage' }: { className?: string }) {
  const i18n = useI18n();
  const api = useApi();
  const data = useAppData();
  const [usage, setUsage] = useState<DeletedFilesUsage | null>(null);
  const latestRun = data.activity[0]?.id ?? 0;
  const usedBytes = data.account?.quota?.usedBytes ?? null;
  const retention = data.settings?.sync.deletedRetentionDays ?? null;
  const asked = useRef(0);
  useEffect(() => {
    const ask = ++asked.current;
    void api.getDeletedFilesUsage().then((result) => {
      if (ask !== asked.current) return;
      setUsage(result.ok ? result.value : null);
    });
  }, [api, latestRun, usedBytes, retention]);
  useEffect(
    () => () => {
      asked.current = -1;
    },
    [],
  );
  if (usage === null) return null;
  return <p className={className}>{i18n.t.deleted.usage(i18n.bytes(usage.bytes), usage.retentionDays)}</p>;
}
