/**
 * The backup screen's history: the latest runs (newest first, at most maxBackupHistory), kept
 * in backup-history.json in the app's data folder so that it outlives a restart. What it holds
 * is a summary the window shows, never anything it would need to restore; so a damaged file is
 * set aside and the history starts again, and a write that fails is logged, never thrown into
 * the backup that just ran.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { maxBackupHistory } from '../../shared/ipc/contract.js';
import { validateBackupState } from '../../shared/ipc/schemas.js';
import type { BackupRunView } from '../../shared/types.js';
import type { Logger } from '../core/logger.js';

export const backupHistoryFileName = 'backup-history.json';
const formatVersion = 1;

export class BackupHistory {
  private runs: BackupRunView[] = [];
  private loaded: Promise<void> | null = null;
  private writing: Promise<void> = Promise.resolve();
  private readonly file: string;

  constructor(
    folder: string,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {
    this.file = path.join(folder, backupHistoryFileName);
  }

  /** Newest first. */
  async list(): Promise<BackupRunView[]> {
    await this.load();
    return [...this.runs];
  }

  async add(run: BackupRunView): Promise<void> {
    await this.load();
    this.runs = [run, ...this.runs].slice(0, maxBackupHistory);
    const text = `${JSON.stringify({ version: formatVersion, runs: this.runs }, null, 2)}\n`;
    this.writing = this.writing.then(() => this.write(text));
    await this.writing;
  }

  private load(): Promise<void> {
    this.loaded ??= this.read();
    return this.loaded;
  }

  private async read(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn(`backup history: ${(error as Error).message}`);
      return;
    }
    try {
      const json = JSON.parse(text) as { version?: unknown; runs?: unknown };
      // The same rules as what the window accepts: a run that breaks them is not shown.
      const checked = validateBackupState({ running: null, history: json.runs });
      if (json.version !== formatVersion || !checked.ok) throw new Error(checked.ok ? `unknown format ${String(json.version)}` : checked.error.message);
      this.runs = checked.value.history;
    } catch (error) {
      const aside = `${this.file}.corrupt-${this.now()}`;
      this.logger.warn(`backup history: ${(error as Error).message}; moved to ${aside}, starting a new one`);
      await rename(this.file, aside).catch(() => undefined);
    }
  }

  private async write(text: string): Promise<void> {
    const temp = `${this.file}.tmp`;
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
      await writeFile(temp, text, 'utf8');
      await rename(temp, this.file);
    } catch (error) {
      this.logger.warn(`backup history could not be saved: ${(error as Error).message}`);
    }
  }
}
