/**
 * The backup's schedule and retry, and the settings that apply at once, end to end in Chromium
 * against the real services on the emulator (see support/window.ts), in English and Japanese,
 * each screen checked with axe-core: a schedule chosen on the Backup screen says when the next
 * backup runs; a number typed wrong in the settings is refused beside the field, kept, and
 * leaving the screen asks first; a backup that cannot reach TeraCLOUD says when it is tried
 * again.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccessibility, chromiumRequirement, openWindow, signInWithPassword, type RunningWindow } from './support/window.js';
import { until } from '../support/until.js';

async function expectAccessible(page: Page, screen: string): Promise<void> {
  expect(await checkAccessibility(page), `axe on ${screen}`).toEqual([]);
}

describe.skipIf(chromiumRequirement.skip)('backing up by itself, and settings that apply at once, in Chromium', () => {
  let running: RunningWindow;
  let documents: string;

  beforeAll(async () => {
    chromiumRequirement.assertAvailable();
    running = await openWindow();
    documents = join(running.folder, 'Documents');
    await mkdir(documents, { recursive: true });
    await writeFile(join(documents, 'report.txt'), 'the report');
    const { page } = running;
    await running.open();
    await signInWithPassword(running);
    await page.getByRole('heading', { name: 'Set up a synced folder' }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await running?.close();
  });

  it('chooses an hourly backup on the Backup screen and says when the next one runs', async () => {
    const { page, services } = running;
    await page.getByRole('button', { name: 'Backup', exact: true }).click();
    await page.getByRole('heading', { name: 'Backup', level: 1 }).waitFor();
    running.answerDialog('backupSource', documents);
    await page.getByRole('button', { name: 'Add a folder…' }).click();
    await page.getByText(documents, { exact: true }).waitFor();

    const schedule = page.getByRole('combobox', { name: 'Back up', exact: true });
    expect(await schedule.inputValue()).toBe('manual');
    await page.getByText('Nothing is backed up until you click Back up now.').waitFor();
    await schedule.selectOption({ label: 'Every hour' });
    await page.getByText(/^Next backup: .+\.$/).waitFor();
    expect(services.settings.current.backup.schedule).toBe('hourly');
    await expectAccessible(page, 'backup with a schedule');
    expect(running.problems).toEqual([]);
  }, 60_000);

  it('refuses a wrong number beside the field, keeps it, and asks before leaving the screen', async () => {
    const { page, services } = running;
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    expect(await page.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0);
    const poll = page.getByRole('textbox', { name: 'Check TeraCLOUD for changes every (seconds)' });
    await poll.fill('often');
    await poll.press('Tab');
    await page.getByText('Type a whole number from 5 to 86400. It is not saved yet.').waitFor();
    expect(await poll.getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'settings with an invalid number');

    await page.getByRole('button', { name: 'Backup', exact: true }).click();
    const dialog = page.getByRole('alertdialog', { name: 'A setting is not saved' });
    await dialog.waitFor();
    await expectAccessible(page, 'leaving the settings with an invalid number');
    await dialog.getByRole('button', { name: 'Stay and fix it' }).click();
    expect(await poll.inputValue()).toBe('often');
    expect(await poll.evaluate((element) => element === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).toBe(true);

    await poll.fill('45');
    await poll.press('Enter');
    await until('the poll interval applied', () => services.settings.current.sync.pollIntervalSeconds === 45);
    await page.getByRole('button', { name: 'Backup', exact: true }).click();
    await page.getByRole('heading', { name: 'Backup', level: 1 }).waitFor();
    expect(running.problems).toEqual([]);
  }, 60_000);

  it('is in Japanese: the schedule, the next backup, and the question before leaving', async () => {
    const { page, services } = running;
    await services.updateSettings({ app: { language: 'ja' } });
    await page.getByRole('heading', { name: 'バックアップ', level: 1 }).waitFor();
    expect(await page.getByRole('combobox', { name: 'バックアップのタイミング' }).inputValue()).toBe('hourly');
    await page.getByText(/^次回のバックアップ：/).waitFor();
    await expectAccessible(page, 'backup with a schedule, in Japanese');

    await page.getByRole('button', { name: '設定', exact: true }).click();
    await page.getByRole('heading', { name: '設定', level: 1 }).waitFor();
    const retention = page.getByRole('textbox', { name: '古いバージョンを残す日数（0で無期限）' });
    await retention.fill('-3');
    await retention.press('Enter');
    await page.getByText(/まだ保存されていません。/).waitFor();
    await page.getByRole('button', { name: 'バックアップ', exact: true }).click();
    const dialog = page.getByRole('alertdialog', { name: '保存されていない設定があります' });
    await dialog.waitFor();
    await expectAccessible(page, 'leaving the settings with an invalid number, in Japanese');
    await dialog.getByRole('button', { name: '保存せずに移動する' }).click();
    await page.getByRole('heading', { name: 'バックアップ', level: 1 }).waitFor();
    expect(services.settings.current.backup.retentionDays).toBe(30);

    await services.updateSettings({ app: { language: 'en' } });
    await page.getByRole('heading', { name: 'Backup', level: 1 }).waitFor();
    expect(running.problems).toEqual([]);
  }, 60_000);

  it('says when a backup that cannot reach TeraCLOUD is tried again', async () => {
    const { page } = running;
    await running.emulator.close();
    await page.getByRole('button', { name: 'Back up now', exact: true }).click();
    await page.getByText('TeraSync cannot reach TeraCLOUD.').waitFor();
    await page.getByText(/^TeraSync tries again at .+, or as soon as the connection is back\.$/).waitFor();
    expect((await running.services.backupState()).retryAt).toBeGreaterThan(Date.now());
    await expectAccessible(page, 'backup failed offline, retry armed');
    expect(running.problems).toEqual([]);
  }, 60_000);
});
