/**
 * Files renamed or deleted while their upload is in flight, in continuous mode with the real
 * folder watcher, against both servers. The server holds what was sent; the next plan must
 * delete or move it there as the local side says, never bring it back under its old name.
 *
 * - deterministic: the rename or delete happens right after the upload has read the whole file
 *   (the PUT is answered after it), for every even-numbered file;
 * - as a user would: 120 new files, and 0.3 s later every even-numbered one renamed and every
 *   fourth deleted, whatever the uploads are doing then.
 */
import { createReadStream, renameSync, unlinkSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { LocalFileAccess } from '../../../electron/sync/executor.js';
import { nodeFileAccess } from '../../../electron/sync/localIdentity.js';
import type { SyncServiceOptions } from '../../../electron/sync/SyncService.js';
import { ErrorCode, TeraSyncError } from '../../../shared/errors.js';
import { FOLDER_MARK, type Pair, type RunningService, type Tree } from '../../support/pair.js';
import { wrapStore } from '../../support/wrapStore.js';
import { serverKinds, useServer } from './servers.js';
import { until as waitUntil } from '../../support/until.js';

const OPTIONS: Partial<SyncServiceOptions> = { quietMs: 100, pollIntervalMs: 2_000, fullScanIntervalMs: 60_000, retryMinMs: 200, retryMaxMs: 1_000 };
const FOLDERS = 5;

/** `f<i>.txt` in folder `c<i % FOLDERS>`. */
const fileOf = (i: number): string => `c${i % FOLDERS}/f${i}.txt`;
const renamedOf = (i: number): string => `c${i % FOLDERS}/renamed${i}.txt`;

/** What both sides must hold once every even file was renamed and every fourth deleted. */
function expectedTree(count: number): Tree {
  const tree: Tree = {};
  for (let folder = 0; folder < FOLDERS; folder++) tree[`c${folder}`] = FOLDER_MARK;
  for (let i = 0; i < count; i++) {
    if (i % 4 === 0) continue;
    tree[i % 2 === 0 ? renamedOf(i) : fileOf(i)] = `content of file ${i}`;
  }
  return tree;
}

/** The trees may be read while files come and go: an error there is "not yet". */
const until = (what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<true> =>
  waitUntil(what, condition, { timeoutMs, intervalMs: 100, retryErrors: true });

async function settled(pair: Pair, running: RunningService, expected: Tree): Promise<void> {
  await until(
    'both sides to hold the renamed files and none of the deleted ones',
    async () =>
      running.service.getStatus().state === 'idle' &&
      isDeepStrictEqual(await pair.localTree(), expected) &&
      isDeepStrictEqual(await pair.remoteTree(), expected),
    45_000,
  );
  // And it stays so: one more run (a poll) brings nothing back.
  const runs = running.runs();
  await until('one more run', async () => running.runs() > runs && running.service.getStatus().state === 'idle', 10_000);
  expect(await pair.localTree()).toEqual(expected);
  expect(await pair.remoteTree()).toEqual(expected);
}

async function writeFiles(pair: Pair, count: number): Promise<void> {
  for (let folder = 0; folder < FOLDERS; folder++) await mkdir(join(pair.local, `c${folder}`), { recursive: true });
  for (let i = 0; i < count; i++) await writeFile(join(pair.local, fileOf(i)), `content of file ${i}`);
}

describe.each(serverKinds)('renames and deletions during uploads against $name', (kind) => {
  const fixture = useServer(kind);

  // Small files are read whole before their PUT where the file access can (readWhole), else
  // streamed while it is sent: both ways are tested.
  it.skipIf(kind.skip).each(['streamed', 'read whole'] as const)('a file renamed or deleted right after its upload was read (%s) is moved or deleted on the server, never brought back', async (read) => {
    const pair = await fixture.newPair();
    const count = 40;
    const acted = new Set<string>();
    // Each even file is renamed (i % 4 == 2) or deleted (i % 4 == 0) the moment the upload has
    // read all of it: the PUT is answered after the file is gone from its path.
    const evenIndex = (absolute: string): number | null => {
      const match = /c\d+\/f(\d+)\.txt$/.exec(absolute);
      const i = match ? Number(match[1]) : -1;
      return i >= 0 && i % 2 === 0 && !acted.has(absolute) ? i : null;
    };
    const act = (absolute: string, i: number): void => {
      if (acted.has(absolute)) return;
      acted.add(absolute);
      if (i % 4 === 0) unlinkSync(absolute);
      else renameSync(absolute, join(pair.local, renamedOf(i)));
    };
    const readWhole = nodeFileAccess.readWhole;
    if (readWhole === undefined) throw new Error('the node file access reads small files whole');
    const files: LocalFileAccess =
      read === 'streamed'
        ? {
            openRead(absolute) {
              const stream = createReadStream(absolute);
              const i = evenIndex(absolute);
              if (i !== null) stream.on('end', () => act(absolute, i));
              return stream;
            },
          }
        : {
            openRead: (absolute) => createReadStream(absolute),
            async readWhole(absolute, size) {
              const content = await readWhole(absolute, size);
              const i = evenIndex(absolute);
              if (i !== null) act(absolute, i);
              return content;
            },
          };
    const running = await pair.startService({ options: OPTIONS, files });
    try {
      await writeFiles(pair, count);
      await settled(pair, running, expectedTree(count));
      expect(acted.size).toBe(count / 2);
      const requests = await fixture.requests();
      const folder = new URL(pair.remoteUrl).pathname;
      const asked = (method: string, path: string): boolean =>
        requests.some((request) => request.method === method && request.path === `${folder}${path}`);
      // Nothing on the server is destroyed: deletions go to the trash.
      expect(requests.filter((request) => request.method === 'DELETE' && request.path.startsWith(folder)).map((request) => request.path)).toEqual([]);
      const stored = (path: string): boolean =>
        requests.some((request) => request.method === 'PUT' && request.path === `${folder}${path}` && request.status >= 200 && request.status < 300);
      // Nothing was fetched back (the test's own tree reads are GETs too: the reports tell).
      expect(running.reports.flatMap((report) => report.downloaded)).toEqual([]);
      // What the server stored before the file moved or went must be moved there (a deletion
      // into the pair's trash). A PUT the server refused, say while it still created the folder,
      // leaves nothing there: the retry finds the file gone, and the renamed one is a new file.
      const storedEven = Array.from({ length: count / 2 }, (_, n) => n * 2).filter((i) => stored(fileOf(i)));
      for (const i of storedEven) {
        // A rename is one MOVE on the server, not a second upload; a deletion one MOVE into
        // the pair's trash, never a DELETE.
        if (i % 4 === 2) {
          expect(asked('MOVE', fileOf(i)), `MOVE ${fileOf(i)}`).toBe(true);
          expect(asked('PUT', renamedOf(i)), `PUT ${renamedOf(i)}`).toBe(false);
        } else {
          expect(asked('MOVE', fileOf(i)), `MOVE ${fileOf(i)} to the trash`).toBe(true);
          expect(asked('DELETE', fileOf(i)), `DELETE ${fileOf(i)}`).toBe(false);
        }
      }
      // The case this test is about happened, for renames and deletions alike.
      expect(storedEven.filter((i) => i % 4 === 2).length, 'renamed files whose upload the server stored').toBeGreaterThan(count / 8);
      expect(storedEven.filter((i) => i % 4 === 0).length, 'deleted files whose upload the server stored').toBeGreaterThan(count / 8);
      expect(running.reports.flatMap((report) => report.errors)).toEqual([]);
    } finally {
      await running.stop();
    }
  }, 90_000);

  it.skipIf(kind.skip)('120 new files, then every even one renamed and every fourth deleted while the uploads run: nothing comes back', async () => {
    const pair = await fixture.newPair();
    const count = 120;
    const running = await pair.startService({ options: OPTIONS });
    try {
      await writeFiles(pair, count);
      await delay(300);
      for (let i = 0; i < count; i += 2) {
        if (i % 4 === 0) await rm(join(pair.local, fileOf(i)));
        else await rename(join(pair.local, fileOf(i)), join(pair.local, renamedOf(i)));
      }
      await settled(pair, running, expectedTree(count));
      const downloaded = running.reports.flatMap((report) => report.downloaded);
      expect(downloaded.filter((path) => /\/f\d*[02468]\.txt$/.test(path))).toEqual([]);
    } finally {
      await running.stop();
    }
  }, 90_000);

  it.skipIf(kind.skip)('after a crash between the PUT and the journal, a file renamed or deleted meanwhile is moved or deleted on the server', async () => {
    const pair = await fixture.newPair();
    await pair.writeLocal('keep.txt', 'keeps the folder from looking emptied');
    await pair.sync();
    await pair.writeLocal('gone.txt', 'deleted after it was sent');
    await pair.writeLocal('moved.txt', 'renamed after it was sent');
    // The PUT is answered, then the file goes, then the run dies before its journal transaction
    // (an error the executor cannot place, as a kill -9 at that moment would leave it).
    const first = await pair.sync({
      wrapRemote: (store) =>
        wrapStore(store, {
          upload: async (path, open, size, options) => {
            await store.upload(path, open, size, options);
            if (path.endsWith('gone.txt')) await rm(join(pair.local, 'gone.txt'));
            if (path.endsWith('moved.txt')) await rename(join(pair.local, 'moved.txt'), join(pair.local, 'renamed.txt'));
            throw new TeraSyncError(ErrorCode.Network, 'the connection dropped after the PUT (test)');
          },
        }),
    });
    expect(first.report.errors.map((error) => error.path).sort()).toEqual(['gone.txt', 'moved.txt']);
    expect(await pair.readRemote('gone.txt')).toBe('deleted after it was sent');
    const { report } = await pair.sync();
    expect(report.downloaded).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(report.deletedRemote).toEqual(['gone.txt']);
    expect(report.moved).toEqual([{ from: 'moved.txt', to: 'renamed.txt', side: 'remote' }]);
    const expected = { 'keep.txt': 'keeps the folder from looking emptied', 'renamed.txt': 'renamed after it was sent' };
    expect(await pair.localTree()).toEqual(expected);
    expect(await pair.remoteTree()).toEqual(expected);
  });
});
