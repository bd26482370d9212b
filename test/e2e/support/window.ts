/**
 * The real React window in Chromium against the real services: the built renderer
 * (dist/renderer) loaded from file://, its `window.terasync` the IPC contract over the
 * WebSocket bridge (dev/ipcBridge, the test transport), the bridge answered by AppServices on
 * the local TeraCLOUD emulator (WebDAV, REST with the API key, and its OAuth2 server).
 * Electron itself cannot run here; everything on either side of the contract is the real
 * thing. What only the operating system does is played by the test, through the same deps
 * main gives AppServices: the folder dialog answers what the test queued, the browser that
 * OAuth2 opens is a second Chromium page the test drives, and opening or showing a file is
 * recorded.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startEmulator, type RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { startIpcBridge } from '../../../dev/ipcBridge/startIpcBridge.js';
import { AppServices } from '../../../electron/app/AppServices.js';
import type { HostLookup } from '../../../electron/auth/AccountService.js';
import { createIpcHandlers } from '../../../electron/app/createIpcHandlers.js';
import { unavailableUpdater, type UpdaterPort } from '../../../electron/app/UpdateController.js';
import { SessionSecretStore } from '../../../electron/auth/SessionSecretStore.js';
import { watchFolders } from '../../../electron/platform/folderWatcher.js';
import { systemClock, systemScheduler } from '../../../electron/core/time.js';
import { silentLogger } from '../../../electron/core/logger.js';
import type { PickPurpose } from '../../../shared/types.js';
import { repoRoot } from '../../support/cli.js';
import { requireSystemTool } from '../../support/requirements.js';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumRequirement = requireSystemTool('chromium', existsSync(CHROMIUM), 'chromium');

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Debian's Chromium with the flags this machine needs; file:// pages may load their own module scripts (Electron's loadFile allows it too). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...FLAGS, '--allow-file-access-from-files'] });
}

export interface WindowOptions {
  /** navigator.languages of the window. Default English. */
  locale?: string;
  colorScheme?: 'light' | 'dark';
  /** The window's size. Default 1100x800. */
  viewport?: { width: number; height: number };
  /** The host lookup the account service signs in with (a node name that does not exist); default the system's. */
  lookupHost?: HostLookup;
  /** The app's own updater (a scripted one): checked at once. Default: none, updates off. */
  updater?: UpdaterPort;
}

