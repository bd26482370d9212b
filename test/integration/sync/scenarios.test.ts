/**
 * Two-sided scenarios after rclone bisync's `test_changes` and Nextcloud's conflict suite,
 * each run against the in-process WebDAV server and against Apache mod_dav over HTTPS. Every
 * scenario ends with both sides equal and nothing lost.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../shared/errors.js';
import { FOLDER_MARK, type Pair } from '../../support/pair.js';
import { serverKinds, useServer } from './servers.js';

const F = FOLDER_MARK;

async function expectInSync(pair: Pair): Promise<Record<string, string>> {
  const [local, remote] = await Promise.all([pair.localTree(), pair.remoteTree()]);
  expect(remote).toEqual(local);
  return local;
}

/** The conflict copy of `name` in `tree`, by its documented shape. */
function conflictCopies(tree: Record<string, string>, stem: string, extension: string): string[] {
  const pattern = new RegExp(`^${stem} \\(conflict \\d{4}-\\d{2}-\\d{2} \\d{6} testbox\\)${extension.replace('.', '\\.')}$`);
  return Object.keys(tree).filter((path) => pattern.test(path));
}

describe.each(serverKinds)('sync scenarios against $name', (kind) => {
  const { newPair } = useServer(kind);

  /** A pair with a few synced files on both sides. */
  const syncedPair = async (): Promise<Pair> => {
    const pair = await newPair();
    await pair.writeLocal('file1.txt', 'one');
    await pair.writeLocal('file2.txt', 'two');
    await pair.writeRemote('file3.txt', 'three');
    await pair.writeRemote('docs/file4.txt', 'four');
    await pair.writeLocal('docs/file5.txt', 'five');
    await pair.sync();
    await expectInSync(pair);
    return pair;
  };

  it.skipIf(kind.skip)('first sync merges both sides', async () => {
    const pair = await newPair();
    await pair.writeLocal('a.txt', 'local a');
    await pair.writeLocal('nested/deep/b.txt', 'local b');
    await pair.writeRemote('c.txt', 'remote c');
    await pair.writeRemote('remote-dir/d.txt', 'remote d');
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    expect(report.uploaded.sort()).toEqual(['a.txt', 'nested/deep/b.txt']);
    expect(report.downloaded.sort()).toEqual(['c.txt', 'remote-dir/d.txt']);
    expect(await expectInSync(pair)).toEqual({
      'a.txt': 'local a',
      nested: F,
      'nested/deep': F,
      'nested/deep/b.txt': 'local b',
      'c.txt': 'remote c',
      'remote-dir': F,
      'remote-dir/d.txt': 'remote d',
    });
    const again = await pair.sync();
    expect(again.planned).toEqual([]);
  });

  it.skipIf(kind.skip)('new, newer and deleted on each side propagate', async () => {
    const pair = await syncedPair();
    await pair.writeLocal('new-local.txt', 'nl');
    await pair.writeRemote('new-remote.txt', 'nr');
    await pair.writeLocal('file1.txt', 'one, newer locally');
    await pair.writeRemote('file3.txt', 'three, newer remotely');
    await pair.removeLocal('file2.txt');
    await pair.removeRemote('docs/file4.txt');
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    expect(report.conflicts).toEqual([]);
    expect(await expectInSync(pair)).toEqual({
      'file1.txt': 'one, newer locally',
      'file3.txt': 'three, newer remotely',
      docs: F,
      'docs/file5.txt': 'five',
      'new-local.txt': 'nl',
      'new-remote.txt': 'nr',
    });
    expect(report.deletedRemote).toEqual(['file2.txt']);
    expect(report.deletedLocal).toEqual(['docs/file4.txt']);
    // A local deletion goes to the trash, not away.
    expect(await pair.trashed()).toEqual(['file4.txt']);
  });

  it.skipIf(kind.skip)('changed on both sides keeps both: the server version keeps the path', async () => {
    const pair = await syncedPair();
    await pair.writeLocal('file1.txt', 'mine, edited here');
    await pair.writeRemote('file1.txt', 'theirs, edited elsewhere');
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    const tree = await expectInSync(pair);
    expect(tree['file1.txt']).toBe('theirs, edited elsewhere');
    const copies = conflictCopies(tree, 'file1', '.txt');
    expect(copies).toHaveLength(1);
    expect(tree[copies[0]!]).toBe('mine, edited here');
    expect(report.conflicts).toEqual([{ path: 'file1.txt', copy: copies[0] }]);
    // Settled: the next run has nothing to do.
    expect((await pair.sync()).planned).toEqual([]);
  });

  it.skipIf(kind.skip)('changed on both sides to the same content is no conflict', async () => {
    const pair = await syncedPair();
    await pair.writeLocal('file1.txt', 'same new content');
    await pair.writeRemote('file1.txt', 'same new content');
    const { report } = await pair.sync();
    expect(report.conflicts).toEqual([]);
    expect(report.errors).toEqual([]);
    const tree = await expectInSync(pair);
    expect(conflictCopies(tree, 'file1', '.txt')).toEqual([]);
    expect((await pair.sync()).planned).toEqual([]);
  });

  it.skipIf(kind.skip)('new on both sides with different content keeps both', async () => {
    const pair = await newPair();
    await pair.writeLocal('report.pdf', 'local draft');
    await pair.writeRemote('report.pdf', 'remote draft, longer');
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    const tree = await expectInSync(pair);
    expect(tree['report.pdf']).toBe('remote draft, longer');
    expect(Object.values(tree)).toContain('local draft');
    expect(report.conflicts).toHaveLength(1);
  });

  it.skipIf(kind.skip)('newer on one side and deleted on the other: the modification wins', async () => {
    const pair = await syncedPair();
    await pair.writeLocal('file1.txt', 'one, edited locally');
    await pair.removeRemote('file1.txt');
    await pair.removeLocal('file3.txt');
    await pair.writeRemote('file3.txt', 'three, edited remotely');
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    expect(report.deletedLocal).toEqual([]);
    expect(report.deletedRemote).toEqual([]);
    const tree = await expectInSync(pair);
    expect(tree['file1.txt']).toBe('one, edited locally');
    expect(tree['file3.txt']).toBe('three, edited remotely');
  });

  it.skipIf(kind.skip)('deleted on both sides is forgotten without error (remove-remove)', async () => {
    const pair = await syncedPair();
    await pair.removeLocal('file2.txt');
    await pair.removeRemote('file2.txt');
    await pair.removeLocal('docs');
    await pair.removeRemote('docs');
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    expect(await expectInSync(pair)).toEqual({ 'file1.txt': 'one', 'file3.txt': 'three' });
    expect((await pair.sync()).planned).toEqual([]);
  });

  it.skipIf(kind.skip)('upload after download: a downloaded file edited locally is uploaded, no conflict', async () => {
    const pair = await syncedPair();
    await pair.writeLocal('file3.txt', 'three, edited after it was downloaded');
    const { report } = await pair.sync();
    expect(report.uploaded).toEqual(['file3.txt']);
    expect(report.conflicts).toEqual([]);
    expect((await expectInSync(pair))['file3.txt']).toBe('three, edited after it was downloaded');
  });

  it.skipIf(kind.skip)('file/folder type conflict: both survive, the server keeps the path', async () => {
    const pair = await newPair();
    await pair.writeLocal('thing', 'a local file named thing');
    await pair.writeRemote('thing/inside.txt', 'a remote folder named thing');
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    const tree = await expectInSync(pair);
    expect(tree['thing']).toBe(F);
    expect(tree['thing/inside.txt']).toBe('a remote folder named thing');
    expect(conflictCopies(tree, 'thing', '').map((path) => tree[path])).toEqual(['a local file named thing']);
  });

  it.skipIf(kind.skip)('a file replaced by a folder on one side is replaced on the other', async () => {
    const pair = await syncedPair();
    await pair.removeLocal('file1.txt');
    await pair.writeLocal('file1.txt/now-a-folder.txt', 'folder content');
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    const tree = await expectInSync(pair);
    expect(tree['file1.txt']).toBe(F);
    expect(tree['file1.txt/now-a-folder.txt']).toBe('folder content');
  });

  it.skipIf(kind.skip)('a folder deleted on one side while the other added a file inside: the file survives', async () => {
    const pair = await syncedPair();
    await pair.removeLocal('docs');
    await pair.writeRemote('docs/added-remotely.txt', 'keep me');
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    const tree = await expectInSync(pair);
    expect(tree['docs/added-remotely.txt']).toBe('keep me');
    expect(tree['docs/file4.txt']).toBeUndefined();
    expect(tree['docs/file5.txt']).toBeUndefined();

    await pair.removeRemote('docs');
    await pair.writeLocal('docs/sub/added-locally.txt', 'keep me too');
    const second = await pair.sync();
    expect(second.report.errors).toEqual([]);
    const after = await expectInSync(pair);
    expect(after['docs/sub/added-locally.txt']).toBe('keep me too');
  });

  it.skipIf(kind.skip)('the mass-delete fail-safe stops before deleting, and --allow-mass-delete goes on', async () => {
    const pair = await newPair();
    for (let i = 0; i < 20; i++) await pair.writeLocal(`bulk/f${i}.txt`, `content ${i}`);
    await pair.sync();
    for (let i = 0; i < 15; i++) await pair.removeLocal(`bulk/f${i}.txt`);
    const error = await pair.sync().then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TeraSyncError);
    expect((error as TeraSyncError).code).toBe(ErrorCode.FailSafeTriggered);
    expect((error as TeraSyncError).message).toMatch(/delete 15 of 20/);
    expect(Object.keys(await pair.remoteTree())).toHaveLength(21);

    const { report } = await pair.sync({ allowMassDelete: true });
    expect(report.deletedRemote).toHaveLength(15);
    expect(Object.keys(await expectInSync(pair))).toHaveLength(6);
  });

  it.skipIf(kind.skip)('an emptied local folder (an unmounted drive) stops the run and deletes nothing', async () => {
    const pair = await syncedPair();
    for (const name of ['file1.txt', 'file2.txt', 'file3.txt', 'docs']) await pair.removeLocal(name);
    await expect(pair.sync()).rejects.toMatchObject({ code: ErrorCode.FailSafeTriggered });
    expect(Object.keys(await pair.remoteTree()).sort()).toEqual(['docs', 'docs/file4.txt', 'docs/file5.txt', 'file1.txt', 'file2.txt', 'file3.txt']);
  });

  it.skipIf(kind.skip)('a remote root that is gone stops the run and deletes nothing', async () => {
    const pair = await syncedPair();
    await pair.remote.deleteFile('/');
    await expect(pair.sync()).rejects.toMatchObject({ code: ErrorCode.FailSafeTriggered });
    expect(Object.keys(await pair.localTree())).toHaveLength(6);
  });

  it.skipIf(kind.skip)('ignored files are neither uploaded nor deleted', async () => {
    const pair = await newPair();
    await pair.writeLocal('.terasyncignore', 'build/\n*.log\n');
    await pair.writeLocal('build/out.bin', 'artefact');
    await pair.writeLocal('debug.log', 'log');
    await pair.writeLocal('.DS_Store', 'finder');
    await pair.writeLocal('~$report.docx', 'office lock');
    await pair.writeLocal('report.docx', 'the report');
    await pair.sync();
    expect(Object.keys(await pair.remoteTree()).sort()).toEqual(['.terasyncignore', 'report.docx']);
    expect(await pair.readLocal('build/out.bin')).toBe('artefact');
  });

  it.skipIf(kind.skip)('Unicode names, spaces and reserved URL characters round-trip', async () => {
    const pair = await newPair();
    await pair.writeLocal('日本語 フォルダ/メモ.txt', 'japanese');
    await pair.writeLocal('100% #1 & more?.txt', 'reserved');
    await pair.writeRemote('cafe\u0301.txt', 'nfd from the server');
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    await expectInSync(pair);
    // The NFD name from the server and an NFC spelling here are the same file.
    await pair.writeLocal('cafe\u0301.txt', 'edited here');
    const second = await pair.sync();
    expect(second.report.conflicts).toEqual([]);
    expect(second.report.uploaded).toEqual(['café.txt']);
  });

  it.skipIf(kind.skip)('an unreadable local file is reported, and nothing is lost or deleted for it', async () => {
    const pair = await syncedPair();
    await pair.writeLocal('secret.txt', 'cannot be read');
    await pair.writeLocal('file1.txt', 'readable edit');
    const unreadable = {
      openRead(absolutePath: string) {
        if (absolutePath.endsWith('secret.txt')) {
          throw Object.assign(new Error(`EACCES: permission denied, open '${absolutePath}'`), { code: 'EACCES' });
        }
        return createReadStreamFor(absolutePath);
      },
    };
    const { report } = await pair.sync({ files: unreadable });
    expect(report.errors.map((e) => [e.path, e.code])).toEqual([['secret.txt', ErrorCode.LocalIo]]);
    expect(report.uploaded).toEqual(['file1.txt']);
    expect(await pair.readLocal('secret.txt')).toBe('cannot be read');
    const { report: later } = await pair.sync();
    expect(later.uploaded).toEqual(['secret.txt']);
    await expectInSync(pair);
  });
});

import { createReadStream } from 'node:fs';
function createReadStreamFor(path: string): ReturnType<typeof createReadStream> {
  return createReadStream(path);
}
