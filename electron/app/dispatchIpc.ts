/**
 * What every IPC call goes through once main has checked who sent it: validate the request,
 * run the handler, validate the response, and wrap it all in a Result. Plain Node so it is
 * tested without Electron; electron/main/ipc.ts wires it to ipcMain.
 */
import { ErrorCode, toTeraSyncError } from '../../shared/errors.js';
import type { IpcChannel, IpcRequest, IpcResponse, IpcResult } from '../../shared/ipc/contract.js';
import { validateRequest, validateResponse } from '../../shared/ipc/schemas.js';

/** One handler per contract channel: the composition root must supply them all. */
export type IpcHandlers = {
  readonly [C in IpcChannel]: (request: IpcRequest<C>) => Promise<IpcResponse<C>>;
};

/**
 * Runs `channel` with the arguments the renderer passed to `ipcRenderer.invoke` (after the
 * channel). The preload always sends exactly one (the request, possibly undefined). Never
 * throws: a handler's error becomes `{ ok: false, error: { code, message } }`.
 */
export async function dispatchIpc<C extends IpcChannel>(
  channel: C,
  args: readonly unknown[],
  handlers: IpcHandlers,
): Promise<IpcResult<C>> {
  if (args.length > 1) {
    return { ok: false, error: { code: ErrorCode.InvalidRequest, message: `Invalid ${channel} request: expected one payload, got ${args.length}` } };
  }
  const request = validateRequest(channel, args[0]);
  if (!request.ok) return request;

  const handler = handlers[channel] as (request: IpcRequest<C>) => Promise<IpcResponse<C>>;
  let response: IpcResponse<C>;
  try {
    response = await handler(request.value);
  } catch (error) {
    return { ok: false, error: toTeraSyncError(error).toInfo() };
  }
  return validateResponse(channel, response);
}
