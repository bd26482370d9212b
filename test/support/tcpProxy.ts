/**
 * A loopback TCP forwarder to put between the app and a server, for tests of going offline and
 * coming back: `cut()` drops every open connection (reset, as a dropped network does to a
 * transfer in flight) and refuses new ones, `restore()` lets them through again. The port stays
 * the same throughout, so the app keeps its address and notices nothing but the outage.
 */
import net from 'node:net';

export interface TcpProxy {
  /** The loopback port the app connects to. */
  port: number;
  /** `http://127.0.0.1:<port>`: the target's origin as seen through the proxy. */
  origin: string;
  /** Connections accepted and passed through so far (a refused one not counted). */
  readonly forwarded: number;
  /** True while cut. */
  readonly isCut: boolean;
  /** Drops every open connection and refuses new ones until restore(). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host?: string; port: number }): Promise<TcpProxy> {
  const host = target.host ?? '127.0.0.1';
  const open = new Set<net.Socket>();
  let cut = false;
  let forwarded = 0;

  const drop = (socket: net.Socket): void => {
    // A reset, not a polite end: what the other side sees when the network goes.
    if (!socket.destroyed) socket.resetAndDestroy();
  };

  const server = net.createServer((client) => {
    if (cut) {
      drop(client);
      return;
    }
    forwarded++;
    const upstream = net.connect({ host, port: target.port });
    open.add(client);
    open.add(upstream);
    const forget = (): void => {
      open.delete(client);
      open.delete(upstream);
    };
    client.on('close', () => {
      forget();
      drop(upstream);
    });
    upstream.on('close', () => {
      forget();
      drop(client);
    });
    client.on('error', () => drop(upstream));
    upstream.on('error', () => drop(client));
    client.pipe(upstream);
    upstream.pipe(client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  const port = address.port;

  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    get forwarded() {
      return forwarded;
    },
    get isCut() {
      return cut;
    },
    cut() {
      cut = true;
      for (const socket of [...open]) drop(socket);
      open.clear();
    },
    restore() {
      cut = false;
    },
    close() {
      cut = true;
      for (const socket of [...open]) drop(socket);
      open.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
