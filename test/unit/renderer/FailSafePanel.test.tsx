// @vitest-environment jsdom
/**
 * A folder stopped at the fail-safe, on the status screen: why, what would be deleted and on
 * which side, and the three answers (deleting asks first and can be taken back).
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import type { FailSafeInfo } from '../../../shared/types.js';
import { type FakeBackend, pair, settings, status } from './support/fakeBackend.js';
import { renderApp } from './support/render.js';
import { signedInBackend, tabTo } from './support/screens.js';

afterEach(() => {
  cleanup();
});

const home = pair();

const massDelete: FailSafeInfo = {
  reason: 'massDelete',
  deletions: [
    { path: 'Photos/2024/beach.jpg', type: 'file', side: 'remote' },
    { path: 'Photos/2024/hike.jpg', type: 'file', side: 'remote' },
    { path: 'Old projects', type: 'dir', side: 'local' },
    { path: 'notes.txt', type: 'file', side: 'local' },
  ],
  total: 120,
};

async function openFailSafe(info: FailSafeInfo = massDelete, change: (backend: FakeBackend) => void = () => {}) {
  const backend = signedInBackend({
    pairs: [home],
    statuses: [{ pairId: home.id, status: status({ state: 'failsafe', problem: { code: ErrorCode.FailSafeTriggered, message: 'would delete 120 files' }, failSafe: info }) }],
  }).answer('failsafe:decide', undefined);
  change(backend);
  const user = userEvent.setup();
  renderApp(backend);
  const panel = await screen.findByRole('region', { name: 'Syncing stopped before deleting files' });
  return { user, backend, panel };
}

describe('the fail-safe panel', () => {
  it('says why the folder stopped and lists what would be deleted on which side, with how many more', async () => {
    const { backend, panel } = await openFailSafe();
    expect(within(panel).getByText('This sync would delete 120 files, more than half of what is synced. Nothing has been deleted.')).toBeTruthy();
    const list = within(panel).getByRole('list', { name: 'What would be deleted' });
    expect(within(list).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'Photos/2024/beach.jpg on TeraCLOUD',
      'Photos/2024/hike.jpg on TeraCLOUD',
      'Old projects (folder) on this computer',
      'notes.txt on this computer',
    ]);
    expect(within(panel).getByText('and 117 more')).toBeTruthy();
    // The panel says it all: the problem is not repeated beside it.
    expect(screen.queryByText('Syncing stopped before deleting many files.')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it.each([
    ['localEmpty', 'The folder on this computer is empty, but 3 files were synced from it.'],
    ['localMissing', 'The folder on this computer is missing, but 1 file was synced into it.'],
    ['remoteGone', 'The folder on TeraCLOUD is gone, but 3 files were synced with it. Nothing has been deleted.'],
  ] as const)('explains a %s stop', async (reason, words) => {
    const total = reason === 'localMissing' ? 1 : 3;
    const deletions = Array.from({ length: total }, (_, index) => ({ path: `f${index}.txt`, type: 'file' as const, side: reason === 'remoteGone' ? ('local' as const) : ('remote' as const) }));
    const { backend, panel } = await openFailSafe({ reason, deletions, total });
    expect(within(panel).getByText((text) => text.startsWith(words))).toBeTruthy();
    expect(within(panel).queryByText(/^and \d+ more$/)).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('restores them', async () => {
    const { user, backend, panel } = await openFailSafe();
    await user.click(within(panel).getByRole('button', { name: 'Restore them' }));
    await waitFor(() => expect(backend.callsOf('failsafe:decide')).toEqual([{ pairId: home.id, decision: 'restore' }]));
    expect(backend.violations).toEqual([]);
  });

  it('asks before deleting them; Escape and Cancel take it back and send nothing', async () => {
    const { user, backend, panel } = await openFailSafe();
    const question = 'Delete 120 files? Files on this computer go to the trash; files on TeraCLOUD are deleted there.';
    await user.click(within(panel).getByRole('button', { name: 'Delete them' }));
    const asking = within(panel).getByRole('group', { name: question });
    expect(within(asking).getByRole('button', { name: 'Yes, delete them' })).toBeTruthy();
    expect(document.activeElement).toBe(within(asking).getByRole('button', { name: 'Cancel' }));

    await user.keyboard('{Escape}');
    expect(within(panel).queryByRole('group', { name: question })).toBeNull();
    expect(document.activeElement).toBe(within(panel).getByRole('button', { name: 'Delete them' }));

    await user.click(within(panel).getByRole('button', { name: 'Delete them' }));
    await user.click(within(panel).getByRole('button', { name: 'Cancel' }));
    expect(within(panel).queryByText(question)).toBeNull();
    expect(backend.callsOf('failsafe:decide')).toEqual([]);

    await user.click(within(panel).getByRole('button', { name: 'Delete them' }));
    await user.click(within(panel).getByRole('button', { name: 'Yes, delete them' }));
    await waitFor(() => expect(backend.callsOf('failsafe:decide')).toEqual([{ pairId: home.id, decision: 'allow' }]));
    expect(backend.violations).toEqual([]);
  });

  it('decides later: the folder stays stopped and the button is done', async () => {
    const { user, backend, panel } = await openFailSafe();
    await user.click(within(panel).getByRole('button', { name: 'Decide later' }));
    await waitFor(() => expect(backend.callsOf('failsafe:decide')).toEqual([{ pairId: home.id, decision: 'keepWaiting' }]));
    await waitFor(() => expect(within(panel).getByRole('button', { name: 'Decide later' })).toHaveProperty('disabled', true));
    expect(within(panel).getByRole('button', { name: 'Restore them' })).toHaveProperty('disabled', false);
    expect(backend.violations).toEqual([]);
  });

  it('says why an answer did not go through', async () => {
    const { user, backend, panel } = await openFailSafe(massDelete, (b) => b.answer('failsafe:decide', { code: ErrorCode.InvalidRequest, message: 'pair-1 is not waiting at the fail-safe' }));
    await user.click(within(panel).getByRole('button', { name: 'Restore them' }));
    const alert = await within(panel).findByRole('alert');
    expect(within(alert).getByText('pair-1 is not waiting at the fail-safe')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('goes away when the folder syncs again', async () => {
    const { backend } = await openFailSafe();
    backend.emit('status:changed', { pairId: home.id, status: status({ lastSyncAt: Date.now() }) });
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Syncing stopped before deleting files' })).toBeNull());
    expect(backend.violations).toEqual([]);
  });

  it('deletes them with the keyboard alone, after the question', async () => {
    const { user, backend, panel } = await openFailSafe();
    await tabTo(user, within(panel).getByRole('button', { name: 'Delete them' }));
    await user.keyboard('{Enter}');
    // The focus is on Cancel: the safe answer. One Shift+Tab reaches Yes.
    await user.tab({ shift: true });
    expect(document.activeElement).toBe(within(panel).getByRole('button', { name: 'Yes, delete them' }));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(backend.callsOf('failsafe:decide')).toEqual([{ pairId: home.id, decision: 'allow' }]));
    expect(backend.violations).toEqual([]);
  });

  it('names the share the settings chose, in both languages', async () => {
    const chosen = settings({ pairs: [home] });
    const thirty = { ...chosen.sync, failSafePercent: 30 };
    const backend = signedInBackend({ pairs: [home], settings: { sync: thirty }, statuses: [{ pairId: home.id, status: status({ state: 'failsafe', failSafe: massDelete }) }] });
    renderApp(backend);
    expect(await screen.findByText(/^This sync would delete \d+ files, more than 30% of what is synced\. Nothing has been deleted\.$/)).toBeTruthy();
    cleanup();
    const japanese = signedInBackend({ pairs: [home], language: 'ja', settings: { sync: thirty }, statuses: [{ pairId: home.id, status: status({ state: 'failsafe', failSafe: massDelete }) }] });
    renderApp(japanese);
    expect(await screen.findByText(/同期済みのファイルの30％を超えています。/)).toBeTruthy();
  });

  it('is in Japanese on a Japanese system', async () => {
    const backend = signedInBackend({
      pairs: [home],
      language: 'system',
      statuses: [{ pairId: home.id, status: status({ state: 'failsafe', failSafe: massDelete }) }],
    });
    renderApp(backend, ['ja-JP']);
    expect(await screen.findByRole('heading', { level: 3, name: 'ファイルを削除する前に同期を止めました' })).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('says 復元 for restore in Japanese, never 元に戻す', async () => {
    const backend = signedInBackend({
      pairs: [home],
      language: 'ja',
      statuses: [{ pairId: home.id, status: status({ state: 'failsafe', failSafe: massDelete }) }],
    });
    renderApp(backend);
    const heading = await screen.findByRole('heading', { level: 3, name: 'ファイルを削除する前に同期を止めました' });
    const panel = heading.closest('section') ?? document.body;
    expect(within(panel as HTMLElement).getByRole('button', { name: '復元する' })).toBeTruthy();
    expect(within(panel as HTMLElement).getByText('まだ残っている側から復元します。何も削除しません。')).toBeTruthy();
    expect(panel.textContent).not.toMatch(/元に戻|取り戻/);
  });
});
