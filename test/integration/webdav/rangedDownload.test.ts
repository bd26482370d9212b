/**
 * Large downloads as parallel ranges (DownloadOptions.positional) against real servers: the
 * in-process webdav-server (with the harness's Apache-like ETag / If-Range) and Apache httpd +
 * mod_dav, and both behind a proxy that makes them ignore Range or answer short ranges
 * (test/support/rangeProxy.ts). Apache serves plain HTTP here so that the proxy can read the
 * requests; the sync tests (test/integration/sync/largeFiles.test.ts) download in ranges from
 * Apache over HTTPS.
 *
 * The store is set to fetch any file in ranges of 64 KiB, so a file of 1 MiB is 16 ranges, and
 * the target file can hold its writes back (a gate) to see how many streams write at once or
 * to change the file on the server between ranges. A scripted server (hostileServer.ts) drops
 * a range midway and answers a range that was not asked for.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rename, rm, utimes, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import { isStrongEtag } from '../../../shared/etag.js';
import type { PositionalFile } from '../../../electron/sync/ports.js';
import { WebDavRemoteStore, type RangedDownloadOptions } from '../../../electron/webdav/WebDavRemoteStore.js';
import { apacheAvailable, startApache } from '../../support/apache.js';
import { startRangeProxy, type RangeProxy, type RangeProxyMode } from '../../support/rangeProxy.js';
import { startHostileServer, type HostileServer, type ScriptedAnswer } from '../../support/hostileServer.js';
import { requireSystemTool } from '../../support/requirements.js';
import { until } from '../../support/until.js';
import { startWebDavServer } from '../../support/webdavServer.js';

const apache = requireSystemTool('apache2', apacheAvailable(), 'apache2 openssl');

const PIECE = 64 * 1024;
const RANGES: RangedDownloadOptions = { streams: 4, minBytes: 1, chunkBytes: PIECE };

interface Server {
  /** Origin (no trailing slash) and the path of the WebDAV area below it, ending in '/'. */
  origin: string;
  davPath: string;
  user: string;
  password: string;
  dataDir: string;
  /** Statuses of the GETs under `folder`, in the order the server finished them. */
  getStatuses(folder: string, atLeast: number): Promise<number[]>;
  grantServerAccess(): Promise<void>;
  stop(): Promise<void>;
}

const kinds: Array<{ name: string; skip: boolean; start(): Promise<Server> }> = [
  {
    name: 'webdav-server (in-process)',
    skip: false,
    async start() {
      const server = await startWebDavServer();
      const gets = (folder: string) =>
        server.requests.filter((request) => request.method === 'GET' && decodeURIComponent(request.path).startsWith(`/${folder}/`));
      return {
        origin: server.url.replace(/\/$/, ''),
        davPath: '/',
        user: server.user,
        password: server.password,
        dataDir: server.dataDir,
        async getStatuses(folder, atLeast) {
          await until(`${atLeast} answered GETs`, () => gets(folder).filter((request) => request.status !== undefined).length >= atLeast, { timeoutMs: 5_000, intervalMs: 10 });
          return gets(folder).map((request) => request.status ?? 0);
        },
        grantServerAccess: async () => undefined,
        stop: () => server.stop(),
      };
    },
  },
  {
    name: 'Apache mod_dav',
    skip: apache.skip,
    async start() {
      apache.assertAvailable();
      const server = await startApache({ https: false });
      const url = new URL(server.url);
      return {
        origin: url.origin,
        davPath: url.pathname,
        user: server.user,
        password: server.password,
        dataDir: server.dataDir,
        async getStatuses(folder, atLeast) {
          const lines = await server.accessLog(
            (all) => all.filter((line) => line.method === 'GET' && line.path.startsWith(`${url.pathname}${folder}/`)).length >= atLeast,
          );
          return lines.filter((line) => line.method === 'GET' && line.path.startsWith(`${url.pathname}${folder}/`)).map((line) => line.status);
        },
        grantServerAccess: () => server.grantServerAccess(),
        stop: () => server.stop(),
      };
    },
  },
];

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A destination stream that must stay unused when the ranges write into the file. */
function unusedStream(): { stream: Writable; written: () => number } {
  let written = 0;
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.length;
        callback();
      },
    }),
    written: () => written,
  };
}

