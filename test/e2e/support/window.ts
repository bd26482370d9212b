/**
 * The real React window in Chromium against the real services: the built renderer
 * (dist/renderer) loaded from file://, its `window.terasync` the IPC contract over the
 * WebSocket bridge (dev/ipcBridge, the test transport), the bridge answered by AppServices on
 * the local TeraCLOUD emulator. Electron itself cannot run here; everything on either side of
 * the contract is the real thing.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startEmulator, type RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { startIpcBridge } from '../../../dev/ipcBridge/startIpcBridge.js';
import { AppServices } from '../../../electron/app/AppServices.js';
import { createIpcHandlers } from '../../../electron/app/createIpcHandlers.js';
import { SessionSecretStore } from '../../../electron/auth/SessionSecretStore.js';
import { watchFolders } from '../../../electron/platform/folderWatcher.js';
import { silentLogger, systemClock, systemScheduler } from '../../../electron/sync/ports.js';
import { repoRoot } from '../../support/cli.js';
import { requireSystemTool } from '../../support/requirements.js';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumRequirement = requireSystemTool('chromium', existsSync(CHROMIUM), 'chromium');

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface RunningWindow {
  page: Page;
  /** Errors the page logged or threw: a test ends with none. */
  problems: string[];
  emulator: RunningEmulator;
  services: AppServices;
  /** Loads (or reloads) the window. */
  open(): Promise<void>;
  close(): Promise<void>;
}

/** The bridge's browser client as one script that sets `window.terasync` before the app loads. */
async function bridgeScript(url: string, token: string): Promise<string> {
  const bundle = await build({
    absWorkingDir: repoRoot,
    entryPoints: ['dev/ipcBridge/browserClient.ts'],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'TeraSyncBridge',
    platform: 'browser',
    target: 'chrome120',
  });
  const [output] = bundle.outputFiles;
  if (output === undefined) throw new Error('the bridge client did not build');
  return `${output.text}\nwindow.terasync = TeraSyncBridge.createBridgeApi(${JSON.stringify(url)}, ${JSON.stringify(token)});`;
}

export async function openWindow(): Promise<RunningWindow> {
  const rendererPage = join(repoRoot, 'dist', 'renderer', 'index.html');
  if (!existsSync(rendererPage)) throw new Error('dist/renderer is not built: run npm run build (npm test does)');
  const folder = await mkdtemp(join(tmpdir(), 'terasync-e2e-'));
  const emulator = await startEmulator({ oauth: false });
  const services = new AppServices({
    appDataFolder: join(folder, 'appdata'),
    secrets: new SessionSecretStore(),
    clock: systemClock,
    scheduler: systemScheduler,
    logger: silentLogger,
    watch: watchFolders,
    trash: { trash: (file) => rm(file, { recursive: true, force: true }) },
    platform: process.platform,
    device: 'e2e',
    openPath: async () => undefined,
    openExternal: async () => undefined,
    openBrowser: async () => undefined,
    allowCustomHost: true,
    concurrency: 2,
    syncOptions: { quietMs: 50 },
  });
  await services.start();
  const bridge = await startIpcBridge({ handlers: createIpcHandlers(services), events: services.events });
  let browser: Browser | undefined;
  try {
    // file:// pages may load their own module scripts (Electron's loadFile allows it too).
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...FLAGS, '--allow-file-access-from-files'] });
    // The app's CSP allows no connection at all (connect-src 'none'); only this test transport needs one.
    const context = await browser.newContext({ bypassCSP: true });
    await context.addInitScript({ content: await bridgeScript(bridge.url, bridge.token) });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    const opened = browser;
    return {
      page,
      problems,
      emulator,
      services,
      open: async () => {
        await page.goto(`file://${rendererPage}`);
      },
      close: async () => {
        await opened.close();
        await bridge.close();
        await services.stop();
        await emulator.close();
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close();
    await bridge.close();
    await services.stop();
    await emulator.close();
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}
