import { describe, expect, it } from 'vitest';
import {
  accountInfoView,
  backupListingView,
  backupProgressView,
  backupSummaryView,
  conflictInfo,
  restoreSummaryView,
  settingsView,
  signOutView,
} from '../../../../electron/app/ipcViews.js';
import { defaultSettings, type Settings } from '../../../../electron/app/settings.js';
import type { AccountInfo as AccountServiceInfo } from '../../../../electron/auth/AccountService.js';
import type { BackupSummary } from '../../../../electron/backup/model.js';
import type { RestoreSummary, SourceListing } from '../../../../electron/backup/Restore.js';
import { ErrorCode } from '../../../../shared/errors.js';
import { maxListedBackupFiles, maxListedFailures } from '../../../../shared/ipc/contract.js';
import { validateEvent, validateResponse } from '../../../../shared/ipc/schemas.js';

function serviceAccount(): AccountServiceInfo {
  return {
    userId: 'alice',
    node: 'seto',
    origin: 'https://seto.teracloud.jp',
    signedInWith: 'oauth2',
    method: 'basic',
    webdavUrl: 'https://seto.teracloud.jp/dav/',
    fallbackReason: '/v2/dav/ could not be used (NotFound 404); using /dav/ with your Apps password (BASIC) instead',
    quota: { quotaBytes: 10e9, usedBytes: 12345.6 },
    quotaProblem: null,
    secretStore: 'the Secret Service keyring',
    secretStoreKind: 'secretService',
  };
}

function summary(overrides: Partial<BackupSummary> = {}): BackupSummary {
  return {
    device: 'alice-laptop',
    version: '2025-11-28T120000Z',
    sources: [{ name: 'Photos', root: '/home/alice/Photos' }],
    sent: [{ source: 'Photos', path: 'a.jpg', bytes: 10 }],
    unchanged: 3,
    versioned: [{ source: 'Photos', path: 'b.jpg' }],
    createdFolders: 1,
    failed: [],
    skipped: [{ source: 'Photos', path: 'link', reason: 'symlink', message: 'a symbolic link' }],
    pruned: ['2025-10-01T080000Z/Photos'],
    bytesSent: 10,
    durationMs: 1200,
    stopped: null,
    dryRun: false,
    plan: [],
    quota: null,
    failSafe: null,
    ...overrides,
  };
}

