// @vitest-environment jsdom
/**
 * The settings screen: the account and signing out, each synced folder (selective sync,
 * bandwidth, pause, stop syncing), how syncing behaves, the backup's retention and device name,
 * and the app (start at login, notifications, language, appearance, the logs).
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import type { PairView, ProxySettingsView, ProxyTestResult, RemoteFolderListing, SettingsView } from '../../../shared/types.js';
import { account, type FakeBackend, pair, settings } from './support/fakeBackend.js';
import { renderApp } from './support/render.js';
import { descriptionOf, openScreen, signedInBackend, tabTo, type SignedInOptions } from './support/screens.js';

afterEach(() => {
  cleanup();
  delete document.documentElement.dataset['theme'];
});

const home = pair();

const syncFolders: Readonly<Record<string, RemoteFolderListing>> = {
  Sync: { path: 'Sync', folders: [{ name: 'Photos', path: 'Sync/Photos' }, { name: 'Work', path: 'Sync/Work' }], files: 2 },
  'Sync/Photos': { path: 'Sync/Photos', folders: [], files: 30 },
  'Sync/Work': { path: 'Sync/Work', folders: [], files: 4 },
};

/**
 * Answers as main does: settings:update and pairs:* change the settings, which come back in
 * the answer and, for pairs, through settings:changed to every window.
 */
function answerChanges(backend: FakeBackend, initial: SettingsView): void {
  let current = initial;
  const changePair = (id: string, change: Partial<PairView>): PairView => {
    const changed = { ...(current.pairs.find((item) => item.id === id) as PairView), ...change };
    current = { ...current, pairs: current.pairs.map((item) => (item.id === id ? changed : item)) };
    backend.emit('settings:changed', current);
    return changed;
  };
  backend
    .answer('settings:update', (update) => {
      current = {
        ...current,
        sync: { ...current.sync, ...update.sync },
        backup: { ...current.backup, ...update.backup },
        app: { ...current.app, ...update.app },
      };
      return current;
    })
    .answer('pairs:update', ({ id, bandwidth, excludedFolders }) =>
      changePair(id, {
        ...(bandwidth === undefined ? {} : { bandwidth: { ...(current.pairs.find((item) => item.id === id) as PairView).bandwidth, ...bandwidth } }),
        ...(excludedFolders === undefined ? {} : { excludedFolders }),
      }),
    )
    .answer('pairs:pause', ({ id }) => changePair(id, { paused: true }))
    .answer('pairs:resume', ({ id }) => changePair(id, { paused: false }))
    .answer('pairs:remove', ({ id }) => {
      current = { ...current, pairs: current.pairs.filter((item) => item.id !== id) };
      backend.emit('settings:changed', current);
      return undefined;
    });
}

async function openSettings(options: SignedInOptions = {}, change: (backend: FakeBackend) => void = () => {}) {
  const pairs = options.pairs ?? [home];
  const backend = signedInBackend({ pairs, ...options })
    .answer('remote:listFolders', ({ path }) => syncFolders[path] ?? { code: ErrorCode.NotFound, message: `${path} is not on the server` })
    .answer('shell:openFolder', undefined);
  answerChanges(backend, settings({ pairs, ...options.settings }));
  change(backend);
  const user = userEvent.setup();
  renderApp(backend);
  await screen.findByRole('heading', { level: 1, name: pairs.length === 0 ? 'Set up a synced folder' : 'Status' });
  await openScreen(user, 'Settings');
  return { user, backend };
}

function region(name: string): HTMLElement {
  return screen.getByRole('region', { name });
}

function pairSettings(folder: PairView = home): HTMLElement {
  return screen.getByRole('article', { name: folder.localFolder });
}

/** A definition list as the user reads it: each term with what follows it. */
function facts(element: HTMLElement): Record<string, string> {
  return Object.fromEntries(within(element).getAllByRole('term').map((term) => [term.textContent ?? '', term.nextElementSibling?.textContent ?? '']));
}

