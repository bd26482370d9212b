/**
 * The boot test: the real main bundle (dist/main/index.js, built into a temporary folder) runs
 * in a child Node process whose `electron` is the fake in test/support/fakeElectron (see its
 * electron.mjs), with the preload run by the fake window and its `window.terasync` called as the
 * page would. The app talks to the TeraCLOUD emulator over the network like the real one; its
 * keychain is absent (no D-Bus session), so it asks through dialog.showMessageBox, which the
 * test answers "Keep it for this session".
 */
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { isTempFileName } from '../../../electron/sync/ignoreRules.js';
import type { Result } from '../../../shared/errors.js';
import { ipcChannels, ipcEventSubscriptions, ipcMethods, type IpcChannel } from '../../../shared/ipc/contract.js';
import type { PairStatus, PairView, ProxyTestResult } from '../../../shared/types.js';
import { completeBrowserSignIn } from '../../support/oauthBrowser.js';
import { startTinyproxy, tinyproxyAvailable } from '../../support/proxies.js';
import { requireSystemTool } from '../../support/requirements.js';
import { buildApp, startApp, until, type MenuItemView, type RecordEntry, type RunningApp } from '../../support/fakeElectron/driver.js';

const tinyproxy = requireSystemTool('tinyproxy', tinyproxyAvailable());

const USER = 'demo';
const PASSWORD = 'demo-apps-password';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const KEEP_FOR_SESSION = { response: 0 };

let scratch: string;
let built: { appPath: string; dist: string; main: string };
let emulator: RunningEmulator;
const running: RunningApp[] = [];
let launches = 0;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'terasync-boot-'));
  built = await buildApp(path.join(scratch, 'app'));
  emulator = await startEmulator();
}, 120_000);

afterEach(() => {
  for (const app of running.splice(0)) app.kill();
});

afterAll(async () => {
  await emulator?.close();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

interface LaunchOptions {
  args?: string[];
  /** Answers of dialog.showMessageBox; default: keep the sign-in for this session. */
  messageBox?: Array<{ response: number }>;
  openDialog?: Array<{ canceled: boolean; filePaths: string[] }>;
  /** Electron APIs that never answer. */
  hang?: string[];
  /** What the fake session.resolveProxy answers (a PAC answer); default DIRECT. */
  resolveProxy?: string;
}

/** Starts the app with its own (or a shared) $HOME, pointed at the emulator. */
function launch(home: string, options: LaunchOptions = {}): RunningApp {
  launches += 1;
  const env: Record<string, string> = {
    TERASYNC_API_KEY: emulator.apiKey,
    TERASYNC_API_URL: emulator.apiBaseUrl,
    TERASYNC_ALLOW_CUSTOM_HOST: '1',
  };
  if (emulator.oauth !== null) {
    env.TERASYNC_OAUTH_ISSUER = emulator.oauth.issuer;
    env.TERASYNC_OAUTH_CLIENT_ID = emulator.oauth.clientId;
  }
  const app = startApp({
    appPath: built.appPath,
    main: built.main,
    home,
    args: options.args ?? [],
    env,
    script: {
      messageBox: options.messageBox ?? [KEEP_FOR_SESSION],
      openDialog: options.openDialog ?? [],
      hang: options.hang ?? [],
      ...(options.resolveProxy === undefined ? {} : { resolveProxy: options.resolveProxy }),
    },
    recordFile: path.join(scratch, `record-${launches}.jsonl`),
  });
  running.push(app);
  return app;
}

async function newHome(name: string): Promise<string> {
  const home = path.join(scratch, name);
  await mkdir(home, { recursive: true });
  return home;
}

/**
 * Launched: every handler registered and the tray made, and the window's page loaded with its
 * preload when there is a window (main creates it, if it does, in the same turn as the handlers).
 */
async function launched(app: RunningApp): Promise<void> {
  await until('the app to launch', async () => {
    const state = await app.state();
    const page = state.windows[0];
    return state.handlers.length === ipcChannels.length && state.trays.length === 1 && (page === undefined || page.exposed.includes('terasync'));
  });
}

function entries(app: RunningApp, api: string): RecordEntry[] {
  return app.record().filter((entry) => entry.api === api);
}

function isPng(file: string): boolean {
  return existsSync(file) && readFileSync(file).subarray(0, 8).equals(PNG_SIGNATURE);
}

async function value<T>(app: RunningApp, method: string, ...args: unknown[]): Promise<T> {
  const result = await app.call<Result<T>>(method, ...args);
  if (!result.ok) throw new Error(`${method} failed: ${result.error.code}: ${result.error.message}`);
  return result.value;
}

async function signIn(app: RunningApp): Promise<void> {
  await value(app, 'signInWithPassword', { userId: USER, password: PASSWORD, location: emulator.davUrl });
}

async function statusOf(app: RunningApp, pairId: string): Promise<PairStatus['status']> {
  const found = (await value<PairStatus[]>(app, 'getStatus')).find((item) => item.pairId === pairId);
  if (found === undefined) throw new Error(`no status for ${pairId}`);
  return found.status;
}

async function idle(app: RunningApp, pairId: string): Promise<void> {
  await until(`pair ${pairId} to be idle`, async () => {
    const status = await statusOf(app, pairId);
    return status.state === 'idle' && status.lastSyncAt !== null;
  }, 30_000);
}

function menuLabels(menu: MenuItemView[] | null): string[] {
  return (menu ?? []).flatMap((item) => (item.type === 'separator' ? [] : [item.label ?? '', ...menuLabels(item.submenu ?? null)]));
}

/** Completes the browser sign-in that `call` started, as the user would in the browser the app opened. */
async function withBrowser(app: RunningApp, call: Promise<Result<unknown>>): Promise<Result<unknown>> {
  const opened = await until('the sign-in page to open', () => entries(app, 'shell.openExternal').find((entry) => String(entry.url).startsWith(emulator.oauth!.issuer)));
  const page = await completeBrowserSignIn(String(opened.url), { userId: USER, password: PASSWORD });
  expect(page.finalStatus).toBe(200);
  return call;
}

async function quitFromTray(app: RunningApp): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  await app.command('trayClick', { label: 'Quit TeraSync' });
  return app.exited;
}

async function filesUnder(folder: string): Promise<string[]> {
  const found = await readdir(folder, { recursive: true, withFileTypes: true });
  return found.filter((entry) => entry.isFile()).map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)));
}

