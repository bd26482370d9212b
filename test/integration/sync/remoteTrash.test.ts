/**
 * The pair's server-side trash against the in-process WebDAV server, Apache mod_dav over
 * HTTPS and the TeraCLOUD emulator: a deletion sent to the server moves the file (or the
 * whole folder, in one MOVE) into `.terasync-trash/<run id>/`, never a DELETE; the trash is
 * never synced back; restoring brings a file back to its path (or beside it, never over
 * another) and the next syncs keep it; a file changed on the server is not moved; run
 * folders past the retention are purged, at most once a day.
 */
import { describe, expect, it } from 'vitest';
import { startEmulator, DEFAULT_ACCOUNT } from '../../../dev/emulator/TeraCloudEmulator.js';
import { RemoteTrash, runIdAt, TRASH_FOLDER, TrashSession, DAY_MS } from '../../../electron/sync/remoteTrash.js';
import { TRASH_PURGED_AT } from '../../../electron/sync/engine.js';
import { Journal } from '../../../electron/sync/journal.js';
import { ErrorCode, TeraSyncError } from '../../../shared/errors.js';
import { WebDavRemoteStore } from '../../../electron/webdav/WebDavRemoteStore.js';
import type { Clock } from '../../../electron/core/time.js';
import type { RemoteStore } from '../../../electron/sync/ports.js';
import { systemClock } from '../../../electron/core/time.js';
import { wrapStore } from '../../support/wrapStore.js';
import type { Pair, Tree } from '../../support/pair.js';
import { join } from 'node:path';
import { serverKinds, useServer, type ServerKind } from './servers.js';

const emulatorKind: ServerKind = {
  name: 'the TeraCLOUD emulator',
  skip: false,
  async start() {
    const emulator = await startEmulator({ oauth: false });
    return {
      server: { url: emulator.davUrl, user: DEFAULT_ACCOUNT.userId, password: DEFAULT_ACCOUNT.appsPassword },
      stop: () => emulator.close(),
      requests: async () =>
        emulator.requests.map((request) => ({ method: request.method, path: decodeURIComponent(request.path.split('?')[0] ?? ''), status: request.status ?? 0 })),
    };
  },
};

/** A clock standing still at `ms`. */
function clockAt(ms: number): Clock {
  return { now: () => ms, sleep: systemClock.sleep };
}

function storeOf(pair: Pair, server: { user: string; password: string; ca?: string }): WebDavRemoteStore {
  return new WebDavRemoteStore({
    url: pair.remoteUrl,
    auth: { kind: 'basic', user: server.user, password: server.password },
    ca: server.ca,
    retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
  });
}

/** The synced part of a tree: the trash left out. */
function synced(tree: Tree): Tree {
  return Object.fromEntries(Object.entries(tree).filter(([path]) => !path.startsWith(TRASH_FOLDER)));
}

/** The files of the trash, as `<run folder>/<path>`. */
function trashFiles(tree: Tree): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).filter(([, content]) => content !== '<folder>'));
}

