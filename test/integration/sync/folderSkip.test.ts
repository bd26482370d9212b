/**
 * One-shot runs (a new journal handle and store each time, as the command runs them) skip the
 * folders without subfolders whose ETag in their parent's listing is the one the journal
 * recorded (electron/sync/folderEtags.ts), against Apache mod_dav and the in-process
 * webdav-server:
 *
 * - once the journal knows the folder ETags, a run with nothing changed asks only the root and
 *   the folders that have subfolders;
 * - on Apache a file replaced through WebDAV changes its folder's ETag: the folder is asked and
 *   the change comes down;
 * - a server that keeps a folder's ETag when its entries change (webdav-server replaces files
 *   in place; on Apache the folders' mtimes are put back on disk) is caught by the check on a
 *   folder that is asked anyway, in the same run: the skipped folder's change comes down too,
 *   the journal keeps the verdict and later runs skip nothing;
 * - a change such a server hides before anything shows the check is found by the hourly full
 *   walk, and a local edit of the same file meanwhile loses neither version (its conflict
 *   makes the next run walk everything, as any run that does not end clean);
 * - new ignore rules make the next run walk everything.
 */
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileStat } from 'webdav';
import { describe, expect, it } from 'vitest';
import { sameEtag } from '../../../shared/etag.js';
import { FOLDER_ETAGS_META, ONE_SHOT_FULL_WALK_MS } from '../../../electron/sync/folderEtags.js';
import { Journal } from '../../../electron/sync/journal.js';
import { systemClock } from '../../../electron/core/time.js';
import { FOLDER_MARK, type Pair } from '../../support/pair.js';
import { until } from '../../support/until.js';
import { serverKinds, useServer, type ServerFixture } from './servers.js';

const TREE = {
  'top.txt': 'top',
  'a/one.txt': 'one',
  'a/b/two.txt': 'two',
  'd/four.txt': 'four',
  'e/five.txt': 'five',
};

/** A past mtime for files written on the server's disk: every call a later one. */
let pastSeconds = Date.UTC(2022, 0, 1) / 1000;
/**
 * Apache's folders get this mtime on its disk once synced: Apache hands out a weak ETag for
 * anything changed less than a second ago, which the clock alone would turn strong later.
 */
const FOLDER_SECONDS = Date.UTC(2021, 0, 1) / 1000;
const FOLDERS = ['a', 'a/b', 'd', 'e'];

/** The files of a tree, without its folders. */
function filesOf(tree: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).filter(([, content]) => content !== FOLDER_MARK));
}

