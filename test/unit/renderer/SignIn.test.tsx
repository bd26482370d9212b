// @vitest-environment jsdom
/**
 * The sign-in screen: what it says about empty fields, what a password or browser sign-in
 * sends to main (and nothing more), what a refused or unconfigured sign-in shows, and where the
 * window goes once signed in.
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import type { SignInResult } from '../../../shared/types.js';
import { account, FakeBackend, settings } from './support/fakeBackend.js';
import { renderApp } from './support/render.js';
import { deferred, descriptionOf, openScreen, signedInBackend, tabTo } from './support/screens.js';

afterEach(() => {
  cleanup();
});

const signedIn: SignInResult = { account: account(), problem: null };

async function openSignIn(backend = new FakeBackend()) {
  const user = userEvent.setup();
  renderApp(backend);
  await screen.findByRole('heading', { level: 1, name: 'Sign in to TeraCLOUD' });
  return { user, backend };
}

function passwordField(): HTMLInputElement {
  return screen.getByLabelText('Apps password');
}

describe('the sign-in screen', () => {
  it('says which fields are missing and moves the focus to the first of them', async () => {
    const { user, backend } = await openSignIn();
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    const userId = screen.getByRole('textbox', { name: 'User ID' });
    expect(screen.getByText('Type your user ID.')).toBeTruthy();
    expect(screen.getByText('Type your Apps password.')).toBeTruthy();
    expect(descriptionOf(userId)).toBe('Type your user ID.');
    expect(descriptionOf(passwordField())).toBe('Type your Apps password.');
    expect(document.activeElement).toBe(userId);

    await user.type(userId, 'alice');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.queryByText('Type your user ID.')).toBeNull();
    expect(document.activeElement).toBe(passwordField());

    await user.type(passwordField(), 'app-password');
    await user.click(screen.getByRole('radio', { name: 'Type the node name or paste the WebDAV URL' }));
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    const node = screen.getByRole('textbox', { name: 'Node name or WebDAV connection URL' });
    expect(screen.getByText('Type the node name or the WebDAV URL, or let TeraSync find it.')).toBeTruthy();
    expect(descriptionOf(node)).toContain('Type the node name or the WebDAV URL, or let TeraSync find it.');
    expect(document.activeElement).toBe(node);

    expect(backend.callsOf('account:signInWithPassword')).toEqual([]);
    expect(backend.violations).toEqual([]);
  });

  it('sends the user ID and password alone when the node is found automatically, clears the password, and goes on to the set-up', async () => {
    const backend = new FakeBackend().answer('account:signInWithPassword', signedIn);
    const { user } = await openSignIn(backend);
    expect(screen.getByRole('radio', { name: 'Find it automatically' })).toHaveProperty('checked', true);

    await user.type(screen.getByRole('textbox', { name: 'User ID' }), '  alice ');
    await user.type(passwordField(), 'app-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Set up a synced folder' })).toBeTruthy();
    expect(backend.callsOf('account:signInWithPassword')).toStrictEqual([{ userId: 'alice', password: 'app-password' }]);
    // The password lives nowhere in the window any more.
    const values = [...document.querySelectorAll('input')].map((input) => input.value);
    expect(values).not.toContain('app-password');
    expect(backend.violations).toEqual([]);
  });

  it('sends the node typed by hand', async () => {
    const backend = new FakeBackend().answer('account:signInWithPassword', signedIn);
    const { user } = await openSignIn(backend);
    await user.type(screen.getByRole('textbox', { name: 'User ID' }), 'alice');
    await user.type(passwordField(), 'app-password');
    await user.click(screen.getByRole('radio', { name: 'Type the node name or paste the WebDAV URL' }));
    const node = screen.getByRole('textbox', { name: 'Node name or WebDAV connection URL' });
    expect(descriptionOf(node)).toBe('For example seto, or https://seto.teracloud.jp/dav/ as MyPage shows it.');
    await user.type(node, ' https://seto.teracloud.jp/dav/ ');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    await screen.findByRole('heading', { level: 1, name: 'Set up a synced folder' });
    expect(backend.callsOf('account:signInWithPassword')).toStrictEqual([
      { userId: 'alice', password: 'app-password', location: 'https://seto.teracloud.jp/dav/' },
    ]);
    expect(backend.violations).toEqual([]);
  });

  it('sends the advanced options: the REST API server, the API key method, a CA file from the dialog, and a password sent only when asked', async () => {
    const backend = new FakeBackend().answer('account:signInWithPassword', signedIn).answer('dialog:pickPath', '/home/alice/certs/private-ca.pem');
    const { user } = await openSignIn(backend);
    await user.type(screen.getByRole('textbox', { name: 'User ID' }), 'alice');
    await user.type(passwordField(), 'app-password');

    await user.click(screen.getByText('Advanced'));
    await user.type(screen.getByRole('textbox', { name: 'REST API server' }), 'https://api.example.test');
    await user.selectOptions(screen.getByRole('combobox', { name: 'How the API key is sent' }), ';api_key= in the address');
    await user.click(screen.getByRole('button', { name: 'Choose…' }));
    const caFile = screen.getByRole('textbox', { name: 'Custom CA certificate (PEM file)' });
    await waitFor(() => expect(caFile).toHaveProperty('value', '/home/alice/certs/private-ca.pem'));
    expect(backend.callsOf('dialog:pickPath')).toEqual([{ purpose: 'caCertificate' }]);
    await user.click(screen.getByRole('checkbox', { name: 'Send the password only when the server asks for it' }));
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    await screen.findByRole('heading', { level: 1, name: 'Set up a synced folder' });
    expect(backend.callsOf('account:signInWithPassword')).toStrictEqual([
      {
        userId: 'alice',
        password: 'app-password',
        preemptive: false,
        advanced: { apiServer: 'https://api.example.test', apiKeyPlacement: 'matrix', caFile: '/home/alice/certs/private-ca.pem' },
      },
    ]);
    expect(backend.violations).toEqual([]);
  });

  it('keeps the CA field as it was when the dialog is cancelled, and Clear empties it', async () => {
    const backend = new FakeBackend().answer('dialog:pickPath', null);
    const { user } = await openSignIn(backend);
    await user.click(screen.getByText('Advanced'));
    const caFile = screen.getByRole('textbox', { name: 'Custom CA certificate (PEM file)' });
    await user.type(caFile, '/etc/ssl/ca.pem');
    await user.click(screen.getByRole('button', { name: 'Choose…' }));
    await waitFor(() => expect(backend.callsOf('dialog:pickPath')).toHaveLength(1));
    expect(caFile).toHaveProperty('value', '/etc/ssl/ca.pem');
    await user.click(screen.getByRole('button', { name: 'Clear' }));
    expect(caFile).toHaveProperty('value', '');
    expect(screen.queryByRole('button', { name: 'Clear' })).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('explains a refused sign-in, shows the service message as the detail, and opens MyPage', async () => {
    const backend = new FakeBackend()
      .answer('account:signInWithPassword', { code: ErrorCode.Unauthorized, message: '401 Unauthorized: the Apps password is not valid' })
      .answer('shell:openUrl', undefined);
    const { user } = await openSignIn(backend);
    await user.type(screen.getByRole('textbox', { name: 'User ID' }), 'alice');
    await user.type(passwordField(), 'wrong-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Sign-in did not work')).toBeTruthy();
    expect(within(alert).getByText('TeraCLOUD did not accept the sign-in.')).toBeTruthy();
    expect(within(alert).getByText(/^Check the user ID and the Apps password\./)).toBeTruthy();
    expect(within(alert).getByText('401 Unauthorized: the Apps password is not valid')).toBeTruthy();
    // Still on the sign-in, ready for another try.
    expect(screen.getByRole('button', { name: 'Sign in' })).toHaveProperty('disabled', false);
    expect(screen.getByRole('textbox', { name: 'User ID' })).toHaveProperty('value', 'alice');

    await user.click(within(alert).getByRole('button', { name: 'Open MyPage' }));
    await waitFor(() => expect(backend.callsOf('shell:openUrl')).toHaveLength(1));
    const [opened] = backend.callsOf('shell:openUrl');
    expect(new URL(opened?.url ?? '').protocol).toBe('https:');
    expect(opened?.url).toContain('teracloud.jp');

    await user.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('shows the waiting state of a browser sign-in, and Cancel sign-in gives it up', async () => {
    const answer = deferred<SignInResult | { code: ErrorCode; message: string }>();
    const backend = new FakeBackend().answer('account:signInWithOAuth', () => answer.promise).answer('account:cancelSignIn', undefined);
    const { user } = await openSignIn(backend);
    await user.click(screen.getByRole('button', { name: 'Sign in with browser' }));

    const waiting = await screen.findByRole('status');
    expect(within(waiting).getByText('Waiting for your browser…')).toBeTruthy();
    expect(within(waiting).getByText('Finish signing in in the browser window that opened, then come back here.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Sign in with browser' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Sign in' })).toHaveProperty('disabled', true);
    expect(backend.callsOf('account:signInWithOAuth')).toStrictEqual([{}]);

    await user.click(within(waiting).getByRole('button', { name: 'Cancel sign-in' }));
    expect(backend.callsOf('account:cancelSignIn')).toEqual([undefined]);
    answer.resolve({ code: ErrorCode.Cancelled, message: 'The sign-in was cancelled' });

    expect(await screen.findByRole('button', { name: 'Sign in with browser' })).toHaveProperty('disabled', false);
    expect(screen.queryByText('Waiting for your browser…')).toBeNull();
    expect(screen.getByRole('button', { name: 'Sign in' })).toHaveProperty('disabled', false);
    expect(backend.violations).toEqual([]);
  });

  it('goes on to the set-up when the browser sign-in works', async () => {
    const backend = new FakeBackend().answer('account:signInWithOAuth', { account: account({ signedInWith: 'oauth2', method: 'oauth2' }), problem: null });
    const { user } = await openSignIn(backend);
    await user.click(screen.getByRole('radio', { name: 'Type the node name or paste the WebDAV URL' }));
    await user.type(screen.getByRole('textbox', { name: 'Node name or WebDAV connection URL' }), 'seto');
    await user.click(screen.getByRole('button', { name: 'Sign in with browser' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Set up a synced folder' })).toBeTruthy();
    expect(backend.callsOf('account:signInWithOAuth')).toStrictEqual([{ location: 'seto' }]);
    expect(backend.violations).toEqual([]);
  });

  it('says so when this build has no OAuth2 client', async () => {
    const backend = new FakeBackend().answer('account:signInWithOAuth', {
      code: ErrorCode.Configuration,
      message: 'OAuth2 is not configured in this build (no client ID): sign in with an Apps password',
    });
    const { user } = await openSignIn(backend);
    await user.click(screen.getByRole('button', { name: 'Sign in with browser' }));

    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Sign-in did not work')).toBeTruthy();
    expect(within(alert).getByText('This is not set up the way it needs to be.')).toBeTruthy();
    expect(within(alert).getByText('OAuth2 is not configured in this build (no client ID): sign in with an Apps password')).toBeTruthy();
    expect(within(alert).queryByRole('button', { name: 'Open MyPage' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Sign in with browser' })).toHaveProperty('disabled', false);
    expect(backend.violations).toEqual([]);
  });

  it('says on the next screen when signed in but syncing cannot connect yet', async () => {
    const backend = new FakeBackend().answer('account:signInWithPassword', {
      account: account(),
      problem: { code: ErrorCode.Network, message: 'connect ECONNREFUSED 203.0.113.7:443' },
    });
    const { user } = await openSignIn(backend);
    await user.type(screen.getByRole('textbox', { name: 'User ID' }), 'alice');
    await user.type(passwordField(), 'app-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Set up a synced folder' })).toBeTruthy();
    const alert = screen.getByRole('alert');
    expect(within(alert).getByText('You are signed in, but syncing cannot connect yet.')).toBeTruthy();
    expect(within(alert).getByText('TeraSync cannot reach TeraCLOUD.')).toBeTruthy();
    expect(within(alert).getByText('connect ECONNREFUSED 203.0.113.7:443')).toBeTruthy();
    await user.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByText('You are signed in, but syncing cannot connect yet.')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('signs in with the keyboard alone', async () => {
    const backend = new FakeBackend().answer('account:signInWithPassword', signedIn);
    const { user } = await openSignIn(backend);
    const userId = screen.getByRole('textbox', { name: 'User ID' });
    await tabTo(user, userId);
    await user.keyboard('alice');
    await user.tab();
    expect(document.activeElement).toBe(passwordField());
    await user.keyboard('app-password{Enter}');

    expect(await screen.findByRole('heading', { level: 1, name: 'Set up a synced folder' })).toBeTruthy();
    expect(backend.callsOf('account:signInWithPassword')).toStrictEqual([{ userId: 'alice', password: 'app-password' }]);
    expect(backend.violations).toEqual([]);
  });

  it('is in Japanese on a Japanese system', async () => {
    const backend = new FakeBackend().answer('settings:get', settings({ app: { ...settings().app, language: 'system' } }));
    renderApp(backend, ['ja-JP']);
    expect(await screen.findByRole('heading', { level: 1, name: 'TeraCLOUDにサインイン' })).toBeTruthy();
    expect(screen.getByRole('heading', { level: 2, name: 'ブラウザーでサインイン' })).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });
});

/** The sentences a notice shows: its text without the closed "Technical details" disclosure. */
function shownText(element: HTMLElement): string {
  const copy = element.cloneNode(true) as HTMLElement;
  for (const details of copy.querySelectorAll('details')) details.remove();
  return copy.textContent ?? '';
}

