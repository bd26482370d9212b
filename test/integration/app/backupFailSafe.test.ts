/**
 * The backup fail-safe through the window's channels (dispatchIpc with the real handlers) on
 * AppServices against the TeraCLOUD emulator: a backup folder swapped for another (1 unrelated
 * file where 12 were) stops before changing anything, the window learns what would be moved
 * (`backup:run`'s answer and `backup:getState`/`backup:changed`), and `backup:decideFailSafe`
 * leaves the backup as it is or lets it go ahead.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { useAppOnEmulator } from '../../support/appServices.js';

const USER = 'demo';

const app = useAppOnEmulator({
  prefix: 'terasync-backup-failsafe-',
  emulator: { oauth: false },
  deps: () => ({ oauth: null, syncOptions: { quietMs: 50 } }),
  signIn: true,
});
const { events, internalErrors, call, value } = app;
let emulator: RunningEmulator;
let folder: string;

beforeAll(() => {
  ({ emulator, folder } = app);
});

afterAll(() => {
  expect(internalErrors).toEqual([]);
});

describe('the backup fail-safe in the window', () => {
  it('stops a backup that would move most of a folder away, tells the window, and leaves it or goes ahead as answered', async () => {
    const source = join(folder, 'Pictures');
    await mkdir(join(source, 'holiday'), { recursive: true });
    const names = Array.from({ length: 12 }, (_, index) => `p${String(index).padStart(2, '0')}.jpg`);
    for (const name of names) await writeFile(join(source, 'holiday', name), name);
    await value('settings:update', { backup: { sources: [source], device: 'testbox' } });
    expect((await value('backup:run', {})).filesSent).toBe(12);
    const onServer = join(emulator.backupDir(USER), 'testbox', 'Pictures');
    expect(await readdir(join(onServer, 'holiday'))).toHaveLength(12);

    // Nothing waits yet.
    const early = await call('backup:decideFailSafe', { decision: 'leave' });
    expect(early.ok === false && early.error.code).toBe('InvalidRequest');

    // Another folder at the same place: one unrelated file.
    await rm(join(source, 'holiday'), { recursive: true });
    await writeFile(join(source, 'unrelated.txt'), 'not the pictures');
    const before = events.length;
    const stopped = await value('backup:run', {});
    expect(stopped.stopped?.code).toBe('FailSafeTriggered');
    expect(stopped.failSafe).toEqual({
      sources: [{ name: 'Pictures', root: source, backedUp: 12, wouldMove: 12, localFiles: 1, paths: names.map((name) => `holiday/${name}`) }],
    });
    expect(stopped.filesSent).toBe(0);
    expect(await readdir(join(onServer, 'holiday'))).toHaveLength(12);
    const state = await value('backup:getState');
    expect(state.failSafe).toEqual(stopped.failSafe);
    expect(state.history[0]?.stopped?.code).toBe('FailSafeTriggered');
    const pushed = events.slice(before).flatMap((message) => (message.event === 'backup:changed' ? [message.payload] : []));
    expect(pushed.at(-1)?.failSafe).toEqual(stopped.failSafe);

    // Leave it: nothing moves, the question goes away.
    expect(await value('backup:decideFailSafe', { decision: 'leave' })).toBeNull();
    expect((await value('backup:getState')).failSafe).toBeUndefined();
    expect(await readdir(join(onServer, 'holiday'))).toHaveLength(12);
    expect(await readdir(onServer)).toEqual(['holiday']);

    // Asked again, the user lets it go ahead: the copies go to .versions, the new file up.
    expect((await value('backup:run', {})).failSafe).toBeDefined();
    const allowed = await value('backup:decideFailSafe', { decision: 'allow' });
    expect(allowed?.stopped).toBeNull();
    expect(allowed?.failSafe).toBeUndefined();
    expect(allowed).toMatchObject({ filesSent: 1, versioned: 1 });
    expect(await readdir(onServer)).toEqual(['unrelated.txt']);
    const versions = join(emulator.backupDir(USER), 'testbox', '.versions');
    const [stamp] = await readdir(versions);
    expect((await readdir(join(versions, stamp as string, 'Pictures', 'holiday'))).sort()).toEqual(names);
    expect((await value('backup:getState')).failSafe).toBeUndefined();

    // A malformed answer is refused at the boundary.
    const bad = await call('backup:decideFailSafe', { decision: 'delete' } as never);
    expect(bad.ok === false && bad.error.code).toBe('InvalidRequest');
  });
});
