/**
 * The bridge: `window.terasync` has exactly one function per contract method, each sending its
 * request on its channel and answering a Result. The renderer never gets ipcRenderer, an event
 * object or any other Electron handle.
 *
 * Sandboxed, so bundled to CommonJS and requiring nothing but 'electron' (scripts/build.mjs
 * checks that).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { ErrorCode, type Result } from '../../shared/errors.js';
import { ipcChannels, ipcMethods, type IpcChannel, type TeraSyncApi } from '../../shared/ipc/contract.js';

function invoke(channel: IpcChannel, request: unknown): Promise<Result<unknown>> {
  // Main answers every call with a Result; a rejection means the call never reached a handler
  // (or main broke), and the renderer still gets a Result rather than an exception.
  return (ipcRenderer.invoke(channel, request) as Promise<Result<unknown>>).catch((error: unknown) => ({
    ok: false,
    error: {
      code: ErrorCode.BadResponse,
      message: `TeraSync's background process did not answer ${channel}: ${error instanceof Error ? error.message : String(error)}`,
    },
  }));
}

const api = Object.fromEntries(
  ipcChannels.map((channel) => [ipcMethods[channel], (request?: unknown) => invoke(channel, request)]),
) as unknown as TeraSyncApi;

contextBridge.exposeInMainWorld('terasync', Object.freeze(api));
