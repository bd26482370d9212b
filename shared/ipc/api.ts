/**
 * Builds `window.terasync` from the contract over any transport: one function per method and
 * one `on<Event>(callback) => unsubscribe` per event. The preload builds it over Electron's IPC,
 * the test bridge (dev/ipcBridge/browserClient.ts) over a WebSocket; both are the same object,
 * typed by contract.ts.
 */
import type { Result } from '../errors.js';
import {
  ipcChannels,
  ipcEventNames,
  ipcEventSubscriptions,
  ipcMethods,
  type IpcChannel,
  type IpcEventName,
  type TeraSyncApi,
} from './contract.js';

export interface IpcTransport {
  /** Sends one request (undefined for a method without) and answers the Result; never rejects. */
  call(channel: IpcChannel, request: unknown): Promise<Result<unknown>>;
  /** Calls `listener` with each payload of `event` until the returned function is called. */
  subscribe(event: IpcEventName, listener: (payload: unknown) => void): () => void;
}

function subscription(transport: IpcTransport, event: IpcEventName): (callback: unknown) => () => void {
  return (callback) => {
    if (typeof callback !== 'function') throw new TypeError(`${ipcEventSubscriptions[event]} takes a function`);
    const unsubscribe = transport.subscribe(event, (payload) => {
      (callback as (payload: unknown) => void)(payload);
    });
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      unsubscribe();
    };
  };
}

export function buildTeraSyncApi(transport: IpcTransport): TeraSyncApi {
  const methods = ipcChannels.map((channel) => [ipcMethods[channel], (request?: unknown) => transport.call(channel, request)] as const);
  const subscriptions = ipcEventNames.map((event) => [ipcEventSubscriptions[event], subscription(transport, event)] as const);
  return Object.freeze(Object.fromEntries([...methods, ...subscriptions])) as unknown as TeraSyncApi;
}
