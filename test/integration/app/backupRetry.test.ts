/**
 * A backup that cannot reach TeraCLOUD is tried again by itself (AppServices with the real
 * BackupScheduler, on virtual time, against the emulator): the server goes away, `backup:run`
 * fails with a connection error and the state promises a retry a minute later; the server
 * comes back and, without anything from the user, the retry backs the folder up. The
 * connection known to be back (`connectionBack()`: the system resumed, a pair online again)
 * runs the pending retry at once. A backup that fails for another reason promises nothing.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { AppServices } from '../../../electron/app/AppServices.js';
import { testServicesDeps } from '../../support/appServices.js';
import type { BackupStateView } from '../../../shared/types.js';
import { FakeClock } from '../../support/fakeClock.js';

const USER = 'demo';
const PASSWORD = 'demo-apps-password';
const minute = 60_000;

let emulator: RunningEmulator | null = null;
let port: number;
let folder: string;
let dataDir: string;
let services: AppServices;
let source: string;
const clock = new FakeClock(Date.now());
const states: BackupStateView[] = [];

async function serverUp(): Promise<void> {
  emulator = await startEmulator({ oauth: false, dataDir, ...(port === undefined ? {} : { port }) });
  port = Number(new URL(emulator.origin).port);
}

async function serverDown(): Promise<void> {
  await emulator?.close();
  emulator = null;
}

/** Resolves with the first backup state pushed to the window from now on that `test` accepts. */
function nextState(test: (state: BackupStateView) => boolean): Promise<BackupStateView> {
  return new Promise((resolve) => {
    const subscription = services.events.subscribe((message) => {
      if (message.event === 'backup:changed' && test(message.payload)) {
        subscription.dispose();
        resolve(message.payload);
      }
    });
  });
}

const backedUp = (state: BackupStateView): boolean => state.running === null && state.history[0]?.stopped === null && state.history[0].dryRun === false;

let idleTimers = 0;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'terasync-backup-retry-'));
  dataDir = join(folder, 'server');
  await serverUp();
  services = new AppServices(testServicesDeps(folder, { clock, scheduler: clock, oauth: null }));
  services.events.subscribe((message) => {
    if (message.event === 'backup:changed') states.push(message.payload);
  });
  await services.start();
  await services.signInWithPassword({ userId: USER, password: PASSWORD, location: (emulator as RunningEmulator).davUrl });
  source = join(folder, 'Documents');
  await mkdir(source, { recursive: true });
  await services.updateSettings({ backup: { sources: [source], device: 'testbox' } });
  // The timers a signed-in app keeps anyway (the quota's periodic refresh): the backup's own
  // are counted on top of these.
  idleTimers = clock.pending();
});

afterEach(async () => {
  if (emulator === null) await serverUp();
});

afterAll(async () => {
  await services?.stop();
  await serverDown();
  if (folder !== undefined) await rm(folder, { recursive: true, force: true });
});

async function onServer(): Promise<string[]> {
  return (await readdir(join((emulator as RunningEmulator).backupDir(USER), 'testbox', 'Documents'))).sort();
}

describe('a backup that cannot reach TeraCLOUD', () => {
  it('is tried again by itself once the server is back, without the user', async () => {
    await writeFile(join(source, 'a.txt'), 'first');
    await serverDown();
    expect((await services.runBackup({})).stopped?.code).toBe('Network');
    const failed = await services.backupState();
    expect(failed.history[0]?.stopped?.code).toBe('Network');
    expect(failed.retryAt).toBe(clock.now() + 1 * minute);
    expect(states.at(-1)?.retryAt).toBe(clock.now() + 1 * minute);

    await serverUp();
    // 40 s after the server is back: not yet (the first retry is a minute after the failure).
    await clock.advance(40_000);
    expect((await services.backupState()).history[0]?.stopped?.code).toBe('Network');
    const done = nextState(backedUp);
    await clock.advance(20_000);
    const state = await done;
    expect(state.history[0]?.filesSent).toBe(1);
    expect(state.retryAt).toBeUndefined();
    expect(await onServer()).toEqual(['a.txt']);
  });

  it('backs off while the server stays away: 1, then 2 minutes, one timer at a time', async () => {
    await writeFile(join(source, 'b.txt'), 'second');
    await serverDown();
    expect((await services.runBackup({})).stopped?.code).toBe('Network');
    const firstFailure = clock.now();
    expect((await services.backupState()).retryAt).toBe(firstFailure + 1 * minute);
    const failedAgain = nextState((state) => state.running === null && state.retryAt !== undefined && state.history[0]?.stopped?.code === 'Network' && state.history[0].startedAt > firstFailure);
    await clock.advance(1 * minute);
    const state = await failedAgain;
    expect(state.retryAt).toBe(clock.now() + 2 * minute);
    expect(clock.pending()).toBe(idleTimers + 1);

    await serverUp();
    // The connection is known to be back: the retry runs now, not in 2 minutes.
    const done = nextState(backedUp);
    services.connectionBack();
    await done;
    expect(await onServer()).toEqual(['a.txt', 'b.txt']);
    expect((await services.backupState()).retryAt).toBeUndefined();
  });

  it('is tried at once when a synced folder reaches the server again', async () => {
    await writeFile(join(source, 'c.txt'), 'third');
    await serverDown();
    // A synced folder whose first sync cannot reach the server: offline, trying again in seconds.
    const offline = new Promise<void>((resolve) => {
      const subscription = services.events.subscribe((message) => {
        if (message.event === 'status:changed' && message.payload.status.state === 'offline') {
          subscription.dispose();
          resolve();
        }
      });
    });
    await services.addPair(join(folder, 'Synced'), 'Sync');
    await clock.advance(0);
    await offline;
    expect((await services.runBackup({})).stopped?.code).toBe('Network');
    expect((await services.backupState()).retryAt).toBe(clock.now() + 1 * minute);

    await serverUp();
    const done = nextState(backedUp);
    // The folder's sync gets through within seconds; the backup's retry was a minute away, and runs now.
    await clock.advance(10_000);
    await done;
    expect(await onServer()).toEqual(['a.txt', 'b.txt', 'c.txt']);
    await services.removePair(services.pairs()[0]!.id);
  });

  it('promises no retry when it failed for another reason', async () => {
    await services.updateSettings({ backup: { sources: [source], device: 'testbox' } });
    await rm(source, { recursive: true, force: true });
    await mkdir(source);
    // An emptied folder whose backup holds files: the fail-safe, which waits for the user.
    for (let index = 0; index < 12; index++) await writeFile(join(source, `f${index}.txt`), String(index));
    await services.runBackup({});
    await rm(source, { recursive: true, force: true });
    await mkdir(source);
    await writeFile(join(source, 'other.txt'), 'other');
    const stopped = await services.runBackup({});
    expect(stopped.stopped?.code).toBe('FailSafeTriggered');
    expect((await services.backupState()).retryAt).toBeUndefined();
    expect(clock.pending()).toBe(idleTimers);
  });
});
