/**
 * The channels the window added (issue 7), through dispatchIpc with the real handlers, on
 * AppServices against the TeraCLOUD emulator: what the user would see on disk on both sides
 * and what the window receives.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { AppServices, type AppServicesDeps } from '../../../electron/app/AppServices.js';
import type { PickPurpose, SyncStatus } from '../../../shared/types.js';
import { testServicesDeps, useAppOnEmulator } from '../../support/appServices.js';
import { untilWithin } from '../../support/until.js';

const USER = 'demo';
const PASSWORD = 'demo-apps-password';

const opened: string[] = [];
const shown: string[] = [];
const browserUrls: string[] = [];
const picks: PickPurpose[] = [];

const until = untilWithin(10_000);

/** The window's side of the services: a shell, dialogs and a browser that record what they get. */
function windowDeps(emulator: RunningEmulator): Partial<AppServicesDeps> {
  return {
    openPath: async (target) => {
      opened.push(target);
    },
    showItemInFolder: async (file) => {
      shown.push(file);
    },
    pickPath: async (purpose) => {
      picks.push(purpose);
      return purpose === 'restoreTarget' ? null : `/picked/${purpose}`;
    },
    openExternal: async (url) => {
      opened.push(url);
    },
    openBrowser: async (url) => {
      browserUrls.push(url);
    },
    oauth: emulator.oauth === null ? null : { issuer: emulator.oauth.issuer, clientId: emulator.oauth.clientId, scopes: emulator.oauth.scopes },
    syncOptions: { quietMs: 50 },
  };
}

const app = useAppOnEmulator({ prefix: 'terasync-window-', deps: ({ emulator }) => windowDeps(emulator) });
const { events, internalErrors, call, value } = app;
let emulator: RunningEmulator;
let folder: string;
let services: AppServices;

beforeAll(() => {
  ({ emulator, folder, services } = app);
});

afterAll(() => {
  expect(internalErrors).toEqual([]);
});

async function statusOf(pairId: string): Promise<SyncStatus> {
  const found = (await value('status:get')).find((item) => item.pairId === pairId);
  if (found === undefined) throw new Error(`no status for ${pairId}`);
  return found.status;
}

const text = (file: string): Promise<string | null> => readFile(file, 'utf8').catch(() => null);

