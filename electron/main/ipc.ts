/**
 * Wires the contract to Electron: one ipcMain handler per channel, each refusing senders other
 * than the top frame of our window showing our renderer, then going through dispatchIpc
 * (validate the request, run, validate the response, answer a Result); and the events, each
 * validated before it is sent to that window.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { ErrorCode, type Result } from '../../shared/errors.js';
import { ipcChannels, type IpcChannel, type IpcEventName, type IpcEventPayload, type IpcResult } from '../../shared/ipc/contract.js';
import { validateEvent } from '../../shared/ipc/schemas.js';
import { dispatchIpc, type DispatchOptions, type IpcHandlers } from '../app/dispatchIpc.js';
import type { IpcEventSource } from '../app/IpcEventHub.js';
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

export function registerIpcHandlers(handlers: IpcHandlers, isTrustedSender: SenderCheck, options: DispatchOptions = {}): IpcRegistration {
  for (const channel of ipcChannels) {
    ipcMain.handle(channel, (event, ...args: unknown[]): Promise<IpcResult<IpcChannel>> => {
      if (!isTrustedSender(event)) {
        return Promise.resolve({
          ok: false,
          error: { code: ErrorCode.Forbidden, message: `${channel} was refused: the request did not come from TeraSync's window.` },
        });
      }
      return dispatchIpc(channel, args, handlers, options);
    });
  }
  return {
    dispose() {
      for (const channel of ipcChannels) ipcMain.removeHandler(channel);
    },
  };
}

export type IpcEmit = <E extends IpcEventName>(event: E, payload: IpcEventPayload<E>) => Result<IpcEventPayload<E>>;

/**
 * `emit(event, payload)`: validates the payload and sends it to our window, when there is one
 * and it shows our renderer (nothing else ever hears an event). An invalid payload is not sent;
 * the Result says why.
 */
export function createIpcEmitter(getWindow: () => BrowserWindow | null, rendererUrl: string): IpcEmit {
  return (event, payload) => {
    const result = validateEvent(event, payload);
    if (!result.ok) return result;
    const window = getWindow();
    if (window !== null && !window.isDestroyed() && isRendererUrl(window.webContents.getURL(), rendererUrl)) {
      window.webContents.send(event, result.value);
    }
    return result;
  };
}

export interface IpcWiring {
  handlers: IpcHandlers;
  isTrustedSender: SenderCheck;
  getWindow: () => BrowserWindow | null;
  rendererUrl: string;
  /** The services' events (an IpcEventHub): each is sent to the window. */
  events?: IpcEventSource;
  /** For the log: a handler's bug, a response or event that broke the contract. */
  onInternalError?: (what: string, error: unknown) => void;
  /** For the log: a call that failed with a coded error, with the message the window keeps behind "Technical details". */
  onFailure?: DispatchOptions['onFailure'];
}

/** All of the IPC of the window: handlers, events, and one dispose for both. */
export function registerIpc(wiring: IpcWiring): IpcRegistration & { emit: IpcEmit } {
  const handlers = registerIpcHandlers(wiring.handlers, wiring.isTrustedSender, {
    onInternalError: (channel, error) => wiring.onInternalError?.(channel, error),
    onFailure: (channel, error) => wiring.onFailure?.(channel, error),
  });
  const send = createIpcEmitter(wiring.getWindow, wiring.rendererUrl);
  const emit: IpcEmit = (event, payload) => {
    const result = send(event, payload);
    if (!result.ok) wiring.onInternalError?.(event, new Error(result.error.message));
    return result;
  };
  const subscription = wiring.events?.subscribe((message) => {
    emit(message.event, message.payload);
  });
  return {
    emit,
    dispose() {
      subscription?.dispose();
      handlers.dispose();
    },
  };
}
