// @vitest-environment jsdom
/**
 * The error notice every screen uses: its sentences come from the code and the situation (a
 * running sync tries again by itself, a button the user pressed does not), in the window's
 * language; the service's message is only behind a closed "Technical details" disclosure.
 */
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorNotice, type ErrorNoticeProps } from '../../../renderer/src/components/ErrorNotice.js';
import { I18nProvider, type Locale } from '../../../renderer/src/i18n/i18n.js';
import { ApiContext } from '../../../renderer/src/state/hooks.js';
import { ErrorCode } from '../../../shared/errors.js';
import { FakeBackend } from './support/fakeBackend.js';

afterEach(() => {
  cleanup();
});

function show(props: ErrorNoticeProps, locale: Locale = 'en'): { notice: HTMLElement; backend: FakeBackend } {
  const backend = new FakeBackend().answer('shell:openUrl', undefined);
  render(
    <ApiContext.Provider value={backend.api}>
      <I18nProvider locale={locale}>
        <ErrorNotice {...props} />
      </I18nProvider>
    </ApiContext.Provider>,
  );
  return { notice: screen.getByRole(props.role ?? 'alert'), backend };
}

/** The notice's text as shown: without what the closed disclosure holds. */
function shownText(element: HTMLElement): string {
  const copy = element.cloneNode(true) as HTMLElement;
  for (const details of copy.querySelectorAll('details')) if (!details.open) details.querySelectorAll(':scope > :not(summary)').forEach((node) => node.remove());
  return copy.textContent ?? '';
}

const offline = { code: ErrorCode.Network, message: 'PROPFIND https://seto.teracloud.jp/dav/ failed (ECONNREFUSED)' };

describe('ErrorNotice', () => {
  it('after a button the user pressed, says to try again: nothing tries again by itself', () => {
    const { notice } = show({ error: offline });
    expect(within(notice).getByText('TeraSync cannot reach TeraCLOUD.')).toBeTruthy();
    expect(within(notice).getByText('Check the internet connection, then try again.')).toBeTruthy();
    expect(notice.textContent).not.toMatch(/by itself/);
  });

  it('in a running sync, says that TeraSync tries again by itself', () => {
    const { notice } = show({ error: offline, context: 'sync', role: 'status' });
    expect(within(notice).getByText('Check the internet connection. TeraSync tries again by itself.')).toBeTruthy();
  });

  it('keeps the service message behind a closed Technical details disclosure', async () => {
    const { notice } = show({ error: offline });
    const disclosure = notice.querySelector('details');
    expect(disclosure?.open).toBe(false);
    expect(within(notice).getByText('Technical details').tagName).toBe('SUMMARY');
    expect(shownText(notice)).not.toContain('ECONNREFUSED');
    await userEvent.setup().click(within(notice).getByText('Technical details'));
    expect(disclosure?.open).toBe(true);
    expect(shownText(notice)).toContain('PROPFIND https://seto.teracloud.jp/dav/ failed (ECONNREFUSED)');
  });

  it('has no disclosure when there is no message', () => {
    const { notice } = show({ error: { code: ErrorCode.Cancelled, message: '' } });
    expect(notice.querySelector('details')).toBeNull();
  });

  it('is all Japanese in Japanese, English only inside the closed disclosure', () => {
    const { notice } = show({ error: offline }, 'ja');
    expect(within(notice).getByText('TeraCLOUDに接続できません。')).toBeTruthy();
    expect(within(notice).getByText('インターネット接続を確かめてから、もう一度試してください。')).toBeTruthy();
    expect(within(notice).getByText('技術的な詳細')).toBeTruthy();
    expect(shownText(notice)).not.toMatch(/PROPFIND|ECONNREFUSED|Details/);
  });

  it('says the fix of a wrong address and a missing node in the headline, and opens MyPage for the node', async () => {
    const address = show({ error: { code: ErrorCode.InvalidAddress, message: 'The path must start with /dav/.' } });
    expect(address.notice.querySelector('.notice-title')?.textContent).toBe(
      'Use the node name only, like seto, or the WebDAV connection URL from MyPage, like https://seto.teracloud.jp/dav/.',
    );
    cleanup();
    const { notice, backend } = show({ error: { code: ErrorCode.NodeNotFound, message: 'There is no node "setoo" on teracloud.jp' } });
    expect(notice.querySelector('.notice-title')?.textContent).toBe('No node has that name: check the node name in MyPage.');
    await userEvent.setup().click(within(notice).getByRole('button', { name: 'Open MyPage' }));
    expect(backend.callsOf('shell:openUrl')).toHaveLength(1);
  });
});
