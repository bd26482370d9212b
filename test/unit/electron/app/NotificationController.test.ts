/**
 * NotificationController against a fake port that records what was shown: each thing is said
 * once however many status ticks repeat it, the setting silences without replaying, and the
 * backup outcomes are told.
 */
import { describe, expect, it } from 'vitest';
import { AppLanguage } from '../../../../electron/app/AppLanguage.js';
import { ErrorCode } from '../../../../shared/errors.js';
import type { Language } from '../../../../shared/types.js';
import type { BackupSummary } from '../../../../electron/backup/model.js';
import { NotificationController, type DesktopNotification, type NotificationPort } from '../../../../electron/app/NotificationController.js';
import type { AppSnapshot, OpenConflict } from '../../../../electron/app/trayState.js';
import { failsafeProblem, networkDown, pair, progress, snapshot, unauthorized } from './appSnapshots.js';

class FakeNotifications implements NotificationPort {
  readonly shown: DesktopNotification[] = [];
  show(notification: DesktopNotification): void {
    this.shown.push(notification);
  }
  get titles(): string[] {
    return this.shown.map((notification) => notification.title);
  }
}

function setUp(enabled = true, setting: Language = 'en', systemLanguages: string[] = ['en-US']) {
  const port = new FakeNotifications();
  let windowShown = 0;
  const language = new AppLanguage({ setting, systemLanguages: () => systemLanguages });
  const controller = new NotificationController({ port, enabled, showWindow: () => void windowShown++, language });
  return { port, controller, language, windowShown: () => windowShown };
}

const home = '/home/alice/TeraCLOUD';
const conflict = (id: number, path = `folder/file${id}.txt`): OpenConflict => ({ id: `${home}#${id}`, path });
const withConflicts = (...conflicts: OpenConflict[]): AppSnapshot => snapshot({ conflicts });

function summary(change: Partial<BackupSummary> = {}): BackupSummary {
  return {
    device: 'laptop',
    version: '2026-11-28T140000Z',
    sources: [{ name: 'Documents', root: '/home/alice/Documents' }],
    sent: [],
    unchanged: 0,
    versioned: [],
    createdFolders: 0,
    failed: [],
    skipped: [],
    pruned: [],
    bytesSent: 0,
    durationMs: 1000,
    stopped: null,
    dryRun: false,
    plan: [],
    quota: null,
    failSafe: null,
    ...change,
  };
}

describe('NotificationController: conflicts', () => {
  it('takes the conflicts open at start as known, then tells each new one once', () => {
    const { port, controller } = setUp();
    controller.update(withConflicts(conflict(1)));
    expect(port.shown).toEqual([]);
    controller.update(withConflicts(conflict(1), conflict(2, 'Reports/q3.xlsx')));
    for (let tick = 0; tick < 5; tick++) controller.update(withConflicts(conflict(1), conflict(2, 'Reports/q3.xlsx')));
    expect(port.shown).toHaveLength(1);
    expect(port.shown[0]).toMatchObject({
      title: 'Conflict: q3.xlsx',
      body: 'Reports/q3.xlsx was changed on both sides. Both versions were kept; open TeraSync to choose.',
    });
  });

  it('tells up to three new conflicts one by one, and more as one summary', () => {
    const { port, controller } = setUp();
    controller.update(withConflicts());
    controller.update(withConflicts(conflict(1), conflict(2), conflict(3)));
    expect(port.titles).toEqual(['Conflict: file1.txt', 'Conflict: file2.txt', 'Conflict: file3.txt']);
    controller.update(withConflicts(conflict(1), conflict(2), conflict(3), conflict(4), conflict(5), conflict(6), conflict(7), conflict(8)));
    expect(port.shown).toHaveLength(4);
    expect(port.shown[3]).toMatchObject({
      title: '5 new conflicts',
      body: 'file4.txt, file5.txt, file6.txt and 2 more were changed on both sides. Both versions were kept; open TeraSync to choose.',
    });
  });

  it('does not tell a conflict again once resolved, and tells a new one on the same file', () => {
    const { port, controller } = setUp();
    controller.update(withConflicts());
    controller.update(withConflicts(conflict(1, 'a.txt')));
    controller.update(withConflicts());
    controller.update(withConflicts(conflict(2, 'a.txt')));
    expect(port.titles).toEqual(['Conflict: a.txt', 'Conflict: a.txt']);
  });

  it('shows the window on a click', () => {
    const { port, controller, windowShown } = setUp();
    controller.update(withConflicts());
    controller.update(withConflicts(conflict(1)));
    port.shown[0]?.onClick?.();
    expect(windowShown()).toBe(1);
  });
});

