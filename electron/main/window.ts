/**
 * The one window and the rules every web page in the app runs under. The security settings
 * are the ones docs/ARCHITECTURE.md (Electron security) lists, and are never relaxed.
 *
 * The Content-Security-Policy is a <meta> tag in renderer/index.html, not a header added with
 * session.webRequest.onHeadersReceived: the page is a file:// load, which carries no HTTP
 * response headers for that hook to amend, and the tag travels with the page so no code path
 * can load it without its policy. (The meta form cannot express frame-ancestors; nothing can
 * frame a local file we load ourselves, and navigation away from it is refused below.)
 */
import { BrowserWindow, shell, type Session, type WebContents } from 'electron';
import { externalHttpsUrl, isRendererUrl } from '../app/navigation.js';

export interface MainWindowOptions {
  /** dist/preload/index.cjs: sandboxed preloads must be CommonJS. */
  preloadPath: string;
  /** dist/renderer/index.html */
  rendererHtmlPath: string;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    title: 'TeraSync',
    width: 820,
    height: 620,
    minWidth: 480,
    minHeight: 360,
    // Shown once painted, so the user never sees an empty white frame.
    show: false,
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      // A middle click on a link ('auxclick') has opened new windows past the app's handlers
      // in some Electron versions; the window has no use for it.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  window.once('ready-to-show', () => window.show());
  window.loadFile(options.rendererHtmlPath).catch((error: unknown) => {
    console.error(`TeraSync could not load its window from ${options.rendererHtmlPath}:`, error);
  });
  return window;
}

/** Opens a link in the system browser, and only a parsed https: URL. */
function openExternally(url: string): void {
  const safeUrl = externalHttpsUrl(url);
  if (safeUrl === null) return;
  shell.openExternal(safeUrl).catch((error: unknown) => {
    console.error('TeraSync could not open a link in the browser:', error);
  });
}

/**
 * Keeps every web page of the app on our renderer: navigation elsewhere is refused (an https:
 * link goes to the system browser instead), new windows are never opened, webviews never
 * attached. Applied from app.on('web-contents-created') so that no page escapes it.
 */
export function guardWebContents(contents: WebContents, rendererUrl: string): void {
  contents.on('will-navigate', (event) => {
    if (isRendererUrl(event.url, rendererUrl)) return;
    event.preventDefault();
    openExternally(event.url);
  });
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** The app asks for no permission (camera, notifications, geolocation, ...): refuse them all. */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
