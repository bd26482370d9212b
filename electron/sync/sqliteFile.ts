/**
 * What the sync journal and the backup journal share: one SQLite file per pair (or backup
 * area), opened for this process alone, its statements prepared once, one transaction
 * wrapper, and a schema version a newer TeraSync may have raised.
 */
import Database from 'better-sqlite3';
import { mkdirSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { formatBytes } from '../../shared/format.js';

type Statement = Database.Statement<unknown[], unknown>;

export interface SqliteFileWords {
  /** "the sync journal" */
  what: string;
  /** The message when another process holds the file. */
  busy: string;
}

/**
 * The file could not be written because its disk is full. Nothing after it can be recorded, so
 * a sync run stops at once (the executor treats it as fatal) instead of failing every file.
 */
export class StateDiskFullError extends TeraSyncError {}

/** Free space below which SQLite's "disk I/O error" is taken for a full disk. */
const NEARLY_FULL_BYTES = 1024 * 1024;

/**
 * A full disk under a SQLite file, said as such: SQLITE_FULL, or an I/O error (SQLite reports
 * a failed write of its WAL or shared memory that way) on a disk with almost nothing free.
 */
export function diskFullError(what: string, file: string, error: unknown): StateDiskFullError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN')) return null;
  const folder = dirname(file);
  let free: number | null = null;
  try {
    const info = statfsSync(folder);
    free = info.bavail * info.bsize;
  } catch {
    // Unknown: only SQLite's own word then.
  }
  if (code !== 'SQLITE_FULL' && (free === null || free >= NEARLY_FULL_BYTES)) return null;
  return new StateDiskFullError(
    ErrorCode.LocalIo,
    `Cannot write ${what} (${file}): the disk is full${free !== null ? ` (${formatBytes(free)} free on it)` : ''}. ` +
      `Free up space on that disk, then sync again. Nothing was lost: what was not recorded is looked at again next run.`,
    { cause: error },
  );
}

export class SqliteFile {
  readonly db: Database.Database;
  private readonly statements = new Map<string, Statement>();
  /** One wrapper for every transaction (better-sqlite3 nests them as savepoints). */
  private readonly runInTransaction: (work: () => unknown) => unknown;

  private constructor(
    db: Database.Database,
    private readonly file: string,
    private readonly what: string,
  ) {
    this.db = db;
    this.runInTransaction = db.transaction((work: () => unknown) => work());
  }

  /**
   * Opens (or creates) `file` and takes it for this process alone: a second process fails here
   * (with `words.busy`) instead of racing the first. Then `migrate` runs with the schema
   * version found; it throws (and the file is closed, unlocked) for one it cannot read.
   */
  static open(file: string, words: SqliteFileWords, migrate: (sqlite: SqliteFile, version: number) => void): SqliteFile {
    let db: Database.Database | undefined;
    try {
      mkdirSync(dirname(file), { recursive: true });
      db = new Database(file, { timeout: 1000 });
      db.pragma('journal_mode = WAL');
      // WAL with NORMAL survives a killed process (the case that matters here); a power cut
      // may lose the last transactions but never corrupts the file.
      db.pragma('synchronous = NORMAL');
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE; COMMIT;');
    } catch (error) {
      db?.close();
      const full = diskFullError(words.what, file, error);
      if (full) throw full;
      const busy = error instanceof Error && /locked|busy/i.test(error.message);
      throw new TeraSyncError(
        ErrorCode.LocalIo,
        busy ? words.busy : `Cannot open ${words.what} ${file}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    const sqlite = new SqliteFile(db, file, words.what);
    try {
      migrate(sqlite, db.pragma('user_version', { simple: true }) as number);
    } catch (error) {
      // A refused file must not stay locked by this process.
      db.close();
      throw error;
    }
    return sqlite;
  }

  /** Throws Configuration when `version` is newer than what this TeraSync reads. */
  static refuseNewer(version: number, supported: number, what: string): void {
    if (version > supported) {
      throw new TeraSyncError(ErrorCode.Configuration, `${what} was written by a newer TeraSync. Update TeraSync.`);
    }
  }

  /**
   * Prepared once per file: preparing is most of the cost of a one-row statement, and an
   * upload runs several (measured in `npm run bench`, 20,000 files).
   */
  statement(sql: string): Statement {
    let prepared = this.statements.get(sql);
    if (prepared === undefined) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  /**
   * Runs `work` (one statement, atomic on its own) outside a transaction of ours, with a full
   * disk said as `transaction` says it.
   */
  write<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw diskFullError(this.what, this.file, error) ?? error;
    }
  }

  /** Runs `work` in one transaction: all of it is recorded, or none. */
  transaction<T>(work: () => T): T {
    try {
      return this.runInTransaction(work) as T;
    } catch (error) {
      throw diskFullError(this.what, this.file, error) ?? error;
    }
  }

  close(): void {
    this.db.close();
  }
}