describe('NotificationController: fail-safe', () => {
  const failSafe = { reason: 'massDelete' as const, deletions: [], total: 120 };
  const failsafe = (lastSyncAt: number | null = 1000) =>
    snapshot({ pairs: [pair(home, { state: 'failsafe', problem: failsafeProblem, failSafe, lastSyncAt })] });

  it('tells once per episode, whatever the ticks and the Sync now / pause / resume in between', () => {
    const { port, controller } = setUp();
    controller.update(snapshot());
    controller.update(failsafe());
    controller.update(failsafe());
    controller.update(snapshot({ pairs: [pair(home, { state: 'scanning' })] }));
    controller.update(failsafe());
    controller.update(snapshot({ paused: true, pairs: [pair(home, { state: 'paused' })] }));
    controller.update(snapshot({ pairs: [pair(home, { state: 'idle' })] }));
    controller.update(failsafe());
    expect(port.shown).toEqual([
      expect.objectContaining({
        title: 'Syncing stopped: your decision is needed',
        body: `${home}: 120 files would be deleted. Open TeraSync to go ahead or keep the files.`,
      }),
    ]);
  });

  it('tells a new episode after the pair completed a run', () => {
    const { port, controller } = setUp();
    controller.update(failsafe(1000));
    controller.update(snapshot({ pairs: [pair(home, { state: 'idle', lastSyncAt: 2000 })] }));
    controller.update(failsafe(2000));
    expect(port.shown).toHaveLength(2);
  });

  it('tells each pair on its own', () => {
    const { port, controller } = setUp();
    controller.update(
      snapshot({
        pairs: [pair(home, { state: 'failsafe', problem: failsafeProblem }), pair('/home/alice/Work', { state: 'failsafe', problem: failsafeProblem })],
      }),
    );
    expect(port.shown.map((notification) => notification.body.split(':')[0])).toEqual([home, '/home/alice/Work']);
    // Without the count (an older status), the catalog's words for the stop.
    expect(port.shown[0]?.body).toBe(`${home}: Syncing stopped before deleting many files. Open TeraSync to go ahead or keep the files.`);
  });
});

describe('NotificationController: sign-in expired', () => {
  const refused = (lastSyncAt = 1000) => snapshot({ pairs: [pair(home, { state: 'error', problem: unauthorized, lastSyncAt })] });

  it('tells once, through offline spells, until signed in again', () => {
    const { port, controller } = setUp();
    controller.update(snapshot());
    controller.update(refused());
    controller.update(refused());
    controller.update(snapshot({ pairs: [pair(home, { state: 'offline', problem: networkDown })] }));
    controller.update(refused());
    controller.update(snapshot({ account: 'expired', pairs: [pair(home, { state: 'error', problem: unauthorized })] }));
    expect(port.titles).toEqual(['Sign-in expired']);

    // Signed in again: the pair's old refusal is stale until it has tried again.
    controller.update(refused());
    expect(port.titles).toEqual(['Sign-in expired']);
    controller.update(snapshot({ pairs: [pair(home, { state: 'scanning' })] }));
    controller.update(refused());
    expect(port.titles).toEqual(['Sign-in expired', 'Sign-in expired']);
  });

  it('counts a completed run as proof that the sign-in works again', () => {
    const { port, controller } = setUp();
    controller.update(refused(1000));
    controller.update(snapshot({ pairs: [pair(home, { state: 'idle', lastSyncAt: 5000 })] }));
    controller.update(refused(5000));
    expect(port.titles).toEqual(['Sign-in expired', 'Sign-in expired']);
  });

  it('says nothing for a user who signed out', () => {
    const { port, controller } = setUp();
    controller.update(snapshot({ account: 'signed-out', pairs: [] }));
    expect(port.shown).toEqual([]);
  });
});

