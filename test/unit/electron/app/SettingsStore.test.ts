import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings, settingsFormatVersion, type PairSettings } from '../../../../electron/app/settings.js';
import { nodeSettingsStoreFileSystem, SettingsStore, type SettingsStoreFileSystem } from '../../../../electron/app/SettingsStore.js';
import type { Logger } from '../../../../electron/core/logger.js';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import { FakeClock } from '../../../support/fakeClock.js';

const fixedNow = Date.UTC(2025, 10, 28, 9, 40, 0, 123);
const localFolder = path.resolve('/home/alice/TeraCLOUD');
const photosFolder = path.resolve('/home/alice/Photos');

let folder: string;
let stores: SettingsStore[];

beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'terasync-settings-store-'));
  stores = [];
});

afterEach(async () => {
  await Promise.all(stores.map((store) => store.dispose()));
  await rm(folder, { recursive: true, force: true });
});

const settingsFile = (): string => path.join(folder, 'settings.json');

function createStore(fileSystem: SettingsStoreFileSystem = nodeSettingsStoreFileSystem, logger?: Logger): SettingsStore {
  const store = new SettingsStore(folder, { fileSystem, clock: new FakeClock(fixedNow), ...(logger === undefined ? {} : { logger }) }, { caseInsensitivePaths: false });
  stores.push(store);
  return store;
}

function pair(id: string, local: string, remoteFolder = id): PairSettings {
  return { id, localFolder: local, remoteFolder, paused: false, bandwidth: { upKiBps: 0, downKiBps: 0 }, excludedFolders: [] };
}

async function fileJson(): Promise<unknown> {
  return JSON.parse(await readFile(settingsFile(), 'utf8')) as unknown;
}

async function expectCode(promise: Promise<unknown>, code: string, message?: string): Promise<TeraSyncError> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(TeraSyncError);
  const coded = error as TeraSyncError;
  expect(coded.code).toBe(code);
  if (message !== undefined) expect(coded.message).toContain(message);
  return coded;
}

/** A promise with its resolve function. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('SettingsStore.load', () => {
  it('gives the defaults without a file, and does not create one', async () => {
    const result = await createStore().load();
    expect(result.settings).toEqual(defaultSettings());
    expect(result.problem).toBeNull();
    expect(await readdir(folder)).toEqual([]);
  });

  it('reads the file and remembers it as current', async () => {
    await writeFile(settingsFile(), JSON.stringify({ version: 2, pairs: [pair('a', localFolder)], app: { theme: 'dark' } }));
    const store = createStore();
    const result = await store.load();
    expect(result.settings.pairs).toEqual([pair('a', localFolder)]);
    expect(store.current.app.theme).toBe('dark');
  });

  it('never throws, even when the file system does', async () => {
    const store = createStore({
      ...nodeSettingsStoreFileSystem,
      readFile: () => {
        throw new Error('synchronously broken');
      },
    });
    const result = await store.load();
    expect(result.problem?.code).toBe(ErrorCode.LocalIo);
    expect(result.settings).toEqual(defaultSettings());
  });
});

/** The default proxy section as the file holds it: no user, so no "user" field. */
const defaultProxyJson = { mode: 'system', host: '', port: 8080 };

