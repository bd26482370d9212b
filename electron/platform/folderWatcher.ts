/**
 * The local folder watcher on `fs.watch`. It says "something changed at this path", and the
 * engine looks at that path again (a reported folder with everything below it); a full scan
 * every `fullScanIntervalMs` catches what a watcher missed.
 *
 * - Linux: one non-recursive `fs.watch` (inotify) per FOLDER. inotify on a folder reports
 *   creates, deletes, renames and content changes of its direct entries by name, so files need
 *   no watcher of their own. (chokidar, and Node's own `recursive` on Linux, keep a watcher, a
 *   `Stats` and four `Date`s per FILE: hundreds of MB and idle GC work for 20,000 files.)
 *   A folder that appears is walked and watched, then reported again: what was created in it
 *   before its watchers existed is found by the engine's rescan of that folder. A folder that
 *   disappears has its watchers, and those below it, closed.
 * - macOS and Windows: one native `fs.watch(root, { recursive: true })`.
 *
 * Failures: running out of watches or descriptors (ENOSPC, EMFILE), EPERM, or any other error
 * of a watcher stops the whole watcher. During the initial walk the returned promise rejects
 * (the caller has no watcher yet to lose); afterwards `onError` is called once. Either way
 * the engine falls back on periodic full scans. A folder we may not read is skipped.
 *
 * Paths are relative to the root, `/`-separated, as spelled on disk (the engine normalises).
 * Our own temp files are never reported; everything else is (the engine applies the ignore
 * rules). Symlinks are not followed.
 */
import { watch as nodeWatch } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { isTempFileName } from '../sync/ignoreRules.js';
import type { ChangeWatcher, WatchFolder, WatchHandlers } from '../sync/ports.js';

