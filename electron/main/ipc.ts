/**
 * Wires the contract to ipcMain: one handler per channel, each refusing senders other than the
 * top frame of our window showing our renderer, then going through dispatchIpc (validate the
 * request, run, validate the response, answer a Result).
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { ErrorCode } from '../../shared/errors.js';
import { ipcChannels, type IpcChannel, type IpcResult } from '../../shared/ipc/contract.js';
import { dispatchIpc, type IpcHandlers } from '../app/dispatchIpc.js';
import { isRendererUrl } from '../app/navigation.js';

export interface IpcRegistration {
  /** Removes every handler this registration added. */
  dispose(): void;
}

export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

/**
 * Trusts a message only from the top frame (never an iframe) of the window `getWindow`
 * returns, while that frame shows our renderer file.
 */
export function createSenderCheck(getWindow: () => BrowserWindow | null, rendererUrl: string): SenderCheck {
  return (event) => {
    const window = getWindow();
    const frame = event.senderFrame;
    if (window === null || window.isDestroyed() || frame === null) return false;
    return event.sender === window.webContents && frame.parent === null && isRendererUrl(frame.url, rendererUrl);
  };
}

export function registerIpcHandlers(handlers: IpcHandlers, isTrustedSender: SenderCheck): IpcRegistration {
  for (const channel of ipcChannels) {
    ipcMain.handle(channel, (event, ...args: unknown[]): Promise<IpcResult<IpcChannel>> => {
      if (!isTrustedSender(event)) {
        return Promise.resolve({
          ok: false,
          error: { code: ErrorCode.Forbidden, message: `${channel} was refused: the request did not come from TeraSync's window.` },
        });
      }
      return dispatchIpc(channel, args, handlers);
    });
  }
  return {
    dispose() {
      for (const channel of ipcChannels) ipcMain.removeHandler(channel);
    },
  };
}
