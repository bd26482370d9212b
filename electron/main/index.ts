/**
 * The app's composition root: builds the services, hands them their deps, wires IPC, the
 * window, the tray and the notifications. Electron shell only; the logic lives in electron/app
 * and below (AppServices, AppLifecycle, TrayController, NotificationController), tested under
 * Node.
 */
import { app, dialog, powerMonitor, session, shell, type BrowserWindow } from 'electron';
import { homedir, hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../shared/errors.js';
import type { PickPurpose } from '../../shared/types.js';
import { AppLanguage, peekLanguageSetting, systemLanguagesOf } from '../app/AppLanguage.js';
import { AppLifecycle, nodeAutostartFileSystem, type CancellableEvent } from '../app/AppLifecycle.js';
import { AppServices } from '../app/AppServices.js';
import { chromiumProxyConfig, ProxyLoginResponder } from '../app/proxySettings.js';
import { createIpcHandlers } from '../app/createIpcHandlers.js';
import { keychainQuestion, pickerOptions } from '../app/dialogs.js';
import { LogFile } from '../app/LogFile.js';
import { NotificationController } from '../app/NotificationController.js';
import { TrayController } from '../app/TrayController.js';
import { createTrayIconResolver } from '../app/trayIcons.js';
import { KeyringSecretStore } from '../auth/KeyringSecretStore.js';
import { SecretRedactor } from '../auth/redact.js';
import { setProcessProxy } from '../net/proxy.js';
import type { SecretStore } from '../auth/SecretStore.js';
import { selectSecretStore } from '../auth/selectSecretStore.js';
import { allowCustomHostFrom, apiSettingsFrom, oauthSettingsFrom } from '../auth/serviceConfig.js';
import type { ApiSettings, OAuthSettings } from '../auth/AccountRecord.js';
import { insecureUrlReason } from '../net/tls.js';
import { watchFolders } from '../platform/folderWatcher.js';
import { systemClock, systemScheduler } from '../core/time.js';
import type { Logger } from '../core/logger.js';
import type { Trash } from '../sync/ports.js';
import { createSenderCheck, registerIpc } from './ipc.js';
import { createElectronLifecycleAppPort, createElectronNotificationPort, createElectronThemeSource, createElectronTrayPort } from './tray.js';
import { createUpdaterPort } from './updater.js';
import { createMainWindow, denyAllPermissions, guardWebContents } from './window.js';

// This file is bundled to dist/main/index.js; its siblings are dist/preload, dist/renderer and dist/tray.
const distFolder = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const preloadPath = path.join(distFolder, 'preload', 'index.cjs');
const rendererHtmlPath = path.join(distFolder, 'renderer', 'index.html');
const rendererUrl = pathToFileURL(rendererHtmlPath).href;
const trayIconFolder = path.join(distFolder, 'tray');
const WEBSITE_URL = 'https://teracloud.jp/';

// One data folder whether run from the repo (package name "terasync") or packaged (product
// name "TeraSync"). Set before the single-instance lock, which lives in this folder.
app.setPath('userData', path.join(app.getPath('appData'), 'TeraSync'));

/**
 * The REST API key and the OAuth2 client from the environment (electron/auth/serviceConfig.ts):
 * a build that ships them sets them, a development run pointed at the emulator too. A bad
 * value is logged and left out: the app still starts, and sign-in with the Apps password works.
 */
function serviceConfig(log: Logger): { api: ApiSettings | null; oauth: OAuthSettings | null; allowCustomHost: boolean } {
  let api: ApiSettings | null = null;
  let oauth: OAuthSettings | null = null;
  try {
    api = apiSettingsFrom({}, process.env);
  } catch (error) {
    log.error(`The REST API settings were not used: ${toTeraSyncError(error).message}`);
  }
  try {
    oauth = oauthSettingsFrom({}, process.env);
  } catch (error) {
    log.error(`The OAuth2 settings were not used: ${toTeraSyncError(error).message}`);
  }
  return { api, oauth, allowCustomHost: allowCustomHostFrom(api, process.env) };
}

/** shell.openExternal for parsed https: URLs only (docs/ARCHITECTURE.md, Electron security). */
async function openHttps(url: string): Promise<void> {
  if (new URL(url).protocol !== 'https:') throw new TeraSyncError(ErrorCode.InvalidRequest, 'Only https: addresses are opened.');
  await shell.openExternal(url);
}

/**
 * The sign-in page of the configured OAuth2 server, in the system browser: https:, or plain
 * http: on loopback (the emulator), as every connection of the app (electron/net/tls.ts).
 */
async function openSignInPage(url: string): Promise<void> {
  const reason = insecureUrlReason(new URL(url));
  if (reason !== null) throw new TeraSyncError(ErrorCode.InvalidRequest, reason);
  await shell.openExternal(url);
}

/** shell.openPath answers an error message, or '' when it worked. */
async function openPath(folder: string): Promise<void> {
  const problem = await shell.openPath(folder);
  if (problem !== '') throw new TeraSyncError(ErrorCode.LocalIo, `Could not open ${folder}: ${problem}`);
}

async function showItemInFolder(file: string): Promise<void> {
  shell.showItemInFolder(file);
}

/** The system's open dialog (electron/app/dialogs.ts), modal to the window when there is one; null when cancelled. */
async function pickPath(purpose: PickPurpose, window: BrowserWindow | null, language: AppLanguage): Promise<string | null> {
  const options: Electron.OpenDialogOptions = pickerOptions(purpose, language.current());
  const answer = window === null ? await dialog.showOpenDialog(options) : await dialog.showOpenDialog(window, options);
  return answer.canceled ? null : (answer.filePaths[0] ?? null);
}

/** The engine deletes local files into the OS trash, never for good. */
const electronTrash: Trash = {
  async trash(absolutePath) {
    try {
      await shell.trashItem(absolutePath);
    } catch (error) {
      throw new TeraSyncError(ErrorCode.LocalIo, `Could not move ${absolutePath} to the trash (${toTeraSyncError(error).message}); the file was kept.`, { cause: error });
    }
  },
};

/** The keychain, or (asked through a dialog) memory for this session; null when the user said no. */
async function chooseSecretStore(log: LogFile, language: AppLanguage): Promise<SecretStore | null> {
  try {
    return await selectSecretStore({ probe: () => KeyringSecretStore.probe(), store: new KeyringSecretStore() }, async (reason) => {
      const answer = await dialog.showMessageBox(keychainQuestion(reason, language.current()));
      return answer.response === 0;
    });
  } catch (error) {
    log.error(`secrets: ${toTeraSyncError(error).message}`);
    return null;
  }
}

if (!app.requestSingleInstanceLock()) {
  // Another TeraSync is running; it shows its window on 'second-instance'.
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;
  let lifecycle: AppLifecycle | null = null;

  const showMainWindow = (): void => {
    if (mainWindow === null || mainWindow.isDestroyed()) {
      const window = createMainWindow({ preloadPath, rendererHtmlPath });
      mainWindow = window;
      // Closing hides the window (the app lives in the tray) unless the app is quitting.
      window.on('close', (event) => lifecycle?.handleWindowClose(event));
      // Windows: a logout or shutdown says so only through the window.
      window.on('session-end', () => lifecycle?.handleSystemShutdown());
      window.on('closed', () => {
        mainWindow = null;
      });
      return;
    }
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  };

  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, rendererUrl));
  app.on('second-instance', (_event, argv) => {
    if (app.isReady()) lifecycle?.handleSecondInstance(argv);
  });
  app.on('window-all-closed', () => lifecycle?.handleWindowAllClosed());
  app.on('activate', () => lifecycle?.handleActivate());
  app.on('before-quit', (event) => {
    if (lifecycle === null) return;
    lifecycle.handleBeforeQuit(event);
  });

  app
    .whenReady()
    .then(async () => {
      denyAllPermissions(session.defaultSession);
      // Every request the app makes itself (WebDAV, REST, OAuth2) follows the system's proxy
      // configuration: Chromium resolves it per address, PAC files and per-host rules included.
      // Until the services start; from then on, the Proxy setting (AppServices), whose "system"
      // mode is this same resolver.
      const systemProxy = (url: string): Promise<string> => session.defaultSession.resolveProxy(url);
      setProcessProxy({ mode: 'system', resolve: systemProxy });
      const appDataFolder = app.getPath('userData');
      const redactor = new SecretRedactor();
      const log = new LogFile(appDataFolder, { redactor });
      // The tray, notifications and dialogs speak the window's language (AppLanguage); the
      // setting is peeked at for the keychain question, which comes before the settings load.
      const language = new AppLanguage({
        setting: await peekLanguageSetting(appDataFolder),
        systemLanguages: () => systemLanguagesOf(app.getPreferredSystemLanguages(), app.getLocale()),
      });

      const secrets = await chooseSecretStore(log, language);
      if (secrets === null) {
        await log.dispose();
        app.exit(1);
        return;
      }

      let notifications: NotificationController | null = null;
      const proxyLogin = new ProxyLoginResponder(() => services.proxyCredentials());
      const services: AppServices = new AppServices({
        appDataFolder,
        secrets,
        clock: systemClock,
        scheduler: systemScheduler,
        logger: log,
        watch: watchFolders,
        trash: electronTrash,
        platform: process.platform,
        device: hostname(),
        openPath,
        showItemInFolder,
        pickPath: (purpose) => pickPath(purpose, mainWindow !== null && !mainWindow.isDestroyed() ? mainWindow : null, language),
        openExternal: openHttps,
        openBrowser: openSignInPage,
        redactSecret: (secret) => redactor.add(secret),
        systemProxy,
        // The update feed downloads through Chromium: the same choice for it.
        onProxyChanged: (proxy) => session.defaultSession.setProxy(chromiumProxyConfig(proxy)),
        ...serviceConfig(log),
        onBackupEnded: (summary) => notifications?.backupEnded(summary),
        onBackupFailed: (error) => notifications?.backupFailed(error),
        // The lifecycle is built below; installing an update stops the services as Quit does.
        updater: createUpdaterPort({
          env: process.env,
          logger: log,
          quitThen: (install): Promise<void> => startedLifecycle.quitThen(install),
          // Asked only when a proxy wants a sign-in, after the services exist.
          proxyLogin: (challenge) => proxyLogin.answer(challenge),
        }),
      });
      const window = { show: showMainWindow, hide: () => mainWindow?.hide() };

      const startedLifecycle: AppLifecycle = new AppLifecycle({
        platform: process.platform,
        argv: process.argv,
        env: process.env,
        homeDir: homedir(),
        // From a checkout (`electron .`) the executable alone would open Electron's default app.
        executable: { path: process.execPath, args: app.isPackaged ? [] : [app.getAppPath()] },
        app: createElectronLifecycleAppPort(),
        window,
        services: () => [{ name: 'sync and backup', start: () => services.start(), stop: () => services.stop() }],
        startAtLogin: {
          read: async () => services.settings.current.app.startAtLogin,
          write: async (enabled) => {
            await services.updateSettings({ app: { startAtLogin: enabled } });
          },
        },
        autostart: nodeAutostartFileSystem,
        scheduler: systemScheduler,
        logger: log,
      });
      lifecycle = startedLifecycle;
      // Electron passes an Event whose preventDefault() delays the shutdown until we quit
      // (macOS, Linux); its typings declare no argument.
      // Sleep holds the pairs (no transfer left in flight across it); waking syncs them now and
      // tries a backup waiting for the network.
      powerMonitor.on('suspend', () => services.systemSuspending());
      powerMonitor.on('resume', () => services.systemResumed());
      powerMonitor.on('shutdown', (...args: unknown[]) => {
        const event = args[0] as Partial<CancellableEvent> | undefined;
        startedLifecycle.handleSystemShutdown(typeof event?.preventDefault === 'function' ? (event as CancellableEvent) : undefined);
      });

      notifications = new NotificationController({
        port: createElectronNotificationPort(),
        enabled: services.settings.current.app.notifications,
        showWindow: showMainWindow,
        language,
      });
      const tray = new TrayController({
        tray: createElectronTrayPort(),
        actions: {
          openSyncFolder: (folder) => services.openPath(folder),
          openWebsite: () => openHttps(WEBSITE_URL),
          syncNow: () => services.syncAllNow(),
          pause: () => services.setAllPaused(true),
          resume: () => services.setAllPaused(false),
          backupNow: async () => {
            await services.runBackup({});
          },
          showWindow: showMainWindow,
          quit: () => startedLifecycle.quit(),
          restartToUpdate: () => void services.updates.restartToUpdate(),
        },
        iconPath: createTrayIconResolver(trayIconFolder),
        theme: createElectronThemeSource(),
        language,
        platform: process.platform,
        clock: systemClock,
        scheduler: systemScheduler,
        logger: log,
        initial: services.snapshot(),
      });

      let appliedStartAtLogin: boolean | null = null;
      // Notifications take the conflicts of their first snapshot as known: it must come after
      // every pair has opened its journal, not halfway through the launch.
      let launched = false;
      const serviceEvents = services.events.subscribe((message) => {
        const snapshot = services.snapshot();
        tray.update(snapshot);
        if (launched) notifications?.update(snapshot);
        if (message.event === 'account:changed' && message.payload !== null) void startedLifecycle.signedIn();
        if (message.event === 'update:changed') {
          const update = message.payload;
          tray.setUpdate(update.phase === 'ready' && update.version !== null ? { version: update.version, pending: update.restartPending } : null);
        }
        if (message.event === 'settings:changed') {
          language.setSetting(message.payload.app.language);
          notifications?.setEnabled(message.payload.app.notifications);
          const wanted = message.payload.app.startAtLogin;
          if (wanted !== null && wanted !== appliedStartAtLogin) {
            appliedStartAtLogin = wanted;
            startedLifecycle.applyStartAtLogin(wanted).catch((error: unknown) => log.warn(`start at login: ${toTeraSyncError(error).message}`));
          }
        }
      });

      const ipc = registerIpc({
        handlers: createIpcHandlers(services),
        isTrustedSender: createSenderCheck(() => mainWindow, rendererUrl),
        getWindow: () => mainWindow,
        rendererUrl,
        events: services.events,
        onInternalError: (what, error) => log.error(`ipc ${what}: ${error instanceof Error ? error.message : String(error)}`),
        onFailure: (channel, error) => log.warn(`ipc ${channel} failed: ${error.code}: ${error.message}`),
      });
      // The process ends right after will-quit: it waits (at most 2 s) for the log, so that what
      // the quit itself logged (a service that would not stop) is not lost, then quits again.
      let logFlushed = false;
      app.on('will-quit', (event) => {
        if (logFlushed) return;
        event.preventDefault();
        serviceEvents.dispose();
        ipc.dispose();
        tray.dispose();
        void Promise.race([log.dispose(), new Promise((resolve) => setTimeout(resolve, 2_000))]).then(() => {
          logFlushed = true;
          app.quit();
        });
      });

      await startedLifecycle.launch();
      launched = true;
      notifications.setEnabled(services.settings.current.app.notifications);
      language.setSetting(services.settings.current.app.language);
      const snapshot = services.snapshot();
      tray.update(snapshot);
      notifications.update(snapshot);
    })
    .catch((error: unknown) => {
      console.error('TeraSync failed to start:', error);
      app.exit(1);
    });
}