describe('the window\'s channels on the real services', () => {
  it('cancels a browser sign-in that waits, and refuses a CA file that is not there', async () => {
    const waiting = call('account:signInWithOAuth', { location: emulator.v2DavUrl });
    await until('the authorization URL', () => browserUrls.length === 1);
    const started = Date.now();
    expect(await value('account:cancelSignIn')).toBeUndefined();
    const answer = await waiting;
    expect(answer.ok === false && answer.error.code).toBe('Cancelled');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await value('account:get')).toBeNull();
    // Nothing waits now: a cancel is harmless.
    expect(await value('account:cancelSignIn')).toBeUndefined();

    const missing = join(folder, 'no-such-ca.pem');
    const refused = await call('account:signInWithPassword', { userId: USER, password: PASSWORD, location: emulator.davUrl, advanced: { caFile: missing } });
    expect(refused.ok).toBe(false);
    expect(refused.ok === false && refused.error.message).toContain(missing);
    expect(await value('account:get')).toBeNull();
  });

  it('lists server folders, and answers the system dialog', async () => {
    await value('account:signInWithPassword', { userId: USER, password: PASSWORD, location: emulator.davUrl });
    const files = emulator.filesDir();
    await mkdir(join(files, 'Browse', 'Zeta'), { recursive: true });
    await mkdir(join(files, 'Browse', 'alpha', 'inner'), { recursive: true });
    await writeFile(join(files, 'Browse', 'one.txt'), '1');
    await writeFile(join(files, 'Browse', 'two.txt'), '2');
    const top = await value('remote:listFolders', { path: '' });
    expect(top.folders.map((item) => item.name)).toContain('Browse');
    expect(await value('remote:listFolders', { path: 'Browse' })).toEqual({
      path: 'Browse',
      folders: [
        { name: 'alpha', path: 'Browse/alpha' },
        { name: 'Zeta', path: 'Browse/Zeta' },
      ],
      files: 2,
    });
    expect((await value('remote:listFolders', { path: 'Browse/alpha' })).folders).toEqual([{ name: 'inner', path: 'Browse/alpha/inner' }]);
    expect((await call('remote:listFolders', { path: 'Nowhere' })).ok).toBe(false);

    expect(await value('dialog:pickPath', { purpose: 'syncFolder' })).toBe('/picked/syncFolder');
    expect(await value('dialog:pickPath', { purpose: 'restoreTarget' })).toBeNull();
    expect(picks).toEqual(['syncFolder', 'restoreTarget']);
  });

  it('measures a server folder with everything below it, and the free space of a local folder', async () => {
    await value('account:signInWithPassword', { userId: USER, password: PASSWORD, location: emulator.davUrl });
    const files = emulator.filesDir();
    await mkdir(join(files, 'Measure', 'a', 'b'), { recursive: true });
    await writeFile(join(files, 'Measure', 'top.bin'), Buffer.alloc(1_000));
    await writeFile(join(files, 'Measure', 'a', 'one.bin'), Buffer.alloc(250));
    await writeFile(join(files, 'Measure', 'a', 'b', 'deep.bin'), Buffer.alloc(4_000));
    expect(await value('remote:folderSize', { path: 'Measure' })).toEqual({ path: 'Measure', bytes: 5_250, files: 3, complete: true });
    expect(await value('remote:folderSize', { path: 'Measure/a/b' })).toEqual({ path: 'Measure/a/b', bytes: 4_000, files: 1, complete: true });
    expect((await call('remote:folderSize', { path: 'Nowhere' })).ok).toBe(false);

    // A folder that does not exist yet: the disk it would be made on.
    const free = await value('local:freeSpace', { path: join(folder, 'not-yet', 'deeper') });
    const disk = await statfs(folder);
    expect(free.path).toBe(join(folder, 'not-yet', 'deeper'));
    expect(free.freeBytes).toBeGreaterThan(0);
    // Within what other processes write meanwhile: the same disk, read the same way.
    expect(Math.abs(free.freeBytes - Number(disk.bavail) * Number(disk.bsize))).toBeLessThan(256 * 1024 * 1024);
    expect((await call('local:freeSpace', { path: 'relative' })).ok).toBe(false);
  });

  let pairId: string;
  let local: string;
  let server: string;

  it('previews a first sync without changing either side, then syncs with a folder left out', async () => {
    local = join(folder, 'Local');
    server = join(emulator.filesDir(), 'Pair');
    await mkdir(join(server, 'Keep'), { recursive: true });
    await mkdir(join(server, 'Skip'), { recursive: true });
    await writeFile(join(server, 'Keep', 'a.txt'), 'aaaa');
    await writeFile(join(server, 'Skip', 'big.bin'), 'not wanted here');
    await writeFile(join(server, 'both.txt'), 'server side');
    await mkdir(local, { recursive: true });
    await writeFile(join(local, 'mine.txt'), 'mine');
    await writeFile(join(local, 'both.txt'), 'local, longer');
    await writeFile(join(local, 'scratch.tmp'), 'ignored by the settings');
    await value('settings:update', { sync: { ignorePatterns: ['*.tmp'], parallelTransfers: 3 } });

    const preview = await value('pairs:preview', { localFolder: local, remoteFolder: 'Pair', excludedFolders: ['Skip'] });
    expect(preview).toMatchObject({ upload: { files: 1, bytes: 4 }, download: { files: 1, bytes: 4 }, conflicts: 1, conflictPaths: ['both.txt'] });
    expect(existsSync(join(local, 'Keep'))).toBe(false);
    expect(existsSync(join(server, 'mine.txt'))).toBe(false);
    // A folder that is not there is not made by a preview, on either side.
    const nowhere = join(folder, 'NotYet');
    const empty = await value('pairs:preview', { localFolder: nowhere, remoteFolder: 'Pair/New' });
    expect(empty.upload.files).toBe(0);
    expect(existsSync(nowhere)).toBe(false);
    expect(existsSync(join(server, 'New'))).toBe(false);

    const pair = await value('pairs:add', { localFolder: local, remoteFolder: 'Pair', excludedFolders: ['Skip'] });
    pairId = pair.id;
    expect(pair.excludedFolders).toEqual(['Skip']);
    await until('the first sync', async () => (await statusOf(pairId)).lastSyncAt !== null);
    expect(await text(join(local, 'Keep', 'a.txt'))).toBe('aaaa');
    expect(await text(join(server, 'mine.txt'))).toBe('mine');
    expect(existsSync(join(local, 'Skip'))).toBe(false);
    expect(existsSync(join(server, 'scratch.tmp'))).toBe(false);
    expect(services.settings.current.sync.parallelTransfers).toBe(3);
  });

  it('lists a conflict with both versions, opens either, and drops it when its copy is deleted outside the app', async () => {
    const conflicts = await value('conflicts:list');
    expect(conflicts).toHaveLength(1);
    const conflict = conflicts[0]!;
    const copy = join(local, conflict.copy);
    const original = join(local, 'both.txt');
    expect(conflict.mine).toEqual({ size: (await stat(copy)).size, modifiedMs: (await stat(copy)).mtimeMs });
    expect(conflict.theirs).toEqual({ size: (await stat(original)).size, modifiedMs: (await stat(original)).mtimeMs });
    expect(await text(copy)).toBe('local, longer');

    await value('conflicts:open', { pairId, id: conflict.id, side: 'mine' });
    await value('conflicts:open', { pairId, id: conflict.id, side: 'theirs' });
    expect(opened.slice(-2)).toEqual([copy, original]);

    const before = events.length;
    await rm(copy);
    await until('the conflict gone', async () => (await value('conflicts:list')).length === 0);
    await until('the event without it', () => events.slice(before).some((message) => message.event === 'conflicts:changed' && message.payload.length === 0));
    const gone = await call('conflicts:open', { pairId, id: conflict.id, side: 'mine' });
    expect(gone.ok === false && gone.error.code).toBe('NotFound');
    expect(await text(original)).toBe('server side');
  });

  it('shows a program among the conflict versions in its folder instead of opening it', async () => {
    await writeFile(join(local, 'run.sh'), 'echo synced\n');
    await until('run.sh on the server', async () => (await text(join(server, 'run.sh'))) === 'echo synced\n');
    await until('an idle pair', async () => (await statusOf(pairId)).state === 'idle');
    await value('pairs:pause', { id: pairId });
    await writeFile(join(local, 'run.sh'), 'echo mine\n');
    await writeFile(join(server, 'run.sh'), 'echo theirs, longer\n');
    await value('pairs:resume', { id: pairId });
    await until('the conflict', async () => (await value('conflicts:list')).length === 1);
    const conflict = (await value('conflicts:list'))[0]!;
    const openedBefore = opened.length;
    await value('conflicts:open', { pairId, id: conflict.id, side: 'theirs' });
    expect(opened.length).toBe(openedBefore);
    expect(shown.at(-1)).toBe(join(local, 'run.sh'));
    await value('conflicts:resolve', { pairId, id: conflict.id, keep: 'remote' });
  });

  it('shows a file in its folder, the nearest folder when it is gone, and refuses a path out of the pair', async () => {
    await value('shell:showFile', { pairId, path: 'Keep/a.txt' });
    expect(shown.at(-1)).toBe(join(local, 'Keep', 'a.txt'));
    await value('shell:showFile', { pairId, path: 'Keep/gone/deeper.txt' });
    expect(opened.at(-1)).toBe(join(local, 'Keep'));
    const before = [...shown, ...opened].length;
    const refused = await call('shell:showFile', { pairId, path: '../appdata/settings.json' });
    expect(refused.ok === false && refused.error.code).toBe('InvalidRequest');
    expect([...shown, ...opened].length).toBe(before);
  });

  it('excluding a synced folder deletes nothing; taking it back in syncs it again', async () => {
    await until('an idle pair', async () => (await statusOf(pairId)).state === 'idle');
    await value('pairs:update', { id: pairId, excludedFolders: ['Skip', 'Keep'] });
    await until('the restarted pair to sync', async () => (await statusOf(pairId)).state === 'idle' && (await statusOf(pairId)).lastSyncAt !== null);
    await writeFile(join(server, 'Keep', 'later.txt'), 'made while left out');
    await value('pairs:syncNow', { id: pairId });
    await until('an idle pair', async () => (await statusOf(pairId)).state === 'idle');
    expect(await text(join(local, 'Keep', 'a.txt'))).toBe('aaaa');
    expect(await text(join(server, 'Keep', 'a.txt'))).toBe('aaaa');
    expect(existsSync(join(local, 'Keep', 'later.txt'))).toBe(false);

    await value('pairs:update', { id: pairId, excludedFolders: ['Skip'] });
    await until('the folder synced again', async () => (await text(join(local, 'Keep', 'later.txt'))) === 'made while left out');
    expect(existsSync(join(local, 'Skip'))).toBe(false);
  });

  it('stops at the fail-safe with the list, restores on "restore", deletes on "allow"', async () => {
    const batch = join(local, 'Batch');
    await mkdir(batch, { recursive: true });
    const names = Array.from({ length: 20 }, (_, index) => `f${index}.txt`);
    for (const name of names) await writeFile(join(batch, name), name);
    await until('the batch on the server', async () => (await Promise.all(names.map((name) => text(join(server, 'Batch', name))))).every((item) => item !== null));
    await until('an idle pair', async () => (await statusOf(pairId)).state === 'idle');

    await rm(batch, { recursive: true });
    await until('the fail-safe', async () => (await statusOf(pairId)).state === 'failsafe');
    const stopped = await statusOf(pairId);
    expect(stopped.failSafe?.reason).toBe('massDelete');
    expect(stopped.failSafe?.total).toBe(20);
    expect(stopped.failSafe?.deletions).toEqual(expect.arrayContaining([{ path: 'Batch/f0.txt', type: 'file', side: 'remote' }]));

    await value('failsafe:decide', { pairId, decision: 'keepWaiting' });
    expect((await statusOf(pairId)).state).toBe('failsafe');
    await value('failsafe:decide', { pairId, decision: 'restore' });
    await until('the batch back here', async () => (await Promise.all(names.map((name) => text(join(batch, name))))).every((item, index) => item === names[index]));
    await until('an idle pair', async () => (await statusOf(pairId)).state === 'idle');
    expect((await statusOf(pairId)).failSafe).toBeNull();
    expect((await readdir(join(server, 'Batch'))).sort()).toEqual([...names].sort());

    await rm(batch, { recursive: true });
    await until('the fail-safe again', async () => (await statusOf(pairId)).state === 'failsafe');
    await value('failsafe:decide', { pairId, decision: 'allow' });
    await until('the batch gone from the server', () => !existsSync(join(server, 'Batch', 'f0.txt')));
  });

  it('keeps the backup state and its history, also across a restart', async () => {
    const source = join(folder, 'Documents');
    await mkdir(source, { recursive: true });
    await writeFile(join(source, 'a.txt'), 'alpha');
    await value('settings:update', { backup: { sources: [source] } });
    expect(await value('backup:getState')).toEqual({ running: null, history: [] });
    const before = events.length;
    const summary = await value('backup:run', {});
    const states = events.slice(before).flatMap((message) => (message.event === 'backup:changed' ? [message.payload] : []));
    expect(states[0]?.running?.operation).toBe('backup');
    expect(states.at(-1)?.running).toBeNull();
    const state = await value('backup:getState');
    expect(state.running).toBeNull();
    expect(state.history).toHaveLength(1);
    expect(state.history[0]).toMatchObject({ sources: [source], dryRun: false, filesSent: 1, bytesSent: 5, failedTotal: 0, stopped: null, version: summary.version });

    const cancelled = call('backup:run', {});
    await value('backup:cancel');
    expect((await cancelled).ok).toBe(false);
    const history = (await value('backup:getState')).history;
    expect(history).toHaveLength(2);
    expect(history[0]!.stopped?.code).toBe('Cancelled');

    const again = new AppServices(testServicesDeps(folder, windowDeps(emulator)));
    try {
      expect((await again.backupState()).history).toEqual(history);
    } finally {
      await again.stop();
    }
  });

  it('deletes a removed pair\'s journal: pairing the same folders again deletes nothing', async () => {
    await value('pairs:remove', { id: pairId });
    const journals = await readdir(join(folder, 'appdata', 'journals'));
    expect(journals.filter((name) => name.endsWith('.sqlite'))).toEqual([]);
    // Meanwhile the user deleted a file on this computer; the old journal would have carried that to the server.
    await rm(join(local, 'mine.txt'));
    const pair = await value('pairs:add', { localFolder: local, remoteFolder: 'Pair', excludedFolders: ['Skip'] });
    await until('the first sync', async () => (await statusOf(pair.id)).lastSyncAt !== null);
    expect(await text(join(server, 'mine.txt'))).toBe('mine');
    expect(await text(join(local, 'mine.txt'))).toBe('mine');

    // A journal left from before (an earlier version, or the command): adding the pair drops it too.
    const journalFolder = join(folder, 'appdata', 'journals');
    const [journal] = (await readdir(journalFolder)).filter((name) => name.endsWith('.sqlite'));
    await until('an idle pair', async () => (await statusOf(pair.id)).state === 'idle');
    await value('pairs:pause', { id: pair.id });
    // SQLite keeps recent writes in the -wal file beside it: the copy takes every file of the journal.
    const files = (await readdir(journalFolder)).filter((name) => name.startsWith(journal!));
    const stale = await Promise.all(files.map(async (name) => [name, await readFile(join(journalFolder, name))] as const));
    await value('pairs:remove', { id: pair.id });
    for (const [name, content] of stale) await writeFile(join(journalFolder, name), content);
    await rm(join(local, 'mine.txt'));
    const again = await value('pairs:add', { localFolder: local, remoteFolder: 'Pair', excludedFolders: ['Skip'] });
    await until('the first sync', async () => (await statusOf(again.id)).lastSyncAt !== null);
    expect(await text(join(server, 'mine.txt'))).toBe('mine');
    expect(await text(join(local, 'mine.txt'))).toBe('mine');
  });
});
