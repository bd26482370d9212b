/**
 * SQLite's full-disk errors said as a full disk, with what to do (sqliteFile.ts). The whole
 * path (a journal on a full tmpfs) is adversarial test 5c; here the rule itself.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diskFullError, StateDiskFullError } from '../../../../electron/sync/sqliteFile.js';

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'terasync-sqlite-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const sqliteError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

describe('a SQLite file on a full disk', () => {
  it('SQLITE_FULL: the disk is full, what to free, nothing lost', () => {
    const error = diskFullError('the sync journal', join(folder, 'j.sqlite'), sqliteError('SQLITE_FULL', 'database or disk is full'));
    expect(error).toBeInstanceOf(StateDiskFullError);
    expect(error?.code).toBe('LocalIo');
    expect(error?.message).toMatch(/^Cannot write the sync journal \(.*j\.sqlite\): the disk is full \(.* free on it\)\. Free up space on that disk, then sync again\. Nothing was lost/);
  });

  it('an I/O error on a disk with room is not taken for a full disk', () => {
    expect(diskFullError('the sync journal', join(folder, 'j.sqlite'), sqliteError('SQLITE_IOERR_WRITE', 'disk I/O error'))).toBeNull();
  });

  it('other errors are left as they are', () => {
    expect(diskFullError('the sync journal', join(folder, 'j.sqlite'), sqliteError('SQLITE_CONSTRAINT', 'UNIQUE constraint failed'))).toBeNull();
    expect(diskFullError('the sync journal', join(folder, 'j.sqlite'), new Error('no code'))).toBeNull();
  });
});
