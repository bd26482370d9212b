/**
 * The app's composition root: builds the services, hands them their deps, wires IPC and the
 * window. Electron shell only; the logic lives in electron/app and below, tested under Node.
 */
import { app, session, type BrowserWindow } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createAppOverviewReader, nodeSettingsFileSystem } from '../app/settings.js';
import { createSenderCheck, registerIpcHandlers } from './ipc.js';
import { createMainWindow, denyAllPermissions, guardWebContents } from './window.js';

// This file is bundled to dist/main/index.js; its siblings are dist/preload and dist/renderer.
const distFolder = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const preloadPath = path.join(distFolder, 'preload', 'index.cjs');
const rendererHtmlPath = path.join(distFolder, 'renderer', 'index.html');
const rendererUrl = pathToFileURL(rendererHtmlPath).href;

// One data folder whether run from the repo (package name "terasync") or packaged (product
// name "TeraSync"). Set before the single-instance lock, which lives in this folder.
app.setPath('userData', path.join(app.getPath('appData'), 'TeraSync'));

if (!app.requestSingleInstanceLock()) {
  // Another TeraSync is running; it shows its window on 'second-instance'.
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;

  const showMainWindow = (): void => {
    if (mainWindow === null || mainWindow.isDestroyed()) {
      mainWindow = createMainWindow({ preloadPath, rendererHtmlPath });
      mainWindow.on('closed', () => {
        mainWindow = null;
      });
      return;
    }
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  };

  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, rendererUrl));

  app.on('second-instance', () => {
    if (app.isReady()) showMainWindow();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app
    .whenReady()
    .then(() => {
      denyAllPermissions(session.defaultSession);
      const getOverview = createAppOverviewReader(app.getPath('userData'), {
        fileSystem: nodeSettingsFileSystem,
        now: () => Date.now(),
      });
      const ipc = registerIpcHandlers(
        { 'app:getOverview': () => getOverview() },
        createSenderCheck(() => mainWindow, rendererUrl),
      );
      app.on('will-quit', () => ipc.dispose());
      // macOS: clicking the dock icon with no window open opens one.
      app.on('activate', showMainWindow);
      showMainWindow();
    })
    .catch((error: unknown) => {
      console.error('TeraSync failed to start:', error);
      app.exit(1);
    });
}
