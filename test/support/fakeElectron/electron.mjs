/**
 * A fake of the `electron` module for the boot test (test/integration/boot): the main bundle
 * (dist/main/index.js) runs under plain Node with the bare specifier 'electron' resolved here
 * (hooks.mjs, host.mjs). It behaves like Electron where the app depends on it, and refuses what
 * Electron refuses:
 *
 * - app: the lifecycle events (ready, before-quit, will-quit, quit, window-all-closed,
 *   second-instance, web-contents-created), quit() going through before-quit, the windows'
 *   cancellable 'close' and will-quit as Electron does, exit(); getPath/setPath (Linux
 *   folders under $HOME / $XDG_CONFIG_HOME); a single-instance lock that holds across
 *   processes sharing a userData folder (a lock file plus a unix socket there, the second
 *   process handing its argv to the first synchronously, as Chromium's does).
 * - BrowserWindow and its webContents: loadFile runs the preload (CommonJS, given a require
 *   that has only the renderer's 'electron') in a sandboxed-like scope, then 'did-finish-load'
 *   and 'ready-to-show'; contextBridge refuses to work without contextIsolation; ipcRenderer
 *   invoke/on/removeListener go to ipcMain with structured clones and an event whose sender is
 *   the window's webContents and whose senderFrame is its top frame.
 * - Tray and nativeImage: an icon path that does not exist or is not a PNG is refused (Electron
 *   would show an empty image): recorded and thrown. Menu.buildFromTemplate validates items.
 * - ipcMain.handle refuses a second handler for a channel; invoking a channel without one
 *   rejects with Electron's message.
 * - dialog answers come from FAKE_ELECTRON_SCRIPT or the test; shell, session, nativeTheme,
 *   powerMonitor, Notification record what they are asked.
 *
 * Everything asked is recorded: in `record` and, one JSON object a line, in the file named by
 * FAKE_ELECTRON_RECORD (so that the test can read it after the process exited).
 */
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// ---------------------------------------------------------------------------------------------
// The record

const nodeRequire = createRequire(import.meta.url);
const recordFile = process.env.FAKE_ELECTRON_RECORD;
/** Everything the app asked of Electron, oldest first. */
export const record = [];

function note(api, details = {}) {
  const entry = { api, ...details };
  record.push(entry);
  if (recordFile !== undefined && recordFile !== '') appendFileSync(recordFile, `${JSON.stringify(entry)}\n`);
}

/** JSON-safe copy for the record (functions become '[function]'). */
function plain(value) {
  return JSON.parse(JSON.stringify(value ?? null, (_key, item) => (typeof item === 'function' ? '[function]' : item)));
}

function cancellableEvent(extra = {}) {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
    ...extra,
  };
  return event;
}

// ---------------------------------------------------------------------------------------------
// Scripted answers for the system dialogs

const script = JSON.parse(process.env.FAKE_ELECTRON_SCRIPT ?? '{}');
/** APIs that never answer (to test what the app does when the system hangs). */
const hanging = new Set(script.hang ?? []);
const answers = { messageBox: [...(script.messageBox ?? [])], openDialog: [...(script.openDialog ?? [])] };

// ---------------------------------------------------------------------------------------------
// app

let readyState = false;
let keepAlive = null;
let quitState = null;
const windows = new Set();
const trays = new Set();

function ensureReady(what) {
  if (!readyState) throw new Error(`${what} can only be used after the app's 'ready' event`);
}

function appFolder() {
  return process.env.FAKE_ELECTRON_APP_PATH ?? process.cwd();
}