/**
 * The target file, whose writes can be held back: while `hold` is set, each write waits until
 * `release()`. Counts the writes waiting at once.
 */
function gated(handle: FileHandle): { file: PositionalFile; waiting: () => number; maxWaiting: () => number; hold: () => void; release: () => void; firstWrite: Promise<void> } {
  let holding = false;
  let waiting = 0;
  let maxWaiting = 0;
  let opened: Promise<void> = Promise.resolve();
  let openGate: () => void = () => undefined;
  let sawWrite: () => void = () => undefined;
  const firstWrite = new Promise<void>((resolve) => (sawWrite = resolve));
  return {
    file: {
      async write(buffer, offset, length, position) {
        sawWrite();
        if (holding) {
          waiting += 1;
          maxWaiting = Math.max(maxWaiting, waiting);
          await opened;
          waiting -= 1;
        }
        return handle.write(buffer, offset, length, position);
      },
      read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
      truncate: (length) => handle.truncate(length),
    },
    waiting: () => waiting,
    maxWaiting: () => maxWaiting,
    hold() {
      holding = true;
      opened = new Promise((resolve) => (openGate = resolve));
    },
    release() {
      holding = false;
      openGate();
    },
    firstWrite,
  };
}

describe.each(kinds)('parallel ranged downloads against $name', (kind) => {
  let server: Server;
  let work: string;
  let folder: string;
  let count = 0;
  const stores: WebDavRemoteStore[] = [];
  const proxies: RangeProxy[] = [];
  const handles: FileHandle[] = [];

  beforeAll(async () => {
    if (kind.skip) return;
    server = await kind.start();
    work = await mkdtemp(join(tmpdir(), 'terasync-ranged-'));
  });

  afterAll(async () => {
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  beforeEach(async () => {
    if (kind.skip) return;
    count += 1;
    folder = `Ranged ${count}`;
    const admin = storeAt(server.origin);
    await admin.createFolder(folder);
  });

  afterEach(async () => {
    for (const handle of handles.splice(0)) await handle.close().catch(() => undefined);
    for (const store of stores.splice(0)) await store.dispose();
    for (const proxy of proxies.splice(0)) await proxy.stop();
  });

  function storeAt(origin: string, options: { folder?: string; concurrency?: number; ranges?: RangedDownloadOptions } = {}): WebDavRemoteStore {
    const store = new WebDavRemoteStore({
      url: `${origin}${server.davPath}${options.folder === undefined ? '' : `${encodeURIComponent(options.folder)}/`}`,
      auth: { kind: 'basic', user: server.user, password: server.password },
      concurrency: options.concurrency,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
      rangedDownloads: options.ranges ?? RANGES,
    });
    stores.push(store);
    return store;
  }

  async function proxied(mode: RangeProxyMode): Promise<string> {
    const proxy = await startRangeProxy(server.origin, mode);
    proxies.push(proxy);
    return proxy.origin;
  }

  /** Puts `content` as `name`, ages it (so both servers give a strong ETag) and returns that tag. */
  async function put(name: string, content: Buffer, when = '2024-01-01T00:00:00Z'): Promise<string> {
    const store = storeAt(server.origin, { folder });
    await store.upload(name, () => Readable.from([content]), content.length);
    await utimes(join(server.dataDir, folder, name), new Date(when), new Date(when));
    const etag = (await store.stat(name))?.etag ?? null;
    expect(isStrongEtag(etag)).toBe(true);
    return etag!;
  }

  /** Replaces the server's file the way a PUT does (a new file renamed over it), with another mtime. */
  async function replaceOnServer(name: string, content: Buffer, when: string): Promise<void> {
    const temporary = join(server.dataDir, folder, '.replacement');
    await writeFile(temporary, content);
    await utimes(temporary, new Date(when), new Date(when));
    await rename(temporary, join(server.dataDir, folder, name));
    await server.grantServerAccess();
  }

  async function target(name: string): Promise<{ path: string; handle: FileHandle }> {
    const path = join(work, `${count}-${name}`);
    const handle = await open(path, 'wx+');
    handles.push(handle);
    return { path, handle };
  }

  it.skipIf(kind.skip)('a large file comes as ranges, four at once, written into one file that lands exact', async () => {
    const content = randomBytes(16 * PIECE);
    const etag = await put('big.bin', content);
    const { path, handle } = await target('big.bin');
    const gate = gated(handle);
    gate.hold();
    const destination = unusedStream();
    const store = storeAt(server.origin, { folder });
    const starts: Array<string | null> = [];
    const download = store.download('big.bin', destination.stream, {
      positional: { file: gate.file, size: content.length, etag },
      onStart: (start) => starts.push(start.etag),
    });
    // The first range goes out alone; once it is a good 206, three more join it.
    await until('four streams writing at once', () => gate.waiting() === 4, { timeoutMs: 10_000, intervalMs: 5 });
    gate.release();
    const result = await download;

    expect(result).toEqual({ size: content.length, hash: sha256(content), etag, resumed: false, offset: 0 });
    expect(gate.maxWaiting()).toBe(4);
    expect(starts).toEqual([etag]);
    expect(destination.written()).toBe(0);
    expect((await readFile(path)).equals(content)).toBe(true);
    expect(await server.getStatuses(folder, 16)).toEqual(Array.from({ length: 16 }, () => 206));
  });

  it.skipIf(kind.skip)('a weak ETag: one stream without Range, into the destination stream', async () => {
    const content = randomBytes(4 * PIECE);
    const etag = await put('weak.bin', content);
    const { path, handle } = await target('weak.bin');
    const chunks: Buffer[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    const result = await storeAt(server.origin, { folder }).download('weak.bin', destination, {
      positional: { file: handle, size: content.length, etag: `W/${etag}` },
    });
    expect(result.hash).toBe(sha256(content));
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
    expect((await readFile(path)).length).toBe(0);
    expect(await server.getStatuses(folder, 1)).toEqual([200]);
  });

  it.skipIf(kind.skip)('the file changes between ranges: the new version whole from one stream, never spliced', async () => {
    const first = randomBytes(16 * PIECE);
    const etag = await put('doc.bin', first);
    const second = randomBytes(12 * PIECE + 123);
    const { path, handle } = await target('doc.bin');
    const gate = gated(handle);
    gate.hold();
    const store = storeAt(server.origin, { folder });
    const starts: Array<string | null> = [];
    const download = store.download('doc.bin', unusedStream().stream, {
      positional: { file: gate.file, size: first.length, etag },
      onStart: (start) => starts.push(start.etag),
    });
    // The first ranges are answered (their bytes wait at the gate); then the file changes, so
    // the ranges asked for next find another ETag and get the whole new file (200).
    await until('four streams writing at once', () => gate.waiting() === 4, { timeoutMs: 10_000, intervalMs: 5 });
    await replaceOnServer('doc.bin', second, '2024-02-01T00:00:00Z');
    const newTag = (await store.stat('doc.bin'))?.etag;
    expect(newTag).not.toBe(etag);
    gate.release();
    const result = await download;

    expect(result).toEqual({ size: second.length, hash: sha256(second), etag: newTag, resumed: false, offset: 0 });
    expect((await readFile(path)).equals(second)).toBe(true);
    // The last onStart names the version that was written.
    expect(starts).toEqual([etag, newTag]);
    // Four ranges of the old version (thrown away), then 200s: several streams may ask at
    // once; the first 200 is written, the others are dropped.
    const statuses = await server.getStatuses(folder, 5);
    expect(statuses.filter((status) => status === 206)).toHaveLength(4);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(1);
    // (0: a dropped 200 whose answer the in-process server never finished.)
    expect(statuses.filter((status) => ![200, 206, 0].includes(status))).toEqual([]);
  });

  it.skipIf(kind.skip)('a server that ignores Range (200 to a ranged request): the whole file from that answer', async () => {
    const content = randomBytes(8 * PIECE + 7);
    const etag = await put('plain.bin', content);
    const origin = await proxied('ignore-range');
    const { path, handle } = await target('plain.bin');
    const destination = unusedStream();
    const result = await storeAt(origin, { folder }).download('plain.bin', destination.stream, {
      positional: { file: handle, size: content.length, etag },
    });
    expect(result).toMatchObject({ size: content.length, hash: sha256(content), resumed: false, offset: 0 });
    expect((await readFile(path)).equals(content)).toBe(true);
    expect(destination.written()).toBe(0);
    // One request: the other streams never started.
    expect(proxies[0]!.requests.filter((request) => request.method === 'GET').map((request) => [request.range, request.status])).toEqual([
      [`bytes=0-${PIECE - 1}`, 200],
    ]);
  });

  it.skipIf(kind.skip)('short ranges (fewer bytes than asked): the rest of each range is asked for again', async () => {
    const content = randomBytes(8 * PIECE + 5);
    const etag = await put('short.bin', content);
    const origin = await proxied('short-range');
    const { path, handle } = await target('short.bin');
    const result = await storeAt(origin, { folder }).download('short.bin', unusedStream().stream, {
      positional: { file: handle, size: content.length, etag },
    });
    expect(result).toMatchObject({ size: content.length, hash: sha256(content), etag });
    expect((await readFile(path)).equals(content)).toBe(true);
    const gets = proxies[0]!.requests.filter((request) => request.method === 'GET');
    expect(gets.every((request) => request.status === 206)).toBe(true);
    // Each 64 KiB range came in halves of halves: far more requests than ranges.
    expect(gets.length).toBeGreaterThan(8 * 4);
    expect(gets.map((request) => request.range)).toContain(`bytes=${PIECE / 2}-${PIECE - 1}`);
  });

  it.skipIf(kind.skip)('stopped in the middle: the file keeps only its good prefix, and a resume completes it', async () => {
    const content = randomBytes(16 * PIECE);
    const etag = await put('cut.bin', content);
    const { path, handle } = await target('cut.bin');
    const gate = gated(handle);
    gate.hold();
    const controller = new AbortController();
    const store = storeAt(server.origin, { folder });
    const download = store.download('cut.bin', unusedStream().stream, {
      positional: { file: gate.file, size: content.length, etag },
      signal: controller.signal,
    });
    await until('four streams writing at once', () => gate.waiting() === 4, { timeoutMs: 10_000, intervalMs: 5 });
    controller.abort();
    gate.release();
    await expect(download).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    // The four ranges answered before the stop (the first four pieces) were written whole;
    // nothing after them was asked for.
    const kept = await readFile(path);
    expect(kept.length).toBe(4 * PIECE);
    expect(kept.equals(content.subarray(0, kept.length))).toBe(true);

    // The resume logic takes it from there: Range from the kept length, with If-Range.
    const rest: Buffer[] = [];
    const resumed = await store.download(
      'cut.bin',
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          rest.push(chunk);
          callback();
        },
      }),
      {
        resumeFrom: {
          offset: kept.length,
          etag,
          hasher: createHash('sha256').update(kept),
          discardPrefix: () => {
            throw new Error('the prefix is good');
          },
        },
      },
    );
    expect(Buffer.concat([kept, ...rest]).equals(content)).toBe(true);
    expect(resumed).toMatchObject({ resumed: true, offset: kept.length, hash: sha256(content) });
  });

  it.skipIf(kind.skip)('the extra streams have sockets of their own: a listing is not kept waiting', async () => {
    const content = randomBytes(16 * PIECE);
    const etag = await put('busy.bin', content);
    await storeAt(server.origin, { folder }).createFolder('sub');
    const { path, handle } = await target('busy.bin');
    const gate = gated(handle);
    gate.hold();
    // concurrency 1: three request slots, one of them the download's own.
    const store = storeAt(server.origin, { folder, concurrency: 1 });
    const download = store.download('busy.bin', unusedStream().stream, { positional: { file: gate.file, size: content.length, etag } });
    await until('four streams writing at once', () => gate.waiting() === 4, { timeoutMs: 10_000, intervalMs: 5 });
    // Two listings at once, while four ranges hold their requests open.
    const [listing, children] = await Promise.all([store.list(), store.listChildren('')]);
    expect([...listing.entries.keys()].sort()).toEqual(['busy.bin', 'sub']);
    expect(children.map((child) => child.path).sort()).toEqual(['busy.bin', 'sub']);
    expect(gate.waiting()).toBe(4);
    gate.release();
    expect((await download).hash).toBe(sha256(content));
    expect((await readFile(path)).equals(content)).toBe(true);
  });
});

