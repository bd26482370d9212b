/**
 * Where the services' events for the window go in: the composition root makes one, the
 * services (or the adapters around them) call `emit`, and each transport subscribes (the
 * window's IPC in electron/main/ipc.ts; the WebSocket bridge for tests in dev/ipcBridge).
 *
 * A payload is validated here, once, before anyone hears of it: one that breaks the contract
 * is a bug, reported through `onInvalid` and dropped, never sent half-right. Subscribers get
 * the validated copy.
 */
import type { Result } from '../../shared/errors.js';
import type { IpcEventMessage, IpcEventName, IpcEventPayload } from '../../shared/ipc/contract.js';
import { validateEvent } from '../../shared/ipc/schemas.js';

export interface Disposable {
  dispose(): void;
}

/** What a transport subscribes to. */
export interface IpcEventSource {
  subscribe(listener: (message: IpcEventMessage) => void): Disposable;
}

export interface IpcEventHubOptions {
  /** A payload that broke the contract (a bug): for the log. */
  onInvalid?: (event: IpcEventName, message: string) => void;
  /** A subscriber threw: the others still hear the event. For the log. */
  onListenerError?: (event: IpcEventName, error: unknown) => void;
}

export class IpcEventHub implements IpcEventSource {
  private readonly listeners = new Set<(message: IpcEventMessage) => void>();

  constructor(private readonly options: IpcEventHubOptions = {}) {}

  /** Validates and delivers; answers the validation's Result. */
  emit<E extends IpcEventName>(event: E, payload: IpcEventPayload<E>): Result<IpcEventPayload<E>> {
    const result = validateEvent(event, payload);
    if (!result.ok) {
      this.options.onInvalid?.(event, result.error.message);
      return result;
    }
    const message = { event, payload: result.value } as IpcEventMessage;
    for (const listener of [...this.listeners]) {
      try {
        listener(message);
      } catch (error) {
        this.options.onListenerError?.(event, error);
      }
    }
    return result;
  }

  subscribe(listener: (message: IpcEventMessage) => void): Disposable {
    // A wrapper per subscription, so that subscribing the same function twice is two subscriptions.
    const entry = (message: IpcEventMessage): void => listener(message);
    this.listeners.add(entry);
    return { dispose: () => this.listeners.delete(entry) };
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
