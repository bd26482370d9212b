/**
 * The IPC contract over a WebSocket on 127.0.0.1, so that tests can drive the real React window
 * in Chromium (with dev/ipcBridge/browserClient.ts as its window.terasync) against the real
 * services. Development and test tooling only: nothing under electron/ imports it, the build
 * never bundles it, and `ws` is a dev dependency.
 *
 * It stands in for electron/main/ipc.ts and keeps its rules:
 *
 * - Who may call: a client that shows the random token (32 bytes), in the URL (`?token=`) or in
 *   its first message. A wrong token in the URL is refused before the upgrade (401); a first
 *   message that is not the right hello closes the connection (4401). Tokens are compared in
 *   constant time. Any page in any browser on this computer can open a WebSocket to loopback,
 *   so the token is what keeps them out.
 * - What is run: every call goes through dispatchIpc, the same validation of the request and
 *   the response as over Electron's IPC. Each request id is answered once and runs its handler
 *   at most once: ids must increase, and one that does not is answered with an error without
 *   running anything. Calls run concurrently; each answer carries its id.
 * - Events: `emit` (and the optional event source) validate each payload and push it to every
 *   client that has shown the token.
 * - Limits: text frames of at most `maxMessageBytes`; a client must say hello within
 *   `helloTimeoutMs`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { ErrorCode, type Result } from '../../shared/errors.js';
import { isIpcChannel, type IpcEventName, type IpcEventPayload } from '../../shared/ipc/contract.js';
import { validateEvent } from '../../shared/ipc/schemas.js';
// electron/app is plain Node, and the bridge must dispatch exactly as main does.
import { dispatchIpc, type IpcHandlers } from '../../electron/app/dispatchIpc.js';
import type { IpcEventSource } from '../../electron/app/IpcEventHub.js';
import { closeCodes, parseClientMessage, type ServerMessage } from './protocol.js';

export interface IpcBridgeOptions {
  handlers: IpcHandlers;
  /** The services' events (an IpcEventHub): each is pushed to the clients, as `emit` does. */
  events?: IpcEventSource;
  /** 0 (the default): any free port. */
  port?: number;
  /** How long a client may take to say hello. Default 10 s. */
  helloTimeoutMs?: number;
  /** Largest message accepted. Default 4 MiB. */
  maxMessageBytes?: number;
  /** For the log: a handler's bug, a response or event that broke the contract. */
  onInternalError?: (what: string, error: unknown) => void;
}

export interface IpcBridge {
  /** `ws://127.0.0.1:<port>/`, without the token. */
  readonly url: string;
  readonly token: string;
  /** Validates `payload` and pushes it to every client that has shown the token. */
  emit<E extends IpcEventName>(event: E, payload: IpcEventPayload<E>): Result<IpcEventPayload<E>>;
  /** How many clients have shown the token and are still connected. */
  readonly clientCount: number;
  /** Disconnects every client and frees the port. */
  close(): Promise<void>;
}

