/**
 * The engine on a real temp folder and journal against a RemoteStore held in memory: what the
 * fail-safes tell of the deletions they stopped, "Restore them" (nothing deleted, everything
 * back where it was deleted), selective sync and the app's ignore patterns, and conflicts the
 * user resolved outside the app.
 */
import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../../../shared/errors.js';
import { SyncEngine, type RunOptions, type RunResult, type SyncEngineDeps } from '../../../../electron/sync/engine.js';
import { FailSafeError } from '../../../../electron/sync/failSafe.js';
import { Journal } from '../../../../electron/sync/journal.js';
import { silentLogger } from '../../../../electron/core/logger.js';
import type { Trash } from '../../../../electron/sync/ports.js';
import { FakeClock } from '../../../support/fakeClock.js';
import { MemoryRemoteStore } from '../../../support/memoryRemoteStore.js';

const F = '<folder>';

type Tree = Record<string, string>;

let base: string;
let root: string;
let journalFile: string;
let store: MemoryRemoteStore;
let trashed: string[];

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'terasync-engine-'));
  root = join(base, 'local');
  journalFile = join(base, 'state', 'journal.sqlite');
  await mkdir(root);
  store = new MemoryRemoteStore();
  trashed = [];
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

/** Records what would go to the OS trash, and moves it out of the folder. */
const trash: Trash = {
  async trash(absolutePath) {
    trashed.push(absolutePath.slice(root.length + 1));
    await rm(absolutePath, { recursive: true, force: true });
  },
};

/** One run, with the journal opened and closed around it like one run of the command. */
async function sync(options: RunOptions = {}, deps: Partial<SyncEngineDeps> = {}): Promise<RunResult> {
  const journal = Journal.open(journalFile);
  try {
    const engine = new SyncEngine({
      localRoot: root,
      remote: store,
      journal,
      trash,
      clock: new FakeClock(),
      logger: silentLogger,
      device: 'testbox',
      platform: 'linux',
      concurrency: 2,
      caseInsensitive: false,
      ...deps,
    });
    return await engine.runOnce(options);
  } finally {
    journal.close();
  }
}

/** The run's error (fails the test when it succeeds). */
async function failedRunError(options: RunOptions = {}, deps: Partial<SyncEngineDeps> = {}): Promise<unknown> {
  return sync(options, deps).then(
    () => {
      throw new Error('expected the run to fail');
    },
    (error: unknown) => error,
  );
}

function withJournal<T>(work: (journal: Journal) => T): T {
  const journal = Journal.open(journalFile);
  try {
    return work(journal);
  } finally {
    journal.close();
  }
}

async function writeLocal(path: string, content: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

async function localTree(folder = root, prefix = ''): Promise<Tree> {
  const tree: Tree = {};
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      tree[path] = F;
      Object.assign(tree, await localTree(join(folder, entry.name), path));
    } else {
      tree[path] = await readFile(join(folder, entry.name), 'utf8');
    }
  }
  return tree;
}

/** The synced part of the server folder: what a deletion moved into the pair's trash is left out. */
const remoteTree = (): Tree => Object.fromEntries(Object.entries(store.tree(F)).filter(([path]) => !path.startsWith('.terasync-trash')));
/** The files in the pair's server-side trash, by their path below the run folder. */
const remoteTrashFiles = (): string[] =>
  Object.entries(store.tree(F))
    .filter(([path, content]) => path.startsWith('.terasync-trash/') && content !== F)
    .map(([path]) => path.split('/').slice(2).join('/'));

/** No call that deletes or moves anything on the server, and nothing sent to the local trash. */
function expectNothingDeleted(): void {
  expect(store.changes.filter((call) => call.method === 'remove' || call.method === 'move')).toEqual([]);
  expect(trashed).toEqual([]);
}

