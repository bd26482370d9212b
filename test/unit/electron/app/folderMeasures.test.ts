/**
 * Measuring a server folder stays bounded: breadth first, at most `maxListings` folders listed,
 * then a lower bound marked incomplete; and it stops when asked to.
 */
import { describe, expect, it } from 'vitest';
import { measureRemoteFolder, type FolderLister } from '../../../../electron/app/folderMeasures.js';
import type { RemoteEntry } from '../../../../electron/sync/model.js';

function entry(remotePath: string, type: 'file' | 'dir', size = 0): RemoteEntry {
  return { path: remotePath, remotePath, type, size, mtimeMs: 0, etag: null };
}

/** A server of `width` folders per folder, `depth` levels deep, each folder holding one 10-byte file. */
function tree(width: number, depth: number): FolderLister & { listed: string[] } {
  const listed: string[] = [];
  return {
    listed,
    async listChildren(folder) {
      listed.push(folder);
      const level = folder === '' ? 0 : folder.split('/').length;
      const children = [entry(`${folder}/f.txt`.replace(/^\//, ''), 'file', 10)];
      if (level < depth) for (let i = 0; i < width; i++) children.push(entry(`${folder}/d${i}`.replace(/^\//, ''), 'dir'));
      return children;
    },
  };
}

describe('measureRemoteFolder', () => {
  it('counts every file below the folder', async () => {
    const server = tree(2, 2);
    // 1 + 2 + 4 folders, one file each.
    expect(await measureRemoteFolder(server, '')).toEqual({ path: '', bytes: 70, files: 7, complete: true });
    expect(server.listed).toHaveLength(7);
  });

  it('stops after the bound and says the figures are a lower bound', async () => {
    const server = tree(3, 6);
    const size = await measureRemoteFolder(server, '', { maxListings: 10 });
    expect(server.listed).toHaveLength(10);
    expect(size).toEqual({ path: '', bytes: 100, files: 10, complete: false });
  });

  it('gives up when cancelled', async () => {
    const controller = new AbortController();
    controller.abort(new Error('left the step'));
    await expect(measureRemoteFolder(tree(2, 2), '', { signal: controller.signal })).rejects.toThrow('left the step');
  });
});
