/**
 * Local edits that keep the size and the mtime (`touch -r`, `rsync -t`, `cp -p`, unzip, a
 * restore), against both servers:
 *
 * - an in-place edit and an edit renamed over the file (a new inode) are uploaded;
 * - the same edit followed by another client's edit on the server is a conflict: both
 *   versions survive (before, the server's version silently replaced the edit);
 * - the same edit followed by a deletion on the server sends the edit back;
 * - a chmod (ctime moves, content the same) uploads nothing;
 * - with change detection switched off (the scan made to report the journal's identity, as if
 *   the OS had not told), the check before every overwrite or delete alone keeps the edit.
 */
import { createReadStream } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { chmod, lstat, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Executor, UNCONFIRMED_CTIME } from '../../../electron/sync/executor.js';
import { Journal } from '../../../electron/sync/journal.js';
import { plan } from '../../../electron/sync/planner.js';
import { emptyReport } from '../../../electron/sync/report.js';
import { createIgnoreMatcher } from '../../../electron/sync/ignoreRules.js';
import { scanLocal } from '../../../electron/sync/scanner.js';
import { systemClock } from '../../../electron/core/time.js';
import { silentLogger } from '../../../electron/core/logger.js';
import { WebDavRemoteStore } from '../../../electron/webdav/WebDavRemoteStore.js';
import { folderTrash, type Pair } from '../../support/pair.js';
import { serverKinds, useServer } from './servers.js';

const A = 'A'.repeat(64);
const B = 'B'.repeat(64);
const C = 'C'.repeat(64);

/** Rewrites `path` with `content` in place and puts its old mtime back with `touch -r`. */
async function editKeepingMtime(pair: Pair, path: string, content: string): Promise<void> {
  const absolute = join(pair.local, path);
  const before = await lstat(absolute);
  const reference = `${absolute}.ref~`;
  execFileSync('touch', ['-r', absolute, reference]);
  await writeFile(absolute, content);
  execFileSync('touch', ['-r', reference, absolute]);
  await rm(reference);
  const after = await lstat(absolute);
  expect(after.size).toBe(before.size);
  expect(after.mtimeMs).toBe(before.mtimeMs);
}

/** Writes `content` to a temp file, gives it the old mtime and renames it over `path` (a new inode). */
async function editByRenameOver(pair: Pair, path: string, content: string): Promise<void> {
  const absolute = join(pair.local, path);
  const before = await lstat(absolute);
  const temp = join(pair.local, `${path}.new~`);
  await writeFile(temp, content);
  execFileSync('touch', ['-r', absolute, temp]);
  await rename(temp, absolute);
  const after = await lstat(absolute);
  expect(after.mtimeMs).toBe(before.mtimeMs);
  expect(after.ino).not.toBe(before.ino);
}

const edits = [
  { name: 'in place', edit: editKeepingMtime },
  { name: 'renamed over the file', edit: editByRenameOver },
] as const;