/** Twenty files in two folders plus two at the top, synced: both sides hold `tree`. */
async function syncedPair(): Promise<Tree> {
  for (let i = 0; i < 10; i++) await writeLocal(`docs/d${i}.txt`, `doc ${i}`);
  for (let i = 0; i < 10; i++) store.put(`photos/p${i}.jpg`, `photo ${i}`);
  await writeLocal('top.txt', 'top');
  store.put('readme.md', 'read me');
  const { report } = await sync();
  expect(report.errors).toEqual([]);
  const tree = await localTree();
  expect(remoteTree()).toEqual(tree);
  expect(Object.keys(tree)).toHaveLength(24);
  store.changes.length = 0;
  return tree;
}

describe('fail-safe details', () => {
  it('a mass delete lists the planned deletions with the side each would happen on', async () => {
    await syncedPair();
    for (let i = 0; i < 8; i++) await rm(join(root, `docs/d${i}.txt`));
    for (let i = 0; i < 7; i++) store.delete(`photos/p${i}.jpg`);
    const error = await failedRunError();
    expect(error).toBeInstanceOf(FailSafeError);
    expect((error as FailSafeError).code).toBe(ErrorCode.FailSafeTriggered);
    expect((error as FailSafeError).message).toMatch(/would delete 15 of 22 synced files/);
    const { info } = error as FailSafeError;
    expect(info.reason).toBe('massDelete');
    expect(info.total).toBe(15);
    expect([...info.deletions].sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      ...Array.from({ length: 8 }, (_, i) => ({ path: `docs/d${i}.txt`, type: 'file', side: 'remote' })),
      ...Array.from({ length: 7 }, (_, i) => ({ path: `photos/p${i}.jpg`, type: 'file', side: 'local' })),
    ]);
    expectNothingDeleted();
  });

  it('a deleted folder is listed with its files; only the files count in the total', async () => {
    await syncedPair();
    await rm(join(root, 'docs'), { recursive: true });
    await rm(join(root, 'photos'), { recursive: true });
    const { info } = (await failedRunError()) as FailSafeError;
    expect(info.total).toBe(20);
    expect(info.deletions).toHaveLength(22);
    expect(info.deletions.filter((deletion) => deletion.type === 'dir').map((deletion) => deletion.path).sort()).toEqual(['docs', 'photos']);
    expect(info.deletions.every((deletion) => deletion.side === 'remote')).toBe(true);
  });

  it('an emptied local folder lists everything the journal remembers, to be deleted on the server', async () => {
    const tree = await syncedPair();
    for (const name of await readdir(root)) await rm(join(root, name), { recursive: true });
    const error = (await failedRunError()) as FailSafeError;
    expect(error).toBeInstanceOf(FailSafeError);
    expect(error.message).toMatch(/is empty, but 22 files were synced from it/);
    expect(error.info.reason).toBe('localEmpty');
    expect(error.info.total).toBe(22);
    expect(error.info.deletions.map((deletion) => deletion.path)).toEqual(Object.keys(tree).sort());
    expect(error.info.deletions.every((deletion) => deletion.side === 'remote')).toBe(true);
    expect(error.info.deletions.find((deletion) => deletion.path === 'docs')).toEqual({ path: 'docs', type: 'dir', side: 'remote' });
    expect(remoteTree()).toEqual(tree);
  });

  it('says "1 file was" for a single synced file', async () => {
    await writeLocal('only.txt', 'one');
    await sync();
    await rm(root, { recursive: true });
    const error = (await failedRunError()) as FailSafeError;
    expect(error.message).toMatch(/is missing, but 1 file was synced into it\./);
  });

  it('a missing local folder lists everything the journal remembers, to be deleted on the server', async () => {
    const tree = await syncedPair();
    await rm(root, { recursive: true });
    const error = (await failedRunError()) as FailSafeError;
    expect(error.message).toMatch(/is missing, but 22 files were synced into it/);
    expect(error.info).toMatchObject({ reason: 'localMissing', total: 22 });
    expect(error.info.deletions).toHaveLength(Object.keys(tree).length);
    expect(error.info.deletions.every((deletion) => deletion.side === 'remote')).toBe(true);
    expect(remoteTree()).toEqual(tree);
  });

  it('a server folder that is gone lists everything the journal remembers, to be deleted here', async () => {
    const tree = await syncedPair();
    store.removeRoot();
    const error = (await failedRunError()) as FailSafeError;
    expect(error.message).toMatch(/server folder is gone, but 22 files were synced with it/);
    expect(error.info).toMatchObject({ reason: 'remoteGone', total: 22 });
    expect(error.info.deletions.map((deletion) => deletion.path)).toEqual(Object.keys(tree).sort());
    expect(error.info.deletions.every((deletion) => deletion.side === 'local')).toBe(true);
    expect(await localTree()).toEqual(tree);
    expect(store.hasRoot).toBe(false);
  });

  it('is a TeraSyncError that toTeraSyncError hands back unchanged', async () => {
    await syncedPair();
    store.removeRoot();
    const error = await failedRunError();
    expect(error).toBeInstanceOf(TeraSyncError);
    expect(toTeraSyncError(error)).toBe(error);
    expect((error as TeraSyncError).toInfo()).toEqual({ code: ErrorCode.FailSafeTriggered, message: (error as Error).message });
  });
});