describe('NotificationController: backups', () => {
  it('tells a finished backup with what it sent', () => {
    const { port, controller } = setUp();
    controller.backupEnded(summary({ sent: [{ source: 'Documents', path: 'a.txt', bytes: 1_200_000 }], bytesSent: 1_200_000 }));
    controller.backupEnded(summary());
    expect(port.shown).toEqual([
      expect.objectContaining({ title: 'Backup finished', body: '1 file backed up (1.2 MB).' }),
      expect.objectContaining({ title: 'Backup finished', body: 'Nothing new to back up.' }),
    ]);
  });

  it('tells the files that could not be backed up', () => {
    const { port, controller } = setUp();
    controller.backupEnded(
      summary({
        sent: [{ source: 'Documents', path: 'a.txt', bytes: 10 }, { source: 'Documents', path: 'b.txt', bytes: 10 }],
        bytesSent: 20,
        failed: [{ source: 'Documents', path: 'locked/c.pst', code: ErrorCode.LocalIo, message: 'EBUSY' }],
      }),
    );
    expect(port.shown[0]).toMatchObject({ title: 'Backup finished with problems', body: '2 files backed up (20 B). 1 file could not be backed up: c.pst.' });
  });

  it('tells a failed backup, but not one the user cancelled nor a dry run', () => {
    const { port, controller } = setUp();
    controller.backupEnded(
      summary({ sent: [{ source: 'Documents', path: 'a.txt', bytes: 10 }], stopped: { code: ErrorCode.InsufficientStorage, message: 'The TeraCLOUD storage is full.' } }),
    );
    controller.backupFailed({ code: ErrorCode.Unauthorized, message: 'The server refused the sign-in.' });
    controller.backupEnded(summary({ stopped: { code: ErrorCode.Cancelled, message: 'Cancelled.' } }));
    controller.backupFailed({ code: ErrorCode.Cancelled, message: 'Cancelled.' });
    controller.backupEnded(summary({ dryRun: true }));
    expect(port.shown).toEqual([
      expect.objectContaining({
        title: 'Backup failed',
        body: 'Your TeraCLOUD storage is full. Delete files you no longer need, or add capacity in MyPage. 1 file was backed up before it stopped.',
      }),
      expect.objectContaining({
        title: 'Backup failed',
        body: 'Your saved sign-in is no longer accepted. Sign in again in Settings. If you issued a new Apps password in MyPage, use the new one.',
      }),
    ]);
  });

  it('says what to do about a failed backup, with the service’s words only where they are the particulars', () => {
    const { port, controller } = setUp();
    controller.backupFailed({ code: ErrorCode.Network, message: 'getaddrinfo ENOTFOUND seto.teracloud.jp' });
    controller.backupFailed({ code: ErrorCode.Configuration, message: 'No folder is chosen for the backup.' });
    expect(port.shown.map((notification) => notification.body)).toEqual([
      'TeraSync cannot reach TeraCLOUD. Check the internet connection, then try again.',
      'This is not set up the way it needs to be. Details: No folder is chosen for the backup.',
    ]);
  });
});

describe('NotificationController: the setting', () => {
  it('shows nothing while off, and does not replay what happened meanwhile when turned on', () => {
    const { port, controller } = setUp(false);
    controller.update(withConflicts());
    controller.update(withConflicts(conflict(1)));
    controller.backupEnded(summary());
    expect(port.shown).toEqual([]);
    controller.setEnabled(true);
    expect(controller.isEnabled()).toBe(true);
    controller.update(withConflicts(conflict(1)));
    expect(port.shown).toEqual([]);
    controller.update(withConflicts(conflict(1), conflict(2)));
    controller.setEnabled(false);
    controller.update(withConflicts(conflict(1), conflict(2), conflict(3)));
    expect(port.titles).toEqual(['Conflict: file2.txt']);
  });

  it('ignores progress ticks', () => {
    const { port, controller } = setUp();
    for (let done = 0; done < 50; done++) controller.update(snapshot({ pairs: [pair(home, { state: 'syncing', progress: progress(done, 50) })] }));
    expect(port.shown).toEqual([]);
  });
});

