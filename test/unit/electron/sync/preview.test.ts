/**
 * The first-sync preview: what each kind of planned action adds to the counts, and the dry run
 * behind it, which changes nothing on either side (against a store held in memory).
 */
import { lstat, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PairPreview } from '../../../../shared/types.js';
import { Journal } from '../../../../electron/sync/journal.js';
import type { Action } from '../../../../electron/sync/planner.js';
import { silentLogger } from '../../../../electron/core/logger.js';
import { MAX_PREVIEW_CONFLICT_PATHS, previewSync, summarisePlan, type PreviewOptions } from '../../../../electron/sync/preview.js';
import { localDir, localFile, remoteDir, remoteFile, skippedLocal, skippedRemote } from './fixtures.js';
import { MemoryRemoteStore } from '../../../support/memoryRemoteStore.js';

const upload = (path: string, size: number): Action => ({ kind: 'upload', path, rule: 'R1', local: localFile(path, { size }), remote: null, journal: null });
const download = (path: string, size: number): Action => ({ kind: 'download', path, rule: 'R2', remote: remoteFile(path, { size }), local: null, journal: null });
const onBoth = (path: string, localSize: number, remoteSize: number): Action => ({
  kind: 'conflict',
  path,
  rule: 'R3',
  local: localFile(path, { size: localSize }),
  remote: remoteFile(path, { size: remoteSize }),
  journal: null,
});

describe('summarisePlan', () => {
  it('adds up uploads by local size, downloads by remote size, and the folders made on each side', () => {
    const actions: Action[] = [
      upload('a.txt', 10),
      upload('b/c.txt', 1_000_000),
      download('d.txt', 7),
      { kind: 'createRemoteFolder', path: 'b', rule: 'R4', local: localDir('b') },
      { kind: 'createLocalFolder', path: 'e', rule: 'R5', remote: remoteDir('e') },
      { kind: 'createLocalFolder', path: 'e/f', rule: 'R5', remote: remoteDir('e/f') },
      { kind: 'record', path: 'both', rule: 'R6', local: localDir('both'), remote: remoteDir('both') },
    ];
    expect(summarisePlan(actions, [skippedLocal('link', 'symlink'), skippedRemote('a:b')])).toEqual({
      upload: { files: 2, bytes: 1_000_010 },
      download: { files: 1, bytes: 7 },
      createLocalFolders: 2,
      createRemoteFolders: 1,
      conflicts: 0,
      onBoth: 0,
      skipped: 2,
      conflictPaths: [],
    });
  });

  it('counts files on both sides of different sizes as conflicts, and of equal size as on both', () => {
    const preview = summarisePlan([onBoth('same.txt', 5, 5), onBoth('differs.txt', 5, 6), onBoth('also.txt', 9, 1)], []);
    expect(preview).toMatchObject({ conflicts: 2, onBoth: 1, conflictPaths: ['differs.txt', 'also.txt'] });
    // Nothing is transferred by these counts: a conflict is neither an upload nor a download.
    expect(preview.upload).toEqual({ files: 0, bytes: 0 });
    expect(preview.download).toEqual({ files: 0, bytes: 0 });
  });

  it('names at most the first twenty conflicting paths and counts them all', () => {
    const actions = Array.from({ length: 25 }, (_, i) => onBoth(`c${String(i).padStart(2, '0')}.txt`, 1, 2));
    const preview = summarisePlan(actions, []);
    expect(MAX_PREVIEW_CONFLICT_PATHS).toBe(20);
    expect(preview.conflicts).toBe(25);
    expect(preview.conflictPaths).toEqual(actions.slice(0, 20).map((action) => action.path));
  });

  it('is all zeros for an empty plan', () => {
    expect(summarisePlan([], [])).toEqual({
      upload: { files: 0, bytes: 0 },
      download: { files: 0, bytes: 0 },
      createLocalFolders: 0,
      createRemoteFolders: 0,
      conflicts: 0,
      onBoth: 0,
      skipped: 0,
      conflictPaths: [],
    });
  });
});

describe('previewSync', () => {
  let base: string;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'terasync-preview-'));
  });

  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  async function preview(localRoot: string, store: MemoryRemoteStore, extra: Partial<PreviewOptions> = {}): Promise<PairPreview> {
    const journal = Journal.open(':memory:');
    try {
      return await previewSync({ localRoot, remote: store, journal, logger: silentLogger, platform: 'linux', caseInsensitive: false, ...extra });
    } finally {
      journal.close();
    }
  }

  it('sums up the dry run of both sides and changes neither', async () => {
    const root = join(base, 'local');
    await mkdir(join(root, 'docs'), { recursive: true });
    await writeFile(join(root, 'docs', 'a.txt'), 'aaaa');
    await writeFile(join(root, 'same.txt'), 'same');
    await writeFile(join(root, 'differs.txt'), 'mine');
    await mkdir(join(root, 'skip-me'));
    await writeFile(join(root, 'skip-me', 'x.txt'), 'x');
    const store = new MemoryRemoteStore();
    store.put('photos/p.jpg', 'jpeg bytes');
    store.put('same.txt', 'same');
    store.put('differs.txt', 'theirs, longer');
    const result = await preview(root, store, { excludedFolders: ['skip-me'] });
    expect(result).toEqual({
      upload: { files: 1, bytes: 4 },
      download: { files: 1, bytes: 10 },
      createLocalFolders: 1,
      createRemoteFolders: 1,
      conflicts: 1,
      onBoth: 1,
      skipped: 0,
      conflictPaths: ['differs.txt'],
    });
    expect(store.changes).toEqual([]);
    expect((await readdir(root)).sort()).toEqual(['differs.txt', 'docs', 'same.txt', 'skip-me']);
  });

  it('creates neither a missing local folder nor a missing server folder', async () => {
    const root = join(base, 'not-yet');
    const store = new MemoryRemoteStore();
    store.removeRoot();
    expect(await preview(root, store)).toMatchObject({ upload: { files: 0, bytes: 0 }, download: { files: 0, bytes: 0 } });
    expect(store.changes).toEqual([]);
    expect(store.hasRoot).toBe(false);
    await expect(lstat(root)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('previews a download of everything into a local folder that does not exist yet', async () => {
    const root = join(base, 'not-yet');
    const store = new MemoryRemoteStore();
    store.put('a/b.txt', 'bee');
    expect(await preview(root, store)).toMatchObject({ download: { files: 1, bytes: 3 }, createLocalFolders: 1 });
    await expect(lstat(root)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
