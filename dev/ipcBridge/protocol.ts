/**
 * The messages of the IPC bridge for tests: the IPC contract over one WebSocket on loopback,
 * JSON text frames. Pure (no node:*), so the browser client shares it with the server.
 *
 *   client -> server  { type: 'hello', token }                     first, unless the URL had ?token=
 *                     { type: 'call', id, channel, payload? }      id: a positive integer, higher
 *                                                                  than any id the client used before
 *   server -> client  { type: 'ready' }                            the token was accepted
 *                     { type: 'result', id, result }               the call's Result
 *                     { type: 'event', event, payload }            a contract event
 *
 * A payload left out stands for undefined (which JSON cannot carry), and so does a Result's
 * value. The server closes the connection with `closeCodes.unauthorized` on a missing or wrong
 * token, and with `closeCodes.protocolError` on a message it cannot answer.
 */
import type { Result } from '../../shared/errors.js';
import type { IpcEventName } from '../../shared/ipc/contract.js';

export const closeCodes = {
  /** No token, or the wrong one. */
  unauthorized: 4401,
  /** Not JSON, not a message of this protocol, or a call without an id. */
  protocolError: 4400,
  /** No hello in time. */
  helloTimeout: 4408,
  /** The bridge is shutting down. */
  goingAway: 1001,
} as const;

export type ClientMessage = { type: 'hello'; token: string } | { type: 'call'; id: number; channel: string; payload?: unknown };

export type ServerMessage =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; event: IpcEventName; payload: unknown };

/** Longest token the server reads (it makes 43-character ones). */
export const maxTokenLength = 256;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasOnlyKeys(value: Record<string, unknown>, keys: readonly string[]): boolean {
  return Object.keys(value).every((key) => keys.includes(key));
}

export function isRequestId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/**
 * The message a client sent, or why it is not one. `id` is set whenever the text carried a
 * usable call id, so that a malformed call can still be answered.
 */
export function parseClientMessage(text: string): { ok: true; message: ClientMessage } | { ok: false; problem: string; id: number | null } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'not JSON', id: null };
  }
  if (!isPlainObject(value)) return { ok: false, problem: 'not an object', id: null };
  if (value.type === 'hello') {
    if (!hasOnlyKeys(value, ['type', 'token']) || typeof value.token !== 'string' || value.token.length > maxTokenLength) {
      return { ok: false, problem: 'a hello takes a token', id: null };
    }
    return { ok: true, message: { type: 'hello', token: value.token } };
  }
  if (value.type === 'call') {
    const id = isRequestId(value.id) ? value.id : null;
    if (id === null) return { ok: false, problem: 'a call needs an id (a positive integer)', id: null };
    if (!hasOnlyKeys(value, ['type', 'id', 'channel', 'payload'])) return { ok: false, problem: 'a call has type, id, channel and payload only', id };
    if (typeof value.channel !== 'string') return { ok: false, problem: 'a call needs a channel', id };
    const message: ClientMessage = { type: 'call', id, channel: value.channel };
    if (Object.hasOwn(value, 'payload')) message.payload = value.payload;
    return { ok: true, message };
  }
  return { ok: false, problem: 'unknown message type', id: null };
}
