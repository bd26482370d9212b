/**
 * Selective sync (excluded folders) and the app's ignore patterns against the in-process
 * WebDAV server and Apache mod_dav over HTTPS:
 * - excluding a synced folder deletes nothing on either side, and what changes inside it
 *   later, on either side, stays where it is;
 * - taking it out of the list syncs it again without loss: equal files are recorded,
 *   different ones are kept both ways;
 * - neither the emptied-folder nor the mass-delete fail-safe fires because the synced files
 *   now lie in excluded folders;
 * - a synced folder that holds an excluded folder on one side is kept when the other side
 *   deletes it;
 * - a folder named with gitignore's special characters, or with a trailing space, excludes
 *   itself and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { FOLDER_MARK, type Pair, type Tree } from '../../support/pair.js';
import { serverKinds, useServer } from './servers.js';

const F = FOLDER_MARK;

/** Only the entries in `folder` (itself included). */
function within(tree: Tree, folder: string): Tree {
  return Object.fromEntries(Object.entries(tree).filter(([path]) => path === folder || path.startsWith(`${folder}/`)));
}

describe.each(serverKinds)('selective sync against $name', (kind) => {
  const { newPair } = useServer(kind);

  /** `Photos` (twelve files, one subfolder) and `Work` (three files), synced. */
  async function syncedPair(): Promise<{ pair: Pair; tree: Tree }> {
    const pair = await newPair();
    for (let i = 0; i < 6; i++) await pair.writeLocal(`Photos/2019/p${i}.jpg`, `photo 2019 ${i}`);
    for (let i = 0; i < 6; i++) await pair.writeRemote(`Photos/p${i}.jpg`, `photo ${i}`);
    for (let i = 0; i < 3; i++) await pair.writeLocal(`Work/w${i}.txt`, `work ${i}`);
    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    const tree = await pair.localTree();
    expect(await pair.remoteTree()).toEqual(tree);
    return { pair, tree };
  }

  it.skipIf(kind.skip)('excluding a synced folder deletes nothing, and later changes inside it stay where they are made', async () => {
    const { pair, tree } = await syncedPair();
    // Twelve of fifteen synced files leave the sync: neither a deletion nor a fail-safe.
    const first = await pair.sync({ excludedFolders: ['Photos'] });
    expect(first.planned).toEqual([]);
    expect(await pair.localTree()).toEqual(tree);
    expect(await pair.remoteTree()).toEqual(tree);

    await pair.writeLocal('Photos/new-here.jpg', 'new here');
    await pair.writeLocal('Photos/p0.jpg', 'photo 0, edited here');
    await pair.removeLocal('Photos/p1.jpg');
    await pair.writeRemote('Photos/2019/p0.jpg', 'photo 2019 0, edited on the server');
    await pair.writeRemote('Photos/new-on-server.jpg', 'new on the server');
    await pair.removeRemote('Photos/p2.jpg');
    const localBefore = await pair.localTree();
    const remoteBefore = await pair.remoteTree();
    const { report, planned } = await pair.sync({ excludedFolders: ['Photos'] });
    expect(planned).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(await pair.localTree()).toEqual(localBefore);
    expect(await pair.remoteTree()).toEqual(remoteBefore);
    expect(await pair.trashed()).toEqual([]);

    // The rest of the pair syncs as before.
    await pair.writeLocal('Work/w3.txt', 'work 3');
    expect((await pair.sync({ excludedFolders: ['Photos'] })).report.uploaded).toEqual(['Work/w3.txt']);
    expect(await pair.readRemote('Work/w3.txt')).toBe('work 3');
  });

  it.skipIf(kind.skip)('taking the folder out of the list syncs it again without loss', async () => {
    const { pair } = await syncedPair();
    await pair.sync({ excludedFolders: ['Photos'] });
    await pair.writeLocal('Photos/p0.jpg', 'photo 0, edited here');
    await pair.writeLocal('Photos/new-here.jpg', 'new here');
    await pair.writeRemote('Photos/2019/p0.jpg', 'photo 2019 0, edited on the server');
    await pair.writeRemote('Photos/new-on-server.jpg', 'new on the server');

    const { report } = await pair.sync();
    expect(report.errors).toEqual([]);
    expect(report.uploaded).toEqual(['Photos/new-here.jpg']);
    expect(report.downloaded).toEqual(['Photos/new-on-server.jpg']);
    expect(report.deletedLocal).toEqual([]);
    expect(report.deletedRemote).toEqual([]);
    // Different on the two sides: both kept, the server's at the path (R3); the rest recorded.
    expect(report.conflicts.map((conflict) => conflict.path).sort()).toEqual(['Photos/2019/p0.jpg', 'Photos/p0.jpg']);
    const tree = await pair.localTree();
    expect(await pair.remoteTree()).toEqual(tree);
    const copyOf = (path: string): string => report.conflicts.find((conflict) => conflict.path === path)!.copy;
    expect(tree['Photos/p0.jpg']).toBe('photo 0');
    expect(tree[copyOf('Photos/p0.jpg')]).toBe('photo 0, edited here');
    expect(tree['Photos/2019/p0.jpg']).toBe('photo 2019 0, edited on the server');
    expect(tree[copyOf('Photos/2019/p0.jpg')]).toBe('photo 2019 0');
    for (let i = 1; i < 6; i++) {
      expect(tree[`Photos/p${i}.jpg`]).toBe(`photo ${i}`);
      expect(tree[`Photos/2019/p${i}.jpg`]).toBe(`photo 2019 ${i}`);
    }
    expect(await pair.trashed()).toEqual([]);
    expect((await pair.sync()).planned).toEqual([]);
  });

  it.skipIf(kind.skip)('a synced folder deleted on either side is kept while it holds an excluded folder on the other', async () => {
    const { pair } = await syncedPair();
    const excluded = { excludedFolders: ['Photos/2019'] };
    await pair.sync(excluded);

    // Deleted on the server: its synced files go here, the excluded folder stays, the folder comes back there.
    await pair.removeRemote('Photos');
    const { report } = await pair.sync(excluded);
    expect(report.errors).toEqual([]);
    expect(report.deferred).toEqual([]);
    expect(report.deletedLocal.sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `Photos/p${i}.jpg`));
    expect(report.createdRemoteFolders).toEqual(['Photos']);
    const local = await pair.localTree();
    for (let i = 0; i < 6; i++) expect(local[`Photos/2019/p${i}.jpg`]).toBe(`photo 2019 ${i}`);
    expect(within(await pair.remoteTree(), 'Photos')).toEqual({ Photos: F });
    expect((await pair.sync(excluded)).planned).toEqual([]);

    // Deleted here while the server holds the excluded folder: it stays there, the folder comes back here.
    await pair.writeRemote('Photos/2019/kept.jpg', 'only on the server');
    await pair.removeLocal('Photos');
    const second = await pair.sync(excluded);
    expect(second.report.errors).toEqual([]);
    expect(second.report.deferred).toEqual([]);
    expect(second.report.createdLocalFolders).toEqual(['Photos']);
    expect(within(await pair.remoteTree(), 'Photos')).toEqual({ Photos: F, 'Photos/2019': F, 'Photos/2019/kept.jpg': 'only on the server' });
    expect(within(await pair.localTree(), 'Photos')).toEqual({ Photos: F });
    expect((await pair.sync(excluded)).planned).toEqual([]);
  });

  it.skipIf(kind.skip)('an emptied local folder whose synced files all lie in excluded folders does not stop the run', async () => {
    const { pair, tree } = await syncedPair();
    await pair.removeLocal('Photos');
    await pair.removeLocal('Work');
    // Work was synced and is gone here: the emptied-folder fail-safe counts it.
    await expect(pair.sync({ excludedFolders: ['Photos'] })).rejects.toMatchObject({ code: 'FailSafeTriggered', info: { reason: 'localEmpty', total: 3 } });
    // With both excluded nothing in scope was synced: nothing stops, nothing is deleted.
    const { report, planned } = await pair.sync({ excludedFolders: ['Photos', 'Work'] });
    expect(report.errors).toEqual([]);
    expect(planned).toEqual([]);
    expect(await pair.remoteTree()).toEqual(tree);
  });

  it.skipIf(kind.skip)('an excluded folder removed here is no mass delete: nothing stops, nothing goes on the server', async () => {
    const { pair, tree } = await syncedPair();
    await pair.removeLocal('Photos');
    // Twelve of fifteen synced files gone here: a mass delete while the folder is synced...
    await expect(pair.sync()).rejects.toMatchObject({ code: 'FailSafeTriggered', info: { reason: 'massDelete', total: 12 } });
    // ...and none once it is excluded.
    const { report } = await pair.sync({ excludedFolders: ['Photos'] });
    expect(report.errors).toEqual([]);
    expect(report.deletedRemote).toEqual([]);
    expect(within(await pair.remoteTree(), 'Photos')).toEqual(within(tree, 'Photos'));
  });

  it.skipIf(kind.skip)('a folder named with gitignore characters or a trailing space excludes itself and nothing else', async () => {
    const pair = await newPair();
    const odd = '[draft] #1 !x* ?';
    await pair.writeLocal(`${odd}/a.txt`, 'excluded');
    await pair.writeLocal('d/a.txt', 'what [draft] as a class would match');
    await pair.writeLocal('[draft] #1 !xy ?/a.txt', 'what the star would match');
    await pair.writeLocal(`nested/${odd}/a.txt`, 'the same name, not at the root');
    await pair.writeLocal('trailing /a.txt', 'excluded too');
    await pair.writeLocal('trailing/a.txt', 'the name without the space');
    await pair.writeRemote(`${odd}/from-server.txt`, 'excluded on the server');
    const { report } = await pair.sync({ excludedFolders: [odd, 'trailing '] });
    expect(report.errors).toEqual([]);
    expect(report.uploaded.sort()).toEqual(['[draft] #1 !xy ?/a.txt', 'd/a.txt', `nested/${odd}/a.txt`, 'trailing/a.txt']);
    expect(report.downloaded).toEqual([]);
    const remote = await pair.remoteTree();
    expect(remote[`${odd}/a.txt`]).toBeUndefined();
    expect(remote['trailing /a.txt']).toBeUndefined();
    expect((await pair.localTree())[`${odd}/from-server.txt`]).toBeUndefined();
    expect(remote[`${odd}/from-server.txt`]).toBe('excluded on the server');
    expect(remote['trailing']).toBe(F);
  });

  it.skipIf(kind.skip)('the app ignore patterns leave matching names alone on both sides', async () => {
    const pair = await newPair();
    await pair.writeLocal('build/out.o', 'object');
    await pair.writeLocal('notes.txt', 'notes');
    await pair.writeRemote('cache/remote.o', 'remote object');
    await pair.writeRemote('shared.txt', 'shared');
    const { report } = await pair.sync({ ignorePatterns: ['*.o'] });
    expect(report.errors).toEqual([]);
    expect(report.uploaded).toEqual(['notes.txt']);
    expect(report.downloaded).toEqual(['shared.txt']);
    expect((await pair.remoteTree())['build/out.o']).toBeUndefined();
    expect((await pair.localTree())['cache/remote.o']).toBeUndefined();
    expect(await pair.readRemote('cache/remote.o')).toBe('remote object');
  });
});