describe.each(serverKinds)('one-shot runs skip unchanged folders against $name', (kind) => {
  const fixture = useServer(kind);
  const isApache = kind.name.startsWith('Apache');

  async function syncedPair(): Promise<Pair> {
    const pair = await fixture.newPair();
    for (const [path, content] of Object.entries(TREE)) await pair.writeLocal(path, content);
    await pair.sync();
    await settleApacheFolders(pair);
    // The second run lists every folder once more and records their ETags.
    expect((await pair.sync()).planned).toEqual([]);
    return pair;
  }

  /** The folders (relative, with a trailing slash) a run asked with PROPFIND. */
  async function foldersAsked(pair: Pair, fixture_: ServerFixture, run: () => Promise<unknown>): Promise<string[]> {
    const root = new URL(pair.remoteUrl).pathname;
    const before = (await fixture_.requests()).length;
    await run();
    return (await fixture_.requests())
      .slice(before)
      .filter((request) => request.method === 'PROPFIND' && request.path.startsWith(root))
      .map((request) => request.path.slice(root.length))
      .sort();
  }

  function onApacheDisk(pair: Pair, path: string): string | undefined {
    const apache = fixture.apache();
    if (apache === undefined) return undefined;
    const name = new URL(pair.remoteUrl).pathname.split('/').filter(Boolean).pop() ?? '';
    return join(apache.dataDir, name, path);
  }

  async function settleApacheFolders(pair: Pair): Promise<void> {
    for (const folder of FOLDERS) {
      const onDisk = onApacheDisk(pair, folder);
      if (onDisk !== undefined) await utimes(onDisk, FOLDER_SECONDS, FOLDER_SECONDS);
    }
  }

  async function folderEtag(pair: Pair, path: string): Promise<string | null> {
    return ((await pair.remote.stat(`${path}/`)) as FileStat).etag ?? null;
  }

  /**
   * Rewrites a file on the server so that its folder keeps its ETag: webdav-server replaces a
   * file in place; on Apache the file is written on its disk and the folder's mtime put back.
   */
  async function changeKeepingFolderEtag(pair: Pair, path: string, content: string): Promise<void> {
    const folder = path.slice(0, path.lastIndexOf('/'));
    const etag = await folderEtag(pair, folder);
    const file = onApacheDisk(pair, path);
    if (file === undefined) await pair.writeRemote(path, content);
    else {
      await writeFile(file, content);
      pastSeconds += 10;
      await utimes(file, pastSeconds, pastSeconds);
      await settleApacheFolders(pair);
      await fixture.apache()?.grantServerAccess();
    }
    // The scenario holds: the file changed, its folder's ETag did not.
    expect(await pair.readRemote(path)).toBe(content);
    expect(await folderEtag(pair, folder)).toBe(etag);
  }

  function journalMeta(pair: Pair, key: string): string | null {
    const journal = Journal.open(join(pair.stateDir, 'journal.sqlite'));
    try {
      return journal.getMeta(key);
    } finally {
      journal.close();
    }
  }

  it.skipIf(kind.skip)('with nothing changed, only the root and the folders with subfolders are asked', async () => {
    const pair = await syncedPair();
    let planned: unknown[] | undefined;
    expect(await foldersAsked(pair, fixture, async () => ({ planned } = await pair.sync()))).toEqual(['', 'a/']);
    expect(planned).toEqual([]);
    expect(filesOf(await pair.localTree())).toEqual(TREE);
    expect(filesOf(await pair.remoteTree())).toEqual(TREE);
  });

  if (isApache) it.skipIf(kind.skip)('a file replaced through WebDAV changes its folder\'s ETag on Apache: the folder is asked and the change comes down', async () => {
    const pair = await syncedPair();
    await pair.writeRemote('d/four.txt', 'four, edited on the server');
    expect(await foldersAsked(pair, fixture, () => pair.sync())).toEqual(['', 'a/', 'd/']);
    expect(await pair.readLocal('d/four.txt')).toBe('four, edited on the server');
    // Recorded again: the next run skips it.
    expect(await foldersAsked(pair, fixture, () => pair.sync())).toEqual(['', 'a/']);
  });

  it.skipIf(kind.skip)('an upload\'s tag the server gave weak is kept strong once a listing shows it, so a skipped folder\'s file still has one for If-Match', async () => {
    const pair = await syncedPair();
    await pair.writeLocal('d/four.txt', 'four, edited here');
    await pair.sync();
    const journalTag = (): string | null => {
      const journal = Journal.open(join(pair.stateDir, 'journal.sqlite'));
      try {
        return journal.get('d/four.txt')?.remoteEtag ?? null;
      } finally {
        journal.close();
      }
    };
    // Apache answers a weak tag for a file less than a second old, a strong one after.
    const serverTag = await until('a strong tag on the server', async () => {
      const tag = ((await pair.remote.stat('d/four.txt')) as FileStat).etag ?? null;
      return tag !== null && !/^w\//i.test(tag) ? tag : null;
    });
    await pair.sync();
    const kept = journalTag();
    expect(kept).not.toMatch(/^w\//i);
    expect(sameEtag(kept, serverTag)).toBe(true);
  });

  it.skipIf(kind.skip)('new ignore rules: the next run lists every folder, the one after skips again', async () => {
    const pair = await syncedPair();
    await pair.writeLocal('.terasyncignore', '*.tmp\n');
    // (The root is asked twice: the walk, and the listing that learns the new file's ETag.)
    expect([...new Set(await foldersAsked(pair, fixture, () => pair.sync()))]).toEqual(['', 'a/', 'a/b/', 'd/', 'e/']);
    await settleApacheFolders(pair);
    await pair.sync();
    expect(await foldersAsked(pair, fixture, () => pair.sync())).toEqual(['', 'a/']);
  });

  it.skipIf(kind.skip)('folder ETags that do not follow their entries are caught in the same run, and later runs skip nothing', async () => {
    const pair = await syncedPair();
    // `a` is asked anyway (it has a subfolder) and shows the ETag did not follow; `d` would be skipped.
    await changeKeepingFolderEtag(pair, 'a/one.txt', 'one, edited on the server');
    await changeKeepingFolderEtag(pair, 'd/four.txt', 'four, edited on the server');
    const asked = await foldersAsked(pair, fixture, () => pair.sync());
    expect(asked).toContain('d/');
    expect(await pair.readLocal('a/one.txt')).toBe('one, edited on the server');
    expect(await pair.readLocal('d/four.txt')).toBe('four, edited on the server');
    expect(journalMeta(pair, FOLDER_ETAGS_META)).toBe('static');

    // From now on every folder is asked: a change in a folder without subfolders alone is seen.
    await changeKeepingFolderEtag(pair, 'e/five.txt', 'five, edited on the server');
    expect(await foldersAsked(pair, fixture, () => pair.sync())).toEqual(['', 'a/', 'a/b/', 'd/', 'e/']);
    expect(await pair.readLocal('e/five.txt')).toBe('five, edited on the server');

    const expected = { ...TREE, 'a/one.txt': 'one, edited on the server', 'd/four.txt': 'four, edited on the server', 'e/five.txt': 'five, edited on the server' };
    expect(filesOf(await pair.localTree())).toEqual(expected);
    expect(filesOf(await pair.remoteTree())).toEqual(expected);
    expect(await pair.trashed()).toEqual([]);
  });

  it.skipIf(kind.skip)('a change hidden before the check can tell: a local edit of it meets the precondition, and the hourly full walk finds it', async () => {
    const pair = await syncedPair();
    // `d` is not listed within the hour, so the server's version is not seen; the upload of
    // the local edit is refused by its precondition (the server holds another version) and
    // becomes a conflict: both versions are kept, on both sides.
    await changeKeepingFolderEtag(pair, 'd/four.txt', 'four, edited on the server');
    await pair.writeLocal('d/four.txt', 'four, edited here');
    await pair.sync();
    // A run that did not end clean (that conflict) makes the next one walk everything.
    expect([...new Set(await foldersAsked(pair, fixture, () => pair.sync()))]).toEqual(['', 'a/', 'a/b/', 'd/', 'e/']);
    for (const side of [await pair.localTree(), await pair.remoteTree()]) {
      expect(Object.values(side)).toContain('four, edited on the server');
      expect(Object.values(side)).toContain('four, edited here');
    }

    // A change nothing local touches waits for the full walk, at most an hour away.
    await changeKeepingFolderEtag(pair, 'e/five.txt', 'five, edited on the server');
    expect(await foldersAsked(pair, fixture, () => pair.sync())).not.toContain('e/');
    expect(await pair.readLocal('e/five.txt')).toBe('five');
    const later = { ...systemClock, now: () => Date.now() + ONE_SHOT_FULL_WALK_MS + 60_000 };
    expect(await foldersAsked(pair, fixture, () => pair.sync({ clock: later }))).toEqual(['', 'a/', 'a/b/', 'd/', 'e/']);
    expect(await pair.readLocal('e/five.txt')).toBe('five, edited on the server');
    // That walk also showed the ETags do not follow: kept, so later runs skip nothing.
    expect(journalMeta(pair, FOLDER_ETAGS_META)).toBe('static');
    expect(await foldersAsked(pair, fixture, () => pair.sync())).toEqual(['', 'a/', 'a/b/', 'd/', 'e/']);
    expect(await pair.trashed()).toEqual([]);
  });
});
