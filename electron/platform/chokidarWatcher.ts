/**
 * The local folder watcher, on chokidar. It says "something changed at this path", and the
 * engine looks at that path again (continuous runs do not rescan the whole folder; a full scan
 * every `fullScanIntervalMs` catches what a watcher missed). So it must report every path the
 * scanner would see.
 */
import { watch } from 'chokidar';
import { relative, sep } from 'node:path';
import { isTempFileName } from '../sync/ignoreRules.js';
import type { ChangeWatcher, WatchFolder } from '../sync/ports.js';

export const watchWithChokidar: WatchFolder = async (root, handlers) => {
  const watcher = watch(root, {
    ignoreInitial: true,
    followSymlinks: false,
    // chokidar's default for fs.watch hides editors' swap and backup files (`.x.swp`, `x~`)
    // and folds a delete + re-create into one change. We sync those files like any other
    // (unless .terasyncignore says not to), and the quiet time folds bursts already.
    atomic: false,
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