describe('the IPC views', () => {
  it('show the account without anything the service adds', () => {
    const view = accountInfoView({ ...serviceAccount(), ...{ password: 'hunter2' } } as AccountServiceInfo);
    expect(validateResponse('account:get', view)).toEqual({ ok: true, value: view });
    expect(view.quota).toEqual({ quotaBytes: 10e9, usedBytes: 12346 });
    expect(JSON.stringify(view)).not.toContain('hunter2');
  });

  it('show the settings, with the bandwidth named as the Throttle names it', () => {
    const settings: Settings = {
      ...defaultSettings(),
      pairs: [
        { id: 'a1', localFolder: '/home/alice/Sync', remoteFolder: 'Sync', paused: true, bandwidth: { upKiBps: 100, downKiBps: 0 }, excludedFolders: ['Archive/2019'] },
      ],
      sync: { ...defaultSettings().sync, ignorePatterns: ['*.tmp'], parallelTransfers: 8 },
      app: { ...defaultSettings().app, language: 'ja' },
    };
    const view = settingsView(settings);
    expect(validateResponse('settings:get', view)).toEqual({ ok: true, value: view });
    expect(view.pairs[0]!.bandwidth).toEqual({ uploadKiBps: 100, downloadKiBps: 0 });
    expect(view.pairs[0]!.excludedFolders).toEqual(['Archive/2019']);
    expect(view.sync).toMatchObject({ ignorePatterns: ['*.tmp'], parallelTransfers: 8 });
    expect(view.app.language).toBe('ja');
    expect(validateResponse('settings:get', settingsView(defaultSettings())).ok).toBe(true);
  });

  it('show a sign-out', () => {
    const view = signOutView({ revocation: 'failed', revocationError: 'the server did not answer', signedOut: true });
    expect(validateResponse('account:signOut', view).ok).toBe(true);
  });

  it('show a conflict of a pair with both versions, or a version that is gone', () => {
    const record = { id: 4, path: 'n.txt', copy: 'n (conflict).txt', createdAt: 5, state: 'open' } as const;
    const view = conflictInfo(record, 'pair-1', { size: 12.4, modifiedMs: 1000.5 }, null);
    expect(validateEvent('conflicts:changed', [view])).toEqual({ ok: true, value: [view] });
    expect(view).toMatchObject({ mine: { size: 12, modifiedMs: 1000.5 }, theirs: null });
    expect(JSON.stringify(view)).not.toContain('state');
  });

  it('show progress; a restore has no phase', () => {
    const progress = { filesDone: 1, filesTotal: 2, bytesDone: 3, bytesTotal: 4, currentFile: 'Photos/a.jpg', remainingMs: null };
    expect(validateEvent('backup:progress', backupProgressView('backup', 'sending', progress)).ok).toBe(true);
    expect(backupProgressView('restore', 'sending', progress).phase).toBeNull();
  });

  it('show a backup summary, cutting a long list of failures', () => {
    const failed = Array.from({ length: maxListedFailures + 5 }, (_, index) => ({ source: 'Photos', path: `f${index}`, code: ErrorCode.LocalIo, message: 'unreadable' }));
    const view = backupSummaryView(summary({ failed }));
    expect(validateResponse('backup:run', view)).toEqual({ ok: true, value: view });
    expect(view).toMatchObject({ filesSent: 1, versioned: 1, skipped: 1, failedTotal: maxListedFailures + 5 });
    expect(view.failed).toHaveLength(maxListedFailures);
  });

  it('show what a dry run would send', () => {
    const view = backupSummaryView(
      summary({
        dryRun: true,
        sent: [],
        bytesSent: 0,
        plan: [
          { source: 'Photos', path: 'a', action: 'send-new', rule: 'B1', bytes: 5 },
          { source: 'Photos', path: 'b', action: 'send-changed', rule: 'B2', bytes: 7 },
          { source: 'Photos', path: 'c', action: 'compare', rule: 'B3', bytes: 0 },
        ] as BackupSummary['plan'],
      }),
    );
    expect(view).toMatchObject({ dryRun: true, filesSent: 2, bytesSent: 12 });
  });

  it('show a restore summary', () => {
    const restore: RestoreSummary = {
      source: 'Photos',
      version: null,
      path: '',
      target: '/home/alice/Photos',
      restored: ['a.jpg', 'b.jpg'],
      unchanged: [],
      keptAside: [{ path: 'a.jpg', copy: '/home/alice/Photos/a (before restore).jpg' }],
      skipped: [],
      failed: [{ path: 'c.jpg', code: ErrorCode.LocalIo, message: 'denied' }],
      bytes: 20,
      durationMs: 30,
      stopped: { code: ErrorCode.Cancelled, message: 'Cancelled.' },
    };
    const view = restoreSummaryView(restore);
    expect(validateResponse('restore:run', view)).toEqual({ ok: true, value: view });
    expect(view.failed).toEqual([{ source: null, path: 'c.jpg', error: { code: ErrorCode.LocalIo, message: 'denied' } }]);
  });

  it('list a source, latest or one version, cut at the limit', () => {
    const listing: SourceListing = {
      source: 'Photos',
      latest: Array.from({ length: maxListedBackupFiles + 1 }, (_, index) => ({ path: `f${index}.jpg`, size: 1, modifiedMs: 2 })),
      versions: [{ version: '2025-10-01T080000Z', at: 0, files: [{ path: 'old.jpg', size: 3, modifiedMs: 4 }] }],
    };
    const base = { device: 'alice-laptop', sources: ['Photos'], versions: ['2025-10-01T080000Z'] };
    const latest = backupListingView({ ...base, listing, version: null });
    expect(validateResponse('backup:list', latest).ok).toBe(true);
    expect(latest).toMatchObject({ source: 'Photos', version: null, truncated: true });
    expect(latest.files).toHaveLength(maxListedBackupFiles);
    const old = backupListingView({ ...base, listing, version: '2025-10-01T080000Z' });
    expect(old.files).toEqual([{ path: 'old.jpg', size: 3, modifiedMs: 4 }]);
    const none = backupListingView({ ...base, listing: null, version: null });
    expect(validateResponse('backup:list', none)).toEqual({ ok: true, value: { ...base, source: null, version: null, files: [], truncated: false } });
  });
});
