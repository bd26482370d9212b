/**
 * The app's log: a Logger that writes one JSON object per line to `<appData>/logs/terasync.log`
 *
 *   {"time":"2026-11-28T14:05:00.000Z","level":"info","message":"Sync done","fields":{"pair":"3f2a…"}}
 *
 * - Every message and every field goes through `redactingLogger` (SecretRedactor) first: known
 *   secrets, bearer tokens, BASIC credentials and secret-named fields never reach the disk.
 * - Rotation by size: a line that would take the file past `maxBytes` first moves
 *   terasync.log to terasync.log.1 (.1 to .2, ..., the oldest beyond `keep` is dropped).
 * - Logging never throws into the caller and never waits: lines are queued and appended in
 *   order in the background. When writing fails, one notice goes to stderr (again only after a
 *   write has worked in between), the lines are dropped, and the first line written afterwards
 *   says how many were lost. When rotating fails, the file goes on growing (one notice too). `flush()` waits for the queue; `dispose()` flushes and stops.
 */
import { appendFile, mkdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { redactingLogger, type SecretRedactor } from '../auth/redact.js';
import type { Logger } from '../core/logger.js';
import { systemClock, type WallClock } from '../core/time.js';

export const LOG_FOLDER_NAME = 'logs';
export const LOG_FILE_NAME = 'terasync.log';
export const DEFAULT_MAX_LOG_BYTES = 5 * 1024 * 1024;
export const DEFAULT_KEPT_LOG_FILES = 5;
/** Lines waiting beyond this (the disk stalls) are dropped rather than held in memory. */
const MAX_PENDING_LINES = 10_000;

export type LogLevel = keyof Logger;

const LEVEL_ORDER: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

/** `<appData>/logs`: what the window's "Open log folder" opens. */
export function logFolderPath(appDataFolder: string): string {
  return path.join(appDataFolder, LOG_FOLDER_NAME);
}

export interface LogFileSystem {
  appendFile(filePath: string, text: string): Promise<void>;
  /** The file's size in bytes; 0 when it does not exist. */
  size(filePath: string): Promise<number>;
  /** Moves `from` over `to`; a missing `from` is success (nothing to move). */
  rename(from: string, to: string): Promise<void>;
  /** A missing file is success. */
  unlink(filePath: string): Promise<void>;
  mkdir(folder: string): Promise<void>;
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}

export const nodeLogFileSystem: LogFileSystem = {
  appendFile: (filePath, text) => appendFile(filePath, text, { encoding: 'utf8', mode: 0o600 }),
  size: (filePath) =>
    stat(filePath).then(
      (stats) => stats.size,
      (error: NodeJS.ErrnoException) => {
        ignoreMissing(error);
        return 0;
      },
    ),
  rename: (from, to) => rename(from, to).catch(ignoreMissing),
  unlink: (filePath) => unlink(filePath).catch(ignoreMissing),
  mkdir: async (folder) => {
    await mkdir(folder, { recursive: true });
  },
};

export interface LogFileDeps {
  redactor: SecretRedactor;
  fileSystem?: LogFileSystem;
  /** Each line's time. Default: systemClock. */
  clock?: WallClock;
  /** Where the notice goes when the log cannot be written. Default: process.stderr. */
  stderr?: (text: string) => void;
}

export interface LogFileOptions {
  /** Rotate before a line would take the file past this size. Default 5 MB. */
  maxBytes?: number;
  /** How many rotated files to keep (terasync.log.1 ... .keep). Default 5. */
  keep?: number;
  /** Lines below this level are not written. Default 'info'. */
  level?: LogLevel;
}

export class LogFile implements Logger {
  readonly file: string;
  private readonly folder: string;
  private readonly fileSystem: LogFileSystem;
  private readonly clock: WallClock;
  private readonly stderr: (text: string) => void;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly minimumLevel: number;
  private readonly redactor: SecretRedactor;
  private readonly redacted: Logger;

  private pending: string[] = [];
  private writing: Promise<void> | null = null;
  /** Bytes in the current file as far as we know; null until asked (or after a failed write). */
  private size: number | null = null;
  private folderReady = false;
  private failing = false;
  private rotationFailing = false;
  private lostLines = 0;
  private disposed = false;

  constructor(appDataFolder: string, deps: LogFileDeps, options: LogFileOptions = {}) {
    this.folder = logFolderPath(appDataFolder);
    this.file = path.join(this.folder, LOG_FILE_NAME);
    this.fileSystem = deps.fileSystem ?? nodeLogFileSystem;
    this.clock = deps.clock ?? systemClock;
    this.stderr = deps.stderr ?? ((text) => void process.stderr.write(text));
    this.maxBytes = Math.max(1, options.maxBytes ?? DEFAULT_MAX_LOG_BYTES);
    this.keep = Math.max(1, Math.floor(options.keep ?? DEFAULT_KEPT_LOG_FILES));
    this.minimumLevel = LEVEL_ORDER[options.level ?? 'info'];
    const raw: Logger = {
      debug: (message, fields) => this.enqueue('debug', message, fields),
      info: (message, fields) => this.enqueue('info', message, fields),
      warn: (message, fields) => this.enqueue('warn', message, fields),
      error: (message, fields) => this.enqueue('error', message, fields),
    };
    this.redactor = deps.redactor;
    this.redacted = redactingLogger(raw, deps.redactor);
  }

  /** The folder holding the log files, for the window's "Open log folder". */
  logFolder(): string {
    return this.folder;
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.log('debug', message, fields);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.log('info', message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.log('warn', message, fields);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.log('error', message, fields);
  }

  /** Resolves when every line logged so far has been written (or given up on). */
  async flush(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  /** Writes what is queued; later lines are ignored. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.flush();
  }

  private log(level: LogLevel, message: string, fields: Record<string, unknown> | undefined): void {
    if (this.disposed || LEVEL_ORDER[level] < this.minimumLevel) return;
    try {
      this.redacted[level](message, fields);
    } catch (error) {
      // Redacting walks the fields; a getter that throws must not reach the caller. The
      // message alone is still worth a line.
      try {
        this.redacted[level](message, { fieldsUnavailable: messageOf(error) });
      } catch {
        this.lostLines++;
      }
    }
  }

  private enqueue(level: LogLevel, message: string, fields: Record<string, unknown> | undefined): void {
    if (this.pending.length >= MAX_PENDING_LINES) {
      this.lostLines++;
      return;
    }
    this.pending.push(this.format(level, message, fields));
    if (this.writing === null) this.writing = this.drain();
  }

  private format(level: LogLevel, message: string, fields: Record<string, unknown> | undefined): string {
    const time = new Date(this.clock.now());
    const entry: Record<string, unknown> = { time: Number.isNaN(time.getTime()) ? null : time.toISOString(), level, message };
    if (fields !== undefined) entry['fields'] = fields;
    try {
      return `${JSON.stringify(entry, jsonReplacer)}\n`;
    } catch (error) {
      entry['fields'] = `[fields could not be written: ${messageOf(error)}]`;
      return `${JSON.stringify(entry)}\n`;
    }
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const lines = this.pending;
        this.pending = [];
        await this.writeLines(lines);
      }
    } finally {
      // Runs in the same turn as the last emptiness check, so a line queued after it starts
      // a new drain instead of waiting for one that is over.
      this.writing = null;
    }
  }

  private async writeLines(lines: string[]): Promise<void> {
    if (this.lostLines > 0) {
      lines.unshift(this.format('warn', `${this.lostLines} earlier log lines could not be written and were dropped`, undefined));
      this.lostLines = 0;
    }
    if (!(await this.prepare())) {
      this.lostLines += lines.length;
      return;
    }
    let chunk = '';
    let chunkBytes = 0;
    let chunkLines = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line);
      const used = (this.size ?? 0) + chunkBytes;
      if (used > 0 && used + bytes > this.maxBytes) {
        await this.append(chunk, chunkBytes, chunkLines);
        chunk = '';
        chunkBytes = 0;
        chunkLines = 0;
        await this.rotate();
      }
      chunk += line;
      chunkBytes += bytes;
      chunkLines++;
    }
    await this.append(chunk, chunkBytes, chunkLines);
  }

  /** Makes the folder and learns the file's size; false when that failed (reported). */
  private async prepare(): Promise<boolean> {
    try {
      if (!this.folderReady) {
        await this.fileSystem.mkdir(this.folder);
        this.folderReady = true;
      }
      if (this.size === null) this.size = await this.fileSystem.size(this.file);
      return true;
    } catch (error) {
      this.reportFailure(`could not open its log file ${this.file}`, error);
      return false;
    }
  }

  private async append(chunk: string, bytes: number, lines: number): Promise<void> {
    if (chunk === '') return;
    try {
      await this.fileSystem.appendFile(this.file, chunk);
      this.size = (this.size ?? 0) + bytes;
      this.failing = false;
    } catch (error) {
      // Part of the chunk may be on disk: ask the disk again next time.
      this.size = null;
      this.folderReady = false;
      this.lostLines += lines;
      this.reportFailure(`could not write its log file ${this.file}`, error);
    }
  }

  private async rotate(): Promise<void> {
    try {
      await this.fileSystem.unlink(`${this.file}.${this.keep}`);
      for (let index = this.keep - 1; index >= 1; index--) {
        await this.fileSystem.rename(`${this.file}.${index}`, `${this.file}.${index + 1}`);
      }
      await this.fileSystem.rename(this.file, `${this.file}.1`);
      this.rotationFailing = false;
    } catch (error) {
      // Go on in the same file; the next rotation is due after another `maxBytes`.
      if (!this.rotationFailing) {
        this.rotationFailing = true;
        this.tellStderr(`TeraSync could not rotate its log file ${this.file}: ${messageOf(error)}. The file grows until rotating works again.\n`);
      }
    }
    this.size = 0;
  }

  private reportFailure(what: string, error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.tellStderr(`TeraSync ${what}: ${messageOf(error)}. Log lines are dropped until writing works again.\n`);
  }

  private tellStderr(text: string): void {
    try {
      this.stderr(this.redactor.redact(text));
    } catch {
      // Nowhere left to tell.
    }
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
