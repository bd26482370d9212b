/**
 * A backup test's world: a temp folder with the sources and the state, a device name of its
 * own (so tests on one server never see each other's backups), and runs of the engine and of
 * the restore that open the store and the journal anew each time, like separate runs of the
 * command.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BackupEngine, type BackupRunOptions, type BackupSource } from '../../../electron/backup/BackupEngine.js';
import { BackupJournal } from '../../../electron/backup/BackupJournal.js';
import type { BackupSummary } from '../../../electron/backup/model.js';
import type { QuotaSource } from '../../../electron/backup/quota.js';
import { Restore, type RestoreOptions, type RestoreSummary } from '../../../electron/backup/Restore.js';
import type { LocalFileAccess } from '../../../electron/sync/executor.js';
import { systemClock, type Clock } from '../../../electron/core/time.js';
import { silentLogger } from '../../../electron/core/logger.js';
import type { RemoteStore } from '../../../electron/sync/ports.js';
import { WebDavRemoteStore } from '../../../electron/webdav/WebDavRemoteStore.js';
import type { BackupServer } from './backupServers.js';

export type Tree = Record<string, string>;

export interface RunSetup {
  clock?: Clock;
  wrapRemote?: (store: RemoteStore) => RemoteStore;
  files?: LocalFileAccess;
  quota?: QuotaSource | null;
  concurrency?: number;
}

export interface BackupFixture {
  base: string;
  device: string;
  /** Absolute path of a source folder (made on first use). */
  sourceDir(name?: string): string;
  write(relative: string, content: string | Buffer, source?: string): Promise<void>;
  /** Runs one backup of the given sources (default: Docs). */
  backup(options?: Partial<BackupRunOptions> & RunSetup & { sourceNames?: string[] }): Promise<BackupSummary>;
  restore(options: Omit<RestoreOptions, 'target'> & { target: string } & RunSetup): Promise<RestoreSummary>;
  /** Files of a folder below the device folder on the server's disk ('Docs', '.versions/<stamp>/Docs'). */
  serverTree(folder: string): Promise<Tree>;
  /** Names directly in a folder below the device folder on the server's disk ([] when absent). */
  serverNames(folder: string): Promise<string[]>;
  dispose(): Promise<void>;
}

export async function readTree(root: string, prefix = ''): Promise<Tree> {
  const tree: Tree = {};
  let entries;
  try {
    entries = await readdir(join(root, prefix), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return tree;
    throw error;
  }
  for (const entry of entries) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) Object.assign(tree, await readTree(root, relative));
    else if (entry.isFile()) tree[relative] = await readFile(join(root, relative), 'utf8');
  }
  return tree;
}

export async function createBackupFixture(server: BackupServer): Promise<BackupFixture> {
  const base = await mkdtemp(join(tmpdir(), 'terasync-backup-'));
  const device = `dev-${randomBytes(4).toString('hex')}`;
  const sourceDir = (name = 'Docs'): string => join(base, 'sources', name);
  await mkdir(sourceDir(), { recursive: true });
  const journalFile = join(base, 'state', 'backup.sqlite');
  const store = (setup: RunSetup): RemoteStore => {
    const real = new WebDavRemoteStore({
      url: server.backupUrl,
      auth: { kind: 'basic', user: server.user, password: server.password },
      ...(server.ca === undefined ? {} : { ca: server.ca }),
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
    });
    return setup.wrapRemote ? setup.wrapRemote(real) : real;
  };
  return {
    base,
    device,
    sourceDir,
    async write(relative, content, source = 'Docs') {
      const file = join(sourceDir(source), relative);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
    },
    async backup(options = {}) {
      const remote = store(options);
      const journal = BackupJournal.open(journalFile);
      try {
        const names = options.sourceNames ?? ['Docs'];
        const sources: BackupSource[] = names.map((name) => ({ name, root: sourceDir(name) }));
        for (const source of sources) await mkdir(source.root, { recursive: true });
        const engine = new BackupEngine({
          remote,
          journal,
          clock: options.clock ?? systemClock,
          logger: silentLogger,
          device,
          concurrency: options.concurrency ?? 3,
          quota: options.quota ?? null,
          ...(options.files === undefined ? {} : { files: options.files }),
        });
        return await engine.run({
          sources,
          retentionDays: options.retentionDays ?? 30,
          ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }),
          ...(options.allowMassDelete === undefined ? {} : { allowMassDelete: options.allowMassDelete }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
        });
      } finally {
        journal.close();
        await remote.dispose();
      }
    },
    async restore(options) {
      const remote = store(options);
      try {
        const restore = new Restore({ remote, clock: options.clock ?? systemClock, logger: silentLogger, device, concurrency: options.concurrency ?? 3 });
        return await restore.run(options);
      } finally {
        await remote.dispose();
      }
    },
    serverTree: (folder) => readTree(join(server.backupDir, device, folder)),
    async serverNames(folder) {
      try {
        return (await readdir(join(server.backupDir, device, folder))).sort();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    },
    dispose: () => rm(base, { recursive: true, force: true }),
  };
}
