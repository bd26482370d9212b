/**
 * The file a download replaces, kept under a second name across the rename (replaced.ts), on a
 * real folder and a real journal: the synced version goes, an edit becomes a conflict copy, a
 * run stopped in between is settled by the next one.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { link, lstat, mkdtemp, open, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Journal } from '../../../../electron/sync/journal.js';
import { nodeFileAccess } from '../../../../electron/sync/localIdentity.js';
import type { JournalEntry } from '../../../../electron/sync/model.js';
import { silentLogger } from '../../../../electron/core/logger.js';
import { linkReplaced, recoverReplaced, replacedName, settleReplaced, type ReplacedDeps, type SyncedVersion } from '../../../../electron/sync/replaced.js';

/** Runs once, just before the next unlink of a file named `name` (then the real unlink). */
const beforeUnlink = vi.hoisted(() => ({ name: '', run: null as (() => Promise<void>) | null }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const original = await importOriginal<typeof FsPromises>();
  return {
    ...original,
    unlink: async (path: Parameters<typeof original.unlink>[0]) => {
      const run = beforeUnlink.run;
      if (run !== null && String(path).endsWith(beforeUnlink.name)) {
        beforeUnlink.run = null;
        await run();
      }
      return original.unlink(path);
    },
  };
});

const SYNCED = 'the synced version.....\n';
const EDITED = 'an edit, the same size!\n';
const SERVER = 'the server version, downloaded\n';

let root: string;
let journal: Journal;
let deps: ReplacedDeps;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'terasync-replaced-'));
  journal = Journal.open(join(root, '.state.sqlite'));
  deps = { root, journal, files: nodeFileAccess, clock: { now: () => Date.UTC(2026, 11, 6, 9, 30) }, logger: silentLogger, device: 'laptop' };
});

afterEach(async () => {
  journal.close();
  await rm(root, { recursive: true, force: true });
});

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Writes `body` at `path`, as synced: returns the version the journal holds. */
async function synced(path: string, body: string): Promise<SyncedVersion> {
  await writeFile(join(root, path), body);
  const stats = await lstat(join(root, path));
  return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, hash: sha256(body) };
}

/** Replaces `path` with `body` as a download does: link aside, rename a temp over it. */
async function download(path: string, body: string, editBeforeRename?: string): Promise<string | null> {
  const temp = join(root, `.terasync-0123456789ab.tmp`);
  await writeFile(temp, body);
  const aside = await linkReplaced(root, path, path);
  if (editBeforeRename !== undefined) {
    const before = await lstat(join(root, path));
    await writeFile(join(root, path), editBeforeRename);
    await utimes(join(root, path), before.atime, before.mtime);
  }
  await rename(temp, join(root, path));
  return aside;
}

const files = async (): Promise<string[]> => (await readdir(root)).filter((name) => !name.startsWith('.state')).sort();

