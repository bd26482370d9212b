/**
 * Safe writes and names, against both servers: another client writing between our listing and
 * our upload (412 -> conflict), a file that changes while it uploads, a local edit while a
 * download is under way, a local folder that vanished, names that differ only in case on a
 * case-insensitive disk, and names Windows refuses.
 */
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { appendFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { Journal } from '../../../electron/sync/journal.js';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import type { Pair } from '../../support/pair.js';
import { wrapStore } from '../../support/wrapStore.js';
import { serverKinds, useServer } from './servers.js';

describe.each(serverKinds)('safe writes and names against $name', (kind) => {
  const { newPair, apache: apacheOf } = useServer(kind);

  /**
   * Apache hands out a weak ETag for a file written within the last second, and a weak tag
   * is never sent in If-Match. Age the file on the server's disk and sync, so the journal
   * holds the strong tag a real, older file has.
   */
  const settleRemote = async (pair: Pair, path: string): Promise<void> => {
    const apache = apacheOf();
    if (!apache) return;
    const folder = new URL(pair.remoteUrl).pathname.split('/').filter(Boolean).pop()!;
    const past = new Date(Date.now() - 60_000);
    await utimes(join(apache.dataDir, folder, path), past, past);
    await pair.sync();
  };

  it.skipIf(kind.skip)('a server copy replaced between listing and upload becomes a conflict (412), not an overwrite', async () => {
    const pair = await newPair();
    await pair.writeLocal('plan.txt', 'version 1');
    await pair.sync();
    await settleRemote(pair, 'plan.txt');
    await pair.writeLocal('plan.txt', 'my edit');
    let uploads = 0;
    const { report } = await pair.sync({
      wrapRemote: (store) =>
        wrapStore(store, {
          upload: async (path, open, size, options) => {
            if (uploads++ === 0) {
              expect(options?.ifMatch).toBeTruthy();
              await pair.writeRemote('plan.txt', 'their edit, written meanwhile');
            }
            return store.upload(path, open, size, options);
          },
        }),
    });
    expect(report.errors).toEqual([]);
    expect(report.conflicts).toHaveLength(1);
    const copy = report.conflicts[0]!.copy;
    expect(await pair.readRemote('plan.txt')).toBe('their edit, written meanwhile');
    expect(await pair.readLocal('plan.txt')).toBe('their edit, written meanwhile');
    expect(await pair.readLocal(copy)).toBe('my edit');
    expect(await pair.readRemote(copy)).toBe('my edit');
  });

  it.skipIf(kind.skip)('a server copy replaced between listing and delete survives (If-Match on the MOVE to the trash)', async () => {
    const pair = await newPair();
    await pair.writeLocal('keep.txt', 'version 1');
    await pair.writeLocal('other.txt', 'keeps the folder from looking unmounted');
    await pair.sync();
    await settleRemote(pair, 'keep.txt');
    await pair.removeLocal('keep.txt');
    const { report } = await pair.sync({
      wrapRemote: (store) =>
        wrapStore(store, {
          move: async (from, to, type, options) => {
            await pair.writeRemote('keep.txt', 'their newer version');
            return store.move(from, to, type, options);
          },
        }),
    });
    expect(report.deletedRemote).toEqual([]);
    expect(report.deferred.map((d) => d.path)).toEqual(['keep.txt']);
    expect(await pair.readRemote('keep.txt')).toBe('their newer version');
    // Deleted here, changed there: the change wins and comes back.
    const next = await pair.sync();
    expect(next.report.downloaded).toEqual(['keep.txt']);
    expect(await pair.readLocal('keep.txt')).toBe('their newer version');
  });

  it.skipIf(kind.skip)('a file that changes while it uploads is uploaded again', async () => {
    const pair = await newPair();
    await pair.writeLocal('growing.log', 'first line\n');
    let opened = 0;
    const { report } = await pair.sync({
      wrapRemote: (store) =>
        wrapStore(store, {
          upload: (path, open, size, options) =>
            store.upload(
              path,
              () => {
                const stream = open();
                if (opened++ === 0) {
                  // Appended when the body has been read but before the server answers.
                  stream.once('end', () => appendFileSync(join(pair.local, 'growing.log'), 'written during the upload\n'));
                }
                return stream;
              },
              size,
              options,
            ),
        }),
    });
    expect(report.errors).toEqual([]);
    expect(report.uploaded).toEqual(['growing.log']);
    expect(opened).toBe(2);
    expect(await pair.readRemote('growing.log')).toBe('first line\nwritten during the upload\n');
    expect((await pair.sync()).planned).toEqual([]);
  });

  it.skipIf(kind.skip)('a small file read whole before its PUT and a large one streamed are journaled with the hash of what the server holds', async () => {
    const pair = await newPair();
    const small = 'small file, sent from memory\n';
    // Over the 1 MiB up to which a file is read whole: streamed while it is sent.
    const large = 'x'.repeat(1024 * 1024 + 17);
    await pair.writeLocal('small.txt', small);
    await pair.writeLocal('large.txt', large);
    const { report } = await pair.sync();
    expect([...report.uploaded].sort()).toEqual(['large.txt', 'small.txt']);
    const journal = Journal.open(join(pair.stateDir, 'journal.sqlite'));
    try {
      for (const path of ['small.txt', 'large.txt']) {
        const onServer = await pair.readRemote(path);
        expect(onServer).toBe(path === 'small.txt' ? small : large);
        expect(journal.get(path)?.hash, path).toBe(createHash('sha256').update(onServer).digest('hex'));
      }
    } finally {
      journal.close();
    }
    expect((await pair.sync()).planned).toEqual([]);
  });

  it.skipIf(kind.skip)('a local edit during a download is never overwritten', async () => {
    const pair = await newPair();
    await pair.writeLocal('notes.txt', 'synced');
    await pair.sync();
    await pair.writeRemote('notes.txt', 'newer on the server');
    const { report } = await pair.sync({
      wrapRemote: (store) =>
        wrapStore(store, {
          download: async (path, destination, options) => {
            await pair.writeLocal('notes.txt', 'typed here while it downloaded');
            return store.download(path, destination, options);
          },
        }),
    });
    // Before replacing the file the executor proves it still holds the synced version; it does
    // not, so the path becomes a conflict in this very run: both versions survive.
    expect(report.downloaded).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(report.conflicts.map((c) => c.path)).toEqual(['notes.txt']);
    const copy = report.conflicts[0]!.copy;
    expect(await pair.readLocal('notes.txt')).toBe('newer on the server');
    expect(await pair.readLocal(copy)).toBe('typed here while it downloaded');
    expect(await pair.readRemote(copy)).toBe('typed here while it downloaded');
    const next = await pair.sync();
    expect(next.planned).toEqual([]);
  });

  it.skipIf(kind.skip)('a vanished local folder stops the run and deletes nothing', async () => {
    const pair = await newPair();
    await pair.writeLocal('a.txt', 'a');
    await pair.sync();
    await rm(pair.local, { recursive: true });
    await expect(pair.sync()).rejects.toMatchObject({ code: ErrorCode.FailSafeTriggered });
    expect(await pair.readRemote('a.txt')).toBe('a');
  });

  it.skipIf(kind.skip)('on a case-insensitive disk, server names that differ only in case both survive', async () => {
    const pair = await newPair();
    await pair.writeRemote('Readme.md', 'mixed case');
    await pair.writeRemote('README.md', 'upper case');
    const { report } = await pair.sync({ caseInsensitive: true });
    expect(report.errors).toEqual([]);
    expect(report.renamedRemote).toHaveLength(1);
    expect(report.skipped.map((s) => s.reason)).toContain('case-conflict');
    const remote = await pair.remoteTree();
    expect(Object.values(remote).sort()).toEqual(['mixed case', 'upper case']);
    expect(Object.keys(remote).some((name) => name.includes('(case conflict)'))).toBe(true);
    expect(await pair.localTree()).toEqual(remote);
  });

  it.skipIf(kind.skip)('names Windows refuses are skipped and reported, and stay on the server', async () => {
    const pair = await newPair();
    await pair.writeRemote('a:b.txt', 'colon');
    await pair.writeRemote('CON.txt', 'device name');
    await pair.writeRemote('fine.txt', 'fine');
    const { report } = await pair.sync({ platform: 'win32' });
    expect(report.downloaded).toEqual(['fine.txt']);
    expect(report.skipped.filter((s) => s.reason === 'invalid-name').map((s) => s.path).sort()).toEqual(['CON.txt', 'a:b.txt']);
    expect(Object.keys(await pair.remoteTree()).sort()).toEqual(['CON.txt', 'a:b.txt', 'fine.txt']);
    // Skipped is not deleted: a second run leaves them alone too.
    const again = await pair.sync({ platform: 'win32' });
    expect(again.report.deletedRemote).toEqual([]);
  });
});
