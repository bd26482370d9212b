import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { leafFolders, makeTree, treeStats } from '../../../bench/trees.js';

/** The benchmark's test trees: flat ones, and the big tree's folders with subfolders. */
describe('bench trees', () => {
  const made: string[] = [];
  const tempRoot = async (): Promise<string> => {
    const root = await mkdtemp(join(tmpdir(), 'bench-trees-'));
    made.push(root);
    return root;
  };
  afterEach(async () => {
    await Promise.all(made.splice(0).map((root) => rm(root, { recursive: true, force: true })));
  });

  it('without parent folders every folder sits in the root and holds files', async () => {
    const root = await tempRoot();
    const paths = await makeTree(join(root, 't'), { files: 10, folders: 3, size: 8 });
    expect((await readdir(join(root, 't'))).sort()).toEqual(['d000', 'd001', 'd002']);
    expect(paths).toHaveLength(10);
    expect(new Set(paths.map((path) => path.split('/')[0]))).toEqual(new Set(['d000', 'd001', 'd002']));
    expect(await treeStats(join(root, 't'))).toEqual({ files: 10, folders: 3, bytes: 80 });
  });

  it('with parent folders the files go into their subfolders only, spread evenly, and the folder count includes the parents', async () => {
    const shape = { files: 45, folders: 12, parents: 2, size: 16 };
    expect(leafFolders(shape)).toHaveLength(10);
    const root = await tempRoot();
    const tree = join(root, 't');
    const paths = await makeTree(tree, shape);
    expect((await readdir(tree)).sort()).toEqual(['p00', 'p01']);
    expect(await treeStats(tree)).toEqual({ files: 45, folders: 12, bytes: 45 * 16 });
    // Every file is two folders deep; each of the 10 leaves holds 4 or 5 of them.
    expect(paths.every((path) => path.split('/').length === 3)).toBe(true);
    const perLeaf = new Map<string, number>();
    for (const path of paths) perLeaf.set(path.split('/').slice(0, 2).join('/'), (perLeaf.get(path.split('/').slice(0, 2).join('/')) ?? 0) + 1);
    expect([...perLeaf.keys()].sort()).toEqual([...leafFolders(shape)].sort());
    expect(Math.min(...perLeaf.values())).toBe(4);
    expect(Math.max(...perLeaf.values())).toBe(5);
    // The parents hold folders only.
    for (const parent of ['p00', 'p01']) {
      const entries = await readdir(join(tree, parent), { withFileTypes: true });
      expect(entries.length).toBe(5);
      expect(entries.every((entry) => entry.isDirectory())).toBe(true);
    }
  });

  it('refuses a shape with no folder left for the files', () => {
    expect(() => leafFolders({ files: 1, folders: 2, parents: 2, size: 1 })).toThrow(/cannot have 2 parent folders/);
  });
});
