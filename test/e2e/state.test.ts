/**
 * The window tells the truth, end to end: the built window in Chromium, the real services, the
 * emulator behind a TCP proxy the test can cut (test/support/tcpProxy.ts). A conflict stays
 * listed when saving an ignore pattern restarts its pair; offline with an edit waiting, the
 * window says offline (and that one change waits) until the server answers again, never "Up
 * to date" in between, with one calm line and one Try now button.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy.js';
import { checkAccessibility, chromiumRequirement, openWindow, type RunningWindow } from './support/window.js';
import { until } from '../support/until.js';

async function stateWords(page: Page): Promise<string> {
  return (await page.locator('.state-words').textContent()) ?? '';
}

async function pairLine(page: Page): Promise<string> {
  return (await page.locator('.pair-state').first().textContent()) ?? '';
}

describe.skipIf(chromiumRequirement.skip)('the window tells the truth, in Chromium, against the real services', () => {
  let running: RunningWindow;
  let proxy: TcpProxy;
  let local: string;
  let server: string;
  let pairId: string;

  beforeAll(async () => {
    chromiumRequirement.assertAvailable();
    running = await openWindow();
    proxy = await startTcpProxy({ port: Number(new URL(running.emulator.origin).port) });
    local = join(running.folder, 'TeraCLOUD');
    server = join(running.emulator.filesDir(), 'Sync');
    await mkdir(server, { recursive: true });
    await mkdir(local, { recursive: true });
    await writeFile(join(local, 'report.txt'), 'the synced version\n');
    const account = running.emulator.accounts[0]!;
    // WebDAV through the proxy: the connection the test cuts.
    await running.services.signInWithPassword({ userId: account.userId, password: account.appsPassword, location: `${proxy.origin}/dav/` });
    pairId = (await running.services.addPair(local, 'Sync')).id;
    await until('the first sync', () => existsSync(join(server, 'report.txt')));
  }, 60_000);

  afterAll(async () => {
    await running?.close();
    await proxy?.close();
  });

  it('keeps a conflict listed when saving an ignore pattern restarts the pair', async () => {
    const { page } = running;
    await running.open();
    await until('up to date', async () => (await stateWords(page)) === 'Up to date');

    await running.services.setPaused(pairId, true);
    await writeFile(join(local, 'report.txt'), 'edited on this computer\n');
    await writeFile(join(server, 'report.txt'), 'edited on the server, longer\n');
    await running.services.setPaused(pairId, false);
    await until('one conflict', async () => (await stateWords(page)) === '1 conflict waits for you');
    await page.getByLabel('1 open conflict').waitFor();

    await page.getByRole('button', { name: 'Settings' }).click();
    const patterns = page.getByLabel('Never sync these (one pattern a line, like .gitignore)');
    await patterns.fill('*.tmp');
    // Settings apply at once: the patterns when the field is left.
    await patterns.press('Tab');
    await until('the settings saved', () => running.services.settings.current.sync.ignorePatterns.includes('*.tmp'));
    // The pair restarts and runs again; its conflict stays, in the badge and in the headline.
    await until('the restarted pair synced', async () => running.services.statuses().find((item) => item.pairId === pairId)?.status.state === 'idle', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await page.getByLabel('1 open conflict').count()).toBe(1);

    await page.getByRole('button', { name: 'Status' }).click();
    await until('the headline with the conflict', async () => (await stateWords(page)) === '1 conflict waits for you', 5_000);
    await page.getByRole('button', { name: 'Review conflicts' }).click();
    await page.getByRole('heading', { name: 'report.txt' }).waitFor();
    expect(await page.getByText('No conflicts. Every file has one version.').count()).toBe(0);

    // Resolved: then, and only then, it goes.
    await page.getByRole('button', { name: /Keep both/ }).first().click();
    await page.getByText('No conflicts. Every file has one version.').waitFor();
    await page.getByRole('button', { name: 'Status' }).click();
    await until('up to date again', async () => (await stateWords(page)) === 'Up to date');
    expect(running.problems).toEqual([]);
  }, 60_000);

  it('offline with one edit waiting: offline and "1 change waiting" until the server answers, one calm line, one Try now', async () => {
    const { page } = running;
    await until('up to date', async () => (await stateWords(page)) === 'Up to date');
    proxy.cut();
    await writeFile(join(local, 'while-offline.txt'), 'written while the connection is down\n');
    await until('offline with the change waiting', async () => (await stateWords(page)) === 'Offline: TeraSync tries again by itself · 1 change waiting');

    // Through several retries (2 s, 4 s, ...): never up to date, never "looking for changes".
    const seen = new Set<string>();
    const lines = new Set<string>();
    const watchUntil = Date.now() + 7_000;
    while (Date.now() < watchUntil) {
      seen.add(await stateWords(page));
      lines.add((await pairLine(page)).split(' · ')[0] ?? '');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect([...seen]).toEqual(['Offline: TeraSync tries again by itself · 1 change waiting']);
    expect([...lines]).toEqual(['Offline']);

    // One calm line: no red box, no Problems card, one button.
    const card = page.locator('section.pair-card');
    expect(await page.locator('.notice-error').count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Problems' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Try now' }).count()).toBe(1);
    expect(await card.getByRole('button', { name: 'Retry now' }).count()).toBe(0);
    expect(await card.getByRole('button', { name: 'Sync now' }).count()).toBe(0);
    await card.getByText('Technical details').click();
    expect(await card.locator('details').getAttribute('open')).not.toBeNull();
    expect(await checkAccessibility(page)).toEqual([]);

    proxy.restore();
    await page.getByRole('button', { name: 'Try now' }).click();
    await until('up to date after the connection is back', async () => (await stateWords(page)) === 'Up to date');
    expect(await readFile(join(server, 'while-offline.txt'), 'utf8')).toBe('written while the connection is down\n');
    expect(running.problems).toEqual([]);
  }, 60_000);
});