function appPackage() {
  try {
    return JSON.parse(readFileSync(path.join(appFolder(), 'package.json'), 'utf8'));
  } catch {
    return {};
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

// Connects to the first instance's socket and hands it this launch's argv; exits 0 once it acknowledged.
const NOTIFY_SCRIPT = `
const net = require('node:net');
const [socketPath, payload] = process.argv.slice(1);
let tries = 0;
const attempt = () => {
  const socket = net.connect(socketPath);
  let answer = '';
  socket.on('data', (chunk) => { answer += chunk; });
  socket.on('end', () => process.exit(answer === 'ACK' ? 0 : 3));
  socket.on('error', () => { tries += 1; if (tries > 100) process.exit(2); else setTimeout(attempt, 50); });
  socket.end(payload);
};
attempt();
`;

class App extends EventEmitter {
  #paths = new Map();
  #resolveReady;
  #readyPromise = new Promise((resolve) => {
    this.#resolveReady = resolve;
  });
  #loginItem = { openAtLogin: false, args: [] };
  #lock = null;
  commandLine = { appendSwitch: (name, value) => note('app.commandLine.appendSwitch', { name, value }), hasSwitch: () => false, getSwitchValue: () => '' };

  get isPackaged() {
    return false;
  }

  isReady() {
    return readyState;
  }

  whenReady() {
    return this.#readyPromise;
  }

  /** Called by host.mjs once the main script has run, as Electron does. */
  _becomeReady() {
    readyState = true;
    // Electron's main process lives on without windows (a tray app) until it quits.
    keepAlive = setInterval(() => undefined, 1 << 30);
    note('app.ready');
    this.emit('ready', cancellableEvent(), {});
    this.#resolveReady();
  }

  getName() {
    const pkg = appPackage();
    return pkg.productName ?? pkg.name ?? 'Electron';
  }

  getVersion() {
    return appPackage().version ?? '0.0.0';
  }

  getAppPath() {
    return appFolder();
  }

  getPath(name) {
    const set = this.#paths.get(name);
    if (set !== undefined) return set;
    const home = os.homedir();
    const configHome = process.env.XDG_CONFIG_HOME !== undefined && path.isAbsolute(process.env.XDG_CONFIG_HOME) ? process.env.XDG_CONFIG_HOME : path.join(home, '.config');
    switch (name) {
      case 'home':
        return home;
      case 'appData':
        return configHome;
      case 'userData':
      case 'sessionData':
        return path.join(this.getPath('appData'), this.getName());
      case 'temp':
        return os.tmpdir();
      case 'exe':
        return process.execPath;
      case 'logs':
        return path.join(this.getPath('userData'), 'logs');
      case 'desktop':
      case 'documents':
      case 'downloads':
      case 'music':
      case 'pictures':
      case 'videos':
        return path.join(home, name[0].toUpperCase() + name.slice(1));
      default:
        throw new Error(`Failed to get '${name}' path`);
    }
  }

  setPath(name, value) {
    if (!path.isAbsolute(value)) throw new Error('Path must be absolute');
    // Chromium's PathService creates the folder when it is missing.
    mkdirSync(value, { recursive: true });
    this.#paths.set(name, value);
    note('app.setPath', { name, value });
  }

  getLocale() {
    return 'en-US';
  }

  getPreferredSystemLanguages() {
    return ['en-US'];
  }

  getSystemLocale() {
    return 'en-US';
  }

  setAppUserModelId(id) {
    note('app.setAppUserModelId', { id });
  }

  getLoginItemSettings() {
    return { openAtLogin: this.#loginItem.openAtLogin, openAsHidden: false, wasOpenedAtLogin: false, wasOpenedAsHidden: false, restoreState: false, executableWillLaunchAtLogin: this.#loginItem.openAtLogin, launchItems: [] };
  }

  setLoginItemSettings(settings) {
    note('app.setLoginItemSettings', { settings: plain(settings) });
    this.#loginItem = { openAtLogin: settings.openAtLogin === true, args: settings.args ?? [] };
  }

  /**
   * Really single-instance across processes that share the userData folder: the first holds
   * `SingletonLock` (its pid) and listens on `SingletonSocket`; a later one finds a live pid,
   * hands over its argv (blocking, as Chromium does) and gets false.
   */
  requestSingleInstanceLock(additionalData) {
    if (this.#lock !== null) return true;
    const folder = this.getPath('userData');
    mkdirSync(folder, { recursive: true });
    const lockPath = path.join(folder, 'SingletonLock');
    const socketPath = path.join(folder, 'SingletonSocket');
    for (let attempt = 0; attempt < 5; attempt += 1) {
      let fd;
      try {
        fd = openSync(lockPath, 'wx');
      } catch (error) {
        if (error.code !== 'EEXIST') throw error;
        const pid = Number(readFileSync(lockPath, 'utf8'));
        if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
          const payload = JSON.stringify({ argv: process.argv, cwd: process.cwd(), additionalData: additionalData ?? null });
          const handed = spawnSync(process.execPath, ['-e', NOTIFY_SCRIPT, socketPath, payload], { timeout: 10_000, stdio: 'ignore' });
          note('app.requestSingleInstanceLock', { folder, result: false, holder: pid, handedOver: handed.status === 0 });
          return false;
        }
        // The holder is gone (killed): its lock is stale.
        rmSync(lockPath, { force: true });
        continue;
      }
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      rmSync(socketPath, { force: true });
      const server = net.createServer({ allowHalfOpen: true }, (socket) => {
        let text = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk) => {
          text += chunk;
        });
        socket.on('end', () => {
          let message = null;
          try {
            message = JSON.parse(text);
          } catch {
            socket.end('BAD');
            return;
          }
          note('app.second-instance', { argv: message.argv, cwd: message.cwd });
          this.emit('second-instance', cancellableEvent(), message.argv, message.cwd, message.additionalData);
          socket.end('ACK');
        });
      });
      server.listen(socketPath);
      server.unref();
      this.#lock = { lockPath, socketPath, server };
      process.on('exit', () => this.releaseSingleInstanceLock());
      note('app.requestSingleInstanceLock', { folder, result: true });
      return true;
    }
    throw new Error(`Could not take the single-instance lock in ${folder}`);
  }

  hasSingleInstanceLock() {
    return this.#lock !== null;
  }

  releaseSingleInstanceLock() {
    if (this.#lock === null) return;
    const { lockPath, socketPath, server } = this.#lock;
    this.#lock = null;
    server.close();
    rmSync(socketPath, { force: true });
    rmSync(lockPath, { force: true });
  }

  /** Electron's order: before-quit, every window's 'close' (either cancels), will-quit, quit, exit. */
  quit() {
    note('app.quit');
    if (quitState !== null) return;
    quitState = 'quitting';
    setImmediate(() => this.#runQuit());
  }

  #runQuit() {
    const beforeQuit = cancellableEvent();
    this.emit('before-quit', beforeQuit);
    note('app.before-quit', { prevented: beforeQuit.defaultPrevented });
    if (beforeQuit.defaultPrevented) {
      quitState = null;
      return;
    }
    for (const window of [...windows]) window._closeForQuit();
    if (windows.size > 0) {
      note('app.quit-cancelled', { reason: 'a window did not close' });
      quitState = null;
      return;
    }
    const willQuit = cancellableEvent();
    this.emit('will-quit', willQuit);
    note('app.will-quit', { prevented: willQuit.defaultPrevented });
    if (willQuit.defaultPrevented) {
      quitState = null;
      return;
    }
    this.emit('quit', cancellableEvent(), 0);
    exitProcess(0);
  }

  exit(code = 0) {
    note('app.exit', { code });
    for (const window of [...windows]) window.destroy();
    exitProcess(code);
  }

  focus() {
    note('app.focus');
  }

  setName(name) {
    note('app.setName', { name });
  }
}

