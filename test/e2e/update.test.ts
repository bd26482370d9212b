/**
 * The app's own update in the window, end to end in Chromium against the real services on the
 * emulator (see support/window.ts), with a scripted updater in place of electron-updater (the
 * real one is tested in test/integration/app/updater.test.ts): once the update is ready the
 * banner offers "Restart to update", reached and pressed with the keyboard alone, and the
 * Updates card in Settings says where it stands. Both pass axe-core, in English and Japanese.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpdaterPort } from '../../electron/app/UpdateController.js';
import type { UpdateChannel } from '../../shared/types.js';
import { checkAccessibility, chromiumRequirement, openWindow, signInWithPassword, type RunningWindow } from './support/window.js';
import { until } from '../support/until.js';

async function expectAccessible(page: Page, screen: string): Promise<void> {
  expect(await checkAccessibility(page), `axe on ${screen}`).toEqual([]);
}

/** Finds a newer version at once; records the installs. */
class ScriptedUpdater implements UpdaterPort {
  readonly currentVersion = '0.1.0';
  readonly unavailable = null;
  installs = 0;
  setChannel(_channel: UpdateChannel): void {}
  async check(): Promise<string | null> {
    return '0.2.0';
  }
  async download(onProgress: (percent: number) => void): Promise<void> {
    onProgress(100);
  }
  async install(): Promise<void> {
    this.installs++;
  }
}

describe.skipIf(chromiumRequirement.skip)('an update ready to install, in Chromium', () => {
  let running: RunningWindow;
  const updater = new ScriptedUpdater();

  beforeAll(async () => {
    chromiumRequirement.assertAvailable();
    running = await openWindow({ updater });
    const { page } = running;
    await running.open();
    await signInWithPassword(running);
    await page.getByRole('heading', { name: 'Set up a synced folder' }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await running?.close();
  });

  it('shows the Updates card in Settings, axe-clean, in English and Japanese', async () => {
    const { page, services } = running;
    await until('the update to be ready', () => services.updateState().phase === 'ready');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    const card = page.getByRole('region', { name: 'Updates' });
    await card.getByText('TeraSync 0.2.0 is ready to install.').waitFor();
    await card.getByRole('combobox', { name: 'Update channel' }).waitFor();
    await expectAccessible(page, 'settings with an update ready');
    await services.updateSettings({ app: { language: 'ja' } });
    await page.getByRole('region', { name: 'アップデート' }).waitFor();
    await expectAccessible(page, 'settings with an update ready, in Japanese');
    await services.updateSettings({ app: { language: 'en' } });
    await page.getByRole('region', { name: 'Updates' }).waitFor();
    expect(running.problems).toEqual([]);
  }, 60_000);

  it('offers Restart to update in a banner, reached and pressed with the keyboard alone', async () => {
    const { page } = running;
    const banner = page.locator('.update-banner');
    await banner.getByText('TeraSync 0.2.0 is ready to install.').waitFor();
    expect(await banner.getAttribute('role')).toBe('status');
    await expectAccessible(page, 'the update banner');
    const button = banner.getByRole('button', { name: 'Restart to update' });
    let reached = false;
    for (let presses = 0; presses < 60 && !reached; presses++) {
      await page.keyboard.press('Tab');
      reached = await button.evaluate((element) => element === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement);
    }
    expect(reached).toBe(true);
    expect(updater.installs).toBe(0);
    await page.keyboard.press('Enter');
    await until('the install', () => updater.installs === 1);
    await banner.getByText('Restarting to install TeraSync 0.2.0…').waitFor();
    expect(running.problems).toEqual([]);
  }, 60_000);
});
