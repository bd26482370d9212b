/**
 * The journal: the last synced state of every path of one sync pair, in SQLite. A completed
 * action commits its own transaction, so a kill at any moment leaves a journal that describes
 * the actions that finished. `pending` rows bridge the gap a transaction cannot: a download
 * renamed into place (or an upload answered) just before the process died.
 *
 * One kind of action is recorded in batches: a finished upload whose pending row is in the
 * journal (`putAfterPending`). Its entry waits in memory with others and goes in, together with
 * the removal of their pending rows, in one transaction (`flush`). A kill before that loses the
 * batch but not the pending rows, from which the next run adopts the uploads the server holds
 * (SyncEngine.adoptPending). Every other method flushes the batch first, so nothing reads or
 * writes past it: the journal is the same as if each entry had gone in alone.
 */
import type { JournalEntry } from './model.js';
import { SqliteFile } from './sqliteFile.js';

const SCHEMA_VERSION = 4;

export interface PendingTransfer {
  path: string;
  kind: 'download' | 'upload';
  /** The journal entry to adopt when the transfer turns out to have completed. */
  entry: JournalEntry;
}

/** A download cut short, kept on disk to resume with Range. */
export interface PartialDownload {
  path: string;
  /** The temp file, relative to the sync root. */
  temp: string;
  /** The strong ETag the bytes came from (If-Range). */
  etag: string;
  remoteSize: number;
}

export interface ConflictRecord {
  id: number;
  path: string;
  copy: string;
  createdAt: number;
  state: 'open' | 'resolved';
}

interface EntryRow {
  path: string;
  type: 'file' | 'dir';
  local_path: string;
  remote_path: string;
  local_size: number;
  local_mtime_ms: number;
  local_ctime_ms: number;
  local_ino: number;
  remote_etag: string | null;
  remote_size: number;
  remote_mtime_ms: number;
  hash: string | null;
}

function toEntry(row: EntryRow): JournalEntry {
  return {
    path: row.path,
    // SQLite hands out a new string per row; the two literals are shared by every entry.
    type: row.type === 'dir' ? 'dir' : 'file',
    // Mostly the same name on all three: one string then, not three (a million entries are
    // read at once).
    localPath: row.local_path === row.path ? row.path : row.local_path,
    remotePath: row.remote_path === row.path ? row.path : row.remote_path,
    localSize: row.local_size,
    localMtimeMs: row.local_mtime_ms,
    localCtimeMs: row.local_ctime_ms,
    localIno: row.local_ino,
    remoteEtag: row.remote_etag,
    remoteSize: row.remote_size,
    remoteMtimeMs: row.remote_mtime_ms,
    hash: row.hash,
  };
}

export class Journal {
  private readonly sqlite: SqliteFile;
  /** Finished uploads waiting for the next flush, by path (their pending rows are in the file). */
  private readonly batch = new Map<string, JournalEntry>();

  private constructor(sqlite: SqliteFile) {
    this.sqlite = sqlite;
  }

  /**
   * Opens (or creates) the journal and takes it for this process alone: a second run on the
   * same pair fails here instead of racing the first.
   */
  static open(file: string): Journal {
    return new Journal(
      SqliteFile.open(
        file,
        { what: 'the sync journal', busy: `Another TeraSync run is syncing this folder pair (journal ${file} is in use). Wait for it to finish.` },
        (sqlite, version) => {
          SqliteFile.refuseNewer(version, SCHEMA_VERSION, 'The sync journal');
          if (version < 1) {
            sqlite.db.exec(`
              CREATE TABLE IF NOT EXISTS entries (
                path TEXT PRIMARY KEY,
                type TEXT NOT NULL CHECK (type IN ('file', 'dir')),
                local_path TEXT NOT NULL,
                remote_path TEXT NOT NULL,
                local_size INTEGER NOT NULL,
                local_mtime_ms REAL NOT NULL,
                local_ino INTEGER NOT NULL,
                remote_etag TEXT,
                remote_size INTEGER NOT NULL,
                remote_mtime_ms REAL NOT NULL,
                hash TEXT
              );
              CREATE TABLE IF NOT EXISTS pending (
                path TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                entry TEXT NOT NULL
              );
              CREATE TABLE IF NOT EXISTS conflicts (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                path TEXT NOT NULL,
                copy TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                state TEXT NOT NULL DEFAULT 'open'
              );
              PRAGMA user_version = 1;
            `);
          }
          if (version < 2) {
            sqlite.db.exec(`
              CREATE TABLE IF NOT EXISTS partials (
                path TEXT PRIMARY KEY,
                temp TEXT NOT NULL,
                etag TEXT NOT NULL,
                remote_size INTEGER NOT NULL
              );
              PRAGMA user_version = 2;
            `);
          }
          if (version < 3) {
            // Entries from before the ctime was kept get 0: their files are hashed once on the
            // next scan and the journal learns their full identity (see localState).
            sqlite.db.exec(`
              ALTER TABLE entries ADD COLUMN local_ctime_ms REAL NOT NULL DEFAULT 0;
              PRAGMA user_version = 3;
            `);
          }
          if (version < 4) {
            // Small facts about the pair (when its server-side trash was last purged).
            sqlite.db.exec(`
              CREATE TABLE IF NOT EXISTS meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
              );
              PRAGMA user_version = 4;
            `);
          }
        },
      ),
    );
  }