export interface RunningWindow {
  page: Page;
  context: BrowserContext;
  /** Errors the page logged or threw: a test ends with none. */
  problems: string[];
  emulator: RunningEmulator;
  services: AppServices;
  /** A folder of the test's own, removed at close. */
  folder: string;
  /** Queues the system dialog's next answer (null: the user cancelled). */
  answerDialog(purpose: PickPurpose, answer: string | null): void;
  /** Dialogs asked for that had no answer queued. */
  unansweredDialogs: PickPurpose[];
  /** The URLs the app opened in "the browser" for an OAuth2 sign-in, oldest first. */
  browserUrls: string[];
  /** Files and folders the app opened (shell.openPath) and showed (shell.showItemInFolder). */
  opened: string[];
  shown: string[];
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

export async function openWindow(options: WindowOptions = {}): Promise<RunningWindow> {
  const rendererPage = join(repoRoot, 'dist', 'renderer', 'index.html');
  if (!existsSync(rendererPage)) throw new Error('dist/renderer is not built: run npm run build (npm test does)');
  const folder = await mkdtemp(join(tmpdir(), 'terasync-e2e-'));
  const emulator = await startEmulator();
  const dialogAnswers: Array<{ purpose: PickPurpose; answer: string | null }> = [];
  const unansweredDialogs: PickPurpose[] = [];
  const browserUrls: string[] = [];
  const opened: string[] = [];
  const shown: string[] = [];
  await mkdir(join(folder, 'trash'), { recursive: true });
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
    openPath: async (target) => {
      opened.push(target);
    },
    showItemInFolder: async (file) => {
      shown.push(file);
    },
    pickPath: async (purpose) => {
      const index = dialogAnswers.findIndex((item) => item.purpose === purpose);
      if (index === -1) {
        unansweredDialogs.push(purpose);
        return null;
      }
      return dialogAnswers.splice(index, 1)[0]!.answer;
    },
    openExternal: async (url) => {
      opened.push(url);
    },
    openBrowser: async (url) => {
      browserUrls.push(url);
    },
    api: { baseUrl: emulator.apiBaseUrl, applicationKey: emulator.apiKey, keyPlacement: 'header' },
    oauth: emulator.oauth === null ? null : { issuer: emulator.oauth.issuer, clientId: emulator.oauth.clientId, scopes: emulator.oauth.scopes },
    allowCustomHost: true,
    ...(options.lookupHost === undefined ? {} : { lookupHost: options.lookupHost }),
    // Like the app run from a checkout, with the package's version (the Updates card shows it).
    ...(options.updater === undefined
      ? { updater: unavailableUpdater((JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version) }
      : { updater: options.updater, updateTimings: { startDelayMs: 0 } }),
    concurrency: 2,
    syncOptions: { quietMs: 50 },
  });
  await services.start();
  const bridge = await startIpcBridge({ handlers: createIpcHandlers(services), events: services.events });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    // The app's CSP allows no connection at all (connect-src 'none'); only this test transport needs one.
    const context = await browser.newContext({
      bypassCSP: true,
      locale: options.locale ?? 'en-US',
      colorScheme: options.colorScheme ?? 'light',
      viewport: options.viewport ?? { width: 1100, height: 800 },
    });
    await context.addInitScript({ content: await bridgeScript(bridge.url, bridge.token) });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    const launched = browser;
    return {
      page,
      context,
      problems,
      emulator,
      services,
      folder,
      answerDialog: (purpose, answer) => dialogAnswers.push({ purpose, answer }),
      unansweredDialogs,
      browserUrls,
      opened,
      shown,
      open: async () => {
        await page.goto(`file://${rendererPage}`);
      },
      close: async () => {
        await launched.close();
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

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core's WCAG 2 A/AA rules (and its best practices) on the page as it is now. Answers
 * the violations, each with the elements it found, so a failing test says what to fix.
 */
export async function checkAccessibility(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => node.target.map(String).join(' ')),
    }));
  });
}

/** Where `npm run screenshots` keeps the screenshots (shown in the README; tracked by git). */
export const screenshotFolder = join(repoRoot, 'docs', 'screenshots');

/**
 * True under `npm run screenshots` (vitest --mode screenshots, which vitest puts in the
 * environment as MODE): only then are the tracked files written, so that a test run leaves a
 * clean checkout clean.
 */
export const writeScreenshots = process.env['MODE'] === 'screenshots';

/**
 * A screenshot of the whole window: into docs/screenshots/<name>.png when asked for, else
 * taken all the same (the page must render to an image) and dropped.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  // Caret blinking and the relative times are the only things that move; hide the caret.
  const options = { fullPage: true, caret: 'hide', animations: 'disabled' } as const;
  if (!writeScreenshots) {
    const image = await page.screenshot(options);
    if (image.length === 0) throw new Error(`the screenshot "${name}" is empty`);
    return;
  }
  await mkdir(screenshotFolder, { recursive: true });
  await page.screenshot({ ...options, path: join(screenshotFolder, `${name}.png`) });
}

/** Signs in on the sign-in screen with the emulator's first account and its Apps password (English window). */
export async function signInWithPassword(running: RunningWindow): Promise<void> {
  const { page, emulator } = running;
  const account = emulator.accounts[0]!;
  await page.getByLabel('User ID').fill(account.userId);
  await page.getByLabel('Apps password', { exact: true }).fill(account.appsPassword);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}