describe('restoreDeletions', () => {
  /** After the restore: both sides as before, nothing deleted, and the journal settled. */
  async function expectRestored(tree: Tree, result: RunResult): Promise<void> {
    expect(result.report.errors).toEqual([]);
    expect(result.report.deletedLocal).toEqual([]);
    expect(result.report.deletedRemote).toEqual([]);
    expect(await localTree()).toEqual(tree);
    expect(remoteTree()).toEqual(tree);
    expectNothingDeleted();
    expect((await sync()).planned).toEqual([]);
  }

  it('after a mass delete here, brings the files back from the server', async () => {
    const tree = await syncedPair();
    for (let i = 0; i < 10; i++) await rm(join(root, `photos/p${i}.jpg`));
    await rm(join(root, 'docs'), { recursive: true });
    expect(await failedRunError()).toBeInstanceOf(FailSafeError);
    const result = await sync({ restoreDeletions: true });
    expect(result.report.downloaded).toHaveLength(20);
    await expectRestored(tree, result);
  });

  it('after a mass delete on the server, brings the files back from here', async () => {
    const tree = await syncedPair();
    store.delete('docs');
    for (let i = 0; i < 10; i++) store.delete(`photos/p${i}.jpg`);
    expect(await failedRunError()).toBeInstanceOf(FailSafeError);
    const result = await sync({ restoreDeletions: true });
    expect(result.report.uploaded).toHaveLength(20);
    expect(result.report.createdRemoteFolders).toEqual(['docs']);
    await expectRestored(tree, result);
  });

  it('after the local folder was emptied, downloads everything again', async () => {
    const tree = await syncedPair();
    for (const name of await readdir(root)) await rm(join(root, name), { recursive: true });
    expect(((await failedRunError()) as FailSafeError).info.reason).toBe('localEmpty');
    const result = await sync({ restoreDeletions: true });
    expect(result.report.downloaded).toHaveLength(22);
    await expectRestored(tree, result);
  });

  it('after the local folder went missing, makes it again and downloads everything', async () => {
    const tree = await syncedPair();
    await rm(root, { recursive: true });
    expect(((await failedRunError()) as FailSafeError).info.reason).toBe('localMissing');
    const result = await sync({ restoreDeletions: true });
    expect(result.report.downloaded).toHaveLength(22);
    await expectRestored(tree, result);
  });

  it('after the server folder went away, makes it again and uploads everything', async () => {
    const tree = await syncedPair();
    store.removeRoot();
    expect(((await failedRunError()) as FailSafeError).info.reason).toBe('remoteGone');
    const result = await sync({ restoreDeletions: true });
    expect(store.changes[0]).toEqual({ method: 'createFolder', path: '' });
    expect(result.report.uploaded).toHaveLength(22);
    await expectRestored(tree, result);
  });

  it('deletes nothing even when the deletions are too few for the fail-safe', async () => {
    const tree = await syncedPair();
    await rm(join(root, 'top.txt'));
    store.delete('readme.md');
    const result = await sync({ restoreDeletions: true });
    expect(result.report.uploaded).toEqual(['readme.md']);
    expect(result.report.downloaded).toEqual(['top.txt']);
    await expectRestored(tree, result);
  });

  it('as a dry run plans the restore and changes nothing', async () => {
    await syncedPair();
    store.removeRoot();
    const before = withJournal((journal) => journal.all());
    const { planned } = await sync({ restoreDeletions: true, dryRun: true });
    expect(planned.filter((action) => action.kind === 'upload')).toHaveLength(22);
    expect(store.hasRoot).toBe(false);
    expect(store.changes).toEqual([]);
    expect(withJournal((journal) => journal.all())).toEqual(before);
  });
});

