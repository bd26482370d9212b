/**
 * The local folder's lock on a real file system. Two locks in one process stand for two
 * processes here: SQLite keeps them apart as it keeps processes apart (the cross-process
 * cases, and kill -9, are in test/integration/cli/folderLock.test.ts with the built command).
 */
import { mkdtempSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderBusyError, FolderLock } from '../../../../electron/platform/folderLock.js';
import { isFolderLockPath, LOCK_FILE, LOCK_HOLDER_FILE } from '../../../../electron/sync/ignoreRules.js';
import { createIgnoreMatcher } from '../../../../electron/sync/ignoreRules.js';
import { FakeClock } from '../../../support/fakeClock.js';

const made: string[] = [];
const locks: FolderLock[] = [];

afterEach(async () => {
  for (const lock of locks.splice(0)) lock.release();
  for (const folder of made.splice(0)) await rm(folder, { recursive: true, force: true });
});

function folder(): string {
  const base = mkdtempSync(join(tmpdir(), 'terasync-lock-'));
  made.push(base);
  return base;
}

function lock(path: string, program = 'terasync sync', warn?: (message: string) => void, clock?: FakeClock): FolderLock {
  const created = new FolderLock(path, { program, warn, clock });
  locks.push(created);
  return created;
}

describe('FolderLock', () => {
  it('is held by one at a time; the other is told who holds it and what to do', async () => {
    const root = folder();
    const clock = new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5));
    const first = lock(root, 'the TeraSync app', undefined, clock);
    expect(first.ensure()).toBe(true);
    expect((await readdir(root)).sort()).toEqual([LOCK_FILE, LOCK_HOLDER_FILE]);
    expect(JSON.parse(await readFile(join(root, LOCK_HOLDER_FILE), 'utf8'))).toMatchObject({ program: 'the TeraSync app', pid: process.pid, since: clock.now() });

    const second = lock(root);
    let refused: unknown;
    try {
      second.ensure();
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(FolderBusyError);
    expect((refused as FolderBusyError).message).toMatch(new RegExp(`^The TeraSync app is syncing the folder ${root}: process ${process.pid}, since .+\\. Only one sync at a time may change a folder: wait for that one to end, or stop it`));
    expect(second.held).toBe(false);
    // Held again is a no-op for the holder.
    expect(first.ensure()).toBe(true);

    first.release();
    expect(await readdir(root)).toEqual([]);
    expect(second.ensure()).toBe(true);
  });

  it('says less, but still what to do, when the holder file is missing', async () => {
    const root = folder();
    expect(lock(root).ensure()).toBe(true);
    await rm(join(root, LOCK_HOLDER_FILE));
    expect(() => lock(root).ensure()).toThrow(`Another TeraSync run is syncing the folder ${root} (it holds ${join(root, LOCK_FILE)}). Only one sync`);
  });

  it('waits for a missing folder, and takes the lock once it exists', async () => {
    const root = join(folder(), 'not-yet');
    const waiting = lock(root);
    expect(waiting.ensure()).toBe(false);
    await mkdir(root);
    expect(waiting.ensure()).toBe(true);
    expect(() => lock(root).ensure()).toThrow(FolderBusyError);
  });

  it('lets go of a lock whose folder was removed, and takes the folder made again at that path', async () => {
    const root = join(folder(), 'synced');
    await mkdir(root);
    const holder = lock(root);
    expect(holder.ensure()).toBe(true);
    await rm(root, { recursive: true });
    expect(holder.ensure()).toBe(false);
    await mkdir(root);
    // Without the check, the holder would keep a lock on a file that is gone while another
    // process took the new one.
    expect(holder.ensure()).toBe(true);
    expect(() => lock(root).ensure()).toThrow(FolderBusyError);
    expect((await readdir(root)).sort()).toEqual([LOCK_FILE, LOCK_HOLDER_FILE]);
  });

  it('takes over a file of that name that is no lock', async () => {
    const root = folder();
    await writeFile(join(root, LOCK_FILE), 'something else entirely, and long enough to be no SQLite header at all');
    expect(lock(root).ensure()).toBe(true);
  });

  it('does not remove a lock that another took after its own went away', async () => {
    const root = join(folder(), 'synced');
    await mkdir(root);
    const old = lock(root);
    expect(old.ensure()).toBe(true);
    await rm(root, { recursive: true });
    await mkdir(root);
    const other = lock(root);
    expect(other.ensure()).toBe(true);
    old.release();
    expect((await readdir(root)).sort()).toEqual([LOCK_FILE, LOCK_HOLDER_FILE]);
    expect(() => lock(root).ensure()).toThrow(FolderBusyError);
  });

  it('has names the built-in ignore rules leave out', () => {
    const rules = createIgnoreMatcher();
    for (const name of [LOCK_FILE, LOCK_HOLDER_FILE, `${LOCK_FILE}-journal`]) {
      expect(isFolderLockPath(name)).toBe(true);
      expect(rules.ignores(name, false)).toBe(true);
    }
    expect(isFolderLockPath('sub/.terasync-lock')).toBe(false);
  });
});
