/**
 * The fs.watch folder watcher against the real file system and real inotify (the Linux path),
 * with `fs.watch` wrapped to count and close-check its watchers. The recursive path (macOS,
 * Windows) runs through an injected `watch` that plays events. Waits are bounded polls
 * (`until`), never a fixed sleep; "nothing was reported" is shown by a later sentinel change
 * arriving first.
 */
import { mkdirSync, rmSync, watch as nodeWatch } from 'node:fs';
import { appendFile, mkdir, mkdtemp, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFolderWatcher, type FolderWatchHandle, type WatchFunction } from '../../../electron/platform/folderWatcher.js';
import { TEMP_PREFIX, TEMP_SUFFIX } from '../../../electron/sync/ignoreRules.js';
import type { ChangeWatcher } from '../../../electron/sync/ports.js';
import { untilWithin } from '../../support/until.js';

/** The watcher reports within a few seconds; polled every 20 ms. */
const until = untilWithin(5_000, 20);

interface SpiedWatch {
  watch: WatchFunction;
  /** Folders (relative, '' for the root) in the order `watch` was called for them. */
  calls: string[];
  /** Folders whose watcher is open now. */
  open(): string[];
}

/** Real `fs.watch`, counted; `failFor` makes a call throw (a simulated ENOSPC, EACCES, ...). */
function spyWatch(root: string, log: string[], failFor?: (folder: string) => NodeJS.ErrnoException | null): SpiedWatch {
  const calls: string[] = [];
  const handles = new Map<FolderWatchHandle, string>();
  const watch: WatchFunction = (path, options, listener) => {
    const folder = relative(root, path).split(sep).join('/');
    const failure = failFor?.(folder) ?? null;
    if (failure !== null) throw failure;
    calls.push(folder);
    const handle = nodeWatch(path, { recursive: options.recursive, encoding: 'utf8' }, listener);
    log.push(`watch:${folder}`);
    handles.set(handle, folder);
    const close = handle.close.bind(handle);
    handle.close = () => {
      handles.delete(handle);
      close();
    };
    return handle;
  };
  return { watch, calls, open: () => [...handles.values()].sort() };
}

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

/** `path` is reported itself, or below a reported folder. */
function covered(reported: string[], path: string): boolean {
  return reported.some((report) => report === path || path.startsWith(`${report}/`));
}