describe('the settings screen', () => {
  it('shows the account', async () => {
    const { backend } = await openSettings();
    expect(facts(region('Account'))).toEqual({
      'User ID': 'alice',
      Node: 'seto',
      'Signed in with': 'Apps password',
      'WebDAV address': 'https://seto.teracloud.jp/dav/',
      'Sign-in kept in': 'the system keyring (Secret Service)',
      Storage: '4.2 GB of 20 GB used (21%)Deleted files: 0 B, kept 30 days',
    });
    expect(within(region('Account')).getByRole('progressbar', { name: 'Storage used' })).toBeTruthy();
    expect(screen.getByText('Settings are kept in /home/alice/.config/TeraSync/settings.json')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('says when a browser sign-in fell back to the Apps password, and when the quota is not known', async () => {
    const { backend } = await openSettings({
      account: { signedInWith: 'oauth2', method: 'basic', fallbackReason: 'the node has no OAuth2 WebDAV', quota: null, quotaProblem: 'the REST API did not answer' },
    });
    const shown = facts(region('Account'));
    expect(shown['Signed in with']).toBe('Browser sign-in (OAuth2)Using the Apps password on /dav/: the node has no OAuth2 WebDAV');
    expect(shown['Storage']).toBe('the REST API did not answerDeleted files: 0 B, kept 30 days');
    expect(backend.violations).toEqual([]);
  });

  it('signs out after asking, and goes back to the sign-in', async () => {
    const { user, backend } = await openSettings({}, (b) => b.answer('account:signOut', { signedOut: true, revocation: 'revoked', revocationError: null }));
    const card = region('Account');
    await user.click(within(card).getByRole('button', { name: 'Sign out' }));
    const question = within(card).getByRole('group', { name: 'Sign out? Syncing stops until you sign in again. Your files stay on both sides.' });
    await user.click(within(question).getByRole('button', { name: 'Cancel' }));
    expect(backend.callsOf('account:signOut')).toEqual([]);

    await user.click(within(card).getByRole('button', { name: 'Sign out' }));
    await user.click(within(card).getByRole('button', { name: 'Yes, sign out' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in to TeraCLOUD' })).toBeTruthy();
    expect(backend.callsOf('account:signOut')).toEqual([undefined]);
    expect(backend.violations).toEqual([]);
  });

  it('says so on the sign-in when the sign-in could not be revoked on the server', async () => {
    const { user, backend } = await openSettings({}, (b) => b.answer('account:signOut', { signedOut: true, revocation: 'failed', revocationError: 'the revocation endpoint answered 503' }));
    await user.click(within(region('Account')).getByRole('button', { name: 'Sign out' }));
    await user.click(within(region('Account')).getByRole('button', { name: 'Yes, sign out' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in to TeraCLOUD' })).toBeTruthy();
    expect(screen.getByText('Signed out. The sign-in could not be revoked on the server: the revocation endpoint answered 503')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('says why signing out did not work, and stays signed in', async () => {
    const { user, backend } = await openSettings({}, (b) => b.answer('account:signOut', { code: ErrorCode.KeychainUnavailable, message: 'the Secret Service is locked' }));
    await user.click(within(region('Account')).getByRole('button', { name: 'Sign out' }));
    await user.click(within(region('Account')).getByRole('button', { name: 'Yes, sign out' }));
    const alert = await within(region('Account')).findByRole('alert');
    expect(within(alert).getByText('The system keychain is not available.')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: 'Settings' })).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('shows each synced folder', async () => {
    const work = pair({ id: 'pair-2', localFolder: '/home/alice/Work', remoteFolder: '', excludedFolders: ['Archive', 'Big files'] });
    const { backend } = await openSettings({ pairs: [home, work] });
    expect(facts(pairSettings(home))).toEqual({ 'On this computer': '/home/alice/TeraCLOUD', 'On TeraCLOUD': 'Sync', 'Left out': 'Nothing left out' });
    expect(facts(pairSettings(work))).toEqual({ 'On this computer': '/home/alice/Work', 'On TeraCLOUD': 'All of TeraCLOUD', 'Left out': 'ArchiveBig files' });
    expect(backend.violations).toEqual([]);
  });

  it('edits which folders of a pair are synced', async () => {
    const { user, backend } = await openSettings();
    const card = pairSettings();
    await user.click(within(card).getByRole('button', { name: 'Choose folders…' }));
    const tree = await within(card).findByRole('list', { name: 'Which folders to sync?' });
    expect(backend.callsOf('remote:listFolders')).toEqual([{ path: 'Sync' }]);
    await user.click(within(tree).getByRole('checkbox', { name: 'Work' }));
    await user.click(within(card).getByRole('button', { name: 'Save the choice' }));

    await waitFor(() => expect(within(card).queryByRole('list', { name: 'Which folders to sync?' })).toBeNull());
    expect(backend.callsOf('pairs:update')).toEqual([{ id: home.id, excludedFolders: ['Work'] }]);
    expect(facts(card)['Left out']).toBe('Work');

    await user.click(within(card).getByRole('button', { name: 'Choose folders…' }));
    const again = await within(card).findByRole('list', { name: 'Which folders to sync?' });
    expect(within(again).getByRole('checkbox', { name: 'Work' })).toHaveProperty('checked', false);
    expect(within(again).getByRole('checkbox', { name: 'Photos' })).toHaveProperty('checked', true);
    expect(backend.violations).toEqual([]);
  });

  it('forgets an unsaved folder choice on Cancel', async () => {
    const { user, backend } = await openSettings();
    const card = pairSettings();
    await user.click(within(card).getByRole('button', { name: 'Choose folders…' }));
    await user.click(await within(card).findByRole('checkbox', { name: 'Photos' }));
    await user.click(within(card).getByRole('button', { name: 'Cancel' }));
    expect(within(card).queryByRole('list', { name: 'Which folders to sync?' })).toBeNull();
    await user.click(within(card).getByRole('button', { name: 'Choose folders…' }));
    expect(await within(card).findByRole('checkbox', { name: 'Photos' })).toHaveProperty('checked', true);
    expect(backend.callsOf('pairs:update')).toEqual([]);
    expect(backend.violations).toEqual([]);
  });

  it('offers no folder choice for a pair on a full server address', async () => {
    const byUrl = pair({ remoteFolder: 'https://seto.teracloud.jp/dav/Sync' });
    const { backend } = await openSettings({ pairs: [byUrl] });
    expect(within(pairSettings(byUrl)).queryByRole('button', { name: 'Choose folders…' })).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('refuses a bandwidth limit that is not a whole number, and applies one that is when the field is left', async () => {
    const { user, backend } = await openSettings();
    const card = pairSettings();
    const upload = within(card).getByRole('textbox', { name: 'Upload limit (KiB/s, 0 for none)' });
    const download = within(card).getByRole('textbox', { name: 'Download limit (KiB/s, 0 for none)' });
    expect(upload).toHaveProperty('value', '0');
    expect(download).toHaveProperty('value', '0');
    expect(within(card).queryByRole('button', { name: 'Save' })).toBeNull();

    await user.clear(upload);
    await user.type(upload, 'fast');
    await user.click(download);
    expect(within(card).getByRole('alert').textContent).toBe('Type a whole number from 0 to 10485760. It is not saved yet.');
    expect(upload.getAttribute('aria-invalid')).toBe('true');
    expect(descriptionOf(upload)).toContain('Type a whole number from 0 to 10485760.');
    expect(upload).toHaveProperty('value', 'fast');
    expect(backend.callsOf('pairs:update')).toEqual([]);

    await user.clear(upload);
    await user.type(upload, '512');
    await user.click(download);
    await waitFor(() => expect(backend.callsOf('pairs:update')).toEqual([{ id: home.id, bandwidth: { uploadKiBps: 512, downloadKiBps: 0 } }]));
    expect(within(card).queryByRole('alert')).toBeNull();
    expect(upload.getAttribute('aria-invalid')).toBeNull();
    await user.clear(download);
    await user.type(download, '1024{Enter}');
    await waitFor(() => expect(backend.callsOf('pairs:update')[1]).toEqual({ id: home.id, bandwidth: { uploadKiBps: 512, downloadKiBps: 1024 } }));
    expect(await within(card).findAllByText('Saved')).toHaveLength(2);
    expect(backend.violations).toEqual([]);
  });

  it('pauses and resumes a pair', async () => {
    const { user, backend } = await openSettings();
    const card = pairSettings();
    await user.click(within(card).getByRole('button', { name: 'Pause' }));
    await user.click(await within(card).findByRole('button', { name: 'Resume' }));
    expect(await within(card).findByRole('button', { name: 'Pause' })).toBeTruthy();
    expect(backend.callsOf('pairs:pause')).toEqual([{ id: home.id }]);
    expect(backend.callsOf('pairs:resume')).toEqual([{ id: home.id }]);
    expect(backend.violations).toEqual([]);
  });

  it('stops syncing a pair after asking', async () => {
    const { user, backend } = await openSettings();
    const card = pairSettings();
    const question = 'Stop syncing this folder? Nothing is deleted: the files stay on this computer and on TeraCLOUD.';
    await user.click(within(card).getByRole('button', { name: 'Stop syncing this folder' }));
    await user.keyboard('{Escape}');
    expect(within(card).queryByText(question)).toBeNull();
    expect(backend.callsOf('pairs:remove')).toEqual([]);

    await user.click(within(card).getByRole('button', { name: 'Stop syncing this folder' }));
    expect(within(card).getByRole('group', { name: question })).toBeTruthy();
    await user.click(within(card).getByRole('button', { name: 'Yes, stop syncing' }));
    expect(await within(region('Synced folders')).findByText('No folders are synced yet.')).toBeTruthy();
    expect(backend.callsOf('pairs:remove')).toEqual([{ id: home.id }]);
    expect(backend.violations).toEqual([]);
  });

  it('leads to the set-up to add a folder', async () => {
    const { user, backend } = await openSettings();
    await user.click(within(region('Synced folders')).getByRole('button', { name: 'Add a folder' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Set up a synced folder' })).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('checks the sync numbers, applies each on its own, and the ignore patterns one a line without blanks or repeats', async () => {
    const { user, backend } = await openSettings();
    const card = region('Syncing');
    const poll = within(card).getByRole('textbox', { name: 'Check TeraCLOUD for changes every (seconds)' });
    const parallel = within(card).getByRole('textbox', { name: 'Transfers at the same time' });
    const patterns = within(card).getByRole('textbox', { name: 'Never sync these (one pattern a line, like .gitignore)' });
    expect(poll).toHaveProperty('value', '30');
    expect(parallel).toHaveProperty('value', '4');
    expect(within(card).queryByRole('button', { name: 'Save' })).toBeNull();

    await user.clear(poll);
    await user.type(poll, '3{Enter}');
    expect(within(card).getByRole('alert').textContent).toBe('Type a whole number from 5 to 86400. It is not saved yet.');
    expect(poll.getAttribute('aria-invalid')).toBe('true');

    await user.clear(poll);
    await user.type(poll, '60{Enter}');
    await waitFor(() => expect(backend.callsOf('settings:update')).toEqual([{ sync: { pollIntervalSeconds: 60 } }]));
    await user.clear(parallel);
    await user.type(parallel, '17{Enter}');
    expect(within(card).getByRole('alert').textContent).toBe('Type a whole number from 1 to 16. It is not saved yet.');
    expect(backend.callsOf('settings:update')).toHaveLength(1);

    await user.clear(parallel);
    await user.type(parallel, '2{Enter}');
    await user.type(patterns, '*.tmp{Enter}{Enter}  node_modules/  {Enter}*.tmp{Enter}');
    await user.tab();
    await waitFor(() => expect(backend.callsOf('settings:update')).toHaveLength(3));
    expect(backend.callsOf('settings:update').slice(1)).toEqual([{ sync: { parallelTransfers: 2 } }, { sync: { ignorePatterns: ['*.tmp', 'node_modules/'] } }]);
    expect(patterns).toHaveProperty('value', '*.tmp\nnode_modules/');
    expect(within(card).queryByRole('alert')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('sets the fail-safe share and how long deleted files are kept on TeraCLOUD, each checked and applied at once', async () => {
    const { user, backend } = await openSettings();
    const card = region('Syncing');
    const share = within(card).getByRole('textbox', { name: 'Stop and ask before deleting more than this share of a folder’s files (%)' });
    const days = within(card).getByRole('textbox', { name: 'Keep deleted files on TeraCLOUD for (days)' });
    expect(share).toHaveProperty('value', '50');
    expect(days).toHaveProperty('value', '30');
    expect(descriptionOf(days)).toContain('Deleted files');

    await user.clear(share);
    await user.type(share, '100{Enter}');
    expect(within(card).getByRole('alert').textContent).toBe('Type a whole number from 1 to 99. It is not saved yet.');
    await user.clear(share);
    await user.type(share, '25{Enter}');
    await waitFor(() => expect(backend.callsOf('settings:update')).toEqual([{ sync: { failSafePercent: 25 } }]));

    await user.clear(days);
    await user.type(days, '0{Enter}');
    expect(within(card).getByRole('alert').textContent).toBe('Type a whole number from 1 to 365. It is not saved yet.');
    await user.clear(days);
    await user.type(days, '366{Enter}');
    expect(within(card).getByRole('alert').textContent).toBe('Type a whole number from 1 to 365. It is not saved yet.');
    await user.clear(days);
    await user.type(days, '90{Enter}');
    await waitFor(() => expect(backend.callsOf('settings:update')).toEqual([{ sync: { failSafePercent: 25 } }, { sync: { deletedRetentionDays: 90 } }]));
    expect(within(card).queryByRole('alert')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('shows a change made elsewhere while the screen is open, but never over what the user is typing', async () => {
    const { user, backend } = await openSettings();
    const card = region('Syncing');
    const poll = within(card).getByRole('textbox', { name: 'Check TeraCLOUD for changes every (seconds)' });
    const parallel = within(card).getByRole('textbox', { name: 'Transfers at the same time' });
    // The tray or the command changes the settings: the untouched fields follow.
    backend.emit('settings:changed', settings({ pairs: [home], sync: { ...settings().sync, pollIntervalSeconds: 120, parallelTransfers: 6 } }));
    await waitFor(() => expect(poll).toHaveProperty('value', '120'));
    expect(parallel).toHaveProperty('value', '6');

    await user.clear(poll);
    await user.type(poll, '45');
    backend.emit('settings:changed', settings({ pairs: [home], sync: { ...settings().sync, pollIntervalSeconds: 300, parallelTransfers: 8 } }));
    await waitFor(() => expect(parallel).toHaveProperty('value', '8'));
    expect(poll).toHaveProperty('value', '45');
    await user.keyboard('{Enter}');
    await waitFor(() => expect(backend.callsOf('settings:update')).toEqual([{ sync: { pollIntervalSeconds: 45 } }]));
    expect(await within(card).findByText('Saved')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('says why a setting could not be saved, keeps what was typed, and puts the saved value back on Dismiss', async () => {
    const { user, backend } = await openSettings({}, (b) => b.answer('settings:update', { code: ErrorCode.LocalIo, message: 'ENOSPC: no space left on device' }));
    const card = region('Syncing');
    const poll = within(card).getByRole('textbox', { name: 'Check TeraCLOUD for changes every (seconds)' });
    await user.clear(poll);
    await user.type(poll, '90{Enter}');
    const alert = await within(card).findByRole('alert');
    expect(within(alert).getByText('Check TeraCLOUD for changes every (seconds): not saved')).toBeTruthy();
    expect(within(alert).getByText('ENOSPC: no space left on device')).toBeTruthy();
    expect(within(card).queryByText('Saved')).toBeNull();
    expect(poll).toHaveProperty('value', '90');
    await user.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(poll).toHaveProperty('value', '30');
    expect(backend.violations).toEqual([]);
  });

  it('checks and applies the backup retention and device name', async () => {
    const { user, backend } = await openSettings();
    const card = region('Backup');
    const retention = within(card).getByRole('textbox', { name: 'Keep old versions for (days, 0 for ever)' });
    const device = within(card).getByRole('textbox', { name: 'This computer’s name in the backup' });
    expect(retention).toHaveProperty('value', '30');
    expect(device).toHaveProperty('value', '');

    await user.clear(retention);
    await user.type(retention, '-1{Enter}');
    expect(within(card).getByRole('alert').textContent).toBe('Type a whole number from 0 to 36500. It is not saved yet.');
    expect(backend.callsOf('settings:update')).toEqual([]);

    await user.clear(retention);
    await user.type(retention, '90');
    await user.type(device, ' laptop ');
    await user.tab();
    await waitFor(() => expect(backend.callsOf('settings:update')).toEqual([{ backup: { retentionDays: 90 } }, { backup: { device: 'laptop' } }]));
    expect(device).toHaveProperty('value', 'laptop');

    await user.clear(device);
    await user.tab();
    await waitFor(() => expect(backend.callsOf('settings:update')[2]).toEqual({ backup: { device: null } }));

    await user.type(device, 'x'.repeat(256));
    await user.tab();
    expect(within(card).getByRole('alert').textContent).toBe('Use at most 255 characters. It is not saved yet.');
    expect(backend.callsOf('settings:update')).toHaveLength(3);
    expect(backend.violations).toEqual([]);
  });

  it('applies nothing when the value did not change, and Escape puts the saved value back', async () => {
    const { user, backend } = await openSettings();
    const poll = within(region('Syncing')).getByRole('textbox', { name: 'Check TeraCLOUD for changes every (seconds)' });
    await user.click(poll);
    await user.tab();
    await user.clear(poll);
    await user.type(poll, ' 30 {Enter}');
    expect(poll).toHaveProperty('value', '30');
    await user.clear(poll);
    await user.type(poll, 'x{Enter}');
    expect(poll.getAttribute('aria-invalid')).toBe('true');
    await user.keyboard('{Escape}');
    expect(poll).toHaveProperty('value', '30');
    expect(poll.getAttribute('aria-invalid')).toBeNull();
    expect(backend.callsOf('settings:update')).toEqual([]);
    expect(backend.violations).toEqual([]);
  });

  it('asks before leaving the screen with an invalid edit, and stays to fix it or leaves without saving', async () => {
    const { user, backend } = await openSettings();
    const poll = within(region('Syncing')).getByRole('textbox', { name: 'Check TeraCLOUD for changes every (seconds)' });
    await user.clear(poll);
    await user.type(poll, '2');
    await user.click(screen.getByRole('button', { name: 'Status' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'A setting is not saved' });
    expect(within(dialog).getByText('Check TeraCLOUD for changes every (seconds)')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: 'Settings' })).toBeTruthy();
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Stay and fix it' }));

    await user.keyboard('{Enter}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(document.activeElement).toBe(poll);
    expect(poll).toHaveProperty('value', '2');

    await user.click(screen.getByRole('button', { name: 'Status' }));
    await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Leave without saving' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Status' })).toBeTruthy();
    expect(backend.callsOf('settings:update')).toEqual([]);

    // Back on the settings: the saved value, and leaving asks nothing.
    await openScreen(user, 'Settings');
    expect(within(region('Syncing')).getByRole('textbox', { name: 'Check TeraCLOUD for changes every (seconds)' })).toHaveProperty('value', '30');
    await user.click(screen.getByRole('button', { name: 'Status' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Status' })).toBeTruthy();
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('switches start at login and notifications', async () => {
    const { user, backend } = await openSettings();
    const card = region('App');
    const login = within(card).getByRole('checkbox', { name: 'Start TeraSync when I log in' });
    const notifications = within(card).getByRole('checkbox', { name: 'Show notifications' });
    expect(login).toHaveProperty('checked', true);
    await user.click(login);
    await waitFor(() => expect(login).toHaveProperty('checked', false));
    await user.click(notifications);
    await waitFor(() => expect(notifications).toHaveProperty('checked', false));
    expect(backend.callsOf('settings:update')).toEqual([{ app: { startAtLogin: false } }, { app: { notifications: false } }]);
    expect(backend.violations).toEqual([]);
  });

  it('shows start at login unticked while it is not decided yet', async () => {
    const { backend } = await openSettings({ settings: { app: { ...settings().app, startAtLogin: null } } });
    expect(within(region('App')).getByRole('checkbox', { name: 'Start TeraSync when I log in' })).toHaveProperty('checked', false);
    expect(backend.violations).toEqual([]);
  });

  it('switches the language to Japanese and the appearance to dark', async () => {
    const { user, backend } = await openSettings();
    const language = within(region('App')).getByRole('combobox', { name: 'Language' });
    expect(within(language).getAllByRole('option').map((option) => option.textContent)).toEqual(['Same as the system', 'English', '日本語']);
    await user.selectOptions(language, '日本語');
    expect(await screen.findByRole('heading', { level: 1, name: '設定' })).toBeTruthy();
    expect(backend.callsOf('settings:update')).toEqual([{ app: { language: 'ja' } }]);
    expect(screen.getByRole('region', { name: 'アカウント' })).toBeTruthy();
    expect(document.documentElement.lang).toBe('ja');

    await user.selectOptions(language, 'English');
    expect(await screen.findByRole('heading', { level: 1, name: 'Settings' })).toBeTruthy();
    await user.selectOptions(within(region('App')).getByRole('combobox', { name: 'Appearance' }), 'Dark');
    await waitFor(() => expect(document.documentElement.dataset['theme']).toBe('dark'));
    expect(backend.callsOf('settings:update')[2]).toEqual({ app: { theme: 'dark' } });
    expect(backend.violations).toEqual([]);
  });

  it('opens the logs folder', async () => {
    const { user, backend } = await openSettings();
    await user.click(within(region('App')).getByRole('button', { name: 'Open the logs folder' }));
    await waitFor(() => expect(backend.callsOf('shell:openFolder')).toEqual([{ kind: 'logs' }]));
    expect(backend.violations).toEqual([]);
  });

  it('saves the poll interval with the keyboard alone', async () => {
    const { user, backend } = await openSettings();
    const poll = within(region('Syncing')).getByRole('textbox', { name: 'Check TeraCLOUD for changes every (seconds)' });
    await tabTo(user, poll);
    await user.keyboard('{End}{Backspace}{Backspace}120{Enter}');
    expect(await within(region('Syncing')).findByText('Saved')).toBeTruthy();
    expect(backend.callsOf('settings:update')).toEqual([{ sync: { pollIntervalSeconds: 120 } }]);
    expect(backend.violations).toEqual([]);
  });

  it('is in Japanese on a Japanese system', async () => {
    const backend = signedInBackend({ pairs: [home], language: 'system', account: account({ secretStore: 'session' }) });
    const user = userEvent.setup();
    renderApp(backend, ['ja-JP']);
    await screen.findByRole('heading', { level: 1, name: '状態' });
    await openScreen(user, '設定');
    expect(screen.getByRole('heading', { level: 1, name: '設定' })).toBeTruthy();
    // Where the sign-in is kept is said in the window's language, not main's English.
    expect(facts(region('アカウント'))['サインイン情報の保存先']).toBe('メモリー（このセッションのみ）');
    expect(backend.violations).toEqual([]);
  });
});

describe('the Proxy card', () => {
  const stored = (change: Partial<ProxySettingsView> = {}): ProxySettingsView => ({ mode: 'system', host: '', port: 8080, user: null, passwordStored: false, ...change });

  /** Answers proxy:save as main does: the fields as saved, and whether a password is stored. */
  function answerProxy(backend: FakeBackend, initial: ProxySettingsView): void {
    let current = initial;
    backend.answer('proxy:get', () => current).answer('proxy:save', (input) => {
      current = {
        mode: input.mode,
        host: input.host,
        port: input.port,
        user: input.user,
        passwordStored: input.user !== null && (input.password !== undefined || (current.passwordStored && input.clearPassword !== true)),
      };
      return current;
    });
  }

  async function openProxy(initial: ProxySettingsView = stored(), change: (backend: FakeBackend) => void = () => {}) {
    const opened = await openSettings({}, (backend) => {
      answerProxy(backend, initial);
      change(backend);
    });
    const card = region('Proxy');
    await within(card).findByRole('radio', { name: 'Use system proxy', checked: initial.mode === 'system' });
    return { ...opened, card };
  }

  it('shows the system proxy chosen, host, port, user and password disabled where they do not apply', async () => {
    const { card, backend } = await openProxy();
    expect(within(card).getByRole('radio', { name: 'Use system proxy' })).toHaveProperty('checked', true);
    expect(within(card).getAllByRole('radio').map((radio) => radio.getAttribute('value'))).toEqual(['system', 'none', 'http', 'socks5']);
    expect(within(card).getByRole('textbox', { name: 'Proxy host' })).toHaveProperty('disabled', true);
    expect(within(card).getByRole('textbox', { name: 'Port' })).toHaveProperty('disabled', true);
    expect(within(card).getByRole('textbox', { name: 'Proxy user name (optional)' })).toHaveProperty('disabled', false);
    const password = within(card).getByLabelText('Proxy password');
    expect(password).toHaveProperty('disabled', true);
    expect(descriptionOf(password)).toBe('Type the user name first.');
    expect(backend.violations).toEqual([]);
  });

  it('refuses an HTTP proxy without a host or with a bad port, saying so at each field, and sends nothing', async () => {
    const { user, card, backend } = await openProxy();
    await user.click(within(card).getByRole('radio', { name: 'HTTP proxy' }));
    const host = within(card).getByRole('textbox', { name: 'Proxy host' });
    const port = within(card).getByRole('textbox', { name: 'Port' });
    expect(host).toHaveProperty('disabled', false);
    await user.clear(port);
    await user.type(port, '70000');
    await user.click(within(card).getByRole('button', { name: 'Save proxy setting' }));
    expect(host.getAttribute('aria-invalid')).toBe('true');
    expect(descriptionOf(host)).toBe('Type the proxy’s host name or IP address.');
    expect(descriptionOf(port)).toBe('Type a port from 1 to 65535.');
    await user.type(host, 'http://proxy.example.com');
    await user.clear(port);
    await user.type(port, '3128');
    await user.click(within(card).getByRole('button', { name: 'Test connection' }));
    expect(descriptionOf(host)).toBe('Type only the host name or IP address (no http://, no port, no spaces).');
    expect(port.getAttribute('aria-invalid')).toBeNull();
    expect(backend.callsOf('proxy:save')).toEqual([]);
    expect(backend.callsOf('proxy:test')).toEqual([]);
    expect(backend.violations).toEqual([]);
  });

  it('saves an HTTP proxy with a user and password, then shows the password as stored, never its value', async () => {
    const { user, card, backend } = await openProxy();
    await user.click(within(card).getByRole('radio', { name: 'HTTP proxy' }));
    await user.type(within(card).getByRole('textbox', { name: 'Proxy host' }), 'proxy.example.com');
    const port = within(card).getByRole('textbox', { name: 'Port' });
    await user.clear(port);
    await user.type(port, '3128');
    await user.type(within(card).getByRole('textbox', { name: 'Proxy user name (optional)' }), 'alice');
    await user.type(within(card).getByLabelText('Proxy password'), 'proxy-secret-1');
    await user.click(within(card).getByRole('button', { name: 'Save proxy setting' }));
    expect(await within(card).findByText('Saved. New connections use it now.')).toBeTruthy();
    expect(backend.callsOf('proxy:save')).toEqual([{ mode: 'http', host: 'proxy.example.com', port: 3128, user: 'alice', password: 'proxy-secret-1' }]);
    const password = within(card).getByLabelText('Proxy password');
    expect(password).toHaveProperty('value', '');
    expect(descriptionOf(password)).toBe('A password is stored in the system keychain. Type a new one to replace it.');
    expect(card.textContent).not.toContain('proxy-secret-1');
    expect(backend.violations).toEqual([]);
  });

  it('removes a stored password, and keeps it when saved without a new one', async () => {
    const { user, card, backend } = await openProxy(stored({ mode: 'socks5', host: '10.0.0.1', port: 1080, user: 'bob', passwordStored: true }));
    expect(within(card).getByRole('radio', { name: 'SOCKS5 proxy' })).toHaveProperty('checked', true);
    expect(within(card).getByRole('textbox', { name: 'Proxy host' })).toHaveProperty('value', '10.0.0.1');
    await user.click(within(card).getByRole('button', { name: 'Save proxy setting' }));
    await within(card).findByText('Saved. New connections use it now.');
    await user.click(within(card).getByRole('checkbox', { name: 'Remove the stored password' }));
    expect(within(card).getByLabelText('Proxy password')).toHaveProperty('disabled', true);
    await user.click(within(card).getByRole('button', { name: 'Save proxy setting' }));
    await waitFor(() => expect(descriptionOf(within(card).getByLabelText('Proxy password'))).toBe('No password is stored.'));
    expect(backend.callsOf('proxy:save')).toEqual([
      { mode: 'socks5', host: '10.0.0.1', port: 1080, user: 'bob' },
      { mode: 'socks5', host: '10.0.0.1', port: 1080, user: 'bob', clearPassword: true },
    ]);
    expect(within(card).queryByRole('checkbox', { name: 'Remove the stored password' })).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('tests the typed setting without saving it: success through the proxy, and a coded failure in the user\'s words', async () => {
    const answers: ProxyTestResult[] = [
      { ok: true, target: 'https://seto.teracloud.jp/', via: 'http://proxy.example.com:3128', error: null },
      {
        ok: false,
        target: 'https://seto.teracloud.jp/',
        via: 'http://alice@proxy.example.com:3128',
        error: { code: ErrorCode.ProxyAuth, message: 'The proxy http://alice@proxy.example.com:3128 refused the proxy user name or password (407).' },
      },
    ];
    const { user, card, backend } = await openProxy(stored(), (backend) => backend.answer('proxy:test', () => answers.shift() as ProxyTestResult));
    await user.click(within(card).getByRole('radio', { name: 'HTTP proxy' }));
    await user.type(within(card).getByRole('textbox', { name: 'Proxy host' }), 'proxy.example.com');
    const port = within(card).getByRole('textbox', { name: 'Port' });
    await user.clear(port);
    await user.type(port, '3128');
    await user.click(within(card).getByRole('button', { name: 'Test connection' }));
    const ok = await within(card).findByRole('status');
    expect(ok.textContent).toContain('TeraCLOUD answered at https://seto.teracloud.jp/, through http://proxy.example.com:3128.');
    expect(ok.textContent).toContain('click Save to use it');
    await user.type(within(card).getByRole('textbox', { name: 'Proxy user name (optional)' }), 'alice');
    await user.type(within(card).getByLabelText('Proxy password'), 'wrong-password');
    await user.click(within(card).getByRole('button', { name: 'Test connection' }));
    const failed = await within(card).findByRole('alert');
    expect(failed.textContent).toContain('The test connection did not work');
    expect(failed.textContent).toContain('The proxy did not accept the proxy sign-in.');
    expect(backend.callsOf('proxy:test')).toEqual([
      { mode: 'http', host: 'proxy.example.com', port: 3128, user: null },
      { mode: 'http', host: 'proxy.example.com', port: 3128, user: 'alice', password: 'wrong-password' },
    ]);
    expect(backend.callsOf('proxy:save')).toEqual([]);
    expect(backend.violations).toEqual([]);
  });

  it('says why main refused to save', async () => {
    const { user, card } = await openProxy(stored(), (backend) =>
      backend.answer('proxy:save', { code: ErrorCode.KeychainUnavailable, message: 'The keychain is locked.' }),
    );
    await user.click(within(card).getByRole('radio', { name: 'No proxy' }));
    await user.click(within(card).getByRole('button', { name: 'Save proxy setting' }));
    const notice = await within(card).findByRole('alert');
    expect(notice.textContent).toContain('The keychain is locked.');
    expect(within(card).queryByText('Saved. New connections use it now.')).toBeNull();
  });

  it('is used with the keyboard alone: arrow keys choose the mode, Tab reaches each field and the buttons', async () => {
    // jsdom has no CSS.escape, which user-event needs to find a radio's group for the arrow keys.
    const css = (globalThis as { CSS?: { escape?: (text: string) => string } }).CSS ?? {};
    css.escape ??= (text) => text.replace(/[^\w-]/g, (character) => `\\${character}`);
    (globalThis as { CSS?: unknown }).CSS = css;
    const { user, card, backend } = await openProxy();
    const system = within(card).getByRole('radio', { name: 'Use system proxy' });
    await tabTo(user, system);
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(within(card).getByRole('radio', { name: 'HTTP proxy' })).toHaveProperty('checked', true);
    await user.tab();
    expect(document.activeElement).toBe(within(card).getByRole('textbox', { name: 'Proxy host' }));
    await user.keyboard('proxy.example.com');
    await user.tab();
    await user.keyboard('{Control>}a{/Control}3128');
    await tabTo(user, within(card).getByRole('button', { name: 'Save proxy setting' }));
    await user.keyboard('{Enter}');
    expect(await within(card).findByText('Saved. New connections use it now.')).toBeTruthy();
    expect(backend.callsOf('proxy:save')).toEqual([{ mode: 'http', host: 'proxy.example.com', port: 3128, user: null }]);
  });

  it('is in Japanese on a Japanese system', async () => {
    const backend = signedInBackend({ pairs: [home], language: 'system' });
    const user = userEvent.setup();
    renderApp(backend, ['ja-JP']);
    await screen.findByRole('heading', { level: 1, name: '状態' });
    await openScreen(user, '設定');
    const card = region('プロキシ');
    expect(await within(card).findByRole('radio', { name: 'システムのプロキシを使う', checked: true })).toBeTruthy();
    expect(within(card).getByRole('radio', { name: 'SOCKS5プロキシ' })).toBeTruthy();
    expect(within(card).getByRole('button', { name: '接続をテスト' })).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });
});

