import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { IpcEventHub } from '../../../../electron/app/IpcEventHub.js';
import { createBridgeApi, createBridgeClient, type BridgeClient, type BridgeSocketConstructor } from '../../../../dev/ipcBridge/browserClient.js';
import { closeCodes } from '../../../../dev/ipcBridge/protocol.js';
import { startIpcBridge, type IpcBridge, type IpcBridgeOptions } from '../../../../dev/ipcBridge/startIpcBridge.js';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import type { PairView } from '../../../../shared/types.js';
import { fakeHandlers, sampleOverview, samplePair, samplePairStatus, sampleSettings } from '../../../support/ipc.js';

const NodeWebSocket = WebSocket as unknown as BridgeSocketConstructor;

const bridges: IpcBridge[] = [];
const clients: BridgeClient[] = [];
const rawSockets: WebSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const socket of rawSockets.splice(0)) socket.terminate();
  await Promise.all(bridges.splice(0).map((bridge) => bridge.close()));
  vi.unstubAllGlobals();
});

async function start(options: Partial<IpcBridgeOptions> = {}): Promise<IpcBridge> {
  const bridge = await startIpcBridge({ handlers: fakeHandlers(), ...options });
  bridges.push(bridge);
  return bridge;
}

function connect(bridge: IpcBridge, token = bridge.token): BridgeClient {
  const client = createBridgeClient(bridge.url, token, { WebSocket: NodeWebSocket });
  clients.push(client);
  return client;
}

/** A WebSocket speaking the protocol by hand: its messages in order, and how it closed. */
interface RawSocket {
  socket: WebSocket;
  opened: Promise<void>;
  next(): Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
}

function openRaw(url: string): RawSocket {
  const socket = new WebSocket(url);
  // How it ended is in `closed`.
  socket.on('error', () => undefined);
  rawSockets.push(socket);
  const received: Array<Record<string, unknown>> = [];
  const waiting: Array<(message: Record<string, unknown>) => void> = [];
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else received.push(message);
  });
  return {
    socket,
    opened: new Promise((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    }),
    next: () => {
      const message = received.shift();
      return message ? Promise.resolve(message) : new Promise((resolve) => waiting.push(resolve));
    },
    closed: new Promise((resolve) => socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString('utf8') }))),
    send: (message) => socket.send(JSON.stringify(message)),
  };
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

