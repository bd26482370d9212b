/**
 * A sync pair for scenario tests: a temp local folder, a fresh remote folder on a real WebDAV
 * server, a journal, and a second, independent WebDAV client playing "another device" on the
 * server side. Every `sync()` opens the journal and the store anew, like separate runs of the
 * command.
 */
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createClient, type FileStat, type WebDAVClient } from 'webdav';
import { Agent as HttpsAgent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import { SyncEngine, type RunOptions, type RunResult } from '../../electron/sync/engine.js';
import { Journal } from '../../electron/sync/journal.js';
import type { Scheduler } from '../../electron/core/time.js';
import type { RemoteStore, Trash, WatchFolder } from '../../electron/sync/ports.js';
import { systemClock, systemScheduler, type Clock } from '../../electron/core/time.js';
import { silentLogger, type Logger } from '../../electron/core/logger.js';
import { SyncService, type SyncServiceOptions } from '../../electron/sync/SyncService.js';
import type { SyncReport } from '../../electron/sync/report.js';
import { watchFolders } from '../../electron/platform/folderWatcher.js';
import type { SyncStatus } from '../../shared/types.js';
import type { LocalFileAccess } from '../../electron/sync/executor.js';
import { WebDavRemoteStore } from '../../electron/webdav/WebDavRemoteStore.js';

export interface ServerUnderTest {
  /** Root URL of the WebDAV area, with a trailing slash. */
  url: string;
  user: string;
  password: string;
  /** PEM contents of the CA, for HTTPS servers. */
  ca?: string;
}

/** A real trash for tests: moves the entry into a folder, where the test can find it. */
export function folderTrash(folder: string): Trash {
  return {
    async trash(absolutePath) {
      await mkdir(folder, { recursive: true });
      await rename(absolutePath, join(folder, `${randomBytes(4).toString('hex')}-${absolutePath.split('/').pop()}`));
    },
  };
}

export type Tree = Record<string, string>;

export interface SyncOptions extends RunOptions {
  caseInsensitive?: boolean;
  files?: LocalFileAccess;
  clock?: Clock;
  platform?: string;
  /** Lets a test step between the engine and the real store (to act as another client mid-run). */
  wrapRemote?: (store: RemoteStore) => RemoteStore;
  /** The app's ignore patterns (SyncEngineDeps.ignorePatterns). */
  ignorePatterns?: readonly string[];
  /** Selective sync (SyncEngineDeps.excludedFolders). */
  excludedFolders?: readonly string[];
  /** The mass-delete fail-safe's share (SyncEngineDeps.failSafePercent). */
  failSafePercent?: number;
  /** Days the server-side trash keeps a run (SyncEngineDeps.deletedRetentionDays). */
  deletedRetentionDays?: number;
}
const FOLDER = '<folder>';
/** The pair's server-side trash (electron/sync/remoteTrash.ts). */
const TRASH_NAME = '.terasync-trash';

export interface ServiceSetup {
  /** quietMs, pollIntervalMs, retryMinMs, retryMaxMs. */
  options?: Partial<SyncServiceOptions>;
  /** Default: the real folder watcher (electron/platform/folderWatcher.ts). */
  watch?: WatchFolder;
  clock?: Clock;
  scheduler?: Scheduler;
  /** Lets a test step between the engine and the local files it reads. */
  files?: LocalFileAccess;
  /** What the engine logs (default: nothing), e.g. to see which runs planned in scope. */
  engineLogger?: Logger;
}

/** A SyncService running on the pair, with what it told so far. */
export interface RunningService {
  service: SyncService;
  /** How many runs the service has started. */
  runs(): number;
  statuses: SyncStatus[];
  reports: SyncReport[];
  /** Stops the service, then closes its journal and its store. Safe to call again. */
  stop(): Promise<void>;
}

export interface Pair {
  local: string;
  remoteUrl: string;
  stateDir: string;
  trashDir: string;
  remote: WebDAVClient;
  sync(options?: SyncOptions): Promise<RunResult>;
  /** Starts continuous sync of the pair (one journal and store for the service's life). */
  startService(setup?: ServiceSetup): Promise<RunningService>;
  writeLocal(path: string, content: string): Promise<void>;
  readLocal(path: string): Promise<string>;
  removeLocal(path: string): Promise<void>;
  writeRemote(path: string, content: string): Promise<void>;
  readRemote(path: string): Promise<string>;
  removeRemote(path: string): Promise<void>;
  mkdirRemote(path: string): Promise<void>;
  localTree(): Promise<Tree>;
  /** The synced part of the server folder: the pair's trash (.terasync-trash) is left out. */
  remoteTree(): Promise<Tree>;
  /** The pair's server-side trash, paths below `.terasync-trash/`. */
  remoteTrashTree(): Promise<Tree>;
  trashed(): Promise<string[]>;
  dispose(): Promise<void>;
}

export const FOLDER_MARK = FOLDER;

export async function createPair(server: ServerUnderTest): Promise<Pair> {
  const base = await mkdtemp(join(tmpdir(), 'terasync-pair-'));
  const local = join(base, 'local');
  const stateDir = join(base, 'state');
  const trashDir = join(base, 'trash');
  await mkdir(local);
  const folder = `pair-${randomBytes(5).toString('hex')}`;
  const agentOptions = { keepAlive: true, ca: server.ca };
  const rootClient = createClient(server.url, {
    username: server.user,
    password: server.password,
    httpsAgent: new HttpsAgent(agentOptions),
    httpAgent: new HttpAgent({ keepAlive: true }),
  });
  await rootClient.createDirectory(`/${folder}/`);
  const remoteUrl = `${server.url}${folder}/`;
  const remote = createClient(remoteUrl, {
    username: server.user,
    password: server.password,
    httpsAgent: new HttpsAgent(agentOptions),
    httpAgent: new HttpAgent({ keepAlive: true }),
  });

  const remoteTreeOf = async (path: string, tree: Tree): Promise<void> => {
    const items = (await remote.getDirectoryContents(`${path}/`)) as FileStat[];
    for (const item of items) {
      const relative = path === '' ? item.basename : `${path}/${item.basename}`;
      if (item.type === 'directory') {
        tree[relative] = FOLDER;
        await remoteTreeOf(relative, tree);
      } else {
        tree[relative] = (await remote.getFileContents(relative, { format: 'text' })) as string;
      }
    }
  };
  const localTreeOf = async (path: string, tree: Tree): Promise<void> => {
    for (const entry of await readdir(join(local, path), { withFileTypes: true })) {
      const relative = path === '' ? entry.name : `${path}/${entry.name}`;
      if (entry.isDirectory()) {
        tree[relative] = FOLDER;
        await localTreeOf(relative, tree);
      } else {
        tree[relative] = await readFile(join(local, relative), 'utf8');
      }
    }
  };

  /** A journal, a store and an engine on this pair, as one run of the command builds them. */
  const openEngine = (setup: {
    clock?: Clock;
    files?: LocalFileAccess;
    platform?: string;
    caseInsensitive?: boolean;
    remote?: (store: RemoteStore) => RemoteStore;
    ignorePatterns?: readonly string[];
    excludedFolders?: readonly string[];
    failSafePercent?: number;
    deletedRetentionDays?: number;
    logger?: Logger;
  }): { journal: Journal; store: WebDavRemoteStore; engine: SyncEngine } => {
    const journal = Journal.open(join(stateDir, 'journal.sqlite'));
    const store = new WebDavRemoteStore({
      url: remoteUrl,
      auth: { kind: 'basic', user: server.user, password: server.password },
      ca: server.ca,
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
    });
    const engine = new SyncEngine({
      localRoot: local,
      remote: setup.remote ? setup.remote(store) : store,
      journal,
      trash: folderTrash(trashDir),
      clock: setup.clock ?? systemClock,
      logger: setup.logger ?? silentLogger,
      device: 'testbox',
      platform: setup.platform ?? 'linux',
      concurrency: 4,
      caseInsensitive: setup.caseInsensitive ?? false,
      files: setup.files,
      ignorePatterns: setup.ignorePatterns,
      excludedFolders: setup.excludedFolders,
      failSafePercent: setup.failSafePercent,
      deletedRetentionDays: setup.deletedRetentionDays,
    });
    return { journal, store, engine };
  };

  return {
    local,
    remoteUrl,
    stateDir,
    trashDir,
    remote,
    async sync(options = {}) {
      const { journal, store, engine } = openEngine({
        ...options,
        remote: (real) => (options.wrapRemote ? options.wrapRemote(real) : real),
      });
      try {
        return await engine.runOnce(options);
      } finally {
        journal.close();
        await store.dispose();
      }
    },
    async startService(setup = {}) {
      const clock = setup.clock ?? systemClock;
      const { journal, store, engine } = openEngine({ clock, files: setup.files, logger: setup.engineLogger });
      let runs = 0;
      const statuses: SyncStatus[] = [];
      const reports: SyncReport[] = [];
      const service = new SyncService({
        localRoot: local,
        engine: {
          runOnce: (options) => {
            runs++;
            return engine.runOnce(options);
          },
        },
        watch: setup.watch ?? watchFolders,
        clock,
        scheduler: setup.scheduler ?? systemScheduler,
        logger: silentLogger,
        options: setup.options,
        onReport: (report) => reports.push(report),
      });
      service.onDidChangeStatus((status) => statuses.push(status));
      let stopping: Promise<void> | undefined;
      const stop = (): Promise<void> =>
        (stopping ??= (async () => {
          try {
            await service.stop();
          } finally {
            journal.close();
            await store.dispose();
          }
        })());
      try {
        await service.start();
      } catch (error) {
        await stop();
        throw error;
      }
      return { service, runs: () => runs, statuses, reports, stop };
    },
    async writeLocal(path, content) {
      await mkdir(dirname(join(local, path)), { recursive: true });
      await writeFile(join(local, path), content);
    },
    readLocal: (path) => readFile(join(local, path), 'utf8'),
    removeLocal: (path) => rm(join(local, path), { recursive: true, force: true }),
    async writeRemote(path, content) {
      const parts = path.split('/').slice(0, -1);
      for (let i = 1; i <= parts.length; i++) {
        const dir = parts.slice(0, i).join('/');
        if (!(await remote.exists(`${dir}/`))) await remote.createDirectory(`${dir}/`);
      }
      await remote.putFileContents(path, content, { overwrite: true });
    },
    readRemote: async (path) => (await remote.getFileContents(path, { format: 'text' })) as string,
    async removeRemote(path) {
      const stat = (await remote.stat(path)) as FileStat;
      await remote.deleteFile(stat.type === 'directory' ? `${path}/` : path);
    },
    mkdirRemote: async (path) => {
      await remote.createDirectory(`${path}/`);
    },
    async localTree() {
      const tree: Tree = {};
      await localTreeOf('', tree);
      return tree;
    },
    async remoteTree() {
      const tree: Tree = {};
      await remoteTreeOf('', tree);
      return Object.fromEntries(Object.entries(tree).filter(([path]) => path !== TRASH_NAME && !path.startsWith(`${TRASH_NAME}/`)));
    },
    async remoteTrashTree() {
      const tree: Tree = {};
      if (!(await remote.exists(`${TRASH_NAME}/`))) return tree;
      await remoteTreeOf(TRASH_NAME, tree);
      return Object.fromEntries(Object.entries(tree).map(([path, content]) => [path.slice(TRASH_NAME.length + 1), content]));
    },
    async trashed() {
      try {
        return (await readdir(trashDir)).map((name) => name.slice(name.indexOf('-') + 1));
      } catch {
        return [];
      }
    },
    async dispose() {
      await rm(base, { recursive: true, force: true });
    },
  };
}
