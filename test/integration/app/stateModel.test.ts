/**
 * What the window is told, under Node against the emulator, through the real IPC handlers:
 * open conflicts stay listed when a settings change restarts their pair (and while it is not
 * running), and the quota is asked again after a run and at its interval.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { useAppOnEmulator } from '../../support/appServices.js';
import type { AccountInfo, ConflictInfo } from '../../../shared/types.js';
import { untilWithin } from '../../support/until.js';

const app = useAppOnEmulator({
  prefix: 'terasync-state-',
  emulator: { oauth: false },
  deps: ({ emulator }) => ({
    api: { baseUrl: emulator.apiBaseUrl, applicationKey: emulator.apiKey, keyPlacement: 'header' },
    syncOptions: { quietMs: 50 },
    // Short enough for a test: the periodic refresh, and the one after a run.
    quotaRefreshMs: 1_000,
    quotaAfterRunMs: 100,
  }),
  // A handler that throws a stray error, or an answer that breaks the contract, fails the call.
  internalErrors: 'throw',
});
const { events, value } = app;
let emulator: RunningEmulator;
let folder: string;

beforeAll(() => {
  ({ emulator, folder } = app);
});

const until = untilWithin(10_000);

function conflictEvents(): ConflictInfo[][] {
  return events.flatMap((message) => (message.event === 'conflicts:changed' ? [message.payload] : []));
}

function accountEvents(): Array<AccountInfo | null> {
  return events.flatMap((message) => (message.event === 'account:changed' ? [message.payload] : []));
}

describe('what the window is told', () => {
  let pairId: string;
  let local: string;
  let remote: string;

  it('signs in and syncs a pair', async () => {
    const account = emulator.accounts[0]!;
    await value('account:signInWithPassword', { userId: account.userId, password: account.appsPassword, location: emulator.davUrl });
    local = join(folder, 'Local');
    remote = join(emulator.filesDir(), 'Sync');
    await mkdir(local, { recursive: true });
    await mkdir(remote, { recursive: true });
    await writeFile(join(local, 'report.txt'), 'the synced version\n');
    pairId = (await value('pairs:add', { localFolder: local, remoteFolder: 'Sync' })).id;
    await until('the first upload', () => existsSync(join(remote, 'report.txt')));
    await until('an idle pair with nothing waiting', async () => {
      const status = (await value('status:get')).find((item) => item.pairId === pairId)?.status;
      return status?.state === 'idle' && status.pending === 0;
    });
  });

  it('keeps a conflict listed when saving an ignore pattern restarts the pair, and sends the list again', async () => {
    await value('pairs:pause', { id: pairId });
    await writeFile(join(local, 'report.txt'), 'edited on this computer\n');
    await writeFile(join(remote, 'report.txt'), 'edited on the server, longer\n');
    await value('pairs:resume', { id: pairId });
    await until('one conflict', async () => (await value('conflicts:list')).length === 1);
    await until('the conflict sent to the window', () => conflictEvents().at(-1)?.length === 1);
    const before = conflictEvents().length;

    // Settings → ignore patterns → Save: the pair is stopped and started again.
    await value('settings:update', { sync: { ignorePatterns: ['*.tmp'] } });
    await until('the restarted pair idle', async () => (await value('status:get')).find((item) => item.pairId === pairId)?.status.state === 'idle');
    // Give the restarted pair's first run time to report.
    await until('the list sent again after the restart', () => conflictEvents().length > before);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const sent = conflictEvents().slice(before);
    expect(sent.length).toBeGreaterThan(0);
    // Never an empty list while the conflict is open.
    for (const list of sent) expect(list.map((conflict) => conflict.path)).toEqual(['report.txt']);
    expect((await value('conflicts:list')).map((conflict) => conflict.path)).toEqual(['report.txt']);
  });

  it('lists the conflict while the pair is not running (signed out), and again after signing in', async () => {
    await value('account:signOut');
    expect((await value('conflicts:list')).map((conflict) => conflict.path)).toEqual(['report.txt']);
    expect(conflictEvents().at(-1)?.map((conflict) => conflict.path)).toEqual(['report.txt']);
    const account = emulator.accounts[0]!;
    await value('account:signInWithPassword', { userId: account.userId, password: account.appsPassword, location: emulator.davUrl });
    await until('the pair running', async () => (await value('status:get')).find((item) => item.pairId === pairId)?.status.state === 'idle');
    expect((await value('conflicts:list')).map((conflict) => conflict.path)).toEqual(['report.txt']);
  });

  it('tells the window the new quota after a run that uploaded, without signing out', async () => {
    const used = (await value('account:get'))?.quota?.usedBytes;
    expect(used).toBeTypeOf('number');
    const from = events.length;
    await writeFile(join(local, 'big.bin'), Buffer.alloc(256 * 1024, 7));
    await until('the upload', () => existsSync(join(remote, 'big.bin')));
    await until('a new quota sent to the window', () =>
      events.slice(from).some((message) => message.event === 'account:changed' && (message.payload?.quota?.usedBytes ?? 0) >= (used ?? 0) + 256 * 1024),
    );
  });

  it('asks for the quota again at its interval, for a change made elsewhere', async () => {
    const latest = accountEvents().at(-1)?.quota?.usedBytes ?? 0;
    // Written on the server by someone else: no run here changes anything.
    await mkdir(join(emulator.filesDir(), 'Elsewhere'), { recursive: true });
    await writeFile(join(emulator.filesDir(), 'Elsewhere', 'other.bin'), Buffer.alloc(128 * 1024, 1));
    await until('the periodic refresh', () => (accountEvents().at(-1)?.quota?.usedBytes ?? 0) >= latest + 128 * 1024);
  });
});