describe('parallel ranged downloads against a server that misbehaves', () => {
  let hostile: HostileServer;
  let work: string;
  const content = randomBytes(4 * PIECE);
  const etag = '"v1"';
  const handles: FileHandle[] = [];

  beforeAll(async () => {
    hostile = await startHostileServer();
    work = await mkdtemp(join(tmpdir(), 'terasync-ranged-hostile-'));
  });

  afterAll(async () => {
    for (const handle of handles) await handle.close().catch(() => undefined);
    await hostile?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** Serves `content` as Apache would, letting `change` alter the answer to a range. */
  function serve(change: (first: number, last: number, answer: ScriptedAnswer) => ScriptedAnswer): void {
    hostile.setFallback((request) => {
      const range = /^bytes=(\d+)-(\d+)$/.exec(String(request.headers['range'] ?? ''));
      if (range === null) return { status: 200, headers: { ETag: etag, 'Content-Length': String(content.length) }, body: content };
      const first = Number(range[1]);
      const last = Math.min(Number(range[2]), content.length - 1);
      const body = content.subarray(first, last + 1);
      return change(first, last, {
        status: 206,
        headers: { ETag: etag, 'Content-Range': `bytes ${first}-${last}/${content.length}`, 'Content-Length': String(body.length) },
        body,
      });
    });
  }

  async function download(name: string): Promise<{ path: string; result: Awaited<ReturnType<WebDavRemoteStore['download']>> }> {
    const path = join(work, name);
    const handle = await open(path, 'wx+');
    handles.push(handle);
    const store = new WebDavRemoteStore({
      url: hostile.url,
      auth: { kind: 'basic', user: 'u', password: 'p' },
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
      rangedDownloads: RANGES,
    });
    try {
      const result = await store.download(name, unusedStream().stream, { positional: { file: handle, size: content.length, etag } });
      return { path, result };
    } finally {
      await store.dispose();
    }
  }

  it('a range whose connection drops midway is asked for again, and the file lands exact', async () => {
    hostile.requests.length = 0;
    let cut = false;
    serve((first, _last, answer) => {
      if (first !== 2 * PIECE || cut) return answer;
      cut = true;
      return { ...answer, resetAfterBytes: 1_000 };
    });
    const { path, result } = await download('cut.bin');
    expect(result.hash).toBe(sha256(content));
    expect((await readFile(path)).equals(content)).toBe(true);
    const ranges = hostile.requests.filter((request) => request.method === 'GET').map((request) => request.headers['range']);
    expect(ranges.filter((range) => range === `bytes=${2 * PIECE}-${3 * PIECE - 1}`)).toHaveLength(2);
    expect(ranges.every((range) => range !== undefined)).toBe(true);
  });

  it('a 206 for another range than asked: the whole file from one plain GET instead', async () => {
    hostile.requests.length = 0;
    serve((first, last, answer) =>
      first === PIECE ? { ...answer, headers: { ...answer.headers, 'Content-Range': `bytes 0-${last - first}/${content.length}` } } : answer,
    );
    const { path, result } = await download('moved.bin');
    expect(result).toMatchObject({ size: content.length, hash: sha256(content), etag });
    expect((await readFile(path)).equals(content)).toBe(true);
    const gets = hostile.requests.filter((request) => request.method === 'GET');
    // The plain GET comes once every stream has stopped: it is the last request.
    expect(gets.at(-1)!.headers['range']).toBeUndefined();
    expect(gets.filter((request) => request.headers['range'] === undefined)).toHaveLength(1);
  });
});
