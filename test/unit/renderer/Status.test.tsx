// @vitest-environment jsdom
/**
 * The status screen: the app's state in words as main pushes each pair's status, a pair's
 * progress with its time left, its buttons and its last sync, a pair stopped by a problem, the
 * files the last run could not sync, the storage quota, and the recent activity.
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import type { ActivityRun, ConflictInfo, PairView, SyncStatus } from '../../../shared/types.js';
import { account, type FakeBackend, pair, settings, status } from './support/fakeBackend.js';
import { renderApp } from './support/render.js';
import { signedInBackend, tabTo, type SignedInOptions } from './support/screens.js';

const now = Date.UTC(2025, 5, 2, 9, 30, 0);
const minute = 60_000;

beforeEach(() => {
  // Only Date: the screen's own timers and the user's events run as they do.
  vi.setSystemTime(now);
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const home = pair();
const work = pair({ id: 'pair-2', localFolder: '/home/alice/Work', remoteFolder: 'Work' });

async function openStatus(options: SignedInOptions = {}, change: (backend: FakeBackend) => void = () => {}) {
  const backend = signedInBackend({ pairs: [home], statuses: [{ pairId: home.id, status: status({ lastSyncAt: now - 3 * minute }) }], ...options });
  change(backend);
  const user = userEvent.setup();
  renderApp(backend);
  await screen.findByRole('heading', { level: 1, name: 'Status' });
  return { user, backend };
}

/** The app's state in words, at the top of the screen. */
function overallWords(): string {
  return within(screen.getByRole('region', { name: 'Status' })).getByRole('status').textContent ?? '';
}

function overall(): HTMLElement {
  return screen.getByRole('region', { name: 'Status' });
}

function pairCard(folder: PairView = home): HTMLElement {
  return screen.getByRole('region', { name: new RegExp(`^${folder.localFolder}\\b`) });
}

function pairLine(folder: PairView = home): string {
  return within(pairCard(folder)).getByText((_, element) => element?.classList.contains('pair-state') === true).textContent ?? '';
}

/** Answers pause and resume as main does: the changed pair comes back, and with the settings to every window. */
function answerPauseAndResume(backend: FakeBackend, pairs: PairView[]): void {
  const current = [...pairs];
  const change = (id: string, paused: boolean): PairView => {
    const index = current.findIndex((item) => item.id === id);
    const changed = { ...(current[index] as PairView), paused };
    current[index] = changed;
    backend.emit('settings:changed', settings({ pairs: [...current] }));
    return changed;
  };
  backend.answer('pairs:pause', ({ id }) => change(id, true));
  backend.answer('pairs:resume', ({ id }) => change(id, false));
}

function conflict(change: Partial<ConflictInfo> = {}): ConflictInfo {
  return {
    id: 1,
    pairId: home.id,
    path: 'notes/todo.txt',
    copy: 'notes/todo (conflict 2025-06-02 0920).txt',
    createdAt: now - 10 * minute,
    mine: { size: 1_200, modifiedMs: now - 11 * minute },
    theirs: { size: 1_500, modifiedMs: now - 12 * minute },
    ...change,
  };
}

function run(id: number, change: Partial<ActivityRun> = {}): ActivityRun {
  return {
    id,
    pairId: home.id,
    startedAt: now - 2 * minute,
    endedAt: now - minute,
    outcome: 'completed',
    groups: [{ kind: 'addedRemote', count: 1, files: [{ path: `file-${id}.txt`, from: null, error: null }] }],
    ...change,
  };
}