describe('selective sync and the app ignore patterns', () => {
  it('excluding a synced folder deletes nothing on either side and forgets it', async () => {
    const tree = await syncedPair();
    const { report, planned } = await sync({}, { excludedFolders: ['photos'] });
    expect(planned).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(await localTree()).toEqual(tree);
    expect(remoteTree()).toEqual(tree);
    expect(withJournal((journal) => journal.all().filter((entry) => entry.path.startsWith('photos')))).toEqual([]);

    // Changes inside it stay where they are made.
    store.put('photos/p0.jpg', 'photo 0, edited on the server');
    store.put('photos/new-on-server.jpg', 'new on the server');
    await writeLocal('photos/new-here.jpg', 'new here');
    await rm(join(root, 'photos/p1.jpg'));
    store.delete('photos/p2.jpg');
    const again = await sync({}, { excludedFolders: ['photos'] });
    expect(again.planned).toEqual([]);
    expect((await localTree())['photos/p0.jpg']).toBe('photo 0');
    expect(remoteTree()['photos/new-here.jpg']).toBeUndefined();
    expect((await localTree())['photos/new-on-server.jpg']).toBeUndefined();
    expect(remoteTree()['photos/p1.jpg']).toBe('photo 1');
    expect((await localTree())['photos/p2.jpg']).toBe('photo 2');
    expectNothingDeleted();
  });

  it('taking the folder out of the list syncs it again without loss', async () => {
    await syncedPair();
    await sync({}, { excludedFolders: ['photos'] });
    store.put('photos/p0.jpg', 'photo 0, edited on the server');
    await writeLocal('photos/new-here.jpg', 'new here');
    store.put('photos/new-on-server.jpg', 'new on the server');
    const { report } = await sync();
    expect(report.errors).toEqual([]);
    expect(report.uploaded).toEqual(['photos/new-here.jpg']);
    expect(report.downloaded).toEqual(['photos/new-on-server.jpg']);
    // Different on the two sides: both kept (R3); equal: recorded.
    expect(report.conflicts.map((conflict) => conflict.path)).toEqual(['photos/p0.jpg']);
    const local = await localTree();
    expect(remoteTree()).toEqual(local);
    expect(local['photos/p0.jpg']).toBe('photo 0, edited on the server');
    expect(local[report.conflicts[0]!.copy]).toBe('photo 0');
    for (let i = 1; i < 10; i++) expect(local[`photos/p${i}.jpg`]).toBe(`photo ${i}`);
    expectNothingDeleted();
    expect((await sync()).planned).toEqual([]);
  });

  it('a synced folder deleted on one side is kept, not deleted, while it holds an excluded folder on the other', async () => {
    for (let i = 0; i < 3; i++) await writeLocal(`Photos/p${i}.jpg`, `photo ${i}`);
    for (let i = 0; i < 3; i++) await writeLocal(`Photos/2019/q${i}.jpg`, `old photo ${i}`);
    await writeLocal('notes.txt', 'notes');
    await sync();
    const excluded = { excludedFolders: ['Photos/2019'] };
    await sync({}, excluded);
    store.delete('Photos');
    const { report } = await sync({}, excluded);
    expect(report.errors).toEqual([]);
    expect(report.deferred).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(report.deletedLocal.sort()).toEqual(['Photos/p0.jpg', 'Photos/p1.jpg', 'Photos/p2.jpg']);
    // The folder comes back on the server (empty); what is excluded stays here.
    expect(report.createdRemoteFolders).toEqual(['Photos']);
    expect(await localTree()).toEqual({
      Photos: F,
      'Photos/2019': F,
      'Photos/2019/q0.jpg': 'old photo 0',
      'Photos/2019/q1.jpg': 'old photo 1',
      'Photos/2019/q2.jpg': 'old photo 2',
      'notes.txt': 'notes',
    });
    expect(remoteTree()).toEqual({ Photos: F, 'notes.txt': 'notes' });
    expect((await sync({}, excluded)).planned).toEqual([]);
  });

  it('the emptied-folder fail-safe does not fire when every synced file lies in excluded folders', async () => {
    for (let i = 0; i < 12; i++) await writeLocal(`archive/a${i}.txt`, `${i}`);
    await sync();
    await rm(join(root, 'archive'), { recursive: true });
    const { report } = await sync({}, { excludedFolders: ['archive'] });
    expect(report.errors).toEqual([]);
    expect(Object.keys(remoteTree())).toHaveLength(13);
    expectNothingDeleted();
  });

  it('the mass-delete fail-safe counts only the files still in scope', async () => {
    for (let i = 0; i < 30; i++) await writeLocal(`archive/a${i}.txt`, `${i}`);
    for (let i = 0; i < 15; i++) await writeLocal(`work/w${i}.txt`, `${i}`);
    await sync();
    store.changes.length = 0;
    for (let i = 0; i < 10; i++) await rm(join(root, `work/w${i}.txt`));
    // 10 of 15 files in scope: more than half.
    const error = (await failedRunError({}, { excludedFolders: ['archive'] })) as FailSafeError;
    expect(error.message).toMatch(/would delete 10 of 15 synced files/);
    expect(error.info.total).toBe(10);
    expectNothingDeleted();
  });

  it('leaves out names matched by the app patterns on both sides; a pair .terasyncignore can bring one back', async () => {
    await writeLocal('build/out.o', 'object');
    await writeLocal('keep.o', 'kept object');
    await writeLocal('notes.txt', 'notes');
    store.put('cache/big.o', 'remote object');
    await writeLocal('.terasyncignore', '!keep.o\n');
    const { report } = await sync({}, { ignorePatterns: ['*.o', '# a comment', ''] });
    expect(report.uploaded.sort()).toEqual(['.terasyncignore', 'keep.o', 'notes.txt']);
    expect(report.downloaded).toEqual([]);
    expect(report.createdLocalFolders).toEqual(['cache']);
    expect((await localTree())['cache/big.o']).toBeUndefined();
  });

  it('an excluded folder named with gitignore characters matches itself and nothing else', async () => {
    const odd = '[draft] #1 !x* ?';
    await writeLocal(`${odd}/a.txt`, 'excluded');
    await writeLocal('d/a.txt', 'matches [draft] as a class');
    await writeLocal('[draft] #1 !xy ?/a.txt', 'matches the star');
    await writeLocal('trailing /a.txt', 'excluded too');
    await writeLocal('trailing/a.txt', 'no space');
    await writeLocal(`nested/${odd}/a.txt`, 'not at the root');
    const { report } = await sync({}, { excludedFolders: [odd, 'trailing '] });
    expect(report.uploaded.sort()).toEqual(['[draft] #1 !xy ?/a.txt', 'd/a.txt', `nested/${odd}/a.txt`, 'trailing/a.txt']);
  });
});

