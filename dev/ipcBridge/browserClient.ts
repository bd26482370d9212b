/**
 * window.terasync over the IPC bridge (startIpcBridge.ts), for the page in a browser: end-to-end
 * tests bundle this file and install `createBridgeApi(url, token)` as `window.terasync` before
 * the app loads, and the real React window then talks to the real services. Never part of the
 * app: the renderer holds no test code, and the packaged app never opens a socket.
 *
 * Uses the browser's WebSocket (or the one passed in: tests under Node pass the `ws` package's),
 * and the same API builder as the preload (shared/ipc/api.ts), so the page sees the same object.
 * Calls made before the server has accepted the token wait for it; when the connection ends,
 * every call still waiting, and every later one, answers a Network error (a refused token:
 * Forbidden). Nothing reconnects: a test that needs a new connection makes a new client.
 */
import { ErrorCode, type ErrorInfo, type Result } from '../../shared/errors.js';
import { buildTeraSyncApi } from '../../shared/ipc/api.js';
import { isIpcEventName, type IpcChannel, type IpcEventName, type TeraSyncApi } from '../../shared/ipc/contract.js';
import { closeCodes, isRequestId, type ClientMessage } from './protocol.js';

/** What the client needs of a WebSocket: the browser's and the `ws` package's both have it. */
export interface BridgeSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: BridgeSocketEvent) => void): void;
}

export interface BridgeSocketEvent {
  /** 'message': the text. */
  data?: unknown;
  /** 'close' */
  code?: number;
  reason?: string;
}

export type BridgeSocketConstructor = new (url: string) => BridgeSocket;

export interface BridgeClientOptions {
  /** Default: globalThis.WebSocket. */
  WebSocket?: BridgeSocketConstructor;
}

export interface BridgeClient {
  api: TeraSyncApi;
  /** Resolves once the server has accepted the token; rejects when the connection ended first. */
  readonly ready: Promise<void>;
  /** Ends the connection; calls still waiting answer a Network error. */
  close(): void;
}

type Pending = (result: Result<unknown>) => void;

function isErrorInfo(value: unknown): value is ErrorInfo {
  if (typeof value !== 'object' || value === null) return false;
  const { code, message } = value as Record<string, unknown>;
  return typeof code === 'string' && (Object.values(ErrorCode) as string[]).includes(code) && typeof message === 'string';
}

/** A Result as the server sent it (`value` left out for undefined), or null when it is not one. */
function readResult(value: unknown): Result<unknown> | null {
  if (typeof value !== 'object' || value === null) return null;
  const result = value as Record<string, unknown>;
  if (result.ok === true) return { ok: true, value: result.value };
  if (result.ok === false && isErrorInfo(result.error)) return { ok: false, error: { code: result.error.code, message: result.error.message } };
  return null;
}

export function createBridgeClient(url: string, token: string, options: BridgeClientOptions = {}): BridgeClient {
  const WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: BridgeSocketConstructor }).WebSocket;
  if (WebSocketClass === undefined) throw new Error('createBridgeClient needs a WebSocket (none in this environment)');

  const pending = new Map<number, Pending>();
  const listeners = new Map<IpcEventName, Set<(payload: unknown) => void>>();
  /** Calls made before the server accepted the token. */
  let queued: string[] = [];
  let state: 'connecting' | 'ready' | 'closed' = 'connecting';
  let closedError: ErrorInfo = { code: ErrorCode.Network, message: 'The IPC bridge is closed.' };
  let nextId = 1;

  let markReady: () => void = () => undefined;
  let markFailed: (error: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    markFailed = reject;
  });
  // Whoever never awaits `ready` must not see an unhandled rejection.
  ready.catch(() => undefined);

  const socket = new WebSocketClass(url);

  const sendMessage = (message: ClientMessage): void => {
    socket.send(JSON.stringify(message));
  };

  const finish = (error: ErrorInfo): void => {
    if (state === 'closed') return;
    state = 'closed';
    closedError = error;
    queued = [];
    markFailed(new Error(error.message));
    for (const resolve of pending.values()) resolve({ ok: false, error });
    pending.clear();
  };

  const receive = (text: string): void => {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const { type, id, result, event, payload } = message as Record<string, unknown>;
    if (type === 'ready' && state === 'connecting') {
      state = 'ready';
      for (const item of queued) socket.send(item);
      queued = [];
      markReady();
    } else if (type === 'result' && isRequestId(id)) {
      const resolve = pending.get(id);
      if (resolve === undefined) return;
      pending.delete(id);
      resolve(readResult(result) ?? { ok: false, error: { code: ErrorCode.BadResponse, message: 'The IPC bridge sent a malformed answer.' } });
    } else if (type === 'event' && isIpcEventName(event)) {
      for (const listener of [...(listeners.get(event) ?? [])]) listener(payload);
    }
  };

  socket.addEventListener('open', () => sendMessage({ type: 'hello', token }));
  socket.addEventListener('message', (event) => {
    if (typeof event.data === 'string') receive(event.data);
  });
  socket.addEventListener('close', (event) => {
    finish(
      event.code === closeCodes.unauthorized
        ? { code: ErrorCode.Forbidden, message: 'The IPC bridge refused the token.' }
        : { code: ErrorCode.Network, message: `The IPC bridge closed the connection (${event.code ?? 'no code'}${event.reason ? `: ${event.reason}` : ''}).` },
    );
  });
  // An 'error' is always followed by 'close', which answers what is waiting.
  socket.addEventListener('error', () => undefined);

  const call = (channel: IpcChannel, request: unknown): Promise<Result<unknown>> => {
    if (state === 'closed') return Promise.resolve({ ok: false, error: closedError });
    const id = nextId++;
    const text = JSON.stringify({ type: 'call', id, channel, ...(request === undefined ? {} : { payload: request }) } satisfies ClientMessage);
    return new Promise((resolve) => {
      pending.set(id, resolve);
      if (state === 'ready') socket.send(text);
      else queued.push(text);
    });
  };

  const subscribe = (event: IpcEventName, listener: (payload: unknown) => void): (() => void) => {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    // A wrapper per subscription, so that the same callback subscribed twice is two subscriptions.
    const entry = (payload: unknown): void => listener(payload);
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  };

  return {
    api: buildTeraSyncApi({ call, subscribe }),
    ready,
    close() {
      socket.close(1000, 'client closed');
      finish({ code: ErrorCode.Network, message: 'The IPC bridge client was closed.' });
    },
  };
}

/** window.terasync over the bridge at `url`, with the bridge's `token`. */
export function createBridgeApi(url: string, token: string, options: BridgeClientOptions = {}): TeraSyncApi {
  return createBridgeClient(url, token, options).api;
}
