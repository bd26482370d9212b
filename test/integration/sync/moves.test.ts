/**
 * Moves and renames, after Nextcloud's move suite, against both servers: each becomes one
 * MOVE (or one local rename), never a delete plus a transfer, and never trips the fail-safe.
 */
import { rename } from 'node:fs/promises';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../shared/errors.js';
import { FOLDER_MARK, type Pair } from '../../support/pair.js';
import { wrapStore } from '../../support/wrapStore.js';
import { serverKinds, useServer } from './servers.js';

const F = FOLDER_MARK;

describe.each(serverKinds)('moves against $name', (kind) => {
  const { newPair, apache: apacheOf } = useServer(kind);

  const syncedPair = async (files: Record<string, string>): Promise<Pair> => {
    const pair = await newPair();
    for (const [path, content] of Object.entries(files)) await pair.writeLocal(path, content);
    await pair.sync();
    return pair;
  };

  const moveLocal = (pair: Pair, from: string, to: string): Promise<void> => rename(join(pair.local, from), join(pair.local, to));

  const expectInSync = async (pair: Pair): Promise<Record<string, string>> => {
    const [local, remote] = await Promise.all([pair.localTree(), pair.remoteTree()]);
    expect(remote).toEqual(local);
    return local;
  };

  /** Requests of a method Apache served since `since` (Apache only; the log is the truth). */
  const apacheCount = async (method: string, since: number): Promise<number | null> => {
    const apache = apacheOf();
    if (!apache) return null;
    return (await apache.accessLog()).slice(since).filter((line) => line.method === method).length;
  };
  const apacheMark = async (): Promise<number> => {
    const apache = apacheOf();
    return apache ? (await apache.accessLog()).length : 0;
  };

  it.skipIf(kind.skip)('a local rename is one MOVE on the server', async () => {
    const pair = await syncedPair({ 'draft.txt': 'text' });
    await moveLocal(pair, 'draft.txt', 'final.txt');
    const mark = await apacheMark();
    const { report } = await pair.sync();
    expect(report.moved).toEqual([{ from: 'draft.txt', to: 'final.txt', side: 'remote' }]);
    expect(report.uploaded).toEqual([]);
    expect(report.deletedRemote).toEqual([]);
    expect(await expectInSync(pair)).toEqual({ 'final.txt': 'text' });
    const puts = await apacheCount('PUT', mark);
    if (puts !== null) expect(puts).toBe(0);
    expect((await pair.sync()).planned).toEqual([]);
  });

  it.skipIf(kind.skip)('moving a folder of many files costs one MOVE and never trips the fail-safe', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`photos/2026/img${i}.jpg`] = `image ${i}`;
    const pair = await syncedPair(files);
    await mkdir(join(pair.local, 'archive'));
    await moveLocal(pair, 'photos', 'archive/photos');
    const mark = await apacheMark();
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    expect(report.moved).toEqual([{ from: 'photos', to: 'archive/photos', side: 'remote' }]);
    expect(report.uploaded).toEqual([]);
    expect(report.deletedRemote).toEqual([]);
    const tree = await expectInSync(pair);
    expect(Object.keys(tree).filter((path) => path.startsWith('archive/photos/2026/img'))).toHaveLength(40);
    if (apacheOf()) {
      expect(await apacheCount('MOVE', mark)).toBe(1);
      expect(await apacheCount('PUT', mark)).toBe(0);
      expect(await apacheCount('DELETE', mark)).toBe(0);
    }
    expect((await pair.sync()).planned).toEqual([]);
  });

  it.skipIf(kind.skip)('a rename that only changes case', async () => {
    const pair = await syncedPair({ 'readme.md': 'hello' });
    await moveLocal(pair, 'readme.md', 'README.md');
    const { report } = await pair.sync();
    expect(report.moved).toEqual([{ from: 'readme.md', to: 'README.md', side: 'remote' }]);
    expect(await expectInSync(pair)).toEqual({ 'README.md': 'hello' });
  });

  it.skipIf(kind.skip)('move and change: one MOVE, then the change is uploaded', async () => {
    const pair = await syncedPair({ 'a/notes.txt': 'first' });
    await mkdir(join(pair.local, 'b'));
    await moveLocal(pair, 'a/notes.txt', 'b/notes.txt');
    await appendFile(join(pair.local, 'b/notes.txt'), ' and more');
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    expect(report.moved).toEqual([{ from: 'a/notes.txt', to: 'b/notes.txt', side: 'remote' }]);
    expect(report.uploaded).toEqual(['b/notes.txt']);
    expect(report.conflicts).toEqual([]);
    expect(await expectInSync(pair)).toEqual({ a: F, b: F, 'b/notes.txt': 'first and more' });
  });

  it.skipIf(kind.skip)('invert a folder hierarchy: a/b becomes b/a', async () => {
    const pair = await syncedPair({ 'a/in-a.txt': 'A', 'a/b/in-b.txt': 'B' });
    await moveLocal(pair, 'a/b', 'tmp');
    await moveLocal(pair, 'a', 'tmp/a');
    await moveLocal(pair, 'tmp', 'b');
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    expect(report.uploaded).toEqual([]);
    expect(report.deletedRemote).toEqual([]);
    expect(report.moved.map((m) => `${m.from}->${m.to}`).sort()).toEqual(['a->b/a', 'a/b->b']);
    expect(await expectInSync(pair)).toEqual({ b: F, 'b/in-b.txt': 'B', 'b/a': F, 'b/a/in-a.txt': 'A' });
  });

  it.skipIf(kind.skip)('a file renamed on the server is renamed here, not downloaded', async () => {
    const pair = await syncedPair({ 'plan.txt': 'plan' });
    await pair.remote.moveFile('plan.txt', 'plan-final.txt');
    const { report } = await pair.sync();
    expect(report.moved).toEqual([{ from: 'plan.txt', to: 'plan-final.txt', side: 'local' }]);
    expect(report.downloaded).toEqual([]);
    expect(report.deletedLocal).toEqual([]);
    expect(await expectInSync(pair)).toEqual({ 'plan-final.txt': 'plan' });
  });

  it.skipIf(kind.skip)('a folder moved on the server is one local rename', async () => {
    const pair = await syncedPair({ 'docs/plan.txt': 'plan', 'docs/sub/other.txt': 'other' });
    await pair.remote.moveFile('docs/', 'documents/');
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    expect(report.moved).toEqual([{ from: 'docs', to: 'documents', side: 'local' }]);
    expect(report.downloaded).toEqual([]);
    expect(report.deletedLocal).toEqual([]);
    expect(await expectInSync(pair)).toEqual({ documents: F, 'documents/plan.txt': 'plan', 'documents/sub': F, 'documents/sub/other.txt': 'other' });
    expect((await pair.sync()).planned).toEqual([]);
  });

  it.skipIf(kind.skip)('a folder moved on the server with a file renamed inside: renames here, no download', async () => {
    const pair = await syncedPair({ 'docs/plan.txt': 'plan', 'docs/other.txt': 'other' });
    await pair.remote.moveFile('docs/plan.txt', 'docs/plan-final.txt');
    await pair.remote.moveFile('docs/', 'documents/');
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    expect(report.downloaded).toEqual([]);
    expect(report.moved.every((m) => m.side === 'local')).toBe(true);
    // The files were renamed into the new folder; only the emptied old folder goes.
    expect(report.deletedLocal).toEqual(['docs']);
    expect(await pair.trashed()).toEqual([]);
    expect(await expectInSync(pair)).toEqual({ documents: F, 'documents/plan-final.txt': 'plan', 'documents/other.txt': 'other' });
    expect((await pair.sync()).planned).toEqual([]);
  });

  it.skipIf(kind.skip)('renamed differently on both sides: both names survive with the content', async () => {
    const pair = await syncedPair({ 'x.txt': 'shared' });
    await moveLocal(pair, 'x.txt', 'mine.txt');
    await pair.remote.moveFile('x.txt', 'theirs.txt');
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    expect(report.deletedLocal).toEqual([]);
    expect(report.deletedRemote).toEqual([]);
    expect(await expectInSync(pair)).toEqual({ 'mine.txt': 'shared', 'theirs.txt': 'shared' });
  });

  it.skipIf(kind.skip)('moved to different folders on both sides: nothing is lost', async () => {
    const pair = await syncedPair({ 'inbox/letter.txt': 'dear', 'left/.keep': '', 'right/.keep': '' });
    await moveLocal(pair, 'inbox/letter.txt', 'left/letter.txt');
    await pair.remote.moveFile('inbox/letter.txt', 'right/letter.txt');
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    const tree = await expectInSync(pair);
    expect(tree['left/letter.txt']).toBe('dear');
    expect(tree['right/letter.txt']).toBe('dear');
  });

  it.skipIf(kind.skip)('a MOVE that reached the server but not the journal (answer lost): recorded, no conflict copy', async () => {
    const pair = await syncedPair({ 'draft.txt': 'first words' });
    await moveLocal(pair, 'draft.txt', 'final.txt');
    await appendFile(join(pair.local, 'final.txt'), ', then more');
    // The server moves the file, then the answer is lost (as a kill -9 right after it would be).
    const first = await pair.sync({
      wrapRemote: (store) =>
        wrapStore(store, {
          move: async (from, to, type, options) => {
            await store.move(from, to, type, options);
            throw new TeraSyncError(ErrorCode.Network, 'the connection dropped after the MOVE (test)');
          },
        }),
    });
    expect(first.report.errors.map((error) => error.path)).toEqual(['final.txt']);
    // The run's next pass finds the file moved on the server and only records it: no
    // conflict with its own old version, no download; the change goes up.
    expect(first.report.conflicts).toEqual([]);
    expect(first.report.downloaded).toEqual([]);
    expect(first.report.moved).toEqual([{ from: 'draft.txt', to: 'final.txt', side: 'remote' }]);
    expect(first.report.uploaded).toEqual(['final.txt']);
    expect(await expectInSync(pair)).toEqual({ 'final.txt': 'first words, then more' });
    expect((await pair.sync()).planned).toEqual([]);
  });
});