async function failPasswordSignIn(error: { code: ErrorCode; message: string }, options: { node?: string; languages?: string[] } = {}) {
  const backend = new FakeBackend().answer('account:signInWithPassword', error).answer('shell:openUrl', undefined);
  if (options.languages !== undefined) backend.answer('settings:get', settings({ app: { ...settings().app, language: 'system' } }));
  const user = userEvent.setup();
  renderApp(backend, options.languages ?? ['en-US']);
  const ja = options.languages?.[0]?.startsWith('ja') === true;
  await screen.findByRole('heading', { level: 1, name: ja ? 'TeraCLOUDにサインイン' : 'Sign in to TeraCLOUD' });
  await user.type(screen.getByRole('textbox', { name: ja ? 'ユーザーID' : 'User ID' }), 'alice');
  await user.type(screen.getByLabelText(ja ? 'アプリパスワード' : 'Apps password'), 'app-password');
  if (options.node !== undefined) {
    await user.click(screen.getByRole('radio', { name: ja ? 'ノード名を入力するか、WebDAV接続URLを貼り付ける' : 'Type the node name or paste the WebDAV URL' }));
    await user.type(screen.getByRole('textbox', { name: ja ? 'ノード名またはWebDAV接続URL' : 'Node name or WebDAV connection URL' }), options.node);
  }
  await user.click(screen.getByRole('button', { name: ja ? 'サインイン' : 'Sign in' }));
  const alert = await screen.findByRole('alert');
  return { user, backend, alert };
}