function exitProcess(code) {
  note('process.exit', { code });
  if (keepAlive !== null) clearInterval(keepAlive);
  process.exit(code);
}

export const app = new App();

// ---------------------------------------------------------------------------------------------
// nativeImage

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngProblem(file) {
  if (typeof file !== 'string' || !path.isAbsolute(file)) return 'not an absolute path';
  if (!existsSync(file) || !statSync(file).isFile()) return 'no such file';
  const head = Buffer.alloc(8);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 8, 0);
  } finally {
    closeSync(fd);
  }
  return head.equals(PNG_SIGNATURE) ? null : 'not a PNG';
}

class NativeImage {
  constructor(file) {
    this.path = file;
    this.problem = file === null ? 'empty' : pngProblem(file);
  }

  isEmpty() {
    return this.problem !== null;
  }

  toDataURL() {
    return this.problem === null ? `data:image/png;base64,${readFileSync(this.path).toString('base64')}` : 'data:image/png;base64,';
  }
}

export const nativeImage = {
  createFromPath: (file) => new NativeImage(file),
  createEmpty: () => new NativeImage(null),
};

/** What Electron would show: the image, or (recorded, and thrown here so that a test fails) an empty one. */
function trayImage(image, what) {
  const loaded = image instanceof NativeImage ? image : new NativeImage(image);
  if (loaded.isEmpty()) {
    note('nativeImage.empty', { what, path: loaded.path, problem: loaded.problem });
    throw new Error(`${what}: ${String(loaded.path)} gives an empty image (${loaded.problem})`);
  }
  return loaded.path;
}

// ---------------------------------------------------------------------------------------------
// Menu

function shownLabel(label) {
  // Chromium reads `&x` as a mnemonic marker and `&&` as one `&`.
  return label.replace(/&(&?)/g, (_match, second) => second);
}

export class MenuItem {
  constructor(options) {
    if (options.label === undefined && options.role === undefined && options.type === undefined && options.submenu === undefined) {
      throw new Error('Invalid template for MenuItem: must have at least one of label, role or type');
    }
    this.type = options.type ?? (options.submenu !== undefined ? 'submenu' : 'normal');
    this.label = options.label ?? '';
    this.enabled = options.enabled ?? true;
    this.visible = options.visible ?? true;
    this.id = options.id;
    this.click = options.click;
    this.submenu = options.submenu === undefined ? undefined : options.submenu instanceof Menu ? options.submenu : Menu.buildFromTemplate(options.submenu);
  }

  /** What Electron runs when the item is chosen: nothing while it is disabled. */
  _choose(focusedWindow) {
    if (!this.enabled) throw new Error(`the menu item "${shownLabel(this.label)}" is disabled`);
    this.click?.(this, focusedWindow, { shiftKey: false, ctrlKey: false, altKey: false, metaKey: false, triggeredByAccelerator: false });
  }
}

export class Menu {
  constructor() {
    this.items = [];
  }

  static buildFromTemplate(template) {
    if (!Array.isArray(template)) throw new TypeError('Invalid template for Menu: Menu template must be an array');
    const menu = new Menu();
    for (const item of template) menu.append(item instanceof MenuItem ? item : new MenuItem(item));
    return menu;
  }

  append(item) {
    this.items.push(item);
  }

  popup() {
    note('Menu.popup', { items: describeMenu(this) });
  }

  static setApplicationMenu(menu) {
    note('Menu.setApplicationMenu', { items: menu === null ? null : describeMenu(menu) });
  }
}

