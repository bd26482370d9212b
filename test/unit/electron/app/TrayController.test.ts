/**
 * TrayController against a fake tray that records what it was asked: the state decides the
 * icon, tooltip and menu; every menu item reaches its action from the menu alone; Pause and
 * Resume toggle; words-only changes are throttled; dispose leaves nothing behind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AppLanguage } from '../../../../electron/app/AppLanguage.js';
import type { Language } from '../../../../shared/types.js';
import { TrayController, type MenuItemModel, type ThemeSource, type TrayActions, type TrayPort } from '../../../../electron/app/TrayController.js';
import type { PanelTheme, TrayIconResolver } from '../../../../electron/app/trayIcons.js';
import type { AppSnapshot } from '../../../../electron/app/trayState.js';
import type { Logger } from '../../../../electron/core/logger.js';
import { FakeClock, settle } from '../../../support/fakeClock.js';
import { diskFull, pair, progress, snapshot } from './appSnapshots.js';

type Call =
  | { method: 'setImage'; iconPath: string }
  | { method: 'setToolTip'; text: string }
  | { method: 'setContextMenu'; items: readonly MenuItemModel[] }
  | { method: 'on'; event: string }
  | { method: 'destroy' };

class FakeTray implements TrayPort {
  readonly calls: Call[] = [];
  clickListeners: Array<() => void> = [];
  destroyed = false;

  setImage(iconPath: string): void {
    this.calls.push({ method: 'setImage', iconPath });
  }
  setToolTip(text: string): void {
    this.calls.push({ method: 'setToolTip', text });
  }
  setContextMenu(items: readonly MenuItemModel[]): void {
    this.calls.push({ method: 'setContextMenu', items });
  }
  on(event: 'click', listener: () => void): void {
    this.calls.push({ method: 'on', event });
    this.clickListeners.push(listener);
  }
  destroy(): void {
    this.calls.push({ method: 'destroy' });
    this.destroyed = true;
    this.clickListeners = [];
  }

  /** What a user sees now. */
  get icon(): string | undefined {
    return this.last('setImage')?.iconPath;
  }
  get tooltip(): string | undefined {
    return this.last('setToolTip')?.text;
  }
  get menu(): readonly MenuItemModel[] {
    return this.last('setContextMenu')?.items ?? [];
  }
  count(method: Call['method']): number {
    return this.calls.filter((call) => call.method === method).length;
  }
  click(): void {
    for (const listener of this.clickListeners) listener();
  }

  private last<M extends Call['method']>(method: M): Extract<Call, { method: M }> | undefined {
    return this.calls.filter((call): call is Extract<Call, { method: M }> => call.method === method).at(-1);
  }
}

class FakeTheme implements ThemeSource {
  theme: PanelTheme = 'light';
  listeners = new Set<() => void>();
  current(): PanelTheme {
    return this.theme;
  }
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  change(theme: PanelTheme): void {
    this.theme = theme;
    for (const listener of this.listeners) listener();
  }
}

function recordingActions(): { actions: TrayActions; done: string[] } {
  const done: string[] = [];
  const actions: TrayActions = {
    openSyncFolder: (folder) => void done.push(`openSyncFolder ${folder}`),
    openWebsite: () => void done.push('openWebsite'),
    syncNow: () => void done.push('syncNow'),
    pause: () => void done.push('pause'),
    resume: () => void done.push('resume'),
    backupNow: () => void done.push('backupNow'),
    showWindow: () => void done.push('showWindow'),
    quit: () => void done.push('quit'),
    restartToUpdate: () => void done.push('restartToUpdate'),
  };
  return { actions, done };
}

const iconPath: TrayIconResolver = (state, theme, platform) => `/icons/${platform}/${state}-${theme}.png`;

function recordingLogger(): Logger & { errors: Array<Record<string, unknown> | undefined> } {
  const errors: Array<Record<string, unknown> | undefined> = [];
  return { errors, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (_message, fields) => void errors.push(fields) };
}

const controllers: TrayController[] = [];
afterEach(() => {
  for (const controller of controllers.splice(0)) controller.dispose();
});

function setUp(options: { initial?: AppSnapshot; platform?: NodeJS.Platform; language?: Language; systemLanguages?: string[] } = {}) {
  const systemLanguages = options.systemLanguages ?? ['en-US'];
  const language = new AppLanguage({ setting: options.language ?? 'en', systemLanguages: () => systemLanguages });
  const tray = new FakeTray();
  const theme = new FakeTheme();
  const clock = new FakeClock();
  const logger = recordingLogger();
  const { actions, done } = recordingActions();
  const controller = new TrayController({
    tray,
    actions,
    iconPath,
    theme,
    language,
    platform: options.platform ?? 'linux',
    clock,
    scheduler: clock,
    logger,
    initial: options.initial ?? snapshot(),
  });
  controllers.push(controller);
  return { tray, theme, clock, logger, actions, done, controller, language };
}

