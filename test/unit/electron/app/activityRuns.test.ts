import { describe, expect, it } from 'vitest';
import { ActivityRunCollector } from '../../../../electron/app/activityRuns.js';
import type { SyncEvent } from '../../../../electron/sync/report.js';
import { ErrorCode } from '../../../../shared/errors.js';
import { maxActivityGroupFiles } from '../../../../shared/ipc/contract.js';
import { validateEvent } from '../../../../shared/ipc/schemas.js';

const scanning: SyncEvent = { type: 'phase', phase: 'scanning', pass: 1 };
const done: SyncEvent = { type: 'phase', phase: 'done', pass: 0 };

function uploaded(path: string, change: 'added' | 'updated' = 'added'): SyncEvent {
  return { type: 'action-done', action: 'upload', path, change: { change, side: 'remote' } };
}

describe('ActivityRunCollector', () => {
  it('groups one run by kind, in a fixed order, with every file counted', () => {
    const collector = new ActivityRunCollector('photos');
    expect(collector.add(scanning, 1000)).toBeNull();
    const events: SyncEvent[] = [
      { type: 'action-done', action: 'deleteRemote', path: 'old.txt', change: { change: 'deleted', side: 'remote' } },
      uploaded('a.jpg'),
      uploaded('b.jpg'),
      uploaded('notes.txt', 'updated'),
      { type: 'action-done', action: 'download', path: 'phone.jpg', change: { change: 'added', side: 'local' } },
      { type: 'action-done', action: 'moveRemote', path: 'new/place.txt', change: { change: 'moved', side: 'remote', from: 'old/place.txt' } },
      { type: 'action-done', action: 'conflict', path: 'both.txt', change: { change: 'conflict', side: 'local' } },
      { type: 'action-failed', action: 'upload', path: 'big.iso', code: ErrorCode.InsufficientStorage, message: 'full' },
      // Bookkeeping and folders: not listed.
      { type: 'action-done', action: 'record', path: 'same.txt' },
      { type: 'action-done', action: 'createRemoteFolder', path: 'new' },
      { type: 'transfer', path: 'a.jpg', bytes: 10, total: 10 },
    ];
    for (const event of events) expect(collector.add(event, 1500)).toBeNull();
    const run = collector.add(done, 2000);
    expect(run).toEqual({
      pairId: 'photos',
      startedAt: 1000,
      endedAt: 2000,
      outcome: 'completed',
      groups: [
        { kind: 'addedRemote', count: 2, files: [{ path: 'a.jpg', from: null, error: null }, { path: 'b.jpg', from: null, error: null }] },
        { kind: 'updatedRemote', count: 1, files: [{ path: 'notes.txt', from: null, error: null }] },
        { kind: 'addedLocal', count: 1, files: [{ path: 'phone.jpg', from: null, error: null }] },
        { kind: 'deletedRemote', count: 1, files: [{ path: 'old.txt', from: null, error: null }] },
        { kind: 'moved', count: 1, files: [{ path: 'new/place.txt', from: 'old/place.txt', error: null }] },
        { kind: 'conflict', count: 1, files: [{ path: 'both.txt', from: null, error: null }] },
        { kind: 'failed', count: 1, files: [{ path: 'big.iso', from: null, error: { code: ErrorCode.InsufficientStorage, message: 'full' } }] },
      ],
    });
    expect(validateEvent('activity:runAdded', { id: 1, ...run }).ok).toBe(true);
    expect(collector.open).toBe(false);
  });

  it('lists at most maxActivityGroupFiles files of a group but counts them all', () => {
    const collector = new ActivityRunCollector('p');
    for (let index = 0; index < 270; index++) collector.add(uploaded(`f${index}.jpg`), 5);
    const run = collector.add(done, 6);
    expect(run?.groups).toHaveLength(1);
    expect(run?.groups[0]?.count).toBe(270);
    expect(run?.groups[0]?.files).toHaveLength(maxActivityGroupFiles);
    expect(run?.groups[0]?.files[0]?.path).toBe('f0.jpg');
  });

  it('records no run for a run that changed nothing, and starts each run afresh', () => {
    const collector = new ActivityRunCollector('p');
    collector.add(scanning, 1);
    collector.add({ type: 'action-done', action: 'record', path: 'x' }, 2);
    expect(collector.add(done, 3)).toBeNull();
    collector.add(scanning, 10);
    collector.add(uploaded('y'), 11);
    expect(collector.add(done, 12)).toMatchObject({ startedAt: 10, groups: [{ kind: 'addedRemote', count: 1 }] });
  });

  it('ends an open run as interrupted, and only once', () => {
    const collector = new ActivityRunCollector('p');
    expect(collector.finish('interrupted', 5)).toBeNull();
    collector.add(scanning, 1);
    collector.add({ type: 'action-failed', action: 'download', path: 'a', code: ErrorCode.Network, message: 'offline' }, 2);
    expect(collector.open).toBe(true);
    expect(collector.finish('interrupted', 3)).toMatchObject({ outcome: 'interrupted', startedAt: 1, endedAt: 3, groups: [{ kind: 'failed' }] });
    expect(collector.open).toBe(false);
    expect(collector.finish('interrupted', 4)).toBeNull();
  });

  it('carries the trash folder of the deletions of the run on TeraCLOUD, so the run links to its deleted files', () => {
    const collector = new ActivityRunCollector('p');
    collector.add(scanning, 1);
    collector.add({ type: 'action-done', action: 'deleteRemote', path: 'old.txt', change: { change: 'deleted', side: 'remote' } }, 2);
    collector.add({ type: 'trashed', runId: '2026-12-05T235329Z', count: 1, bytes: 5 }, 3);
    const run = collector.add(done, 4);
    expect(run).toMatchObject({ trashRunId: '2026-12-05T235329Z', groups: [{ kind: 'deletedRemote', count: 1 }] });
    expect(validateEvent('activity:runAdded', { id: 1, ...run }).ok).toBe(true);
    // The next run starts without it.
    collector.add(scanning, 10);
    collector.add(uploaded('y'), 11);
    expect(collector.add(done, 12)).not.toHaveProperty('trashRunId');
  });

  it('keeps the trash folder of a run that stopped before its end', () => {
    const collector = new ActivityRunCollector('p');
    collector.add({ type: 'action-done', action: 'deleteRemote', path: 'a.txt', change: { change: 'deleted', side: 'remote' } }, 1);
    collector.add({ type: 'trashed', runId: '2026-12-05T235329Z-2', count: 1, bytes: 1 }, 2);
    expect(collector.finish('interrupted', 3)).toMatchObject({ outcome: 'interrupted', trashRunId: '2026-12-05T235329Z-2' });
  });
});
