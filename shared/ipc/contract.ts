/**
 * THE one list of IPC methods between the renderer and main. Adding a method takes one entry
 * in `IpcContract` (its types; `request: undefined` when it takes none) and one in `ipcMethods`
 * (its function's name on window.terasync); the compiler then asks for its validators in
 * schemas.ts and its handler in the main process, and the preload exposes it with no more code.
 *
 * Channels are named `domain:verb`. Every call answers a `Result`: `{ ok: true, value }` or
 * `{ ok: false, error: { code, message } }`, never a thrown error (only a message would survive
 * Electron's serialization of one).
 */
import type { Result } from '../errors.js';
import type { AppOverview } from '../types.js';

export interface IpcContract {
  'app:getOverview': { request: undefined; response: AppOverview };
}

export type IpcChannel = keyof IpcContract;
export type IpcRequest<C extends IpcChannel> = IpcContract[C]['request'];
export type IpcResponse<C extends IpcChannel> = IpcContract[C]['response'];
export type IpcResult<C extends IpcChannel> = Result<IpcResponse<C>>;

/**
 * The runtime list of channels, each with the name of its function on window.terasync. Typed
 * so that a channel missing here, or one here that the contract does not know, fails to compile.
 */
export const ipcMethods = {
  'app:getOverview': 'getOverview',
} as const satisfies { [C in IpcChannel]: string };

export const ipcChannels = Object.keys(ipcMethods) as IpcChannel[];

export function isIpcChannel(value: unknown): value is IpcChannel {
  return typeof value === 'string' && Object.hasOwn(ipcMethods, value);
}

type MethodName<C extends IpcChannel> = (typeof ipcMethods)[C];

/** A method whose request is `undefined` takes no argument. */
type ApiFunction<C extends IpcChannel> = [IpcRequest<C>] extends [undefined]
  ? () => Promise<IpcResult<C>>
  : (request: IpcRequest<C>) => Promise<IpcResult<C>>;

/** What the preload exposes as `window.terasync`: one function per contract method. */
export type TeraSyncApi = { readonly [C in IpcChannel as MethodName<C>]: ApiFunction<C> };