/** The part of `fs.FSWatcher` we use. */
export interface FolderWatchHandle {
  close(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The shape of `fs.watch` we call: injected so tests can count calls and simulate failures. */
export type WatchFunction = (
  path: string,
  options: { recursive: boolean },
  listener: (eventType: string, filename: string | null) => void,
) => FolderWatchHandle;

export interface FolderWatcherDeps {
  platform: NodeJS.Platform;
  watch: WatchFunction;
}

const defaultWatch: WatchFunction = (path, options, listener) => nodeWatch(path, { recursive: options.recursive, encoding: 'utf8' }, listener);

/** A folder that vanished, or that we may not read: skip it (not a failure of the watcher). */
const SKIPPABLE = new Set(['ENOENT', 'ENOTDIR', 'EACCES']);

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export function createFolderWatcher(deps: FolderWatcherDeps): WatchFolder {
  return (root, handlers) =>
    deps.platform === 'linux' ? watchEachFolder(root, handlers, deps.watch) : watchRecursively(root, handlers, deps.watch);
}

export const watchFolders: WatchFolder = (root, handlers) =>
  createFolderWatcher({ platform: process.platform, watch: defaultWatch })(root, handlers);

/**
 * Reports paths, dropping a path reported just before it in the same turn of the event loop
 * (one inotify read often holds several events for one file: create, modify, close).
 */
class Reporter {
  private last: string | null = null;
  private reset: NodeJS.Immediate | null = null;

  constructor(private readonly onChange: (path: string) => void) {}

  report(path: string): void {
    if (path === this.last) return;
    this.last = path;
    this.reset ??= setImmediate(() => {
      this.reset = null;
      this.last = null;
    });
    this.onChange(path);
  }

  dispose(): void {
    if (this.reset !== null) clearImmediate(this.reset);
    this.reset = null;
  }
}

/** Joins relative `/` paths; '' is the root. */
function child(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`;
}

async function reportRootEntries(root: string, reporter: Reporter, isOpen: () => boolean): Promise<void> {
  try {
    const names = await readdir(root);
    for (const name of names) if (isOpen() && !isTempFileName(name)) reporter.report(name);
  } catch {
    // The root itself is unreadable or gone: nothing to report; the full scan will say so.
  }
}

async function watchEachFolder(root: string, handlers: WatchHandlers, watch: WatchFunction): Promise<ChangeWatcher> {
  /** Relative folder path ('' for the root) -> its watcher. */
  const watchers = new Map<string, { handle: FolderWatchHandle }>();
  const reporter = new Reporter(handlers.onChange);
  let started = false;
  let stopped = false;
  let startError: Error | null = null;
  const isOpen = (): boolean => !stopped;
  const absolutePath = (folder: string): string => (folder === '' ? root : join(root, ...folder.split('/')));

  const closeAll = (): void => {
    stopped = true;
    reporter.dispose();
    for (const watcher of watchers.values()) watcher.handle.close();
    watchers.clear();
  };

  const fail = (error: Error): void => {
    if (stopped) return;
    closeAll();
    if (started) handlers.onError(error);
    else startError = error;
  };

  /** Closes the watchers of `folder` and of every folder below it. */
  const unwatch = (folder: string): void => {
    const prefix = `${folder}/`;
    for (const [path, watcher] of watchers) {
      if (path === folder || path.startsWith(prefix)) {
        watcher.handle.close();
        watchers.delete(path);
      }
    }
  };

  /** Watches `folder` and every folder below it; the watcher is attached before the listing. */
  const walk = async (folder: string): Promise<void> => {
    if (stopped || watchers.has(folder)) return;
    const absolute = absolutePath(folder);
    let handle: FolderWatchHandle;
    try {
      handle = watch(absolute, { recursive: false }, (eventType, filename) => onEvent(folder, eventType, filename));
    } catch (error) {
      if (folder !== '' && SKIPPABLE.has(codeOf(error) ?? '')) return;
      fail(asError(error));
      return;
    }
    const watcher = { handle };
    handle.on('error', (error) => {
      if (watchers.get(folder) !== watcher) return;
      // A folder went away under its watcher: not a failure, just stop watching there.
      if (folder !== '' && SKIPPABLE.has(codeOf(error) ?? '')) unwatch(folder);
      else fail(asError(error));
    });
    watchers.set(folder, watcher);
    let entries;
    try {
      entries = await readdir(absolute, { withFileTypes: true });
    } catch (error) {
      if (folder !== '' && (SKIPPABLE.has(codeOf(error) ?? '') || codeOf(error) === 'EPERM')) return;
      fail(asError(error));
      return;
    }
    // Unwatched while listing (moved or deleted meanwhile): its folders are not ours to watch.
    if (watchers.get(folder) !== watcher) return;
    // Dirent types come from the listing itself: a symlink to a folder is a symlink, not followed.
    await Promise.all(entries.filter((entry) => entry.isDirectory()).map((entry) => walk(child(folder, entry.name))));
  };

  /**
   * Looks at `path` after an event: a new folder is watched, a vanished one unwatched. A
   * 'rename' event (created, deleted, moved) for a watched folder's name means the folder there
   * may be another one (deleted and made again: the old watch sees nothing of the new folder,
   * and inode numbers are reused at once), so it is watched afresh.
   */
  const settle = async (path: string, eventType: string): Promise<void> => {
    let isFolder = false;
    try {
      isFolder = (await lstat(absolutePath(path))).isDirectory();
    } catch {
      isFolder = false;
    }
    if (stopped) return;
    if (watchers.has(path) && (!isFolder || eventType === 'rename')) unwatch(path);
    if (isFolder && !watchers.has(path)) {
      await walk(path);
      // Anything created in it before its watchers existed: the engine rescans it whole.
      if (!stopped) reporter.report(path);
    }
  };

  const onEvent = (folder: string, eventType: string, filename: string | null): void => {
    if (stopped) return;
    if (filename === null) {
      // Some systems do not say which entry changed: look at the whole folder again.
      if (folder === '') void reportRootEntries(root, reporter, isOpen);
      else reporter.report(folder);
      return;
    }
    if (isTempFileName(filename)) return;
    const path = child(folder, filename);
    reporter.report(path);
    void settle(path, eventType);
    // Events about the watched folder itself (deleted, moved, attributes) come with its own
    // basename as the name (libuv), indistinguishable from a child of that name: check both.
    if (folder !== '' && filename === folder.slice(folder.lastIndexOf('/') + 1)) {
      reporter.report(folder);
      void settle(folder, eventType);
    }
  };

  await walk('');
  if (startError !== null) throw startError;
  if (stopped) throw new Error('the folder watcher stopped while starting');
  started = true;
  return {
    close: () => {
      closeAll();
      return Promise.resolve();
    },
  };
}

async function watchRecursively(root: string, handlers: WatchHandlers, watch: WatchFunction): Promise<ChangeWatcher> {
  const reporter = new Reporter(handlers.onChange);
  let stopped = false;
  const isOpen = (): boolean => !stopped;
  // Throws at once (ENOENT, EPERM, ...): the caller falls back on full scans.
  const watcher = watch(root, { recursive: true }, (_event, filename) => {
    if (stopped) return;
    if (filename === null) {
      void reportRootEntries(root, reporter, isOpen);
      return;
    }
    const path = filename.split(sep).join('/');
    if (path === '' || isTempFileName(path.slice(path.lastIndexOf('/') + 1))) return;
    reporter.report(path);
  });
  const close = (): void => {
    if (stopped) return;
    stopped = true;
    reporter.dispose();
    watcher.close();
  };
  watcher.on('error', (error) => {
    if (stopped) return;
    close();
    handlers.onError(asError(error));
  });
  return Promise.resolve({
    close: () => {
      close();
      return Promise.resolve();
    },
  });
}
