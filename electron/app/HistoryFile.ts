/**
 * A small JSON file the app keeps a history in (the activity history, the backup history):
 * read once, on first use; written whole, atomically (a temporary file renamed over the old
 * one, so a crash mid-write leaves the previous file, never half of one), one write after the
 * other. What such a file holds is a record for the user, nothing a sync or a backup needs, so
 * nothing here throws: a file that cannot be read is logged and the history starts empty, a
 * damaged one is moved aside (`<file>.corrupt-<time>`) and the history starts again, and a
 * write that fails is logged.
 */
import * as fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/logger.js';
import type { WallClock } from '../core/time.js';

/** The file operations a history uses; tests put faults in them. */
export interface HistoryFileSystem {
  readFile(file: string, encoding: 'utf8'): Promise<string>;
  writeFile(file: string, text: string, encoding: 'utf8'): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(folder: string, options: { recursive: true }): Promise<unknown>;
}

export const nodeHistoryFileSystem: HistoryFileSystem = {
  readFile: (file, encoding) => fs.readFile(file, encoding),
  writeFile: (file, text, encoding) => fs.writeFile(file, text, encoding),
  rename: (from, to) => fs.rename(from, to),
  mkdir: (folder, options) => fs.mkdir(folder, options),
};

export interface HistoryFileOptions<T> {
  file: string;
  /** What the file is, at the start of its log lines: "activity history". */
  what: string;
  logger: Logger;
  /** The time in the name of a damaged file moved aside. */
  clock: WallClock;
  fileSystem?: HistoryFileSystem;
  /** What the parsed JSON holds; throws (any Error, its message logged) when it is not right. */
  parse(json: unknown): T;
}

export class HistoryFile<T> {
  private loaded: Promise<T | null> | null = null;
  private writing: Promise<void> = Promise.resolve();
  private readonly fs: HistoryFileSystem;

  constructor(private readonly options: HistoryFileOptions<T>) {
    this.fs = options.fileSystem ?? nodeHistoryFileSystem;
  }

  get file(): string {
    return this.options.file;
  }

  /** What the file held when first asked (the same answer after): null when there was none to use. */
  load(): Promise<T | null> {
    this.loaded ??= this.read();
    return this.loaded;
  }

  /** Writes `json` after any write before it; resolves once written (or the failure logged). */
  save(json: unknown, indent?: number): Promise<void> {
    const text = `${JSON.stringify(json, null, indent)}\n`;
    this.writing = this.writing.then(() => this.write(text));
    return this.writing;
  }

  private async read(): Promise<T | null> {
    const { file, what, logger } = this.options;
    let text: string;
    try {
      text = await this.fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn(`${what}: ${(error as Error).message}`);
      return null;
    }
    try {
      return this.options.parse(JSON.parse(text));
    } catch (error) {
      const aside = `${file}.corrupt-${this.options.clock.now()}`;
      logger.warn(`${what}: ${(error as Error).message}; moved to ${aside}, starting a new one`);
      await this.fs.rename(file, aside).catch(() => undefined);
      return null;
    }
  }

  private async write(text: string): Promise<void> {
    const temp = `${this.options.file}.tmp`;
    try {
      await this.fs.mkdir(path.dirname(this.options.file), { recursive: true });
      await this.fs.writeFile(temp, text, 'utf8');
      await this.fs.rename(temp, this.options.file);
    } catch (error) {
      this.options.logger.warn(`${this.options.what} could not be saved: ${(error as Error).message}`);
    }
  }
}
