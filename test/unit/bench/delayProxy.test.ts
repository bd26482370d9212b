import { once } from 'node:events';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startDelayProxy, type DelayProxy } from '../../../bench/delayProxy.js';

/**
 * The benchmark's far server. No upper bounds on time here (a busy machine makes anything
 * slower): only that the delay is at least what was asked, that bytes arrive unchanged and in
 * order both ways, and that an end or a reset reaches the other side.
 */

interface Upstream {
  port: number;
  /** Sockets the proxy opened to us, in order. */
  accepted: net.Socket[];
  nextSocket(): Promise<net.Socket>;
  close(): Promise<void>;
}

async function startUpstream(onSocket: (socket: net.Socket) => void = () => undefined): Promise<Upstream> {
  const accepted: net.Socket[] = [];
  const waiters: Array<(socket: net.Socket) => void> = [];
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    accepted.push(socket);
    socket.on('error', () => undefined);
    onSocket(socket);
    waiters.shift()?.(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    accepted,
    nextSocket: () => new Promise((resolve) => waiters.push(resolve)),
    close: () => {
      for (const socket of accepted) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function connect(proxy: DelayProxy): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port: proxy.port, allowHalfOpen: true });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

function collect(socket: net.Socket): { bytes: () => Buffer; ended: Promise<void> } {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { bytes: () => Buffer.concat(chunks), ended: once(socket, 'end').then(() => undefined) };
}

/**
 * Timers can fire within a millisecond before their due time as performance.now() sees it
 * (libuv rounds its loop clock to whole ms), so "at least the delay" allows that one ms.
 */
const CLOCK_GRAIN_MS = 1;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function setUp(rtt: number, onSocket?: (socket: net.Socket) => void): Promise<{ proxy: DelayProxy; upstream: Upstream }> {
  const upstream = await startUpstream(onSocket);
  cleanups.push(() => upstream.close());
  const proxy = await startDelayProxy({ port: upstream.port }, rtt);
  cleanups.push(() => proxy.close());
  return { proxy, upstream };
}

describe('delay proxy', () => {
  it('passes many chunks both ways unchanged and in order', async () => {
    // An echo server: whatever the proxy sends up comes back down through it.
    const { proxy } = await setUp(10, (socket) => socket.pipe(socket));
    const client = await connect(proxy);
    const received = collect(client);
    const sent: Buffer[] = [];
    for (let index = 0; index < 300; index += 1) {
      const chunk = randomBytes(1 + ((index * 7919) % 20_000));
      sent.push(chunk);
      client.write(chunk);
      // Spread over several timer turns, so chunks are held with different due times.
      if (index % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 3));
    }
    client.end();
    await received.ended;
    expect(received.bytes().equals(Buffer.concat(sent))).toBe(true);
    expect(proxy.connections).toBe(1);
  });

  it('holds each direction at least half the round trip', async () => {
    const rtt = 80;
    const { proxy, upstream } = await setUp(rtt);
    const client = await connect(proxy);
    const server = await upstream.nextSocket();

    const up = once(server, 'data');
    const sentUp = performance.now();
    client.write('ping');
    const [upChunk] = (await up) as [Buffer];
    const upMs = performance.now() - sentUp;
    expect(upChunk.toString()).toBe('ping');
    expect(upMs).toBeGreaterThanOrEqual(rtt / 2 - CLOCK_GRAIN_MS);

    const down = once(client, 'data');
    const sentDown = performance.now();
    server.write('pong');
    const [downChunk] = (await down) as [Buffer];
    const downMs = performance.now() - sentDown;
    expect(downChunk.toString()).toBe('pong');
    expect(downMs).toBeGreaterThanOrEqual(rtt / 2 - CLOCK_GRAIN_MS);
  });

  it('applies a changed round trip to what arrives afterwards', async () => {
    const { proxy } = await setUp(0, (socket) => socket.pipe(socket));
    const client = await connect(proxy);
    proxy.setRtt(120);
    expect(proxy.rtt).toBe(120);
    const back = once(client, 'data');
    const sent = performance.now();
    client.write('x');
    await back;
    expect(performance.now() - sent).toBeGreaterThanOrEqual(120 - 2 * CLOCK_GRAIN_MS);
    expect(() => proxy.setRtt(-1)).toThrow(/0 or more/);
  });

  it('passes an end on after the data before it, each way, and half-closed connections keep working', async () => {
    const { proxy, upstream } = await setUp(20);
    const client = await connect(proxy);
    const server = await upstream.nextSocket();
    const atServer = collect(server);
    const atClient = collect(client);

    client.end('last words');
    await atServer.ended;
    expect(atServer.bytes().toString()).toBe('last words');
    // The other direction is still open after the client's FIN.
    server.end('the answer');
    await atClient.ended;
    expect(atClient.bytes().toString()).toBe('the answer');
    await once(client, 'close');
  });

  it('passes a reset on as a reset', async () => {
    const { proxy, upstream } = await setUp(20);
    const client = await connect(proxy);
    const server = await upstream.nextSocket();
    const errored = new Promise<NodeJS.ErrnoException>((resolve) => client.once('error', resolve));
    server.resetAndDestroy();
    const error = await errored;
    expect(error.code).toBe('ECONNRESET');
    await once(client, 'close');
  });

  it('resets the client when the target refuses the connection', async () => {
    const { proxy, upstream } = await setUp(0);
    await upstream.close();
    const client = net.connect({ host: '127.0.0.1', port: proxy.port });
    const closed = new Promise<boolean>((resolve) => client.once('close', resolve));
    client.on('error', () => undefined);
    expect(await closed).toBe(true);
  });
});
