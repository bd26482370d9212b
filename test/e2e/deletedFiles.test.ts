/**
 * A way back for deletions, end to end in Chromium against the real services on the emulator
 * (see support/window.ts): a folder deleted on this computer is deleted on TeraCLOUD by the
 * sync (into the pair's trash there); its activity run says so and offers Restore, which opens
 * that run on the Deleted files screen; Restore brings the files back on TeraCLOUD and, by the
 * next sync, on disk. Each screen is checked with axe-core, in English and Japanese, and
 * photographed for the README (deleted.png, deleted-ja.png) under `npm run screenshots`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccessibility, chromiumRequirement, openWindow, screenshot, signInWithPassword, type RunningWindow } from './support/window.js';
import { until } from '../support/until.js';

async function expectAccessible(page: Page, screen: string): Promise<void> {
  expect(await checkAccessibility(page), `axe on ${screen}`).toEqual([]);
}

describe.skipIf(chromiumRequirement.skip)('restoring files a sync deleted on TeraCLOUD, in Chromium', () => {
  let running: RunningWindow;
  let local: string;
  let server: string;
  let pairId: string;

  beforeAll(async () => {
    chromiumRequirement.assertAvailable();
    running = await openWindow();
    const { page, emulator } = running;
    const account = emulator.accounts[0]!;
    local = join(running.folder, 'Work');
    server = join(emulator.filesDir(account.userId), 'Work');
    await mkdir(join(local, 'Reports'), { recursive: true });
    await mkdir(server, { recursive: true });
    for (const name of ['q1.txt', 'q2.txt', 'q3.txt']) await writeFile(join(local, 'Reports', name), `the report ${name}`);
    await writeFile(join(local, 'notes.txt'), 'notes');
    await running.open();
    await signInWithPassword(running);
    await page.getByRole('heading', { name: 'Set up a synced folder' }).waitFor();
    pairId = (await running.services.addPair(local, 'Work')).id;
    await until('the first sync', () => existsSync(join(server, 'Reports', 'q3.txt')) && existsSync(join(server, 'notes.txt')));
  }, 60_000);

  afterAll(async () => {
    await running?.close();
  });

  it('says the run deleted files on TeraCLOUD and offers Restore, which opens that run of Deleted files', async () => {
    const { page, services } = running;
    await rm(join(local, 'Reports'), { recursive: true, force: true });
    services.syncNow(pairId);
    await until('the folder deleted on TeraCLOUD', () => !existsSync(join(server, 'Reports')));

    await page.getByRole('button', { name: 'Activity', exact: true }).click();
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    const run = page.getByRole('article').filter({ hasText: 'Deleted 3 files on TeraCLOUD' });
    await run.waitFor();
    const restore = run.getByRole('button', { name: 'Restore deleted files' });
    await expectAccessible(page, 'an activity run with deletions on TeraCLOUD');

    await restore.click();
    await page.getByRole('heading', { name: 'Deleted files', level: 1 }).waitFor();
    const opened = page.getByRole('article').first();
    await opened.getByRole('button', { name: /^Hide the files deleted / }).waitFor();
    expect(await opened.getByRole('button', { name: /^Hide the files deleted / }).getAttribute('aria-expanded')).toBe('true');
    await opened.getByText('3 files, 51 B').waitFor();
    await opened.getByRole('button', { name: 'Restore Reports/q2.txt' }).waitFor();
    await expectAccessible(page, 'deleted files');
    await screenshot(page, 'deleted');
    expect(running.problems).toEqual([]);
  }, 60_000);

  it('is in Japanese, with 復元', async () => {
    const { page, services } = running;
    await services.updateSettings({ app: { language: 'ja' } });
    await page.getByRole('heading', { name: '削除したファイル', level: 1 }).waitFor();
    const run = page.getByRole('article').first();
    await run.getByRole('button', { name: /^すべて復元：.*に削除した3個のファイル$/ }).waitFor();
    await run.getByRole('button', { name: '完全に削除' }).waitFor();
    expect(await page.locator('main').textContent()).not.toContain('元に戻す');
    await expectAccessible(page, 'deleted files, in Japanese');
    await screenshot(page, 'deleted-ja');
    await services.updateSettings({ app: { language: 'en' } });
    await page.getByRole('heading', { name: 'Deleted files', level: 1 }).waitFor();
    expect(running.problems).toEqual([]);
  }, 60_000);

  it('brings the files back on disk with Restore', async () => {
    const { page } = running;
    const run = page.getByRole('article').first();
    await run.getByRole('button', { name: /^Restore all: 3 files deleted / }).click();
    await page.getByText('Restored 3 files on TeraCLOUD. The next sync brings them back to this computer.').waitFor();
    await until('the files back on disk', () => ['q1.txt', 'q2.txt', 'q3.txt'].every((name) => existsSync(join(local, 'Reports', name))));
    expect(await readFile(join(local, 'Reports', 'q2.txt'), 'utf8')).toBe('the report q2.txt');
    expect(existsSync(join(server, 'Reports', 'q1.txt'))).toBe(true);
    await page.getByText(/^No deleted files\./).waitFor();
    await expectAccessible(page, 'deleted files after a restore');
    expect(running.problems).toEqual([]);
  }, 60_000);
});
