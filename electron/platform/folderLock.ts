/**
 * One sync at a time per local folder, whoever runs it (the app, `terasync sync`, with any
 * `--state` folder): the folder itself carries the lock, a small SQLite file `.terasync-lock`
 * in its root, held with an exclusive lock of the operating system (fcntl on Linux and macOS,
 * LockFileEx on Windows, through SQLite's `locking_mode = EXCLUSIVE`). The OS drops that lock
 * when the process ends however it ends (kill -9, a crash, a power cut), so a lock is never
 * stale: a leftover file is taken over by the next run. Beside it, `.terasync-lock.json` says
 * who holds it (program, process, computer, since when), for the message of a refused run.
 *
 * Both names start with `.terasync-`, which the built-in ignore rules leave out on both sides:
 * they are never synced, never backed up, never counted as a change. Both are removed when
 * the lock is released.
 *
 * A folder that does not exist yet cannot carry a lock: `ensure()` takes it once the folder
 * exists (the first sync creates it). A folder the lock cannot be written into (read-only)
 * is synced without it, with one warning: the journal still keeps out a second run of the
 * same pair.
 */
import Database from 'better-sqlite3';
import { readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { systemClock, type WallClock } from '../core/time.js';
import { LOCK_FILE, LOCK_HOLDER_FILE } from '../sync/ignoreRules.js';
import type { FolderGuard } from '../sync/ports.js';

/** Who holds a folder's lock, as `.terasync-lock.json` tells it. */
export interface LockHolder {
  /** "terasync sync", "the TeraSync app" */
  program: string;
  pid: number;
  host: string;
  /** ms since the epoch */
  since: number;
}

/** Another process syncs this folder: the run is refused before it changes anything. */
export class FolderBusyError extends TeraSyncError {
  readonly folder: string;
  readonly holder: LockHolder | null;

  constructor(folder: string, holder: LockHolder | null, cause?: unknown) {
    super(ErrorCode.LocalIo, busyMessage(folder, holder), { cause });
    this.folder = folder;
    this.holder = holder;
  }
}

function busyMessage(folder: string, holder: LockHolder | null): string {
  const who =
    holder === null
      ? `Another TeraSync run is syncing the folder ${folder} (it holds ${join(folder, LOCK_FILE)})`
      : `${holder.program === 'the TeraSync app' ? 'The TeraSync app' : `Another TeraSync run (${holder.program})`} is syncing the folder ${folder}: ` +
        `process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}, since ${new Date(holder.since).toLocaleString()}`;
  return `${who}. Only one sync at a time may change a folder: wait for that one to end, or stop it (Ctrl-C, or remove or pause the folder in the app), then sync again.`;
}

export interface FolderLockOptions {
  /** Who takes the lock, as a refused run names it: "terasync sync", "the TeraSync app". */
  program: string;
  /** Told once when the folder cannot carry the lock (read-only): the run goes on without it. */
  warn?: (message: string) => void;
  /** process.platform unless told. */
  platform?: string;
  /** When the lock was taken, as a refused run names it. Default: systemClock. */
  clock?: WallClock;
}

interface Held {
  db: Database.Database;
  /** The lock file's identity when taken: a folder removed and made again has a new one. */
  dev: number;
  ino: number;
}

export class FolderLock implements FolderGuard {
  readonly folder: string;
  private readonly options: FolderLockOptions;
  private holding: Held | null = null;
  private warned = false;

  constructor(folder: string, options: FolderLockOptions) {
    this.folder = folder;
    this.options = options;
  }

  get held(): boolean {
    return this.holding !== null;
  }

  /**
   * Holds the lock from here on, or throws FolderBusyError when another process holds it.
   * Cheap when held already (one stat): a lock whose file went with its folder (removed, or
   * moved away) is let go, and taken again in the folder now at that path. Answers whether the
   * lock is held: false while the folder is missing or cannot carry it.
   */
  ensure(): boolean {
    if (this.holding !== null) {
      const now = identity(join(this.folder, LOCK_FILE));
      if (now !== null && now.dev === this.holding.dev && now.ino === this.holding.ino) return true;
      this.holding.db.close();
      this.holding = null;
    }
    if (!isFolder(this.folder)) return false;
    // A file unlinked by its holder between our open and our lock would be held by nobody
    // else: take the lock, then check the name still leads to the file locked; else again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const file = join(this.folder, LOCK_FILE);
      const before = identity(file);
      let db: Database.Database;
      try {
        db = lockFile(file);
      } catch (error) {
        if (isBusy(error)) throw new FolderBusyError(this.folder, this.readHolder(), error);
        if (isNotADatabase(error)) {
          // Not our file, or a broken one: ours by its name, so replaced.
          try {
            unlinkSync(file);
          } catch {
            // Tried again below; the next attempt reports what is wrong.
          }
          continue;
        }
        this.warnOnce(error);
        return false;
      }
      const after = identity(file);
      if (after === null || (before !== null && (before.dev !== after.dev || before.ino !== after.ino))) {
        db.close();
        continue;
      }
      this.holding = { db, dev: after.dev, ino: after.ino };
      this.writeHolder();
      return true;
    }
    this.warnOnce(new Error(`${join(this.folder, LOCK_FILE)} kept changing while it was taken`));
    return false;
  }

  /** Lets the lock go and removes its files; nothing when not held. */
  release(): void {
    const holding = this.holding;
    if (holding === null) return;
    this.holding = null;
    const file = join(this.folder, LOCK_FILE);
    const still = identity(file);
    const ours = still !== null && still.dev === holding.dev && still.ino === holding.ino;
    // Removed while still held, so that nobody takes a file that is about to go; Windows
    // removes no open file, so there it goes after the close (a file someone opened since
    // stays, and is taken over by the next run).
    if (ours) removeQuietly(join(this.folder, LOCK_HOLDER_FILE));
    if (ours && (this.options.platform ?? process.platform) !== 'win32') removeQuietly(file);
    holding.db.close();
    if (ours && (this.options.platform ?? process.platform) === 'win32') removeQuietly(file);
  }

  private readHolder(): LockHolder | null {
    try {
      const parsed = JSON.parse(readFileSync(join(this.folder, LOCK_HOLDER_FILE), 'utf8')) as Partial<LockHolder>;
      if (typeof parsed.program !== 'string' || typeof parsed.pid !== 'number' || typeof parsed.host !== 'string' || typeof parsed.since !== 'number') return null;
      return { program: parsed.program, pid: parsed.pid, host: parsed.host, since: parsed.since };
    } catch {
      return null;
    }
  }

  private writeHolder(): void {
    const holder: LockHolder = { program: this.options.program, pid: process.pid, host: hostname(), since: (this.options.clock ?? systemClock).now() };
    try {
      writeFileSync(join(this.folder, LOCK_HOLDER_FILE), `${JSON.stringify(holder)}\n`);
    } catch {
      // Only the message of a refused run misses it: that one says less.
    }
  }

  private warnOnce(error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    const reason = error instanceof Error ? error.message : String(error);
    this.options.warn?.(
      `cannot place the lock file ${join(this.folder, LOCK_FILE)} (${reason}): this sync goes on, but another one on this folder with a different state folder would not be kept out`,
    );
  }
}

/** Opens `file` and takes SQLite's exclusive lock on it for as long as the connection lives. */
function lockFile(file: string): Database.Database {
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // No rollback journal on disk: the file stays the only one.
    db.pragma('journal_mode = MEMORY');
    // A write takes the exclusive lock, which EXCLUSIVE mode keeps until the close.
    db.exec('BEGIN EXCLUSIVE');
    db.pragma('user_version = 1');
    db.exec('COMMIT');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function sqliteCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : '';
}

function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

function isNotADatabase(error: unknown): boolean {
  return sqliteCode(error) === 'SQLITE_NOTADB' || sqliteCode(error) === 'SQLITE_CORRUPT';
}

function identity(file: string): { dev: number; ino: number } | null {
  try {
    const stats = statSync(file);
    return { dev: stats.dev, ino: stats.ino };
  } catch {
    return null;
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Gone already, or kept by the OS: a leftover is taken over by the next run.
  }
}