describe('SettingsStore.update', () => {
  it('writes format 4 with mode 0600 and gives the saved settings', async () => {
    const store = createStore();
    const saved = await store.update((draft) => {
      draft.pairs.push(pair('a', localFolder, '/Sync/'));
      draft.app.theme = 'light';
    });
    expect(saved.pairs).toEqual([pair('a', localFolder, 'Sync')]);
    expect(await fileJson()).toEqual({
      version: 4,
      ...defaultSettings(),
      pairs: [pair('a', localFolder, 'Sync')],
      app: { ...defaultSettings().app, theme: 'light' },
      proxy: defaultProxyJson,
    });
    if (process.platform !== 'win32') expect((await stat(settingsFile())).mode & 0o777).toBe(0o600);
    expect(await readdir(folder)).toEqual(['settings.json']);
    expect(store.current).toEqual(saved);
    expect((await createStore().load()).settings).toEqual(saved);
  });

  it('takes a mutator that returns new settings', async () => {
    const saved = await createStore().update((draft) => ({ ...draft, sync: { ...draft.sync, pollIntervalSeconds: 300, fullScanMinutes: 60 } }));
    expect(saved.sync).toEqual({ pollIntervalSeconds: 300, fullScanMinutes: 60, ignorePatterns: [], parallelTransfers: 4, failSafePercent: 50, deletedRetentionDays: 30 });
  });

  it('saves excluded folders, ignore patterns, parallel transfers, the language and the updates, and reads them back as saved', async () => {
    const store = createStore();
    const saved = await store.update((draft) => {
      draft.pairs.push({ ...pair('a', localFolder, 'Sync'), excludedFolders: ['Videos', 'Photos/raw 2024'] });
      draft.sync.ignorePatterns = ['*.tmp', '!keep.tmp', 'node_modules/'];
      draft.sync.parallelTransfers = 16;
      draft.app.language = 'ja';
      draft.update = { enabled: false, channel: 'beta' };
    });
    expect(saved.pairs[0]!.excludedFolders).toEqual(['Videos', 'Photos/raw 2024']);
    expect(await fileJson()).toEqual({
      version: settingsFormatVersion,
      pairs: [{ ...pair('a', localFolder, 'Sync'), excludedFolders: ['Videos', 'Photos/raw 2024'] }],
      sync: { ...defaultSettings().sync, ignorePatterns: ['*.tmp', '!keep.tmp', 'node_modules/'], parallelTransfers: 16 },
      backup: defaultSettings().backup,
      app: { ...defaultSettings().app, language: 'ja' },
      update: { enabled: false, channel: 'beta' },
      proxy: defaultProxyJson,
    });
    const reloaded = await createStore().load();
    expect(reloaded.problem).toBeNull();
    expect(reloaded.migratedFrom).toBeNull();
    expect(reloaded.settings).toEqual(saved);
  });

  it('writes a format-2 file out as format 4 with the new fields at their defaults', async () => {
    await writeFile(settingsFile(), JSON.stringify({ version: 2, pairs: [{ id: 'a', localFolder, remoteFolder: 'Sync' }], sync: { pollIntervalSeconds: 60 } }));
    const store = createStore();
    expect((await store.load()).migratedFrom).toBe(2);
    await store.update((draft) => void (draft.sync.parallelTransfers = 2));
    expect(await fileJson()).toEqual({
      ...defaultSettings(),
      version: 4,
      pairs: [pair('a', localFolder, 'Sync')],
      sync: { ...defaultSettings().sync, pollIntervalSeconds: 60, parallelTransfers: 2 },
      proxy: defaultProxyJson,
    });
    expect((await store.load()).migratedFrom).toBeNull();
  });

  it('starts from the file on disk, not from what it loaded before', async () => {
    const store = createStore();
    await store.load();
    await writeFile(settingsFile(), JSON.stringify({ version: 2, pairs: [pair('a', localFolder)] }));
    const saved = await store.update((draft) => void draft.pairs.push(pair('b', photosFolder)));
    expect(saved.pairs.map((p) => p.id)).toEqual(['a', 'b']);
  });

  it('writes a format-1 file out as format 4, keeping its pairs and dropping the account', async () => {
    await writeFile(
      settingsFile(),
      JSON.stringify({
        version: 1,
        account: { user: 'alice', server: 'https://seto.teracloud.jp/dav/', method: 'basic' },
        pairs: [{ localFolder, remoteUrl: 'https://seto.teracloud.jp/dav/Sync/' }],
      }),
    );
    const store = createStore();
    const loaded = await store.load();
    expect(loaded.migratedFrom).toBe(1);
    await store.update(() => undefined);
    const json = (await fileJson()) as Record<string, unknown>;
    expect(json['version']).toBe(4);
    expect(json['account']).toBeUndefined();
    expect(json['pairs']).toEqual(loaded.settings.pairs);
    expect((await store.load()).migratedFrom).toBeNull();
  });

  it.each([
    ['a poll interval below 5 s', (draft: ReturnType<typeof defaultSettings>) => void (draft.sync.pollIntervalSeconds = 1), 'sync.pollIntervalSeconds must be a whole number from 5 to 86400'],
    ['a relative local folder', (draft: ReturnType<typeof defaultSettings>) => void draft.pairs.push(pair('a', 'relative')), 'pairs[0].localFolder must be an absolute path'],
    ['an unknown theme', (draft: ReturnType<typeof defaultSettings>) => void (draft.app.theme = 'neon' as 'dark'), 'app.theme must be one of'],
    ['an unknown language', (draft: ReturnType<typeof defaultSettings>) => void (draft.app.language = 'fr' as 'en'), 'app.language must be one of "system", "en", "ja"'],
    ['32 parallel transfers', (draft: ReturnType<typeof defaultSettings>) => void (draft.sync.parallelTransfers = 32), 'sync.parallelTransfers must be a whole number from 1 to 16'],
    ['a blank ignore pattern', (draft: ReturnType<typeof defaultSettings>) => void (draft.sync.ignorePatterns = ['*.tmp', ' ']), 'sync.ignorePatterns[1] is blank'],
    [
      'an excluded folder outside the pair',
      (draft: ReturnType<typeof defaultSettings>) => void draft.pairs.push({ ...pair('a', localFolder), excludedFolders: ['../Other'] }),
      'pairs[0].excludedFolders[0] ("../Other") must be a folder path below the pair',
    ],
    [
      'pairs that are not a list',
      (draft: ReturnType<typeof defaultSettings>) => void (draft.pairs = 'x' as unknown as PairSettings[]),
      'pairs must be an array',
    ],
  ])('refuses an invalid change (%s), naming the field, and leaves the file alone', async (_name, mutator, message) => {
    await writeFile(settingsFile(), JSON.stringify({ version: 2 }));
    const error = await expectCode(createStore().update(mutator), ErrorCode.InvalidRequest, message);
    expect(error.message).toMatch(/^The settings were not saved: /);
    expect(await fileJson()).toEqual({ version: 2 });
  });

  it('refuses a second pair on the same local folder, or one inside another pair’s folder', async () => {
    const store = createStore();
    await store.update((draft) => void draft.pairs.push(pair('a', localFolder)));
    await expectCode(
      store.update((draft) => void draft.pairs.push(pair('b', localFolder))),
      ErrorCode.InvalidRequest,
      'pairs[1].localFolder (' + localFolder + ') is the same folder as pairs[0].localFolder: two pairs syncing the same files',
    );
    await expectCode(store.update((draft) => void draft.pairs.push(pair('b', path.join(localFolder, 'Work')))), ErrorCode.InvalidRequest, 'is inside pairs[0].localFolder');
    await expectCode(store.update((draft) => void draft.pairs.push(pair('b', path.dirname(localFolder)))), ErrorCode.InvalidRequest, 'holds pairs[0].localFolder');
    expect(((await fileJson()) as { pairs: unknown[] }).pairs).toHaveLength(1);
  });

  describe('never writes a secret', () => {
    it('refuses a secret-named field in a pair', async () => {
      const store = createStore();
      await expectCode(
        store.update((draft) => void draft.pairs.push({ ...pair('a', localFolder), password: 'hunter2' } as PairSettings)),
        ErrorCode.InvalidRequest,
        'it has a field "pairs[0].password", which looks like a secret',
      );
      expect(await readdir(folder)).toEqual([]);
    });

    it('refuses a URL with a password, without repeating the password', async () => {
      const error = await expectCode(
        createStore().update((draft) => void draft.pairs.push(pair('a', localFolder, 'https://alice:hunter2@seto.teracloud.jp/dav/'))),
        ErrorCode.InvalidRequest,
        'pairs[0].remoteFolder is a URL with a password in it',
      );
      expect(error.message).not.toContain('hunter2');
      expect(await readdir(folder)).toEqual([]);
    });

    it('drops fields it does not know, so an extra secret never reaches the file', async () => {
      await createStore().update((draft) => Object.assign(draft, { accessToken: 'abc123456', app: { ...draft.app, theme: 'dark' } }));
      const text = await readFile(settingsFile(), 'utf8');
      expect(text).not.toContain('accessToken');
      expect(text).not.toContain('abc123456');
    });
  });

  it.each([
    ['written by a newer version (format 5)', JSON.stringify({ version: 5, pairs: 'new' }), ErrorCode.Configuration, 'newer TeraSync (format 5; this version reads format 4)'],
    ['holding a secret', JSON.stringify({ version: 2, token: 'x' }), ErrorCode.Configuration, 'looks like a secret'],
  ])('refuses to overwrite a file %s, and leaves it as it is', async (_name, content, code, message) => {
    await writeFile(settingsFile(), content);
    await expectCode(createStore().update((draft) => void (draft.app.theme = 'dark')), code, message);
    expect(await readFile(settingsFile(), 'utf8')).toBe(content);
    expect(await readdir(folder)).toEqual(['settings.json']);
  });

  it('refuses a change made against a file that turned out damaged, then starts from defaults', async () => {
    await writeFile(settingsFile(), '{ damaged');
    const store = createStore();
    await expectCode(store.update((draft) => void (draft.app.theme = 'dark')), ErrorCode.Configuration, 'moved to');
    expect(await readdir(folder)).toEqual(['settings.json.corrupt-2025-11-28T09-40-00-123Z']);
    const saved = await store.update((draft) => void (draft.app.theme = 'dark'));
    expect(saved).toEqual({ ...defaultSettings(), app: { ...defaultSettings().app, theme: 'dark' } });
  });

  it('keeps the old file whole when the app dies between writing the new one and renaming it', async () => {
    const store = createStore();
    await store.update((draft) => void draft.pairs.push(pair('a', localFolder)));
    const before = await readFile(settingsFile(), 'utf8');

    // The crash: the temporary file is written, and nothing after that happens (the rename
    // fails, and so does the clean-up, as they would in a process that is gone).
    const crashing = createStore({
      ...nodeSettingsStoreFileSystem,
      rename: () => Promise.reject(new Error('killed')),
      unlink: () => Promise.reject(new Error('killed')),
    });
    await expectCode(crashing.update((draft) => void draft.pairs.push(pair('b', photosFolder))), ErrorCode.LocalIo, 'could not be saved');

    expect(await readFile(settingsFile(), 'utf8')).toBe(before);
    const leftovers = (await readdir(folder)).filter((name) => name !== 'settings.json');
    expect(leftovers).toHaveLength(1);
    expect(leftovers[0]).toMatch(/^\.settings\.json\..+\.tmp$/);
    expect((JSON.parse(await readFile(path.join(folder, leftovers[0]!), 'utf8')) as { pairs: unknown[] }).pairs).toHaveLength(2);

    // After the restart: the old settings, and saving works again.
    const restarted = createStore();
    expect((await restarted.load()).settings.pairs.map((p) => p.id)).toEqual(['a']);
    await restarted.update((draft) => void draft.pairs.push(pair('b', photosFolder)));
    expect((await restarted.load()).settings.pairs.map((p) => p.id)).toEqual(['a', 'b']);
  });

  it('removes its temporary file when the rename fails', async () => {
    const store = createStore({ ...nodeSettingsStoreFileSystem, rename: () => Promise.reject(new Error('EPERM: operation not permitted')) });
    await expectCode(store.update(() => undefined), ErrorCode.LocalIo, `The settings could not be saved to ${settingsFile()}: EPERM: operation not permitted`);
    expect(await readdir(folder)).toEqual([]);
  });

  it('runs concurrent updates one after the other, so none loses the other’s change', async () => {
    const operations: string[] = [];
    const firstWriteStarted = deferred();
    const releaseFirstWrite = deferred();
    let writes = 0;
    const fileSystem: SettingsStoreFileSystem = {
      ...nodeSettingsStoreFileSystem,
      readFile: async (file) => {
        operations.push('read');
        return nodeSettingsStoreFileSystem.readFile(file);
      },
      writeNewFile: async (file, text, mode) => {
        writes++;
        operations.push(`write ${writes}`);
        if (writes === 1) {
          firstWriteStarted.resolve();
          await releaseFirstWrite.promise;
        }
        await nodeSettingsStoreFileSystem.writeNewFile(file, text, mode);
      },
      rename: async (from, to) => {
        operations.push('rename');
        await nodeSettingsStoreFileSystem.rename(from, to);
      },
    };
    const store = createStore(fileSystem);
    const first = store.update((draft) => void draft.pairs.push(pair('a', localFolder)));
    const second = store.update((draft) => void draft.pairs.push(pair('b', photosFolder)));
    const load = store.load();

    await firstWriteStarted.promise;
    // The first update is in the middle of its write: the second has not even read yet.
    expect(operations).toEqual(['read', 'write 1']);
    releaseFirstWrite.resolve();

    expect((await first).pairs.map((p) => p.id)).toEqual(['a']);
    expect((await second).pairs.map((p) => p.id)).toEqual(['a', 'b']);
    expect((await load).settings.pairs.map((p) => p.id)).toEqual(['a', 'b']);
    expect(operations).toEqual(['read', 'write 1', 'rename', 'read', 'write 2', 'rename', 'read']);
  });

  it('goes on after a refused update', async () => {
    const store = createStore();
    const refused = store.update((draft) => void (draft.sync.fullScanMinutes = 0));
    const accepted = store.update((draft) => void (draft.sync.fullScanMinutes = 20));
    await expectCode(refused, ErrorCode.InvalidRequest);
    expect((await accepted).sync.fullScanMinutes).toBe(20);
  });
});