function describeMenu(menu) {
  return menu.items.map((item) =>
    item.type === 'separator'
      ? { type: 'separator' }
      : { type: item.type, label: shownLabel(item.label), enabled: item.enabled, clickable: typeof item.click === 'function', ...(item.submenu === undefined ? {} : { submenu: describeMenu(item.submenu) }) },
  );
}

function findMenuItem(menu, label) {
  for (const item of menu.items) {
    if (item.type !== 'separator' && shownLabel(item.label) === label) return item;
    if (item.submenu !== undefined) {
      const found = findMenuItem(item.submenu, label);
      if (found !== null) return found;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Tray

export class Tray extends EventEmitter {
  #destroyed = false;

  constructor(image) {
    super();
    ensureReady('Tray');
    this.image = trayImage(image, 'new Tray');
    this.images = [this.image];
    this.toolTip = '';
    this.menu = null;
    trays.add(this);
    note('Tray.new', { image: this.image });
  }

  setImage(image) {
    this.#alive();
    this.image = trayImage(image, 'tray.setImage');
    this.images.push(this.image);
    note('Tray.setImage', { image: this.image });
  }

  setToolTip(text) {
    this.#alive();
    this.toolTip = text;
    note('Tray.setToolTip', { text });
  }

  setContextMenu(menu) {
    this.#alive();
    if (menu !== null && !(menu instanceof Menu)) throw new TypeError('Error processing argument at index 0, conversion failure from Menu');
    this.menu = menu;
    note('Tray.setContextMenu', { items: menu === null ? null : describeMenu(menu) });
  }

  destroy() {
    this.#destroyed = true;
    trays.delete(this);
    note('Tray.destroy');
  }

  isDestroyed() {
    return this.#destroyed;
  }

  #alive() {
    if (this.#destroyed) throw new TypeError('Object has been destroyed');
  }
}

// ---------------------------------------------------------------------------------------------
// ipcMain

class IpcMain extends EventEmitter {
  #handlers = new Map();

  handle(channel, handler) {
    if (this.#handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    if (typeof handler !== 'function') throw new TypeError(`Expected handler to be a function, but found type '${typeof handler}'`);
    this.#handlers.set(channel, handler);
    note('ipcMain.handle', { channel });
  }

  handleOnce(channel, handler) {
    this.handle(channel, (event, ...args) => {
      this.removeHandler(channel);
      return handler(event, ...args);
    });
  }

  removeHandler(channel) {
    this.#handlers.delete(channel);
    note('ipcMain.removeHandler', { channel });
  }

  get _channels() {
    return [...this.#handlers.keys()];
  }

  /** What ipcRenderer.invoke sees: a clone of the answer, or Electron's error. */
  async _invoke(event, channel, args) {
    const handler = this.#handlers.get(channel);
    if (handler === undefined) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    let answer;
    try {
      answer = await handler(event, ...structuredClone(args));
    } catch (error) {
      throw new Error(`Error invoking remote method '${channel}': ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
    return structuredClone(answer);
  }
}

export const ipcMain = new IpcMain();

// ---------------------------------------------------------------------------------------------
// BrowserWindow, webContents, and the renderer side of the preload

let nextId = 1;

class Frame {
  constructor(contents, parent, url) {
    this.routingId = nextId++;
    this.processId = 1000 + contents.id;
    this.parent = parent;
    this.frames = [];
    this.#contents = contents;
    this.#url = url;
  }

  #contents;
  #url;

  get url() {
    return this.#url ?? this.#contents.getURL();
  }

  get top() {
    return this.parent === null ? this : this.parent.top;
  }
}

class WebContents extends EventEmitter {
  #url = '';
  #destroyed = false;

  constructor(owner) {
    super();
    this.id = nextId++;
    this.owner = owner;
    this.mainFrame = new Frame(this, null, undefined);
    /** The listeners the page's ipcRenderer.on added. */
    this.renderer = new EventEmitter();
    this.windowOpenHandler = null;
  }

  getURL() {
    return this.#url;
  }

  _setURL(url) {
    this.#url = url;
  }

  send(channel, ...args) {
    if (this.#destroyed) throw new TypeError('Object has been destroyed');
    note('webContents.send', { channel, payload: plain(args[0]) });
    const cloned = structuredClone(args);
    setImmediate(() => this.renderer.emit(channel, { sender: null, senderId: 0, ports: [] }, ...cloned));
  }

  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
    note('webContents.setWindowOpenHandler');
  }

  isDestroyed() {
    return this.#destroyed;
  }

  _destroy() {
    this.#destroyed = true;
    this.emit('destroyed');
  }

  openDevTools() {
    note('webContents.openDevTools');
  }
}

/** The renderer's `electron` for the preload of `window`: contextBridge and ipcRenderer. */
function rendererElectron(window) {
  const contents = window.webContents;
  const bridgeCopy = (value) => {
    if (typeof value === 'function') {
      return (...args) => {
        const answer = value(...args.map((item) => (typeof item === 'function' ? item : structuredClone(item))));
        return answer instanceof Promise ? answer.then((result) => structuredClone(result)) : bridgeCopy(answer);
      };
    }
    if (Array.isArray(value)) return value.map(bridgeCopy);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, bridgeCopy(item)]));
    return value;
  };
  const ipcRenderer = {
    invoke(channel, ...args) {
      note('ipcRenderer.invoke', { window: window.id, channel });
      const event = { sender: contents, senderFrame: contents.mainFrame, frameId: contents.mainFrame.routingId, processId: contents.mainFrame.processId };
      return ipcMain._invoke(event, channel, args);
    },
    on(channel, listener) {
      note('ipcRenderer.on', { channel });
      contents.renderer.on(channel, listener);
      return ipcRenderer;
    },
    removeListener(channel, listener) {
      note('ipcRenderer.removeListener', { channel });
      contents.renderer.removeListener(channel, listener);
      return ipcRenderer;
    },
  };
  const contextBridge = {
    exposeInMainWorld(key, api) {
      if (window.options.webPreferences?.contextIsolation === false) throw new Error('contextBridge API can only be used when contextIsolation is enabled');
      if (Object.hasOwn(window.mainWorld, key)) throw new Error('Cannot bind an API on top of an existing property on the window object');
      window.mainWorld[key] = bridgeCopy(api);
      note('contextBridge.exposeInMainWorld', { window: window.id, key, members: Object.keys(api).sort() });
    },
  };
  return { contextBridge, ipcRenderer };
}

/** Runs a sandboxed preload: CommonJS whose require knows 'electron' (the renderer's) and nothing else of use. */
function runPreload(window, preloadPath) {
  const problem = !path.isAbsolute(preloadPath) ? 'not an absolute path' : existsSync(preloadPath) ? null : 'no such file';
  if (problem !== null) {
    note('preload.failed', { window: window.id, path: preloadPath, problem });
    return;
  }
  const electron = rendererElectron(window);
  const required = [];
  const sandboxRequire = (name) => {
    required.push(name);
    if (name === 'electron') return electron;
    // A sandboxed preload also gets these three; anything else is not there.
    if (name === 'events' || name === 'timers' || name === 'url') return nodeRequire(name);
    throw new Error(`module not found: ${name}`);
  };
  const module = { exports: {} };
  const sandboxProcess = { platform: process.platform, versions: { ...process.versions, electron: '39.0.0' }, env: {}, type: 'renderer', sandboxed: true, contextIsolated: true };
  try {
    const code = readFileSync(preloadPath, 'utf8');
    const run = new Function('require', 'module', 'exports', '__filename', '__dirname', 'process', code);
    run(sandboxRequire, module, module.exports, preloadPath, path.dirname(preloadPath), sandboxProcess);
    note('preload.ran', { window: window.id, path: preloadPath, required });
  } catch (error) {
    note('preload.failed', { window: window.id, path: preloadPath, problem: error instanceof Error ? error.message : String(error), required });
  }
}

export class BrowserWindow extends EventEmitter {
  #visible;
  #focused = false;
  #minimized = false;
  #destroyed = false;

  static getAllWindows() {
    return [...windows];
  }

  static getFocusedWindow() {
    return [...windows].find((window) => window.isFocused()) ?? null;
  }

  static fromWebContents(contents) {
    return [...windows].find((window) => window.webContents === contents) ?? null;
  }

  constructor(options = {}) {
    super();
    ensureReady('BrowserWindow');
    this.id = nextId++;
    this.options = options;
    this.#visible = options.show !== false;
    /** What the page's world has: contextBridge puts the preload's API here. */
    this.mainWorld = {};
    this.webContents = new WebContents(this);
    windows.add(this);
    const webPreferences = options.webPreferences ?? {};
    note('BrowserWindow.new', { id: this.id, options: plain(options), preloadExists: webPreferences.preload !== undefined && existsSync(webPreferences.preload) });
    app.emit('web-contents-created', cancellableEvent(), this.webContents);
  }

  loadFile(filePath) {
    note('BrowserWindow.loadFile', { id: this.id, path: filePath });
    return new Promise((resolve, reject) => {
      setImmediate(() => {
        if (this.#destroyed) {
          reject(new Error('Object has been destroyed'));
          return;
        }
        const absolute = path.resolve(filePath);
        const url = pathToFileURL(absolute).href;
        if (!existsSync(absolute)) {
          note('webContents.did-fail-load', { id: this.id, url });
          this.webContents.emit('did-fail-load', cancellableEvent(), -6, 'ERR_FILE_NOT_FOUND', url, true);
          reject(new Error(`ERR_FILE_NOT_FOUND (-6) loading '${url}'`));
          return;
        }
        this.webContents._setURL(url);
        this.mainWorld = {};
        const preload = this.options.webPreferences?.preload;
        if (preload !== undefined) runPreload(this, preload);
        this.webContents.emit('dom-ready', cancellableEvent());
        this.webContents.emit('did-finish-load', cancellableEvent());
        note('webContents.did-finish-load', { id: this.id, url });
        resolve();
        setImmediate(() => {
          if (this.#destroyed) return;
          note('BrowserWindow.ready-to-show', { id: this.id });
          this.emit('ready-to-show', cancellableEvent());
        });
      });
    });
  }

  loadURL(url) {
    if (!url.startsWith('file:')) return Promise.reject(new Error(`The fake electron loads file: URLs only (${url})`));
    return this.loadFile(new URL(url).pathname);
  }

  show() {
    this.#alive();
    note('BrowserWindow.show', { id: this.id });
    this.#visible = true;
    this.#minimized = false;
    this.#focus();
    this.emit('show');
  }

  hide() {
    this.#alive();
    note('BrowserWindow.hide', { id: this.id });
    this.#visible = false;
    this.#focused = false;
    this.emit('hide');
  }

  focus() {
    this.#alive();
    note('BrowserWindow.focus', { id: this.id });
    this.#focus();
  }

  #focus() {
    for (const other of windows) if (other !== this) other.#focused = false;
    this.#focused = this.#visible;
    if (this.#focused) this.emit('focus');
  }

  minimize() {
    this.#alive();
    note('BrowserWindow.minimize', { id: this.id });
    this.#minimized = true;
    this.#focused = false;
  }

  restore() {
    this.#alive();
    note('BrowserWindow.restore', { id: this.id });
    this.#minimized = false;
    this.#visible = true;
  }

  isMinimized() {
    return this.#minimized;
  }

  isVisible() {
    return this.#visible && !this.#destroyed;
  }

  isFocused() {
    return this.#focused && !this.#destroyed;
  }

  isDestroyed() {
    return this.#destroyed;
  }

  setTitle(title) {
    this.options = { ...this.options, title };
  }

  /** The user (or the app) closes the window: 'close' may cancel; otherwise it goes. */
  close() {
    if (this.#destroyed) return;
    const event = cancellableEvent();
    this.emit('close', event);
    note('BrowserWindow.close', { id: this.id, prevented: event.defaultPrevented });
    if (event.defaultPrevented) return;
    this.destroy();
    // Without a listener, Electron quits when the last window closed.
    if (windows.size === 0 && quitState === null) {
      if (app.listenerCount('window-all-closed') > 0) app.emit('window-all-closed');
      else app.quit();
    }
  }

  _closeForQuit() {
    if (this.#destroyed) return;
    const event = cancellableEvent();
    this.emit('close', event);
    note('BrowserWindow.close', { id: this.id, prevented: event.defaultPrevented, quitting: true });
    if (!event.defaultPrevented) this.destroy();
  }

  destroy() {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#visible = false;
    windows.delete(this);
    this.webContents._destroy();
    note('BrowserWindow.closed', { id: this.id });
    this.emit('closed');
  }

  #alive() {
    if (this.#destroyed) throw new TypeError('Object has been destroyed');
  }
}

// ---------------------------------------------------------------------------------------------
// session, dialog, shell, nativeTheme, powerMonitor, Notification, autoUpdater

class Session {
  permissionRequestHandler = null;
  permissionCheckHandler = null;

  setPermissionRequestHandler(handler) {
    this.permissionRequestHandler = handler;
    note('session.setPermissionRequestHandler', { set: handler !== null });
  }

  setPermissionCheckHandler(handler) {
    this.permissionCheckHandler = handler;
    note('session.setPermissionCheckHandler', { set: handler !== null });
  }

  /**
   * Chromium's answer for `url`, in PAC form: FAKE_ELECTRON_SCRIPT's `resolveProxy` (one
   * answer for every address, as a PAC file that names one proxy), else DIRECT (no proxy
   * configured). Like Electron, it needs a URL and answers asynchronously.
   */
  async resolveProxy(url) {
    if (typeof url !== 'string') throw new TypeError('session.resolveProxy needs a URL string');
    new URL(url);
    const answer = this.proxyConfig.mode === 'direct' ? 'DIRECT' : this.proxyConfig.mode === 'fixed_servers' ? fixedServersAnswer(this.proxyConfig.proxyRules) : typeof script.resolveProxy === 'string' ? script.resolveProxy : 'DIRECT';
    note('session.resolveProxy', { url, answer });
    return answer;
  }

  /** What the app gave `setProxy` (Electron's default: the system's configuration). */
  proxyConfig = { mode: 'system' };

  /** Like Electron: 'system', 'direct', or 'fixed_servers' with proxyRules; resolves when applied. */
  async setProxy(config) {
    if (typeof config !== 'object' || config === null) throw new TypeError('session.setProxy needs a config object');
    if (!['system', 'direct', 'fixed_servers', 'auto_detect', 'pac_script'].includes(config.mode)) throw new TypeError(`session.setProxy: unknown mode ${config.mode}`);
    if (config.mode === 'fixed_servers' && typeof config.proxyRules !== 'string') throw new TypeError('session.setProxy: fixed_servers needs proxyRules');
    this.proxyConfig = { ...config };
    note('session.setProxy', { ...config });
  }
}

/** Chromium's PAC form of proxyRules such as "http://host:3128" or "socks5://host:1080". */
function fixedServersAnswer(rules) {
  const match = /^(http|https|socks4|socks5):\/\/(.+)$/.exec(rules);
  if (match === null) return `PROXY ${rules}`;
  const keyword = { http: 'PROXY', https: 'HTTPS', socks4: 'SOCKS', socks5: 'SOCKS5' }[match[1]];
  return `${keyword} ${match[2]}`;
}

const defaultSession = new Session();
export const session = {
  get defaultSession() {
    ensureReady('session.defaultSession');
    return defaultSession;
  },
};

function withoutWindow(args) {
  return args[0] instanceof BrowserWindow ? { window: args[0].id, options: args[1] ?? {} } : { window: null, options: args[0] ?? {} };
}

export const dialog = {
  async showMessageBox(...args) {
    const { window, options } = withoutWindow(args);
    const scripted = answers.messageBox.shift();
    const answer = scripted ?? { response: options.cancelId ?? 0, checkboxChecked: false };
    note('dialog.showMessageBox', { window, options: plain(options), answered: scripted !== undefined, response: answer.response });
    return { response: answer.response, checkboxChecked: answer.checkboxChecked ?? false };
  },
  showMessageBoxSync(...args) {
    const { window, options } = withoutWindow(args);
    const scripted = answers.messageBox.shift();
    const response = scripted?.response ?? options.cancelId ?? 0;
    note('dialog.showMessageBoxSync', { window, options: plain(options), answered: scripted !== undefined, response });
    return response;
  },
  async showOpenDialog(...args) {
    const { window, options } = withoutWindow(args);
    const scripted = answers.openDialog.shift();
    const answer = scripted ?? { canceled: true, filePaths: [] };
    note('dialog.showOpenDialog', { window, options: plain(options), answered: scripted !== undefined, answer });
    return { canceled: answer.canceled === true, filePaths: answer.filePaths ?? [] };
  },
  showErrorBox(title, content) {
    note('dialog.showErrorBox', { title, content });
  },
};

export const shell = {
  async openExternal(url) {
    note('shell.openExternal', { url });
  },
  async openPath(target) {
    const exists = existsSync(target);
    note('shell.openPath', { path: target, exists });
    return exists ? '' : `Failed to open path`;
  },
  showItemInFolder(target) {
    note('shell.showItemInFolder', { path: target });
  },
  /** Into the freedesktop trash of $HOME, as Electron does on Linux; never answers when the script says `hang: ['shell.trashItem']` (a stuck file system). */
  async trashItem(target) {
    if (hanging.has('shell.trashItem')) {
      note('shell.trashItem', { path: target, hangs: true });
      return new Promise(() => undefined);
    }
    if (!existsSync(target)) {
      note('shell.trashItem', { path: target, ok: false });
      throw new Error(`Failed to move item to trash: ${target}`);
    }
    const trash = path.join(os.homedir(), '.local', 'share', 'Trash', 'files');
    mkdirSync(trash, { recursive: true });
    renameSync(target, path.join(trash, `${Date.now()}-${nextId++}-${path.basename(target)}`));
    note('shell.trashItem', { path: target, ok: true });
  },
  beep() {
    note('shell.beep');
  },
};

class NativeTheme extends EventEmitter {
  shouldUseDarkColors = false;
  shouldUseDarkColorsForSystemIntegratedUI = false;
  shouldUseHighContrastColors = false;
  shouldUseInvertedColorScheme = false;
  themeSource = 'system';
}

export const nativeTheme = new NativeTheme();

class PowerMonitor extends EventEmitter {
  on(event, listener) {
    ensureReady('powerMonitor');
    note('powerMonitor.on', { event });
    return super.on(event, listener);
  }

  getSystemIdleState() {
    return 'active';
  }

  getSystemIdleTime() {
    return 0;
  }

  isOnBatteryPower() {
    return false;
  }
}

export const powerMonitor = new PowerMonitor();

const notifications = [];

export class Notification extends EventEmitter {
  static isSupported() {
    return true;
  }

  constructor(options = {}) {
    super();
    this.title = options.title ?? '';
    this.body = options.body ?? '';
  }

  show() {
    notifications.push(this);
    note('Notification.show', { index: notifications.length - 1, title: this.title, body: this.body });
    this.emit('show', cancellableEvent());
  }

  close() {
    note('Notification.close', { title: this.title });
    this.emit('close', cancellableEvent());
  }
}

class AutoUpdater extends EventEmitter {
  setFeedURL(options) {
    note('autoUpdater.setFeedURL', { options: plain(options) });
  }

  getFeedURL() {
    return '';
  }

  checkForUpdates() {
    note('autoUpdater.checkForUpdates');
  }

  quitAndInstall() {
    note('autoUpdater.quitAndInstall');
  }
}

export const autoUpdater = new AutoUpdater();

// ---------------------------------------------------------------------------------------------
// What the test can ask (host.mjs passes the messages of its IPC channel here)

function liveWindow() {
  const window = [...windows][0];
  if (window === undefined) throw new Error('there is no window');
  return window;
}

function liveTray() {
  const tray = [...trays][0];
  if (tray === undefined) throw new Error('there is no tray');
  return tray;
}

function describeWindow(window) {
  return {
    id: window.id,
    visible: window.isVisible(),
    focused: window.isFocused(),
    minimized: window.isMinimized(),
    url: window.webContents.getURL(),
    options: plain(window.options),
    exposed: Object.keys(window.mainWorld),
  };
}

export const commands = {
  state: () => ({
    ready: readyState,
    quitting: quitState !== null,
    windows: [...windows].map(describeWindow),
    trays: [...trays].map((tray) => ({ image: tray.image, images: tray.images, toolTip: tray.toolTip, menu: tray.menu === null ? null : describeMenu(tray.menu) })),
    handlers: ipcMain._channels,
    listeners: Object.fromEntries(['before-quit', 'will-quit', 'window-all-closed', 'second-instance', 'activate', 'web-contents-created'].map((event) => [event, app.listenerCount(event)])),
    power: Object.fromEntries(['suspend', 'resume', 'shutdown'].map((event) => [event, powerMonitor.listenerCount(event)])),
  }),
  /** Calls `window.<key>.<method>(...args)` in the window's page, as the renderer would. */
  call: async ({ method, args = [], key = 'terasync' }) => {
    const api = liveWindow().mainWorld[key];
    if (api === undefined) throw new Error(`the page has no window.${key}`);
    if (typeof api[method] !== 'function') throw new Error(`window.${key}.${method} is not a function`);
    return api[method](...args);
  },
  /** Subscribes in the page (`window.terasync.onX`): each payload is recorded as renderer.event. */
  subscribe: ({ method, key = 'terasync' }) => {
    const api = liveWindow().mainWorld[key];
    api[method]((payload) => note('renderer.event', { method, payload: plain(payload) }));
    return null;
  },
  /** An invoke that does not come from the window's top frame: a subframe of it, or another webContents. */
  invokeFrom: async ({ from, channel, args = [] }) => {
    const window = liveWindow();
    let event;
    if (from === 'subframe') {
      const frame = new Frame(window.webContents, window.webContents.mainFrame, window.webContents.getURL());
      event = { sender: window.webContents, senderFrame: frame, frameId: frame.routingId, processId: frame.processId };
    } else {
      const other = new WebContents(null);
      other._setURL(window.webContents.getURL());
      event = { sender: other, senderFrame: other.mainFrame, frameId: other.mainFrame.routingId, processId: other.mainFrame.processId };
    }
    return ipcMain._invoke(event, channel, args);
  },
  trayClick: ({ label }) => {
    const tray = liveTray();
    if (tray.menu === null) throw new Error('the tray has no menu');
    const item = findMenuItem(tray.menu, label);
    if (item === null) throw new Error(`the tray menu has no item "${label}": ${JSON.stringify(describeMenu(tray.menu))}`);
    note('test.trayClick', { label });
    item._choose(BrowserWindow.getFocusedWindow());
    return null;
  },
  trayIconClick: () => {
    liveTray().emit('click', cancellableEvent(), {});
    return null;
  },
  power: ({ event }) => {
    const emitted = cancellableEvent();
    note('test.power', { event });
    powerMonitor.emit(event, emitted);
    return { prevented: emitted.defaultPrevented };
  },
  answer: ({ kind, answer }) => {
    answers[kind].push(answer);
    return null;
  },
  closeWindow: () => {
    liveWindow().close();
    return null;
  },
  minimizeWindow: () => {
    liveWindow().minimize();
    return null;
  },
  quit: () => {
    app.quit();
    return null;
  },
  permission: ({ permission }) =>
    new Promise((resolve) => {
      const contents = liveWindow().webContents;
      const checked = defaultSession.permissionCheckHandler?.(contents, permission, contents.getURL(), {}) ?? null;
      if (defaultSession.permissionRequestHandler === null) resolve({ requested: null, checked });
      else defaultSession.permissionRequestHandler(contents, permission, (granted) => resolve({ requested: granted, checked }), { requestingUrl: contents.getURL() });
    }),
  navigate: ({ url }) => {
    const event = cancellableEvent({ url });
    liveWindow().webContents.emit('will-navigate', event, url);
    return { prevented: event.defaultPrevented };
  },
  openWindow: ({ url }) => {
    const handler = liveWindow().webContents.windowOpenHandler;
    return handler === null ? null : plain(handler({ url, frameName: '', features: '', disposition: 'new-window', referrer: { url: '', policy: 'default' } }));
  },
};

export function runCommand(name, args) {
  const command = commands[name];
  if (command === undefined) throw new Error(`unknown command ${name}`);
  return command(args ?? {});
}
