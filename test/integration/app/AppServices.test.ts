/**
 * The app's services end to end under Node, as the window drives them: every call goes
 * through dispatchIpc with the real handlers (validation of request and answer included),
 * against the TeraCLOUD emulator on loopback, with the real watcher and a temp app-data folder.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createBridgeClient, type BridgeSocketConstructor } from '../../../dev/ipcBridge/browserClient.js';
import { type RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { startIpcBridge } from '../../../dev/ipcBridge/startIpcBridge.js';
import { AppServices } from '../../../electron/app/AppServices.js';
import { createIpcHandlers } from '../../../electron/app/createIpcHandlers.js';
import { dispatchIpc, type IpcHandlers } from '../../../electron/app/dispatchIpc.js';
import type { PairStatus, PickPurpose } from '../../../shared/types.js';
import { testServicesDeps, useAppOnEmulator } from '../../support/appServices.js';
import { untilWithin } from '../../support/until.js';

const USER = 'demo';
const PASSWORD = 'demo-apps-password';

const opened: string[] = [];
const shown: string[] = [];
/** The answers of the "system dialog", one per pickPath call. */
const picks: Array<(purpose: PickPurpose) => string | null> = [];
const trashed: string[] = [];

/** Waits for `condition` (a real server and a real watcher take real time); fails after `timeoutMs`. */
const until = untilWithin(8_000);

const app = useAppOnEmulator({
  prefix: 'terasync-app-',
  emulator: { oauth: false },
  deps: ({ folder }) => ({
    // A trash that keeps what it gets, so that a test can see nothing was lost.
    trash: {
      trash: async (file) => {
        const bin = join(folder, 'trash');
        await mkdir(bin, { recursive: true });
        trashed.push(file);
        await rename(file, join(bin, `${trashed.length}-${basename(file)}`));
      },
    },
    openPath: async (target) => {
      opened.push(target);
    },
    showItemInFolder: async (file) => {
      shown.push(file);
    },
    pickPath: async (purpose) => picks.shift()?.(purpose) ?? null,
    openExternal: async (url) => {
      opened.push(url);
    },
    openBrowser: async () => {
      throw new Error('no browser in this test');
    },
    syncOptions: { quietMs: 50 },
  }),
});
/** What dispatchIpc reports as a bug: a handler that threw a stray error, an answer that broke the contract. */
const { events, internalErrors, call, value } = app;
let emulator: RunningEmulator;
let folder: string;
let services: AppServices;
let handlers: IpcHandlers;

beforeAll(() => {
  ({ emulator, folder, services, handlers } = app);
});

afterAll(() => {
  expect(internalErrors).toEqual([]);
});

function statusEvents(pairId: string): PairStatus[] {
  return events.flatMap((message) => (message.event === 'status:changed' && message.payload.pairId === pairId ? [message.payload] : []));
}

async function statusOf(pairId: string): Promise<PairStatus['status']> {
  const status = (await value('status:get')).find((item) => item.pairId === pairId);
  if (status === undefined) throw new Error(`no status for ${pairId}`);
  return status.status;
}

