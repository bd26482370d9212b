/**
 * The fake `electron` refuses what Electron refuses, so that the boot test fails where the app
 * would fail under Electron: a main script written here (not the app) runs under it in a child
 * process and tries each mistake.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startApp, until, type RecordEntry, type RunningApp } from '../../support/fakeElectron/driver.js';

let scratch: string;
let app: RunningApp;

/** Writes what each attempt gave (ok, or the error's message) to attempts.json. */
const MAIN = `
import { app, BrowserWindow, ipcMain, Tray, Menu, session, powerMonitor } from 'electron';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const attempts = [];
function attempt(what, run) {
  try {
    run();
    attempts.push({ what, outcome: 'ok' });
  } catch (error) {
    attempts.push({ what, outcome: error.message });
  }
}

attempt('a window before ready', () => new BrowserWindow({}));
attempt('the session before ready', () => session.defaultSession);
attempt('powerMonitor before ready', () => powerMonitor.on('resume', () => undefined));
attempt('a relative userData', () => app.setPath('userData', 'relative/folder'));

app.whenReady().then(async () => {
  attempt('a tray icon that does not exist', () => new Tray(path.join(here, 'missing.png')));
  attempt('a tray icon that is not a PNG', () => new Tray(path.join(here, 'icon.ico')));
  attempt('a tray icon that is a PNG', () => new Tray(path.join(${JSON.stringify(repoRoot)}, 'assets', 'tray', 'idle-dark-22.png')));
  attempt('a menu item with nothing', () => Menu.buildFromTemplate([{}]));
  ipcMain.handle('twice', () => 1);
  attempt('a second handler on a channel', () => ipcMain.handle('twice', () => 2));

  const isolated = new BrowserWindow({ show: false, webPreferences: { preload: path.join(here, 'preload-node.cjs'), contextIsolation: true, sandbox: true } });
  await isolated.loadFile(path.join(here, 'page.html'));
  const open = new BrowserWindow({ show: false, webPreferences: { preload: path.join(here, 'preload-bridge.cjs'), contextIsolation: false } });
  await open.loadFile(path.join(here, 'page.html'));
  let missingPage = 'ok';
  await open.loadFile(path.join(here, 'missing.html')).catch((error) => {
    missingPage = error.message;
  });
  attempts.push({ what: 'a page that does not exist', outcome: missingPage });
  writeFileSync(path.join(here, 'attempts.json'), JSON.stringify(attempts));
});
`;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'terasync-fake-electron-'));
  await mkdir(path.join(scratch, 'home'), { recursive: true });
  await writeFile(path.join(scratch, 'package.json'), JSON.stringify({ name: 'fake-check', type: 'module' }));
  await writeFile(path.join(scratch, 'main.js'), MAIN);
  await writeFile(path.join(scratch, 'icon.ico'), Buffer.from([0, 0, 1, 0, 1, 0, 16, 16]));
  await writeFile(path.join(scratch, 'page.html'), '<!doctype html><title>page</title>');
  // A sandboxed preload gets no Node modules.
  await writeFile(path.join(scratch, 'preload-node.cjs'), "require('node:fs');");
  await writeFile(path.join(scratch, 'preload-bridge.cjs'), "require('electron').contextBridge.exposeInMainWorld('api', {});");
  app = startApp({ appPath: scratch, main: path.join(scratch, 'main.js'), home: path.join(scratch, 'home'), recordFile: path.join(scratch, 'record.jsonl') });
  await until('the attempts', () => existsSync(path.join(scratch, 'attempts.json')));
});

afterAll(async () => {
  app?.kill();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

async function attempts(): Promise<Record<string, string>> {
  const list = JSON.parse(await readFile(path.join(scratch, 'attempts.json'), 'utf8')) as Array<{ what: string; outcome: string }>;
  return Object.fromEntries(list.map((item) => [item.what, item.outcome]));
}

function entries(api: string): RecordEntry[] {
  return app.record().filter((entry) => entry.api === api);
}

describe('the fake electron refuses what Electron refuses', () => {
  it('before ready: no window, no session, no powerMonitor; setPath wants an absolute path', async () => {
    const outcome = await attempts();
    expect(outcome['a window before ready']).toMatch(/after the app's 'ready' event/);
    expect(outcome['the session before ready']).toMatch(/after the app's 'ready' event/);
    expect(outcome['powerMonitor before ready']).toMatch(/after the app's 'ready' event/);
    expect(outcome['a relative userData']).toBe('Path must be absolute');
  });

  it('a tray image that does not exist or is not a PNG (recorded), a menu item with nothing, a second handler', async () => {
    const outcome = await attempts();
    expect(outcome['a tray icon that does not exist']).toMatch(/empty image \(no such file\)/);
    expect(outcome['a tray icon that is not a PNG']).toMatch(/empty image \(not a PNG\)/);
    expect(outcome['a tray icon that is a PNG']).toBe('ok');
    expect(entries('nativeImage.empty').map((entry) => entry.problem)).toEqual(['no such file', 'not a PNG']);
    expect(outcome['a menu item with nothing']).toMatch(/must have at least one of label, role or type/);
    expect(outcome['a second handler on a channel']).toBe("Attempted to register a second handler for 'twice'");
  });

  it('a preload that requires a Node module, contextBridge without context isolation, a page that does not exist', async () => {
    const failed = entries('preload.failed');
    expect(failed.map((entry) => entry.problem)).toEqual(['module not found: node:fs', 'contextBridge API can only be used when contextIsolation is enabled']);
    expect(entries('contextBridge.exposeInMainWorld')).toEqual([]);
    expect((await attempts())['a page that does not exist']).toMatch(/^ERR_FILE_NOT_FOUND/);
    // The process is still up, as Electron's main process would be.
    expect((await app.state()).ready).toBe(true);
  });
});
