/**
 * The update as AppServices runs it, through the IPC handlers, against the emulator: the
 * update state reaches the window as `update:changed`, the settings switch it off and on, and
 * "Restart to update" asked during a real sync run waits for the run to end before it
 * installs. The updater is a scripted port (the real electron-updater is tested in
 * updater.test.ts); the run is slowed down by the pair's upload limit so that it is still
 * running when the restart is asked for.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { AppServices } from '../../../electron/app/AppServices.js';
import { createIpcHandlers } from '../../../electron/app/createIpcHandlers.js';
import { dispatchIpc, type IpcHandlers } from '../../../electron/app/dispatchIpc.js';
import type { UpdaterPort } from '../../../electron/app/UpdateController.js';
import type { IpcChannel, IpcRequest, IpcResponse } from '../../../shared/ipc/contract.js';
import type { UpdateChannel, UpdateStateView } from '../../../shared/types.js';
import { testServicesDeps } from '../../support/appServices.js';
import { untilWithin } from '../../support/until.js';

const USER = 'demo';
const PASSWORD = 'demo-apps-password';

/** Waits for `condition`; fails after `timeoutMs`. */
const until = untilWithin(20_000, 20);

class ScriptedUpdater implements UpdaterPort {
  readonly currentVersion = '0.1.0';
  readonly unavailable = null;
  channels: UpdateChannel[] = [];
  checks = 0;
  /** What the services were doing when the install began. */
  installs: Array<{ syncing: boolean }> = [];
  syncingNow: () => boolean = () => false;

  setChannel(channel: UpdateChannel): void {
    this.channels.push(channel);
  }

  async check(): Promise<string | null> {
    this.checks++;
    return '0.2.0';
  }

  async download(onProgress: (percent: number) => void): Promise<void> {
    onProgress(100);
  }

  async install(): Promise<void> {
    this.installs.push({ syncing: this.syncingNow() });
  }
}

let emulator: RunningEmulator;
let folder: string;
let services: AppServices;
let handlers: IpcHandlers;
const updater = new ScriptedUpdater();
const told: UpdateStateView[] = [];

async function value<C extends IpcChannel>(channel: C, ...request: IpcRequest<C> extends undefined ? [] : [IpcRequest<C>]): Promise<IpcResponse<C>> {
  const result = await dispatchIpc(channel, request, handlers);
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code} ${result.error.message}`);
  return result.value;
}

beforeAll(async () => {
  emulator = await startEmulator({ oauth: false });
  folder = await mkdtemp(join(tmpdir(), 'terasync-update-'));
  services = new AppServices(testServicesDeps(folder, { updater, updateTimings: { startDelayMs: 0 } }));
  handlers = createIpcHandlers(services);
  services.events.subscribe((message) => {
    if (message.event === 'update:changed') told.push(message.payload);
  });
  await services.start();
  await services.signInWithPassword({ userId: USER, password: PASSWORD, location: emulator.davUrl });
}, 30_000);

afterAll(async () => {
  await services?.stop();
  await emulator?.close();
  if (folder !== undefined) await rm(folder, { recursive: true, force: true });
});

describe('updates in the running app', () => {
  it('checks at start and tells the window when the update is ready', async () => {
    await until('the update to be ready', () => services.updateState().phase === 'ready');
    expect(updater.channels).toEqual(['stable']);
    expect(told.map((state) => state.phase)).toEqual(expect.arrayContaining(['checking', 'downloading', 'ready']));
    expect(await value('update:getState')).toMatchObject({ phase: 'ready', version: '0.2.0', currentVersion: '0.1.0', busy: null });
  });

  it('follows the settings: off stops it, the beta channel checks again', async () => {
    await value('settings:update', { update: { enabled: false } });
    await until('updates to be off', () => services.updateState().phase === 'disabled');
    expect(services.updateState().disabledReason).toBe('setting');
    const result = await dispatchIpc('update:check', [], handlers);
    expect(result.ok).toBe(false);
    await value('settings:update', { update: { enabled: true, channel: 'beta' } });
    await until('the beta update to be ready', () => services.updateState().phase === 'ready');
    expect(updater.channels.at(-1)).toBe('beta');
    expect((await value('settings:get')).update).toEqual({ enabled: true, channel: 'beta' });
  });

  it('asked during a sync run, restarts only when the run has ended', async () => {
    const local = join(folder, 'Synced');
    await mkdir(local, { recursive: true });
    const pair = await services.addPair(local, 'Sync');
    // 1 MB at 128 KiB/s: the run lasts several seconds.
    await services.updatePair(pair.id, { bandwidth: { uploadKiBps: 128 } });
    const syncing = (): boolean => services.statuses().some((status) => status.status.state === 'syncing' || status.status.state === 'scanning');
    updater.syncingNow = syncing;
    await until('the first run to end', () => services.statuses().some((status) => status.status.state === 'idle'));
    await writeFile(join(local, 'big.bin'), randomBytes(1024 * 1024));
    await until('the upload to run', () => services.statuses().some((status) => status.status.state === 'syncing' && (status.status.progress?.bytesTotal ?? 0) > 0));

    const asked = await value('update:restart');
    expect(asked).toMatchObject({ phase: 'ready', restartPending: true, busy: 'sync' });
    expect(updater.installs).toEqual([]);

    await until('the install', () => updater.installs.length > 0, 60_000);
    expect(updater.installs).toEqual([{ syncing: false }]);
    expect(services.updateState().phase).toBe('installing');
    expect(emulator.requests.some((request) => request.method === 'PUT' && request.path.endsWith('/big.bin') && request.status === 201)).toBe(true);
  }, 90_000);
});
