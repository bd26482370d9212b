/**
 * Electron behind the ports of electron/app: the tray (Tray, Menu), the panel theme
 * (nativeTheme), desktop notifications (Notification) and the parts of `app` the lifecycle
 * uses. No decisions here: they are in TrayController, NotificationController and
 * AppLifecycle, tested under Node with fakes of these ports.
 */
import { app, Menu, Notification, nativeTheme, Tray, type MenuItemConstructorOptions } from 'electron';
import type { LifecycleAppPort } from '../app/AppLifecycle.js';
import type { DesktopNotification, NotificationPort } from '../app/NotificationController.js';
import { panelTheme } from '../app/trayIcons.js';
import type { Disposable, MenuItemModel, ThemeSource, TrayPort } from '../app/TrayController.js';

/** Menus read `&` as a mnemonic marker (Chromium on every system); `&&` shows one. */
function menuLabel(text: string): string {
  return text.replace(/&/g, '&&');
}

function toTemplate(items: readonly MenuItemModel[]): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return { label: menuLabel(item.label), enabled: item.enabled, submenu: toTemplate(item.submenu) };
      case 'item': {
        const click = item.click;
        return { label: menuLabel(item.label), enabled: item.enabled, ...(click === undefined ? {} : { click: () => click() }) };
      }
    }
  });
}

/**
 * The tray, created with its first image (Electron's Tray needs one). Listeners added through
 * `on` go with the tray on destroy().
 */
export function createElectronTrayPort(): TrayPort {
  let tray: Tray | null = null;
  const pending: Array<() => void> = [];
  const withTray = (use: (tray: Tray) => void): void => {
    if (tray === null) pending.push(() => tray !== null && use(tray));
    else if (!tray.isDestroyed()) use(tray);
  };
  return {
    setImage(iconPath) {
      if (tray === null) {
        tray = new Tray(iconPath);
        for (const run of pending.splice(0)) run();
        return;
      }
      if (!tray.isDestroyed()) tray.setImage(iconPath);
    },
    setToolTip: (text) => withTray((created) => created.setToolTip(text)),
    setContextMenu: (items) => withTray((created) => created.setContextMenu(Menu.buildFromTemplate(toTemplate(items)))),
    on: (_event, listener) => withTray((created) => created.on('click', () => listener())),
    destroy() {
      pending.length = 0;
      if (tray !== null && !tray.isDestroyed()) tray.destroy();
    },
  };
}

export function createElectronThemeSource(platform: NodeJS.Platform = process.platform): ThemeSource {
  return {
    current: () =>
      panelTheme(platform, {
        shouldUseDarkColors: nativeTheme.shouldUseDarkColors,
        shouldUseDarkColorsForSystemIntegratedUI: nativeTheme.shouldUseDarkColorsForSystemIntegratedUI,
      }),
    onDidChange(listener): Disposable {
      const onUpdated = (): void => listener();
      nativeTheme.on('updated', onUpdated);
      return { dispose: () => nativeTheme.off('updated', onUpdated) };
    },
  };
}

/**
 * Notifications, kept referenced until closed: a Notification object that is garbage
 * collected loses its click handler (and on Windows may vanish from the Action Center).
 * On Windows, main must call app.setAppUserModelId(appId) first, or none is shown.
 */
export function createElectronNotificationPort(): NotificationPort {
  const live = new Set<Notification>();
  // A system that never reports 'close' must not make the set grow without end.
  const MAX_LIVE = 20;
  return {
    show(notification: DesktopNotification) {
      if (!Notification.isSupported()) return;
      const shown = new Notification({ title: notification.title, body: notification.body });
      const onClick = notification.onClick;
      if (onClick !== undefined) shown.on('click', () => onClick());
      shown.on('close', () => live.delete(shown));
      live.add(shown);
      if (live.size > MAX_LIVE) {
        const oldest = live.values().next().value;
        if (oldest !== undefined) live.delete(oldest);
      }
      shown.show();
    },
  };
}

export function createElectronLifecycleAppPort(): LifecycleAppPort {
  return {
    quit: () => app.quit(),
    setLoginItemSettings: (settings) => app.setLoginItemSettings(settings),
    wasOpenedAtLogin: () => process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin,
  };
}
