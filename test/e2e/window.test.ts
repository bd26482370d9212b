/**
 * The window end to end, in Chromium, against the real services on the emulator (see
 * support/window.ts): what a user does, in the order a user does it, one story per describe.
 * Every screen is checked with axe-core (WCAG 2.2 A/AA) and photographed on the way (into
 * docs/screenshots/ under `npm run screenshots` only).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccessibility, chromiumRequirement, openWindow, screenshot, screenshotFolder, writeScreenshots, signInWithPassword, type RunningWindow } from './support/window.js';
import { until } from '../support/until.js';

/** docs/screenshots/ as size and modification time per file. */
function trackedScreenshots(): Record<string, string> {
  if (!existsSync(screenshotFolder)) return {};
  return Object.fromEntries(
    readdirSync(screenshotFolder).map((name) => {
      const stats = statSync(join(screenshotFolder, name));
      return [name, `${stats.size} bytes, modified ${stats.mtimeMs}`];
    }),
  );
}

/** As this run found them: a test run that was not asked to must leave them alone. */
const screenshotsAtStart = trackedScreenshots();

async function expectAccessible(page: Page, screen: string): Promise<void> {
  const violations = await checkAccessibility(page);
  expect(violations, `axe on ${screen}`).toEqual([]);
}

const text = (file: string): Promise<string | null> => readFile(file, 'utf8').catch(() => null);

async function stateWords(page: Page): Promise<string> {
  return (await page.locator('.state-words').textContent()) ?? '';
}

