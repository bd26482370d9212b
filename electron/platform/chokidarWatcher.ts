/**
 * The local folder watcher, on chokidar. It only says "something changed at this path": the
 * engine always rescans, so a missed or coalesced event costs latency, never correctness.
 */
import { watch } from 'chokidar';
import { relative, sep } from 'node:path';
import { isTempFileName } from '../sync/ignoreRules.js';
import type { ChangeWatcher, WatchFolder } from '../sync/ports.js';

export const watchWithChokidar: WatchFolder = async (root, handlers) => {
  const watcher = watch(root, {
    ignoreInitial: true,
    followSymlinks: false,
    // Our own temp files come and go during every download.
    ignored: (path) => isTempFileName(path.slice(path.lastIndexOf(sep) + 1)),
  });
  watcher.on('all', (_event, path) => handlers.onChange(relative(root, path).split(sep).join('/')));
  watcher.on('error', (error) => handlers.onError(error instanceof Error ? error : new Error(String(error))));
  await new Promise<void>((resolve, reject) => {
    watcher.once('ready', resolve);
    watcher.once('error', reject);
  });
  const handle: ChangeWatcher = { close: () => watcher.close() };
  return handle;
};