describe.each(serverKinds)('local edits that keep size and mtime, against $name', (kind) => {
  const fixture = useServer(kind);

  describe.each(edits)('an edit $name', ({ edit }) => {
    it.skipIf(kind.skip)('is uploaded', async () => {
      const pair = await fixture.newPair();
      await pair.writeLocal('f', A);
      await pair.sync();
      await edit(pair, 'f', B);
      const { report } = await pair.sync();
      expect(report.uploaded).toEqual(['f']);
      expect(await pair.readRemote('f')).toBe(B);
      // Another client's later edit then arrives as a plain download: B was synced.
      await pair.writeRemote('f', C);
      const next = await pair.sync();
      expect(next.report.downloaded).toEqual(['f']);
      expect(await pair.readLocal('f')).toBe(C);
      expect((await pair.sync()).planned).toEqual([]);
    });

    it.skipIf(kind.skip)('that meets an edit on the server is a conflict: both versions survive', async () => {
      const pair = await fixture.newPair();
      await pair.writeLocal('f', A);
      await pair.sync();
      await edit(pair, 'f', B);
      await pair.writeRemote('f', C);
      const { report } = await pair.sync();
      expect(report.errors).toEqual([]);
      expect(report.downloaded).toEqual([]);
      expect(report.conflicts.map((c) => c.path)).toEqual(['f']);
      const copy = report.conflicts[0]!.copy;
      expect(await pair.readLocal('f')).toBe(C);
      expect(await pair.readLocal(copy)).toBe(B);
      expect(await pair.readRemote(copy)).toBe(B);
      expect((await pair.sync()).planned).toEqual([]);
    });

    it.skipIf(kind.skip)('that meets a deletion on the server is sent back, not deleted', async () => {
      const pair = await fixture.newPair();
      await pair.writeLocal('f', A);
      await pair.writeLocal('other', 'keeps the folder from looking emptied');
      await pair.sync();
      await edit(pair, 'f', B);
      await pair.removeRemote('f');
      const { report } = await pair.sync();
      expect(report.deletedLocal).toEqual([]);
      expect(report.uploaded).toEqual(['f']);
      expect(await pair.readLocal('f')).toBe(B);
      expect(await pair.readRemote('f')).toBe(B);
      expect(await pair.trashed()).toEqual([]);
    });
  });

  it.skipIf(kind.skip)('a chmod or a touch back to the same mtime uploads nothing', async () => {
    const pair = await fixture.newPair();
    await pair.writeLocal('f', A);
    await pair.sync();
    const absolute = join(pair.local, 'f');
    const before = await lstat(absolute);
    const reference = join(pair.stateDir, 'ref');
    execFileSync('touch', ['-r', absolute, reference]);
    await chmod(absolute, 0o600);
    await utimes(absolute, new Date(), new Date());
    execFileSync('touch', ['-r', reference, absolute]);
    expect((await lstat(absolute)).mtimeMs).toBe(before.mtimeMs);
    expect((await lstat(absolute)).ctimeMs).not.toBe(before.ctimeMs);
    const { planned, report } = await pair.sync();
    expect(planned).toEqual([]);
    expect(report.uploaded).toEqual([]);
    // The journal learnt the new identity: the next run does not hash the file again.
    let reads = 0;
    const again = await pair.sync({
      files: {
        openRead: (path) => {
          reads++;
          return createReadStream(path);
        },
      },
    });
    expect(again.planned).toEqual([]);
    expect(reads).toBe(0);
  });

  it.skipIf(kind.skip)('a download is journaled with the identity it has after the rename, confirmed by content in its run', async () => {
    const pair = await fixture.newPair();
    await pair.writeRemote('f', A);
    let reads = 0;
    const counting = {
      openRead: (path: string) => {
        reads++;
        return createReadStream(path);
      },
    };
    const first = await pair.sync({ files: counting });
    expect(first.report.downloaded).toEqual(['f']);
    // One read: the content check after the rename (a tick of the file system's clock later).
    expect(reads).toBe(1);
    const journal = Journal.open(join(pair.stateDir, 'journal.sqlite'));
    try {
      const entry = journal.get('f');
      const stats = await lstat(join(pair.local, 'f'));
      expect(entry).toMatchObject({ localIno: stats.ino, localSize: stats.size, localMtimeMs: stats.mtimeMs, localCtimeMs: stats.ctimeMs });
    } finally {
      journal.close();
    }
    reads = 0;
    const again = await pair.sync({ files: counting });
    expect(again.planned).toEqual([]);
    expect(reads).toBe(0);
  });

  it.skipIf(kind.skip)('a download whose content check never ran (the run was stopped) is hashed once next run, an edit found', async () => {
    const pair = await fixture.newPair();
    await pair.writeRemote('f', A);
    await pair.writeRemote('g', A);
    await pair.sync();
    // As a kill between the rename and the check leaves it: the ctime unknown.
    const journal = Journal.open(join(pair.stateDir, 'journal.sqlite'));
    try {
      journal.transaction(() => {
        for (const path of ['f', 'g']) journal.put({ ...journal.get(path)!, localCtimeMs: UNCONFIRMED_CTIME });
      });
    } finally {
      journal.close();
    }
    await editKeepingMtime(pair, 'g', B);
    const { report } = await pair.sync();
    expect(report.uploaded).toEqual(['g']);
    expect(await pair.readRemote('g')).toBe(B);
    expect(await pair.readRemote('f')).toBe(A);
    let reads = 0;
    const again = await pair.sync({
      files: {
        openRead: (path) => {
          reads++;
          return createReadStream(path);
        },
      },
    });
    expect(again.planned).toEqual([]);
    expect(reads).toBe(0);
  });

  describe('with change detection switched off, the check before an overwrite or a delete alone keeps the edit', () => {
    /**
     * One run of the engine's parts by hand, with the scan's entry for `path` given the identity
     * the journal recorded: the planner then takes the file for unchanged, as a detection that
     * missed the edit would.
     */
    const runFooled = async (pair: Pair, path: string): Promise<{ actions: string[]; report: ReturnType<typeof emptyReport> }> => {
      const server = fixture.server();
      const journal = Journal.open(join(pair.stateDir, 'journal.sqlite'));
      const store = new WebDavRemoteStore({ url: pair.remoteUrl, auth: { kind: 'basic', user: server.user, password: server.password }, ca: server.ca });
      try {
        const matcher = createIgnoreMatcher('');
        const local = await scanLocal(pair.local, matcher);
        const remote = await store.list();
        const entries = journal.all();
        const recorded = entries.find((entry) => entry.path === path)!;
        const scanned = local.entries.get(path)!;
        local.entries.set(path, {
          ...scanned,
          size: recorded.localSize,
          mtimeMs: recorded.localMtimeMs,
          ctimeMs: recorded.localCtimeMs,
          ino: recorded.localIno,
        });
        const result = plan({ local, remote, journal: entries, caseInsensitive: false, platform: 'linux' });
        const report = emptyReport();
        const executor = new Executor(
          {
            root: pair.local,
            remote: store,
            journal,
            trash: folderTrash(pair.trashDir),
            clock: systemClock,
            logger: silentLogger,
            device: 'testbox',
            concurrency: 2,
            caseInsensitive: false,
            ignore: matcher,
          },
          local,
          remote,
          entries,
        );
        await executor.run(result.actions, report);
        return { actions: result.actions.map((action) => `${action.kind} ${action.rule}`), report };
      } finally {
        journal.close();
        await store.dispose();
      }
    };

    it.skipIf(kind.skip)('a download over the edit becomes a conflict', async () => {
      const pair = await fixture.newPair();
      await pair.writeLocal('f', A);
      await pair.sync();
      await editKeepingMtime(pair, 'f', B);
      await pair.writeRemote('f', C);
      const { actions, report } = await runFooled(pair, 'f');
      expect(actions).toEqual(['download R10']);
      expect(report.downloaded).toEqual([]);
      expect(report.conflicts.map((c) => c.path)).toEqual(['f']);
      const copy = report.conflicts[0]!.copy;
      expect(await pair.readLocal('f')).toBe(C);
      expect(await pair.readLocal(copy)).toBe(B);
      expect(await pair.readRemote(copy)).toBe(B);
    });

    it.skipIf(kind.skip)('a delete of the edited file sends it back instead', async () => {
      const pair = await fixture.newPair();
      await pair.writeLocal('f', A);
      await pair.writeLocal('other', 'keeps the folder from looking emptied');
      await pair.sync();
      await editByRenameOver(pair, 'f', B);
      await pair.removeRemote('f');
      const { actions, report } = await runFooled(pair, 'f');
      expect(actions).toEqual(['deleteLocal R13']);
      expect(report.deletedLocal).toEqual([]);
      expect(report.uploaded).toEqual(['f']);
      expect(await pair.readLocal('f')).toBe(B);
      expect(await pair.readRemote('f')).toBe(B);
      expect(await pair.trashed()).toEqual([]);
      expect((await pair.sync()).planned).toEqual([]);
    });

    it.skipIf(kind.skip)('an unedited file is still replaced and deleted as planned', async () => {
      const pair = await fixture.newPair();
      await pair.writeLocal('f', A);
      await pair.writeLocal('g', A);
      await pair.writeLocal('other', 'keeps the folder from looking emptied');
      await pair.sync();
      await pair.writeRemote('f', C);
      const first = await runFooled(pair, 'f');
      expect(first.report.downloaded).toEqual(['f']);
      expect(first.report.conflicts).toEqual([]);
      expect(await pair.readLocal('f')).toBe(C);
      await pair.removeRemote('g');
      const second = await runFooled(pair, 'g');
      expect(second.report.deletedLocal).toEqual(['g']);
      expect(await pair.trashed()).toEqual(['g']);
    });
  });
});
