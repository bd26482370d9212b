/**
 * Sign-in: with the browser (OAuth2, when this build has a client for it), or with the user ID
 * and the Apps password. The node is found through the REST API, or typed, or the WebDAV URL
 * pasted from MyPage; the advanced section holds the REST API server, the API key's method and
 * a private CA. The password crosses to main once and is cleared from the form afterwards.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ErrorCode, type ErrorInfo } from '../../../shared/errors.js';
import type { AdvancedSignInOptions } from '../../../shared/ipc/contract.js';
import type { SignInResult } from '../../../shared/types.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { SelectField } from '../components/SelectField.js';
import { TextField } from '../components/TextField.js';
import { useI18n } from '../i18n/i18n.js';
import { myPageUrl } from '../links.js';
import { errorInfoOf, unwrap } from '../state/AppStore.js';
import { useApi, useStore } from '../state/hooks.js';

export interface SignInProps {
  /** Called after a sign-in that worked, with what main answered. */
  onSignedIn: (result: SignInResult) => void;
  /** What to say on arrival (after a sign-out that could not revoke the sign-in), or null. */
  notice?: string | null;
  /** Take the focus (the heading) on arrival: after a sign-out, the screen that had it is gone. */
  focusOnArrival?: boolean;
}

type Busy = 'password' | 'browser' | null;

/** Where a failure is shown: under the field it is about, or beside the button that was pressed. */
type Place = 'userId' | 'password' | 'location' | 'passwordForm' | 'browser' | 'caFile';

/** A failure, where it goes, and a serial that makes the same failure twice move the focus twice. */
interface Failure {
  error: ErrorInfo;
  place: Place;
  serial: number;
}

/** The field a failure of the password form is about, or the form itself. */
function placeOf(error: ErrorInfo, manualNode: boolean): Place {
  if (error.code === ErrorCode.Unauthorized) return 'password';
  if (manualNode && (error.code === ErrorCode.NodeNotFound || error.code === ErrorCode.InvalidAddress)) return 'location';
  return 'passwordForm';
}

