import { describe, expect, it } from 'vitest';
import {
  computeTrayState,
  formatSize,
  STATUS_LINE_MAX_LENGTH,
  TOOLTIP_MAX_LENGTH,
  trayStates,
  type AppSnapshot,
  type TrayState,
} from '../../../../electron/app/trayState.js';
import { diskFull, failsafeProblem, networkDown, pair, progress, snapshot, unauthorized } from './appSnapshots.js';

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
      tooltip: 'TeraSync — syncing 4 of 13 files (4.2 MB of 10 MB)',
      statusLine: 'Syncing 4 of 13 files (4.2 MB of 10 MB)',
    });
  });

  it('leaves the sizes out when nothing is sent (deletions, folders)', () => {
    const view = computeTrayState(snapshot({ pairs: [pair(home, { state: 'syncing', progress: progress(0, 1) })] }));
    expect(view.tooltip).toBe('TeraSync — syncing 0 of 1 file');
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
      tooltip: 'TeraSync — backing up 40 of 200 files (1.5 GB of 3 GB)',
    });
    expect(computeTrayState(snapshot({ backup, paused: true, pairs: [pair(home, { state: 'paused' })] }))).toMatchObject({
      state: 'syncing',
      statusLine: 'Backing up 40 of 200 files (1.5 GB of 3 GB); paused',
    });
    expect(computeTrayState(snapshot({ backup: { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 } })).statusLine).toBe('Backing up');
  });

  it('tells the fail-safe with its reason', () => {
    expect(computeTrayState(only.failsafe).tooltip).toBe(
      'TeraSync — waiting for your decision: Refusing to delete 120 of 200 files on the server',
    );
  });

  it('names how many folders share a problem', () => {
    const view = computeTrayState(
      snapshot({ pairs: [pair(home, { state: 'error', problem: diskFull }), pair(work, { state: 'error', problem: diskFull })] }),
    );
    expect(view.statusLine).toBe('Error: 2 folders: No space left on the disk');
  });

  it('says the sign-in expired, whether the app knows it or a pair was refused', () => {
    for (const view of [
      computeTrayState(snapshot({ account: 'expired' })),
      computeTrayState(snapshot({ pairs: [pair(home, { state: 'error', problem: unauthorized })] })),
    ]) {
      expect(view).toMatchObject({ state: 'error', statusLine: 'Sign-in expired: sign in again' });
    }
  });

  it('asks to sign in when signed out', () => {
    expect(computeTrayState(snapshot({ account: 'signed-out', pairs: [] }))).toMatchObject({
      state: 'error',
      tooltip: 'TeraSync — not signed in',
    });
  });

  it('says offline in words, without the raw network error', () => {
    expect(computeTrayState(only.offline).tooltip).toBe('TeraSync — offline, will retry by itself');
  });

  it('counts the conflicts, and keeps them in words under a higher state', () => {
    const conflicts = [
      { id: 'a#1', path: 'a.txt' },
      { id: 'a#2', path: 'b.txt' },
    ];
    expect(computeTrayState(snapshot({ conflicts })).statusLine).toBe('2 conflicts waiting');
    expect(computeTrayState(snapshot({ conflicts: conflicts.slice(1) })).statusLine).toBe('1 conflict waiting');
    expect(computeTrayState({ ...only.offline, conflicts }).statusLine).toBe('Offline, will retry by itself; 2 conflicts waiting');
  });

  it('counts a pair still reporting work after Pause as paused', () => {
    const view = computeTrayState(snapshot({ paused: true, pairs: [pair(home, { state: 'syncing', progress: progress(1, 2) })] }));
    expect(view).toMatchObject({ state: 'paused', statusLine: 'Paused' });
  });

  it('shows a pair being stopped as idle, and no pairs as nothing to sync', () => {
    expect(computeTrayState(snapshot({ pairs: [pair(home, { state: 'stopped' })] })).state).toBe('idle');
    expect(computeTrayState(snapshot({ pairs: [] })).tooltip).toBe('TeraSync — no folders to sync');
  });

  it('keeps the tooltip within what Windows shows, and the status line short', () => {
    const long = { code: diskFull.code, message: 'x'.repeat(400) };
    const view = computeTrayState(snapshot({ pairs: [pair(home, { state: 'error', problem: long })] }));
    expect(view.tooltip.length).toBeLessThanOrEqual(TOOLTIP_MAX_LENGTH);
    expect(view.tooltip.endsWith('…')).toBe(true);
    expect(view.statusLine.length).toBeLessThanOrEqual(STATUS_LINE_MAX_LENGTH);
  });
});

describe('formatSize', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [999, '999 B'],
    [1000, '1 kB'],
    [4_200_000, '4.2 MB'],
    [10_000_000, '10 MB'],
    [9_960_000, '10 MB'],
    [999_600, '1 MB'],
    [123_456_789, '123 MB'],
    [1_500_000_000, '1.5 GB'],
  ])('%d bytes is %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });

  it('says "paused" and the conflicts together, the pause first', () => {
    const conflicts = [{ id: 'a#1', path: 'a.txt' }];
    const view = computeTrayState(snapshot({ paused: true, conflicts, pairs: [pair(home, { state: 'paused' })] }));
    expect(view).toMatchObject({ state: 'conflicts', statusLine: 'Paused; 1 conflict waiting' });
  });

  it('is up to date only with nothing waiting: a scan or an idle pair with changes waiting is not', () => {
    expect(computeTrayState(snapshot({ pairs: [pair(home, { state: 'scanning', lastSyncAt: 5, pending: 1 })] })).state).toBe('syncing');
    expect(computeTrayState(snapshot({ pairs: [pair(home, { state: 'idle', lastSyncAt: 5, pending: 2 })] })).state).toBe('syncing');
    expect(computeTrayState(snapshot({ pairs: [pair(home, { state: 'idle', lastSyncAt: 5, pending: 0 })] })).statusLine).toBe('Up to date');
  });

  it('counts the changes waiting while offline', () => {
    const view = computeTrayState(snapshot({ pairs: [pair(home, { state: 'offline', problem: networkDown, pending: 1 })] }));
    expect(view.statusLine).toBe('Offline, will retry by itself; 1 change waiting');
  });
});
