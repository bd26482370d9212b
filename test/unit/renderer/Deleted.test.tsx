// @vitest-environment jsdom
/**
 * The Deleted files screen: each folder's trash runs newest first, opening to their files,
 * Restore per run and per file (with progress, and a restored copy said so), Delete for good
 * behind a confirmation, errors, the empty state, the link from an activity run, the quota's
 * usage line, the keyboard, and Japanese.
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import type { ActivityRun, PairDeletedFiles, RestoredDeletedEntry } from '../../../shared/types.js';
import { ja } from '../../../shared/i18n/ja.js';
import { type FakeBackend, pair } from './support/fakeBackend.js';
import { renderApp } from './support/render.js';
import { deferred, openScreen, signedInBackend, tabTo } from './support/screens.js';

afterEach(() => {
  cleanup();
});

const home = pair();
const photos = pair({ id: 'pair-2', remoteFolder: 'Photos', localFolder: '/home/alice/Photos' });
const newer = Date.UTC(2026, 11, 5, 23, 53, 29);
const older = Date.UTC(2026, 11, 1, 8, 0, 0);

const homeTrash: PairDeletedFiles = {
  pairId: home.id,
  runs: [
    {
      runId: '2026-12-05T235329Z',
      deletedAt: newer,
      files: [
        { path: 'docs/a.txt', size: 2_000 },
        { path: 'docs/b.txt', size: 3_000 },
      ],
      bytes: 5_000,
    },
    { runId: '2026-12-01T080000Z', deletedAt: older, files: [{ path: 'old.txt', size: 10 }], bytes: 10 },
  ],
  bytes: 5_010,
  problem: null,
};

function runArticles(): HTMLElement[] {
  return screen.getAllByRole('article');
}

async function openDeleted(list: PairDeletedFiles[] = [homeTrash], change: (backend: FakeBackend) => void = () => {}, language: 'en' | 'ja' = 'en') {
  const backend = signedInBackend({ pairs: [home, photos], language }).answer('deleted:list', list);
  change(backend);
  const user = userEvent.setup();
  renderApp(backend);
  const title = language === 'ja' ? ja.deleted.title : 'Deleted files';
  await screen.findByRole('heading', { level: 1, name: language === 'ja' ? ja.status.title : 'Status' });
  await openScreen(user, title);
  return { user, backend };
}

describe('the Deleted files screen', () => {
  it('comes after Conflicts in the navigation, and says when nothing is deleted', async () => {
    const { backend } = await openDeleted([
      { pairId: home.id, runs: [], bytes: 0, problem: null },
      { pairId: photos.id, runs: [], bytes: 0, problem: null },
    ]);
    const names = within(screen.getByRole('navigation', { name: 'TeraSync' }))
      .getAllByRole('button')
      .map((button) => button.textContent);
    expect(names.indexOf('Deleted files')).toBe(names.findIndex((name) => name?.startsWith('Conflicts')) + 1);
    expect(await screen.findByText(/^No deleted files\./)).toBeTruthy();
    expect(screen.getByText(/kept here for 30 days, then deleted for good/)).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('lists each folder’s runs newest first with how many files and how big, each opening to its files', async () => {
    const { user, backend } = await openDeleted([homeTrash, { pairId: photos.id, runs: [], bytes: 0, problem: null }]);
    const homeCard = await screen.findByRole('region', { name: 'Sync' });
    expect(within(screen.getByRole('region', { name: 'Photos' })).getByText('Nothing deleted in this folder.')).toBeTruthy();
    const [first, second] = within(homeCard).getAllByRole('article') as [HTMLElement, HTMLElement];
    expect(within(first).getByText('2 files, 5 kB')).toBeTruthy();
    expect(within(second).getByText('1 file, 10 B')).toBeTruthy();
    const toggle = within(first).getByRole('button', { name: /^Show the files deleted / });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(within(first).queryByRole('button', { name: 'Restore docs/a.txt' })).toBeNull();
    await user.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(within(first).getByRole('button', { name: 'Restore docs/a.txt' })).toBeTruthy();
    expect(within(first).getByText('docs/b.txt')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('restores a run with progress while it runs, says which name was taken, and lists again', async () => {
    const answer = deferred<RestoredDeletedEntry[]>();
    const { user, backend } = await openDeleted([homeTrash], (b) => b.answer('deleted:restore', () => answer.promise));
    const [first] = runArticles() as [HTMLElement];
    await user.click(within(first).getByRole('button', { name: /^Restore all: 2 files deleted / }));
    expect(backend.callsOf('deleted:restore')).toEqual([{ pairId: home.id, runId: '2026-12-05T235329Z' }]);
    const progress = await screen.findByRole('progressbar', { name: 'Restore progress' });
    expect(progress.getAttribute('aria-valuetext')).toBe('Restoring 2 files…');
    // One at a time: the other buttons wait.
    expect((within(first).getByRole('button', { name: 'Delete for good' }) as HTMLButtonElement).disabled).toBe(true);
    backend.answer('deleted:list', [{ ...homeTrash, runs: homeTrash.runs.slice(1), bytes: 10 }]);
    answer.resolve([
      { path: 'docs/a.txt', restoredTo: 'docs/a.txt' },
      { path: 'docs/b.txt', restoredTo: 'docs/b (restored).txt' },
    ]);
    expect(await screen.findByText('Restored 2 files on TeraCLOUD. The next sync brings them back to this computer.')).toBeTruthy();
    expect(screen.getByText('docs/b.txt was restored as docs/b (restored).txt: a file of that name was already there.')).toBeTruthy();
    expect(screen.queryByRole('progressbar')).toBeNull();
    await waitFor(() => expect(runArticles()).toHaveLength(1));
    expect(backend.callsOf('deleted:list')).toHaveLength(2);
    expect(backend.violations).toEqual([]);
  });

  it('restores one file of a run', async () => {
    const { user, backend } = await openDeleted([homeTrash], (b) => b.answer('deleted:restore', [{ path: 'docs/a.txt', restoredTo: 'docs/a.txt' }]));
    const [first] = runArticles() as [HTMLElement];
    await user.click(within(first).getByRole('button', { name: /^Show the files deleted / }));
    await user.click(within(first).getByRole('button', { name: 'Restore docs/a.txt' }));
    expect(await screen.findByText('Restored 1 file on TeraCLOUD. The next sync brings them back to this computer.')).toBeTruthy();
    expect(backend.callsOf('deleted:restore')).toEqual([{ pairId: home.id, runId: '2026-12-05T235329Z', path: 'docs/a.txt' }]);
    expect(backend.violations).toEqual([]);
  });

  it('deletes a run for good only after the confirmation', async () => {
    const { user, backend } = await openDeleted([homeTrash], (b) => b.answer('deleted:purge', undefined));
    const second = runArticles()[1] as HTMLElement;
    await user.click(within(second).getByRole('button', { name: 'Delete for good' }));
    const question = within(second).getByRole('group', { name: /^Delete the 1 file deleted .* for good\? They cannot be restored afterwards\.$/ });
    await user.click(within(question).getByRole('button', { name: 'Cancel' }));
    expect(backend.callsOf('deleted:purge')).toEqual([]);
    await user.click(within(second).getByRole('button', { name: 'Delete for good' }));
    backend.answer('deleted:list', [{ ...homeTrash, runs: homeTrash.runs.slice(0, 1), bytes: 5_000 }]);
    await user.click(within(second).getByRole('button', { name: 'Yes, delete for good' }));
    expect(await screen.findByText(/^The files deleted .* are deleted for good\.$/)).toBeTruthy();
    expect(backend.callsOf('deleted:purge')).toEqual([{ pairId: home.id, runId: '2026-12-01T080000Z' }]);
    await waitFor(() => expect(runArticles()).toHaveLength(1));
    expect(backend.violations).toEqual([]);
  });

  it('says clearly when a restore fails, when a folder cannot be listed, and when nothing can', async () => {
    const { user, backend } = await openDeleted(
      [homeTrash, { pairId: photos.id, runs: [], bytes: 0, problem: { code: ErrorCode.Forbidden, message: '403 Forbidden' } }],
      (b) => b.answer('deleted:restore', { code: ErrorCode.Network, message: 'ECONNRESET' }),
    );
    expect(within(screen.getByRole('region', { name: 'Photos' })).getByText('The deleted files of this folder could not be listed.')).toBeTruthy();
    await user.click(within(runArticles()[0] as HTMLElement).getByRole('button', { name: /^Restore all: 2 files/ }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('The files could not be restored.')).toBeTruthy();
    expect(within(alert).getByText('ECONNRESET')).toBeTruthy();
    expect(backend.violations).toEqual([]);
    cleanup();

    const failing = await openDeleted([], (b) => b.answer('deleted:list', { code: ErrorCode.Network, message: 'offline' }));
    const notice = await screen.findByRole('alert');
    failing.backend.answer('deleted:list', [homeTrash]);
    await failing.user.click(within(notice).getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(runArticles()).toHaveLength(2));
  });

  it('is used with the keyboard alone', async () => {
    const { user, backend } = await openDeleted([homeTrash], (b) => b.answer('deleted:restore', [{ path: 'old.txt', restoredTo: 'old.txt' }]));
    const restoreOld = within(runArticles()[1] as HTMLElement).getByRole('button', { name: /^Restore all: 1 file deleted / });
    await tabTo(user, restoreOld);
    await user.keyboard('{Enter}');
    expect(await screen.findByText(/^Restored 1 file on TeraCLOUD/)).toBeTruthy();
    expect(backend.callsOf('deleted:restore')).toEqual([{ pairId: home.id, runId: '2026-12-01T080000Z' }]);
  });

  it('speaks Japanese, with 復元 for restore', async () => {
    await openDeleted([homeTrash], () => {}, 'ja');
    const [first] = runArticles() as [HTMLElement];
    expect(within(first).getByText('2個のファイル、5 kB')).toBeTruthy();
    expect(within(first).getByRole('button', { name: /^すべて復元：.*に削除した2個のファイル$/ }).textContent).toBe('すべて復元');
    expect(within(first).getByRole('button', { name: '完全に削除' })).toBeTruthy();
    expect(document.body.textContent).not.toContain('元に戻す');
  });
});

describe('the way from an activity run', () => {
  const deletingRun: ActivityRun = {
    id: 12,
    pairId: home.id,
    startedAt: newer,
    endedAt: newer + 5_000,
    outcome: 'completed',
    groups: [{ kind: 'deletedRemote', count: 1, files: [{ path: 'old.txt', from: null, error: null }] }],
    trashRunId: '2026-12-01T080000Z',
  };

  it('offers Restore on a run that deleted files on TeraCLOUD, opening that run of the Deleted files screen', async () => {
    const backend = signedInBackend({ pairs: [home] }).answer('activity:list', { runs: [deletingRun], more: false }).answer('deleted:list', [homeTrash]);
    const user = userEvent.setup();
    renderApp(backend);
    await openScreen(user, 'Activity');
    const run = await screen.findByRole('article');
    await user.click(within(run).getByRole('button', { name: 'Restore deleted files' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Deleted files' })).toBe(document.activeElement);
    await waitFor(() => expect(runArticles()).toHaveLength(2));
    const [first, second] = runArticles() as [HTMLElement, HTMLElement];
    expect(within(second).getByRole('button', { name: /^Hide the files deleted / }).getAttribute('aria-expanded')).toBe('true');
    expect(within(second).getByRole('button', { name: 'Restore old.txt' })).toBeTruthy();
    expect(within(first).getByRole('button', { name: /^Show the files deleted / }).getAttribute('aria-expanded')).toBe('false');
    expect(backend.violations).toEqual([]);
  });
});

describe('the usage line of the quota', () => {
  it('says what the deleted files take and how long they are kept, on Status and Settings, asked again after a run', async () => {
    const backend = signedInBackend({ pairs: [home] }).answer('deleted:usage', { bytes: 12_000_000, retentionDays: 30 });
    const user = userEvent.setup();
    renderApp(backend);
    const storage = await screen.findByRole('region', { name: 'Storage' });
    expect(await within(storage).findByText('Deleted files: 12 MB, kept 30 days')).toBeTruthy();
    backend.answer('deleted:usage', { bytes: 0, retentionDays: 7 });
    const calls = backend.callsOf('deleted:usage').length;
    backend.emit('activity:runAdded', { id: 40, pairId: home.id, startedAt: 1, endedAt: 2, outcome: 'completed', groups: [{ kind: 'deletedRemote', count: 1, files: [] }] });
    expect(await within(storage).findByText('Deleted files: 0 B, kept 7 days')).toBeTruthy();
    expect(backend.callsOf('deleted:usage').length).toBeGreaterThan(calls);
    await openScreen(user, 'Settings');
    expect(await within(screen.getByRole('region', { name: 'Account' })).findByText('Deleted files: 0 B, kept 7 days')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });
});
