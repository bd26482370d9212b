import { useEffect, useState } from 'react';
import { ErrorCode, type ErrorInfo } from '../../shared/errors.js';
import type { TeraSyncApi } from '../../shared/ipc/contract.js';
import type { AccountSummary, AppOverview, AuthMethod, PairSummary } from '../../shared/types.js';

type LoadState =
  | { kind: 'loading' }
  | { kind: 'failed'; error: ErrorInfo }
  | { kind: 'loaded'; overview: AppOverview };

const noBridge: ErrorInfo = {
  code: ErrorCode.Configuration,
  message: "This page was opened outside TeraSync's window, so it cannot reach TeraSync.",
};

const methodLabels: Record<AuthMethod, string> = {
  basic: 'User ID and Apps password (BASIC)',
  oauth2: 'OAuth2 sign-in',
};

export interface AppProps {
  /** window.terasync; undefined when the page runs outside the app. */
  api: TeraSyncApi | undefined;
}

export function App({ api }: AppProps) {
  const [state, setState] = useState<LoadState>(() => (api ? { kind: 'loading' } : { kind: 'failed', error: noBridge }));
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!api) return;
    let current = true;
    api
      .getOverview()
      .then((result) => {
        if (!current) return;
        setState(result.ok ? { kind: 'loaded', overview: result.value } : { kind: 'failed', error: result.error });
      })
      .catch((error: unknown) => {
        if (!current) return;
        setState({ kind: 'failed', error: { code: ErrorCode.BadResponse, message: error instanceof Error ? error.message : String(error) } });
      });
    return () => {
      current = false;
    };
  }, [api, attempt]);

  const retry = (): void => {
    setState({ kind: 'loading' });
    setAttempt((n) => n + 1);
  };

  return (
    <>
      <header className="app-header">
        <h1>TeraSync</h1>
        <p className="tagline">Keeps folders on this computer in sync with TeraCLOUD.</p>
      </header>
      <main className="app-main" aria-busy={state.kind === 'loading'}>
        {state.kind === 'loading' && (
          <p role="status" className="loading">
            Loading your settings…
          </p>
        )}
        {state.kind === 'failed' && <LoadFailure error={state.error} onRetry={api ? retry : undefined} />}
        {state.kind === 'loaded' && <Overview overview={state.overview} />}
      </main>
      {state.kind === 'loaded' && (
        <footer className="app-footer">
          <p>
            Settings file: <code className="path">{state.overview.settingsFile}</code>
          </p>
        </footer>
      )}
    </>
  );
}

function LoadFailure({ error, onRetry }: { error: ErrorInfo; onRetry: (() => void) | undefined }) {
  return (
    <section className="notice notice-error" role="alert" aria-labelledby="load-failure-heading">
      <h2 id="load-failure-heading">TeraSync could not load your settings</h2>
      <p>{error.message}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </section>
  );
}

function Overview({ overview }: { overview: AppOverview }) {
  return (
    <>
      {overview.settingsProblem && (
        <section className="notice notice-warning" role="alert" aria-labelledby="settings-problem-heading">
          <h2 id="settings-problem-heading">Your settings need attention</h2>
          <p>{overview.settingsProblem.message}</p>
        </section>
      )}
      <AccountSection account={overview.account} />
      <PairsSection pairs={overview.pairs} />
    </>
  );
}

function AccountSection({ account }: { account: AccountSummary }) {
  const isSetUp = account.user !== null || account.server !== null || account.method !== null;
  return (
    <section className="card" aria-labelledby="account-heading">
      <h2 id="account-heading">Account</h2>
      {isSetUp ? (
        <dl className="facts">
          <dt>User</dt>
          <dd>{account.user ?? <span className="missing">Not set</span>}</dd>
          <dt>Server</dt>
          <dd>{account.server ? <code className="path">{account.server}</code> : <span className="missing">Not set</span>}</dd>
          <dt>Sign-in</dt>
          <dd>{account.method ? methodLabels[account.method] : <span className="missing">Not set</span>}</dd>
        </dl>
      ) : (
        <p>No account is set up in TeraSync yet.</p>
      )}
    </section>
  );
}

function PairsSection({ pairs }: { pairs: PairSummary[] }) {
  return (
    <section className="card" aria-labelledby="pairs-heading">
      <h2 id="pairs-heading">Synced folders</h2>
      {pairs.length > 0 ? (
        <ul className="pairs">
          {pairs.map((pair) => (
            <li key={`${pair.localFolder}\n${pair.remoteUrl}`} className="pair">
              <dl className="facts">
                <dt>On this computer</dt>
                <dd>
                  <code className="path">{pair.localFolder}</code>
                </dd>
                <dt>On TeraCLOUD</dt>
                <dd>
                  <code className="path">{pair.remoteUrl}</code>
                </dd>
              </dl>
            </li>
          ))}
        </ul>
      ) : (
        <GettingStarted />
      )}
    </section>
  );
}

function GettingStarted() {
  return (
    <div className="getting-started">
      <p>No folders are set up to sync yet. For now, you can sync a folder from the command line:</p>
      <pre className="command">
        <code>npx terasync sync --once --local DIR --remote URL</code>
      </pre>
      <ul>
        <li>
          <code>DIR</code> is the folder on this computer.
        </li>
        <li>
          <code>URL</code> is the TeraCLOUD folder's WebDAV address, such as{' '}
          <code className="path">https://&lt;node&gt;.teracloud.jp/dav/Documents/</code> (your node's address is shown as
          the WebDAV connection URL in TeraCLOUD's MyPage).
        </li>
        <li>
          The command reads your user ID from <code>TERASYNC_USER</code> and your Apps password (issued in MyPage, not
          your login password) from <code>TERASYNC_PASSWORD</code>.
        </li>
      </ul>
    </div>
  );
}
