// @vitest-environment jsdom
/**
 * The backup screen: the folders to back up (added through the dialog, removed), Back up now
 * with its progress and Cancel as main reports them, the last result and the history, and a
 * restore from the latest copy or an older version, to its place or to another folder.
 */
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import type { BackupFailSafeView, BackupListing, BackupProgress, BackupRunView, BackupSummaryView, RestoreSummaryView } from '../../../shared/types.js';
import { type FakeBackend, pair, settings } from './support/fakeBackend.js';
import { renderApp } from './support/render.js';
import { dateTimeText, deferred, descriptionOf, openScreen, signedInBackend, tabTo, wholeText } from './support/screens.js';

const now = Date.UTC(2025, 5, 2, 9, 30, 0);
const minute = 60_000;
const hour = 60 * minute;

beforeEach(() => {
  vi.setSystemTime(now);
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const documents = '/home/alice/Documents';
const pictures = '/home/alice/Pictures';
const older = '2025-05-30T120000Z';
const newer = '2025-06-01T235959Z';

const overview: BackupListing = { device: 'laptop', sources: ['Documents', 'Pictures'], versions: [older, newer], source: null, version: null, files: [], truncated: false };

const latestFiles = [
  { path: 'report.pdf', size: 1_200, modifiedMs: now - 2 * hour },
  { path: 'taxes/2024.pdf', size: 250_000, modifiedMs: now - 3 * hour },
  { path: 'taxes/receipts/a.jpg', size: 3_000_000, modifiedMs: now - 4 * hour },
];
const olderFiles = [
  { path: 'report.pdf', size: 1_000, modifiedMs: now - 3 * 24 * hour },
  { path: 'taxes/2023.pdf', size: 200_000, modifiedMs: now - 3 * 24 * hour },
];

function listing({ source, version }: { source?: string; version?: string }): BackupListing {
  if (source === undefined) return overview;
  const files = source === 'Documents' ? (version === older ? olderFiles : latestFiles) : [];
  return { ...overview, source, version: version ?? null, files };
}

const lastRun: BackupRunView = {
  startedAt: now - 2 * hour - 2 * minute,
  endedAt: now - 2 * hour,
  sources: [documents],
  dryRun: false,
  filesSent: 12,
  bytesSent: 4_200_000,
  versioned: 3,
  failedTotal: 0,
  stopped: null,
  version: '2025-06-02T072800Z',
};
const cancelledRun: BackupRunView = {
  startedAt: now - 26 * hour,
  endedAt: now - 26 * hour + 30_000,
  sources: [documents, pictures],
  dryRun: false,
  filesSent: 2,
  bytesSent: 1_000,
  versioned: 0,
  failedTotal: 1,
  stopped: { code: ErrorCode.Cancelled, message: 'The backup was cancelled' },
  version: null,
};
const trialRun: BackupRunView = { ...lastRun, startedAt: now - 50 * hour, endedAt: now - 50 * hour + 5_000, dryRun: true, versioned: 0, filesSent: 7, bytesSent: 7_000, version: null };

const summary: BackupSummaryView = {
  device: 'laptop',
  version: '2025-06-02T093000Z',
  dryRun: false,
  filesSent: 3,
  bytesSent: 3_000,
  unchanged: 10,
  versioned: 1,
  createdFolders: 0,
  skipped: 0,
  pruned: [],
  failed: [],
  failedTotal: 0,
  durationMs: 2_000,
  stopped: null,
  quota: null,
};

function progress(change: Partial<BackupProgress> = {}): BackupProgress {
  return {
    operation: 'backup',
    phase: 'sending',
    filesDone: 3,
    filesTotal: 10,
    bytesDone: 3_000_000,
    bytesTotal: 10_000_000,
    currentFile: 'Documents/report.pdf',
    remainingMs: 2 * minute,
    ...change,
  };
}

function restored(change: Partial<RestoreSummaryView> = {}): RestoreSummaryView {
  return {
    source: 'Documents',
    version: null,
    path: 'taxes/2024.pdf',
    target: '/home/alice/Documents/taxes/2024.pdf',
    restored: 1,
    unchanged: 0,
    keptAside: [],
    failed: [],
    failedTotal: 0,
    bytes: 250_000,
    durationMs: 900,
    stopped: null,
    ...change,
  };
}

/** Answers settings:update as main does: the new settings come back. */
function answerSettingsUpdate(backend: FakeBackend, sources: string[]): void {
  let current = settings({ pairs: [pair()], backup: { ...settings().backup, sources } });
  backend.answer('settings:update', (update) => {
    current = { ...current, backup: { ...current.backup, ...update.backup } };
    return current;
  });
}

async function openBackup({ sources = [documents, pictures], change = () => {} }: { sources?: string[]; change?: (backend: FakeBackend) => void } = {}) {
  const backend = signedInBackend({ pairs: [pair()], settings: { backup: { ...settings().backup, sources } } })
    .answer('backup:list', listing)
    .answer('backup:getState', { running: null, history: [lastRun, cancelledRun, trialRun] });
  answerSettingsUpdate(backend, sources);
  change(backend);
  const user = userEvent.setup();
  renderApp(backend);
  await screen.findByRole('heading', { level: 1, name: 'Status' });
  await openScreen(user, 'Backup');
  return { user, backend };
}

function region(name: string): HTMLElement {
  return screen.getByRole('region', { name });
}

async function restoreCard(): Promise<HTMLElement> {
  const card = region('Restore');
  await within(card).findByRole('combobox', { name: 'Backed-up folder' });
  return card;
}

describe('the backup screen', () => {
  it('lists the folders to back up, adds one from the dialog and removes one', async () => {
    const { user, backend } = await openBackup({ change: (b) => b.answer('dialog:pickPath', '/home/alice/Music') });
    const card = region('Folders to back up');
    expect(within(card).getAllByRole('listitem').map((item) => item.querySelector('code')?.textContent)).toEqual([documents, pictures]);

    await user.click(within(card).getByRole('button', { name: 'Add a folder…' }));
    expect(await within(card).findByText('/home/alice/Music')).toBeTruthy();
    expect(backend.callsOf('dialog:pickPath')).toEqual([{ purpose: 'backupSource' }]);
    expect(backend.callsOf('settings:update')).toEqual([{ backup: { sources: [documents, pictures, '/home/alice/Music'] } }]);

    await user.click(within(card).getByRole('button', { name: `Remove ${pictures} from the backup` }));
    await waitFor(() => expect(within(card).queryByText(pictures)).toBeNull());
    expect(backend.callsOf('settings:update')[1]).toEqual({ backup: { sources: [documents, '/home/alice/Music'] } });
    expect(backend.violations).toEqual([]);
  });

  it('changes nothing when the dialog is cancelled or names a folder already there', async () => {
    const { user, backend } = await openBackup({ change: (b) => b.answer('dialog:pickPath', null) });
    const card = region('Folders to back up');
    await user.click(within(card).getByRole('button', { name: 'Add a folder…' }));
    backend.answer('dialog:pickPath', documents);
    await user.click(within(card).getByRole('button', { name: 'Add a folder…' }));
    await waitFor(() => expect(backend.callsOf('dialog:pickPath')).toHaveLength(2));
    expect(backend.callsOf('settings:update')).toEqual([]);
    expect(within(card).getAllByRole('listitem')).toHaveLength(2);
    expect(backend.violations).toEqual([]);
  });

  it('says why a folder could not be added', async () => {
    const { user, backend } = await openBackup({
      change: (b) => b.answer('dialog:pickPath', '/home/alice').answer('settings:update', { code: ErrorCode.InvalidRequest, message: '/home/alice holds the synced folder /home/alice/TeraCLOUD' }),
    });
    const card = region('Folders to back up');
    await user.click(within(card).getByRole('button', { name: 'Add a folder…' }));
    const alert = await within(card).findByRole('alert');
    expect(within(alert).getByText('/home/alice holds the synced folder /home/alice/TeraCLOUD')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('cannot back up without folders, and can once one is added', async () => {
    const { user, backend } = await openBackup({ sources: [], change: (b) => b.answer('dialog:pickPath', documents) });
    expect(within(region('Folders to back up')).getByText('No folders are chosen yet.')).toBeTruthy();
    const run = within(region('Back up now')).getByRole('button', { name: 'Back up now' });
    expect(run).toHaveProperty('disabled', true);
    await user.click(within(region('Folders to back up')).getByRole('button', { name: 'Add a folder…' }));
    await waitFor(() => expect(run).toHaveProperty('disabled', false));
    expect(backend.violations).toEqual([]);
  });

  it('backs up now, shows the progress as main reports it, and the result when it ends', async () => {
    const running = deferred<BackupSummaryView>();
    const { user, backend } = await openBackup({ change: (b) => b.answer('backup:run', () => running.promise) });
    const card = region('Back up now');
    await user.click(within(card).getByRole('button', { name: 'Back up now' }));
    expect(backend.callsOf('backup:run')).toEqual([{}]);
    expect(within(card).getByRole('button', { name: 'Back up now' })).toHaveProperty('disabled', true);

    backend.emit('backup:changed', { running: { operation: 'backup', progress: null }, history: [lastRun] });
    const bar = await within(card).findByRole('progressbar', { name: 'Backup progress' });
    expect(bar.getAttribute('aria-valuetext')).toBe('Working…');
    expect(bar.hasAttribute('value')).toBe(false);

    backend.emit('backup:progress', progress({ phase: 'scanning', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, currentFile: null, remainingMs: null }));
    await waitFor(() => expect(within(card).getByRole('progressbar').getAttribute('aria-valuetext')).toBe('Looking at your folders'));

    backend.emit('backup:progress', progress());
    await waitFor(() => expect(within(card).getByText('Sending files · 3 of 10 files · 3 MB of 10 MB · about 2 minutes left')).toBeTruthy());
    expect(within(card).getByRole('progressbar')).toHaveProperty('value', 3_000_000);
    expect(within(card).getByText('Now: Documents/report.pdf')).toBeTruthy();

    backend.emit('backup:progress', progress({ phase: 'versioning', filesDone: 10, bytesDone: 10_000_000, currentFile: null, remainingMs: null }));
    await waitFor(() => expect(within(card).getByText('Keeping old versions · 10 of 10 files · 10 MB of 10 MB')).toBeTruthy());
    expect(within(card).queryByText(/^Now:/)).toBeNull();

    const finished: BackupRunView = { ...lastRun, startedAt: now - minute, endedAt: now, filesSent: 3, bytesSent: 3_000, versioned: 1 };
    backend.emit('backup:changed', { running: null, history: [finished, lastRun] });
    running.resolve(summary);
    expect(await within(card).findByRole('button', { name: 'Back up now' })).toHaveProperty('disabled', false);
    expect(within(card).queryByRole('progressbar')).toBeNull();
    expect(within(card).getByText(wholeText('Finished · just now'))).toBeTruthy();
    expect(within(card).getByText('3 files sent (3 kB) · 1 old version kept')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('cancels a running backup', async () => {
    const { user, backend } = await openBackup({
      change: (b) => b.answer('backup:getState', { running: { operation: 'backup', progress: progress() }, history: [] }).answer('backup:cancel', undefined),
    });
    const card = region('Back up now');
    expect(within(card).getByRole('progressbar', { name: 'Backup progress' }).getAttribute('aria-valuetext')).toBe('Sending files · 3 of 10 files · 3 MB of 10 MB · about 2 minutes left');
    expect(within(card).queryByRole('button', { name: 'Back up now' })).toBeNull();
    await user.click(within(card).getByRole('button', { name: 'Cancel backup' }));
    expect(backend.callsOf('backup:cancel')).toEqual([undefined]);
    expect(within(card).getByRole('button', { name: 'Cancelling…' })).toHaveProperty('disabled', true);

    backend.emit('backup:changed', { running: null, history: [cancelledRun] });
    expect(await within(card).findByRole('button', { name: 'Back up now' })).toBeTruthy();
    expect(within(card).getByText(wholeText(/^Stopped before the end · /))).toBeTruthy();
    expect(within(card).getByText('Cancelled.')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('shows a running restore with its own words and Cancel restore', async () => {
    const { user, backend } = await openBackup({
      change: (b) =>
        b
          .answer('backup:getState', {
            running: { operation: 'restore', progress: progress({ operation: 'restore', phase: null, filesDone: 1, filesTotal: 4, bytesDone: 0, bytesTotal: 0, currentFile: 'Documents/taxes/2024.pdf', remainingMs: null }) },
            history: [],
          })
          .answer('backup:cancel', undefined),
    });
    const card = region('Back up now');
    expect(within(card).getByRole('progressbar', { name: 'Restore progress' }).getAttribute('aria-valuetext')).toBe('Restoring · 1 of 4 files');
    expect(within(card).getByText('Now: Documents/taxes/2024.pdf')).toBeTruthy();
    await user.click(within(card).getByRole('button', { name: 'Cancel restore' }));
    expect(backend.callsOf('backup:cancel')).toEqual([undefined]);
    expect(backend.violations).toEqual([]);
  });

  it('says why a backup could not start', async () => {
    const { user, backend } = await openBackup({ change: (b) => b.answer('backup:run', { code: ErrorCode.InvalidRequest, message: 'a backup is already running' }) });
    const card = region('Back up now');
    await user.click(within(card).getByRole('button', { name: 'Back up now' }));
    const alert = await within(card).findByRole('alert');
    expect(within(alert).getByText('a backup is already running')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  describe('a backup stopped by the fail-safe', () => {
    const names = Array.from({ length: 60 }, (_, index) => `holiday/p${String(index).padStart(2, '0')}.jpg`);
    const stop: BackupFailSafeView = { sources: [{ name: 'Pictures', root: pictures, backedUp: 60, wouldMove: 60, localFiles: 1, paths: names }] };
    const stoppedRun: BackupRunView = {
      ...lastRun,
      startedAt: now - minute,
      endedAt: now,
      sources: [pictures],
      filesSent: 0,
      bytesSent: 0,
      versioned: 0,
      stopped: { code: ErrorCode.FailSafeTriggered, message: 'The backup stopped before changing anything.' },
      version: null,
    };

    async function openStopped(change: (backend: FakeBackend) => void = () => {}) {
      return openBackup({ change: (b) => change(b.answer('backup:getState', { running: null, history: [stoppedRun, lastRun], failSafe: stop })) });
    }

    it('says what would be moved out of the latest copy, and goes ahead only when confirmed', async () => {
      const { user, backend } = await openStopped((b) => b.answer('backup:decideFailSafe', { ...summary, versioned: 1, filesSent: 1 }));
      const panel = within(region('Back up now')).getByRole('region', { name: 'The backup stopped before moving files away' });
      expect(
        within(panel).getByText(
          `${pictures} holds 1 file now, but the backup would move 60 of its 60 backed-up files out of the latest copy. Another drive or folder may be at that place. Nothing has been changed.`,
        ),
      ).toBeTruthy();
      const list = within(panel).getByRole('list', { name: 'What would leave the latest copy of Pictures' });
      expect(within(list).getAllByRole('listitem').map((item) => item.textContent)).toEqual(names.slice(0, 50));
      expect(within(panel).getByText('and 10 more files')).toBeTruthy();

      await user.click(within(panel).getByRole('button', { name: 'Back up anyway' }));
      const question = within(panel).getByRole('group', { name: 'Move 60 files out of the latest backup?' });
      expect(backend.callsOf('backup:decideFailSafe')).toEqual([]);
      await user.click(within(question).getByRole('button', { name: 'Yes, back up' }));
      await waitFor(() => expect(backend.callsOf('backup:decideFailSafe')).toEqual([{ decision: 'allow' }]));

      // Main reports the run that went ahead: the question is gone.
      backend.emit('backup:changed', { running: null, history: [{ ...stoppedRun, stopped: null, filesSent: 1, versioned: 1 }, stoppedRun, lastRun] });
      await waitFor(() => expect(screen.queryByRole('region', { name: 'The backup stopped before moving files away' })).toBeNull());
      expect(backend.violations).toEqual([]);
    });

    it('leaves the backup as it is', async () => {
      const { user, backend } = await openStopped((b) => b.answer('backup:decideFailSafe', null));
      const panel = within(region('Back up now')).getByRole('region', { name: 'The backup stopped before moving files away' });
      await user.click(within(panel).getByRole('button', { name: 'Leave the backup as it is' }));
      await waitFor(() => expect(backend.callsOf('backup:decideFailSafe')).toEqual([{ decision: 'leave' }]));
      backend.emit('backup:changed', { running: null, history: [stoppedRun, lastRun] });
      await waitFor(() => expect(screen.queryByRole('region', { name: 'The backup stopped before moving files away' })).toBeNull());
      expect(backend.violations).toEqual([]);
    });

    it('says why an answer failed, and shows no question while a backup runs', async () => {
      const { user, backend } = await openStopped((b) =>
        b.answer('backup:decideFailSafe', { code: ErrorCode.InvalidRequest, message: 'No backup is waiting for an answer at the fail-safe.' }),
      );
      const panel = within(region('Back up now')).getByRole('region', { name: 'The backup stopped before moving files away' });
      await user.click(within(panel).getByRole('button', { name: 'Leave the backup as it is' }));
      const alert = await within(panel).findByRole('alert');
      expect(within(alert).getByText('No backup is waiting for an answer at the fail-safe.')).toBeTruthy();
      backend.emit('backup:changed', { running: { operation: 'backup', progress: null }, history: [stoppedRun], failSafe: stop });
      await waitFor(() => expect(screen.queryByRole('region', { name: 'The backup stopped before moving files away' })).toBeNull());
      expect(backend.violations).toEqual([]);
    });
  });

  it('shows the last result and the history', async () => {
    const { backend } = await openBackup();
    const card = region('Back up now');
    expect(within(card).getByRole('heading', { level: 3, name: 'Last backup' })).toBeTruthy();
    expect(within(card).getByText(wholeText('Finished · 2 hours ago'))).toBeTruthy();
    expect(within(card).getByText('12 files sent (4.2 MB) · 3 old versions kept')).toBeTruthy();

    const table = within(region('History')).getByRole('table');
    expect(within(table).getAllByRole('columnheader').map((cell) => cell.textContent)).toEqual(['When', 'Result', 'Folders', 'Took']);
    const rows = within(table).getAllByRole('row').slice(1).map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent));
    expect(rows).toEqual([
      [dateTimeText(lastRun.startedAt), 'Finished: 12 files sent (4.2 MB), 3 old versions kept', documents, '2 minutes'],
      [dateTimeText(cancelledRun.startedAt), 'Stopped before the end: 2 files sent (1 kB), 1 file could not be backed up', `${documents}${pictures}`, '30 seconds'],
      [dateTimeText(trialRun.startedAt), 'Finished (Trial run (nothing sent)): 7 files sent (7 kB)', documents, '5 seconds'],
    ]);
    expect(backend.violations).toEqual([]);
  });

  it('says when no backup has run yet, without a history', async () => {
    const { backend } = await openBackup({ change: (b) => b.answer('backup:getState', { running: null, history: [] }) });
    expect(within(region('Back up now')).getByText('No backup has run yet.')).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'History' })).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('restores one file of the latest copy to its original place, and says what was kept aside', async () => {
    const { user, backend } = await openBackup({
      change: (b) =>
        b.answer(
          'restore:run',
          restored({ keptAside: [{ path: 'taxes/2024.pdf', copy: '/home/alice/Documents/taxes/2024 (before restore).pdf' }] }),
        ),
    });
    const card = await restoreCard();
    expect(backend.callsOf('backup:list')).toEqual([{}]);
    const source = within(card).getByRole('combobox', { name: 'Backed-up folder' });
    expect(within(source).getAllByRole('option').map((option) => option.textContent)).toEqual(['Documents', 'Pictures']);
    expect(source).toHaveProperty('value', 'Documents');
    const version = within(card).getByRole('combobox', { name: 'Version' });
    expect(within(version).getAllByRole('option').map((option) => option.textContent)).toEqual([
      'Latest copy',
      dateTimeText(Date.UTC(2025, 5, 1, 23, 59, 59)),
      dateTimeText(Date.UTC(2025, 4, 30, 12, 0, 0)),
    ]);

    await user.click(within(card).getByRole('button', { name: 'Show files' }));
    const files = await within(card).findByRole('group', { name: 'Files in the backup' });
    expect(backend.callsOf('backup:list')[1]).toEqual({ source: 'Documents' });
    expect(within(files).getByRole('radio', { name: 'The whole folder' })).toHaveProperty('checked', true);
    expect(within(files).getByRole('radio', { name: `report.pdf 1.2 kB · ${dateTimeText(now - 2 * hour)}` })).toBeTruthy();
    expect(within(files).queryByRole('radio', { name: /^2024\.pdf/ })).toBeNull();

    const taxes = within(files).getByRole('button', { name: 'Folder taxes' });
    expect(taxes.getAttribute('aria-expanded')).toBe('false');
    await user.click(taxes);
    expect(taxes.getAttribute('aria-expanded')).toBe('true');
    expect(within(files).getByRole('radio', { name: 'receipts' })).toBeTruthy();
    await user.click(within(files).getByRole('radio', { name: /^2024\.pdf 250 kB/ }));
    expect(within(card).getByText('Selected: Documents/taxes/2024.pdf')).toBeTruthy();

    const target = within(card).getByRole('group', { name: 'Restore to' });
    expect(within(target).getByRole('radio', { name: 'Its original place' })).toHaveProperty('checked', true);
    await user.click(within(card).getByRole('button', { name: 'Restore' }));

    const result = await within(card).findByRole('status');
    expect(backend.callsOf('restore:run')).toEqual([{ source: 'Documents', path: 'taxes/2024.pdf' }]);
    expect(within(result).getByText('1 file restored.')).toBeTruthy();
    expect(within(result).getByText('/home/alice/Documents/taxes/2024.pdf')).toBeTruthy();
    expect(within(result).getByText('Kept aside, because a different file was in the way:')).toBeTruthy();
    expect(within(result).getByText('/home/alice/Documents/taxes/2024 (before restore).pdf')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('restores a folder of an older version into another folder picked in the dialog', async () => {
    const { user, backend } = await openBackup({
      change: (b) =>
        b
          .answer('dialog:pickPath', '/home/alice/Restored')
          .answer('restore:run', restored({ version: older, path: 'taxes', target: '/home/alice/Restored/taxes', restored: 2, unchanged: 1 })),
    });
    const card = await restoreCard();
    await user.selectOptions(within(card).getByRole('combobox', { name: 'Version' }), dateTimeText(Date.UTC(2025, 4, 30, 12, 0, 0)));
    await user.click(within(card).getByRole('button', { name: 'Show files' }));
    const files = await within(card).findByRole('group', { name: 'Files in the backup' });
    expect(backend.callsOf('backup:list')[1]).toEqual({ source: 'Documents', version: older });
    await user.click(within(files).getByRole('button', { name: 'Folder taxes' }));
    expect(within(files).getByRole('radio', { name: /^2023\.pdf/ })).toBeTruthy();
    await user.click(within(files).getByRole('radio', { name: 'taxes' }));
    expect(within(card).getByText('Selected: Documents/taxes')).toBeTruthy();

    const target = within(card).getByRole('group', { name: 'Restore to' });
    await user.click(within(target).getByRole('radio', { name: 'Another folder…' }));
    expect(await within(target).findByRole('radio', { name: '/home/alice/Restored' })).toHaveProperty('checked', true);
    expect(backend.callsOf('dialog:pickPath')).toEqual([{ purpose: 'restoreTarget' }]);
    expect(within(target).getByRole('button', { name: 'Choose…' })).toBeTruthy();
    await user.click(within(card).getByRole('button', { name: 'Restore' }));

    const result = await within(card).findByRole('status');
    expect(backend.callsOf('restore:run')).toEqual([{ source: 'Documents', version: older, path: 'taxes', to: '/home/alice/Restored' }]);
    expect(within(result).getByText('2 files restored.')).toBeTruthy();
    expect(within(result).getByText('1 file was already the same.')).toBeTruthy();
    expect(within(result).getByText('/home/alice/Restored/taxes')).toBeTruthy();
    expect(within(result).queryByText('Kept aside, because a different file was in the way:')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('stays with the original place when the folder dialog is cancelled', async () => {
    const { user, backend } = await openBackup({ change: (b) => b.answer('dialog:pickPath', null).answer('restore:run', restored({ path: '', target: '/home/alice/Documents' })) });
    const card = await restoreCard();
    await user.click(within(card).getByRole('button', { name: 'Show files' }));
    const target = await within(card).findByRole('group', { name: 'Restore to' });
    await user.click(within(target).getByRole('radio', { name: 'Another folder…' }));
    await waitFor(() => expect(backend.callsOf('dialog:pickPath')).toHaveLength(1));
    expect(within(target).getByRole('radio', { name: 'Its original place' })).toHaveProperty('checked', true);
    expect(within(card).getByText('Selected: Documents')).toBeTruthy();
    await user.click(within(card).getByRole('button', { name: 'Restore' }));
    await waitFor(() => expect(backend.callsOf('restore:run')).toEqual([{ source: 'Documents' }]));
    expect(backend.violations).toEqual([]);
  });

  it('says when a backed-up folder holds no files, and a new choice asks for its files again', async () => {
    const { user, backend } = await openBackup();
    const card = await restoreCard();
    await user.selectOptions(within(card).getByRole('combobox', { name: 'Backed-up folder' }), 'Pictures');
    await user.click(within(card).getByRole('button', { name: 'Show files' }));
    expect(await within(card).findByText('This version holds no files.')).toBeTruthy();
    expect(backend.callsOf('backup:list')[1]).toEqual({ source: 'Pictures' });
    expect(within(card).queryByRole('button', { name: 'Restore' })).toBeNull();

    await user.selectOptions(within(card).getByRole('combobox', { name: 'Backed-up folder' }), 'Documents');
    expect(within(card).queryByRole('group', { name: 'Files in the backup' })).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('says what went wrong in a restore', async () => {
    const { user, backend } = await openBackup({
      change: (b) =>
        b.answer(
          'restore:run',
          restored({
            path: '',
            target: '/home/alice/Documents',
            failed: [{ source: null, path: 'taxes/receipts/a.jpg', error: { code: ErrorCode.Network, message: 'ECONNRESET' } }],
            failedTotal: 2,
            stopped: { code: ErrorCode.Network, message: 'socket hang up' },
          }),
        ),
    });
    const card = await restoreCard();
    await user.click(within(card).getByRole('button', { name: 'Show files' }));
    await user.click(await within(card).findByRole('button', { name: 'Restore' }));
    await waitFor(() => expect(within(card).getByText('2 files could not be restored.')).toBeTruthy());
    expect(within(card).getByText('TeraSync cannot reach TeraCLOUD.')).toBeTruthy();
    expect(within(card).getByText('socket hang up')).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });

  it('says when nothing has been backed up, and when the backup cannot be listed', async () => {
    const { user, backend } = await openBackup({ change: (b) => b.answer('backup:list', { code: ErrorCode.Network, message: 'ETIMEDOUT' }) });
    const card = region('Restore');
    const alert = await within(card).findByRole('alert');
    expect(within(alert).getByText('TeraSync cannot reach TeraCLOUD.')).toBeTruthy();
    backend.answer('backup:list', { ...overview, sources: [], versions: [] });
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await within(card).findByText('Nothing has been backed up from this computer yet.')).toBeTruthy();
    expect(within(card).queryByRole('alert')).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('lists the backup again when a backup ends, so the first one can be restored from at once', async () => {
    const { backend } = await openBackup({ change: (b) => b.answer('backup:list', { ...overview, sources: [], versions: [] }) });
    const card = region('Restore');
    expect(await within(card).findByText('Nothing has been backed up from this computer yet.')).toBeTruthy();
    backend.answer('backup:list', listing);
    backend.emit('backup:changed', {
      running: null,
      history: [{ startedAt: now - 5_000, endedAt: now, sources: [documents], dryRun: false, filesSent: 3, bytesSent: 3_251_200, versioned: 0, failedTotal: 0, stopped: null, version: null }],
    });
    expect(await within(card).findByRole('combobox', { name: 'Backed-up folder' })).toBeTruthy();
    expect(backend.callsOf('backup:list')).toEqual([{}, {}]);
    expect(backend.violations).toEqual([]);
  });

  it('adds a folder and backs up with the keyboard alone', async () => {
    const { user, backend } = await openBackup({ sources: [], change: (b) => b.answer('dialog:pickPath', documents).answer('backup:run', summary) });
    await tabTo(user, within(region('Folders to back up')).getByRole('button', { name: 'Add a folder…' }));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(backend.callsOf('settings:update')).toEqual([{ backup: { sources: [documents] } }]));
    const run = within(region('Back up now')).getByRole('button', { name: 'Back up now' });
    await waitFor(() => expect(run).toHaveProperty('disabled', false));
    await tabTo(user, run);
    await user.keyboard('{Enter}');
    await waitFor(() => expect(backend.callsOf('backup:run')).toEqual([{}]));
    expect(backend.violations).toEqual([]);
  });

  it('is in Japanese on a Japanese system', async () => {
    const backend = signedInBackend({ pairs: [pair()], language: 'system' }).answer('backup:list', listing);
    const user = userEvent.setup();
    renderApp(backend, ['ja-JP']);
    await screen.findByRole('heading', { level: 1, name: '状態' });
    await openScreen(user, 'バックアップ');
    expect(screen.getByRole('heading', { level: 1, name: 'バックアップ' })).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });
});

describe('backing up by itself', () => {
  const offlineRun: BackupRunView = { ...lastRun, startedAt: now - 3 * minute, endedAt: now - 2 * minute, filesSent: 0, bytesSent: 0, versioned: 0, version: null, stopped: { code: ErrorCode.Network, message: 'Could not reach the server (ECONNREFUSED).' } };

  it('is manual until a schedule is chosen, then says when the next backup runs', async () => {
    const { user, backend } = await openBackup();
    const card = region('Automatic backup');
    const select = within(card).getByRole('combobox', { name: 'Back up' });
    expect(select).toHaveProperty('value', 'manual');
    expect(descriptionOf(select)).toBe('Nothing is backed up until you click Back up now.');
    expect(within(select).getAllByRole('option').map((option) => option.textContent)).toEqual(['Only when I click Back up now', 'Every hour', 'Every day', 'Each time TeraSync starts (at login)']);

    await user.selectOptions(select, 'Every hour');
    await waitFor(() => expect(backend.callsOf('settings:update')).toEqual([{ backup: { schedule: 'hourly' } }]));
    backend.emit('backup:changed', { running: null, history: [lastRun], nextRunAt: now + 58 * minute });
    await waitFor(() => expect(descriptionOf(select)).toBe(`Next backup: ${dateTimeText(now + 58 * minute)}.`));

    await user.selectOptions(select, 'Each time TeraSync starts (at login)');
    await waitFor(() => expect(descriptionOf(select)).toBe('Next backup: the next time TeraSync starts.'));
    expect(backend.callsOf('settings:update')[1]).toEqual({ backup: { schedule: 'login' } });
    expect(backend.violations).toEqual([]);
  });

  it('says when a backup that could not reach TeraCLOUD is tried again, only while a retry is armed', async () => {
    const { backend } = await openBackup({ change: (b) => b.answer('backup:getState', { running: null, history: [offlineRun, lastRun], retryAt: now + 58 * minute }) });
    const card = region('Back up now');
    const notice = await within(card).findByRole('status');
    expect(within(notice).getByText('TeraSync cannot reach TeraCLOUD.')).toBeTruthy();
    expect(within(notice).getByText(`TeraSync tries again at ${dateTimeText(now + 58 * minute)}, or as soon as the connection is back.`)).toBeTruthy();
    expect(within(notice).queryByText(/tries again by itself/)).toBeNull();

    // No retry armed (the app started again since): no promise, the user is told what to do.
    backend.emit('backup:changed', { running: null, history: [offlineRun, lastRun] });
    expect(await within(card).findByText('Check the internet connection, then click Back up now.')).toBeTruthy();
    expect(within(card).queryByText(/tries again/)).toBeNull();
    expect(backend.violations).toEqual([]);
  });

  it('says an offline "Back up now" once: the retry notice, not an alert beside it', async () => {
    const { user, backend } = await openBackup({ change: (b) => b.answer('backup:run', { code: ErrorCode.Network, message: 'Could not reach the server (ECONNREFUSED).' }) });
    const card = region('Back up now');
    await user.click(within(card).getByRole('button', { name: 'Back up now' }));
    // Refused while the state arrives: with no retry armed yet, the failure is an alert.
    expect(within(await within(card).findByRole('alert')).getByText('TeraSync cannot reach TeraCLOUD.')).toBeTruthy();
    backend.emit('backup:changed', { running: null, history: [offlineRun, lastRun], retryAt: now + 5 * minute });
    const notice = await within(card).findByRole('status');
    expect(within(notice).getByText(`TeraSync tries again at ${dateTimeText(now + 5 * minute)}, or as soon as the connection is back.`)).toBeTruthy();
    await waitFor(() => expect(within(card).queryByRole('alert')).toBeNull());
    expect(within(card).getAllByText('TeraSync cannot reach TeraCLOUD.')).toHaveLength(1);
    expect(backend.violations).toEqual([]);
  });

  it('keeps the advice of other failures as it is', async () => {
    await openBackup({ change: (b) => b.answer('backup:getState', { running: null, history: [cancelledRun] }) });
    const notice = await within(region('Back up now')).findByRole('status');
    expect(within(notice).getByText('Nothing more was done.')).toBeTruthy();
  });

  it('is in Japanese, with the schedule and the retry', async () => {
    const backend = signedInBackend({ pairs: [pair()], language: 'system', settings: { backup: { ...settings().backup, sources: [documents], schedule: 'daily' } } })
      .answer('backup:list', listing)
      .answer('backup:getState', { running: null, history: [offlineRun], retryAt: now + 5 * minute, nextRunAt: now + 20 * hour });
    const user = userEvent.setup();
    renderApp(backend, ['ja-JP']);
    await screen.findByRole('heading', { level: 1, name: '状態' });
    await openScreen(user, 'バックアップ');
    const select = screen.getByRole('combobox', { name: 'バックアップのタイミング' });
    expect(select).toHaveProperty('value', 'daily');
    expect(descriptionOf(select)).toBe(`次回のバックアップ：${dateTimeText(now + 20 * hour, 'ja')}`);
    expect(screen.getByText(`${dateTimeText(now + 5 * minute, 'ja')}に、または接続が戻りしだい、TeraSyncが自動でもう一度バックアップします。`)).toBeTruthy();
    expect(backend.violations).toEqual([]);
  });
});
