/**
 * A far server on loopback: a TCP forwarder that holds every chunk for half the round-trip
 * time in each direction before passing it on, so that every request costs one round trip
 * more than on loopback, as it does against a server 50 or 200 ms away. It only delays: the
 * bytes go through unchanged and in order (TLS passes through untouched), chunks are not held
 * back behind each other (a chunk is sent when its own time has come, so the bandwidth stays
 * what loopback gives), and a close or a reset of one side reaches the other after the same
 * delay as the data before it.
 *
 * The delay can be changed while connections are open (`setRtt`): the benchmark sets up its
 * synced pairs at 0 and measures at the row's round trip, through the same address.
 */
import net from 'node:net';

export interface DelayProxy {
  /** The loopback port to connect to instead of the target's. */
  readonly port: number;
  /** The round trip added, in ms (half of it each way). */
  readonly rtt: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Changes the added round trip; applies to every chunk that arrives from now on. */
  setRtt(ms: number): void;
  /** Stops accepting and drops open connections. */
  close(): Promise<void>;
}

/** Pauses the source while more than this many bytes wait for their time in one direction. */
const HIGH_WATER_BYTES = 64 * 1024 * 1024;

interface Held {
  chunk: Buffer | null;
  due: number;
}

/**
 * Forwards `from` to `to`, each chunk `delayMs()` after it arrived; the end of `from` (its
 * FIN) is passed on as `to.end()` after the same delay, an error or reset as a destroy.
 */
function forward(from: net.Socket, to: net.Socket, delayMs: () => number): void {
  const queue: Held[] = [];
  let queued = 0;
  let timer: NodeJS.Timeout | undefined;
  let waitingForDrain = false;

  const flush = (): void => {
    timer = undefined;
    if (waitingForDrain || to.destroyed) return;
    const now = performance.now();
    while (queue.length > 0 && (queue[0] as Held).due <= now) {
      const { chunk } = queue.shift() as Held;
      if (chunk === null) {
        to.end();
        return;
      }
      queued -= chunk.length;
      if (!to.write(chunk)) {
        waitingForDrain = true;
        to.once('drain', () => {
          waitingForDrain = false;
          flush();
        });
        break;
      }
    }
    if (queued < HIGH_WATER_BYTES && from.isPaused() && !from.destroyed) from.resume();
    schedule();
  };
  const schedule = (): void => {
    if (timer !== undefined || waitingForDrain || queue.length === 0) return;
    timer = setTimeout(flush, Math.max(0, (queue[0] as Held).due - performance.now()));
  };
  const hold = (chunk: Buffer | null): void => {
    queue.push({ chunk, due: performance.now() + delayMs() });
    if (chunk !== null) {
      queued += chunk.length;
      if (queued >= HIGH_WATER_BYTES) from.pause();
    }
    schedule();
  };

  from.on('data', (chunk: Buffer) => hold(chunk));
  from.on('end', () => hold(null));
  from.on('close', (hadError) => {
    // A reset (or an error) reaches the other side after the data that came before it.
    if (!hadError) return;
    const due = performance.now() + delayMs();
    setTimeout(() => to.resetAndDestroy(), Math.max(0, due - performance.now()));
  });
}

export async function startDelayProxy(target: { host?: string; port: number }, rttMs = 0): Promise<DelayProxy> {
  const host = target.host ?? '127.0.0.1';
  let rtt = rttMs;
  let connections = 0;
  const open = new Set<net.Socket>();
  const oneWay = (): number => rtt / 2;

  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    connections += 1;
    const upstream = net.connect({ host, port: target.port, allowHalfOpen: true, noDelay: true });
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => {
        open.delete(socket);
      });
      // Errors end up as a 'close' with hadError, which forward() passes on.
      socket.on('error', () => undefined);
    }
    forward(client, upstream, oneWay);
    forward(upstream, client, oneWay);
    // Both directions ended: nothing more to pass, the sockets can go.
    const closeWhenDone = (a: net.Socket, b: net.Socket): void => {
      a.on('finish', () => {
        if (b.writableFinished) {
          a.destroy();
          b.destroy();
        }
      });
    };
    closeWhenDone(client, upstream);
    closeWhenDone(upstream, client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the delay proxy has no port');
  const port = address.port;

  return {
    port,
    get rtt() {
      return rtt;
    },
    get connections() {
      return connections;
    },
    setRtt(ms: number) {
      if (!Number.isFinite(ms) || ms < 0) throw new Error(`the round trip must be 0 or more ms (got ${ms})`);
      rtt = ms;
    },
    close() {
      for (const socket of [...open]) socket.destroy();
      open.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
