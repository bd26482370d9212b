/**
 * The tray icon, its tooltip and its menu, driven by the app snapshot (see trayState.ts).
 * Plain Node: it talks to a small TrayPort that electron/main/tray.ts backs with Electron's
 * Tray and Menu, and tests back with a fake that records what was asked.
 *
 * - Every state change sets the icon for that state and the panel's theme, the tooltip in
 *   words, and a fresh menu model. Only what changed is sent to the port.
 * - The menu works on its own: many Linux trays never report a click, so every command is a
 *   menu item. A click (Windows, Linux where it arrives) shows the window; on macOS a click
 *   opens the menu, so no click handler is added there.
 * - Progress ticks arrive many times a second while files move. A new icon or a change in the
 *   menu's items applies at once; a change of words only (the tooltip and the status line)
 *   applies at most once per `textIntervalMs`, the last one always, so an open menu is not
 *   rebuilt under the pointer at every tick.
 * - Every word is the app's language (AppLanguage, from the shared catalog); a change of the
 *   language setting rebuilds the tooltip and the menu at once.
 * - An update downloaded and ready (UpdateController) adds "Restart to update" under the
 *   status line; once asked while a sync run or backup is in progress, the item says it will
 *   restart when the run ends, and is disabled.
 */
import type { Scheduler, WallClock } from '../core/time.js';
import type { Logger } from '../core/logger.js';
import type { LanguageSource } from './AppLanguage.js';
import { computeTrayState, type AppSnapshot, type TrayState, type TrayView } from './trayState.js';
import type { PanelTheme, TrayIconResolver } from './trayIcons.js';

export interface Disposable {
  dispose(): void;
}

export type MenuItemId =
  | 'status'
  | 'open-folder'
  | 'open-website'
  | 'sync-now'
  | 'pause'
  | 'resume'
  | 'back-up-now'
  | 'show-window'
  | 'restart-to-update'
  | 'quit';

export type MenuItemModel =
  | { type: 'separator' }
  | {
      type: 'item';
      /** Stable names for tests and logs; a folder of the Open submenu has id 'open-folder'. */
      id: MenuItemId;
      /** Plain text: the Electron adapter escapes what menus would read as a mnemonic (&). */
      label: string;
      enabled: boolean;
      /** Absent on the status line, which only tells. */
      click?: () => void;
    }
  | { type: 'submenu'; id: MenuItemId; label: string; enabled: boolean; submenu: readonly MenuItemModel[] };

/** What the controller needs of Electron's Tray. */
export interface TrayPort {
  setImage(iconPath: string): void;
  setToolTip(text: string): void;
  setContextMenu(items: readonly MenuItemModel[]): void;
  on(event: 'click', listener: () => void): void;
  destroy(): void;
}

/** What the menu items do; the composition root binds them to the services. May be async. */
export interface TrayActions {
  openSyncFolder(localFolder: string): void | Promise<void>;
  openWebsite(): void | Promise<void>;
  syncNow(): void | Promise<void>;
  pause(): void | Promise<void>;
  resume(): void | Promise<void>;
  backupNow(): void | Promise<void>;
  showWindow(): void | Promise<void>;
  quit(): void | Promise<void>;
  /** Installs the downloaded update (UpdateController.restartToUpdate). */
  restartToUpdate?(): void | Promise<void>;
}

/** An update ready to install, as the tray offers it. */
export interface TrayUpdate {
  version: string;
  /** Asked for while a run is in progress: it restarts when the run ends. */
  pending: boolean;
}

/** The panel's theme now, and word when it changes (nativeTheme 'updated'). */
export interface ThemeSource {
  current(): PanelTheme;
  onDidChange(listener: () => void): Disposable;
}

export interface TrayControllerDeps {
  tray: TrayPort;
  actions: TrayActions;
  iconPath: TrayIconResolver;
  theme: ThemeSource;
  /** The language of the tooltip and the menu; a change applies at once. */
  language: LanguageSource;
  platform: NodeJS.Platform;
  clock: WallClock;
  scheduler: Scheduler;
  logger: Logger;
  /** The first snapshot, shown at once. */
  initial: AppSnapshot;
  /** Words-only changes apply at most this often (ms). */
  textIntervalMs?: number;
}

export const DEFAULT_TEXT_INTERVAL_MS = 1000;

/** The menu without its click handlers: what decides whether the port needs a new menu. */
function menuShape(items: readonly MenuItemModel[]): string {
  return JSON.stringify(items, (key, value: unknown) => (key === 'click' ? undefined : value));
}

function withoutStatusLine(items: readonly MenuItemModel[]): string {
  return menuShape(items.filter((item) => item.type === 'separator' || item.id !== 'status'));
}

export class TrayController implements Disposable {
  private readonly deps: TrayControllerDeps;
  private readonly textIntervalMs: number;
  private readonly themeListener: Disposable;
  private readonly languageListener: Disposable;
  private snapshot: AppSnapshot;
  private disposed = false;
  private shownIcon: string | null = null;
  private shownTooltip: string | null = null;
  private shownMenu: string | null = null;
  private lastTextAt = -Infinity;
  private cancelPending: (() => void) | null = null;
  private readyUpdate: TrayUpdate | null = null;

