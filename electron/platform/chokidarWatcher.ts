/**
 * The `watch` port on chokidar 6, for comparing it with electron/platform/folderWatcher.ts in
 * the benchmark (`node bench/run.mjs --watchers ours,chokidar`). Same contract: "something
 * changed at this path", relative and `/`-separated, our own temp files never reported,
 * symlinks not followed, a failure while starting rejects and a later one calls `onError`
 * once and stops the watcher.
 *
 * Options: `ignoreInitial` (the engine scans at start anyway), `atomic: false` (chokidar would
 * otherwise hold unlink+add pairs for 100 ms and drop editor temp files itself; the engine
 * gathers changes and applies the ignore rules), `followSymlinks: false`.
 */
import { watch } from 'chokidar';
import { basename, relative, sep } from 'node:path';
import { isTempFileName } from '../sync/ignoreRules.js';
import type { ChangeWatcher, WatchFolder } from '../sync/ports.js';

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export const watchFoldersWithChokidar: WatchFolder = async (root, handlers) => {
  const watcher = watch(root, {
    ignoreInitial: true,
    atomic: false,
    followSymlinks: false,
    persistent: true,
    ignored: (path: string) => path !== root && isTempFileName(basename(path)),
  });
  let started = false;
  let stopped = false;
  const stop = async (): Promise<void> => {
    stopped = true;
    await watcher.close();
  };
  watcher.on('all', (_event, path) => {
    if (stopped) return;
    const name = relative(root, path).split(sep).join('/');
    if (name !== '' && !name.startsWith('../')) handlers.onChange(name);
  });
  await new Promise<void>((resolve, reject) => {
    watcher.on('error', (error) => {
      if (stopped) return;
      void stop();
      if (started) handlers.onError(asError(error));
      else reject(asError(error));
    });
    watcher.once('ready', () => {
      started = true;
      resolve();
    });
  });
  const handle: ChangeWatcher = { close: stop };
  return handle;
};
