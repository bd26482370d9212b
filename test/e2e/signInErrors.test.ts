/**
 * Where a failed sign-in shows up, in Chromium at the window's default size (820x620), against
 * the real services on the emulator (see support/window.ts): the error is shown at the field
 * it is about, in sight, with the focus there and the field described by it; a node name that
 * does not exist is said as such (the account service's host lookup is the test's, so the name
 * does not resolve while the service's domain does); a pasted /webdav/ address gets its fix in
 * the headline; the service's own message stays behind a closed "Technical details"; after
 * the sign-in the focus is on the next screen's heading, without a ring round it.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostLookup } from '../../electron/auth/AccountService.js';
import { ja } from '../../shared/i18n/ja.js';
import { checkAccessibility, chromiumRequirement, openWindow, type RunningWindow } from './support/window.js';

/** The window's default size (electron/main/window.ts). */
const DEFAULT_SIZE = { width: 820, height: 620 };

/** A resolver that knows the service's domains and no node: every node name does not exist. */
const noNodeResolves: HostLookup = async (hostname) => {
  if (hostname === 'teracloud.jp' || hostname === 'infini-cloud.net') return;
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

interface Placement {
  /** The alert's box against the viewport. */
  top: number;
  bottom: number;
  viewportHeight: number;
  /** The focus is on the alert, or on a field whose aria-describedby names (part of) it. */
  focusOnError: boolean;
  focused: string;
  /** What the alert shows (closed disclosures are not rendered), and what its disclosure holds. */
  shownText: string;
  detailText: string;
  detailsOpen: boolean | null;
}

async function placementOfAlert(page: Page): Promise<Placement> {
  await page.getByRole('alert').waitFor();
  return page.evaluate<Placement>(`(() => {
    const alert = document.querySelector('[role="alert"]');
    const box = alert.getBoundingClientRect();
    const active = document.activeElement;
    const described = (active.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean).map((id) => document.getElementById(id));
    const details = alert.querySelector('details');
    return {
      top: box.top,
      bottom: box.bottom,
      viewportHeight: window.innerHeight,
      focusOnError: active === alert || described.some((element) => element !== null && alert.contains(element)),
      focused: active.tagName + (active.id ? '#' + active.id : '') + ' ' + (active.getAttribute('aria-label') || active.textContent || '').slice(0, 40),
      shownText: alert.innerText,
      detailText: details === null ? '' : details.textContent,
      detailsOpen: details === null ? null : details.open,
    };
  })()`);
}

function expectInSightAndFocused(placement: Placement): void {
  expect(placement.top, 'the error starts in the viewport').toBeGreaterThanOrEqual(0);
  expect(placement.bottom, 'the error ends in the viewport').toBeLessThanOrEqual(placement.viewportHeight + 1);
  expect(placement.focusOnError, `the focus is at the error, not on ${placement.focused}`).toBe(true);
}

async function expectAccessible(page: Page, what: string): Promise<void> {
  expect(await checkAccessibility(page), `axe on ${what}`).toEqual([]);
}

/** The focused element's tag and outline style. */
async function focusRing(page: Page): Promise<{ tag: string; outline: string }> {
  return page.evaluate<{ tag: string; outline: string }>(`(() => {
    const active = document.activeElement;
    return { tag: active.tagName, outline: getComputedStyle(active).outlineStyle };
  })()`);
}

describe.skipIf(chromiumRequirement.skip)('sign-in errors at 820x620, in English', () => {
  let running: RunningWindow;

  beforeAll(async () => {
    chromiumRequirement.assertAvailable();
    running = await openWindow({ viewport: DEFAULT_SIZE, lookupHost: noNodeResolves });
    await running.open();
    await running.page.getByRole('heading', { name: 'Sign in to TeraCLOUD' }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await running?.close();
  });

  it('shows a wrong password at the password field, in sight, focused, and announced', async () => {
    const { page, emulator } = running;
    await page.getByLabel('User ID').fill(emulator.accounts[0]!.userId);
    await page.getByLabel('Apps password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const placement = await placementOfAlert(page);
    expectInSightAndFocused(placement);
    expect(placement.shownText).toContain('TeraCLOUD did not accept the sign-in.');
    expect(await page.getByLabel('Apps password', { exact: true }).evaluate((field) => field === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).toBe(true);
    expect(placement.detailsOpen === null || placement.detailsOpen === false).toBe(true);
    await expectAccessible(page, 'a refused sign-in');
    await page.getByRole('alert').getByRole('button', { name: 'Dismiss' }).click();
  }, 60_000);

  it('says a node name that does not exist, and never that TeraSync tries again', async () => {
    const { page, emulator } = running;
    await page.getByLabel('User ID').fill(emulator.accounts[0]!.userId);
    await page.getByLabel('Apps password', { exact: true }).fill(emulator.accounts[0]!.appsPassword);
    await page.getByRole('radio', { name: 'Type the node name or paste the WebDAV URL' }).check();
    await page.getByLabel('Node name or WebDAV connection URL').fill('setoo');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const placement = await placementOfAlert(page);
    expectInSightAndFocused(placement);
    expect(placement.shownText).toContain('No node has that name: check the node name in MyPage.');
    expect(placement.shownText).not.toMatch(/by itself|internet connection/);
    expect(placement.detailText).toContain('There is no node "setoo" on teracloud.jp');
    await expectAccessible(page, 'a node that does not exist');
  }, 60_000);

  it('after a sign-in with the keyboard, focuses the next screen’s heading without a ring, and Tab still shows one', async () => {
    const { page, emulator } = running;
    await page.getByRole('radio', { name: 'Find it automatically' }).check();
    await page.getByLabel('User ID').fill(emulator.accounts[0]!.userId);
    await page.getByLabel('Apps password', { exact: true }).fill(emulator.accounts[0]!.appsPassword);
    await page.getByLabel('Apps password', { exact: true }).press('Enter');
    const heading = page.getByRole('heading', { name: 'Set up a synced folder', level: 1 });
    await heading.waitFor();
    await page.waitForFunction('document.activeElement && document.activeElement.tagName === "H1"');
    expect(await focusRing(page)).toEqual({ tag: 'H1', outline: 'none' });
    await page.keyboard.press('Tab');
    const next = await focusRing(page);
    expect(next.tag).not.toBe('H1');
    expect(next.outline).toBe('solid');
    expect(running.problems).toEqual([]);
  }, 60_000);
});

describe.skipIf(chromiumRequirement.skip)('sign-in errors at 820x620, on a Japanese system', () => {
  let running: RunningWindow;

  beforeAll(async () => {
    chromiumRequirement.assertAvailable();
    running = await openWindow({ locale: 'ja-JP', viewport: DEFAULT_SIZE, lookupHost: noNodeResolves });
    await running.open();
    await running.page.getByRole('heading', { name: ja.signIn.title }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await running?.close();
  });

  it('says a wrong password in Japanese at the field, the English details behind a closed disclosure', async () => {
    const { page, emulator } = running;
    await page.getByLabel(ja.signIn.userId).fill(emulator.accounts[0]!.userId);
    await page.getByLabel(ja.signIn.appsPassword, { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: ja.signIn.signInButton, exact: true }).click();
    const placement = await placementOfAlert(page);
    expectInSightAndFocused(placement);
    expect(placement.shownText).toContain(ja.errors.Unauthorized.title);
    expect(placement.shownText).toContain(ja.errorSituations.technicalDetails);
    expect(placement.detailsOpen).toBe(false);
    expect(placement.detailText.trim()).not.toBe(ja.errorSituations.technicalDetails);
    const details = placement.detailText.replace(ja.errorSituations.technicalDetails, '').trim();
    expect(placement.shownText).not.toContain(details);
    await expectAccessible(page, 'a refused sign-in in Japanese');
    await page.getByRole('alert').getByRole('button', { name: ja.app.dismiss }).click();
  }, 60_000);

  it('says the fix of a pasted /webdav/ address in the headline', async () => {
    const { page, emulator } = running;
    await page.getByLabel(ja.signIn.userId).fill(emulator.accounts[0]!.userId);
    await page.getByLabel(ja.signIn.appsPassword, { exact: true }).fill(emulator.accounts[0]!.appsPassword);
    await page.getByRole('radio', { name: ja.signIn.nodeManual }).check();
    await page.getByLabel(ja.signIn.nodeField).fill('https://seto.teracloud.jp/webdav/');
    await page.getByRole('button', { name: ja.signIn.signInButton, exact: true }).click();
    const placement = await placementOfAlert(page);
    expectInSightAndFocused(placement);
    expect(await page.getByRole('alert').locator('.notice-title').textContent()).toBe(ja.errors.InvalidAddress.title);
    expect(placement.shownText).not.toMatch(/The path must start/);
    await expectAccessible(page, 'a wrong address in Japanese');
  }, 60_000);

  it('says a node name that does not exist in Japanese', async () => {
    const { page } = running;
    await page.getByRole('alert').getByRole('button', { name: ja.app.dismiss }).click();
    await page.getByLabel(ja.signIn.nodeField).fill('setoo');
    await page.getByRole('button', { name: ja.signIn.signInButton, exact: true }).click();
    await page.getByText(ja.errors.NodeNotFound.title).waitFor();
    const placement = await placementOfAlert(page);
    expectInSightAndFocused(placement);
    expect(placement.shownText).not.toContain(ja.errors.Network.advice);
  }, 60_000);

  it('after a sign-in with the keyboard, focuses the set-up heading without a ring', async () => {
    const { page, emulator } = running;
    await page.getByRole('alert').getByRole('button', { name: ja.app.dismiss }).click();
    await page.getByRole('radio', { name: ja.signIn.nodeAutomatic }).check();
    await page.getByLabel(ja.signIn.userId).fill(emulator.accounts[0]!.userId);
    await page.getByLabel(ja.signIn.appsPassword, { exact: true }).fill(emulator.accounts[0]!.appsPassword);
    await page.getByLabel(ja.signIn.appsPassword, { exact: true }).press('Enter');
    await page.getByRole('heading', { name: ja.setup.title, level: 1 }).waitFor();
    await page.waitForFunction('document.activeElement && document.activeElement.tagName === "H1"');
    expect(await focusRing(page)).toEqual({ tag: 'H1', outline: 'none' });
    expect(running.problems).toEqual([]);
  }, 60_000);
});
