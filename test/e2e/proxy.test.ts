/**
 * The Proxy card end to end, in Chromium, against the real services on the emulator (see
 * support/window.ts) and a real tinyproxy on loopback that asks for a proxy user and password:
 * the user picks "HTTP proxy" with the keyboard, types the proxy, tests a wrong password and the
 * right one, saves, and from then on the app's requests go through the proxy (its log shows
 * only CONNECT). axe-core checks the card with both test results; the screenshot
 * docs/screenshots/settings-proxy.png is written under `npm run screenshots` only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTinyproxy, tinyproxyAvailable, type RunningProxy } from '../support/proxies.js';
import { requireSystemTool } from '../support/requirements.js';
import { checkAccessibility, chromiumRequirement, openWindow, screenshot, signInWithPassword, type RunningWindow } from './support/window.js';

const tinyproxy = requireSystemTool('tinyproxy', tinyproxyAvailable());

const PROXY_USER = 'office';
const PROXY_PASSWORD = 'proxy-pass-Kd93w';

async function expectAccessible(page: Page, screen: string): Promise<void> {
  expect(await checkAccessibility(page), `axe on ${screen}`).toEqual([]);
}

/** Request lines tinyproxy logged ("Request (file descriptor 7): CONNECT 127.0.0.1:443 HTTP/1.1"). */
async function requestLines(proxy: RunningProxy): Promise<string[]> {
  return (await proxy.log()).split('\n').flatMap((line) => /Request \(file descriptor \d+\): (.*)$/.exec(line)?.[1] ?? []);
}

describe.skipIf(chromiumRequirement.skip || tinyproxy.skip)('the Proxy card, in Chromium, with a real proxy', () => {
  let running: RunningWindow;
  let proxy: RunningProxy;

  beforeAll(async () => {
    chromiumRequirement.assertAvailable();
    tinyproxy.assertAvailable();
    proxy = await startTinyproxy({ auth: { user: PROXY_USER, password: PROXY_PASSWORD } });
    running = await openWindow();
  }, 60_000);

  afterAll(async () => {
    await running?.close();
    await proxy?.close();
  });

  it('fills in an HTTP proxy, tests a wrong and the right password, saves, and the app goes through it', async () => {
    const { page, emulator } = running;
    await running.open();
    const account = emulator.accounts[0]!;
    await signInWithPassword(running);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    const card = page.getByRole('region', { name: 'Proxy' });
    const system = card.getByRole('radio', { name: 'Use system proxy' });
    await expect.poll(() => system.isChecked()).toBe(true);
    expect(await card.getByLabel('Proxy host').isDisabled()).toBe(true);

    // The keyboard alone: the arrow keys move through the radio group, Tab to the fields.
    await system.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await card.getByRole('radio', { name: 'HTTP proxy' }).isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    expect(await card.getByLabel('Proxy host').evaluate((element) => element === element.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.type('127.0.0.1');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(String(proxy.port));
    await card.getByLabel('Proxy user name (optional)').fill(PROXY_USER);
    await card.getByLabel('Proxy password').fill('not-the-password');

    await card.getByRole('button', { name: 'Test connection' }).click();
    const failed = card.getByRole('alert').filter({ hasText: 'The test connection did not work' });
    await failed.waitFor();
    expect(await failed.textContent()).toContain('The proxy did not accept the proxy sign-in.');
    await expectAccessible(page, 'the Proxy card with a failed test');

    await card.getByLabel('Proxy password').fill(PROXY_PASSWORD);
    await card.getByRole('button', { name: 'Test connection' }).click();
    const answered = card.getByRole('status').filter({ hasText: 'TeraCLOUD answered' });
    await answered.waitFor();
    expect(await answered.textContent()).toContain(`TeraCLOUD answered at ${emulator.origin}/, through http://${PROXY_USER}@127.0.0.1:${proxy.port}.`);
    // A test saves nothing.
    expect(running.services.settings.current.proxy.mode).toBe('system');

    await card.getByRole('button', { name: 'Save proxy setting' }).click();
    await card.getByText('Saved. New connections use it now.').waitFor();
    expect(await card.getByText('A password is stored in the system keychain.').count()).toBe(1);
    expect(await card.getByLabel('Proxy password').inputValue()).toBe('');
    await expectAccessible(page, 'the Proxy card, saved');
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-proxy');

    const settingsJson = await readFile(join(running.folder, 'appdata', 'settings.json'), 'utf8');
    expect(JSON.parse(settingsJson).proxy).toEqual({ mode: 'http', host: '127.0.0.1', port: proxy.port, user: PROXY_USER });
    expect(settingsJson).not.toContain(PROXY_PASSWORD);

    // The window's next requests to the account (the folders on the server) go through the proxy.
    const before = (await requestLines(proxy)).length;
    expect((await running.services.listRemoteFolders('')).folders).toBeDefined();
    const lines = await requestLines(proxy);
    expect(lines.length).toBeGreaterThan(before);
    for (const line of lines) expect(line).toBe(`CONNECT 127.0.0.1:${new URL(emulator.origin).port} HTTP/1.1`);
    expect(await proxy.log()).not.toContain(account.appsPassword);
    expect(running.problems).toEqual([]);
  }, 90_000);
});
