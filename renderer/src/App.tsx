/**
 * The window: the store on window.terasync, the language and theme from the settings (or the
 * system), then sign-in when nobody is signed in, else the screens behind a navigation bar.
 * Moving to a screen moves the focus to its heading, so keyboard and screen-reader users
 * land where the mouse user looks.
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { ErrorInfo } from '../../shared/errors.js';
import type { TeraSyncApi } from '../../shared/ipc/contract.js';
import type { Theme } from '../../shared/types.js';
import { ErrorNotice, NoticeDetails } from './components/ErrorNotice.js';
import { Icon } from './components/Icon.js';
import { UpdateBanner } from './components/Update.js';
import { useLeaveGuard } from './components/SettingField.js';
import { I18nProvider, resolveLocale, useI18n, type Locale } from './i18n/i18n.js';
import { Activity } from './screens/Activity.js';
import { Backup } from './screens/Backup.js';
import { Conflicts } from './screens/Conflicts.js';
import { Deleted, type DeletedTarget } from './screens/Deleted.js';
import { Settings } from './screens/Settings.js';
import { Setup } from './screens/Setup.js';
import { SignIn } from './screens/SignIn.js';
import { Status } from './screens/Status.js';
import { AppStore, type AppData } from './state/AppStore.js';
import { ApiContext, StoreContext, useAppData, useStore } from './state/hooks.js';

export type Screen = 'status' | 'activity' | 'conflicts' | 'deleted' | 'backup' | 'settings' | 'setup';

export interface AppProps {
  /** window.terasync; undefined when the page runs outside the app. */
  api: TeraSyncApi | undefined;
  /** The system's languages, best first (navigator.languages in the window). */
  systemLanguages?: readonly string[];
}

function systemLanguagesOf(): readonly string[] {
  return typeof navigator === 'undefined' ? [] : navigator.languages;
}

export function App({ api, systemLanguages = systemLanguagesOf() }: AppProps) {
  const [store, setStore] = useState<AppStore | null>(null);
  useEffect(() => {
    if (api === undefined) return;
    const created = new AppStore(api);
    setStore(created);
    void created.start();
    return () => created.dispose();
  }, [api]);

  if (api === undefined) {
    return (
      <I18nProvider locale={resolveLocale(null, systemLanguages)}>
        <NoBridge />
      </I18nProvider>
    );
  }
  if (store === null) return null;
  return (
    <ApiContext.Provider value={api}>
      <StoreContext.Provider value={store}>
        <LocalizedApp store={store} systemLanguages={systemLanguages} />
      </StoreContext.Provider>
    </ApiContext.Provider>
  );
}

function NoBridge() {
  const { t } = useI18n();
  return (
    <main className="center">
      <h1>{t.app.name}</h1>
      <p className="notice notice-error" role="alert">
        {t.app.noBridge}
      </p>
    </main>
  );
}

/** Applies the theme to the page: 'system' leaves it to prefers-color-scheme. */
function useTheme(theme: Theme | undefined, locale: Locale): void {
  useEffect(() => {
    const root = document.documentElement;
    if (theme === undefined || theme === 'system') delete root.dataset['theme'];
    else root.dataset['theme'] = theme;
  }, [theme]);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
}

function LocalizedApp({ store, systemLanguages }: { store: AppStore; systemLanguages: readonly string[] }) {
  const data = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const locale = resolveLocale(data.settings?.app.language, systemLanguages);
  useTheme(data.settings?.app.theme, locale);
  return (
    <I18nProvider locale={locale}>
      <Shell data={data} />
    </I18nProvider>
  );
}

function Shell({ data }: { data: AppData }) {
  const { t } = useI18n();
  const store = useStore();
  // Signed in, but syncing could not connect yet: said once, on the first screen.
  const [signInProblem, setSignInProblem] = useState<ErrorInfo | null>(null);
  // Signed out, with something to say about it (the server kept the tokens): said on the
  // sign-in, since the screen that signed out is gone with the account.
  const [signOutNotice, setSignOutNotice] = useState<string | null>(null);
  // Signed in from the sign-in screen just now: the first screen takes the focus (its heading),
  // which would otherwise fall to the page's body with the sign-in form gone.
  const [arrivedFromSignIn, setArrivedFromSignIn] = useState(false);
  // Signed out here (in Settings): the sign-in takes the focus, which would otherwise fall to the body.
  const [signedOutHere, setSignedOutHere] = useState(false);
  if (data.phase === 'loading' && data.settings === null) {
    return (
      <main className="center" aria-busy="true">
        <p role="status">{t.app.loading}</p>
      </main>
    );
  }
  if (data.phase === 'failed' && data.settings === null) {
    return (
      <main className="center">
        <h1>{t.app.loadFailed}</h1>
        {data.loadError !== null && <ErrorNotice error={data.loadError} onRetry={() => void store.start()} />}
      </main>
    );
  }
  // A sign-in (here, or by the command line) brings the account through the store.
  if (data.account === null) {
    return (
      <SignIn
        notice={signOutNotice}
        focusOnArrival={signedOutHere}
        onSignedIn={(result) => {
          setSignOutNotice(null);
          setSignInProblem(result.problem);
          setArrivedFromSignIn(true);
          setSignedOutHere(false);
        }}
      />
    );
  }
  return (
    <SignedIn
      signInProblem={signInProblem}
      onDismissProblem={() => setSignInProblem(null)}
      onSignedOut={(notice) => {
        setArrivedFromSignIn(false);
        setSignedOutHere(true);
        setSignOutNotice(notice);
      }}
      focusOnArrival={arrivedFromSignIn}
    />
  );
}