describe('the composition root under the fake electron', () => {
  it('first start without an account: a sandboxed window with the built preload, shown when ready, and the tray', async () => {
    const app = launch(await newHome('first'));
    await until('the window to show', async () => (await app.state()).windows[0]?.visible === true);
    const state = await app.state();

    // The window: the built preload, the security settings, the built page.
    const [created] = entries(app, 'BrowserWindow.new');
    const preloadPath = path.join(built.dist, 'preload', 'index.cjs');
    const rendererHtml = path.join(built.dist, 'renderer', 'index.html');
    const webPreferences = (created?.options as { webPreferences: Record<string, unknown> }).webPreferences;
    expect(webPreferences).toMatchObject({ preload: preloadPath, sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(created?.preloadExists).toBe(true);
    expect(entries(app, 'BrowserWindow.loadFile').map((entry) => entry.path)).toEqual([rendererHtml]);
    expect(state.windows).toHaveLength(1);
    expect(state.windows[0]).toMatchObject({ url: pathToFileURL(rendererHtml).href, visible: true, focused: true, exposed: ['terasync'] });
    // Shown once painted: created hidden, shown at ready-to-show.
    expect((created?.options as { show: boolean }).show).toBe(false);
    const apis = app.record().map((entry) => entry.api);
    expect(apis.indexOf('BrowserWindow.show')).toBeGreaterThan(apis.indexOf('BrowserWindow.ready-to-show'));
    // The sandboxed preload needed nothing but 'electron' and exposed the whole contract.
    expect(entries(app, 'preload.failed')).toEqual([]);
    expect(entries(app, 'preload.ran').map((entry) => entry.required)).toEqual([['electron']]);
    const exposed = entries(app, 'contextBridge.exposeInMainWorld');
    expect(exposed.map((entry) => entry.key)).toEqual(['terasync']);
    expect(exposed[0]?.members).toEqual([...Object.values(ipcMethods), ...Object.values(ipcEventSubscriptions)].sort());

    // The tray, with an icon that exists and is a PNG.
    expect(state.trays).toHaveLength(1);
    expect(isPng(state.trays[0]!.image)).toBe(true);
    expect(entries(app, 'nativeImage.empty')).toEqual([]);

    // No keychain here: the app asked whether to keep the sign-in for the session.
    const asked = entries(app, 'dialog.showMessageBox');
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ answered: true, response: 0, options: { message: 'TeraSync cannot use the system keychain.', buttons: ['Keep it for this session', 'Quit'] } });

    // The page's API: no account (the window shows sign-in).
    expect(await app.call('getAccount')).toEqual({ ok: true, value: null });
    expect(await app.call('getOverview')).toMatchObject({ ok: true, value: { account: { user: null }, pairs: [] } });

    // Every permission refused; navigation away and new windows refused, https links to the browser.
    expect(await app.command('permission', { permission: 'notifications' })).toEqual({ requested: false, checked: false });
    expect(await app.command('navigate', { url: 'https://example.com/elsewhere' })).toEqual({ prevented: true });
    expect(await app.command('navigate', { url: pathToFileURL(rendererHtml).href + '#/settings' })).toEqual({ prevented: false });
    expect(await app.command('openWindow', { url: 'https://example.com/new' })).toEqual({ action: 'deny' });
    expect(await app.command('openWindow', { url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    await until('the links to reach the browser', () => entries(app, 'shell.openExternal').length === 2);
    expect(entries(app, 'shell.openExternal').map((entry) => entry.url)).toEqual(['https://example.com/elsewhere', 'https://example.com/new']);

    // Closing the window hides it: the app lives on in the tray.
    await app.command('closeWindow');
    expect((await app.state()).windows).toMatchObject([{ visible: false }]);
    expect(entries(app, 'BrowserWindow.close').map((entry) => entry.prevented)).toEqual([true]);

    expect(await quitFromTray(app)).toEqual({ code: 0, signal: null });
    expect(app.output()).toBe('');
  });

  it('start at login (--hidden): the tray only, and the window on "Show window"', async () => {
    const app = launch(await newHome('hidden'), { args: ['--hidden'] });
    await launched(app);
    const state = await app.state();
    expect(state.windows).toEqual([]);
    expect(entries(app, 'BrowserWindow.new')).toEqual([]);
    expect(menuLabels(state.trays[0]!.menu)).toContain('Show window');

    await app.command('trayClick', { label: 'Show window' });
    await until('the window to show', async () => (await app.state()).windows[0]?.visible === true);
    expect(await app.call('getAccount')).toEqual({ ok: true, value: null });

    // A quit that does not come from the tray (the app menu, Cmd+Q, a signal): before-quit is
    // held back until the services stopped, then quits; the window closes on the way.
    await app.command('quit');
    expect(await app.exited).toEqual({ code: 0, signal: null });
    // will-quit waits for the log once, then quits again.
    expect(entries(app, 'app.before-quit').map((entry) => entry.prevented)).toEqual([true, false, false]);
    expect(entries(app, 'BrowserWindow.close')).toMatchObject([{ prevented: false, quitting: true }]);
    expect(entries(app, 'app.will-quit').map((entry) => entry.prevented)).toEqual([true, false]);
  });

  it('a second instance hands over its arguments and exits; the first shows its window', async () => {
    const home = await newHome('single');
    const first = launch(home);
    await until('the window to show', async () => (await first.state()).windows[0]?.visible === true);
    await first.command('closeWindow');
    expect((await first.state()).windows[0]?.visible).toBe(false);

    // A start at login while running shows nothing.
    const atLogin = launch(home, { args: ['--hidden'] });
    expect(await atLogin.exited).toEqual({ code: 0, signal: null });
    await until('the first to hear of it', () => entries(first, 'app.second-instance').length === 1);
    expect((await first.state()).windows[0]?.visible).toBe(false);

    const second = launch(home, { args: ['--from-test'] });
    expect(await second.exited).toEqual({ code: 0, signal: null });
    for (const other of [atLogin, second]) {
      expect(entries(other, 'app.requestSingleInstanceLock')).toMatchObject([{ result: false, handedOver: true }]);
      expect(entries(other, 'BrowserWindow.new')).toEqual([]);
      expect(entries(other, 'Tray.new')).toEqual([]);
      expect(entries(other, 'dialog.showMessageBox')).toEqual([]);
    }
    await until('the first to hear of the second', () => entries(first, 'app.second-instance').length === 2);
    expect(entries(first, 'app.second-instance')[1]?.argv).toEqual([process.execPath, built.main, '--from-test']);
    await until('the window to show', async () => (await first.state()).windows[0]?.visible === true);
    expect((await first.state()).windows).toMatchObject([{ visible: true, focused: true }]);
    // Still the one window: shown again, not a new one.
    expect(entries(first, 'BrowserWindow.new')).toHaveLength(1);

    expect(await quitFromTray(first)).toEqual({ code: 0, signal: null });
    // The lock went with the first: a new start is the first instance again.
    const third = launch(home, { args: ['--hidden'] });
    await launched(third);
    expect(entries(third, 'app.requestSingleInstanceLock')).toMatchObject([{ result: true }]);
    expect(await quitFromTray(third)).toEqual({ code: 0, signal: null });
  });
  it('answers every contract method through preload, ipcMain and the services on the emulator', async () => {
    const home = await newHome('contract');
    const local = path.join(home, 'Contract');
    await mkdir(local, { recursive: true });
    await writeFile(path.join(local, 'hello.txt'), 'hello');
    const backupSource = path.join(home, 'Backed up');
    await mkdir(backupSource, { recursive: true });
    await writeFile(path.join(backupSource, 'photo.txt'), 'photo');
    const app = launch(home, { openDialog: [{ canceled: false, filePaths: [local] }] });
    await launched(app);

    // Every channel has exactly one handler, registered once.
    const state = await app.state();
    expect([...state.handlers].sort()).toEqual([...ipcChannels].sort());
    const registered = entries(app, 'ipcMain.handle').map((entry) => entry.channel as string);
    expect([...registered].sort()).toEqual([...ipcChannels].sort());

    let pairId = '';
    // Each channel with a valid request, in an order that makes sense to the services; `allowed`
    // are the coded errors that are the right answer here (no conflict is open, no fail-safe waits, ...).
    const calls: Array<{ channel: IpcChannel; request: () => unknown; allowed?: string; run?: (call: Promise<Result<unknown>>) => Promise<Result<unknown>> }> = [
      { channel: 'account:get', request: () => undefined },
      { channel: 'account:cancelSignIn', request: () => undefined },
      // The browser sign-in, completed in the "browser" the app opened (shell.openExternal).
      { channel: 'account:signInWithOAuth', request: () => ({}), run: (call) => withBrowser(app, call) },
      { channel: 'account:get', request: () => undefined },
      { channel: 'account:signOut', request: () => undefined },
      { channel: 'account:signInWithPassword', request: () => ({ userId: USER, password: PASSWORD, location: emulator.davUrl }) },
      { channel: 'app:getOverview', request: () => undefined },
      { channel: 'remote:listFolders', request: () => ({ path: '' }) },
      { channel: 'local:freeSpace', request: () => ({ path: local }) },
      { channel: 'pairs:preview', request: () => ({ localFolder: local, remoteFolder: 'Contract' }) },
      { channel: 'pairs:add', request: () => ({ localFolder: local, remoteFolder: 'Contract' }) },
      { channel: 'pairs:list', request: () => undefined },
      { channel: 'pairs:update', request: () => ({ id: pairId, bandwidth: { uploadKiBps: 512 } }) },
      { channel: 'pairs:pause', request: () => ({ id: pairId }) },
      { channel: 'pairs:resume', request: () => ({ id: pairId }) },
      { channel: 'pairs:syncNow', request: () => ({ id: pairId }) },
      { channel: 'status:get', request: () => undefined },
      { channel: 'remote:folderSize', request: () => ({ path: 'Contract' }) },
      { channel: 'activity:list', request: () => ({ pairId, limit: 20 }) },
      { channel: 'conflicts:list', request: () => undefined },
      { channel: 'conflicts:resolve', request: () => ({ pairId, id: 1, keep: 'both' }), allowed: 'NotFound' },
      { channel: 'conflicts:open', request: () => ({ pairId, id: 1, side: 'theirs' }), allowed: 'NotFound' },
      { channel: 'failsafe:decide', request: () => ({ pairId, decision: 'keepWaiting' }), allowed: 'InvalidRequest' },
      { channel: 'settings:get', request: () => undefined },
      { channel: 'settings:update', request: () => ({ backup: { sources: [backupSource] } }) },
      { channel: 'proxy:get', request: () => undefined },
      { channel: 'proxy:test', request: () => ({ mode: 'none', host: '', port: 8080, user: null }) },
      { channel: 'proxy:save', request: () => ({ mode: 'system', host: '', port: 8080, user: null }) },
      { channel: 'backup:getState', request: () => undefined },
      { channel: 'backup:run', request: () => ({ sources: [backupSource], dryRun: true }) },
      { channel: 'backup:cancel', request: () => undefined },
      { channel: 'backup:list', request: () => ({}) },
      { channel: 'restore:run', request: () => ({ source: 'Backed up', to: path.join(home, 'Restored') }), allowed: 'NotFound' },
      { channel: 'backup:decideFailSafe', request: () => ({ decision: 'leave' }), allowed: 'InvalidRequest' },
      { channel: 'shell:openFolder', request: () => ({ kind: 'syncFolder', pairId }) },
      { channel: 'shell:openUrl', request: () => ({ url: 'https://teracloud.jp/en/' }) },
      { channel: 'shell:showFile', request: () => ({ pairId, path: 'hello.txt' }) },
      { channel: 'dialog:pickPath', request: () => ({ purpose: 'syncFolder' }) },
      { channel: 'deleted:list', request: () => undefined },
      { channel: 'deleted:usage', request: () => undefined },
      { channel: 'deleted:restore', request: () => ({ pairId, runId: '2026-12-05T235329Z' }), allowed: 'NotFound' },
      // Purging what is not there (any more) is done.
      { channel: 'deleted:purge', request: () => ({ pairId, runId: '2026-12-05T235329Z' }) },
      // Run from a build, not a package: this copy does not update itself, and says why.
      { channel: 'update:getState', request: () => undefined },
      { channel: 'update:check', request: () => undefined, allowed: 'InvalidRequest' },
      { channel: 'update:restart', request: () => undefined, allowed: 'InvalidRequest' },
      { channel: 'pairs:remove', request: () => ({ id: pairId }) },
      { channel: 'account:signOut', request: () => undefined },
    ];
    expect([...new Set(calls.map((call) => call.channel))].sort()).toEqual([...ipcChannels].sort());

    const answers: Array<Result<unknown>> = [];
    for (const call of calls) {
      const request = call.request();
      const method = ipcMethods[call.channel];
      const pending = app.call<Result<unknown>>(method, ...(request === undefined ? [] : [request]));
      const result = await (call.run === undefined ? pending : call.run(pending));
      answers.push(result);
      if (call.channel === 'pairs:add' && result.ok) pairId = (result.value as PairView).id;
      if (call.channel === 'pairs:add') await idle(app, pairId);
      expect(typeof result.ok, call.channel).toBe('boolean');
    }
    expect(answers.slice(0, 5)).toMatchObject([
      { ok: true, value: null },
      { ok: true },
      { ok: true, value: { account: { userId: USER, signedInWith: 'oauth2' }, problem: null } },
      { ok: true, value: { userId: USER, signedInWith: 'oauth2' } },
      { ok: true },
    ]);
    const failed = calls.flatMap((call, index) => {
      const result = answers[index]!;
      return result.ok ? [] : [{ channel: call.channel, code: result.error.code, message: result.error.message }];
    });
    expect(failed.map(({ channel, code }) => ({ channel, code }))).toEqual(calls.filter((call) => call.allowed !== undefined).map((call) => ({ channel: call.channel, code: call.allowed })));
    const updateState = answers[calls.findIndex((call) => call.channel === 'update:getState')];
    expect(updateState).toMatchObject({ ok: true, value: { phase: 'disabled', disabledReason: 'not-packaged', version: null } });
    // Each went through the page's ipcRenderer.invoke (status:get also while waiting for the first sync).
    expect(entries(app, 'ipcRenderer.invoke').filter((entry) => entry.channel !== 'status:get').map((entry) => entry.channel)).toEqual(calls.filter((call) => call.channel !== 'status:get').map((call) => call.channel));
    expect([...new Set(entries(app, 'ipcRenderer.invoke').map((entry) => entry.channel))].sort()).toEqual([...ipcChannels].sort());
    // What the services did through Electron for those calls.
    expect(entries(app, 'dialog.showOpenDialog')).toMatchObject([{ window: 1, answered: true }]);
    expect(entries(app, 'shell.openPath').map((entry) => entry.path)).toEqual([local]);
    expect(entries(app, 'shell.showItemInFolder').map((entry) => entry.path)).toEqual([path.join(local, 'hello.txt')]);
    expect(entries(app, 'shell.openExternal').map((entry) => entry.url)).toContain('https://teracloud.jp/en/');
    expect(existsSync(path.join(emulator.filesDir(), 'Contract', 'hello.txt'))).toBe(true);

    // Only the window's top frame is heard: a subframe of it, or another page, is refused.
    for (const from of ['subframe', 'otherContents']) {
      const refused = await app.command<Result<unknown>>('invokeFrom', { from, channel: 'account:get', args: [undefined] });
      expect(refused).toMatchObject({ ok: false, error: { code: 'Forbidden' } });
    }
    // Electron's own answer for a channel nobody handles, as the page sees it.
    await expect(app.command('invokeFrom', { from: 'subframe', channel: 'no:such-channel', args: [] })).rejects.toThrow(/No handler registered for 'no:such-channel'/);

    expect(await quitFromTray(app)).toEqual({ code: 0, signal: null });
    // Quitting removed every handler.
    expect(entries(app, 'ipcMain.removeHandler').map((entry) => entry.channel).sort()).toEqual([...ipcChannels].sort());
  });
  it('the tray: icons that exist, and its menu items click through', async () => {
    const home = await newHome('tray');
    const local = path.join(home, 'Tray');
    await mkdir(local, { recursive: true });
    const app = launch(home);
    await until('the window to show', async () => (await app.state()).windows[0]?.visible === true);
    // Closed: the app lives in the tray, its page (hidden) still there.
    await app.command('closeWindow');
    await signIn(app);
    // The poll is far off (an hour): what reaches this computer below comes from "Sync now".
    await value(app, 'updateSettings', { sync: { pollIntervalSeconds: 3600 } });
    const pair = await value<PairView>(app, 'addPair', { localFolder: local, remoteFolder: 'Tray' });
    await idle(app, pair.id);
    const menu = async (): Promise<string[]> => menuLabels((await app.state()).trays[0]?.menu ?? null);
    await until('the menu of a signed-in app with one pair', async () => (await menu()).includes('Sync now') && (await menu()).includes('Pause syncing'));
    expect(await menu()).toEqual(expect.arrayContaining(['Open the sync folder', 'Open TeraCLOUD in the browser', 'Back up now', 'Show window', 'Quit TeraSync']));

    await app.command('trayClick', { label: 'Pause syncing' });
    await until('"Resume syncing" in the menu', async () => (await menu()).includes('Resume syncing'));
    expect((await value<PairView[]>(app, 'listPairs'))[0]?.paused).toBe(true);
    expect((await statusOf(app, pair.id)).state).toBe('paused');
    await app.command('trayClick', { label: 'Resume syncing' });
    await until('"Pause syncing" in the menu', async () => (await menu()).includes('Pause syncing'));
    expect((await value<PairView[]>(app, 'listPairs'))[0]?.paused).toBe(false);
    await idle(app, pair.id);

    await writeFile(path.join(emulator.filesDir(), 'Tray', 'from-the-server.txt'), 'sync now');
    await app.command('trayClick', { label: 'Sync now' });
    await until('the download of "Sync now"', () => existsSync(path.join(local, 'from-the-server.txt')));

    await app.command('trayClick', { label: 'Open the sync folder' });
    await app.command('trayClick', { label: 'Open TeraCLOUD in the browser' });
    await until('the folder and the website to open', () => entries(app, 'shell.openPath').length === 1 && entries(app, 'shell.openExternal').length === 1);
    expect(entries(app, 'shell.openPath').map((entry) => entry.path)).toEqual([local]);
    expect(entries(app, 'shell.openExternal').map((entry) => entry.url)).toEqual(['https://teracloud.jp/']);

    expect((await app.state()).windows).toMatchObject([{ visible: false }]);
    await app.command('trayClick', { label: 'Show window' });
    await until('the window to show', async () => (await app.state()).windows[0]?.visible === true);
    await app.command('closeWindow');
    // A click on the icon (Windows, and Linux panels that report one) shows it too.
    await app.command('trayIconClick');
    await until('the window to show again', async () => (await app.state()).windows[0]?.visible === true);
    expect(entries(app, 'BrowserWindow.new')).toHaveLength(1);

    // Every image the tray was given exists and is a PNG (the fake refuses others: none refused).
    const { images, toolTip } = (await app.state()).trays[0]!;
    expect(new Set(images).size).toBeGreaterThan(1);
    for (const image of images) expect({ image, png: isPng(image) }).toEqual({ image, png: true });
    expect(entries(app, 'nativeImage.empty')).toEqual([]);
    expect(toolTip).toMatch(/^TeraSync/);

    expect(await quitFromTray(app)).toEqual({ code: 0, signal: null });
    expect(entries(app, 'Tray.destroy')).toHaveLength(1);
  });

  it.skipIf(tinyproxy.skip)('the system proxy: session.resolveProxy answers like a PAC file, and the app goes through the proxy it names', async () => {
    tinyproxy.assertAvailable();
    const proxy = await startTinyproxy();
    try {
      const home = await newHome('proxy');
      const local = path.join(home, 'Proxied');
      await mkdir(local, { recursive: true });
      await writeFile(path.join(local, 'through-the-proxy.txt'), 'sent through the PAC proxy');
      const app = launch(home, { resolveProxy: `PROXY 127.0.0.1:${proxy.port}; DIRECT` });
      await launched(app);
      await signIn(app);
      const pair = await value<PairView>(app, 'addPair', { localFolder: local, remoteFolder: 'Proxied' });
      await idle(app, pair.id);
      expect(existsSync(path.join(emulator.filesDir(), 'Proxied', 'through-the-proxy.txt'))).toBe(true);

      // The app asked Chromium about the addresses it connects to, and went where it said.
      const asked = entries(app, 'session.resolveProxy').map((entry) => new URL(String(entry.url)).origin);
      expect(asked).toContain(emulator.origin);
      const emulatorPort = new URL(emulator.origin).port;
      const requestLines = async (): Promise<string[]> =>
        (await proxy.log()).split('\n').flatMap((line) => /Request \(file descriptor \d+\): (.*)$/.exec(line)?.[1] ?? []);
      const requests = await requestLines();
      expect(requests).toContain(`CONNECT 127.0.0.1:${emulatorPort} HTTP/1.1`);
      for (const request of requests) expect(request).toMatch(/^CONNECT /);

      // "Test connection" with the system setting goes where the PAC answer says.
      const tested = await value<ProxyTestResult>(app, 'testProxySettings', { mode: 'system', host: '', port: 8080, user: null });
      expect(tested).toEqual({ ok: true, target: `${emulator.origin}/`, via: `http://127.0.0.1:${proxy.port}`, error: null });
      // "No proxy" in Settings: the running pair's next sync goes direct.
      // Chromium's own requests (the update feed) were given the system's configuration at start.
      expect(entries(app, 'session.setProxy').map((entry) => entry.mode)).toEqual(['system']);
      expect(await value(app, 'saveProxySettings', { mode: 'none', host: '', port: 8080, user: null })).toEqual({ mode: 'none', host: '', port: 8080, user: null, passwordStored: false });
      expect(entries(app, 'session.setProxy').map((entry) => entry.mode)).toEqual(['system', 'direct']);
      const before = (await requestLines()).length;
      await writeFile(path.join(local, 'direct.txt'), 'sent direct');
      await value(app, 'syncPairNow', { id: pair.id });
      await until('the direct upload', () => existsSync(path.join(emulator.filesDir(), 'Proxied', 'direct.txt')), 20_000);
      expect((await requestLines()).length).toBe(before);

      expect(await quitFromTray(app)).toEqual({ code: 0, signal: null });
    } finally {
      await proxy.close();
    }
  });

  it('sleep and wake: the pairs stop for the sleep, sync at once on waking, and keep syncing', async () => {
    const home = await newHome('sleep');
    const local = path.join(home, 'Sleep');
    await mkdir(local, { recursive: true });
    const app = launch(home);
    await launched(app);
    expect((await app.state()).power).toEqual({ suspend: 1, resume: 1, shutdown: 1 });
    await signIn(app);
    await value(app, 'updateSettings', { sync: { pollIntervalSeconds: 3600 } });
    const pair = await value<PairView>(app, 'addPair', { localFolder: local, remoteFolder: 'Sleep' });
    await idle(app, pair.id);

    await app.command('power', { event: 'suspend' });
    await until('the pair to stop for the sleep', async () => (await statusOf(app, pair.id)).state === 'paused');
    // Not the user's pause: the setting stays.
    expect((await value<PairView[]>(app, 'listPairs'))[0]?.paused).toBe(false);
    await writeFile(path.join(emulator.filesDir(), 'Sleep', 'while-asleep.txt'), 'changed on the server');

    await app.command('power', { event: 'resume' });
    // The poll is an hour away: waking synced.
    await until('the server change to arrive on waking', () => existsSync(path.join(local, 'while-asleep.txt')));
    await idle(app, pair.id);
    await writeFile(path.join(local, 'after-waking.txt'), 'written after the resume');
    await until('the file written after waking to reach TeraCLOUD', () => existsSync(path.join(emulator.filesDir(), 'Sleep', 'after-waking.txt')));

    // A shutdown or logout: the app holds it up (preventDefault) while it stops, then quits.
    expect(await app.command('power', { event: 'shutdown' })).toEqual({ prevented: true });
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(entries(app, 'app.will-quit').map((entry) => entry.prevented)).toEqual([true, false]);
  });

  it('quit during a sync: exits 0, leaves no temporary file and a sound journal, and the next start finishes', async () => {
    const home = await newHome('quit');
    const local = path.join(home, 'Quit');
    await mkdir(local, { recursive: true });
    const serverFolder = path.join(emulator.filesDir(), 'Quit');
    const first = launch(home);
    await launched(first);
    await signIn(first);
    const pair = await value<PairView>(first, 'addPair', { localFolder: local, remoteFolder: 'Quit' });
    await idle(first, pair.id);
    // Many files, slowly: the run is still going when Quit comes.
    await value(first, 'updatePair', { id: pair.id, bandwidth: { downloadKiBps: 128 } });
    const count = 120;
    const content = Buffer.alloc(32 * 1024, 7);
    for (let index = 0; index < count; index += 1) await writeFile(path.join(serverFolder, `file-${String(index).padStart(3, '0')}.bin`), content);
    await value(first, 'syncPairNow', { id: pair.id });
    await until('the download to be under way', async () => {
      const status = await statusOf(first, pair.id);
      return status.state === 'syncing' && (status.progress?.actionsDone ?? 0) >= 2;
    });

    expect(await quitFromTray(first)).toEqual({ code: 0, signal: null });
    const quitOrder = first.record().map((entry) => entry.api).filter((api) => ['app.before-quit', 'app.will-quit', 'process.exit'].includes(api));
    // The tray's Quit stops the services first, then quits: before-quit goes through at once
    // (will-quit waits for the log once, then quits again).
    expect(quitOrder).toEqual(['app.before-quit', 'app.will-quit', 'app.before-quit', 'app.will-quit', 'process.exit']);
    expect(entries(first, 'app.before-quit').map((entry) => entry.prevented)).toEqual([false, false]);
    expect(entries(first, 'app.will-quit').map((entry) => entry.prevented)).toEqual([true, false]);

    const leftAfterQuit = await filesUnder(local);
    expect(leftAfterQuit.filter((file) => isTempFileName(path.basename(file)))).toEqual([]);
    // The pair's service stopped before the process ended: it let go of the folder.
    expect(leftAfterQuit.filter((file) => path.basename(file).startsWith('.terasync-lock'))).toEqual([]);
    expect(leftAfterQuit.length).toBeLessThan(count);
    const journals = (await readdir(path.join(home, '.config', 'TeraSync', 'journals'))).filter((name) => name.endsWith('.sqlite'));
    expect(journals).toHaveLength(1);
    const journal = new Database(path.join(home, '.config', 'TeraSync', 'journals', journals[0]!));
    try {
      expect(journal.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      journal.close();
    }

    // The next start (signed in again: the sign-in was kept for the session only) finishes the sync.
    const second = launch(home);
    await launched(second);
    await signIn(second);
    await value(second, 'updatePair', { id: pair.id, bandwidth: { downloadKiBps: 0 } });
    await until('every file to arrive', async () => {
      const files = (await filesUnder(local)).filter((file) => file.endsWith('.bin'));
      return files.length === count;
    }, 60_000);
    await idle(second, pair.id);
    for (const file of (await filesUnder(local)).filter((name) => name.endsWith('.bin'))) expect((await stat(path.join(local, file))).size, file).toBe(content.length);
    expect((await statusOf(second, pair.id)).lastRun).toMatchObject({ errors: 0, conflicts: 0 });
    expect(await quitFromTray(second)).toEqual({ code: 0, signal: null });
  }, 120_000);
  it('a stop that hangs: Quit still quits after the quit timeout, and the log says why', async () => {
    const home = await newHome('hang');
    const local = path.join(home, 'Hang');
    await mkdir(local, { recursive: true });
    // The system's trash never answers: a run that deletes a local file never ends.
    const app = launch(home, { hang: ['shell.trashItem'] });
    await launched(app);
    await signIn(app);
    await value(app, 'updateSettings', { sync: { pollIntervalSeconds: 3600 } });
    const serverFolder = path.join(emulator.filesDir(), 'Hang');
    const pair = await value<PairView>(app, 'addPair', { localFolder: local, remoteFolder: 'Hang' });
    await idle(app, pair.id);
    await writeFile(path.join(serverFolder, 'doomed.txt'), 'deleted on the server next');
    await value(app, 'syncPairNow', { id: pair.id });
    await until('the download', () => existsSync(path.join(local, 'doomed.txt')));
    await idle(app, pair.id);
    await rm(path.join(serverFolder, 'doomed.txt'));
    await value(app, 'syncPairNow', { id: pair.id });
    await until('the trash to be asked', () => entries(app, 'shell.trashItem').length === 1);

    expect(await quitFromTray(app)).toEqual({ code: 0, signal: null });
    const log = readFileSync(path.join(home, '.config', 'TeraSync', 'logs', 'terasync.log'), 'utf8');
    expect(log).toContain('quitting without waiting longer for services to stop');
  }, 60_000);
});
