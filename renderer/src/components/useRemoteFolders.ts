/** The subfolders of one server folder, loaded when asked for (remote:listFolders). */
import { useCallback, useEffect, useState } from 'react';
import type { ErrorInfo } from '../../../shared/errors.js';
import type { RemoteFolderListing } from '../../../shared/types.js';
import { errorInfoOf, unwrap } from '../state/AppStore.js';
import { useApi } from '../state/hooks.js';

export interface RemoteFolders {
  listing: RemoteFolderListing | null;
  error: ErrorInfo | null;
  loading: boolean;
  reload: () => void;
}

export function useRemoteFolders(path: string, enabled = true): RemoteFolders {
  const api = useApi();
  const [listing, setListing] = useState<RemoteFolderListing | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [loading, setLoading] = useState(false);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!enabled) return;
    let current = true;
    setLoading(true);
    setError(null);
    api
      .listRemoteFolders({ path })
      .then(unwrap)
      .then(
        (value) => {
          if (!current) return;
          setListing(value);
          setLoading(false);
        },
        (failure: unknown) => {
          if (!current) return;
          setListing(null);
          setError(errorInfoOf(failure));
          setLoading(false);
        },
      );
    return () => {
      current = false;
    };
  }, [api, path, enabled, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { listing, error, loading, reload };
}