function SignedIn({
  signInProblem,
  onDismissProblem,
  onSignedOut,
  focusOnArrival = false,
}: {
  signInProblem: ErrorInfo | null;
  onDismissProblem: () => void;
  onSignedOut: (notice: string | null) => void;
  /** Move the focus to the first screen's heading too (after a sign-in), not only on later moves. */
  focusOnArrival?: boolean;
}) {
  const { t } = useI18n();
  const data = useAppData();
  const pairs = data.settings?.pairs ?? [];
  const [screen, setScreen] = useState<Screen>(() => (pairs.length === 0 ? 'setup' : 'status'));
  const mainRef = useRef<HTMLDivElement>(null);
  const moved = useRef(false);

  useEffect(() => {
    if (!moved.current) {
      moved.current = true;
      return;
    }
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [screen]);

  useEffect(() => {
    // Arriving from the sign-in (the account may come through the store a render before the
    // sign-in screen says so): the form that had the focus is gone, so the heading takes it.
    if (focusOnArrival) mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [focusOnArrival]);

  // A setting holding an edit that is not saved (invalid) is not left silently.
  const leaveGuard = useLeaveGuard();
  const go = (next: Screen): void => {
    if (next !== screen) leaveGuard.ask(() => setScreen(next));
  };
  // The run of the Deleted files screen to open, when an activity run's Restore led there.
  const [deletedTarget, setDeletedTarget] = useState<DeletedTarget | null>(null);
  const showDeleted = (target: DeletedTarget): void => {
    leaveGuard.ask(() => {
      setDeletedTarget(target);
      setScreen('deleted');
    });
  };
  const goFromNav = (next: Screen): void => {
    if (next === 'deleted') setDeletedTarget(null);
    go(next);
  };
  const items: ReadonlyArray<{ screen: Screen; label: string; badge?: number }> = [
    { screen: 'status', label: t.nav.status },
    { screen: 'activity', label: t.nav.activity },
    { screen: 'conflicts', label: t.nav.conflicts, badge: data.conflicts.length },
    { screen: 'deleted', label: t.deleted.nav },
    { screen: 'backup', label: t.nav.backup },
    { screen: 'settings', label: t.nav.settings },
  ];
  return (
    <div className="layout">
      <nav className="sidebar" aria-label={t.nav.label}>
        <p className="brand" aria-hidden="true">
          {t.app.name}
        </p>
        <ul>
          {items.map((item) => (
            <li key={item.screen}>
              <button type="button" className="nav-item" aria-current={screen === item.screen ? 'page' : undefined} onClick={() => goFromNav(item.screen)}>
                {item.label}
                {item.badge !== undefined && item.badge > 0 && (
                  <span className="badge" aria-label={t.nav.conflictsBadge(item.badge)}>
                    {item.badge}
                  </span>
                )}
              </button>
            </li>
          ))}
          <li>
            <button type="button" className="nav-item nav-add" aria-current={screen === 'setup' ? 'page' : undefined} onClick={() => go('setup')}>
              <Icon name="plus" />
              {t.nav.addFolder}
            </button>
          </li>
        </ul>
      </nav>
      <div className="content" ref={mainRef}>
        {signInProblem !== null && (
          <ErrorNotice heading={t.signIn.connectedWithProblem} error={signInProblem} context="sync" webdavUrl={data.account?.webdavUrl ?? null} onDismiss={onDismissProblem} />
        )}
        {data.overview?.settingsProblem != null && (
          <div className="notice notice-warning" role="alert">
            <p className="notice-title">{t.app.settingsProblem}</p>
            <p>{t.app.settingsProblemAdvice}</p>
            <NoticeDetails text={data.overview.settingsProblem.message} />
          </div>
        )}
        <UpdateBanner />
        {leaveGuard.dialog}
        {screen === 'status' && <Status onSetUp={() => go('setup')} onShowConflicts={() => go('conflicts')} onShowBackup={() => go('backup')} onShowActivity={() => go('activity')} onShowDeleted={showDeleted} />}
        {screen === 'activity' && <Activity onShowDeleted={showDeleted} />}
        {screen === 'conflicts' && <Conflicts />}
        {screen === 'deleted' && <Deleted open={deletedTarget} />}
        {screen === 'backup' && <Backup />}
        {screen === 'settings' && <Settings onAddFolder={() => go('setup')} onSignedOut={onSignedOut} />}
        {screen === 'setup' && <Setup onDone={() => go('status')} {...(pairs.length > 0 ? { onCancel: () => go('status') } : {})} />}
      </div>
    </div>
  );
}
