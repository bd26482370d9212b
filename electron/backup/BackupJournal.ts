/**
 * The backup journal: what was backed up from this computer to one backup area under one
 * device name, in SQLite. A row per file says which local state (size, mtime, ctime, inode) and which
 * content (sha256) the latest copy on the server holds, and under which ETag the server showed
 * it: the next run sends only what differs, and a run killed half-way resumes without sending
 * again what it had completed (each file commits its own transaction once the server holds it).
 *
 * `staged` rows bridge the one multi-step action: a changed file is uploaded to a temp name
 * beside the latest copy, then the latest copy is moved into `.versions/`, then the temp is
 * moved into place. A staged row is written once the temp holds the whole file, so a resumed
 * run finishes those moves instead of sending the file again.
 *
 * Modelled on the sync journal (electron/sync/journal.ts): WAL, an exclusive lock so that two
 * backups of the same device to the same area never race, a schema version, statements
 * prepared once.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SqliteFile } from '../sync/sqliteFile.js';

const SCHEMA_VERSION = 2;

/** The latest backed-up copy of one file. */
export interface BackupRecord {
  /** The source's name (the folder name on the server). */
  source: string;
  /** NFC path relative to the source, `/`-separated. */
  path: string;
  /** Local size and mtime when it was read for the backup. */
  size: number;
  mtimeMs: number;
  /**
   * Local ctime and inode (file id on Windows) when it was read: a tool that puts the old mtime
   * back (`touch -r`, `rsync -t`, `cp -p`) still moves the ctime, and an edit written to a temp
   * file and renamed over gets a new inode. 0 in rows from before they were kept: such a file is
   * hashed once on the next run.
   */
  ctimeMs: number;
  ino: number;
  /** sha256 (hex) of the content sent. */
  sha256: string;
  /** The ETag the server showed for the copy, as sent (may be weak); null when it gave none. */
  remoteEtag: string | null;
  remoteSize: number;
  /** When it was backed up (ms since the epoch, from the engine's clock). */
  backedUpAt: number;
}

/** A changed file uploaded to a temp name, not yet moved into place. */
export interface StagedUpload {
  source: string;
  path: string;
  /** The temp file, relative to the backup area's root (`<device>/<source>/dir/.terasync-x.tmp`). */
  temp: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  sha256: string;
}

/** A source folder last backed up from this computer: where restores go by default. */
export interface SourceRecord {
  name: string;
  localRoot: string;
  lastBackupAt: number | null;
}

interface RecordRow {
  source: string;
  path: string;
  size: number;
  mtime_ms: number;
  ctime_ms: number;
  ino: number;
  sha256: string;
  remote_etag: string | null;
  remote_size: number;
  backed_up_at: number;
}

function toRecord(row: RecordRow): BackupRecord {
  return {
    source: row.source,
    path: row.path,
    size: row.size,
    mtimeMs: row.mtime_ms,
    ctimeMs: row.ctime_ms,
    ino: row.ino,
    sha256: row.sha256,
    remoteEtag: row.remote_etag,
    remoteSize: row.remote_size,
    backedUpAt: row.backed_up_at,
  };
}

/** One journal per backup area and device: `<state>/backups/<id>.sqlite`. */
export function backupJournalFile(stateDir: string, backupRootUrl: string, device: string): string {
  const id = createHash('sha256').update(`${backupRootUrl}\n${device}`).digest('hex').slice(0, 16);
  return join(stateDir, 'backups', `${id}.sqlite`);
}

export class BackupJournal {
  private readonly sqlite: SqliteFile;

  private constructor(sqlite: SqliteFile) {
    this.sqlite = sqlite;
  }