export function SignIn({ onSignedIn, notice = null, focusOnArrival = false }: SignInProps) {
  const { t, locale } = useI18n();
  const api = useApi();
  const store = useStore();
  const [userId, setUserId] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [nodeMode, setNodeMode] = useState<'automatic' | 'manual'>('automatic');
  const [location, setLocation] = useState('');
  const [apiServer, setApiServer] = useState('');
  const [apiKeyPlacement, setApiKeyPlacement] = useState<'' | 'header' | 'matrix'>('');
  const [caFile, setCaFile] = useState('');
  const [nonPreemptive, setNonPreemptive] = useState(false);
  const [busy, setBusy] = useState<Busy>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const serial = useRef(0);
  const noticeRef = useRef<HTMLDivElement>(null);
  const submitRef = useRef<HTMLButtonElement>(null);
  const browserButtonRef = useRef<HTMLButtonElement>(null);
  const fail = (error: ErrorInfo, place: Place): void => setFailure({ error, place, serial: ++serial.current });
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (focusOnArrival) headingRef.current?.focus();
    // On arrival only.
  }, []);
  const [invalid, setInvalid] = useState<{ userId?: string; password?: string; location?: string }>({});
  const ids = {
    userId: useId(),
    userIdError: useId(),
    password: useId(),
    passwordError: useId(),
    location: useId(),
    locationHelp: useId(),
    locationError: useId(),
    apiServer: useId(),
    apiServerHelp: useId(),
    caFile: useId(),
    caFileHelp: useId(),
    failure: useId(),
  };

  // A failure takes the focus where it is shown: the field it is about (which names it as its
  // description), else the notice itself; and the notice is scrolled into sight with it.
  const focusTarget = failure === null ? null : failure.place === 'userId' || failure.place === 'password' || failure.place === 'location' || failure.place === 'caFile' ? ids[failure.place] : null;
  useEffect(() => {
    if (failure === null) return;
    const notice = noticeRef.current;
    const field = focusTarget === null ? null : document.getElementById(focusTarget);
    (field ?? notice)?.focus();
    if (notice !== null && typeof notice.scrollIntoView === 'function') notice.scrollIntoView({ block: 'nearest' });
    // Only a new failure moves the focus, not a re-render.
  }, [failure?.serial]);

  const dismiss = (): void => {
    const place = failure?.place;
    setFailure(null);
    // The focus stays in the place the notice was, not on the page's body.
    if (place === 'browser') browserButtonRef.current?.focus();
    else if (focusTarget !== null) document.getElementById(focusTarget)?.focus();
    else submitRef.current?.focus();
  };

  /** The failure shown at `place`, with the props that tie it to its field. */
  const noticeAt = (place: Place) =>
    failure !== null && failure.place === place ? (
      <ErrorNotice heading={t.signIn.failedTitle} error={failure.error} context="signIn" onDismiss={dismiss} messageId={ids.failure} ref={noticeRef} />
    ) : null;
  /** aria-describedby of a field: its own help and problems, and the failure shown under it. */
  const describedBy = (place: Place, ...own: Array<string | false | undefined>): string | undefined => {
    const list = own.filter((id): id is string => typeof id === 'string');
    if (failure !== null && failure.place === place) list.push(ids.failure);
    return list.length === 0 ? undefined : list.join(' ');
  };
  const failedAt = (place: Place): boolean => failure !== null && failure.place === place;

  const advanced = (): AdvancedSignInOptions | undefined => {
    const options: AdvancedSignInOptions = {};
    if (apiServer.trim() !== '') options.apiServer = apiServer.trim();
    if (apiKeyPlacement !== '') options.apiKeyPlacement = apiKeyPlacement;
    if (caFile.trim() !== '') options.caFile = caFile.trim();
    return Object.keys(options).length === 0 ? undefined : options;
  };
  const chosenLocation = (): string | undefined => (nodeMode === 'manual' && location.trim() !== '' ? location.trim() : undefined);

  const finish = async (signIn: () => Promise<SignInResult>, kind: Exclude<Busy, null>): Promise<void> => {
    setBusy(kind);
    setFailure(null);
    try {
      const result = await signIn();
      setPassword('');
      store.accept({ account: result.account });
      onSignedIn(result);
    } catch (thrown) {
      const error = errorInfoOf(thrown);
      fail(error, kind === 'browser' ? 'browser' : placeOf(error, nodeMode === 'manual'));
    } finally {
      setBusy(null);
    }
  };

  const submitPassword = (event: FormEvent): void => {
    event.preventDefault();
    const problems: typeof invalid = {};
    if (userId.trim() === '') problems.userId = t.signIn.userIdRequired;
    if (password === '') problems.password = t.signIn.passwordRequired;
    if (nodeMode === 'manual' && location.trim() === '') problems.location = t.signIn.nodeRequired;
    setInvalid(problems);
    if (Object.keys(problems).length > 0) {
      const first = problems.userId ? ids.userId : problems.password ? ids.password : ids.location;
      document.getElementById(first)?.focus();
      return;
    }
    const options = advanced();
    const place = chosenLocation();
    void finish(
      async () =>
        unwrap(
          await api.signInWithPassword({
            userId: userId.trim(),
            password,
            ...(place === undefined ? {} : { location: place }),
            ...(nonPreemptive ? { preemptive: false } : {}),
            ...(options === undefined ? {} : { advanced: options }),
          }),
        ),
      'password',
    );
  };

  const signInWithBrowser = (): void => {
    const options = advanced();
    const place = chosenLocation();
    void finish(
      async () =>
        unwrap(await api.signInWithOAuth({ ...(place === undefined ? {} : { location: place }), ...(options === undefined ? {} : { advanced: options }) })),
      'browser',
    );
  };

  const chooseCa = async (): Promise<void> => {
    const picked = await api.pickPath({ purpose: 'caCertificate' });
    if (picked.ok && picked.value !== null) setCaFile(picked.value);
    if (!picked.ok) fail(picked.error, 'caFile');
  };

  const disabled = busy !== null;
  return (
    <main className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title" tabIndex={-1} ref={headingRef}>
        {t.signIn.title}
      </h1>
      <p className="intro">{t.signIn.intro}</p>
      {notice !== null && (
        <p role="status" className="notice notice-warning">
          {notice}
        </p>
      )}

      <section className="card" aria-labelledby="browser-heading">
        <h2 id="browser-heading">{t.signIn.browserHeading}</h2>
        <p>{t.signIn.browserText}</p>
        {busy === 'browser' ? (
          <div role="status" className="waiting">
            <p className="notice-title">{t.signIn.waitingForBrowser}</p>
            <p>{t.signIn.waitingHelp}</p>
            <button type="button" className="secondary" onClick={() => void api.cancelSignIn()}>
              {t.signIn.cancelSignIn}
            </button>
          </div>
        ) : (
          <button type="button" ref={browserButtonRef} onClick={signInWithBrowser} disabled={disabled}>
            {t.signIn.browserButton}
          </button>
        )}
        {noticeAt('browser')}
      </section>

      <section className="card" aria-labelledby="password-heading">
        <h2 id="password-heading">{t.signIn.passwordHeading}</h2>
        <p>
          {t.signIn.passwordText}{' '}
          <button type="button" className="link" onClick={() => void api.openUrl({ url: myPageUrl(locale, location) })}>
            {t.signIn.openMyPage}
          </button>
        </p>
        <form onSubmit={submitPassword} noValidate aria-busy={busy === 'password'}>
          <TextField
            id={ids.userId}
            label={t.signIn.userId}
            autoComplete="username"
            spellCheck={false}
            value={userId}
            disabled={disabled}
            problem={{ id: ids.userIdError, text: invalid.userId }}
            invalid={failedAt('userId')}
            describedBy={describedBy('userId')}
            onChange={setUserId}
          >
            {noticeAt('userId')}
          </TextField>
          <TextField
            id={ids.password}
            label={t.signIn.appsPassword}
            type={showPassword ? 'text' : 'password'}
            autoComplete="current-password"
            spellCheck={false}
            value={password}
            disabled={disabled}
            problem={{ id: ids.passwordError, text: invalid.password }}
            invalid={failedAt('password')}
            describedBy={describedBy('password')}
            onChange={setPassword}
          >
            {noticeAt('password')}
            <label className="inline">
              <input type="checkbox" checked={showPassword} onChange={(event) => setShowPassword(event.target.checked)} disabled={disabled} />{' '}
              {t.signIn.showPassword}
            </label>
          </TextField>
          <fieldset className="field" disabled={disabled}>
            <legend>{t.signIn.nodeLegend}</legend>
            <label className="inline">
              <input type="radio" name="node" checked={nodeMode === 'automatic'} onChange={() => setNodeMode('automatic')} /> {t.signIn.nodeAutomatic}
            </label>
            <label className="inline">
              <input type="radio" name="node" checked={nodeMode === 'manual'} onChange={() => setNodeMode('manual')} /> {t.signIn.nodeManual}
            </label>
            {nodeMode === 'manual' && (
              <TextField
                id={ids.location}
                label={t.signIn.nodeField}
                className="nested"
                inputMode="url"
                spellCheck={false}
                value={location}
                help={{ id: ids.locationHelp, text: t.signIn.nodeHelp }}
                problem={{ id: ids.locationError, text: invalid.location }}
                invalid={failedAt('location')}
                describedBy={describedBy('location')}
                onChange={setLocation}
              >
                {noticeAt('location')}
              </TextField>
            )}
          </fieldset>
          <details className="advanced">
            <summary>{t.signIn.advanced}</summary>
            <TextField
              id={ids.apiServer}
              label={t.signIn.apiServer}
              type="url"
              inputMode="url"
              spellCheck={false}
              placeholder="https://api.teracloud.jp"
              value={apiServer}
              disabled={disabled}
              help={{ id: ids.apiServerHelp, text: t.signIn.apiServerHelp }}
              onChange={setApiServer}
            />
            <SelectField<'' | 'header' | 'matrix'> label={t.signIn.apiKeyMethod} value={apiKeyPlacement} disabled={disabled} onChange={setApiKeyPlacement}>
              <option value="">{t.signIn.apiKeyDefault}</option>
              <option value="header">{t.signIn.apiKeyHeader}</option>
              <option value="matrix">{t.signIn.apiKeyMatrix}</option>
            </SelectField>
            <div className="field">
              <label htmlFor={ids.caFile}>{t.signIn.customCa}</label>
              <div className="input-row">
                <input
                  id={ids.caFile}
                  type="text"
                  spellCheck={false}
                  value={caFile}
                  disabled={disabled}
                  aria-invalid={failedAt('caFile') ? true : undefined}
                  aria-describedby={describedBy('caFile', ids.caFileHelp)}
                  onChange={(event) => setCaFile(event.target.value)}
                />
                <button type="button" className="secondary" disabled={disabled} onClick={() => void chooseCa()}>
                  {t.signIn.chooseFile}
                </button>
                {caFile !== '' && (
                  <button type="button" className="secondary" disabled={disabled} onClick={() => setCaFile('')}>
                    {t.signIn.clear}
                  </button>
                )}
              </div>
              <p id={ids.caFileHelp} className="help">
                {t.signIn.customCaHelp}
              </p>
              {noticeAt('caFile')}
            </div>
            <label className="inline">
              <input type="checkbox" checked={nonPreemptive} disabled={disabled} onChange={(event) => setNonPreemptive(event.target.checked)} />{' '}
              {t.signIn.nonPreemptive}
            </label>
          </details>
          {noticeAt('passwordForm')}
          <div className="button-row">
            <button type="submit" ref={submitRef} disabled={disabled}>
              {busy === 'password' ? t.signIn.signingIn : t.signIn.signInButton}
            </button>
          </div>
          {busy === 'password' && (
            <p role="status" className="muted">
              {t.signIn.signingIn}
            </p>
          )}
        </form>
      </section>
    </main>
  );
}
