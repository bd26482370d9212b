import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileInFolder, mayRunWhenOpened, nearestExisting } from '../../../../electron/app/localFiles.js';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'terasync-local-files-'));
  await mkdir(join(root, 'a', 'b'), { recursive: true });
  await writeFile(join(root, 'a', 'file.txt'), 'x');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the window\'s files of a pair', () => {
  it('resolves paths inside the pair and refuses any that leave it', () => {
    expect(fileInFolder(root, 'a/file.txt')).toBe(join(root, 'a', 'file.txt'));
    for (const escaping of ['../x', 'a/../../x', `..${'/'}${root.split('/').pop()}-other/x`]) {
      expect(() => fileInFolder(root, escaping)).toThrow(TeraSyncError);
    }
  });

  it('tells programs and scripts, whatever the case of their extension', () => {
    for (const name of ['setup.EXE', 'run.sh', 'x.Bat', 'link.lnk', 'tool.AppImage', 'macro.vbs']) expect(mayRunWhenOpened(name)).toBe(true);
    for (const name of ['notes.txt', 'photo.jpg', 'report.pdf', 'README']) expect(mayRunWhenOpened(name)).toBe(false);
  });

  it('finds the file, else the nearest folder above it that is still there', async () => {
    expect(await nearestExisting(root, join(root, 'a', 'file.txt'))).toEqual({ path: join(root, 'a', 'file.txt'), isFile: true });
    expect(await nearestExisting(root, join(root, 'a', 'b', 'gone', 'deep.txt'))).toEqual({ path: join(root, 'a', 'b'), isFile: false });
    expect(await nearestExisting(root, join(root, 'nothing', 'here.txt'))).toEqual({ path: root, isFile: false });
    const missingRoot = join(root, 'unmounted');
    await expect(nearestExisting(missingRoot, join(missingRoot, 'x.txt'))).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });
});
