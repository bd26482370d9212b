/**
 * What the screens reach through React context: window.terasync, the store's snapshot, the
 * current time (for "3 minutes ago"), and running one call at a time with its error kept.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { ErrorInfo } from '../../../shared/errors.js';
import type { TeraSyncApi } from '../../../shared/ipc/contract.js';
import { errorInfoOf, type AppData, type AppStore } from './AppStore.js';

export const ApiContext = createContext<TeraSyncApi | null>(null);
export const StoreContext = createContext<AppStore | null>(null);

export function useApi(): TeraSyncApi {
  const api = useContext(ApiContext);
  if (api === null) throw new Error('useApi needs an ApiContext provider');
  return api;
}

export function useStore(): AppStore {
  const store = useContext(StoreContext);
  if (store === null) throw new Error('useStore needs a StoreContext provider');
  return store;
}

export function useAppData(): AppData {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

/** The time, updated every `intervalMs`: relative times and estimates stay current. */
export function useNow(intervalMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export interface Action<A extends unknown[]> {
  run: (...args: A) => Promise<boolean>;
  busy: boolean;
  error: ErrorInfo | null;
  clearError: () => void;
}

/**
 * Runs `work` one at a time: `busy` while it runs (to disable its button), `error` when it
 * failed (to show it); `run` answers whether it worked. A screen that is gone when the work
 * ends is left alone.
 */
export function useAction<A extends unknown[]>(work: (...args: A) => Promise<unknown>): Action<A> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const mounted = useRef(true);
  const running = useRef(false);
  const latest = useRef(work);
  latest.current = work;
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = useCallback(async (...args: A): Promise<boolean> => {
    if (running.current) return false;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      await latest.current(...args);
      return true;
    } catch (failure) {
      if (mounted.current) setError(errorInfoOf(failure));
      return false;
    } finally {
      running.current = false;
      if (mounted.current) setBusy(false);
    }
  }, []);
  const clearError = useCallback(() => setError(null), []);
  return { run, busy, error, clearError };
}
