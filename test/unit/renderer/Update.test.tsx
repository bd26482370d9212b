// @vitest-environment jsdom
/**
 * The app's own update in the window: the quiet banner with "Restart to update" once an update
 * is ready (reachable with the keyboard, and saying when a run in progress makes the restart
 * wait), nothing at all while checking, downloading or failing, and the Updates card in
 * Settings (on/off, channel, where it stands, Check now).
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import type { SettingsView, UpdateStateView } from '../../../shared/types.js';
import { pair, settings, updateState, type FakeBackend } from './support/fakeBackend.js';
import { renderApp } from './support/render.js';
import { openScreen, signedInBackend, tabTo } from './support/screens.js';

afterEach(() => {
  cleanup();
});

const ready = (change: Partial<UpdateStateView> = {}): UpdateStateView => updateState({ phase: 'ready', version: '0.2.0', nextCheckAt: null, ...change });

async function openApp(update: UpdateStateView = updateState(), change: (backend: FakeBackend) => void = () => {}) {
  const backend = signedInBackend({ pairs: [pair()] }).answer('update:getState', update);
  change(backend);
  const user = userEvent.setup();
  renderApp(backend);
  await screen.findByRole('heading', { level: 1, name: 'Status' });
  return { user, backend };
}

function banner(): HTMLElement | null {
  return screen.queryAllByRole('status').find((element) => element.classList.contains('update-banner')) ?? null;
}

describe('the update banner', () => {
  it('is not there while nothing is ready: checking, downloading and failures stay quiet', async () => {
    const { backend } = await openApp();
    expect(banner()).toBeNull();
    backend.emit('update:changed', updateState({ phase: 'checking', nextCheckAt: null }));
    backend.emit('update:changed', updateState({ phase: 'downloading', version: '0.2.0', percent: 40, nextCheckAt: null }));
    backend.emit('update:changed', updateState({ problem: { code: ErrorCode.Network, message: 'The update server could not be reached.' } }));
    expect(banner()).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByText(/update/i)).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('offers Restart to update once ready, reachable with the keyboard, and restarts on Enter', async () => {
    const { user, backend } = await openApp();
    backend.answer('update:restart', ready({ phase: 'installing' }));
    backend.emit('update:changed', ready());
    await waitFor(() => expect(banner()).not.toBeNull());
    expect(within(banner()!).getByText('TeraSync 0.2.0 is ready to install.')).toBeTruthy();
    const button = within(banner()!).getByRole('button', { name: 'Restart to update' });
    await tabTo(user, button);
    await user.keyboard('{Enter}');
    expect(backend.callsOf('update:restart')).toEqual([undefined]);
    await waitFor(() => expect(within(banner()!).getByText('Restarting to install TeraSync 0.2.0…')).toBeTruthy());
    expect(within(banner()!).queryByRole('button')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('says a restart waits for the sync run in progress, and that it will restart when the run ends', async () => {
    const { user, backend } = await openApp(ready({ busy: 'sync' }));
    backend.answer('update:restart', ready({ busy: 'sync', restartPending: true }));
    await waitFor(() => expect(banner()).not.toBeNull());
    expect(within(banner()!).getByText('A sync run is in progress: TeraSync restarts when it ends.')).toBeTruthy();
    await user.click(within(banner()!).getByRole('button', { name: 'Restart to update' }));
    await waitFor(() => expect(within(banner()!).getByText('TeraSync restarts to update as soon as the sync run in progress ends.')).toBeTruthy());
    expect(within(banner()!).queryByRole('button')).toBeNull();
    // The backup then: the words follow.
    backend.emit('update:changed', ready({ busy: 'backup', restartPending: true }));
    await waitFor(() => expect(within(banner()!).getByText('TeraSync restarts to update as soon as the backup in progress ends.')).toBeTruthy());
  });

  it('shows a refused restart in words', async () => {
    const { user, backend } = await openApp(ready());
    backend.answer('update:restart', { code: ErrorCode.InvalidRequest, message: 'No update is ready to install yet.' });
    await user.click(await within((await waitFor(() => banner()!)) as HTMLElement).findByRole('button', { name: 'Restart to update' }));
    expect(await within(banner()!).findByRole('alert')).toBeTruthy();
  });

  it('speaks Japanese with the window', async () => {
    const backend = signedInBackend({ pairs: [pair()], language: 'ja' }).answer('update:getState', ready());
    renderApp(backend);
    await waitFor(() => expect(banner()).not.toBeNull());
    expect(within(banner()!).getByText('TeraSync 0.2.0をインストールする準備ができました。')).toBeTruthy();
    expect(within(banner()!).getByRole('button', { name: '再起動してアップデート' })).toBeTruthy();
  });
});

describe('the Updates settings', () => {
  async function openUpdates(update: UpdateStateView = updateState(), initial: Partial<SettingsView> = {}) {
    const opened = await openApp(update, (backend) => {
      let current = settings({ pairs: [pair()], ...initial });
      backend.answer('settings:get', current).answer('settings:update', (change) => {
        current = { ...current, update: { ...current.update, ...change.update } };
        return current;
      });
    });
    await openScreen(opened.user, 'Settings');
    return { ...opened, region: screen.getByRole('region', { name: 'Updates' }) };
  }

  it('shows the version and that it is up to date', async () => {
    const { region } = await openUpdates();
    expect(within(region).getByText('This is TeraSync 0.1.0.')).toBeTruthy();
    expect(within(region).getByText('Up to date (checked 1 minute ago).')).toBeTruthy();
  });

  it('turns updates off and picks the beta channel, each applied at once', async () => {
    const { user, backend, region } = await openUpdates();
    const enabled = within(region).getByRole('checkbox', { name: 'Check for updates and download them in the background' }) as HTMLInputElement;
    expect(enabled.checked).toBe(true);
    await user.click(enabled);
    await waitFor(() => expect(enabled.checked).toBe(false));
    await user.selectOptions(within(region).getByRole('combobox', { name: 'Update channel' }), 'beta');
    expect(backend.callsOf('settings:update')).toEqual([{ update: { enabled: false } }, { update: { channel: 'beta' } }]);
    expect(backend.violations).toEqual([]);
  });

  it('checks now when asked', async () => {
    const { user, backend, region } = await openUpdates();
    backend.answer('update:check', updateState({ phase: 'checking', nextCheckAt: null }));
    await user.click(within(region).getByRole('button', { name: 'Check now' }));
    expect(backend.callsOf('update:check')).toEqual([undefined]);
    await waitFor(() => expect(within(region).getByText('Checking for updates…')).toBeTruthy());
    expect(within(region).queryByRole('button', { name: 'Check now' })).toBeNull();
  });

  it('says in one quiet line that the last check failed and when it is tried again', async () => {
    const { region } = await openUpdates(
      updateState({ problem: { code: ErrorCode.Server, message: 'HTTP 503' }, nextCheckAt: Date.now() + 5 * 60_000 + 30_000 }),
    );
    expect(within(region).getByText('The last check for updates did not work. Nothing needs doing: TeraSync tries again in 5 minutes.')).toBeTruthy();
    expect(within(region).queryByRole('alert')).toBeNull();
  });

  it('shows the download progress, and Restart to update when ready', async () => {
    const { backend, region } = await openUpdates();
    backend.emit('update:changed', updateState({ phase: 'downloading', version: '0.2.0', percent: 42, nextCheckAt: null }));
    await waitFor(() => expect(within(region).getByText('Downloading TeraSync 0.2.0 in the background: 42%')).toBeTruthy());
    backend.emit('update:changed', ready());
    await waitFor(() => expect(within(region).getByRole('button', { name: 'Restart to update' })).toBeTruthy());
  });

  it('a copy that cannot update itself says why, and has nothing to switch', async () => {
    const { region } = await openUpdates(updateState({ phase: 'disabled', disabledReason: 'not-packaged', lastCheckedAt: null, nextCheckAt: null }));
    expect(within(region).getByText('This copy runs from a development checkout, which does not update itself.')).toBeTruthy();
    expect((within(region).getByRole('checkbox') as HTMLInputElement).disabled).toBe(true);
    expect((within(region).getByRole('combobox', { name: 'Update channel' }) as HTMLSelectElement).disabled).toBe(true);
    expect(within(region).queryByRole('button', { name: 'Check now' })).toBeNull();
  });

  it('turned off by the user: says so, and the switch turns it on again', async () => {
    const { user, backend, region } = await openUpdates(updateState({ phase: 'disabled', disabledReason: 'setting', nextCheckAt: null }), {
      update: { enabled: false, channel: 'stable' },
    });
    expect(within(region).getByText('Updates are turned off: TeraSync does not look for new versions.')).toBeTruthy();
    await user.click(within(region).getByRole('checkbox'));
    expect(backend.callsOf('settings:update')).toEqual([{ update: { enabled: true } }]);
  });
});