describe('watchFolders on Linux (one inotify watch per folder)', () => {
  let root: string;
  let log: string[];
  let errors: Error[];
  let spy: SpiedWatch;
  let watcher: ChangeWatcher | null;
  const reported = (): string[] => log.filter((entry) => !entry.startsWith('watch:'));
  const file = (path: string): string => join(root, ...path.split('/'));

  async function start(failFor?: (folder: string) => NodeJS.ErrnoException | null): Promise<ChangeWatcher> {
    spy = spyWatch(root, log, failFor);
    const watchFolders = createFolderWatcher({ platform: 'linux', watch: spy.watch });
    watcher = await watchFolders(root, { onChange: (path) => log.push(path), onError: (error) => errors.push(error) });
    return watcher;
  }

  /** Writes a sentinel at the root and waits for it: every earlier event has been delivered. */
  async function flush(name = `sentinel-${log.length}.txt`): Promise<void> {
    await writeFile(file(name), 's');
    await until(name, () => reported().includes(name));
  }

  beforeEach(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'terasync-watch-')));
    log = [];
    errors = [];
    watcher = null;
  });

  afterEach(async () => {
    await watcher?.close();
    expect(spy.open()).toEqual([]);
    expect(errors).toEqual([]);
    await rm(root, { recursive: true, force: true });
  });

  it('reports a created, modified, deleted and renamed file by its path', async () => {
    await writeFile(file('old.txt'), 'x');
    await start();
    await writeFile(file('new.txt'), 'a');
    await until('the created file', () => reported().includes('new.txt'));

    log.length = 0;
    await appendFile(file('new.txt'), 'more');
    await until('the modified file', () => reported().includes('new.txt'));

    log.length = 0;
    await rm(file('new.txt'));
    await until('the deleted file', () => reported().includes('new.txt'));

    log.length = 0;
    await rename(file('old.txt'), file('renamed.txt'));
    await until('both names of the renamed file', () => reported().includes('old.txt') && reported().includes('renamed.txt'));
  });

  it('reports a new folder after watching it, so a file written right after mkdir is not lost', async () => {
    await start();
    await mkdir(file('sub'));
    await writeFile(file('sub/first.txt'), '1');
    // The folder is reported once its watcher exists: the engine's rescan of it finds first.txt.
    await until('sub reported after it is watched', () => log.includes('watch:sub') && log.indexOf('sub', log.indexOf('watch:sub')) > 0);
    expect(covered(reported(), 'sub/first.txt')).toBe(true);

    log.length = 0;
    await writeFile(file('sub/later.txt'), '2');
    await until('a later change inside the new folder, by its own path', () => reported().includes('sub/later.txt'));
  });

  it('covers every file of a tree made with mkdir -p, and then watches its deepest folder', async () => {
    await start();
    const files = ['a/1.txt', 'a/b/2.txt', 'a/b/c/3.txt', 'a/b/c/d/4.txt'];
    await mkdir(file('a/b/c/d'), { recursive: true });
    for (const path of files) await writeFile(file(path), path);
    await until('every new folder watched', () => ['a', 'a/b', 'a/b/c', 'a/b/c/d'].every((folder) => spy.open().includes(folder)));
    // After the last folder is watched, what was written before is reachable from a report.
    await flush();
    for (const path of files) expect(covered(reported(), path), path).toBe(true);

    log.length = 0;
    await writeFile(file('a/b/c/d/5.txt'), '5');
    await until('a change in the deepest folder', () => reported().includes('a/b/c/d/5.txt'));
  });

  it('closes the watchers of a deleted tree and keeps reporting elsewhere', async () => {
    await mkdir(file('tree/x/y'), { recursive: true });
    await mkdir(file('other'));
    await writeFile(file('tree/x/y/f.txt'), 'f');
    await start();
    expect(spy.open()).toEqual(['', 'other', 'tree', 'tree/x', 'tree/x/y']);

    await rm(file('tree'), { recursive: true });
    await until('the deleted folder', () => reported().includes('tree'));
    await until('the deleted tree unwatched', () => spy.open().join() === ['', 'other'].join());

    log.length = 0;
    await writeFile(file('other/new.txt'), 'n');
    await until('a new file elsewhere', () => reported().includes('other/new.txt'));
  });

  it('watches a folder made again under the same name', async () => {
    await mkdir(file('again'));
    await start();
    // Synchronously, so the new folder is there before the first event is looked at.
    rmSync(file('again'), { recursive: true });
    mkdirSync(file('again'));
    await flush();
    await until('the new folder watched', () => spy.calls.filter((folder) => folder === 'again').length >= 2 && spy.open().includes('again'));
    log.length = 0;
    await writeFile(file('again/in.txt'), 'i');
    await until('a change in the folder made again', () => reported().includes('again/in.txt'));
  });

  it('reports changes inside a renamed folder under its new name', async () => {
    await mkdir(file('before/inner'), { recursive: true });
    await start();
    await rename(file('before'), file('after'));
    await until('both names of the folder', () => reported().includes('before') && reported().includes('after'));
    await until('watchers moved to the new name', () => spy.open().includes('after/inner') && !spy.open().some((folder) => folder.startsWith('before')));

    log.length = 0;
    await writeFile(file('after/inner/x.txt'), 'x');
    await until('a change under the new name', () => reported().includes('after/inner/x.txt'));
    expect(reported().some((path) => path.startsWith('before'))).toBe(false);
  });

  it('never reports our own temp files', async () => {
    await start();
    const temp = `${TEMP_PREFIX}download-1${TEMP_SUFFIX}`;
    await writeFile(file(temp), 'partial');
    await appendFile(file(temp), 'rest');
    await rename(file(temp), file('done.txt'));
    await until('the file renamed into place', () => reported().includes('done.txt'));
    await flush();
    expect(reported().filter((path) => path.includes(TEMP_PREFIX))).toEqual([]);
  });

  it('does not follow a symlinked folder', async () => {
    const outside = await realpath(await mkdtemp(join(tmpdir(), 'terasync-outside-')));
    try {
      await mkdir(join(outside, 'deep'));
      await symlink(outside, file('link'));
      await start();
      expect(spy.calls).toEqual(['']);

      await writeFile(join(outside, 'deep', 'f.txt'), 'f');
      await symlink(outside, file('link2'));
      await until('a new symlink, as an entry', () => reported().includes('link2'));
      await flush();
      expect(spy.calls).toEqual(['']);
      expect(reported().some((path) => path.startsWith('link/') || path.startsWith('link2/'))).toBe(false);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('stops reporting on close(), closes every watcher, and may be closed twice', async () => {
    await mkdir(file('a/b'), { recursive: true });
    const first = await start();
    const firstSpy = spy;
    const firstLog = log;
    // A second watcher on the same folder shows when the events have been delivered.
    log = [];
    await start();
    await first.close();
    await first.close();
    expect(firstSpy.open()).toEqual([]);
    firstLog.length = 0;
    await writeFile(file('a/b/f.txt'), 'f');
    await writeFile(file('top.txt'), 't');
    await until('the second watcher sees the changes', () => reported().includes('top.txt') && reported().includes('a/b/f.txt'));
    expect(firstLog).toEqual([]);
  });

  it('calls fs.watch once per folder, not per file', async () => {
    for (const folder of ['one', 'two', 'two/three']) {
      await mkdir(file(folder), { recursive: true });
      for (let index = 0; index < 40; index++) await writeFile(file(`${folder}/f${index}.txt`), String(index));
    }
    for (let index = 0; index < 40; index++) await writeFile(file(`top${index}.txt`), String(index));
    await start();
    expect(spy.calls.sort()).toEqual(['', 'one', 'two', 'two/three']);
    expect(spy.open()).toEqual(['', 'one', 'two', 'two/three']);
  });

  it('skips a folder it may not watch (EACCES) and watches the rest', async () => {
    await mkdir(file('locked/below'), { recursive: true });
    await mkdir(file('open'));
    await start((folder) => (folder === 'locked' ? errno('EACCES') : null));
    // inotify needs read permission, as the listing does: the folder and what is below it are out of reach.
    expect(spy.open()).toEqual(['', 'open']);
    await writeFile(file('open/f.txt'), 'f');
    await until('a change in a watchable folder', () => reported().includes('open/f.txt'));
  });

  it('rejects the start when out of inotify watches (ENOSPC), leaving nothing open', async () => {
    await mkdir(file('a/b'), { recursive: true });
    spy = spyWatch(root, log, (folder) => (folder === 'a/b' ? errno('ENOSPC') : null));
    const watchFolders = createFolderWatcher({ platform: 'linux', watch: spy.watch });
    await expect(watchFolders(root, { onChange: (path) => log.push(path), onError: (error) => errors.push(error) })).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(spy.open()).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('calls onError once and stops when a new folder finds no inotify watch left (ENOSPC)', async () => {
    await start((folder) => (folder.startsWith('full') ? errno('ENOSPC') : null));
    await mkdir(file('full/deeper'), { recursive: true });
    await until('onError', () => errors.length > 0);
    expect(errors.map((error) => (error as NodeJS.ErrnoException).code)).toEqual(['ENOSPC']);
    expect(spy.open()).toEqual([]);

    const before = log.length;
    await writeFile(file('after.txt'), 'a');
    await mkdir(file('full2'));
    // Nothing is watched any more: a fresh watcher sees these, the failed one does not.
    const probe: string[] = [];
    const probeWatcher = await createFolderWatcher({ platform: 'linux', watch: spyWatch(root, []).watch })(root, {
      onChange: (path) => probe.push(path),
      onError: (error) => errors.push(error),
    });
    try {
      await writeFile(file('probe.txt'), 'p');
      await until('the probe', () => probe.includes('probe.txt'));
    } finally {
      await probeWatcher.close();
    }
    expect(log.length).toBe(before);
    expect(errors).toHaveLength(1);
    errors.length = 0;
  });
});

describe('watchFolders on macOS and Windows (one recursive watch)', () => {
  function fakeWatch(): {
    watch: WatchFunction;
    calls: { path: string; recursive: boolean }[];
    emit: (filename: string | null) => void;
    fail: (error: Error) => void;
    closed: () => number;
  } {
    const calls: { path: string; recursive: boolean }[] = [];
    let listener: ((eventType: string, filename: string | null) => void) | null = null;
    let onError: ((error: Error) => void) | null = null;
    let closed = 0;
    const watch: WatchFunction = (path, options, callback) => {
      calls.push({ path, recursive: options.recursive });
      listener = callback;
      return {
        close: () => {
          closed++;
        },
        on: (_event, callback) => {
          onError = callback;
          return undefined;
        },
      };
    };
    return { watch, calls, emit: (filename) => listener?.('rename', filename), fail: (error) => onError?.(error), closed: () => closed };
  }

  it('reports relative paths with /, without our temp files, and stops after an error', async () => {
    const root = await realpath(await mkdtemp(join(tmpdir(), 'terasync-watch-')));
    try {
      await writeFile(join(root, 'top.txt'), 't');
      await mkdir(join(root, 'folder'));
      const fake = fakeWatch();
      const changes: string[] = [];
      const errors: Error[] = [];
      const watcher = await createFolderWatcher({ platform: 'darwin', watch: fake.watch })(root, {
        onChange: (path) => changes.push(path),
        onError: (error) => errors.push(error),
      });
      expect(fake.calls).toEqual([{ path: root, recursive: true }]);

      fake.emit(['folder', 'a.txt'].join(sep));
      fake.emit(['folder', `${TEMP_PREFIX}x${TEMP_SUFFIX}`].join(sep));
      fake.emit('b.txt');
      fake.emit('b.txt');
      expect(changes).toEqual(['folder/a.txt', 'b.txt']);

      // No name: every entry of the root is looked at again.
      fake.emit(null);
      await until('the root entries', () => changes.includes('top.txt') && changes.includes('folder'));

      fake.fail(errno('EPERM'));
      fake.fail(errno('EPERM'));
      expect(errors.map((error) => (error as NodeJS.ErrnoException).code)).toEqual(['EPERM']);
      expect(fake.closed()).toBe(1);
      fake.emit('late.txt');
      expect(changes).not.toContain('late.txt');
      await watcher.close();
      await watcher.close();
      expect(fake.closed()).toBe(1);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
