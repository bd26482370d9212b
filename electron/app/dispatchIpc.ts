/**
 * What every IPC call goes through once the transport has checked who sent it: validate the
 * request, run the handler, validate the response, and wrap it all in a Result. Plain Node so it
 * is tested without Electron; electron/main/ipc.ts wires it to ipcMain, and dev/ipcBridge to a
 * WebSocket for tests.
 */
import { ErrorCode, isTeraSyncError, type ErrorInfo } from '../../shared/errors.js';
import type { IpcChannel, IpcRequest, IpcResponse, IpcResult } from '../../shared/ipc/contract.js';
import { validateRequest, validateResponse } from '../../shared/ipc/schemas.js';

/** One handler per contract channel: the composition root must supply them all. */
export type IpcHandlers = {
  readonly [C in IpcChannel]: (request: IpcRequest<C>) => Promise<IpcResponse<C>>;
};

export interface DispatchOptions {
  /**
   * Told about what the window only sees as a generic error: a handler that threw something
   * other than a TeraSyncError (a bug), or answered what the contract does not allow. For the log.
   */
  onInternalError?: (channel: IpcChannel, error: unknown) => void;
  /**
   * Told about every coded failure a handler answered (a TeraSyncError), with its message: the
   * window says it in sentences from the code and shows the message only on request, so the
   * log is where the details are kept.
   */
  onFailure?: (channel: IpcChannel, error: ErrorInfo) => void;
}

/**
 * Runs `channel` with the arguments the sender passed after the channel (the preload always
 * sends exactly one: the request, possibly undefined). Never throws:
 *
 * - an invalid request is refused (InvalidRequest, naming the field) and the handler never runs;
 * - a thrown TeraSyncError becomes `{ ok: false, error: { code, message } }`;
 * - anything else thrown becomes Internal with a generic message: a stray Error's message may
 *   hold a path, a URL with credentials or a token, and its stack is of no use to the window;
 * - a response that breaks the contract is refused (BadResponse), so no field slips through.
 */
export async function dispatchIpc<C extends IpcChannel>(
  channel: C,
  args: readonly unknown[],
  handlers: IpcHandlers,
  options: DispatchOptions = {},
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
    if (isTeraSyncError(error)) {
      const info = { code: error.code, message: error.message };
      options.onFailure?.(channel, info);
      return { ok: false, error: info };
    }
    options.onInternalError?.(channel, error);
    return {
      ok: false,
      error: { code: ErrorCode.Internal, message: `TeraSync ran into an unexpected problem (${channel}). The details are in the log.` },
    };
  }
  const result = validateResponse(channel, response);
  if (!result.ok) options.onInternalError?.(channel, new Error(result.error.message));
  return result;
}