interface Client {
  socket: WebSocket;
  authenticated: boolean;
  /** The highest request id used so far. */
  lastId: number;
  helloTimer: ReturnType<typeof setTimeout> | null;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function refuseUpgrade(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export async function startIpcBridge(options: IpcBridgeOptions): Promise<IpcBridge> {
  const token = randomBytes(32).toString('base64url');
  const tokenDigest = digest(token);
  const tokenMatches = (candidate: string): boolean => timingSafeEqual(digest(candidate), tokenDigest);
  const helloTimeoutMs = options.helloTimeoutMs ?? 10_000;
  const clients = new Set<Client>();
  let closing = false;

  const reportInternal = (what: string, error: unknown): void => options.onInternalError?.(what, error);

  const send = (client: Client, message: ServerMessage): void => {
    if (client.socket.readyState !== client.socket.OPEN) return;
    client.socket.send(JSON.stringify(message));
  };

  const answer = (client: Client, id: number, result: Result<unknown>): void => send(client, { type: 'result', id, result });

  const authenticate = (client: Client): void => {
    client.authenticated = true;
    if (client.helloTimer !== null) clearTimeout(client.helloTimer);
    client.helloTimer = null;
    send(client, { type: 'ready' });
  };

  const call = async (client: Client, id: number, channel: string, args: unknown[]): Promise<void> => {
    if (!isIpcChannel(channel)) {
      answer(client, id, { ok: false, error: { code: ErrorCode.InvalidRequest, message: 'Unknown channel.' } });
      return;
    }
    const result = await dispatchIpc(channel, args, options.handlers, { onInternalError: reportInternal });
    answer(client, id, result);
  };

  const receive = (client: Client, data: RawData, isBinary: boolean): void => {
    if (isBinary) {
      client.socket.close(closeCodes.protocolError, 'text frames only');
      return;
    }
    const parsed = parseClientMessage(textOf(data));
    if (!client.authenticated) {
      if (parsed.ok && parsed.message.type === 'hello' && tokenMatches(parsed.message.token)) authenticate(client);
      else client.socket.close(closeCodes.unauthorized, 'unauthorized');
      return;
    }
    if (!parsed.ok) {
      if (parsed.id !== null && parsed.id > client.lastId) {
        client.lastId = parsed.id;
        answer(client, parsed.id, { ok: false, error: { code: ErrorCode.InvalidRequest, message: `Invalid message: ${parsed.problem}.` } });
      } else {
        client.socket.close(closeCodes.protocolError, parsed.problem);
      }
      return;
    }
    const message = parsed.message;
    if (message.type === 'hello') {
      client.socket.close(closeCodes.protocolError, 'hello twice');
      return;
    }
    if (message.id <= client.lastId) {
      // Never run a handler twice for one id, nor answer an id whose answer may be pending.
      client.socket.close(closeCodes.protocolError, `request id ${message.id} was not higher than ${client.lastId}`);
      return;
    }
    client.lastId = message.id;
    const args = Object.hasOwn(message, 'payload') ? [message.payload] : [];
    call(client, message.id, message.channel, args).catch((error: unknown) => reportInternal(message.channel, error));
  };

  const accept = (socket: WebSocket, tokenInUrl: boolean): void => {
    const client: Client = { socket, authenticated: false, lastId: 0, helloTimer: null };
    clients.add(client);
    socket.on('message', (data, isBinary) => receive(client, data, isBinary));
    socket.on('close', () => {
      if (client.helloTimer !== null) clearTimeout(client.helloTimer);
      client.helloTimer = null;
      clients.delete(client);
    });
    socket.on('error', () => socket.terminate());
    if (tokenInUrl) authenticate(client);
    else client.helloTimer = setTimeout(() => socket.close(closeCodes.helloTimeout, 'no hello'), helloTimeoutMs);
  };

  const server = createServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
    response.end('TeraSync IPC bridge: WebSocket only.\n');
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes ?? 4 * 1024 * 1024 });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (closing) {
      refuseUpgrade(socket, '503 Service Unavailable');
      return;
    }
    const urlToken = new URL(request.url ?? '/', 'ws://127.0.0.1').searchParams.get('token');
    if (urlToken !== null && !tokenMatches(urlToken)) {
      refuseUpgrade(socket, '401 Unauthorized');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (webSocket) => accept(webSocket, urlToken !== null));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const emit = <E extends IpcEventName>(event: E, payload: IpcEventPayload<E>): Result<IpcEventPayload<E>> => {
    const result = validateEvent(event, payload);
    if (!result.ok) {
      reportInternal(event, new Error(result.error.message));
      return result;
    }
    for (const client of clients) {
      if (client.authenticated) send(client, { type: 'event', event, payload: result.value });
    }
    return result;
  };

  const subscription = options.events?.subscribe((message) => {
    emit(message.event, message.payload);
  });

  return {
    url: `ws://127.0.0.1:${port}/`,
    token,
    emit,
    get clientCount() {
      return [...clients].filter((client) => client.authenticated).length;
    },
    async close() {
      if (closing) return;
      closing = true;
      subscription?.dispose();
      for (const client of clients) {
        if (client.helloTimer !== null) clearTimeout(client.helloTimer);
        client.helloTimer = null;
        client.socket.close(closeCodes.goingAway, 'the bridge is closing');
        // Without waiting for the closing handshake: the port must be free when close() resolves.
        client.socket.terminate();
      }
      clients.clear();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