  constructor(deps: TrayControllerDeps) {
    this.deps = deps;
    this.textIntervalMs = deps.textIntervalMs ?? DEFAULT_TEXT_INTERVAL_MS;
    this.snapshot = deps.initial;
    this.apply();
    if (deps.platform !== 'darwin') deps.tray.on('click', () => this.run('showWindow', () => this.deps.actions.showWindow()));
    this.themeListener = deps.theme.onDidChange(() => {
      if (this.disposed) return;
      this.showIcon(this.view().state);
    });
    this.languageListener = deps.language.onDidChange(() => {
      if (!this.disposed) this.apply();
    });
  }

  /** What the tray shows now (for the window's status line, and for tests). */
  view(): TrayView {
    return computeTrayState(this.snapshot, this.deps.language.current());
  }

  update(snapshot: AppSnapshot): void {
    if (this.disposed) return;
    const before = this.snapshot;
    this.snapshot = snapshot;
    const i18n = this.deps.language.current();
    const iconChanged = computeTrayState(before, i18n).state !== computeTrayState(snapshot, i18n).state;
    const itemsChanged = withoutStatusLine(this.menuModel(before)) !== withoutStatusLine(this.menuModel(snapshot));
    const due = this.deps.clock.now() - this.lastTextAt >= this.textIntervalMs;
    if (iconChanged || itemsChanged || due) {
      this.apply();
      return;
    }
    if (this.cancelPending !== null) return;
    const wait = Math.max(0, this.lastTextAt + this.textIntervalMs - this.deps.clock.now());
    this.cancelPending = this.deps.scheduler.schedule(wait, () => {
      this.cancelPending = null;
      if (!this.disposed) this.apply();
    });
  }

  /** An update is ready (or no longer is: null): the menu offers it at once. */
  setUpdate(update: TrayUpdate | null): void {
    if (this.disposed) return;
    if (JSON.stringify(update) === JSON.stringify(this.readyUpdate)) return;
    this.readyUpdate = update === null ? null : { ...update };
    this.apply();
  }

  /** The menu for a snapshot; every item acts through `actions`. */
  menuModel(snapshot: AppSnapshot = this.snapshot): MenuItemModel[] {
    const i18n = this.deps.language.current();
    const words = i18n.t.tray;
    const view = computeTrayState(snapshot, i18n);
    const actions = this.deps.actions;
    const signedIn = snapshot.account === 'signed-in';
    const folders = snapshot.pairs.map((pair) => pair.localFolder);
    const item = (id: MenuItemId, label: string, enabled: boolean, action: () => void | Promise<void>): MenuItemModel => ({
      type: 'item',
      id,
      label,
      enabled,
      click: () => this.run(id, action),
    });
    const separator: MenuItemModel = { type: 'separator' };

    const openFolder: MenuItemModel =
      folders.length > 1
        ? {
            type: 'submenu',
            id: 'open-folder',
            label: words.openFolder,
            enabled: true,
            submenu: folders.map((folder) => item('open-folder', folder, true, () => actions.openSyncFolder(folder))),
          }
        : item('open-folder', words.openFolder, folders.length === 1, () => {
            const folder = folders[0];
            if (folder !== undefined) return actions.openSyncFolder(folder);
          });

    const update = this.readyUpdate;
    const restart = actions.restartToUpdate;
    const updateItems: MenuItemModel[] =
      update === null || restart === undefined
        ? []
        : [
            update.pending
              ? { type: 'item', id: 'restart-to-update', label: i18n.t.update.trayRestartsAfterRun(update.version), enabled: false }
              : item('restart-to-update', i18n.t.update.trayRestart(update.version), true, () => restart()),
          ];
    return [
      { type: 'item', id: 'status', label: view.statusLine, enabled: false },
      ...updateItems,
      separator,
      openFolder,
      item('open-website', words.openWebsite, true, () => actions.openWebsite()),
      separator,
      item('sync-now', i18n.t.status.syncNow, signedIn && !snapshot.paused && folders.length > 0, () => actions.syncNow()),
      snapshot.paused
        ? item('resume', words.resume, true, () => actions.resume())
        : item('pause', words.pause, folders.length > 0, () => actions.pause()),
      item('back-up-now', i18n.t.backup.run, signedIn && snapshot.backup === null, () => actions.backupNow()),
      separator,
      item('show-window', words.showWindow, true, () => actions.showWindow()),
      item('quit', words.quit, true, () => actions.quit()),
    ];
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cancelPending?.();
    this.cancelPending = null;
    this.themeListener.dispose();
    this.languageListener.dispose();
    this.deps.tray.destroy();
  }

  private apply(): void {
    this.cancelPending?.();
    this.cancelPending = null;
    const view = this.view();
    this.showIcon(view.state);
    const tray = this.deps.tray;
    if (view.tooltip !== this.shownTooltip) {
      tray.setToolTip(view.tooltip);
      this.shownTooltip = view.tooltip;
    }
    const menu = this.menuModel();
    const shape = menuShape(menu);
    if (shape !== this.shownMenu) {
      tray.setContextMenu(menu);
      this.shownMenu = shape;
    }
    this.lastTextAt = this.deps.clock.now();
  }

  private showIcon(state: TrayState): void {
    const iconPath = this.deps.iconPath(state, this.deps.theme.current(), this.deps.platform);
    if (iconPath === this.shownIcon) return;
    this.deps.tray.setImage(iconPath);
    this.shownIcon = iconPath;
  }

  /** Runs a menu command; a failure is logged, never thrown into Electron's menu code. */
  private run(name: string, action: () => void | Promise<void>): void {
    if (this.disposed) return;
    const fail = (error: unknown): void => {
      this.deps.logger.error('a tray command failed', { command: name, message: error instanceof Error ? error.message : String(error) });
    };
    try {
      const result = action();
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  }
}