function item(menu: readonly MenuItemModel[], id: string): Extract<MenuItemModel, { type: 'item' }> {
  const found = menu.find((entry) => entry.type === 'item' && entry.id === id);
  if (found === undefined || found.type !== 'item') throw new Error(`no menu item ${id} in ${JSON.stringify(menu)}`);
  return found;
}

function labels(menu: readonly MenuItemModel[]): string[] {
  return menu.map((entry) => (entry.type === 'separator' ? '—' : `${entry.label}${entry.enabled ? '' : ' (disabled)'}`));
}

describe('TrayController', () => {
  it('shows the first snapshot at once: icon, tooltip and menu with the status line first', () => {
    const { tray } = setUp();
    expect(tray.icon).toBe('/icons/linux/idle-light.png');
    expect(tray.tooltip).toBe('TeraSync — Up to date');
    expect(labels(tray.menu)).toEqual([
      'Up to date (disabled)',
      '—',
      'Open the sync folder',
      'Open TeraCLOUD in the browser',
      '—',
      'Sync now',
      'Pause syncing',
      'Back up now',
      '—',
      'Show window',
      'Quit TeraSync',
    ]);
    expect(item(tray.menu, 'status').click).toBeUndefined();
  });

  it('changes icon, tooltip and status line with the state', () => {
    const { tray, controller } = setUp();
    controller.update(snapshot({ pairs: [pair('/home/alice/TeraCLOUD', { state: 'error', problem: diskFull })] }));
    expect(tray.icon).toBe('/icons/linux/error-light.png');
    expect(tray.tooltip).toBe('TeraSync — Syncing stopped: A file or folder on this computer could not be used');
    expect(item(tray.menu, 'status').label).toBe('Syncing stopped: A file or folder on this computer could not be used');
    controller.update(snapshot({ conflicts: [{ id: '1', path: 'a.txt' }] }));
    expect(tray.icon).toBe('/icons/linux/conflicts-light.png');
    expect(item(tray.menu, 'status').label).toBe('1 conflict waits for you');
  });

  it('asks for the icon of the panel theme, and changes it with the theme', () => {
    const { tray, theme } = setUp({ platform: 'win32' });
    expect(tray.icon).toBe('/icons/win32/idle-light.png');
    theme.change('dark');
    expect(tray.icon).toBe('/icons/win32/idle-dark.png');
  });

  it('runs every action from the menu alone', () => {
    const { tray, done } = setUp();
    for (const id of ['open-folder', 'open-website', 'sync-now', 'pause', 'back-up-now', 'show-window', 'quit']) item(tray.menu, id).click?.();
    expect(done).toEqual(['openSyncFolder /home/alice/TeraCLOUD', 'openWebsite', 'syncNow', 'pause', 'backupNow', 'showWindow', 'quit']);
  });

  it('toggles Pause and Resume with the paused switch, and offers no Sync now while paused', () => {
    const { tray, controller, done } = setUp();
    item(tray.menu, 'pause').click?.();
    controller.update(snapshot({ paused: true, pairs: [pair('/home/alice/TeraCLOUD', { state: 'paused' })] }));
    expect(tray.menu.some((entry) => entry.type === 'item' && entry.id === 'pause')).toBe(false);
    expect(item(tray.menu, 'resume').label).toBe('Resume syncing');
    expect(item(tray.menu, 'sync-now').enabled).toBe(false);
    expect(tray.icon).toBe('/icons/linux/paused-light.png');
    item(tray.menu, 'resume').click?.();
    controller.update(snapshot());
    expect(item(tray.menu, 'pause').label).toBe('Pause syncing');
    expect(done).toEqual(['pause', 'resume']);
  });

  it('offers Restart to update under the status line once an update is ready, and says when it waits for a run', () => {
    const { tray, controller, done } = setUp();
    expect(tray.menu.some((entry) => entry.type === 'item' && entry.id === 'restart-to-update')).toBe(false);
    controller.setUpdate({ version: '0.2.0', pending: false });
    expect(labels(tray.menu).slice(0, 3)).toEqual(['Up to date (disabled)', 'Restart to update (0.2.0)', '—']);
    item(tray.menu, 'restart-to-update').click?.();
    expect(done).toEqual(['restartToUpdate']);
    controller.setUpdate({ version: '0.2.0', pending: true });
    expect(labels(tray.menu)[1]).toBe('Update 0.2.0: restarts when the current run ends (disabled)');
    expect(item(tray.menu, 'restart-to-update').click).toBeUndefined();
    controller.setUpdate(null);
    expect(tray.menu.some((entry) => entry.type === 'item' && entry.id === 'restart-to-update')).toBe(false);
  });

  it('disables Back up now while a backup runs, and enables it again after', () => {
    const { tray, controller } = setUp();
    controller.update(snapshot({ backup: { filesDone: 0, filesTotal: 10, bytesDone: 0, bytesTotal: 100 } }));
    expect(item(tray.menu, 'back-up-now').enabled).toBe(false);
    controller.update(snapshot());
    expect(item(tray.menu, 'back-up-now').enabled).toBe(true);
  });

  it('offers one Open item per folder when there are several, and none to click without', () => {
    const { tray, controller, done } = setUp();
    controller.update(snapshot({ pairs: [pair('/home/alice/TeraCLOUD'), pair('/home/alice/R&D')] }));
    const open = tray.menu.find((entry) => entry.type === 'submenu');
    expect(open).toMatchObject({ id: 'open-folder', label: 'Open the sync folder' });
    if (open?.type !== 'submenu') throw new Error('no submenu');
    expect(labels(open.submenu)).toEqual(['/home/alice/TeraCLOUD', '/home/alice/R&D']);
    for (const entry of open.submenu) if (entry.type === 'item') entry.click?.();
    expect(done).toEqual(['openSyncFolder /home/alice/TeraCLOUD', 'openSyncFolder /home/alice/R&D']);

    controller.update(snapshot({ pairs: [] }));
    expect(item(tray.menu, 'open-folder').enabled).toBe(false);
    expect(item(tray.menu, 'sync-now').enabled).toBe(false);
  });

  it('disables Sync now and Back up now when not signed in', () => {
    const { tray, controller } = setUp();
    controller.update(snapshot({ account: 'expired' }));
    expect(item(tray.menu, 'sync-now').enabled).toBe(false);
    expect(item(tray.menu, 'back-up-now').enabled).toBe(false);
    expect(item(tray.menu, 'show-window').enabled).toBe(true);
    expect(item(tray.menu, 'quit').enabled).toBe(true);
  });

  it('shows the window on a click, except on macOS where a click opens the menu', () => {
    const linux = setUp({ platform: 'linux' });
    linux.tray.click();
    expect(linux.done).toEqual(['showWindow']);
    const mac = setUp({ platform: 'darwin' });
    expect(mac.tray.count('on')).toBe(0);
  });

  it('sends the port only what changed', () => {
    const { tray, controller } = setUp();
    controller.update(snapshot());
    controller.update(snapshot());
    expect(tray.count('setImage')).toBe(1);
    expect(tray.count('setToolTip')).toBe(1);
    expect(tray.count('setContextMenu')).toBe(1);
  });

  it('applies progress words at most once a second, the last one always, while a new state applies at once', async () => {
    const { tray, controller, clock } = setUp();
    const syncing = (done: number) => snapshot({ pairs: [pair('/home/alice/TeraCLOUD', { state: 'syncing', progress: progress(done, 10) })] });
    controller.update(syncing(1));
    expect(tray.tooltip).toBe('TeraSync — Syncing 1 of 10 files');
    await clock.advance(100);
    controller.update(syncing(2));
    controller.update(syncing(3));
    expect(tray.tooltip).toBe('TeraSync — Syncing 1 of 10 files');
    expect(clock.pending()).toBe(1);
    await clock.advance(900);
    expect(tray.tooltip).toBe('TeraSync — Syncing 3 of 10 files');
    expect(item(tray.menu, 'status').label).toBe('Syncing 3 of 10 files');
    expect(clock.pending()).toBe(0);

    await clock.advance(10);
    controller.update(syncing(4));
    controller.update(snapshot());
    expect(tray.icon).toBe('/icons/linux/idle-light.png');
    expect(tray.tooltip).toBe('TeraSync — Up to date');
    expect(clock.pending()).toBe(0);
  });

  it('logs a failing action instead of throwing into the menu', async () => {
    const tray = new FakeTray();
    const clock = new FakeClock();
    const logger = recordingLogger();
    const { actions } = recordingActions();
    const controller = new TrayController({
      tray,
      actions: { ...actions, syncNow: () => Promise.reject(new Error('no network')), openWebsite: () => { throw new Error('no browser'); } },
      iconPath,
      theme: new FakeTheme(),
      language: new AppLanguage({ setting: 'en', systemLanguages: () => [] }),
      platform: 'linux',
      clock,
      scheduler: clock,
      logger,
      initial: snapshot(),
    });
    controllers.push(controller);
    expect(() => item(tray.menu, 'open-website').click?.()).not.toThrow();
    item(tray.menu, 'sync-now').click?.();
    await settle();
    expect(logger.errors).toEqual([
      { command: 'open-website', message: 'no browser' },
      { command: 'sync-now', message: 'no network' },
    ]);
  });

  it('dispose destroys the tray, drops the theme and language listeners and the pending timer, and ignores later updates', async () => {
    const { tray, controller, theme, clock, language } = setUp();
    const syncing = (done: number) => snapshot({ pairs: [pair('/home/alice/TeraCLOUD', { state: 'syncing', progress: progress(done, 10) })] });
    controller.update(syncing(1));
    controller.update(syncing(2));
    expect(clock.pending()).toBe(1);
    controller.dispose();
    controller.dispose();
    expect(tray.count('destroy')).toBe(1);
    expect(theme.listeners.size).toBe(0);
    expect(clock.pending()).toBe(0);
    const before = tray.calls.length;
    controller.update(snapshot({ account: 'expired' }));
    language.setSetting('ja');
    await clock.advance(5000);
    expect(tray.calls.length).toBe(before);
  });
});

