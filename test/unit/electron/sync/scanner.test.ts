/**
 * The local scanner on real temp folders: what it reports for files and folders, what it
 * skips (symlinks, special files) and never follows, what it ignores (built-in names and
 * `.terasyncignore`), our temp files, Unicode spellings, and a missing root.
 */
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import { createIgnoreMatcher } from '../../../../electron/sync/ignoreRules.js';
import { loadIgnoreMatcher, scanLocal, type LocalScan } from '../../../../electron/sync/scanner.js';
import { requireSystemTool } from '../../../support/requirements.js';

function commandAvailable(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const mkfifo = requireSystemTool('mkfifo', process.platform !== 'win32' && commandAvailable('mkfifo'), 'coreutils');

let base: string;
let root: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'terasync-scan-'));
  root = join(base, 'root');
  await mkdir(root);
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

async function write(path: string, content = 'x'): Promise<void> {
  const parts = path.split('/');
  if (parts.length > 1) await mkdir(join(root, ...parts.slice(0, -1)), { recursive: true });
  await writeFile(join(root, ...parts), content);
}

async function scan(): Promise<LocalScan> {
  return scanLocal(root, await loadIgnoreMatcher(root));
}

const keys = (result: LocalScan): string[] => [...result.entries.keys()].sort();

describe('entries', () => {
  it('reports size, mtime, ctime, inode, birth time and type of files and folders', async () => {
    await write('a.txt', 'hello');
    await write('empty.bin', '');
    await mkdir(join(root, 'folder'));
    const when = new Date('2024-03-04T05:06:07.890Z');
    await utimes(join(root, 'a.txt'), when, when);

    const result = await scan();
    expect(keys(result)).toEqual(['a.txt', 'empty.bin', 'folder']);
    expect(result.skipped).toEqual([]);
    expect(result.tempFiles).toEqual([]);

    for (const name of ['a.txt', 'empty.bin', 'folder']) {
      const stats = await lstat(join(root, name));
      const entry = result.entries.get(name)!;
      expect(entry).toEqual({
        path: name,
        localPath: name,
        type: stats.isDirectory() ? 'dir' : 'file',
        size: stats.isDirectory() ? 0 : stats.size,
        mtimeMs: stats.mtimeMs,
        ctimeMs: stats.ctimeMs,
        ino: stats.ino,
        birthtimeMs: stats.birthtimeMs,
      });
    }
    expect(result.entries.get('a.txt')).toMatchObject({ type: 'file', size: 5, mtimeMs: when.getTime() });
    expect(result.entries.get('folder')).toMatchObject({ type: 'dir', size: 0 });
  });

  it('walks nested folders, with /-separated relative paths', async () => {
    await write('top.txt');
    await write('a/one.txt', '1');
    await write('a/b/two.txt', '22');
    await write('a/b/c/d/three.txt', '333');
    await mkdir(join(root, 'a', 'empty'));

    const result = await scan();
    expect(keys(result)).toEqual(['a', 'a/b', 'a/b/c', 'a/b/c/d', 'a/b/c/d/three.txt', 'a/b/two.txt', 'a/empty', 'a/one.txt', 'top.txt']);
    expect(result.entries.get('a/b/c/d/three.txt')).toMatchObject({ localPath: 'a/b/c/d/three.txt', type: 'file', size: 3 });
    expect(result.entries.get('a/empty')).toMatchObject({ type: 'dir' });
  });
});

describe('what is skipped', () => {
  it('skips symbolic links (to a file and to a folder outside the root) without following them', async () => {
    const outside = join(base, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'outside the root');
    await write('real.txt');
    await symlink(join(root, 'real.txt'), join(root, 'link-to-file'));
    await mkdir(join(root, 'sub'));
    await symlink(outside, join(root, 'sub', 'link-to-folder'));
    await symlink(join(base, 'nothing-here'), join(root, 'dangling'));

    const result = await scan();
    expect(keys(result)).toEqual(['real.txt', 'sub']);
    expect(result.skipped.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'dangling', side: 'local', reason: 'symlink', message: expect.any(String) },
      { path: 'link-to-file', side: 'local', reason: 'symlink', message: expect.any(String) },
      { path: 'sub/link-to-folder', side: 'local', reason: 'symlink', message: expect.any(String) },
    ]);
    // Nothing from behind the folder link.
    expect([...result.entries.keys()].some((path) => path.includes('secret'))).toBe(false);
  });

  it.skipIf(mkfifo.skip)('skips a FIFO as special', async () => {
    mkfifo.assertAvailable();
    await write('plain.txt');
    await mkdir(join(root, 'pipes'));
    execFileSync('mkfifo', [join(root, 'pipes', 'fifo')]);

    const result = await scan();
    expect(keys(result)).toEqual(['pipes', 'plain.txt']);
    expect(result.skipped).toEqual([{ path: 'pipes/fifo', side: 'local', reason: 'special', message: expect.any(String) }]);
  });
});

