import { describe, expect, it } from 'vitest';
import { createI18n } from '../../../../shared/i18n/translator.js';
import {
  computeTrayState as computeInLanguage,
  STATUS_LINE_MAX_LENGTH,
  TOOLTIP_MAX_LENGTH,
  trayStates,
  type AppSnapshot,
  type TrayState,
} from '../../../../electron/app/trayState.js';
import { diskFull, failsafeProblem, networkDown, pair, progress, snapshot, unauthorized } from './appSnapshots.js';

const english = createI18n('en');
const japanese = createI18n('ja');
/** The tray's view in English, the language of most tests here. */
const computeTrayState = (snapshot: AppSnapshot) => computeInLanguage(snapshot, english);

const home = '/home/alice/TeraCLOUD';
const work = '/home/alice/Work';

/** A snapshot that makes exactly `state` true (and nothing above it). */
const only: Record<TrayState, AppSnapshot> = {
  failsafe: snapshot({ pairs: [pair(home, { state: 'failsafe', problem: failsafeProblem })] }),
  error: snapshot({ pairs: [pair(home, { state: 'error', problem: diskFull })] }),
  offline: snapshot({ pairs: [pair(home, { state: 'offline', problem: networkDown })] }),
  conflicts: snapshot({ conflicts: [{ id: 'a#1', path: 'report.docx' }] }),
  // A pair syncing and a backup: the backup keeps data moving even while sync is paused.
  syncing: snapshot({
    pairs: [pair(home, { state: 'syncing', progress: progress(3, 12, 4_200_000, 10_000_000) })],
    backup: { filesDone: 1, filesTotal: 2, bytesDone: 10, bytesTotal: 20 },
  }),
  paused: snapshot({ paused: true, pairs: [pair(home, { state: 'paused' })] }),
  idle: snapshot(),
};

function combine(a: AppSnapshot, b: AppSnapshot): AppSnapshot {
  return {
    pairs: [...a.pairs, ...b.pairs.map((entry) => ({ ...entry, localFolder: `${entry.localFolder}-2` }))],
    conflicts: [...a.conflicts, ...b.conflicts],
    paused: a.paused || b.paused,
    backup: a.backup ?? b.backup,
    account: a.account,
  };
}