describe('conflicts resolved outside the app', () => {
  /** A synced file changed on both sides, synced: a conflict with its copy on both sides. */
  async function conflicted(): Promise<{ copy: string; id: number }> {
    await writeLocal('report.txt', 'first');
    await sync();
    await writeLocal('report.txt', 'mine, edited here');
    store.put('report.txt', 'theirs, edited elsewhere');
    const { report } = await sync();
    expect(report.conflicts).toHaveLength(1);
    const copy = report.conflicts[0]!.copy;
    const [open] = withJournal((journal) => journal.openConflicts());
    expect(open).toMatchObject({ path: 'report.txt', copy });
    return { copy, id: open!.id };
  }

  it('a conflict copy deleted here resolves the conflict, and the copy goes from the server too', async () => {
    const { copy, id } = await conflicted();
    await rm(join(root, copy));
    const { report } = await sync();
    expect(report.resolvedConflicts).toEqual([{ id, path: 'report.txt' }]);
    expect(report.deletedRemote).toEqual([copy]);
    expect(withJournal((journal) => journal.openConflicts())).toEqual([]);
    expect(withJournal((journal) => journal.conflict(id)?.state)).toBe('resolved');
    expect(await localTree()).toEqual({ 'report.txt': 'theirs, edited elsewhere' });
    expect(remoteTree()).toEqual({ 'report.txt': 'theirs, edited elsewhere' });
    // Deleted on the server means moved into the pair's trash, with a way back.
    expect(remoteTrashFiles()).toEqual([copy]);
    expect(report.deletedToTrash).toMatchObject({ runId: '2025-01-01T000000Z', count: 1 });
  });

  it('a conflict copy renamed over the original resolves the conflict, and that version wins', async () => {
    const { copy, id } = await conflicted();
    await rename(join(root, copy), join(root, 'report.txt'));
    const { report } = await sync();
    expect(report.resolvedConflicts).toEqual([{ id, path: 'report.txt' }]);
    expect(await localTree()).toEqual({ 'report.txt': 'mine, edited here' });
    expect(remoteTree()).toEqual({ 'report.txt': 'mine, edited here' });
    expect(remoteTrashFiles()).toEqual([copy]);
  });

  it('a conflict whose copy is still there stays open; a dry run resolves nothing', async () => {
    const { copy, id } = await conflicted();
    expect((await sync()).report.resolvedConflicts).toEqual([]);
    await rm(join(root, copy));
    expect((await sync({ dryRun: true })).report.resolvedConflicts).toEqual([]);
    expect(withJournal((journal) => journal.openConflicts()).map((open) => open.id)).toEqual([id]);
  });
});

describe('a local folder given through a symbolic link', () => {
  it('is the folder it points to: synced, the link left as it is', async () => {
    await writeFile(join(root, 'a.txt'), 'a');
    const link = join(base, 'Sync');
    await symlink(root, link);
    const result = await sync({}, { localRoot: link });
    expect(result.report.uploaded).toEqual(['a.txt']);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
  });

  it('pointing nowhere: refused with a sentence that names the link and its target, nothing made', async () => {
    const link = join(base, 'Sync');
    const target = join(base, 'unmounted', 'Sync');
    await symlink(target, link);
    const error = await failedRunError({}, { localRoot: link });
    expect(error).toMatchObject({ code: 'Configuration' });
    expect((error as Error).message).toBe(
      `The local folder ${link} is a symbolic link to ${target}, which does not exist. If it is on a drive that is not mounted, mount it; or make that folder, or give the folder itself. Nothing was changed.`,
    );
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    await expect(lstat(target)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
