/**
 * A RemoteStore that forwards to a real one, with some methods replaced: how a test steps
 * between the engine and the server (another client writing mid-run, a cut connection).
 */
import type { RemoteStore } from '../../electron/sync/ports.js';

export function wrapStore(store: RemoteStore, overrides: Partial<RemoteStore>): RemoteStore {
  return {
    list: (options) => store.list(options),
    stat: (path, options) => store.stat(path, options),
    listChildren: (path, options) => store.listChildren(path, options),
    isEmptyFolder: (path, options) => store.isEmptyFolder(path, options),
    download: (path, destination, options) => store.download(path, destination, options),
    upload: (path, open, size, options) => store.upload(path, open, size, options),
    createFolder: (path, options) => store.createFolder(path, options),
    remove: (path, type, options) => store.remove(path, type, options),
    move: (from, to, type, options) => store.move(from, to, type, options),
    dispose: () => store.dispose(),
    ...overrides,
  };
}