describe('the status screen', () => {
  it('says the app state in words as the statuses come', async () => {
    const { backend } = await openStatus();
    expect(overallWords()).toBe('Up to date');
    expect(pairLine()).toBe('Up to date · Last synced 3 minutes ago');

    const steps: Array<[Partial<SyncStatus>, string, string]> = [
      [{ state: 'scanning' }, 'Up to date', 'Looking for changes'],
      [{ state: 'syncing', progress: { actionsDone: 1, actionsTotal: 4, bytesDone: 0, bytesTotal: 0 } }, 'Syncing', 'Syncing'],
      [{ state: 'paused' }, 'Paused', 'Paused'],
      [{ state: 'offline', problem: { code: ErrorCode.Network, message: 'ENETUNREACH' }, retryAt: now + minute }, 'Offline: TeraSync tries again by itself', 'Offline'],
      [{ state: 'error', problem: { code: ErrorCode.Server, message: '500 Internal Server Error' } }, 'Syncing stopped', 'Stopped by a problem'],
      [{ state: 'error', problem: { code: ErrorCode.Unauthorized, message: '401 Unauthorized' } }, 'Your sign-in has expired: sign in again', 'Stopped by a problem'],
      [
        { state: 'failsafe', problem: { code: ErrorCode.FailSafeTriggered, message: 'would delete 40 files' }, failSafe: { reason: 'massDelete', deletions: [], total: 40 } },
        'Waiting for your decision',
        'Waiting for your decision',
      ],
      [{ state: 'idle' }, 'Up to date', 'Up to date'],
    ];
    for (const [change, words, pairWords] of steps) {
      backend.emit('status:changed', { pairId: home.id, status: status({ lastSyncAt: now - 3 * minute, ...change }) });
      await waitFor(() => expect(overallWords()).toBe(words));
      expect(pairLine().startsWith(pairWords)).toBe(true);
    }

    backend.emit('conflicts:changed', [conflict()]);
    await waitFor(() => expect(overallWords()).toBe('1 conflict waits for you'));
    backend.emit('conflicts:changed', [conflict(), conflict({ id: 2, path: 'b.txt', copy: 'b (conflict).txt' })]);
    await waitFor(() => expect(overallWords()).toBe('2 conflicts wait for you'));
    expect(backend.violations).toEqual([]);
  });

  it('says syncing while a first scan runs, and the worst state of several folders', async () => {
    const { backend } = await openStatus({ pairs: [home, work], statuses: [] });
    backend.emit('status:changed', { pairId: home.id, status: status({ state: 'scanning', lastSyncAt: null }) });
    await waitFor(() => expect(overallWords()).toBe('Syncing'));
    backend.emit('status:changed', { pairId: work.id, status: status({ state: 'offline', problem: { code: ErrorCode.Timeout, message: 'timed out' } }) });
    await waitFor(() => expect(overallWords()).toBe('Offline: TeraSync tries again by itself'));
    backend.emit('status:changed', { pairId: home.id, status: status({ state: 'failsafe', failSafe: { reason: 'localEmpty', deletions: [], total: 3 } }) });
    await waitFor(() => expect(overallWords()).toBe('Waiting for your decision'));
    expect(backend.violations).toEqual([]);
  });

  it('says paused when every folder is paused', async () => {
    const { backend } = await openStatus({ pairs: [{ ...home, paused: true }], statuses: [{ pairId: home.id, status: status({ state: 'paused' }) }] });
    expect(overallWords()).toBe('Paused');
    expect(within(pairCard()).getByRole('button', { name: 'Sync now' })).toHaveProperty('disabled', true);
    expect(within(pairCard()).getByRole('button', { name: 'Resume' })).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('goes back to the sign-in when the account is signed out elsewhere', async () => {
    const { backend } = await openStatus();
    backend.emit('account:changed', null);
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in to TeraCLOUD' })).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('says when no folder is synced yet and offers the set-up', async () => {
    const user = userEvent.setup();
    const backend = signedInBackend();
    renderApp(backend);
    await screen.findByRole('heading', { level: 1, name: 'Set up a synced folder' });
    await user.click(within(screen.getByRole('navigation', { name: 'TeraSync' })).getByRole('button', { name: 'Status' }));
    await screen.findByRole('heading', { level: 1, name: 'Status' });
    expect(overallWords()).toBe('No folders are synced yet');
    expect(screen.getByText('No folders are synced yet.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Set up a folder' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Set up a synced folder' })).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('shows the progress in files and bytes, and the time left once the estimates agree', async () => {
    const syncing = (actionsDone: number, bytesDone: number): SyncStatus =>
      status({ state: 'syncing', lastSyncAt: now - 3 * minute, progress: { actionsDone, actionsTotal: 10, bytesDone, bytesTotal: 100_000_000 } });
    const { backend } = await openStatus({ statuses: [{ pairId: home.id, status: syncing(2, 10_000_000) }] });
    const bar = within(pairCard()).getByRole('progressbar', { name: 'Sync progress' });
    expect(bar.getAttribute('aria-valuetext')).toBe('2 of 10 files · 10 MB of 100 MB');
    expect(within(pairCard()).getByText('2 of 10 files · 10 MB of 100 MB')).toBeTruthy();
    expect(bar).toHaveProperty('value', 10_000_000);
    expect(bar).toHaveProperty('max', 100_000_000);

    // 10 MB a second: 8 s, 7 s left... not said before three estimates agree over three seconds.
    vi.setSystemTime(now + 1_000);
    backend.emit('status:changed', { pairId: home.id, status: syncing(3, 20_000_000) });
    await waitFor(() => expect(bar.getAttribute('aria-valuetext')).toBe('3 of 10 files · 20 MB of 100 MB'));
    expect(within(pairCard()).queryByText(/left/)).toBeNull();
    vi.setSystemTime(now + 2_000);
    backend.emit('status:changed', { pairId: home.id, status: syncing(3, 30_000_000) });
    await waitFor(() => expect(bar.getAttribute('aria-valuetext')).toBe('3 of 10 files · 30 MB of 100 MB'));

    // 30 MB in 3 s: 60 MB more take 6 s, said without "about".
    vi.setSystemTime(now + 3_000);
    backend.emit('status:changed', { pairId: home.id, status: syncing(4, 40_000_000) });
    await waitFor(() => expect(bar.getAttribute('aria-valuetext')).toBe('4 of 10 files · 40 MB of 100 MB · less than a minute left'));
    expect(within(pairCard()).getByText('4 of 10 files · 40 MB of 100 MB · less than a minute left')).toBeTruthy();
    expect(bar).toHaveProperty('value', 40_000_000);

    backend.emit('status:changed', { pairId: home.id, status: status({ lastSyncAt: now + 4_000 }) });
    await waitFor(() => expect(within(pairCard()).queryByRole('progressbar')).toBeNull());
    expect(pairLine()).toBe('Up to date · Last synced just now');
    expect(backend.violations).toEqual([]);
  });

  it('counts files alone when nothing has bytes to move', async () => {
    const { backend } = await openStatus({
      statuses: [{ pairId: home.id, status: status({ state: 'syncing', progress: { actionsDone: 1, actionsTotal: 3, bytesDone: 0, bytesTotal: 0 } }) }],
    });
    const bar = within(pairCard()).getByRole('progressbar', { name: 'Sync progress' });
    expect(bar.getAttribute('aria-valuetext')).toBe('1 of 3 files');
    expect(bar).toHaveProperty('value', 1);
    expect(bar).toHaveProperty('max', 3);
    expect(backend.violations).toEqual([]);
  });

  it('says when a folder was last synced, or that it has not been yet', async () => {
    const { backend } = await openStatus({
      pairs: [home, work],
      statuses: [
        { pairId: home.id, status: status({ lastSyncAt: now - 2 * 60 * minute }) },
        { pairId: work.id, status: status({ lastSyncAt: null }) },
      ],
    });
    expect(pairLine(home)).toBe('Up to date · Last synced 2 hours ago');
    expect(pairLine(work)).toBe('Up to date · Not synced yet');
    expect(backend.violations).toEqual([]);
  });

  it('syncs, pauses, resumes and opens one folder', async () => {
    const { user, backend } = await openStatus({}, (b) => {
      b.answer('pairs:syncNow', undefined).answer('shell:openFolder', undefined);
      answerPauseAndResume(b, [home]);
    });
    const card = pairCard();
    // One folder: its card has the buttons, not the top.
    expect(within(overall()).queryByRole('button', { name: 'Sync all now' })).toBeNull();

    await user.click(within(card).getByRole('button', { name: 'Sync now' }));
    await waitFor(() => expect(backend.callsOf('pairs:syncNow')).toEqual([{ id: home.id }]));
    await user.click(within(card).getByRole('button', { name: 'Pause' }));
    expect(await within(card).findByRole('button', { name: 'Resume' })).toBeTruthy();
    expect(backend.callsOf('pairs:pause')).toEqual([{ id: home.id }]);
    expect(within(card).getByRole('button', { name: 'Sync now' })).toHaveProperty('disabled', true);
    await user.click(within(card).getByRole('button', { name: 'Resume' }));
    expect(await within(card).findByRole('button', { name: 'Pause' })).toBeTruthy();
    expect(backend.callsOf('pairs:resume')).toEqual([{ id: home.id }]);
    await user.click(within(card).getByRole('button', { name: 'Open folder' }));
    await waitFor(() => expect(backend.callsOf('shell:openFolder')).toEqual([{ kind: 'syncFolder', pairId: home.id }]));
    expect(backend.violations).toEqual([]);
  });

  it('says why a button did not work', async () => {
    const { user, backend } = await openStatus({}, (b) => b.answer('pairs:syncNow', { code: ErrorCode.InvalidRequest, message: 'pair-1 is being removed' }));
    await user.click(within(pairCard()).getByRole('button', { name: 'Sync now' }));
    const alert = await within(pairCard()).findByRole('alert');
    expect(within(alert).getByText('pair-1 is being removed')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('syncs, pauses and resumes every folder at once', async () => {
    const { user, backend } = await openStatus({ pairs: [home, { ...work, paused: true }], statuses: [] }, (b) => {
      b.answer('pairs:syncNow', undefined);
      answerPauseAndResume(b, [home, { ...work, paused: true }]);
    });
    // A paused folder is not synced by Sync all now, and Pause all pauses the others.
    await user.click(within(overall()).getByRole('button', { name: 'Sync all now' }));
    await waitFor(() => expect(backend.callsOf('pairs:syncNow')).toEqual([{ id: home.id }]));
    await user.click(within(overall()).getByRole('button', { name: 'Pause all' }));
    expect(await within(overall()).findByRole('button', { name: 'Resume all' })).toBeTruthy();
    expect(backend.callsOf('pairs:pause')).toEqual([{ id: home.id }]);
    expect(overallWords()).toBe('Paused');
    expect(within(overall()).getByRole('button', { name: 'Sync all now' })).toHaveProperty('disabled', true);

    await user.click(within(overall()).getByRole('button', { name: 'Resume all' }));
    expect(await within(overall()).findByRole('button', { name: 'Pause all' })).toBeTruthy();
    expect(backend.callsOf('pairs:resume')).toEqual([{ id: home.id }, { id: work.id }]);
    expect(within(pairCard(work)).getByRole('button', { name: 'Pause' })).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('explains a folder stopped by a problem, when it tries again, and Retry now syncs it', async () => {
    const { user, backend } = await openStatus(
      {
        statuses: [
          {
            pairId: home.id,
            status: status({ state: 'error', lastSyncAt: now - 3 * minute, problem: { code: ErrorCode.Server, message: '503 Service Unavailable' }, retryAt: now + minute }),
          },
        ],
      },
      (b) => b.answer('pairs:syncNow', undefined),
    );
    expect(pairLine()).toBe('Stopped by a problem · Last synced 3 minutes ago · Next try in 1 minute');
    const notice = within(pairCard()).getByRole('status');
    expect(within(notice).getByText('TeraCLOUD had a problem answering.')).toBeTruthy();
    expect(within(notice).getByText('503 Service Unavailable')).toBeTruthy();
    await user.click(within(notice).getByRole('button', { name: 'Retry now' }));
    await waitFor(() => expect(backend.callsOf('pairs:syncNow')).toEqual([{ id: home.id }]));
    expect(backend.violations).toEqual([]);
  });

  it('asks to sign in again when the saved sign-in is refused, with the way to MyPage', async () => {
    const { user, backend } = await openStatus(
      { statuses: [{ pairId: home.id, status: status({ state: 'error', problem: { code: ErrorCode.Unauthorized, message: '401 Unauthorized' } }) }] },
      (b) => b.answer('shell:openUrl', undefined),
    );
    const notice = within(pairCard()).getByRole('status');
    expect(within(notice).getByText('Your saved sign-in is no longer accepted.')).toBeTruthy();
    await user.click(within(notice).getByRole('button', { name: 'Open MyPage' }));
    await waitFor(() => expect(backend.callsOf('shell:openUrl')).toHaveLength(1));
    expect(new URL(backend.callsOf('shell:openUrl')[0]?.url ?? '').protocol).toBe('https:');
    expect(backend.violations).toEqual([]);
  });

  it('lists the files the last run could not sync, and Retry syncs the folder again', async () => {
    const { user, backend } = await openStatus(
      {
        statuses: [
          {
            pairId: home.id,
            status: status({
              lastSyncAt: now - minute,
              lastRun: {
                conflicts: 0,
                errors: 3,
                failures: [
                  { path: 'docs/locked.docx', error: { code: ErrorCode.LocalIo, message: 'EBUSY: resource busy or locked' } },
                  { path: 'video/holiday.mp4', error: { code: ErrorCode.InsufficientStorage, message: '507 Insufficient Storage' } },
                ],
                skipped: 0,
                skips: [],
              },
            }),
          },
        ],
      },
      (b) => b.answer('pairs:syncNow', undefined),
    );
    const problems = screen.getByRole('region', { name: 'Problems' });
    expect(within(problems).getByText('These files could not be synced in the last run. TeraSync tries them again at the next sync.')).toBeTruthy();
    const items = within(problems).getAllByRole('listitem');
    // The title in the window's language; the raw message behind a closed Technical details.
    expect(items.map((item) => [item.querySelector('.problem-text')?.textContent, item.querySelector('details')?.open, item.querySelector('details p')?.textContent])).toEqual([
      ['A file or folder on this computer could not be used.', false, 'EBUSY: resource busy or locked'],
      ['Your TeraCLOUD storage is full.', false, '507 Insufficient Storage'],
    ]);
    expect(within(problems).getByText('and 1 more')).toBeTruthy();
    await user.click(within(problems).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(backend.callsOf('pairs:syncNow')).toEqual([{ id: home.id }]));

    backend.emit('status:changed', { pairId: home.id, status: status({ lastSyncAt: now, lastRun: { conflicts: 0, errors: 0, failures: [], skipped: 0, skips: [] } }) });
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Problems' })).toBeNull());
    expect(backend.violations).toEqual([]);
  });

  it('lists what the last run left alone (a name that cannot be synced), on either side, with what to do', async () => {
    const skips = [
      {
        path: 'photos/caf\\xE9.jpg',
        side: 'local' as const,
        reason: 'invalid-name' as const,
        message: 'the name is not valid UTF-8 (each byte that is not is shown as \\xHH), so it cannot be synced: the file is left as it is; rename it to sync it',
      },
      {
        path: 'back\\slash.txt',
        side: 'remote' as const,
        reason: 'invalid-name' as const,
        message:
          'the name contains "\\", which Windows and other WebDAV clients read as a folder separator, so it is not synced: the file is left as it is on the server; rename it there without "\\" to sync it',
      },
    ];
    const { backend } = await openStatus({
      statuses: [{ pairId: home.id, status: status({ lastSyncAt: now - minute, lastRun: { conflicts: 0, errors: 0, failures: [], skipped: 3, skips } }) }],
    });
    const problems = screen.getByRole('region', { name: 'Problems' });
    expect(within(problems).getByText('These were left alone in the last run and are not synced until you act on them:')).toBeTruthy();
    // No failed files: no word about them.
    expect(within(problems).queryByText(/could not be synced in the last run/)).toBeNull();
    // The sentence comes from the reason, in the window's language; the engine's own words sit
    // behind a closed Technical details.
    const items = within(problems).getAllByRole('listitem');
    expect(items.map((item) => item.querySelector('.problem-text')?.textContent)).toEqual([
      'On this computer. Its name cannot be used on the other side. Rename it to sync it.',
      'On TeraCLOUD. Its name cannot be used on the other side. Rename it to sync it.',
    ]);
    expect(items.map((item) => [item.querySelector('details')?.open, item.querySelector('details p')?.textContent])).toEqual([
      [false, 'The name is not valid UTF-8 (each byte that is not is shown as \\xHH), so it cannot be synced: the file is left as it is; rename it to sync it.'],
      [false, 'The name contains "\\", which Windows and other WebDAV clients read as a folder separator, so it is not synced: the file is left as it is on the server; rename it there without "\\" to sync it.'],
    ]);
    expect(within(problems).getByText('and 1 more')).toBeTruthy();

    backend.emit('status:changed', { pairId: home.id, status: status({ lastSyncAt: now, lastRun: { conflicts: 0, errors: 0, failures: [], skipped: 0, skips: [] } }) });
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Problems' })).toBeNull());
    expect(backend.violations).toEqual([]);
  });

  it('shows the storage used, or why it is not known', async () => {
    const { backend } = await openStatus();
    const storage = screen.getByRole('region', { name: 'Storage' });
    expect(within(storage).getByText('4.2 GB of 20 GB used (21%)')).toBeTruthy();
    expect(within(storage).getByRole('progressbar', { name: 'Storage used' })).toHaveProperty('value', 4_200_000_000);
    backend.emit('account:changed', account({ quota: null, quotaProblem: 'the REST API did not answer' }));
    await waitFor(() => expect(within(storage).getByText('The quota is not known. Details: the REST API did not answer')).toBeTruthy());
    expect(within(storage).queryByRole('progressbar')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('shows the last runs, a line per kind of change, each opening to its files shown in their folder', async () => {
    const runs: ActivityRun[] = [
      run(4, {
        endedAt: now - 30_000,
        groups: [
          { kind: 'addedRemote', count: 200, files: [{ path: 'photos/a.jpg', from: null, error: null }, { path: 'photos/b.jpg', from: null, error: null }] },
          { kind: 'deletedRemote', count: 122, files: [{ path: 'old/x.txt', from: null, error: null }] },
          { kind: 'failed', count: 1, files: [{ path: 'big.iso', from: null, error: { code: ErrorCode.InsufficientStorage, message: '507' } }] },
        ],
      }),
      run(3, { endedAt: now - 2 * minute, outcome: 'interrupted', groups: [{ kind: 'moved', count: 1, files: [{ path: 'photos/new.jpg', from: 'photos/old.jpg', error: null }] }] }),
      run(1, { startedAt: now - 61 * minute, endedAt: now - 60 * minute, pairId: 'pair-gone', groups: [{ kind: 'updatedLocal', count: 3, files: [{ path: 'notes.txt', from: null, error: null }] }] }),
    ];
    const { user, backend } = await openStatus({}, (b) => b.answer('activity:list', { runs, more: true }).answer('shell:showFile', undefined));
    expect(backend.callsOf('activity:list')).toEqual([{ limit: 3 }]);
    const card = screen.getByRole('region', { name: 'Recent activity' });
    const entries = within(card).getAllByRole('article');
    expect(entries.map((entry) => within(entry).getByRole('heading', { level: 3 }).textContent)).toEqual([
      'Sync 30 seconds ago',
      'Sync 2 minutes ago — Stopped before the end',
      'A folder no longer synced 1 hour ago',
    ]);
    const first = entries[0] as HTMLElement;
    expect(within(first).getByText('Added 200 files to TeraCLOUD')).toBeTruthy();
    expect(within(first).getByText('Deleted 122 files on TeraCLOUD')).toBeTruthy();
    expect(within(first).getByText('1 file could not be synced')).toBeTruthy();
    // No "Deleted files" screen is linked here yet.
    expect(within(first).queryByRole('button', { name: 'Show deleted files' })).toBeNull();

    const toggle = within(first).getByRole('button', { name: 'Show the files: Added 200 files to TeraCLOUD' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(within(first).queryByText('photos/a.jpg')).toBeNull();
    await user.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(within(first).getByText('and 198 more files')).toBeTruthy();
    const file = within(first).getByRole('button', { name: /photos\/b\.jpg/ });
    expect(file.getAttribute('title')).toBe('Show photos/b.jpg in its folder');
    await user.click(file);
    await waitFor(() => expect(backend.callsOf('shell:showFile')).toEqual([{ pairId: home.id, path: 'photos/b.jpg' }]));

    // A deleted file is not on this computer: nothing to show in a folder.
    await user.click(within(first).getByRole('button', { name: 'Show the files: Deleted 122 files on TeraCLOUD' }));
    expect(within(first).getByText('old/x.txt')).toBeTruthy();
    expect(within(first).queryByRole('button', { name: /old\/x\.txt/ })).toBeNull();
    await user.click(within(first).getByRole('button', { name: 'Show the files: 1 file could not be synced' }));
    expect(within(first).getByText('— Your TeraCLOUD storage is full.')).toBeTruthy();

    const moved = entries[1] as HTMLElement;
    await user.click(within(moved).getByRole('button', { name: /^Show the files/ }));
    expect(within(moved).getByText('from photos/old.jpg')).toBeTruthy();
    // A run of a pair that is gone: its files cannot be shown.
    const gone = entries[2] as HTMLElement;
    await user.click(within(gone).getByRole('button', { name: 'Show the files: Updated 3 files on this computer' }));
    expect(within(gone).queryByRole('button', { name: /notes\.txt/ })).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('puts a run that ends at the top, keeping the last three', async () => {
    const { backend } = await openStatus();
    const card = screen.getByRole('region', { name: 'Recent activity' });
    expect(within(card).getByText('Nothing was synced in the last 30 days.')).toBeTruthy();
    for (const id of [1, 2, 3, 4]) backend.emit('activity:runAdded', run(id, { endedAt: now, groups: [{ kind: 'addedLocal', count: id, files: [{ path: `from-phone-${id}.jpg`, from: null, error: null }] }] }));
    await waitFor(() => expect(within(card).getAllByRole('article')).toHaveLength(3));
    expect(within(card).getAllByRole('article').map((entry) => within(entry).getAllByText(/Added \d files? to this computer/)[0]?.textContent)).toEqual([
      'Added 4 files to this computer',
      'Added 3 files to this computer',
      'Added 2 files to this computer',
    ]);
    expect(within(card).queryByText('Nothing was synced in the last 30 days.')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('leads to all activity', async () => {
    const { user, backend } = await openStatus({}, (b) => b.answer('activity:list', { runs: [run(1)], more: false }));
    const card = screen.getByRole('region', { name: 'Recent activity' });
    await user.click(within(card).getByRole('button', { name: 'Show all activity' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Activity' })).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('leads to the conflicts and to a running backup', async () => {
    const { user, backend } = await openStatus({}, (b) =>
      b.answer('conflicts:list', [conflict()]).answer('backup:getState', { running: { operation: 'backup', progress: null }, history: [] }).answer('backup:list', {
        device: 'laptop',
        sources: [],
        versions: [],
        source: null,
        version: null,
        files: [],
        truncated: false,
      }),
    );
    await user.click(within(overall()).getByRole('button', { name: 'Review conflicts' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Conflicts' })).toBeTruthy();
    await user.click(within(screen.getByRole('navigation', { name: 'TeraSync' })).getByRole('button', { name: 'Status' }));
    await user.click(await screen.findByRole('button', { name: 'Show backup' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Backup' })).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('says when the folder watcher is not available', async () => {
    const { backend } = await openStatus({ statuses: [{ pairId: home.id, status: status({ watcherFallback: true }) }] });
    expect(within(pairCard()).getByText('The folder watcher is not available: changes are found by regular scans instead.')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('syncs a folder and shows a file with the keyboard alone', async () => {
    const { user, backend } = await openStatus({}, (b) =>
      b.answer('pairs:syncNow', undefined).answer('shell:showFile', undefined).answer('activity:list', { runs: [run(1, { groups: [{ kind: 'addedLocal', count: 1, files: [{ path: 'a.txt', from: null, error: null }] }] })], more: false }),
    );
    await tabTo(user, within(pairCard()).getByRole('button', { name: 'Sync now' }));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(backend.callsOf('pairs:syncNow')).toEqual([{ id: home.id }]));
    await tabTo(user, screen.getByRole('button', { name: 'Show the files: Added 1 file to this computer' }));
    await user.keyboard('{Enter}');
    await tabTo(user, screen.getByRole('button', { name: /a\.txt/ }));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(backend.callsOf('shell:showFile')).toEqual([{ pairId: home.id, path: 'a.txt' }]));
    expect(backend.violations).toEqual([]);
  });

  it('is in Japanese on a Japanese system', async () => {
    const backend = signedInBackend({ pairs: [home], language: 'system' });
    renderApp(backend, ['ja-JP']);
    expect(await screen.findByRole('heading', { level: 1, name: '状態' })).toBeTruthy();
    expect(within(screen.getByRole('region', { name: '状態' })).getByRole('status').textContent).toBe('最新の状態です');
    expect(backend.violations).toEqual([]);
  });
});

describe('the status screen tells the truth', () => {
  const networkDown = { code: ErrorCode.Network, message: 'connect ECONNREFUSED 127.0.0.1:4711' };

  it('shows paused and the conflicts together', async () => {
    const { backend } = await openStatus({ pairs: [{ ...home, paused: true }], statuses: [{ pairId: home.id, status: status({ state: 'paused', lastSyncAt: now - minute }) }] });
    backend.emit('conflicts:changed', [conflict()]);
    await waitFor(() => expect(overallWords()).toBe('Paused · 1 conflict needs your decision'));
    expect(backend.violations).toEqual([]);
  });

  it('is never up to date with a change waiting: offline counts it, a retry looking for changes is not up to date', async () => {
    const { backend } = await openStatus();
    backend.emit('status:changed', { pairId: home.id, status: status({ state: 'offline', problem: networkDown, retryAt: now + minute, pending: 1, lastSyncAt: now - 3 * minute }) });
    await waitFor(() => expect(overallWords()).toBe('Offline: TeraSync tries again by itself · 1 change waiting'));
    expect(pairLine().startsWith('Offline · 1 change waiting')).toBe(true);
    backend.emit('status:changed', { pairId: home.id, status: status({ state: 'scanning', pending: 1, lastSyncAt: now - 3 * minute }) });
    await waitFor(() => expect(overallWords()).toBe('Syncing'));
    backend.emit('status:changed', { pairId: home.id, status: status({ state: 'idle', pending: 0, lastSyncAt: now }) });
    await waitFor(() => expect(overallWords()).toBe('Up to date'));
  });

  it('shows offline as one calm line with one Try now button, the raw error behind Technical details', async () => {
    const { user, backend } = await openStatus({}, (b) => b.answer('pairs:syncNow', undefined));
    backend.emit('status:changed', {
      pairId: home.id,
      status: status({
        state: 'offline',
        problem: networkDown,
        retryAt: now + minute,
        pending: 2,
        lastSyncAt: now - 3 * minute,
        lastRun: { conflicts: 0, errors: 1, failures: [{ path: 'big.iso', error: networkDown }], skipped: 0, skips: [] },
      }),
    });
    await waitFor(() => expect(pairLine().startsWith('Offline')).toBe(true));
    const card = pairCard();
    // No red box, no Problems card, no second and third button for the same thing.
    expect(document.querySelector('.notice-error')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByRole('region', { name: 'Problems' })).toBeNull();
    expect(within(card).queryByRole('button', { name: 'Retry now' })).toBeNull();
    expect(within(card).queryByRole('button', { name: 'Sync now' })).toBeNull();
    expect(screen.getAllByRole('button', { name: 'Try now' })).toHaveLength(1);
    // The raw details only behind the disclosure.
    const details = within(card).getByText('Technical details');
    expect(details.closest('details')?.open).toBe(false);
    await user.click(details);
    expect(details.closest('details')?.open).toBe(true);
    expect(within(card).getByText(networkDown.message)).toBeTruthy();
    await user.click(within(card).getByRole('button', { name: 'Try now' }));
    await waitFor(() => expect(backend.callsOf('pairs:syncNow')).toEqual([{ id: home.id }]));
    expect(backend.violations).toEqual([]);
  });

  it('never says a sync happened in the future', async () => {
    const { backend } = await openStatus();
    backend.emit('status:changed', { pairId: home.id, status: status({ state: 'idle', lastSyncAt: now + 2 * minute }) });
    await waitFor(() => expect(pairLine()).toBe('Up to date · Last synced just now'));
  });
});
