// @vitest-environment jsdom
/**
 * The window's shell: what it shows while loading, when it cannot load, signed out and signed
 * in, in which language and theme.
 */
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import { account, FakeBackend, pair, settings } from './support/fakeBackend.js';
import { renderApp } from './support/render.js';

afterEach(() => {
  cleanup();
  delete document.documentElement.dataset['theme'];
});

describe('the window', () => {
  it('asks to sign in when nobody is signed in', async () => {
    const { backend } = renderApp();
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in to TeraCLOUD' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sign in with browser' })).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('says what went wrong when it cannot load, and tries again', async () => {
    const backend = new FakeBackend().answer('settings:get', { code: ErrorCode.LocalIo, message: 'EACCES: permission denied' });
    renderApp(backend);
    expect(await screen.findByRole('heading', { name: 'TeraSync could not load its state' })).toBeTruthy();
    expect(screen.getByText('EACCES: permission denied')).toBeTruthy();
    backend.answer('settings:get', settings());
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in to TeraCLOUD' })).toBeTruthy();
  });

  it('opens on the set-up when signed in without folders, on the status with some', async () => {
    const backend = new FakeBackend().answer('account:get', account());
    renderApp(backend);
    expect(await screen.findByRole('heading', { level: 1, name: 'Set up a synced folder' })).toBeTruthy();
    cleanup();
    const withPair = new FakeBackend().answer('account:get', account()).answer('settings:get', settings({ pairs: [pair()] }));
    renderApp(withPair);
    expect(await screen.findByRole('heading', { level: 1, name: 'Status' })).toBeTruthy();
  });

  it('follows the system language, and the setting when it names one', async () => {
    const backend = new FakeBackend().answer('settings:get', settings({ app: { ...settings().app, language: 'system' } }));
    renderApp(backend, ['ja-JP', 'en-US']);
    expect(await screen.findByRole('heading', { level: 1, name: 'TeraCLOUDにサインイン' })).toBeTruthy();
    expect(document.documentElement.lang).toBe('ja');
    backend.emit('settings:changed', settings({ app: { ...settings().app, language: 'en' } }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in to TeraCLOUD' })).toBeTruthy();
    expect(document.documentElement.lang).toBe('en');
  });

  it('says a settings problem in the window\'s language, the file\'s own message behind the details', async () => {
    const message = 'The settings file /home/alice/.config/TeraSync/settings.json was not used because it is not valid JSON.';
    const backend = new FakeBackend()
      .answer('account:get', account())
      .answer('settings:get', settings({ pairs: [pair()], app: { ...settings().app, language: 'ja' } }))
      .answer('app:getOverview', { account: { user: null, server: null, method: null }, pairs: [], settingsFile: '/home/alice/.config/TeraSync/settings.json', settingsProblem: { code: ErrorCode.Configuration, message } });
    renderApp(backend);
    const notice = (await screen.findByText('設定を確認してください')).closest('.notice') as HTMLElement;
    expect(notice.textContent).toContain('TeraSyncは設定ファイルを使えなかったため、いまは既定の設定で動いています。');
    const details = notice.querySelector('details') as HTMLDetailsElement;
    expect(details.open).toBe(false);
    expect(details.querySelector('summary')?.textContent).toBe('技術的な詳細');
    expect(details.querySelector('p')?.textContent).toBe(message);
    expect(backend.violations).toEqual([]);
  });

  it('applies the theme the settings name', async () => {
    const backend = new FakeBackend().answer('settings:get', settings({ app: { ...settings().app, theme: 'dark' } }));
    renderApp(backend);
    await waitFor(() => expect(document.documentElement.dataset['theme']).toBe('dark'));
    backend.emit('settings:changed', settings({ app: { ...settings().app, theme: 'system' } }));
    await waitFor(() => expect(document.documentElement.dataset['theme']).toBeUndefined());
  });
});
