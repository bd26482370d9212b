/**
 * The server's folders outside a pair's runs: the folder browser, how much a folder holds, the
 * dry run of a new pair, the free space of a local folder, and each pair's deleted files (its
 * server-side trash, electron/sync/remoteTrash.ts). Each call opens its own store and closes it.
 */
import path from 'node:path';
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../../shared/errors.js';
import type { DeletedFilesUsage, LocalFreeSpace, PairDeletedFiles, PairPreview, RemoteFolderListing, RemoteFolderSize, RestoredDeletedEntry } from '../../../shared/types.js';
import { notSignedIn, type AccountService, type Connection } from '../../auth/AccountService.js';
import type { Logger } from '../../core/logger.js';
import { Journal } from '../../sync/journal.js';
import type { Platform } from '../../sync/names.js';
import { previewSync } from '../../sync/preview.js';
import { RemoteTrash } from '../../sync/remoteTrash.js';
import type { WebDavRemoteStore } from '../../webdav/WebDavRemoteStore.js';
import { localFreeSpace, measureRemoteFolder } from '../folderMeasures.js';
import { resolveRemoteFolder, type PairSettings } from '../settings.js';
import type { SettingsStore } from '../SettingsStore.js';
import { openRemoteStore } from './remoteStore.js';

export interface RemoteFolderServiceDeps {
  settings: SettingsStore;
  accounts: AccountService;
  logger: Logger;
  platform: Platform;
  ca?: string;
  /** Parallel transfers of a pair. */
  concurrency: () => number;
  /** Syncs a pair now when it runs and is not paused. */
  syncIfRunning: (pairId: string) => void;
}

export class RemoteFolderService {
  constructor(private readonly deps: RemoteFolderServiceDeps) {}

  // Deleted files (each pair's server-side trash) ---------------------------------------------

  /** Every pair's trash: its runs and their files; a pair whose trash cannot be listed says why. */
  async deletedFiles(): Promise<PairDeletedFiles[]> {
    const pairs = this.deps.settings.current.pairs;
    if (pairs.length === 0) return [];
    const connection = await this.deps.accounts.connect();
    const all: PairDeletedFiles[] = [];
    for (const pair of pairs) {
      try {
        const runs = await this.withPairTrash(connection, pair, (trash) => trash.list());
        all.push({
          pairId: pair.id,
          runs: runs.map((run) => ({ runId: run.runId, deletedAt: run.deletedAt, files: run.files.map((file) => ({ path: file.path, size: file.size })), bytes: run.bytes })),
          bytes: runs.reduce((sum, run) => sum + run.bytes, 0),
          problem: null,
        });
      } catch (error) {
        all.push({ pairId: pair.id, runs: [], bytes: 0, problem: toTeraSyncError(error).toInfo() });
      }
    }
    return all;
  }

  /**
   * Moves a run of a pair's trash (or one file or folder of it) back where it was on the
   * server, never over anything (a taken name gives a restored copy), then syncs the pair so
   * that it comes back to this computer too.
   */
  async restoreDeletedFiles(pairId: string, runId: string, path: string | null): Promise<RestoredDeletedEntry[]> {
    const pair = this.pairSettings(pairId);
    const connection = await this.deps.accounts.connect();
    const restored = await this.withPairTrash(connection, pair, (trash) => trash.restore(runId, path));
    this.deps.syncIfRunning(pairId);
    return restored;
  }

  /** Deletes a run of a pair's trash for good. */
  async purgeDeletedFiles(pairId: string, runId: string): Promise<void> {
    const pair = this.pairSettings(pairId);
    const connection = await this.deps.accounts.connect();
    await this.withPairTrash(connection, pair, (trash) => trash.purgeRun(runId));
  }

  /** What the trash of every pair takes of the quota, and how long it keeps files. */
  async deletedFilesUsage(): Promise<DeletedFilesUsage> {
    const retentionDays = this.deps.settings.current.sync.deletedRetentionDays;
    const pairs = await this.deletedFiles();
    return { bytes: pairs.reduce((sum, pair) => sum + pair.bytes, 0), retentionDays };
  }

  private pairSettings(pairId: string): PairSettings {
    const pair = this.deps.settings.current.pairs.find((candidate) => candidate.id === pairId);
    if (pair === undefined) throw new TeraSyncError(ErrorCode.NotFound, 'That synced folder is not set up any more.');
    return pair;
  }

  private async withPairTrash<T>(connection: Connection, pair: PairSettings, work: (trash: RemoteTrash) => Promise<T>): Promise<T> {
    const remoteUrl = resolveRemoteFolder(pair.remoteFolder, connection.rootUrl);
    if (remoteUrl === null) throw notSignedIn();
    return this.withStore(connection, remoteUrl, 1, (remote) => work(new RemoteTrash(remote)));
  }

  /** The subfolders of a server folder below the account root, for the folder browser and selective sync. */
  async listRemoteFolders(folder: string): Promise<RemoteFolderListing> {
    const connection = await this.deps.accounts.connect();
    return this.withStore(connection, connection.rootUrl, 1, async (remote) => {
      const children = await remote.listChildren(folder);
      const folders = children
        .filter((entry) => entry.type === 'dir')
        .map((entry) => ({ name: entry.remotePath.split('/').pop() as string, path: entry.remotePath }))
        .sort((a, b) => a.name.localeCompare(b.name));
      return { path: folder, folders, files: children.filter((entry) => entry.type === 'file').length };
    });
  }

  /** How much a server folder holds, everything below it (bounded: see measureRemoteFolder), for selective sync in the set-up. */
  async measureRemoteFolder(folder: string): Promise<RemoteFolderSize> {
    const connection = await this.deps.accounts.connect();
    return this.withStore(connection, connection.rootUrl, 4, (remote) => measureRemoteFolder(remote, folder, { parallel: 4 }));
  }

  /** Free space on the disk of a local folder (which may not exist yet), for the set-up's preview. */
  async localFreeSpace(folder: string): Promise<LocalFreeSpace> {
    return localFreeSpace(folder);
  }

  /**
   * What the first sync of a new pair would do: a dry run of the real engine with an empty
   * journal (a new pair has none: removing a pair deletes its journal). Nothing is written on
   * either side, and no folder is created.
   */
  async previewPair(localFolder: string, remoteFolder: string, excludedFolders: readonly string[]): Promise<PairPreview> {
    const connection = await this.deps.accounts.connect();
    const remoteUrl = resolveRemoteFolder(remoteFolder, connection.rootUrl);
    if (remoteUrl === null) throw notSignedIn();
    const settings = this.deps.settings.current;
    return this.withStore(connection, remoteUrl, this.deps.concurrency(), async (remote) => {
      const journal = Journal.open(':memory:');
      try {
        return await previewSync({
          localRoot: path.resolve(localFolder),
          remote,
          journal,
          logger: this.deps.logger,
          platform: this.deps.platform,
          ignorePatterns: settings.sync.ignorePatterns,
          excludedFolders,
        });
      } finally {
        journal.close();
      }
    });
  }

  /** Runs `work` on a store on `url` with the connection's sign-in and CA, closed when it ends. */
  private async withStore<T>(connection: Connection, url: string, concurrency: number, work: (remote: WebDavRemoteStore) => Promise<T>): Promise<T> {
    const remote = openRemoteStore(connection, url, concurrency, { ca: this.deps.ca, logger: this.deps.logger });
    try {
      return await work(remote);
    } finally {
      await remote.dispose();
    }
  }
}