describe('AppServices through the IPC handlers', () => {
  let pairId: string;
  let local: string;
  let remote: string;

  it('starts signed out, with default settings', async () => {
    expect(await value('account:get')).toBeNull();
    expect(await value('pairs:list')).toEqual([]);
    const overview = await value('app:getOverview');
    expect(overview.account.user).toBeNull();
  });

  it('refuses a wrong password and signs in with the right one', async () => {
    const refused = await call('account:signInWithPassword', { userId: USER, password: 'wrong-password', location: emulator.davUrl });
    expect(refused.ok).toBe(false);
    expect(await value('account:get')).toBeNull();

    const result = await value('account:signInWithPassword', { userId: USER, password: PASSWORD, location: emulator.davUrl });
    expect(result.problem).toBeNull();
    expect(result.account).toMatchObject({ userId: USER, signedInWith: 'basic', method: 'basic', webdavUrl: emulator.davUrl });
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
    expect(events.some((message) => message.event === 'account:changed' && message.payload?.userId === USER)).toBe(true);
    expect((await value('account:get'))?.userId).toBe(USER);
  });

  it('adds a pair and syncs both ways', async () => {
    local = join(folder, 'Local');
    remote = join(emulator.filesDir(), 'Sync');
    await mkdir(local, { recursive: true });
    await mkdir(remote, { recursive: true });
    await writeFile(join(local, 'from-local.txt'), 'local side');
    await writeFile(join(remote, 'from-remote.txt'), 'remote side');

    const pair = await value('pairs:add', { localFolder: local, remoteFolder: 'Sync' });
    pairId = pair.id;
    expect(pair).toMatchObject({ localFolder: local, remoteFolder: 'Sync', paused: false, bandwidth: { uploadKiBps: 0, downloadKiBps: 0 } });
    expect(await value('pairs:list')).toEqual([pair]);

    await until('the first run', async () => (await statusOf(pairId)).lastSyncAt !== null);
    expect(await readFile(join(remote, 'from-local.txt'), 'utf8')).toBe('local side');
    expect(await readFile(join(local, 'from-remote.txt'), 'utf8')).toBe('remote side');

    const states = statusEvents(pairId).map((item) => item.status.state);
    expect(states).toContain('scanning');
    expect(states).toContain('idle');
    // The first run is one entry of the activity history, its files grouped by what happened.
    await until('the run in the history', async () => (await value('activity:list', { limit: 100 })).runs.length > 0);
    const activity = await value('activity:list', { limit: 100 });
    expect(activity.more).toBe(false);
    expect(activity.runs).toHaveLength(1);
    expect(activity.runs[0]).toMatchObject({
      id: 1,
      pairId,
      outcome: 'completed',
      groups: [
        { kind: 'addedRemote', count: 1, files: [{ path: 'from-local.txt', from: null, error: null }] },
        { kind: 'addedLocal', count: 1, files: [{ path: 'from-remote.txt', from: null, error: null }] },
      ],
    });
    const added = events.flatMap((message) => (message.event === 'activity:runAdded' ? [message.payload] : []));
    expect(added).toEqual(activity.runs);
    expect(await value('conflicts:list')).toEqual([]);
  });

  it('uploads a local change the watcher reports', async () => {
    await writeFile(join(local, 'edited-later.txt'), 'typed after the first run');
    await until('the upload', () => existsSync(join(remote, 'edited-later.txt')));
    expect(await readFile(join(remote, 'edited-later.txt'), 'utf8')).toBe('typed after the first run');
  });

  it('pauses, holds changes while paused, and catches up on resume', async () => {
    const paused = await value('pairs:pause', { id: pairId });
    expect(paused.paused).toBe(true);
    expect((await statusOf(pairId)).state).toBe('paused');
    expect((await value('settings:get')).pairs[0]?.paused).toBe(true);
    const refused = await call('pairs:syncNow', { id: pairId });
    expect(refused.ok).toBe(false);

    await writeFile(join(local, 'while-paused.txt'), 'waiting');
    const resumed = await value('pairs:resume', { id: pairId });
    expect(resumed.paused).toBe(false);
    await until('the upload after resume', () => existsSync(join(remote, 'while-paused.txt')));
  });

  it('downloads a remote change on syncNow', async () => {
    await until('an idle pair', async () => (await statusOf(pairId)).state === 'idle');
    await writeFile(join(remote, 'server-new.txt'), 'from the server');
    expect(await value('pairs:syncNow', { id: pairId })).toBeUndefined();
    await until('the download', () => existsSync(join(local, 'server-new.txt')));
    expect(await readFile(join(local, 'server-new.txt'), 'utf8')).toBe('from the server');
  });

  it('holds the pairs while the computer sleeps and syncs them as soon as it wakes', async () => {
    await until('an idle pair', async () => (await statusOf(pairId)).state === 'idle');
    services.systemSuspending();
    expect((await statusOf(pairId)).state).toBe('paused');
    // The sleep is not the user's pause: the setting stays.
    expect((await value('settings:get')).pairs[0]?.paused).toBe(false);
    await writeFile(join(remote, 'while-asleep.txt'), 'changed on the server during the sleep');
    services.systemResumed();
    // Long before the next poll (30 s): waking syncs now.
    await until('the download on waking', () => existsSync(join(local, 'while-asleep.txt')));
    await until('an idle pair', async () => (await statusOf(pairId)).state === 'idle');

    // A pair the user paused stays paused through a sleep, also when paused during it.
    await value('pairs:pause', { id: pairId });
    services.systemSuspending();
    services.systemResumed();
    expect((await statusOf(pairId)).state).toBe('paused');
    await value('pairs:resume', { id: pairId });
    await until('an idle pair', async () => (await statusOf(pairId)).state === 'idle');
    services.systemSuspending();
    await value('pairs:pause', { id: pairId });
    services.systemResumed();
    expect((await statusOf(pairId)).state).toBe('paused');
    await value('pairs:resume', { id: pairId });
    await until('an idle pair', async () => (await statusOf(pairId)).state === 'idle');

    // A wake that is never reported: Sync now lets the pair go on.
    services.systemSuspending();
    await writeFile(join(remote, 'no-resume.txt'), 'the resume never came');
    expect(await value('pairs:syncNow', { id: pairId })).toBeUndefined();
    await until('the download on Sync now', () => existsSync(join(local, 'no-resume.txt')));
    await until('an idle pair', async () => (await statusOf(pairId)).state === 'idle');
  });

  it('tells an update from an addition, and a deletion on TeraCLOUD, in the history', async () => {
    await until('an idle pair', async () => (await statusOf(pairId)).state === 'idle');
    const newest = async () => (await value('activity:list', { limit: 1 })).runs[0]!;
    const before = (await newest()).id;
    await writeFile(join(local, 'edited-later.txt'), 'typed again, and longer than before');
    await until('the update in the history', async () => (await newest()).id > before);
    expect((await newest()).groups).toEqual([{ kind: 'updatedRemote', count: 1, files: [{ path: 'edited-later.txt', from: null, error: null }] }]);

    await mkdir(join(local, 'Old'));
    await writeFile(join(local, 'Old', 'a.txt'), 'in a folder');
    await until('the folder on the server', () => existsSync(join(remote, 'Old', 'a.txt')));
    await until('an idle pair', async () => (await statusOf(pairId)).state === 'idle');
    const beforeDelete = (await newest()).id;
    // One run deletes a file and a folder with its file: the files are listed, not the folder.
    await value('pairs:pause', { id: pairId });
    await rm(join(local, 'while-paused.txt'));
    await rm(join(local, 'Old'), { recursive: true });
    await value('pairs:resume', { id: pairId });
    await until('the deletion in the history', async () => (await newest()).id > beforeDelete && !existsSync(join(remote, 'Old')));
    expect((await newest()).groups).toEqual([
      {
        kind: 'deletedRemote',
        count: 2,
        files: expect.arrayContaining([
          { path: 'while-paused.txt', from: null, error: null },
          { path: 'Old/a.txt', from: null, error: null },
        ]) as unknown,
      },
    ]);
    const deletions = await value('activity:list', { limit: 100, pairId, kinds: ['deletedRemote'] });
    expect(deletions.runs.map((run) => run.groups.map((group) => group.kind))).toEqual([['deletedRemote']]);
  });

  it('resolves conflicts: keep this computer\'s version, the server\'s, or both; nothing is deleted for good', async () => {
    const names = ['keep-local.txt', 'keep-remote.txt', 'keep-both.txt'];
    for (const name of names) await writeFile(join(local, name), `${name}: synced version\n`);
    await until('the three files on the server', () => names.every((name) => existsSync(join(remote, name))));
    await until('an idle pair', async () => (await statusOf(pairId)).state === 'idle');
    await value('pairs:pause', { id: pairId });
    for (const name of names) {
      await writeFile(join(local, name), `${name}: edited on this computer\n`);
      await writeFile(join(remote, name), `${name}: edited elsewhere, longer\n`);
    }
    await value('pairs:resume', { id: pairId });
    await until('three conflicts', async () => (await value('conflicts:list')).length === 3);
    const conflicts = await value('conflicts:list');
    const byPath = new Map(conflicts.map((conflict) => [conflict.path, conflict]));
    for (const name of names) {
      // The server's version at the path, this computer's in the copy.
      expect(await readFile(join(local, name), 'utf8')).toBe(`${name}: edited elsewhere, longer\n`);
      expect(await readFile(join(local, byPath.get(name)!.copy), 'utf8')).toBe(`${name}: edited on this computer\n`);
    }
    await until('an idle pair', async () => (await statusOf(pairId)).state === 'idle');

    const resolve = (name: string, keep: 'local' | 'remote' | 'both') =>
      value('conflicts:resolve', { pairId, id: byPath.get(name)!.id, keep });
    await resolve('keep-local.txt', 'local');
    await resolve('keep-remote.txt', 'remote');
    await resolve('keep-both.txt', 'both');
    expect(await value('conflicts:list')).toEqual([]);
    expect(events.filter((message) => message.event === 'conflicts:changed').at(-1)?.payload).toEqual([]);
    const again = await call('conflicts:resolve', { pairId, id: byPath.get('keep-both.txt')!.id, keep: 'both' });
    expect(again).toMatchObject({ ok: false, error: { code: 'NotFound' } });

    const localCopy = byPath.get('keep-local.txt')!.copy;
    const remoteCopy = byPath.get('keep-remote.txt')!.copy;
    const bothCopy = byPath.get('keep-both.txt')!.copy;
    await until('the server in step', async () => {
      const text = (file: string) => readFile(join(remote, file), 'utf8').catch(() => null);
      return (
        (await text('keep-local.txt')) === 'keep-local.txt: edited on this computer\n' &&
        !existsSync(join(remote, localCopy)) &&
        !existsSync(join(remote, remoteCopy)) &&
        (await text(bothCopy)) === 'keep-both.txt: edited on this computer\n'
      );
    });
    expect(await readFile(join(local, 'keep-local.txt'), 'utf8')).toBe('keep-local.txt: edited on this computer\n');
    expect(await readFile(join(local, 'keep-remote.txt'), 'utf8')).toBe('keep-remote.txt: edited elsewhere, longer\n');
    expect(await readFile(join(remote, 'keep-remote.txt'), 'utf8')).toBe('keep-remote.txt: edited elsewhere, longer\n');
    expect(existsSync(join(local, bothCopy))).toBe(true);
    // What was set aside is in the trash: the server's version of keep-local, the copy of keep-remote.
    expect(trashed).toEqual([join(local, 'keep-local.txt'), join(local, remoteCopy)]);
    const bin = await readdir(join(folder, 'trash'));
    const contents = await Promise.all(bin.map((file) => readFile(join(folder, 'trash', file), 'utf8')));
    expect(contents.sort()).toEqual(['keep-local.txt: edited elsewhere, longer\n', 'keep-remote.txt: edited on this computer\n']);
  });

  it('reads and updates the settings, and tells the window', async () => {
    const before = await value('settings:get');
    expect(before.sync).toEqual({ pollIntervalSeconds: 30, fullScanMinutes: 10, ignorePatterns: [], parallelTransfers: 4, failSafePercent: 50, deletedRetentionDays: 30 });
    const after = await value('settings:update', { sync: { pollIntervalSeconds: 60 }, app: { notifications: false } });
    expect(after.sync.pollIntervalSeconds).toBe(60);
    expect(after.app.notifications).toBe(false);
    expect(after.pairs.map((pair) => pair.id)).toEqual([pairId]);
    expect(events.some((message) => message.event === 'settings:changed' && message.payload.sync.pollIntervalSeconds === 60)).toBe(true);
    expect(JSON.parse(await readFile(join(folder, 'appdata', 'settings.json'), 'utf8')).sync.pollIntervalSeconds).toBe(60);
    // The new interval restarted the pair's service; it syncs again.
    await until('the restarted pair to sync', async () => (await statusOf(pairId)).state === 'idle' && (await statusOf(pairId)).lastSyncAt !== null);
    const invalid = await call('settings:update', { sync: { pollIntervalSeconds: 1 } });
    expect(invalid.ok).toBe(false);
  });

  it('changes a pair\'s bandwidth live, refuses overlapping pairs and unknown ids', async () => {
    const updated = await value('pairs:update', { id: pairId, bandwidth: { uploadKiBps: 512 } });
    expect(updated.bandwidth).toEqual({ uploadKiBps: 512, downloadKiBps: 0 });
    expect((await statusOf(pairId)).state).not.toBe('stopped');
    const nested = await call('pairs:add', { localFolder: join(local, 'inner'), remoteFolder: 'Other' });
    expect(nested.ok === false && nested.error.code).toBe('InvalidRequest');
    const unknown = await call('pairs:pause', { id: 'no-such-pair' });
    expect(unknown.ok === false && unknown.error.code).toBe('NotFound');
    const notWaiting = await call('failsafe:decide', { pairId, decision: 'allow' });
    expect(notWaiting.ok === false && notWaiting.error.code).toBe('InvalidRequest');
    expect(await value('pairs:list')).toHaveLength(1);
  });

  it('opens the pair folder and https URLs only', async () => {
    await value('shell:openFolder', { kind: 'syncFolder', pairId });
    await value('shell:openUrl', { url: 'https://teracloud.jp/' });
    expect(opened).toEqual([local, 'https://teracloud.jp/']);
    expect((await call('shell:openUrl', { url: 'file:///etc/passwd' })).ok).toBe(false);
  });

  it('backs up the configured folders, lists them and restores one', async () => {
    const source = join(folder, 'Documents');
    await mkdir(join(source, 'notes'), { recursive: true });
    await writeFile(join(source, 'notes', 'a.txt'), 'alpha');
    await writeFile(join(source, 'b.txt'), 'bravo');
    expect((await call('backup:run', { sources: [source] })).ok).toBe(false);
    await value('settings:update', { backup: { sources: [source], device: 'testbox' } });

    const summary = await value('backup:run', {});
    expect(summary).toMatchObject({ device: 'testbox', dryRun: false, filesSent: 2, failedTotal: 0, stopped: null });
    expect(await readFile(join(emulator.backupDir(), 'testbox', 'Documents', 'notes', 'a.txt'), 'utf8')).toBe('alpha');
    expect(events.some((message) => message.event === 'backup:progress' && message.payload.operation === 'backup')).toBe(true);

    const listing = await value('backup:list', { source: 'Documents' });
    expect(listing.sources).toEqual(['Documents']);
    expect(listing.files.map((file) => file.path).sort()).toEqual(['b.txt', 'notes/a.txt']);

    const missing = await call('restore:run', { source: 'Documents', to: join(folder, 'Restored') });
    expect(missing.ok === false && missing.error.code).toBe('NotFound');
    await mkdir(join(folder, 'Restored'));
    const restored = await value('restore:run', { source: 'Documents', path: 'notes', to: join(folder, 'Restored') });
    expect(restored).toMatchObject({ restored: 1, failedTotal: 0, stopped: null, target: join(folder, 'Restored', 'notes') });
    expect(await readFile(join(folder, 'Restored', 'notes', 'a.txt'), 'utf8')).toBe('alpha');
    // Backups have their own history (the Backup screen); the activity is the sync's.
    const paths = (await value('activity:list', { limit: 100 })).runs.flatMap((run) => run.groups.flatMap((group) => group.files.map((file) => file.path)));
    expect(paths).not.toContain('b.txt');
    expect(paths).not.toContain('notes/a.txt');
    expect((await value('backup:getState')).history.length).toBeGreaterThan(0);
    expect(await value('backup:cancel')).toBeUndefined();
  });

  it('runs one backup at a time, and cancels it', async () => {
    const first = call('backup:run', {});
    const second = await call('backup:run', {});
    expect(second.ok === false && second.error.code).toBe('InvalidRequest');
    expect(await value('backup:cancel')).toBeUndefined();
    const cancelled = await first;
    expect(cancelled.ok === false && cancelled.error.code).toBe('Cancelled');
    // The slot is free again.
    expect((await value('backup:run', { dryRun: true })).dryRun).toBe(true);
  });

  it('signs out: the pair stops, no secret is left', async () => {
    const result = await value('account:signOut');
    expect(result).toEqual({ signedOut: true, revocation: 'nothing', revocationError: null });
    expect(await value('account:get')).toBeNull();
    const status = await statusOf(pairId);
    expect(status.state).toBe('stopped');
    expect(status.problem?.code).toBe('Unauthorized');
    expect((await call('pairs:syncNow', { id: pairId })).ok).toBe(false);
    expect(events.some((message) => message.event === 'account:changed' && message.payload === null)).toBe(true);
  });

  it('removes a pair: its service stops and it is gone from the lists', async () => {
    const second = await value('pairs:add', { localFolder: join(folder, 'Second'), remoteFolder: 'Second' });
    expect((await value('pairs:list')).map((pair) => pair.id)).toEqual([pairId, second.id]);
    expect(await value('pairs:remove', { id: second.id })).toBeUndefined();
    expect((await value('pairs:list')).map((pair) => pair.id)).toEqual([pairId]);
    expect((await value('status:get')).map((item) => item.pairId)).toEqual([pairId]);
  });

  it('carries the same handlers over the WebSocket bridge', async () => {
    const bridge = await startIpcBridge({ handlers, events: services.events });
    const client = createBridgeClient(bridge.url, bridge.token, { WebSocket: WebSocket as unknown as BridgeSocketConstructor });
    try {
      await client.ready;
      const received: string[] = [];
      const unsubscribe = client.api.onSettingsChanged((settings) => received.push(settings.app.theme));
      const listed = await client.api.listPairs();
      expect(listed).toEqual({ ok: true, value: [expect.objectContaining({ id: pairId, localFolder: local })] });
      const updated = await client.api.updateSettings({ app: { theme: 'dark' } });
      expect(updated.ok && updated.value.app.theme).toBe('dark');
      await until('the settings event over the bridge', () => received.includes('dark'), 3_000);
      unsubscribe();
    } finally {
      client.close();
      await bridge.close();
    }
  });

  it('picks the pairs up again on the next sign-in, and stops every one of them on stop()', async () => {
    await value('account:signInWithPassword', { userId: USER, password: PASSWORD, location: emulator.davUrl });
    await writeFile(join(remote, 'after-sign-in.txt'), 'welcome back');
    await until('the pair to sync again', () => existsSync(join(local, 'after-sign-in.txt')));
    await services.stop();
    const statuses = await value('status:get');
    expect(statuses.map((item) => item.status.state)).toEqual(['stopped']);
    expect(statusEvents(pairId).at(-1)?.status.state).toBe('stopped');
  });

  it('keeps the activity history across a restart', async () => {
    const before = await value('activity:list', { limit: 100 });
    expect(before.runs.length).toBeGreaterThanOrEqual(4);
    expect(before.runs.some((run) => run.groups.some((group) => group.files.some((file) => file.path === 'after-sign-in.txt')))).toBe(true);
    const restarted = new AppServices(testServicesDeps(folder, { trash: { trash: async () => undefined } }));
    const restartedHandlers = createIpcHandlers(restarted);
    const answer = await dispatchIpc('activity:list', [{ limit: 100 }], restartedHandlers, { onInternalError: (where, error) => internalErrors.push({ where, error }) });
    expect(answer).toEqual({ ok: true, value: before });
    const older = await dispatchIpc('activity:list', [{ limit: 2, before: before.runs[1]!.id }], restartedHandlers, { onInternalError: () => undefined });
    expect(older).toEqual({ ok: true, value: { runs: before.runs.slice(2, 4), more: before.runs.length > 4 } });
    await restarted.stop();
  });
});