describe.each([...serverKinds, emulatorKind])('the server-side trash against $name', (kind) => {
  const fixture = useServer(kind);

  async function withTrash<T>(pair: Pair, work: (trash: RemoteTrash) => Promise<T>): Promise<T> {
    const store = storeOf(pair, fixture.server());
    try {
      return await work(new RemoteTrash(store));
    } finally {
      await store.dispose();
    }
  }

  it.skipIf(kind.skip)('deletions go to the trash (a folder of 100 files in one MOVE), are never synced back, and come back on restore', async () => {
    const pair = await fixture.newPair();
    const odd = 'a b%20c/日本語 ファイル%.txt';
    await pair.writeLocal(odd, 'unicode, spaces and percent');
    await pair.writeLocal('keep.txt', 'kept');
    for (let i = 0; i < 100; i++) await pair.writeLocal(`big folder/f${String(i).padStart(3, '0')}.txt`, `file ${i}`);
    for (let i = 0; i < 100; i++) await pair.writeLocal(`others/o${i}.txt`, `other ${i}`);
    expect((await pair.sync()).report.errors).toEqual([]);

    await pair.removeLocal('big folder');
    await pair.removeLocal(odd);
    const started = Date.now();
    const before = (await fixture.requests()).length;
    const { report } = await pair.sync();
    const requests = (await fixture.requests()).slice(before);
    expect(report.errors).toEqual([]);
    expect(report.deletedRemote).toHaveLength(102);
    expect(report.deletedToTrash).not.toBeNull();
    expect(report.deletedToTrash!.count).toBe(101);
    const folderBytes = Array.from({ length: 100 }, (_, i) => `file ${i}`.length).reduce((sum, n) => sum + n, 0);
    expect(report.deletedToTrash!.bytes).toBe(Buffer.byteLength('unicode, spaces and percent') + folderBytes);
    const runId = report.deletedToTrash!.runId;
    expect(Math.abs(Date.parse(runId.replace(/T(\d\d)(\d\d)(\d\d)Z.*/, 'T$1:$2:$3Z')) - started)).toBeLessThan(120_000);
    // No DELETE reached the server; the folder went in one MOVE, the file in another.
    expect(requests.filter((request) => request.method === 'DELETE')).toEqual([]);
    expect(requests.filter((request) => request.method === 'MOVE')).toHaveLength(2);

    const tree = await pair.remoteTree();
    const trashed = trashFiles(await pair.remoteTrashTree());
    expect(Object.keys(trashed)).toHaveLength(101);
    expect(trashed[`${runId}/${odd}`]).toBe('unicode, spaces and percent');
    expect(trashed[`${runId}/big folder/f042.txt`]).toBe('file 42');
    expect(synced(tree)).toEqual(synced(await pair.localTree()));
    // Never synced back, never counted: a second run plans nothing and the local side has no trash.
    const again = await pair.sync();
    expect(again.planned).toEqual([]);
    expect(Object.keys(await pair.localTree()).some((path) => path.startsWith(TRASH_FOLDER))).toBe(false);

    // Listed with its files; one file restored to its path, then the rest of the run.
    const runs = await withTrash(pair, (trash) => trash.list());
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ runId, bytes: report.deletedToTrash!.bytes });
    expect(runs[0]!.files).toHaveLength(101);
    expect(runs[0]!.files.map((file) => file.path)).toContain(odd);
    expect(await withTrash(pair, (trash) => trash.restore(runId, odd))).toEqual([{ path: odd, restoredTo: odd }]);
    const restored = await pair.sync();
    expect(restored.report.downloaded).toEqual([odd]);
    expect(await pair.readLocal(odd)).toBe('unicode, spaces and percent');
    expect((await pair.sync()).planned).toEqual([]);
    expect(await pair.readLocal(odd)).toBe('unicode, spaces and percent');

    await withTrash(pair, (trash) => trash.restore(runId, null));
    expect((await pair.sync()).report.downloaded).toHaveLength(100);
    expect(await pair.readLocal('big folder/f099.txt')).toBe('file 99');
    // Everything restored: the run folder went with its last file.
    expect(await withTrash(pair, (trash) => trash.list())).toEqual([]);
  });

  it.skipIf(kind.skip)('a restore never overwrites: a taken name comes back as a restored copy', async () => {
    const pair = await fixture.newPair();
    await pair.writeLocal('notes/plan.txt', 'old plan');
    await pair.sync();
    await pair.removeLocal('notes/plan.txt');
    const { report } = await pair.sync();
    const runId = report.deletedToTrash!.runId;
    await pair.writeLocal('notes/plan.txt', 'new plan');
    await pair.sync();
    const restored = await withTrash(pair, (trash) => trash.restore(runId, 'notes/plan.txt'));
    expect(restored).toEqual([{ path: 'notes/plan.txt', restoredTo: 'notes/plan (restored).txt' }]);
    await pair.sync();
    expect(synced(await pair.localTree())).toEqual({ notes: '<folder>', 'notes/plan.txt': 'new plan', 'notes/plan (restored).txt': 'old plan' });
  });

  it.skipIf(kind.skip)('a file changed on the server since it was listed is not moved, and its new version comes down', async () => {
    const pair = await fixture.newPair();
    await pair.writeLocal('report.txt', 'synced version');
    await pair.writeLocal('other.txt', 'stays');
    await pair.sync();
    await pair.removeLocal('report.txt');
    let edited = false;
    const { report } = await pair.sync({
      wrapRemote: (store) =>
        wrapStore(store, {
          move: async (from, to, type, options) => {
            if (!edited) {
              edited = true;
              await new Promise((resolve) => setTimeout(resolve, 1100));
              await pair.writeRemote('report.txt', 'edited on the server, longer');
            }
            return store.move(from, to, type, options);
          },
        }),
    });
    expect(edited).toBe(true);
    expect(report.deletedRemote).toEqual([]);
    expect(report.deferred.map((entry) => entry.path)).toEqual(['report.txt']);
    expect(await pair.readRemote('report.txt')).toBe('edited on the server, longer');
    expect(trashFiles(await pair.remoteTrashTree())).toEqual({});
    await pair.sync();
    expect(await pair.readLocal('report.txt')).toBe('edited on the server, longer');
  });

  it.skipIf(kind.skip)('two deletions of one name in a run are both kept; a taken run folder gets a sibling', async () => {
    const pair = await fixture.newPair();
    const store = storeOf(pair, fixture.server());
    try {
      const runId = runIdAt(Date.UTC(2026, 0, 2, 3, 4, 5));
      const first = new TrashSession(store, runId);
      await pair.writeRemote('same name.txt', 'first');
      const listed = async (): Promise<string | null> => (await store.stat('same name.txt'))?.etag ?? null;
      expect(await first.moveIn('same name.txt', 'file', await listed(), 1, 5)).toBe('moved');
      await pair.writeRemote('same name.txt', 'second');
      expect(await first.moveIn('same name.txt', 'file', await listed(), 1, 6)).toBe('moved');
      expect(first.summary()).toEqual({ runId, count: 2, bytes: 11 });
      const second = new TrashSession(store, runId);
      await pair.writeRemote('same name.txt', 'third');
      await second.moveIn('same name.txt', 'file', await listed(), 1, 5);
      expect(second.summary()?.runId).toBe(`${runId}-2`);
      expect(trashFiles(await pair.remoteTrashTree())).toEqual({
        [`${runId}/same name.txt`]: 'first',
        [`${runId}/same name (2).txt`]: 'second',
        [`${runId}-2/same name.txt`]: 'third',
      });
      // A file already gone is nothing to keep.
      expect(await new TrashSession(store, runId).moveIn('never there.txt', 'file', '"abc"', 1, 1)).toBe('gone');
    } finally {
      await store.dispose();
    }
  });

  it.skipIf(kind.skip)('run folders past the retention are purged, at most once a day', async () => {
    const pair = await fixture.newPair();
    const now = Date.UTC(2026, 5, 30, 12, 0, 0);
    await pair.writeRemote(`${TRASH_FOLDER}/${runIdAt(now - 40 * DAY_MS)}/old.txt`, 'old');
    await pair.writeRemote(`${TRASH_FOLDER}/${runIdAt(now - 5 * DAY_MS)}/recent.txt`, 'recent');
    await pair.writeLocal('a.txt', 'a');
    // A new journal starts the day's count without looking (the first sync costs no listing).
    await pair.sync({ clock: clockAt(now - DAY_MS) });
    expect(Object.keys(trashFiles(await pair.remoteTrashTree()))).toHaveLength(2);
    const before = Journal.open(join(pair.stateDir, 'journal.sqlite'));
    expect(before.getMeta(TRASH_PURGED_AT)).toBe(String(now - DAY_MS));
    before.close();
    // A day later the run past the retention (30 days) goes, the recent one stays.
    await pair.sync({ clock: clockAt(now) });
    expect(Object.keys(trashFiles(await pair.remoteTrashTree()))).toEqual([`${runIdAt(now - 5 * DAY_MS)}/recent.txt`]);
    const journal = Journal.open(join(pair.stateDir, 'journal.sqlite'));
    expect(journal.getMeta(TRASH_PURGED_AT)).toBe(String(now));
    journal.close();

    // Within the day: not looked at again, even with a shorter retention.
    await pair.sync({ clock: clockAt(now + DAY_MS - 1000), deletedRetentionDays: 1 });
    expect(Object.keys(trashFiles(await pair.remoteTrashTree()))).toHaveLength(1);
    // A day later, with a retention of 3 days, the 5-day-old run goes.
    await pair.sync({ clock: clockAt(now + DAY_MS), deletedRetentionDays: 3 });
    expect(trashFiles(await pair.remoteTrashTree())).toEqual({});
    expect(synced(await pair.remoteTree())).toEqual({ 'a.txt': 'a' });
  });

  // Defined where the server stores a name with a backslash (webdav-server refuses it: 409).
  if (!kind.name.startsWith('webdav-server')) it.skipIf(kind.skip)('restoring a run keeps its folder while it holds a name this client cannot handle', async () => {
    const pair = await fixture.newPair();
    const runId = runIdAt(Date.UTC(2026, 5, 30, 12, 0, 0));
    await pair.writeRemote(`${TRASH_FOLDER}/${runId}/ok.txt`, 'ok');
    // A backslash: the listing skips it (it would read as a folder separator on Windows).
    await pair.writeRemote(`${TRASH_FOLDER}/${runId}/back\\slash.txt`, 'unseen');
    expect(await withTrash(pair, (trash) => trash.restore(runId, null))).toEqual([{ path: 'ok.txt', restoredTo: 'ok.txt' }]);
    expect(await pair.readRemote('ok.txt')).toBe('ok');
    // The run folder stays, with what the listing could not show.
    expect(await pair.readRemote(`${TRASH_FOLDER}/${runId}/back\\slash.txt`)).toBe('unseen');
  });

  it.skipIf(kind.skip)('a purge that fails is not a failed sync, and is tried again an hour later, not at every run', async () => {
    const pair = await fixture.newPair();
    const now = Date.UTC(2026, 5, 30, 12, 0, 0);
    await pair.writeRemote(`${TRASH_FOLDER}/${runIdAt(now - 40 * DAY_MS)}/old.txt`, 'old');
    await pair.writeLocal('a.txt', 'a');
    await pair.sync({ clock: clockAt(now - DAY_MS) });
    let removals = 0;
    const refusing = (real: RemoteStore): RemoteStore =>
      wrapStore(real, {
        remove: async (path) => {
          removals++;
          throw new TeraSyncError(ErrorCode.Server, `500 on DELETE ${path}`);
        },
      });
    const failed = await pair.sync({ clock: clockAt(now), wrapRemote: refusing });
    expect(removals).toBe(1);
    expect(failed.report.errors).toEqual([]);
    // Within the hour: not tried again.
    await pair.sync({ clock: clockAt(now + 30 * 60_000), wrapRemote: refusing });
    expect(removals).toBe(1);
    expect(Object.keys(trashFiles(await pair.remoteTrashTree()))).toHaveLength(1);
    // An hour later it is, and goes through.
    await pair.sync({ clock: clockAt(now + 60 * 60_000) });
    expect(trashFiles(await pair.remoteTrashTree())).toEqual({});
  });

  it.skipIf(kind.skip)('the trash is never synced, even when .terasyncignore re-includes .terasync- names', async () => {
    const pair = await fixture.newPair();
    await pair.writeLocal('.terasyncignore', '!.terasync-*\n');
    await pair.writeRemote(`${TRASH_FOLDER}/${runIdAt(Date.now())}/x.txt`, 'in the trash');
    const { report } = await pair.sync();
    expect(report.downloaded).toEqual([]);
    expect(Object.keys(await pair.localTree())).toEqual(['.terasyncignore']);
  });

  it.skipIf(kind.skip)('the fail-safe share is a setting: 30% stops a run that deletes 12 of 30', async () => {
    const pair = await fixture.newPair();
    for (let i = 0; i < 30; i++) await pair.writeLocal(`f${i}.txt`, `f${i}`);
    await pair.sync();
    for (let i = 0; i < 12; i++) await pair.removeLocal(`f${i}.txt`);
    await expect(pair.sync({ failSafePercent: 30 })).rejects.toMatchObject({ code: 'FailSafeTriggered' });
    const { report } = await pair.sync({ failSafePercent: 50 });
    expect(report.deletedToTrash?.count).toBe(12);
  });
});