describe('what is ignored', () => {
  it('leaves out the built-in ignores, at the top and in sub-folders', async () => {
    const junk = ['.DS_Store', 'Thumbs.db', 'desktop.ini', '~$x.docx', '.~lock.x#', 'x.part'];
    for (const name of junk) {
      await write(name);
      await write(`sub/${name}`);
    }
    await write('keep.docx');
    await write('sub/partial.txt');

    const result = await scan();
    expect(keys(result)).toEqual(['keep.docx', 'sub', 'sub/partial.txt']);
    expect(result.skipped).toEqual([]);
    expect(result.tempFiles).toEqual([]);
  });

  it('applies .terasyncignore patterns to files and folders (build/, *.log, !keep.log)', async () => {
    await writeFile(join(root, '.terasyncignore'), '# my patterns\nbuild/\n*.log\n!keep.log\n');
    await write('build/out.js');
    await write('build/deep/x.o');
    await write('src/build/nested.js');
    await write('src/main.ts');
    await write('docs/build', 'a file named build: "build/" only matches folders');
    await write('debug.log');
    await write('src/trace.log');
    await write('keep.log');
    await write('src/keep.log');
    await write('archive.log/inside.txt');

    const result = await scan();
    const found = keys(result).filter((path) => path !== '.terasyncignore');
    expect(found).toEqual(['docs', 'docs/build', 'keep.log', 'src', 'src/keep.log', 'src/main.ts']);
    expect(result.skipped).toEqual([]);
  });

  it('returns our own temp files apart, never as entries', async () => {
    await write('.terasync-abc123.tmp', 'half a download');
    await write('sub/.terasync-def456.tmp', 'another');
    await write('sub/real.txt');

    const result = await scan();
    expect(keys(result)).toEqual(['sub', 'sub/real.txt']);
    expect(result.tempFiles.sort()).toEqual(['.terasync-abc123.tmp', 'sub/.terasync-def456.tmp']);
  });
});

describe('names', () => {
  it('keys NFD names by their NFC form and keeps the spelling on disk in localPath', async () => {
    const fileNfd = 'Cafe\u0301.txt';
    const folderNfd = 'Re\u0301sume\u0301';
    await write(fileNfd, 'nfd');
    await write(`${folderNfd}/n\u0303.txt`, 'inside');

    const result = await scan();
    expect(keys(result)).toEqual(['Caf\u00e9.txt', 'R\u00e9sum\u00e9', 'R\u00e9sum\u00e9/\u00f1.txt']);
    expect(result.entries.get('Caf\u00e9.txt')).toMatchObject({ path: 'Caf\u00e9.txt', localPath: fileNfd, type: 'file', size: 3 });
    expect(result.entries.get('R\u00e9sum\u00e9')).toMatchObject({ localPath: folderNfd, type: 'dir' });
    expect(result.entries.get('R\u00e9sum\u00e9/\u00f1.txt')).toMatchObject({ localPath: `${folderNfd}/n\u0303.txt`, size: 6 });
  });
});

describe('the root', () => {
  it('a missing root throws a TeraSyncError LocalIo', async () => {
    const missing = join(base, 'not-there');
    const error = await scanLocal(missing, createIgnoreMatcher()).then(
      () => new Error('expected a failure'),
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(TeraSyncError);
    expect((error as TeraSyncError).code).toBe(ErrorCode.LocalIo);
    expect((error as TeraSyncError).message).toContain(missing);
  });
});
