/**
 * The backup journal on a real SQLite file: records per source, subtree removal, staged
 * uploads, sources, persistence across reopening, the one-backup-per-device lock, and the
 * refusal of a journal written by a newer schema.
 */
import Database from 'better-sqlite3';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackupJournal, backupJournalFile, type BackupRecord } from '../../../../electron/backup/BackupJournal.js';
import { ErrorCode } from '../../../../shared/errors.js';

let directory: string;
let file: string;
const opened: BackupJournal[] = [];

function open(): BackupJournal {
  const journal = BackupJournal.open(file);
  opened.push(journal);
  return journal;
}

function record(path: string, overrides: Partial<BackupRecord> = {}): BackupRecord {
  return {
    source: 'Docs',
    path,
    size: 3,
    mtimeMs: 1_700_000_000_123.5,
    ctimeMs: 1_700_000_000_456.25,
    ino: 9_007_199_254_740_000,
    sha256: 'ab'.repeat(32),
    remoteEtag: 'W/"x"',
    remoteSize: 3,
    backedUpAt: 42,
    ...overrides,
  };
}

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'terasync-backup-journal-'));
  file = join(directory, 'nested', 'backup.sqlite');
});

afterEach(async () => {
  for (const journal of opened.splice(0)) {
    try {
      journal.close();
    } catch {
      // closed by the test
    }
  }
  await rm(directory, { recursive: true, force: true });
});

describe('BackupJournal', () => {
  it('keeps records per source, removes subtrees, and survives reopening', () => {
    const journal = open();
    journal.put(record('a.txt'));
    journal.put(record('sub/b.txt'));
    journal.put(record('sub/deep/c.txt'));
    journal.put(record('subway.txt'));
    journal.put(record('a.txt', { source: 'Photos', sha256: 'cd'.repeat(32) }));
    journal.removeTree('Docs', 'sub');
    expect([...journal.records('Docs').keys()].sort()).toEqual(['a.txt', 'subway.txt']);
    expect(journal.get('Photos', 'a.txt')?.sha256).toBe('cd'.repeat(32));
    journal.close();
    opened.splice(0);
    const again = open();
    expect(again.get('Docs', 'a.txt')).toEqual(record('a.txt'));
  });

  it('keeps staged uploads until the file is recorded', () => {
    const journal = open();
    const staged = { source: 'Docs', path: 'a.txt', temp: 'dev/Docs/.terasync-1.tmp', size: 3, mtimeMs: 5.5, ctimeMs: 6.25, ino: 77, sha256: 'ef'.repeat(32) };
    journal.setStaged(staged);
    expect(journal.staged('Docs')).toEqual([staged]);
    expect(journal.staged('Photos')).toEqual([]);
    journal.put(record('a.txt'));
    expect(journal.staged('Docs')).toEqual([]);
  });

  it('remembers where each source lives and when it was last backed up', () => {
    const journal = open();
    expect(journal.source('Docs')).toBeNull();
    journal.setSource('Docs', '/home/a/Docs', null);
    expect(journal.source('Docs')).toEqual({ name: 'Docs', localRoot: '/home/a/Docs', lastBackupAt: null });
    journal.setSource('Docs', '/home/a/Docs', 1000);
    journal.setSource('Docs', '/mnt/Docs', null);
    expect(journal.source('Docs')).toEqual({ name: 'Docs', localRoot: '/mnt/Docs', lastBackupAt: 1000 });
  });

  it('lets one backup of a device run at a time', () => {
    open();
    let error: unknown;
    try {
      BackupJournal.open(file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: ErrorCode.LocalIo, message: expect.stringContaining('Another TeraSync backup of this device is running') });
  });

  it('migrates a journal from before ctime and inode were kept: old rows get 0 (hashed once), and the quota note starts unset', async () => {
    await mkdir(join(directory, 'nested'), { recursive: true });
    const db = new Database(file);
    db.exec(`
      CREATE TABLE files (source TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, mtime_ms REAL NOT NULL, sha256 TEXT NOT NULL,
        remote_etag TEXT, remote_size INTEGER NOT NULL, backed_up_at INTEGER NOT NULL, PRIMARY KEY (source, path));
      CREATE TABLE staged (source TEXT NOT NULL, path TEXT NOT NULL, temp TEXT NOT NULL, size INTEGER NOT NULL, mtime_ms REAL NOT NULL,
        sha256 TEXT NOT NULL, PRIMARY KEY (source, path));
      CREATE TABLE sources (name TEXT PRIMARY KEY, local_root TEXT NOT NULL, last_backup_at INTEGER);
      INSERT INTO files VALUES ('Docs', 'old.txt', 3, 1000.5, '${'ab'.repeat(32)}', '"e"', 3, 7);
      INSERT INTO staged VALUES ('Docs', 'b.txt', 'dev/Docs/.terasync-2.tmp', 4, 2000, '${'cd'.repeat(32)}');
      PRAGMA user_version = 1;
    `);
    db.close();
    const journal = open();
    expect(journal.get('Docs', 'old.txt')).toEqual({
      source: 'Docs',
      path: 'old.txt',
      size: 3,
      mtimeMs: 1000.5,
      ctimeMs: 0,
      ino: 0,
      sha256: 'ab'.repeat(32),
      remoteEtag: '"e"',
      remoteSize: 3,
      backedUpAt: 7,
    });
    expect(journal.staged('Docs')).toEqual([{ source: 'Docs', path: 'b.txt', temp: 'dev/Docs/.terasync-2.tmp', size: 4, mtimeMs: 2000, ctimeMs: 0, ino: 0, sha256: 'cd'.repeat(32) }]);
    expect(journal.meta('quotaNoteShownAt')).toBeNull();
    journal.setMeta('quotaNoteShownAt', '123');
    expect(journal.meta('quotaNoteShownAt')).toBe('123');
  });

  it('refuses a journal written by a newer TeraSync', () => {
    open().close();
    opened.splice(0);
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => open()).toThrow(expect.objectContaining({ code: ErrorCode.Configuration }));
    // The refused journal is not left locked.
    const db2 = new Database(file);
    db2.exec('BEGIN EXCLUSIVE; COMMIT;');
    db2.close();
  });

  it('has one file per backup area and device', () => {
    expect(backupJournalFile('/s', 'https://a/backup/', 'x')).not.toBe(backupJournalFile('/s', 'https://a/backup/', 'y'));
    expect(backupJournalFile('/s', 'https://a/backup/', 'x')).toMatch(/^\/s\/backups\/[0-9a-f]{16}\.sqlite$/);
  });
});
