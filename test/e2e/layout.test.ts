/**
 * The window's layout at the sizes people use, measured in Chromium (bounding boxes, not
 * pictures): the set-up's step list reads as separate steps, its Back / Next stay in view on a
 * long step at the smallest supported window (820x620), the content is centred on a wide screen
 * (1920x1080) instead of hugging the sidebar, and a small window has no sideways scrolling.
 * Each size is checked with axe too.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccessibility, chromiumRequirement, openWindow, signInWithPassword, type RunningWindow } from './support/window.js';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

async function box(page: Page, selector: string): Promise<Box> {
  const found = await page.locator(selector).first().boundingBox();
  if (found === null) throw new Error(`${selector} is not shown`);
  return found;
}

async function expectAccessible(page: Page, where: string): Promise<void> {
  expect(await checkAccessibility(page), `axe on ${where}`).toEqual([]);
}

describe.skipIf(chromiumRequirement.skip)('the layout, in Chromium', () => {
  let running: RunningWindow;

  beforeAll(async () => {
    chromiumRequirement.assertAvailable();
    running = await openWindow();
    // Enough server folders to make the server-folder step longer than a small window.
    const server = join(running.emulator.filesDir(), 'Many');
    for (let i = 0; i < 30; i++) await mkdir(join(server, `Folder ${String(i).padStart(2, '0')}`), { recursive: true });
    await writeFile(join(server, 'Folder 00', 'a.txt'), 'a');
    const { page } = running;
    await running.open();
    await signInWithPassword(running);
    await page.getByRole('heading', { name: 'Set up a synced folder' }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await running?.close();
  });

  it('shows the set-up steps as separate numbered items', async () => {
    const { page } = running;
    await page.setViewportSize({ width: 820, height: 620 });
    const items = page.locator('ol.steps > li');
    expect(await items.count()).toBe(4);
    const boxes: Box[] = [];
    for (let i = 0; i < 4; i++) {
      const item = items.nth(i);
      const whole = (await item.boundingBox())!;
      const number = (await item.locator('.step-number').boundingBox())!;
      const name = (await item.locator('.step-name').boundingBox())!;
      // The number sits inside its own step, before the name, not against the previous one.
      expect(number.x).toBeGreaterThanOrEqual(whole.x - 0.5);
      expect(number.x + number.width).toBeLessThanOrEqual(name.x);
      boxes.push(whole);
    }
    for (let i = 1; i < boxes.length; i++) {
      const [before, after] = [boxes[i - 1]!, boxes[i]!];
      const sameRow = Math.abs(before.y - after.y) < 1;
      // A visible gap between one step's name and the next step's number.
      if (sameRow) expect(after.x - (before.x + before.width)).toBeGreaterThanOrEqual(8);
      else expect(after.y).toBeGreaterThanOrEqual(before.y + before.height);
    }
    await expectAccessible(page, 'set-up at 820x620');
  });

  it('keeps Next in view at 820x620 on a long step, and the keyboard in the folder list', async () => {
    const { page } = running;
    await page.setViewportSize({ width: 820, height: 620 });
    await page.getByLabel('Local folder').fill(join(running.folder, 'Local'));
    await page.getByRole('button', { name: 'Next' }).click();
    const many = page.getByRole('button', { name: 'Open Many' });
    await many.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Open Folder 29' }).waitFor();
    // Opened with Enter: the focus is in the list, not on the page.
    await page.waitForFunction("document.activeElement !== null && document.activeElement.closest('.folder-list') !== null");
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Up one level');

    // The step is taller than the window, yet Next is on screen.
    expect(await page.evaluate('document.documentElement.scrollHeight')).toBeGreaterThan(620);
    await page.evaluate('window.scrollTo(0, 0)');
    const next = await page.getByRole('button', { name: 'Next' }).boundingBox();
    expect(next).not.toBeNull();
    expect(next!.y).toBeGreaterThanOrEqual(0);
    expect(next!.y + next!.height).toBeLessThanOrEqual(620);
    await expectAccessible(page, 'set-up, server folder at 820x620');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Which folders to sync?' }).waitFor();
    // Folder sizes, measured on the server.
    await page.locator('.folder-row', { has: page.getByRole('checkbox', { name: 'Folder 00' }) }).getByText('1 B').waitFor();
    await expectAccessible(page, 'set-up, folders with sizes');
  });

  it('centres the content at 1920x1080', async () => {
    const { page } = running;
    await page.setViewportSize({ width: 1920, height: 1080 });
    const sidebar = await box(page, '.sidebar').catch(() => null);
    const content = await box(page, '.content');
    const left = sidebar === null ? 0 : sidebar.x + sidebar.width;
    const spaceLeft = content.x - left;
    const spaceRight = 1920 - (content.x + content.width);
    expect(Math.abs(spaceLeft - spaceRight)).toBeLessThanOrEqual(2);
    // A readable measure, not the whole width.
    expect(content.width).toBeLessThanOrEqual(1000);
    expect(content.width).toBeGreaterThanOrEqual(800);
    await expectAccessible(page, 'set-up at 1920x1080');
  });

  it('still works in a small window: no sideways scrolling, Next in view', async () => {
    const { page } = running;
    await page.setViewportSize({ width: 600, height: 500 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(600);
    const next = (await page.getByRole('button', { name: 'Next' }).boundingBox())!;
    expect(next.x + next.width).toBeLessThanOrEqual(600);
    expect(next.y + next.height).toBeLessThanOrEqual(500);
    await expectAccessible(page, 'set-up at 600x500');
    expect(running.problems).toEqual([]);
  });
});