describe('the file a download replaces', () => {
  it('is linked under a name made from its path, left out of scans (.terasync-...)', async () => {
    await synced('a.txt', SYNCED);
    const aside = await linkReplaced(root, 'a.txt', 'a.txt');
    expect(aside).toBe(replacedName('a.txt'));
    expect(aside).toMatch(/^\.terasync-[0-9a-f]{16}\.replaced$/);
    expect((await lstat(join(root, aside!))).ino).toBe((await lstat(join(root, 'a.txt'))).ino);
    expect(replacedName('b.txt')).not.toBe(aside);
  });

  it('holding the synced version: removed, no copy', async () => {
    const version = await synced('a.txt', SYNCED);
    const aside = await download('a.txt', SERVER);
    expect(await settleReplaced(deps, 'a.txt', 'a.txt', aside!, version)).toBeNull();
    expect(await files()).toEqual(['a.txt']);
    expect(await readFile(join(root, 'a.txt'), 'utf8')).toBe(SERVER);
    expect(journal.openConflicts()).toEqual([]);
  });

  it('holding an edit made after the check (same size and mtime): kept as a conflict copy, recorded', async () => {
    const version = await synced('a.txt', SYNCED);
    const aside = await download('a.txt', SERVER, EDITED);
    const copy = await settleReplaced(deps, 'a.txt', 'a.txt', aside!, version);
    expect(copy).toMatch(/^a \(conflict \d{4}-\d\d-\d\d \d{6} laptop\)\.txt$/);
    expect(await files()).toEqual(['a.txt', copy].sort());
    expect(await readFile(join(root, copy!), 'utf8')).toBe(EDITED);
    expect(await readFile(join(root, 'a.txt'), 'utf8')).toBe(SERVER);
    expect(journal.openConflicts().map((conflict) => [conflict.path, conflict.copy])).toEqual([['a.txt', copy]]);
  });

  it('an edit saved in place by a program holding it open, after the check and before the unlink: kept as a copy', async () => {
    const version = await synced('a.txt', SYNCED);
    // An editor opened the file before the download replaced it, and saves into that handle.
    const editor = await open(join(root, 'a.txt'), 'r+');
    try {
      const aside = await download('a.txt', SERVER);
      const before = await editor.stat();
      let edited: Stats | null = null;
      beforeUnlink.name = aside!;
      beforeUnlink.run = async () => {
        await editor.truncate(0);
        await editor.write(EDITED, 0, 'utf8');
        await editor.utimes(before.atime, before.mtime);
        edited = await editor.stat();
      };
      const copy = await settleReplaced(deps, 'a.txt', 'a.txt', aside!, version);
      expect(beforeUnlink.run, 'the edit was not made').toBeNull();
      expect(copy).toMatch(/^a \(conflict \d{4}-\d\d-\d\d \d{6} laptop\)\.txt$/);
      expect(await files()).toEqual(['a.txt', copy].sort());
      expect(await readFile(join(root, copy!), 'utf8')).toBe(EDITED);
      // The copy keeps the edit's modification time (to the millisecond: utimes takes seconds).
      expect((await lstat(join(root, copy!))).mtimeMs).toBeCloseTo(edited!.mtimeMs, 0);
      expect(await readFile(join(root, 'a.txt'), 'utf8')).toBe(SERVER);
      expect(journal.openConflicts().map((conflict) => [conflict.path, conflict.copy])).toEqual([['a.txt', copy]]);
    } finally {
      beforeUnlink.run = null;
      await editor.close();
    }
  });

  it('replaced by another file (another inode) before the link: kept as a conflict copy', async () => {
    const version = await synced('a.txt', SYNCED);
    await writeFile(join(root, 'other'), EDITED);
    await rename(join(root, 'other'), join(root, 'a.txt'));
    const aside = await download('a.txt', SERVER);
    const copy = await settleReplaced(deps, 'a.txt', 'a.txt', aside!, version);
    expect(await readFile(join(root, copy!), 'utf8')).toBe(EDITED);
  });

  it('a stopped run, link made but not renamed over: the link goes, the file stays', async () => {
    const version = await synced('a.txt', SYNCED);
    const aside = await linkReplaced(root, 'a.txt', 'a.txt');
    expect(await settleReplaced(deps, 'a.txt', 'a.txt', aside!, version)).toBeNull();
    expect(await files()).toEqual(['a.txt']);
    expect(await readFile(join(root, 'a.txt'), 'utf8')).toBe(SYNCED);
  });

  it('an earlier link still there: no new one (the check before the rename guards alone)', async () => {
    await synced('a.txt', SYNCED);
    await writeFile(join(root, replacedName('a.txt')), 'left over');
    expect(await linkReplaced(root, 'a.txt', 'a.txt')).toBeNull();
    expect(await readFile(join(root, replacedName('a.txt')), 'utf8')).toBe('left over');
  });

  it('the file gone before the link: the error says so (ENOENT)', async () => {
    await expect(linkReplaced(root, 'gone.txt', 'gone.txt')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  describe('after a stopped run, settled before the next scan', () => {
    async function stoppedDownload(edit: string | undefined): Promise<void> {
      const version = await synced('a.txt', SYNCED);
      const entry: JournalEntry = {
        path: 'a.txt',
        type: 'file',
        localPath: 'a.txt',
        remotePath: 'a.txt',
        localSize: version.size,
        localMtimeMs: version.mtimeMs,
        localCtimeMs: 1,
        localIno: version.ino,
        remoteEtag: '"v1"',
        remoteSize: version.size,
        remoteMtimeMs: 1,
        hash: version.hash,
      };
      journal.transaction(() => {
        journal.put(entry);
        journal.setPending({ path: 'a.txt', kind: 'download', entry: { ...entry, hash: sha256(SERVER) } });
      });
      await download('a.txt', SERVER, edit);
    }

    it('the synced version: removed', async () => {
      await stoppedDownload(undefined);
      await recoverReplaced(deps);
      expect(await files()).toEqual(['a.txt']);
    });

    it('an edit: a conflict copy the scan then uploads', async () => {
      await stoppedDownload(EDITED);
      await recoverReplaced(deps);
      const names = await files();
      expect(names).toHaveLength(2);
      const copy = names.find((name) => name !== 'a.txt')!;
      expect(await readFile(join(root, copy), 'utf8')).toBe(EDITED);
      expect(journal.openConflicts().map((conflict) => conflict.copy)).toEqual([copy]);
    });

    it('no pending download: a link of another name is left alone', async () => {
      await synced('a.txt', SYNCED);
      await link(join(root, 'a.txt'), join(root, replacedName('a.txt')));
      await recoverReplaced(deps);
      expect(await files()).toEqual([replacedName('a.txt'), 'a.txt'].sort());
    });
  });
});
