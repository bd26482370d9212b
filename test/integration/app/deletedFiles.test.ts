/**
 * Deleted files through the IPC handlers, as the window's Deleted files screen drives them:
 * a folder deleted on this computer goes to the pair's trash on the TeraCLOUD emulator, the
 * activity run names that trash run, deleted:list and deleted:usage show it, deleted:restore
 * brings a file and then the rest back (on the server and, by the sync it starts, on disk),
 * a taken name gives a restored copy, and deleted:purge deletes a run for good.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { useAppOnEmulator } from '../../support/appServices.js';
import { ErrorCode } from '../../../shared/errors.js';
import type { ActivityRun } from '../../../shared/types.js';
import { untilWithin } from '../../support/until.js';

const app = useAppOnEmulator({
  prefix: 'terasync-app-deleted-',
  emulator: { oauth: false },
  deps: () => ({
    openBrowser: async () => {
      throw new Error('no browser in this test');
    },
    syncOptions: { quietMs: 50 },
  }),
  signIn: true,
});
const { internalErrors, call, value } = app;
let emulator: RunningEmulator;
let folder: string;

beforeAll(() => {
  ({ emulator, folder } = app);
});

afterAll(() => {
  expect(internalErrors).toEqual([]);
});

const until = untilWithin(10_000);

async function deletingRun(pairId: string, after: number): Promise<ActivityRun | undefined> {
  const page = await value('activity:list', { pairId, kinds: ['deletedRemote'], limit: 10 });
  return page.runs.find((run) => run.id > after);
}

describe('deleted files through the IPC handlers', () => {
  it('lists what a sync deleted on TeraCLOUD under the activity run’s trash id, restores it, and purges', async () => {
    const local = join(folder, 'Work');
    const server = join(emulator.filesDir(), 'Work');
    await mkdir(join(local, 'docs'), { recursive: true });
    await mkdir(server, { recursive: true });
    await writeFile(join(local, 'docs', 'a.txt'), 'alpha');
    await writeFile(join(local, 'docs', 'b.txt'), 'bravo!');
    await writeFile(join(local, 'keep.txt'), 'kept');
    const pair = await value('pairs:add', { localFolder: local, remoteFolder: 'Work' });
    await until('the first sync', () => existsSync(join(server, 'docs', 'b.txt')) && existsSync(join(server, 'keep.txt')));
    expect(await value('deleted:list')).toEqual([{ pairId: pair.id, runs: [], bytes: 0, problem: null }]);
    const before = (await value('activity:list', { limit: 1 })).runs[0]?.id ?? 0;

    // Deleted on this computer: the sync moves it into the trash on TeraCLOUD.
    await rm(join(local, 'docs'), { recursive: true, force: true });
    await value('pairs:syncNow', { id: pair.id });
    let run: ActivityRun | undefined;
    await until('the deleting run in the activity', async () => (run = await deletingRun(pair.id, before)) !== undefined);
    expect(existsSync(join(server, 'docs'))).toBe(false);
    const trashRunId = run?.trashRunId;
    expect(trashRunId).toMatch(/^\d{4}-\d{2}-\d{2}T\d{6}Z(-\d+)?$/);

    const [listed] = await value('deleted:list');
    expect(listed?.problem).toBeNull();
    expect(listed?.runs).toHaveLength(1);
    expect(listed?.runs[0]).toMatchObject({ runId: trashRunId, files: [{ path: 'docs/a.txt', size: 5 }, { path: 'docs/b.txt', size: 6 }], bytes: 11 });
    expect(await value('deleted:usage')).toEqual({ bytes: 11, retentionDays: 30 });
    await value('settings:update', { sync: { deletedRetentionDays: 7 } });
    expect(await value('deleted:usage')).toEqual({ bytes: 11, retentionDays: 7 });

    // One file back where it was: on the server at once, on disk by the sync it starts.
    expect(await value('deleted:restore', { pairId: pair.id, runId: trashRunId as string, path: 'docs/a.txt' })).toEqual([{ path: 'docs/a.txt', restoredTo: 'docs/a.txt' }]);
    await until('docs/a.txt back on disk', () => existsSync(join(local, 'docs', 'a.txt')));
    expect(await readFile(join(local, 'docs', 'a.txt'), 'utf8')).toBe('alpha');
    expect((await value('deleted:list'))[0]?.runs[0]?.files).toEqual([{ path: 'docs/b.txt', size: 6 }]);

    // A name taken since: the rest comes back as a restored copy, nothing is overwritten.
    await writeFile(join(local, 'docs', 'b.txt'), 'a new b');
    await until('the new docs/b.txt on the server', async () => existsSync(join(server, 'docs', 'b.txt')) && (await readFile(join(server, 'docs', 'b.txt'), 'utf8')) === 'a new b');
    const restored = await value('deleted:restore', { pairId: pair.id, runId: trashRunId as string });
    // docs exists again (a.txt is back): the run's folder is merged into it, file by file.
    expect(restored).toEqual([{ path: 'docs/b.txt', restoredTo: 'docs/b (restored).txt' }]);
    await until('the restored copy on disk', () => existsSync(join(local, 'docs', 'b (restored).txt')));
    expect(await readFile(join(local, 'docs', 'b (restored).txt'), 'utf8')).toBe('bravo!');
    expect(await readFile(join(local, 'docs', 'b.txt'), 'utf8')).toBe('a new b');
    expect((await value('deleted:list'))[0]?.runs).toEqual([]);

    // Purge: a second deletion's run is deleted for good.
    const second = (await value('activity:list', { limit: 1 })).runs[0]?.id ?? 0;
    await rm(join(local, 'keep.txt'));
    await value('pairs:syncNow', { id: pair.id });
    let purgeRun: ActivityRun | undefined;
    await until('the second deleting run', async () => (purgeRun = await deletingRun(pair.id, second)) !== undefined);
    const purgeId = purgeRun?.trashRunId as string;
    expect((await value('deleted:list'))[0]?.runs.map((item) => item.runId)).toEqual([purgeId]);
    await value('deleted:purge', { pairId: pair.id, runId: purgeId });
    expect((await value('deleted:list'))[0]?.runs).toEqual([]);
    expect(existsSync(join(server, '.terasync-trash', purgeId))).toBe(false);
    expect(await value('deleted:usage')).toEqual({ bytes: 0, retentionDays: 7 });

    // A run that is not there is said so.
    const missing = await call('deleted:restore', { pairId: pair.id, runId: purgeId });
    expect(missing.ok ? null : missing.error.code).toBe(ErrorCode.NotFound);
  });
});
