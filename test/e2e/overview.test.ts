/**
 * The window in Chromium against the real services (see support/window.ts): the first end-to-end
 * check that the renderer, the contract over the test transport and AppServices fit together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TeraSyncApi } from '../../shared/ipc/contract.js';
import { chromiumRequirement, openWindow, type RunningWindow } from './support/window.js';

describe.skipIf(chromiumRequirement.skip)('the window, in Chromium, against the real services', () => {
  let running: RunningWindow;

  beforeAll(async () => {
    chromiumRequirement.assertAvailable();
    running = await openWindow();
  }, 60_000);

  afterAll(async () => {
    await running?.close();
  });

  it('shows that no account is set up, then the account once signed in through window.terasync', async () => {
    const { page, emulator } = running;
    await running.open();
    await page.getByRole('heading', { name: 'Account' }).waitFor();
    expect(await page.getByText('No account is set up in TeraSync yet.').isVisible()).toBe(true);

    const account = emulator.accounts[0]!;
    // What the sign-in screen will do: the password crosses the contract once.
    const signedIn = await page.evaluate(
      ([userId, password, location]) =>
        (globalThis as unknown as { terasync: TeraSyncApi }).terasync.signInWithPassword({ userId, password, location }),
      [account.userId, account.appsPassword, emulator.davUrl] as const,
    );
    expect(signedIn).toMatchObject({ ok: true, value: { account: { userId: account.userId, method: 'basic' } } });

    await running.open();
    await page.getByRole('heading', { name: 'Account' }).waitFor();
    await page.getByText(account.userId, { exact: true }).waitFor();
    expect(await page.getByText('No account is set up in TeraSync yet.').count()).toBe(0);
    // Nothing secret reached the page.
    expect(await page.content()).not.toContain(account.appsPassword);
    expect(running.problems).toEqual([]);
  }, 60_000);
});