describe('a failed sign-in, where the user looks', () => {
  it('shows a refused password under the password field, describes the field with it, and moves the focus there', async () => {
    const { user, alert } = await failPasswordSignIn({ code: ErrorCode.Unauthorized, message: 'PROPFIND https://seto.teracloud.jp/dav/ 401 Unauthorized' });
    const password = passwordField();
    expect(password.closest('.field')?.contains(alert)).toBe(true);
    expect(document.activeElement).toBe(password);
    expect(password.getAttribute('aria-invalid')).toBe('true');
    expect(descriptionOf(password)).toContain('TeraCLOUD did not accept the sign-in.');
    expect(descriptionOf(password)).not.toContain('PROPFIND');

    await user.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(document.activeElement).toBe(passwordField());
    expect(passwordField().getAttribute('aria-invalid')).toBeNull();
  });

  it('says a node that does not exist at the node field, with MyPage, and never that TeraSync tries again', async () => {
    const { alert } = await failPasswordSignIn({ code: ErrorCode.NodeNotFound, message: 'There is no node "setoo" on teracloud.jp' }, { node: 'setoo' });
    const node = screen.getByRole('textbox', { name: 'Node name or WebDAV connection URL' });
    expect(node.closest('.field')?.contains(alert)).toBe(true);
    expect(document.activeElement).toBe(node);
    expect(within(alert).getByText('No node has that name: check the node name in MyPage.')).toBeTruthy();
    expect(descriptionOf(node)).toContain('No node has that name');
    expect(within(alert).getByRole('button', { name: 'Open MyPage' })).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/by itself/);
  });

  it('says the fix of a wrong address in the headline', async () => {
    const { alert } = await failPasswordSignIn(
      { code: ErrorCode.InvalidAddress, message: 'The path must start with /dav/ (or /v2/dav/, /backup/).' },
      { node: 'https://seto.teracloud.jp/webdav/' },
    );
    expect(alert.querySelector('.notice-title')?.textContent).toBe(
      'Use the node name only, like seto, or the WebDAV connection URL from MyPage, like https://seto.teracloud.jp/dav/.',
    );
    expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Node name or WebDAV connection URL' }));
  });

  it('says a lost connection without promising a retry, beside the Sign in button, and focuses the notice', async () => {
    const { alert } = await failPasswordSignIn({ code: ErrorCode.Network, message: 'PROPFIND https://seto.teracloud.jp/dav/ failed (ECONNREFUSED)' });
    expect(within(alert).getByText('Check the internet connection, then sign in again.')).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/by itself/);
    expect(document.activeElement).toBe(alert);
    expect(alert.closest('form')).not.toBeNull();
  });

  it('keeps the raw details behind a closed Technical details disclosure', async () => {
    const message = 'PROPFIND https://seto.teracloud.jp/dav/ failed (ECONNREFUSED)';
    const { user, alert } = await failPasswordSignIn({ code: ErrorCode.Network, message });
    expect(shownText(alert)).not.toContain('ECONNREFUSED');
    const disclosure = alert.querySelector('details');
    expect(disclosure?.open).toBe(false);
    await user.click(within(alert).getByText('Technical details'));
    expect(disclosure?.open).toBe(true);
    expect(within(alert).getByText(message)).toBeTruthy();
  });

  it('is all Japanese on a Japanese system, the English details only behind the disclosure', async () => {
    const { alert } = await failPasswordSignIn(
      { code: ErrorCode.Network, message: 'PROPFIND https://seto.teracloud.jp/dav/ failed (ECONNREFUSED)' },
      { languages: ['ja-JP'] },
    );
    const shown = shownText(alert);
    expect(shown).toContain('TeraCLOUDに接続できません。');
    expect(shown).toContain('インターネット接続を確かめてから、もう一度サインインしてください。');
    expect(shown).not.toMatch(/PROPFIND|ECONNREFUSED|Details/);
    expect(within(alert).getByText('技術的な詳細')).toBeTruthy();
  });

  it('shows a failed browser sign-in beside its button and moves the focus to it', async () => {
    const backend = new FakeBackend().answer('account:signInWithOAuth', { code: ErrorCode.Timeout, message: 'the browser did not come back within 300 s' });
    const { user } = await openSignIn(backend);
    await user.click(screen.getByRole('button', { name: 'Sign in with browser' }));
    const alert = await screen.findByRole('alert');
    const card = screen.getByRole('region', { name: 'Sign in with your browser' });
    expect(card.contains(alert)).toBe(true);
    expect(document.activeElement).toBe(alert);
    expect(within(alert).getByText('Check the internet connection, then sign in again.')).toBeTruthy();
    await user.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Sign in with browser' }));
  });

  it('moves the focus to the heading of the next screen after signing in', async () => {
    const backend = new FakeBackend().answer('account:signInWithPassword', signedIn);
    const { user } = await openSignIn(backend);
    await user.type(screen.getByRole('textbox', { name: 'User ID' }), 'alice');
    await user.type(passwordField(), 'app-password{Enter}');
    const heading = await screen.findByRole('heading', { level: 1, name: 'Set up a synced folder' });
    await waitFor(() => expect(document.activeElement).toBe(heading));
  });

  it('moves the focus to the sign-in heading after signing out', async () => {
    const backend = signedInBackend({ pairs: [] }).answer('account:signOut', { signedOut: true, revocation: 'revoked', revocationError: null });
    const user = userEvent.setup();
    renderApp(backend);
    await openScreen(user, 'Settings');
    const account = screen.getByRole('region', { name: 'Account' });
    await user.click(within(account).getByRole('button', { name: 'Sign out' }));
    await user.click(within(account).getByRole('button', { name: 'Yes, sign out' }));
    const heading = await screen.findByRole('heading', { level: 1, name: 'Sign in to TeraCLOUD' });
    await waitFor(() => expect(document.activeElement).toBe(heading));
  });
});
