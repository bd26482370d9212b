/**
 * The fail-safes against the in-process WebDAV server and Apache mod_dav over HTTPS: each stop
 * says what it would have deleted, and "Restore them" brings every file back to the side it
 * was deleted from, with its content, deleting nothing anywhere (both trees are checked, and
 * the server saw no DELETE or MOVE), and leaves a journal after which a normal run plans
 * nothing. The same through SyncService: the status shows the details while it waits, and is
 * idle without them after the restore.
 */
import { readdir, rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import type { FailSafeReason } from '../../../shared/types.js';
import { FailSafeError } from '../../../electron/sync/failSafe.js';
import type { RunResult } from '../../../electron/sync/engine.js';
import type { WatchFolder } from '../../../electron/sync/ports.js';
import type { Pair, SyncOptions, Tree } from '../../support/pair.js';
import { serverKinds, useServer, type AnsweredRequest } from './servers.js';
import { until } from '../../support/until.js';


/** A watcher that reports nothing: the test decides when the service runs. */
const quietWatch: WatchFolder = async () => ({ close: async () => undefined });


describe.each(serverKinds)('fail-safes and "Restore them" against $name', (kind) => {
  const fixture = useServer(kind);

  /** Twelve files in two folders and two at the top, synced both ways. */
  async function syncedPair(): Promise<{ pair: Pair; tree: Tree }> {
    const pair = await fixture.newPair();
    for (let i = 0; i < 6; i++) await pair.writeLocal(`docs/d${i}.txt`, `doc ${i}, written here`);
    for (let i = 0; i < 6; i++) await pair.writeRemote(`photos/p${i}.jpg`, `photo ${i}, from the server`);
    await pair.writeLocal('top.txt', 'top');
    await pair.writeRemote('readme.md', 'read me');
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    const tree = await pair.localTree();
    expect(await pair.remoteTree()).toEqual(tree);
    expect(Object.keys(tree)).toHaveLength(16);
    return { pair, tree };
  }

  /** The requests on `pair`'s folder while `work` ran. */
  async function requestsDuring<T>(pair: Pair, work: () => Promise<T>): Promise<{ result: T; requests: AnsweredRequest[] }> {
    const before = (await fixture.requests()).length;
    const result = await work();
    const prefix = new URL(pair.remoteUrl).pathname;
    const requests = (await fixture.requests()).slice(before).filter((request) => request.path.startsWith(prefix.slice(0, -1)));
    return { result, requests };
  }

  async function stopsWith(pair: Pair, reason: FailSafeReason, options: SyncOptions = {}): Promise<FailSafeError> {
    const error = await pair.sync(options).then(
      () => {
        throw new Error(`expected the ${reason} fail-safe`);
      },
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(FailSafeError);
    expect((error as FailSafeError).code).toBe(ErrorCode.FailSafeTriggered);
    expect((error as FailSafeError).info.reason).toBe(reason);
    return error as FailSafeError;
  }

  /** Restores, then checks both trees, the server's requests, the trash and the journal. */
  async function restore(pair: Pair, tree: Tree): Promise<RunResult> {
    const { result, requests } = await requestsDuring(pair, () => pair.sync({ restoreDeletions: true }));
    expect(result.report.errors).toEqual([]);
    expect(result.report.deletedLocal).toEqual([]);
    expect(result.report.deletedRemote).toEqual([]);
    // The record holds the run's requests (the listing at least), and none deletes or moves.
    expect(requests.some((request) => request.method === 'PROPFIND')).toBe(true);
    expect(requests.filter((request) => request.method === 'DELETE' || request.method === 'MOVE')).toEqual([]);
    expect(await pair.localTree()).toEqual(tree);
    expect(await pair.remoteTree()).toEqual(tree);
    expect(await pair.trashed()).toEqual([]);
    expect((await pair.sync()).planned).toEqual([]);
    return result;
  }

  it.skipIf(kind.skip)('a mass delete here: the stop lists it, and the restore downloads every file again', async () => {
    const { pair, tree } = await syncedPair();
    await pair.removeLocal('docs');
    for (let i = 0; i < 6; i++) await pair.removeLocal(`photos/p${i}.jpg`);
    const error = await stopsWith(pair, 'massDelete');
    expect(error.message).toMatch(/would delete 12 of 14 synced files/);
    expect(error.info.total).toBe(12);
    expect(error.info.deletions.filter((deletion) => deletion.type === 'file')).toHaveLength(12);
    expect(error.info.deletions.every((deletion) => deletion.side === 'remote')).toBe(true);
    expect(error.info.deletions).toContainEqual({ path: 'docs', type: 'dir', side: 'remote' });
    const { report } = await restore(pair, tree);
    expect(report.downloaded.sort()).toEqual([...[0, 1, 2, 3, 4, 5].map((i) => `docs/d${i}.txt`), ...[0, 1, 2, 3, 4, 5].map((i) => `photos/p${i}.jpg`)]);
  });

  it.skipIf(kind.skip)('a mass delete on the server: the stop lists it, and the restore uploads every file again', async () => {
    const { pair, tree } = await syncedPair();
    await pair.removeRemote('photos');
    for (let i = 0; i < 6; i++) await pair.removeRemote(`docs/d${i}.txt`);
    const error = await stopsWith(pair, 'massDelete');
    expect(error.info.total).toBe(12);
    expect(error.info.deletions.every((deletion) => deletion.side === 'local')).toBe(true);
    const { report } = await restore(pair, tree);
    expect(report.uploaded).toHaveLength(12);
  });

  it.skipIf(kind.skip)('an emptied local folder: the stop lists what the journal remembers, and the restore downloads it all', async () => {
    const { pair, tree } = await syncedPair();
    for (const name of await readdir(pair.local)) await pair.removeLocal(name);
    const error = await stopsWith(pair, 'localEmpty');
    expect(error.info.total).toBe(14);
    expect(error.info.deletions.map((deletion) => deletion.path)).toEqual(Object.keys(tree).sort());
    expect(error.info.deletions.every((deletion) => deletion.side === 'remote')).toBe(true);
    const { report } = await restore(pair, tree);
    expect(report.downloaded).toHaveLength(14);
  });

  it.skipIf(kind.skip)('a missing local folder: the restore makes it again and downloads it all', async () => {
    const { pair, tree } = await syncedPair();
    await rm(pair.local, { recursive: true });
    const error = await stopsWith(pair, 'localMissing');
    expect(error.info.total).toBe(14);
    expect(error.info.deletions.every((deletion) => deletion.side === 'remote')).toBe(true);
    await restore(pair, tree);
  });

  it.skipIf(kind.skip)('a server folder that is gone: the restore makes it again and uploads it all', async () => {
    const { pair, tree } = await syncedPair();
    await pair.remote.deleteFile('/');
    const error = await stopsWith(pair, 'remoteGone');
    expect(error.info.total).toBe(14);
    expect(error.info.deletions.map((deletion) => deletion.path)).toEqual(Object.keys(tree).sort());
    expect(error.info.deletions.every((deletion) => deletion.side === 'local')).toBe(true);
    const { report } = await restore(pair, tree);
    expect(report.uploaded).toHaveLength(14);
  });

  it.skipIf(kind.skip)('through the service: the status shows the details while it waits, and is idle without them after the restore', async () => {
    const { pair, tree } = await syncedPair();
    for (const name of await readdir(pair.local)) await pair.removeLocal(name);
    const running = await pair.startService({ watch: quietWatch, options: { quietMs: 50, pollIntervalMs: 600_000, retryMinMs: 600_000, retryMaxMs: 600_000 } });
    try {
      await until('the fail-safe', () => running.service.getStatus().state === 'failsafe', 10_000);
      const waiting = running.service.getStatus();
      expect(waiting.problem?.code).toBe(ErrorCode.FailSafeTriggered);
      expect(waiting.failSafe).toMatchObject({ reason: 'localEmpty', total: 14 });
      expect(waiting.failSafe?.deletions).toHaveLength(16);
      expect(await pair.remoteTree()).toEqual(tree);

      running.service.restoreDeletions();
      await until('the restore run', () => running.runs() === 2 && running.service.getStatus().state === 'idle', 20_000);
      expect(running.service.getStatus()).toMatchObject({ state: 'idle', problem: null, failSafe: null });
      expect(running.reports.at(-1)?.downloaded).toHaveLength(14);
      expect(running.statuses.filter((status) => status.state !== 'failsafe' && status.failSafe !== null)).toEqual([]);
    } finally {
      await running.stop();
    }
    expect(await pair.localTree()).toEqual(tree);
    expect(await pair.remoteTree()).toEqual(tree);
    expect(await pair.trashed()).toEqual([]);
    expect((await pair.sync()).planned).toEqual([]);
  });
});