describe('the IPC bridge', () => {
  it('listens on 127.0.0.1 only, with a long random token', async () => {
    const bridge = await start();
    expect(bridge.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    expect(bridge.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const other = await start();
    expect(other.token).not.toBe(bridge.token);
  });

  it('round-trips a call through the handlers', async () => {
    const seen: unknown[] = [];
    const bridge = await start({
      handlers: fakeHandlers({
        'pairs:add': (request) => {
          seen.push(request);
          return Promise.resolve({ ...samplePair(), ...request });
        },
      }),
    });
    const { api } = connect(bridge);
    expect(await api.getOverview()).toEqual({ ok: true, value: sampleOverview() });
    expect(await api.addPair({ localFolder: '/home/alice/Sync', remoteFolder: 'Sync' })).toEqual({
      ok: true,
      value: { ...samplePair(), localFolder: '/home/alice/Sync', remoteFolder: 'Sync' },
    });
    expect(seen).toEqual([{ localFolder: '/home/alice/Sync', remoteFolder: 'Sync' }]);
    expect(await api.syncPairNow({ id: 'pair-1' })).toEqual({ ok: true, value: undefined });
    expect(bridge.clientCount).toBe(1);
  });

  it('answers a bad payload with the validation error, without running the handler', async () => {
    let ran = false;
    const bridge = await start({
      handlers: fakeHandlers({
        'restore:run': () => {
          ran = true;
          throw new Error('must not run');
        },
      }),
    });
    const { api } = connect(bridge);
    expect(await api.runRestore({ source: 'Photos', to: 'relative' })).toEqual({
      ok: false,
      error: { code: ErrorCode.InvalidRequest, message: 'Invalid restore:run request: to: expected an absolute path' },
    });
    expect(await (api.getSettings as (request: unknown) => Promise<unknown>)({ sneaky: true })).toEqual({
      ok: false,
      error: { code: ErrorCode.InvalidRequest, message: 'Invalid settings:get request: expected no payload' },
    });
    expect(ran).toBe(false);
  });

  it('answers errors as Results: coded ones as they are, others generic', async () => {
    const internal: unknown[] = [];
    const bridge = await start({
      handlers: fakeHandlers({
        'pairs:pause': () => Promise.reject(new TeraSyncError(ErrorCode.NotFound, 'There is no such pair.')),
        'account:get': () => Promise.reject(new Error('token abc123 expired')),
      }),
      onInternalError: (what, error) => internal.push([what, error]),
    });
    const { api } = connect(bridge);
    expect(await api.pausePair({ id: 'gone' })).toEqual({ ok: false, error: { code: ErrorCode.NotFound, message: 'There is no such pair.' } });
    const result = await api.getAccount();
    expect(!result.ok && result.error.code).toBe(ErrorCode.Internal);
    expect(JSON.stringify(result)).not.toContain('abc123');
    expect(internal).toHaveLength(1);
  });

  it('refuses a client with the wrong token in its hello, and runs nothing for it', async () => {
    let ran = false;
    const bridge = await start({
      handlers: fakeHandlers({
        'app:getOverview': () => {
          ran = true;
          return Promise.resolve(sampleOverview());
        },
      }),
    });
    const client = connect(bridge, 'wrong-token');
    expect(await client.api.getOverview()).toEqual({ ok: false, error: { code: ErrorCode.Forbidden, message: 'The IPC bridge refused the token.' } });
    await expect(client.ready).rejects.toThrow('refused the token');
    expect(await client.api.listPairs()).toEqual({ ok: false, error: { code: ErrorCode.Forbidden, message: 'The IPC bridge refused the token.' } });
    expect(ran).toBe(false);
    expect(bridge.clientCount).toBe(0);
  });

  it('refuses a client that calls without saying hello', async () => {
    const bridge = await start();
    const raw = openRaw(bridge.url);
    await raw.opened;
    raw.send({ type: 'call', id: 1, channel: 'app:getOverview' });
    expect(await raw.closed).toEqual({ code: closeCodes.unauthorized, reason: 'unauthorized' });
  });

  it('refuses a wrong token in the URL before the upgrade, and accepts the right one', async () => {
    const bridge = await start();
    const refused = new WebSocket(`${bridge.url}?token=wrong`);
    // Ended by afterEach while it never opened: ws reports that as an error.
    refused.on('error', () => undefined);
    rawSockets.push(refused);
    const status = await new Promise<number | undefined>((resolve) => {
      refused.once('unexpected-response', (_request, response) => resolve(response.statusCode));
    });
    expect(status).toBe(401);

    const raw = openRaw(`${bridge.url}?token=${bridge.token}`);
    expect(await raw.next()).toEqual({ type: 'ready' });
    raw.send({ type: 'call', id: 1, channel: 'settings:get' });
    expect(await raw.next()).toEqual({ type: 'result', id: 1, result: { ok: true, value: sampleSettings() } });
  });

  it('closes a client that does not say hello in time', async () => {
    const bridge = await start({ helloTimeoutMs: 1 });
    const raw = openRaw(bridge.url);
    expect(await raw.closed).toEqual({ code: closeCodes.helloTimeout, reason: 'no hello' });
  });

  it('answers plain HTTP with 426', async () => {
    const bridge = await start();
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest(bridge.url.replace('ws:', 'http:'), (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(426);
  });

  it('pushes events to every client that showed the token, validated', async () => {
    const bridge = await start();
    const first = connect(bridge);
    const second = connect(bridge);
    await Promise.all([first.ready, second.ready]);
    const heardFirst = deferred<unknown>();
    const heardSecond = deferred<unknown>();
    first.api.onStatusChanged((payload) => heardFirst.resolve(payload));
    second.api.onStatusChanged((payload) => heardSecond.resolve(payload));
    expect(bridge.emit('status:changed', { ...samplePairStatus(), secret: 'x' } as never).ok).toBe(false);
    expect(bridge.emit('status:changed', samplePairStatus()).ok).toBe(true);
    expect(await heardFirst.promise).toEqual(samplePairStatus());
    expect(await heardSecond.promise).toEqual(samplePairStatus());
  });

  it('sends no event to a client before it showed the token', async () => {
    const bridge = await start();
    const raw = openRaw(bridge.url);
    await raw.opened;
    const client = connect(bridge);
    await client.ready;
    const heard = deferred<unknown>();
    client.api.onAccountChanged((payload) => heard.resolve(payload));
    bridge.emit('account:changed', null);
    expect(await heard.promise).toBeNull();
    // Messages keep their order on a connection: an event sent to the raw socket would come first.
    raw.send({ type: 'hello', token: bridge.token });
    expect(await raw.next()).toEqual({ type: 'ready' });
  });

  it('forwards the events of an event source, and stops at close', async () => {
    const hub = new IpcEventHub();
    const bridge = await start({ events: hub });
    const client = connect(bridge);
    await client.ready;
    const heard = deferred<unknown>();
    const unsubscribe = client.api.onSettingsChanged((payload) => heard.resolve(payload));
    hub.emit('settings:changed', sampleSettings());
    expect(await heard.promise).toEqual(sampleSettings());
    unsubscribe();
    expect(hub.listenerCount).toBe(1);
    await bridge.close();
    expect(hub.listenerCount).toBe(0);
  });

  it('keeps concurrent calls apart by id, whatever order they finish in', async () => {
    const started = new Map<string, { resolve: (value: PairView) => void }>();
    const allStarted = deferred<undefined>();
    const bridge = await start({
      handlers: fakeHandlers({
        'pairs:pause': ({ id }) => {
          const answer = deferred<PairView>();
          started.set(id, answer);
          if (started.size === 3) allStarted.resolve(undefined);
          return answer.promise;
        },
      }),
    });
    const { api } = connect(bridge);
    const calls = ['a', 'b', 'c'].map((id) => api.pausePair({ id }));
    await allStarted.promise;
    for (const id of ['c', 'a', 'b']) started.get(id)!.resolve({ ...samplePair(), id, paused: true });
    const results = await Promise.all(calls);
    expect(results.map((result) => result.ok && result.value.id)).toEqual(['a', 'b', 'c']);
  });

  it('runs a handler once per request id, and drops a client that reuses one', async () => {
    let runs = 0;
    const bridge = await start({
      handlers: fakeHandlers({
        'pairs:syncNow': () => {
          runs += 1;
          return Promise.resolve(undefined);
        },
      }),
    });
    const raw = openRaw(`${bridge.url}?token=${bridge.token}`);
    expect(await raw.next()).toEqual({ type: 'ready' });
    raw.send({ type: 'call', id: 5, channel: 'pairs:syncNow', payload: { id: 'pair-1' } });
    expect(await raw.next()).toEqual({ type: 'result', id: 5, result: { ok: true } });
    raw.send({ type: 'call', id: 5, channel: 'pairs:syncNow', payload: { id: 'pair-1' } });
    expect(await raw.closed).toEqual({ code: closeCodes.protocolError, reason: 'request id 5 was not higher than 5' });
    expect(runs).toBe(1);
  });

  it('answers a malformed call by its id, and drops a client that sends what is not a message', async () => {
    const bridge = await start();
    const raw = openRaw(`${bridge.url}?token=${bridge.token}`);
    expect(await raw.next()).toEqual({ type: 'ready' });
    raw.send({ type: 'call', id: 1, channel: 'fs:readFile', payload: { path: '/etc/passwd' } });
    expect(await raw.next()).toEqual({ type: 'result', id: 1, result: { ok: false, error: { code: ErrorCode.InvalidRequest, message: 'Unknown channel.' } } });
    raw.send({ type: 'call', id: 2, channel: 'app:getOverview', extra: 1 });
    expect(await raw.next()).toMatchObject({ type: 'result', id: 2, result: { ok: false, error: { code: ErrorCode.InvalidRequest } } });
    raw.socket.send('{not json');
    expect(await raw.closed).toEqual({ code: closeCodes.protocolError, reason: 'not JSON' });
  });

  it('frees the port on close, and answers what was waiting with a Network error', async () => {
    const never = deferred<PairView>();
    const bridge = await start({ handlers: fakeHandlers({ 'pairs:resume': () => never.promise }) });
    const client = connect(bridge);
    await client.ready;
    const waiting = client.api.resumePair({ id: 'pair-1' });
    const port = Number(new URL(bridge.url).port);
    await bridge.close();
    await bridge.close();
    const result = await waiting;
    expect(!result.ok && result.error.code).toBe(ErrorCode.Network);
    expect((await client.api.listPairs()).ok).toBe(false);

    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const again = await start({ port });
    expect(again.url).toBe(bridge.url);
  });

  it('answers a Network error once the client itself is closed', async () => {
    const bridge = await start();
    const client = connect(bridge);
    await client.ready;
    client.close();
    expect(await client.api.getStatus()).toEqual({ ok: false, error: { code: ErrorCode.Network, message: 'The IPC bridge client was closed.' } });
  });

  it("uses the page's own WebSocket when given none", async () => {
    vi.stubGlobal('WebSocket', WebSocket);
    const bridge = await start();
    const api = createBridgeApi(bridge.url, bridge.token);
    expect(await api.getOverview()).toEqual({ ok: true, value: sampleOverview() });
    // The connection is ended by the bridge's close in afterEach.
  });
});
