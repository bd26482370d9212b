/**
 * window.terasync over Electron's IPC: each method sends its request on its channel with
 * ipcRenderer.invoke and answers a Result; each `on<Event>` listens on the event's channel and
 * calls back with the payload alone. The window never gets ipcRenderer, an IpcRendererEvent or
 * any other Electron handle.
 *
 * Takes the two Electron objects it uses as parameters (electron/preload/index.ts passes the real
 * ones), so that tests run it under plain Node with fakes. Imports nothing but shared/: a
 * sandboxed preload may require only 'electron' (scripts/build.mjs checks that).
 */
import { ErrorCode, type Result } from '../../shared/errors.js';
import { buildTeraSyncApi } from '../../shared/ipc/api.js';
import type { TeraSyncApi } from '../../shared/ipc/contract.js';

/** The part of Electron's ipcRenderer the API uses. */
export interface PreloadIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** The part of Electron's contextBridge the preload uses. */
export interface PreloadBridge {
  exposeInMainWorld(key: string, api: unknown): void;
}

export function createTeraSyncApi(ipc: PreloadIpc): TeraSyncApi {
  return buildTeraSyncApi({
    call: (channel, request) =>
      // Exactly one argument, even for a method without request: main refuses more. Main
      // answers every call with a Result; a rejection means the call never reached a handler
      // (or main broke), and the window still gets a Result rather than an exception.
      (ipc.invoke(channel, request) as Promise<Result<unknown>>).catch(() => ({
        ok: false,
        error: { code: ErrorCode.BadResponse, message: `TeraSync's background process did not answer (${channel}).` },
      })),
    subscribe: (event, listener) => {
      // Only the payload goes on: the IpcRendererEvent would hand the page `sender` (ipcRenderer).
      const onEvent = (_event: unknown, payload: unknown): void => listener(payload);
      ipc.on(event, onEvent);
      return () => {
        ipc.removeListener(event, onEvent);
      };
    },
  });
}

/** Exposes the API as `window.terasync` (contextBridge copies it into the page's world). */
export function exposeTeraSyncApi(bridge: PreloadBridge, ipc: PreloadIpc): void {
  bridge.exposeInMainWorld('terasync', createTeraSyncApi(ipc));
}