describe('computeTrayState', () => {
  it.each([...trayStates])('shows %s when only that applies', (state) => {
    expect(computeTrayState(only[state]).state).toBe(state);
  });

  // The order documented in trayState.ts, written out here so that a change to it is a change to this test.
  const documentedOrder: TrayState[] = ['failsafe', 'error', 'offline', 'conflicts', 'syncing', 'paused', 'idle'];

  it('lists the states in the documented order', () => {
    expect(trayStates).toEqual(documentedOrder);
  });

  // Every pair of states: the higher one in the documented order wins.
  const pairs = documentedOrder.flatMap((higher, index) => documentedOrder.slice(index + 1).map((lower) => [higher, lower] as const));
  it.each(pairs)('%s wins over %s', (higher, lower) => {
    expect(computeTrayState(combine(only[higher], only[lower])).state).toBe(higher);
    expect(computeTrayState(combine(only[lower], only[higher])).state).toBe(higher);
  });

  it('says what syncs, in files and sizes, summed over the pairs', () => {
    const view = computeTrayState(
      snapshot({
        pairs: [
          pair(home, { state: 'syncing', progress: progress(3, 12, 4_200_000, 10_000_000) }),
          pair(work, { state: 'syncing', progress: progress(1, 1, 500, 500) }),
        ],
      }),
    );
    expect(view).toEqual({
      state: 'syncing',
      tooltip: 'TeraSync — Syncing 4 of 13 files (4.2 MB of 10 MB)',
      statusLine: 'Syncing 4 of 13 files (4.2 MB of 10 MB)',
    });
  });

  it('leaves the sizes out when nothing is sent (deletions, folders)', () => {
    const view = computeTrayState(snapshot({ pairs: [pair(home, { state: 'syncing', progress: progress(0, 1) })] }));
    expect(view.tooltip).toBe('TeraSync — Syncing 0 of 1 file');
  });

  it('does not show the periodic scan as syncing, but does show the first one', () => {
    expect(computeTrayState(snapshot({ pairs: [pair(home, { state: 'scanning', lastSyncAt: 5 })] }))).toMatchObject({
      state: 'idle',
      statusLine: 'Up to date',
    });
    expect(computeTrayState(snapshot({ pairs: [pair(home, { state: 'scanning', lastSyncAt: null })] }))).toMatchObject({
      state: 'syncing',
      statusLine: 'Looking for changes',
    });
  });

  it('shows a backup as syncing, with its progress, and keeps "paused" in words', () => {
    const backup = { filesDone: 40, filesTotal: 200, bytesDone: 1_500_000_000, bytesTotal: 3_000_000_000 };
    expect(computeTrayState(snapshot({ backup }))).toMatchObject({
      state: 'syncing',
      tooltip: 'TeraSync — Backing up 40 of 200 files (1.5 GB of 3 GB)',
    });
    expect(computeTrayState(snapshot({ backup, paused: true, pairs: [pair(home, { state: 'paused' })] }))).toMatchObject({
      state: 'syncing',
      statusLine: 'Backing up 40 of 200 files (1.5 GB of 3 GB) · Paused',
    });
    expect(computeTrayState(snapshot({ backup: { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 } })).statusLine).toBe('Backing up');
  });

  it('tells the fail-safe with how many files it would delete', () => {
    expect(computeTrayState(only.failsafe).tooltip).toBe('TeraSync — Waiting for your decision: Syncing stopped before deleting many files');
    const info = { reason: 'massDelete' as const, deletions: [], total: 120 };
    expect(computeTrayState(snapshot({ pairs: [pair(home, { state: 'failsafe', problem: failsafeProblem, failSafe: info })] })).statusLine).toBe(
      'Waiting for your decision: 120 files would be deleted',
    );
    const two = snapshot({
      pairs: [pair(home, { state: 'failsafe', failSafe: info }), pair(work, { state: 'failsafe', failSafe: { ...info, total: 30 } })],
    });
    expect(computeTrayState(two).statusLine).toBe('Waiting for your decision: 2 folders: 150 files would be deleted');
  });

  it('names how many folders share a problem', () => {
    const view = computeTrayState(
      snapshot({ pairs: [pair(home, { state: 'error', problem: diskFull }), pair(work, { state: 'error', problem: diskFull })] }),
    );
    expect(view.statusLine).toBe('Syncing stopped: 2 folders: A file or folder on this computer could not be used');
    // One folder: the catalog's words for the error's code, not the service's own message.
    expect(computeTrayState(snapshot({ pairs: [pair(home, { state: 'error', problem: diskFull })] })).statusLine).toBe(
      'Syncing stopped: A file or folder on this computer could not be used',
    );
  });

  it('says the sign-in expired, whether the app knows it or a pair was refused', () => {
    for (const view of [
      computeTrayState(snapshot({ account: 'expired' })),
      computeTrayState(snapshot({ pairs: [pair(home, { state: 'error', problem: unauthorized })] })),
    ]) {
      expect(view).toMatchObject({ state: 'error', statusLine: 'Your sign-in has expired: sign in again' });
    }
  });

  it('asks to sign in when signed out', () => {
    expect(computeTrayState(snapshot({ account: 'signed-out', pairs: [] }))).toMatchObject({
      state: 'error',
      tooltip: 'TeraSync — Not signed in',
    });
  });

  it('says offline in words, without the raw network error', () => {
    expect(computeTrayState(only.offline).tooltip).toBe('TeraSync — Offline: TeraSync tries again by itself');
  });

  it('counts the conflicts, and keeps them in words under a higher state', () => {
    const conflicts = [
      { id: 'a#1', path: 'a.txt' },
      { id: 'a#2', path: 'b.txt' },
    ];
    expect(computeTrayState(snapshot({ conflicts })).statusLine).toBe('2 conflicts wait for you');
    expect(computeTrayState(snapshot({ conflicts: conflicts.slice(1) })).statusLine).toBe('1 conflict waits for you');
    expect(computeTrayState({ ...only.offline, conflicts }).statusLine).toBe('Offline: TeraSync tries again by itself · 2 conflicts need your decision');
  });

  it('counts a pair still reporting work after Pause as paused', () => {
    const view = computeTrayState(snapshot({ paused: true, pairs: [pair(home, { state: 'syncing', progress: progress(1, 2) })] }));
    expect(view).toMatchObject({ state: 'paused', statusLine: 'Paused' });
  });

  it('shows a pair being stopped as idle, and no pairs as nothing to sync', () => {
    expect(computeTrayState(snapshot({ pairs: [pair(home, { state: 'stopped' })] })).state).toBe('idle');
    expect(computeTrayState(snapshot({ pairs: [] })).tooltip).toBe('TeraSync — No folders are synced yet');
  });

  it('keeps the tooltip within what Windows shows, and the status line short, in both languages', () => {
    const crowded = snapshot({
      paused: true,
      conflicts: [1, 2, 3].map((n) => ({ id: `a#${n}`, path: `${n}.txt` })),
      backup: { filesDone: 40, filesTotal: 200, bytesDone: 1_500_000_000, bytesTotal: 3_000_000_000 },
      pairs: [pair(home, { state: 'offline', problem: networkDown, pending: 12_345 }), pair(work, { state: 'error', problem: diskFull })],
    });
    for (const i18n of [english, japanese]) {
      const view = computeInLanguage(crowded, i18n);
      expect(view.tooltip.length).toBeLessThanOrEqual(TOOLTIP_MAX_LENGTH);
      expect(view.statusLine.length).toBeLessThanOrEqual(STATUS_LINE_MAX_LENGTH);
      expect(view.statusLine.endsWith('…')).toBe(true);
    }
    expect(computeTrayState(crowded).tooltip.endsWith('…')).toBe(true);
  });

  it('says "paused" and the conflicts together, the pause first', () => {
    const conflicts = [{ id: 'a#1', path: 'a.txt' }];
    const view = computeTrayState(snapshot({ paused: true, conflicts, pairs: [pair(home, { state: 'paused' })] }));
    expect(view).toMatchObject({ state: 'conflicts', statusLine: 'Paused · 1 conflict needs your decision' });
  });

  it('is up to date only with nothing waiting: a scan or an idle pair with changes waiting is not', () => {
    expect(computeTrayState(snapshot({ pairs: [pair(home, { state: 'scanning', lastSyncAt: 5, pending: 1 })] })).state).toBe('syncing');
    expect(computeTrayState(snapshot({ pairs: [pair(home, { state: 'idle', lastSyncAt: 5, pending: 2 })] })).state).toBe('syncing');
    expect(computeTrayState(snapshot({ pairs: [pair(home, { state: 'idle', lastSyncAt: 5, pending: 0 })] })).statusLine).toBe('Up to date');
  });

  it('counts the changes waiting while offline', () => {
    const view = computeTrayState(snapshot({ pairs: [pair(home, { state: 'offline', problem: networkDown, pending: 1 })] }));
    expect(view.statusLine).toBe('Offline: TeraSync tries again by itself · 1 change waiting');
  });
});