  getMeta(key: string): string | null {
    this.flush();
    const row = this.sqlite.statement('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.flush();
    this.sqlite.statement('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  all(): JournalEntry[] {
    // Row by row (each()): the rows and the entries made of them are never all in memory together.
    return [...this.each()];
  }

  /**
   * Every entry, made one at a time as the caller asks for it, for a pass that keeps few of
   * them: a million entries are never in memory together. No other statement may run on the
   * journal until the iteration ends.
   */
  *each(): Generator<JournalEntry> {
    this.flush();
    for (const row of this.sqlite.statement('SELECT * FROM entries').iterate() as IterableIterator<EntryRow>) yield toEntry(row);
  }

  /** The files whose ETag on the server is not known yet (an upload answered without one). */
  filesWithoutEtag(): JournalEntry[] {
    this.flush();
    return (this.sqlite.statement("SELECT * FROM entries WHERE type = 'file' AND remote_etag IS NULL").all() as EntryRow[]).map(toEntry);
  }

  get(path: string): JournalEntry | null {
    this.flush();
    const row = this.sqlite.statement('SELECT * FROM entries WHERE path = ?').get(path) as EntryRow | undefined;
    return row ? toEntry(row) : null;
  }

  fileCount(): number {
    this.flush();
    return (this.sqlite.statement("SELECT count(*) AS n FROM entries WHERE type = 'file'").get() as { n: number }).n;
  }

  put(entry: JournalEntry): void {
    this.flush();
    this.writeEntry(entry);
  }

  private writeEntry(entry: JournalEntry): void {
    this.sqlite.statement(
        `INSERT OR REPLACE INTO entries (path, type, local_path, remote_path, local_size, local_mtime_ms, local_ctime_ms, local_ino,
           remote_etag, remote_size, remote_mtime_ms, hash)
         VALUES (@path, @type, @localPath, @remotePath, @localSize, @localMtimeMs, @localCtimeMs, @localIno,
           @remoteEtag, @remoteSize, @remoteMtimeMs, @hash)`,
      )
      .run(entry);
  }

  /** `path` and everything recorded below it. */
  subtree(path: string): JournalEntry[] {
    this.flush();
    return (this.sqlite.statement("SELECT * FROM entries WHERE path = ? OR substr(path, 1, length(?) + 1) = ? || '/'").all(path, path, path) as EntryRow[]).map(toEntry);
  }

  /**
   * `path` (and with `below`, everything recorded below it), each entry with its place in
   * `all()`'s order (the rowid). Found through the path index: no table scan.
   */
  entriesAt(path: string, below: boolean): Array<{ order: number; entry: JournalEntry }> {
    this.flush();
    const sql = below
      ? "SELECT rowid AS row_order, * FROM entries WHERE path = @path UNION ALL SELECT rowid AS row_order, * FROM entries WHERE path > @path || '/' AND path < @path || '0'"
      : 'SELECT rowid AS row_order, * FROM entries WHERE path = @path';
    const rows = this.sqlite.statement(sql).all({ path }) as Array<EntryRow & { row_order: number }>;
    return rows.map((row) => ({ order: row.row_order, entry: toEntry(row) }));
  }

  /** Every recorded path with its place in `all()`'s order, without making the entries. */
  pathsInOrder(): Array<[order: number, path: string]> {
    this.flush();
    return this.sqlite.statement('SELECT rowid, path FROM entries').raw(true).all() as Array<[number, string]>;
  }

  /** Removes `path` and everything recorded below it. */
  removeTree(path: string): void {
    this.flush();
    this.sqlite.statement('DELETE FROM entries WHERE path = ? OR substr(path, 1, length(?) + 1) = ? || \'/\'').run(path, path, path);
  }

  /**
   * Moves `from` and everything recorded below it to `to`, with the new spellings of the
   * moved entry on each side (its descendants keep their own names below those).
   */
  moveTree(from: string, to: string, localPath: string, remotePath: string): void {
    this.flush();
    const entries = this.subtree(from);
    const root = entries.find((entry) => entry.path === from);
    if (!root) return;
    this.removeTree(from);
    for (const entry of entries) {
      this.put({
        ...entry,
        path: to + entry.path.slice(from.length),
        localPath: localPath + entry.localPath.slice(root.localPath.length),
        remotePath: remotePath + entry.remotePath.slice(root.remotePath.length),
      });
    }
  }


  /**
   * Records a transfer about to start (one statement: its own transaction outside another).
   * A batch waiting for the same path goes in first; other paths' batched entries need not.
   */
  setPending(pending: PendingTransfer): void {
    if (this.batch.has(pending.path)) this.flush();
    this.sqlite.write(() =>
      this.sqlite.statement('INSERT OR REPLACE INTO pending (path, kind, entry) VALUES (?, ?, ?)').run(pending.path, pending.kind, JSON.stringify(pending.entry)),
    );
  }

  clearPending(path: string): void {
    this.flush();
    this.sqlite.statement('DELETE FROM pending WHERE path = ?').run(path);
  }

  pending(): PendingTransfer[] {
    this.flush();
    const rows = this.sqlite.statement('SELECT path, kind, entry FROM pending').all() as Array<{ path: string; kind: 'download' | 'upload'; entry: string }>;
    return rows.map((row) => ({ path: row.path, kind: row.kind, entry: JSON.parse(row.entry) as JournalEntry }));
  }

  setPartial(partial: PartialDownload): void {
    this.flush();
    this.sqlite.statement('INSERT OR REPLACE INTO partials (path, temp, etag, remote_size) VALUES (?, ?, ?, ?)')
      .run(partial.path, partial.temp, partial.etag, partial.remoteSize);
  }

  clearPartial(path: string): void {
    this.flush();
    this.sqlite.statement('DELETE FROM partials WHERE path = ?').run(path);
  }

  partials(): PartialDownload[] {
    this.flush();
    return this.sqlite.statement('SELECT path, temp, etag, remote_size AS remoteSize FROM partials').all() as PartialDownload[];
  }

  addConflict(path: string, copy: string, createdAt: number): void {
    this.flush();
    this.sqlite.statement('INSERT INTO conflicts (path, copy, created_at) VALUES (?, ?, ?)').run(path, copy, createdAt);
  }

  /** One conflict, open or resolved; null when there is none with that id. */
  conflict(id: number): ConflictRecord | null {
    this.flush();
    const row = this.sqlite.statement('SELECT id, path, copy, created_at AS createdAt, state FROM conflicts WHERE id = ?').get(id) as ConflictRecord | undefined;
    return row ?? null;
  }

  /** Marks an open conflict resolved; false when it was not open. */
  resolveConflict(id: number): boolean {
    this.flush();
    return this.sqlite.statement("UPDATE conflicts SET state = 'resolved' WHERE id = ? AND state = 'open'").run(id).changes > 0;
  }

  openConflicts(): ConflictRecord[] {
    this.flush();
    const rows = this.sqlite.statement("SELECT id, path, copy, created_at AS createdAt, state FROM conflicts WHERE state = 'open' ORDER BY id")
      .all() as ConflictRecord[];
    return rows;
  }

  /**
   * Records a finished upload, and clears its pending row, with the next batch (see the top of
   * this file). Only for a path whose pending row is in the journal: until the batch is in, that
   * row is what a kill leaves, and the next run adopts the upload from it. A second entry for
   * the same path replaces the first, as a second `put` would. Answers how many entries wait.
   */
  putAfterPending(entry: JournalEntry): number {
    this.batch.set(entry.path, entry);
    return this.batch.size;
  }

  /** Entries waiting for the next flush. */
  get batched(): number {
    return this.batch.size;
  }

  /**
   * Writes the batch: its entries and the removal of their pending rows, in one transaction.
   * When that fails (a full disk), the batch is dropped and the error thrown: the pending rows
   * stay, as after a kill.
   */
  flush(): void {
    if (this.batch.size === 0) return;
    const entries = [...this.batch.values()];
    this.batch.clear();
    this.sqlite.transaction(() => {
      for (const entry of entries) {
        this.writeEntry(entry);
        this.sqlite.statement('DELETE FROM pending WHERE path = ?').run(entry.path);
      }
    });
  }

  /** Writes the batch, then closes the file. A batch that cannot be written is left to the pending rows. */
  close(): void {
    try {
      this.flush();
    } catch {
      // The pending rows are in the file: the next run adopts these uploads from them.
    } finally {
      this.sqlite.close();
    }
  }

  /** Runs `work` in one transaction: all of it is recorded, or none. The batch goes in before. */
  transaction<T>(work: () => T): T {
    this.flush();
    return this.sqlite.transaction(work);
  }
}
