/**
 * The backup screen's history: the latest runs (newest first, at most maxBackupHistory), kept
 * in backup-history.json in the app's data folder so that it outlives a restart. What it holds
 * is a summary the window shows, never anything it would need to restore; so a damaged file is
 * set aside and the history starts again, and a write that fails is logged, never thrown into
 * the backup that just ran.
 */
import path from 'node:path';
import { maxBackupHistory } from '../../shared/ipc/contract.js';
import { validateBackupState } from '../../shared/ipc/schemas.js';
import type { BackupRunView } from '../../shared/types.js';
import type { Logger } from '../core/logger.js';
import type { WallClock } from '../core/time.js';
import { HistoryFile } from './HistoryFile.js';

export const backupHistoryFileName = 'backup-history.json';
const formatVersion = 1;

export class BackupHistory {
  private runs: BackupRunView[] = [];
  private loaded: Promise<void> | null = null;
  private readonly history: HistoryFile<BackupRunView[]>;

  constructor(folder: string, logger: Logger, clock: WallClock) {
    this.history = new HistoryFile({
      file: path.join(folder, backupHistoryFileName),
      what: 'backup history',
      logger,
      clock,
      parse: (value) => {
        const json = value as { version?: unknown; runs?: unknown };
        // The same rules as what the window accepts: a run that breaks them is not shown.
        const checked = validateBackupState({ running: null, history: json.runs });
        if (json.version !== formatVersion || !checked.ok) throw new Error(checked.ok ? `unknown format ${String(json.version)}` : checked.error.message);
        return checked.value.history;
      },
    });
  }

  /** Newest first. */
  async list(): Promise<BackupRunView[]> {
    await this.load();
    return [...this.runs];
  }

  async add(run: BackupRunView): Promise<void> {
    await this.load();
    this.runs = [run, ...this.runs].slice(0, maxBackupHistory);
    await this.history.save({ version: formatVersion, runs: this.runs }, 2);
  }

  private load(): Promise<void> {
    this.loaded ??= this.history.load().then((saved) => {
      if (saved !== null) this.runs = saved;
    });
    return this.loaded;
  }
}