describe('SettingsStore.onDidChange', () => {
  it('tells listeners of each saved change until they are disposed', async () => {
    const store = createStore();
    const seen: string[] = [];
    const subscription = store.onDidChange((settings) => seen.push(settings.app.theme));
    await store.update((draft) => void (draft.app.theme = 'dark'));
    await expectCode(store.update((draft) => void (draft.app.theme = 'x' as 'dark')), ErrorCode.InvalidRequest);
    subscription.dispose();
    await store.update((draft) => void (draft.app.theme = 'light'));
    expect(seen).toEqual(['dark']);
  });

  it('saves and tells the other listeners when one throws, and logs it', async () => {
    const errors: string[] = [];
    const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (message) => errors.push(message) };
    const store = createStore(nodeSettingsStoreFileSystem, logger);
    const seen: boolean[] = [];
    store.onDidChange(() => {
      throw new Error('listener bug');
    });
    store.onDidChange((settings) => seen.push(settings.app.notifications));
    const saved = await store.update((draft) => void (draft.app.notifications = false));
    expect(saved.app.notifications).toBe(false);
    expect(seen).toEqual([false]);
    expect(errors).toEqual(['A settings listener failed']);
  });

  it('gives each listener its own copy', async () => {
    const store = createStore();
    let second: string | null = null;
    store.onDidChange((settings) => void (settings.app.theme = 'light'));
    store.onDidChange((settings) => void (second = settings.app.theme));
    await store.update((draft) => void (draft.app.theme = 'dark'));
    expect(second).toBe('dark');
    expect(store.current.app.theme).toBe('dark');
  });
});

describe('SettingsStore.dispose', () => {
  it('finishes the pending update, then refuses new ones and tells no one', async () => {
    const store = createStore();
    const seen: unknown[] = [];
    store.onDidChange((settings) => seen.push(settings));
    const pending = store.update((draft) => void (draft.app.theme = 'dark'));
    await store.dispose();
    expect((await pending).app.theme).toBe('dark');
    expect(await fileJson()).toMatchObject({ app: { theme: 'dark' } });
    await expectCode(store.update(() => undefined), ErrorCode.Cancelled);
    expect(seen).toEqual([]);
  });
});