describe('computeTrayState in Japanese', () => {
  const view = (snap: AppSnapshot) => computeInLanguage(snap, japanese);

  it('says the state with the window’s Japanese words', () => {
    expect(view(snapshot())).toEqual({ state: 'idle', tooltip: 'TeraSync — 最新の状態です', statusLine: '最新の状態です' });
    expect(view(snapshot({ pairs: [] })).statusLine).toBe('同期しているフォルダーはまだありません');
    expect(view(only.offline).statusLine).toBe('オフライン：自動で再試行します');
    expect(view(snapshot({ account: 'signed-out', pairs: [] })).statusLine).toBe('サインインしていません');
    expect(view(snapshot({ account: 'expired' })).statusLine).toBe('サインインの有効期限が切れました。もう一度サインインしてください');
    expect(view(snapshot({ pairs: [pair(home, { state: 'scanning', lastSyncAt: null })] })).statusLine).toBe('変更を確認中');
  });

  it('counts files and sizes the Japanese way', () => {
    const syncing = view(snapshot({ pairs: [pair(home, { state: 'syncing', progress: progress(3, 12, 4_200_000, 10_000_000) })] }));
    expect(syncing.statusLine).toBe('同期しています（12個中3個のファイル、10 MB中4.2 MB）');
    expect(syncing.tooltip).toBe('TeraSync — 同期しています（12個中3個のファイル、10 MB中4.2 MB）');
    expect(view(snapshot({ backup: { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 } })).statusLine).toBe('バックアップしています');
  });

  it('says problems, conflicts and waiting changes in Japanese', () => {
    expect(view(snapshot({ pairs: [pair(home, { state: 'error', problem: diskFull })] })).statusLine).toBe(
      '同期が止まっています：このPCのファイルかフォルダーを使えませんでした',
    );
    const info = { reason: 'massDelete' as const, deletions: [], total: 120 };
    expect(view(snapshot({ pairs: [pair(home, { state: 'failsafe', failSafe: info })] })).statusLine).toBe('確認が必要です：120個のファイルが削除されます');
    const conflicts = [{ id: 'a#1', path: 'a.txt' }];
    expect(view(snapshot({ conflicts })).statusLine).toBe('1件の競合について確認が必要です');
    expect(view(snapshot({ paused: true, conflicts, pairs: [pair(home, { state: 'paused' })] })).statusLine).toBe('一時停止中 · 競合1件：確認が必要です');
    expect(view(snapshot({ pairs: [pair(home, { state: 'offline', problem: networkDown, pending: 1 })] })).statusLine).toBe(
      'オフライン：自動で再試行します · 同期待ちの変更1件',
    );
  });

  it('decides the same state whatever the language', () => {
    for (const state of trayStates) expect(view(only[state]).state).toBe(computeTrayState(only[state]).state);
  });
});