describe('TrayController in Japanese', () => {
  const japaneseMenu = [
    '最新の状態です (disabled)',
    '—',
    '同期フォルダーを開く',
    'ブラウザーでTeraCLOUDを開く',
    '—',
    '今すぐ同期',
    '同期を一時停止',
    '今すぐバックアップ',
    '—',
    'ウィンドウを表示',
    'TeraSyncを終了',
  ];

  it('shows the tooltip and every menu item in Japanese when the setting says so', () => {
    const { tray, controller } = setUp({ language: 'ja', systemLanguages: ['en-US'] });
    expect(tray.tooltip).toBe('TeraSync — 最新の状態です');
    expect(labels(tray.menu)).toEqual(japaneseMenu);
    controller.update(snapshot({ paused: true, pairs: [pair('/home/alice/TeraCLOUD'), pair('/home/alice/Work')] }));
    expect(item(tray.menu, 'resume').label).toBe('同期を再開');
    expect(tray.menu.find((entry) => entry.type === 'submenu')).toMatchObject({ id: 'open-folder', label: '同期フォルダーを開く' });
  });

  it('follows a Japanese system when the setting is "system", and an English one', () => {
    expect(labels(setUp({ language: 'system', systemLanguages: ['ja-JP', 'en-US'] }).tray.menu)).toEqual(japaneseMenu);
    expect(setUp({ language: 'system', systemLanguages: ['fr-FR', 'en-GB'] }).tray.tooltip).toBe('TeraSync — Up to date');
    expect(setUp({ language: 'system', systemLanguages: [] }).tray.tooltip).toBe('TeraSync — Up to date');
  });

  it('rebuilds the tooltip and the menu at once when the language setting changes, even between progress ticks', async () => {
    const { tray, controller, clock, language, done } = setUp();
    const syncing = (count: number) => snapshot({ pairs: [pair('/home/alice/TeraCLOUD', { state: 'syncing', progress: progress(count, 10) })] });
    controller.update(syncing(1));
    await clock.advance(100);
    controller.update(syncing(2));
    // A progress tick is waiting for its turn; the language does not wait.
    expect(clock.pending()).toBe(1);
    const menus = tray.count('setContextMenu');
    language.setSetting('ja');
    expect(tray.tooltip).toBe('TeraSync — 同期しています（10個中2個のファイル）');
    expect(item(tray.menu, 'status').label).toBe('同期しています（10個中2個のファイル）');
    expect(item(tray.menu, 'quit').label).toBe('TeraSyncを終了');
    expect(tray.count('setContextMenu')).toBe(menus + 1);
    expect(clock.pending()).toBe(0);
    // Clicks still reach the actions after the rebuild.
    item(tray.menu, 'pause').click?.();
    expect(done).toEqual(['pause']);

    language.setSetting('en');
    expect(tray.tooltip).toBe('TeraSync — Syncing 2 of 10 files');
    expect(item(tray.menu, 'quit').label).toBe('Quit TeraSync');
  });

  it('sends nothing when the setting changes but the language does not', () => {
    const { tray, language } = setUp({ language: 'system', systemLanguages: ['ja-JP'] });
    const calls = tray.calls.length;
    language.setSetting('ja');
    language.setSetting('system');
    expect(tray.calls.length).toBe(calls);
  });
});