  /**
   * Opens (or creates) the journal and takes it for this process alone: a second backup of
   * the same device to the same area fails here instead of racing the first.
   */
  static open(file: string): BackupJournal {
    return new BackupJournal(
      SqliteFile.open(
        file,
        { what: 'the backup journal', busy: `Another TeraSync backup of this device is running (journal ${file} is in use). Wait for it to finish.` },
        (sqlite, version) => {
          SqliteFile.refuseNewer(version, SCHEMA_VERSION, 'The backup journal');
          if (version < 1) {
            sqlite.db.exec(`
              CREATE TABLE IF NOT EXISTS files (
                source TEXT NOT NULL,
                path TEXT NOT NULL,
                size INTEGER NOT NULL,
                mtime_ms REAL NOT NULL,
                sha256 TEXT NOT NULL,
                remote_etag TEXT,
                remote_size INTEGER NOT NULL,
                backed_up_at INTEGER NOT NULL,
                PRIMARY KEY (source, path)
              );
              CREATE TABLE IF NOT EXISTS staged (
                source TEXT NOT NULL,
                path TEXT NOT NULL,
                temp TEXT NOT NULL,
                size INTEGER NOT NULL,
                mtime_ms REAL NOT NULL,
                sha256 TEXT NOT NULL,
                PRIMARY KEY (source, path)
              );
              CREATE TABLE IF NOT EXISTS sources (
                name TEXT PRIMARY KEY,
                local_root TEXT NOT NULL,
                last_backup_at INTEGER
              );
              PRAGMA user_version = 1;
            `);
          }
          if (version < 2) {
            // The ctime and inode of each file (0 in older rows: hashed once, then known), and
            // small facts about the journal itself (when the quota note was last given).
            sqlite.db.exec(`
              ALTER TABLE files ADD COLUMN ctime_ms REAL NOT NULL DEFAULT 0;
              ALTER TABLE files ADD COLUMN ino INTEGER NOT NULL DEFAULT 0;
              ALTER TABLE staged ADD COLUMN ctime_ms REAL NOT NULL DEFAULT 0;
              ALTER TABLE staged ADD COLUMN ino INTEGER NOT NULL DEFAULT 0;
              CREATE TABLE IF NOT EXISTS meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
              );
              PRAGMA user_version = 2;
            `);
          }
        },
      ),
    );
  }

  /** Every record of one source, by path. */
  records(source: string): Map<string, BackupRecord> {
    const rows = this.sqlite.statement('SELECT * FROM files WHERE source = ?').all(source) as RecordRow[];
    return new Map(rows.map((row) => [row.path, toRecord(row)]));
  }

  get(source: string, path: string): BackupRecord | null {
    const row = this.sqlite.statement('SELECT * FROM files WHERE source = ? AND path = ?').get(source, path) as RecordRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** Records a file whose latest copy is on the server, and clears its staged row. */
  put(record: BackupRecord): void {
    this.transaction(() => {
      this.sqlite.statement(
        `INSERT OR REPLACE INTO files (source, path, size, mtime_ms, ctime_ms, ino, sha256, remote_etag, remote_size, backed_up_at)
         VALUES (@source, @path, @size, @mtimeMs, @ctimeMs, @ino, @sha256, @remoteEtag, @remoteSize, @backedUpAt)`,
      ).run(record);
      this.sqlite.statement('DELETE FROM staged WHERE source = ? AND path = ?').run(record.source, record.path);
    });
  }

  /** Forgets `path` and everything recorded below it (its copies went to `.versions/`). */
  removeTree(source: string, path: string): void {
    this.sqlite.statement("DELETE FROM files WHERE source = ? AND (path = ? OR substr(path, 1, length(?) + 1) = ? || '/')").run(source, path, path, path);
  }

  setStaged(staged: StagedUpload): void {
    this.sqlite.statement(
      `INSERT OR REPLACE INTO staged (source, path, temp, size, mtime_ms, ctime_ms, ino, sha256)
       VALUES (@source, @path, @temp, @size, @mtimeMs, @ctimeMs, @ino, @sha256)`,
    ).run(staged);
  }

  clearStaged(source: string, path: string): void {
    this.sqlite.statement('DELETE FROM staged WHERE source = ? AND path = ?').run(source, path);
  }

  staged(source: string): StagedUpload[] {
    return this.sqlite.statement('SELECT source, path, temp, size, mtime_ms AS mtimeMs, ctime_ms AS ctimeMs, ino, sha256 FROM staged WHERE source = ?').all(source) as StagedUpload[];
  }

  /** Remembers where a source lives on this computer. */
  setSource(name: string, localRoot: string, lastBackupAt: number | null): void {
    this.sqlite.statement(
      `INSERT INTO sources (name, local_root, last_backup_at) VALUES (?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET local_root = excluded.local_root,
         last_backup_at = COALESCE(excluded.last_backup_at, sources.last_backup_at)`,
    ).run(name, localRoot, lastBackupAt);
  }

  source(name: string): SourceRecord | null {
    const row = this.sqlite.statement('SELECT name, local_root AS localRoot, last_backup_at AS lastBackupAt FROM sources WHERE name = ?').get(name) as
      | SourceRecord
      | undefined;
    return row ?? null;
  }

  /** A small fact about this journal (see setMeta); null when never set. */
  meta(key: string): string | null {
    const row = this.sqlite.statement('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.sqlite.statement('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  close(): void {
    this.sqlite.close();
  }

  /** Runs `work` in one transaction: all of it is recorded, or none. */
  transaction<T>(work: () => T): T {
    return this.sqlite.transaction(work);
  }
}
