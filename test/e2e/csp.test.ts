/**
 * The built window under its own Content-Security-Policy (the other end-to-end tests bypass
 * it, because their test transport is a WebSocket the policy forbids): the scripts, styles
 * and tray-state images it loads are all allowed, and nothing the page does is refused.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IpcChannel } from '../../shared/ipc/contract.js';
import { repoRoot } from '../support/cli.js';
import { goodResponses, samplePair, samplePairStatus, sampleSettings } from '../support/ipc.js';
import { chromiumRequirement, launchChromium } from './support/window.js';

async function cannedApiScript(answers: Partial<Record<IpcChannel, unknown>>): Promise<string> {
  const bundle = await build({
    absWorkingDir: repoRoot,
    entryPoints: ['test/e2e/support/cannedApi.ts'],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'Canned',
    platform: 'browser',
    target: 'chrome120',
  });
  return `${bundle.outputFiles[0]!.text}\nCanned.installCannedApi(${JSON.stringify(answers)});`;
}

describe.skipIf(chromiumRequirement.skip)('the window under its Content-Security-Policy', () => {
  let browser: Browser;

  beforeAll(async () => {
    chromiumRequirement.assertAvailable();
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('loads its code, styles and images, and is refused nothing, on the status screen', async () => {
    const page = join(repoRoot, 'dist', 'renderer', 'index.html');
    expect(existsSync(page), 'dist/renderer is built by npm test').toBe(true);
    const answers = Object.fromEntries(Object.entries(goodResponses).map(([channel, answer]) => [channel, answer()])) as Partial<Record<IpcChannel, unknown>>;
    answers['settings:get'] = { ...sampleSettings(), pairs: [samplePair()], app: { ...sampleSettings().app, language: 'en' } };
    answers['status:get'] = [samplePairStatus()];
    const context = await browser.newContext();
    await context.addInitScript({ content: await cannedApiScript(answers) });
    const tab = await context.newPage();
    const problems: string[] = [];
    tab.on('pageerror', (error) => problems.push(error.message));
    tab.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    // Page code as text: this file is type-checked for Node, without the DOM's types.
    await tab.addInitScript({
      content: "document.addEventListener('securitypolicyviolation', (event) => console.error('CSP refused ' + event.blockedURI + ' (' + event.violatedDirective + ')'));",
    });
    await tab.goto(`file://${page}`);
    await tab.getByRole('heading', { name: 'Status', level: 1 }).waitFor();
    const image = tab.locator('.state-icon img.on-light');
    await image.waitFor();
    expect(await tab.evaluate("document.querySelector('.state-icon img.on-light').naturalWidth")).toBeGreaterThan(0);
    // The stylesheet applied (the body's margin is the browser's 8px without it).
    expect(await tab.evaluate('getComputedStyle(document.body).margin')).toBe('0px');
    expect(problems).toEqual([]);
  }, 60_000);
});
