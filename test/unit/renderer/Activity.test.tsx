// @vitest-environment jsdom
/**
 * The Activity screen: the sync runs main keeps, newest first, a page at a time, filtered by
 * folder and by kind; a run that ends while it is open; the hook for a "Deleted files" screen.
 */
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ActivityRunList } from '../../../renderer/src/components/ActivityRunList.js';
import { I18nProvider } from '../../../renderer/src/i18n/i18n.js';
import { ApiContext } from '../../../renderer/src/state/hooks.js';
import { ErrorCode } from '../../../shared/errors.js';
import type { ActivityRun } from '../../../shared/types.js';
import { pair, status } from './support/fakeBackend.js';
import { renderApp } from './support/render.js';
import { openScreen, signedInBackend, tabTo } from './support/screens.js';

const now = Date.UTC(2025, 5, 2, 9, 30, 0);
const minute = 60_000;

beforeEach(() => {
  vi.setSystemTime(now);
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const home = pair();
const photos = pair({ id: 'pair-2', localFolder: '/home/alice/Pictures', remoteFolder: 'Photos' });

function run(id: number, change: Partial<ActivityRun> = {}): ActivityRun {
  return {
    id,
    pairId: home.id,
    startedAt: now - (100 - id) * minute - 1_000,
    endedAt: now - (100 - id) * minute,
    outcome: 'completed',
    groups: [{ kind: 'addedRemote', count: 1, files: [{ path: `file-${id}.txt`, from: null, error: null }] }],
    ...change,
  };
}

function backendWith(pages: (request: unknown) => { runs: ActivityRun[]; more: boolean }) {
  const backend = signedInBackend({ pairs: [home, photos], statuses: [{ pairId: home.id, status: status({ lastSyncAt: now - minute }) }] });
  backend.answer('activity:list', (request) => pages(request));
  return backend;
}

function entries(): string[] {
  const list = screen.getByRole('region', { name: 'Activity' });
  return within(list)
    .queryAllByRole('article')
    .map((entry) => within(entry).getByRole('heading', { level: 2 }).textContent ?? '');
}

describe('the Activity screen', () => {
  it('sits between Status and Conflicts, lists runs newest first and pages with Show more', async () => {
    const all = Array.from({ length: 25 }, (_, index) => run(25 - index));
    const backend = backendWith((request) => {
      const { before, limit } = request as { before?: number; limit: number };
      const older = all.filter((item) => before === undefined || item.id < before);
      return { runs: older.slice(0, limit), more: older.length > limit };
    });
    const user = userEvent.setup();
    renderApp(backend);
    const navigation = await screen.findByRole('navigation', { name: 'TeraSync' });
    expect(within(navigation).getAllByRole('button').map((button) => button.textContent)).toEqual(['Status', 'Activity', 'Conflicts', 'Deleted files', 'Backup', 'Settings', 'Add a folder']);
    await openScreen(user, 'Activity');
    await waitFor(() => expect(entries()).toHaveLength(20));
    expect(entries()[0]).toBe('Sync 1 hour ago');
    expect(backend.callsOf('activity:list').at(-1)).toEqual({ limit: 20 });
    await user.click(screen.getByRole('button', { name: 'Show more' }));
    await waitFor(() => expect(entries()).toHaveLength(25));
    expect(backend.callsOf('activity:list').at(-1)).toEqual({ limit: 20, before: 6 });
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('filters by folder and by kind, asking main for the matching runs only', async () => {
    const deletedRun = run(9, { pairId: photos.id, groups: [{ kind: 'deletedRemote', count: 122, files: [{ path: 'old.jpg', from: null, error: null }] }] });
    const backend = backendWith((request) => {
      const { pairId, kinds } = request as { pairId?: string; kinds?: string[] };
      if (pairId === photos.id && kinds?.includes('deletedRemote') === true) return { runs: [deletedRun], more: false };
      if (pairId !== undefined || kinds !== undefined) return { runs: [], more: false };
      return { runs: [run(10), deletedRun], more: false };
    });
    const user = userEvent.setup();
    renderApp(backend);
    await openScreen(user, 'Activity');
    await waitFor(() => expect(entries()).toHaveLength(2));

    await user.selectOptions(screen.getByRole('combobox', { name: 'Folder' }), 'Photos — /home/alice/Pictures');
    await waitFor(() => expect(screen.getByText('No sync matches these filters.')).toBeTruthy());
    expect(backend.callsOf('activity:list').at(-1)).toEqual({ limit: 20, pairId: photos.id });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Show' }), 'Deleted');
    await waitFor(() => expect(entries()).toEqual(['Photos 2 hours ago']));
    expect(backend.callsOf('activity:list').at(-1)).toEqual({ limit: 20, pairId: photos.id, kinds: ['deletedRemote', 'deletedLocal'] });
    expect(screen.getByText('Deleted 122 files on TeraCLOUD')).toBeTruthy();

    // A run that ends now, of the other folder, does not match; one of Photos with deletions does, with only its deletions.
    backend.emit('activity:runAdded', run(11, { endedAt: now }));
    backend.emit('activity:runAdded', run(12, {
      pairId: photos.id,
      endedAt: now,
      groups: [
        { kind: 'addedRemote', count: 2, files: [{ path: 'new.jpg', from: null, error: null }] },
        { kind: 'deletedRemote', count: 3, files: [{ path: 'gone.jpg', from: null, error: null }] },
      ],
    }));
    await waitFor(() => expect(entries()).toEqual(['Photos just now', 'Photos 2 hours ago']));
    expect(screen.getByText('Deleted 3 files on TeraCLOUD')).toBeTruthy();
    expect(screen.queryByText('Added 2 files to TeraCLOUD')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('says when nothing was synced, and shows a failed answer with Try again', async () => {
    let fail = true;
    const backend = signedInBackend({ pairs: [home] });
    // The store's first answer (the status screen's last runs) works; the screen's first page fails.
    backend.answer('activity:list', (request) => {
      if (fail && request.limit === 20) return { code: ErrorCode.LocalIo, message: 'EIO: i/o error, read' };
      return { runs: [], more: false };
    });
    const user = userEvent.setup();
    renderApp(backend);
    await openScreen(user, 'Activity');
    const retry = await screen.findByRole('button', { name: /try again/i });
    fail = false;
    await user.click(retry);
    expect(await screen.findByText('Nothing was synced in the last 30 days.')).toBeTruthy();
  });

  it('is reached and used with the keyboard alone', async () => {
    const backend = backendWith(() => ({ runs: [run(5)], more: false }));
    backend.answer('shell:showFile', undefined);
    const user = userEvent.setup();
    renderApp(backend);
    await screen.findByRole('heading', { level: 1, name: 'Status' });
    await tabTo(user, within(screen.getByRole('navigation', { name: 'TeraSync' })).getByRole('button', { name: 'Activity' }));
    await user.keyboard('{Enter}');
    expect(await screen.findByRole('heading', { level: 1, name: 'Activity' })).toBe(document.activeElement);
    await waitFor(() => expect(entries()).toHaveLength(1));
    const list = screen.getByRole('region', { name: 'Activity' });
    await tabTo(user, within(list).getByRole('button', { name: 'Show the files: Added 1 file to TeraCLOUD' }));
    await user.keyboard('{Enter}');
    await tabTo(user, within(list).getByRole('button', { name: /file-5\.txt/ }));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(backend.callsOf('shell:showFile')).toEqual([{ pairId: home.id, path: 'file-5.txt' }]));
  });

  it('is in Japanese', async () => {
    const backend = signedInBackend({ pairs: [home], language: 'ja' });
    backend.answer('activity:list', { runs: [run(5, { groups: [{ kind: 'deletedRemote', count: 122, files: [{ path: 'a.txt', from: null, error: null }] }] })], more: false });
    const user = userEvent.setup();
    renderApp(backend, ['ja-JP']);
    await openScreen(user, 'アクティビティ');
    expect(await screen.findByText('TeraCLOUD上の122個のファイルを削除しました')).toBeTruthy();
    expect(screen.getByRole('combobox', { name: 'フォルダー' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'ファイルを表示：TeraCLOUD上の122個のファイルを削除しました' }).getAttribute('aria-expanded')).toBe('false');
  });
});

describe('the link to deleted files', () => {
  it('is offered for a run that deleted files on TeraCLOUD, and names the run', async () => {
    const shown: Array<{ runId: string | null; pairId: string }> = [];
    const backend = signedInBackend({ pairs: [home] });
    const runs = [
      run(3, { trashRunId: '2026-12-05T235329Z', groups: [{ kind: 'deletedRemote', count: 122, files: [{ path: 'a.txt', from: null, error: null }] }] }),
      run(2, { groups: [{ kind: 'deletedLocal', count: 1, files: [{ path: 'b.txt', from: null, error: null }] }] }),
    ];
    const user = userEvent.setup();
    render(
      <ApiContext.Provider value={backend.api}>
        <I18nProvider locale="en">
          <ActivityRunList runs={runs} pairs={[home]} onShowDeleted={(target) => shown.push(target)} />
        </I18nProvider>
      </ApiContext.Provider>,
    );
    const [first, second] = screen.getAllByRole('article') as [HTMLElement, HTMLElement];
    await user.click(within(first).getByRole('button', { name: 'Restore deleted files' }));
    // The run's folder in the trash: the Deleted files screen opens that run.
    expect(shown).toEqual([{ runId: '2026-12-05T235329Z', pairId: home.id }]);
    expect(within(second).queryByRole('button', { name: 'Restore deleted files' })).toBeNull();
  });
});