describe.skipIf(chromiumRequirement.skip)('the window, in Chromium, against the real services', () => {
  let running: RunningWindow;
  let local: string;
  let server: string;

  beforeAll(async () => {
    chromiumRequirement.assertAvailable();
    running = await openWindow();
    local = join(running.folder, 'TeraCLOUD');
    server = join(running.emulator.filesDir(), 'Sync');
    await mkdir(join(server, 'Projects'), { recursive: true });
    await mkdir(join(server, 'Videos'), { recursive: true });
    await writeFile(join(server, 'welcome.txt'), 'from the server');
    await writeFile(join(server, 'Projects', 'plan.txt'), 'the plan');
    await writeFile(join(server, 'Videos', 'big.mov'), 'not wanted on this computer');
    await mkdir(local, { recursive: true });
    await writeFile(join(local, 'notes.txt'), 'from this computer');
  }, 60_000);

  afterAll(async () => {
    await running?.close();
  });

  it('signs in with an Apps password: a wrong one is explained, the right one goes on to the set-up', async () => {
    const { page } = running;
    await running.open();
    await page.getByRole('heading', { name: 'Sign in to TeraCLOUD' }).waitFor();
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');

    await page.getByLabel('User ID').fill(running.emulator.accounts[0]!.userId);
    await page.getByLabel('Apps password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('TeraCLOUD did not accept the sign-in.').waitFor();
    expect(await page.getByText(/Apps connection must be turned on in MyPage/).isVisible()).toBe(true);
    await expectAccessible(page, 'sign-in with an error');
    await screenshot(page, 'sign-in-error');
    await page.getByRole('button', { name: 'Open MyPage' }).first().click();
    await until('MyPage opened in the browser', () => running.opened.some((url) => url.startsWith('https://teracloud.jp/en/modules/mypage/')));

    await signInWithPassword(running);
    await page.getByRole('heading', { name: 'Set up a synced folder' }).waitFor();
    expect(await page.content()).not.toContain(running.emulator.accounts[0]!.appsPassword);
    expect(running.problems).toEqual([]);
  }, 60_000);

  it('sets up a pair: the folder from the dialog, the server folder browsed, one folder left out, a preview, then the first sync', async () => {
    const { page } = running;
    running.answerDialog('syncFolder', local);
    await page.getByRole('button', { name: 'Choose…' }).click();
    await until('the chosen folder in the field', async () => (await page.getByLabel('Local folder').inputValue()) === local);
    await expectAccessible(page, 'set-up, local folder');
    await screenshot(page, 'setup-1-local');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('button', { name: 'Open Sync' }).click();
    await page.getByText('Selected: Sync', { exact: true }).waitFor();
    await expectAccessible(page, 'set-up, server folder');
    await screenshot(page, 'setup-2-remote');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('checkbox', { name: 'Videos' }).uncheck();
    expect(await page.getByRole('checkbox', { name: 'Projects' }).isChecked()).toBe(true);
    await expectAccessible(page, 'set-up, selective sync');
    await screenshot(page, 'setup-3-folders');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByText('1 file (18 B) go up to TeraCLOUD').waitFor();
    await page.getByText('2 files (23 B) come down to this computer').waitFor();
    await expectAccessible(page, 'set-up, preview');
    await screenshot(page, 'setup-4-preview');
    // The preview changed nothing on either side.
    expect(existsSync(join(server, 'notes.txt'))).toBe(false);
    expect(existsSync(join(local, 'welcome.txt'))).toBe(false);

    await page.getByRole('button', { name: 'Start syncing' }).click();
    await page.getByRole('heading', { name: 'Status', level: 1 }).waitFor();
    await until('the first sync', async () => (await stateWords(page)) === 'Up to date' && (await text(join(local, 'welcome.txt'))) === 'from the server');
    expect(await text(join(server, 'notes.txt'))).toBe('from this computer');
    expect(await text(join(local, 'Projects', 'plan.txt'))).toBe('the plan');
    expect(existsSync(join(local, 'Videos'))).toBe(false);
    const pair = running.services.settings.current.pairs[0]!;
    expect(pair.excludedFolders).toEqual(['Videos']);
  }, 60_000);

  it('shows the status with the last sync runs and the quota, and shows a file of a run', async () => {
    const { page } = running;
    const recent = page.getByRole('region', { name: 'Recent activity' });
    await recent.getByText('Added 2 files to this computer').waitFor();
    await recent.getByText('Added 1 file to TeraCLOUD').waitFor();
    await page.getByText(/used \(/).waitFor();
    await expectAccessible(page, 'status');
    await screenshot(page, 'status');
    await recent.getByRole('button', { name: 'Show the files: Added 2 files to this computer' }).click();
    await expectAccessible(page, 'status, a run opened');
    await recent.getByRole('button', { name: /^welcome\.txt/ }).click();
    await until('the file shown in its folder', () => running.shown.includes(join(local, 'welcome.txt')));
  }, 60_000);

  it('pauses and resumes: changes made while paused go up after Resume', async () => {
    const { page } = running;
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await until('paused', async () => (await stateWords(page)) === 'Paused');
    await writeFile(join(local, 'while-paused.txt'), 'waited');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(existsSync(join(server, 'while-paused.txt'))).toBe(false);
    await screenshot(page, 'status-paused');
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await until('the change sent after resuming', async () => (await text(join(server, 'while-paused.txt'))) === 'waited');
    await until('up to date', async () => (await stateWords(page)) === 'Up to date');
  }, 60_000);

  it('resolves three conflicts, one each way, and nothing is lost', async () => {
    const { page } = running;
    const names = ['keep-mine.txt', 'keep-theirs.txt', 'keep-both.txt'];
    for (const name of names) await writeFile(join(local, name), 'synced\n');
    await until('the files on the server', async () => (await Promise.all(names.map((name) => text(join(server, name))))).every((value) => value === 'synced\n'));
    await until('up to date', async () => (await stateWords(page)) === 'Up to date');
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await until('paused', async () => (await stateWords(page)) === 'Paused');
    for (const name of names) {
      await writeFile(join(local, name), 'mine\n');
      await writeFile(join(server, name), 'theirs, longer\n');
    }
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await until('three conflicts', async () => (await stateWords(page)) === '3 conflicts wait for you');
    await page.getByRole('button', { name: 'Review conflicts' }).click();
    await page.getByRole('heading', { name: 'Conflicts', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'keep-both.txt' }).waitFor();
    await expectAccessible(page, 'conflicts');
    await screenshot(page, 'conflicts');

    const card = (name: string) => page.locator('article.conflict', { has: page.getByRole('heading', { name }) });
    await card('keep-mine.txt').getByRole('button', { name: 'Open this computer’s version of keep-mine.txt' }).click();
    await until('my version opened', () => running.opened.some((file) => file.startsWith(join(local, 'keep-mine (conflict'))));
    await card('keep-mine.txt').getByRole('button', { name: 'Keep this computer’s version' }).click();
    await card('keep-mine.txt').waitFor({ state: 'detached' });
    await card('keep-theirs.txt').getByRole('button', { name: 'Keep the TeraCLOUD version' }).click();
    await card('keep-theirs.txt').waitFor({ state: 'detached' });
    await card('keep-both.txt').getByRole('button', { name: 'Keep both' }).click();
    await page.getByText('No conflicts. Every file has one version.').waitFor();

    await until('both sides in step', async () => {
      return (
        (await text(join(server, 'keep-mine.txt'))) === 'mine\n' &&
        (await text(join(local, 'keep-mine.txt'))) === 'mine\n' &&
        (await text(join(server, 'keep-theirs.txt'))) === 'theirs, longer\n' &&
        (await text(join(local, 'keep-theirs.txt'))) === 'theirs, longer\n' &&
        (await text(join(local, 'keep-both.txt'))) === 'theirs, longer\n'
      );
    });
    const both = running.services.settings.current.pairs[0]!;
    expect(both.localFolder).toBe(local);
    const copies = (await import('node:fs/promises')).readdir(local);
    const bothCopy = (await copies).find((name) => name.startsWith('keep-both (conflict'));
    expect(bothCopy).toBeDefined();
    expect(await text(join(local, bothCopy!))).toBe('mine\n');
    await until('the copy kept on the server too', async () => (await text(join(server, bothCopy!))) === 'mine\n');
  }, 90_000);

  it('stops before a mass deletion, lists it, restores on "Restore them", deletes on "Delete them"', async () => {
    const { page } = running;
    await page.getByRole('button', { name: 'Status' }).click();
    const batch = join(local, 'Batch');
    await mkdir(batch, { recursive: true });
    const files = Array.from({ length: 30 }, (_, index) => `file-${String(index).padStart(2, '0')}.txt`);
    for (const name of files) await writeFile(join(batch, name), `content of ${name}`);
    await until('the batch on the server', async () => (await Promise.all(files.map((name) => text(join(server, 'Batch', name))))).every((value) => value !== null), 30_000);
    await until('up to date', async () => (await stateWords(page)) === 'Up to date');

    await rm(batch, { recursive: true });
    await page.getByRole('heading', { name: 'Syncing stopped before deleting files' }).waitFor({ timeout: 20_000 });
    await page.locator('.deletions').getByText('Batch/file-00.txt').waitFor();
    // The deletions held back are the changes waiting (30 files and their folder, and more).
    expect(await stateWords(page)).toMatch(/^Waiting for your decision · \d+ changes waiting$/);
    expect(existsSync(join(server, 'Batch', 'file-00.txt'))).toBe(true);
    await expectAccessible(page, 'fail-safe');
    await screenshot(page, 'failsafe');

    await page.getByRole('button', { name: 'Restore them' }).click();
    await until('the batch back on this computer', async () => (await Promise.all(files.map((name) => text(join(batch, name))))).every((value, index) => value === `content of ${files[index]}`));
    await until('up to date', async () => (await stateWords(page)) === 'Up to date');
    expect(existsSync(join(server, 'Batch', 'file-29.txt'))).toBe(true);

    await rm(batch, { recursive: true });
    await page.getByRole('heading', { name: 'Syncing stopped before deleting files' }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Delete them' }).click();
    await page.getByRole('button', { name: 'Yes, delete them' }).click();
    await until('the batch gone from the server', () => !existsSync(join(server, 'Batch', 'file-00.txt')));
    await until('up to date', async () => (await stateWords(page)) === 'Up to date');
  }, 120_000);

  it('lists every sync run on the Activity screen, filtered by kind', async () => {
    const { page } = running;
    await page.getByRole('button', { name: 'Show all activity' }).click();
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    const list = page.getByRole('region', { name: 'Activity' });
    await list.getByText('Deleted 30 files on TeraCLOUD').waitFor();
    await list.getByText('Added 2 files to this computer').waitFor();
    await expectAccessible(page, 'activity');
    await screenshot(page, 'activity');

    await page.getByLabel('Show', { exact: true }).selectOption('deleted');
    await until('only the deletions', async () => (await list.getByText('Added 2 files to this computer').count()) === 0);
    await list.getByRole('button', { name: 'Show the files: Deleted 30 files on TeraCLOUD' }).click();
    await list.getByText('Batch/file-00.txt').waitFor();
    await expectAccessible(page, 'activity, deletions opened');
    await page.getByLabel('Show', { exact: true }).selectOption('all');
    await list.getByText('Added 2 files to this computer').waitFor();
  }, 60_000);

  it('backs up a folder, then restores a deleted file from the backup', async () => {
    const { page } = running;
    const documents = join(running.folder, 'Documents');
    await mkdir(join(documents, 'letters'), { recursive: true });
    await writeFile(join(documents, 'letters', 'to-grandma.txt'), 'Dear grandma');
    await writeFile(join(documents, 'budget.csv'), 'a,b\n1,2\n');
    await page.getByRole('button', { name: 'Backup' }).click();
    await page.getByRole('heading', { name: 'Backup', level: 1 }).waitFor();
    running.answerDialog('backupSource', documents);
    await page.getByRole('button', { name: 'Add a folder…' }).click();
    await page.getByText(documents, { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Back up now' }).click();
    await page.getByText(/2 files sent/).first().waitFor({ timeout: 20_000 });
    expect(await text(join(running.emulator.backupDir(), 'e2e', 'Documents', 'letters', 'to-grandma.txt'))).toBe('Dear grandma');
    await page.getByRole('table').waitFor();
    await expectAccessible(page, 'backup');
    await screenshot(page, 'backup');

    await rm(join(documents, 'letters', 'to-grandma.txt'));
    // The restore section lists what the backup that just ended holds.
    await page.getByLabel('Backed-up folder').selectOption('Documents');
    await page.getByRole('button', { name: 'Show files' }).click();
    await page.getByRole('button', { name: 'Folder letters' }).click();
    await page.getByRole('radio', { name: /to-grandma\.txt/ }).check();
    await page.getByText('Selected: Documents/letters/to-grandma.txt').waitFor();
    await expectAccessible(page, 'restore');
    await screenshot(page, 'restore');
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    await page.getByText('1 file restored.').waitFor({ timeout: 20_000 });
    expect(await text(join(documents, 'letters', 'to-grandma.txt'))).toBe('Dear grandma');
  }, 90_000);

  it('shows the settings, and switches the whole window to Japanese and back', async () => {
    const { page } = running;
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await page.getByText('Videos', { exact: true }).waitFor();
    await expectAccessible(page, 'settings');
    await screenshot(page, 'settings');

    await page.getByLabel('Language').selectOption('ja');
    await page.getByRole('heading', { name: '設定', level: 1 }).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang)).toBe('ja');
    await expectAccessible(page, 'settings in Japanese');
    await screenshot(page, 'settings-ja');
    await page.getByRole('button', { name: '状態' }).click();
    await page.getByRole('heading', { name: '状態', level: 1 }).waitFor();
    await page.locator('.state-words', { hasText: '最新の状態です' }).waitFor();
    await expectAccessible(page, 'status in Japanese');
    await screenshot(page, 'status-ja');
    await page.getByRole('button', { name: 'すべてのアクティビティを表示' }).click();
    await page.getByRole('heading', { name: 'アクティビティ', level: 1 }).waitFor();
    await page.getByText('TeraCLOUD上の30個のファイルを削除しました').waitFor();
    await page.getByRole('button', { name: 'ファイルを表示：TeraCLOUD上の30個のファイルを削除しました' }).click();
    await expectAccessible(page, 'activity in Japanese');
    expect(running.services.settings.current.app.language).toBe('ja');

    await page.getByRole('button', { name: '設定' }).click();
    await page.getByLabel('言語').selectOption('en');
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  }, 60_000);

  it('passes the checks in the dark theme too', async () => {
    const { page } = running;
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByRole('button', { name: 'Status' }).click();
    await page.getByRole('heading', { name: 'Status', level: 1 }).waitFor();
    await expectAccessible(page, 'status, dark');
    await screenshot(page, 'status-dark');
    await page.getByRole('button', { name: 'Activity', exact: true }).click();
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Show the files: Deleted 30 files on TeraCLOUD' }).click();
    await expectAccessible(page, 'activity, dark');
    await page.getByRole('button', { name: 'Settings' }).click();
    await expectAccessible(page, 'settings, dark');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(running.problems).toEqual([]);
    expect(running.unansweredDialogs).toEqual([]);
  }, 60_000);
});

describe.skipIf(chromiumRequirement.skip)('signing in with the browser (OAuth2)', () => {
  let running: RunningWindow;

  beforeAll(async () => {
    chromiumRequirement.assertAvailable();
    running = await openWindow();
  }, 60_000);

  afterAll(async () => {
    await running?.close();
  });

  it('opens the authorization page, which the test signs in to, and the window is signed in', async () => {
    const { page, context, emulator } = running;
    await running.open();
    await page.getByRole('button', { name: 'Sign in with browser' }).click();
    await page.getByText('Waiting for your browser…').waitFor();
    await until('the authorization URL', () => running.browserUrls.length === 1);
    await expectAccessible(page, 'waiting for the browser');
    await screenshot(page, 'sign-in-browser');

    // The system browser: a page of its own, the authorization server's real login form.
    const browser = await context.newPage();
    await browser.goto(running.browserUrls[0]!);
    const account = emulator.accounts[0]!;
    await browser.locator('input[name="userId"]').fill(account.userId);
    await browser.locator('input[name="password"]').fill(account.appsPassword);
    await browser.getByRole('button', { name: 'Sign in' }).click();
    await browser.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\//);
    await browser.close();

    await page.getByRole('heading', { name: 'Set up a synced folder' }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByText('Browser sign-in (OAuth2)').waitFor();
    expect(await page.getByText(emulator.v2DavUrl).isVisible()).toBe(true);
    expect(running.problems).toEqual([]);
  }, 60_000);

  it('gives up a browser sign-in on Cancel', async () => {
    const { page } = running;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to TeraCLOUD' }).waitFor();
    await page.getByRole('button', { name: 'Sign in with browser' }).click();
    await page.getByText('Waiting for your browser…').waitFor();
    await page.getByRole('button', { name: 'Cancel sign-in' }).click();
    await page.getByText('Cancelled.', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Sign in with browser' }).waitFor();
    expect(running.problems).toEqual([]);
  }, 60_000);
});

describe.skipIf(chromiumRequirement.skip)('a Japanese system', () => {
  let running: RunningWindow;

  beforeAll(async () => {
    chromiumRequirement.assertAvailable();
    running = await openWindow({ locale: 'ja-JP' });
  }, 60_000);

  afterAll(async () => {
    await running?.close();
  });

  it('shows the window in Japanese from the start', async () => {
    const { page } = running;
    await running.open();
    await page.getByRole('heading', { name: 'TeraCLOUDにサインイン' }).waitFor();
    await expectAccessible(page, 'sign-in in Japanese');
    await screenshot(page, 'sign-in-ja');
    await signInJapanese(running);
    await page.getByRole('heading', { name: '同期するフォルダーの設定' }).waitFor();
    await expectAccessible(page, 'set-up in Japanese');
    expect(running.problems).toEqual([]);
  }, 60_000);
});

// Last in the file: after every screen was photographed.
describe.skipIf(chromiumRequirement.skip)('the screenshots in docs/screenshots/', () => {
  it(writeScreenshots ? 'are taken again under npm run screenshots' : 'are left as they were: only npm run screenshots writes them', () => {
    const now = trackedScreenshots();
    if (!writeScreenshots) {
      expect(now).toEqual(screenshotsAtStart);
      return;
    }
    for (const name of ['sign-in.png', 'status.png', 'failsafe.png', 'sign-in-ja.png']) expect(now[name], name).not.toBe(screenshotsAtStart[name]);
  });
});

async function signInJapanese(running: RunningWindow): Promise<void> {
  const { page, emulator } = running;
  const account = emulator.accounts[0]!;
  await page.getByLabel('ユーザーID').fill(account.userId);
  await page.getByLabel('アプリパスワード', { exact: true }).fill(account.appsPassword);
  await page.getByRole('button', { name: 'サインイン', exact: true }).click();
}