describe('NotificationController in Japanese', () => {
  it('tells conflicts in Japanese, one by one and as a summary', () => {
    const { port, controller } = setUp(true, 'ja');
    controller.update(withConflicts());
    controller.update(withConflicts(conflict(1, 'Reports/q3.xlsx')));
    controller.update(withConflicts(conflict(1, 'Reports/q3.xlsx'), conflict(2), conflict(3), conflict(4), conflict(5), conflict(6)));
    expect(port.shown).toEqual([
      expect.objectContaining({
        title: '競合：q3.xlsx',
        body: 'Reports/q3.xlsxはこのPCとTeraCLOUD上の両方で変更されました。両方のバージョンを残しました。TeraSyncを開いて選んでください。',
      }),
      expect.objectContaining({
        title: '新しい競合5件',
        body: 'file2.txt、file3.txt、file4.txtほか2件はこのPCとTeraCLOUD上の両方で変更されました。両方のバージョンを残しました。TeraSyncを開いて選んでください。',
      }),
    ]);
  });

  it('tells the fail-safe and the expired sign-in in Japanese', () => {
    const { port, controller } = setUp(true, 'system', ['ja-JP']);
    controller.update(snapshot({ pairs: [pair(home, { state: 'failsafe', failSafe: { reason: 'localEmpty', deletions: [], total: 3 } })] }));
    controller.update(snapshot({ account: 'expired' }));
    expect(port.shown).toEqual([
      expect.objectContaining({
        title: '同期を止めました：確認が必要です',
        body: `${home}：3個のファイルが削除されます。TeraSyncを開いて、削除を続けるか、ファイルを残すかを選んでください。`,
      }),
      expect.objectContaining({
        title: 'サインインの有効期限が切れました',
        body: '保存されているサインインをTeraCLOUDが受け付けなくなったため、同期とバックアップが止まっています。TeraSyncを開いて、もう一度サインインしてください。',
      }),
    ]);
  });

  it('tells backups in Japanese', () => {
    const { port, controller } = setUp(true, 'ja');
    controller.backupEnded(summary({ sent: [{ source: 'Documents', path: 'a.txt', bytes: 1_200_000 }], bytesSent: 1_200_000 }));
    controller.backupEnded(summary());
    controller.backupEnded(
      summary({
        failed: [
          { source: 'Documents', path: 'locked/c.pst', code: ErrorCode.LocalIo, message: 'EBUSY' },
          { source: 'Documents', path: 'd.pst', code: ErrorCode.LocalIo, message: 'EBUSY' },
        ],
      }),
    );
    controller.backupEnded(summary({ sent: [{ source: 'Documents', path: 'a.txt', bytes: 10 }], stopped: { code: ErrorCode.InsufficientStorage, message: 'full' } }));
    expect(port.shown.map(({ title, body }) => ({ title, body }))).toEqual([
      { title: 'バックアップが完了しました', body: '1個のファイルをバックアップしました（1.2 MB）。' },
      { title: 'バックアップが完了しました', body: '新しくバックアップするものはありませんでした。' },
      {
        title: 'バックアップは完了しましたが、問題がありました',
        body: '新しくバックアップするものはありませんでした。2個のファイルをバックアップできませんでした：c.pst、d.pst。',
      },
      {
        title: 'バックアップできませんでした',
        body: 'TeraCLOUDのストレージがいっぱいです。不要なファイルを削除するか、マイページで容量を追加してください。止まる前に1個のファイルをバックアップしました。',
      },
    ]);
  });

  it('speaks the language of the moment each notification is shown', () => {
    const { port, controller, language } = setUp(true, 'en');
    controller.backupEnded(summary());
    language.setSetting('ja');
    controller.backupEnded(summary());
    language.setSetting('system');
    controller.backupEnded(summary());
    expect(port.titles).toEqual(['Backup finished', 'バックアップが完了しました', 'Backup finished']);
  });
});
