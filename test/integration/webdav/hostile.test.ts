/**
 * WebDavRemoteStore against a server that misbehaves on cue (test/support/hostileServer.ts):
 * broken XML, failing and slow answers, cut connections, names that try to leave the sync root,
 * TLS it cannot verify. Backoff sleeps go to a fake clock that records them; only the timeout
 * tests wait in real time (a few hundred ms).
 */
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, type TeraSyncError } from '../../../shared/errors.js';
import { systemClock, type Clock } from '../../../electron/core/time.js';
import type { ResumeFrom } from '../../../electron/sync/ports.js';
import { WebDavRemoteStore, type WebDavRemoteStoreOptions } from '../../../electron/webdav/WebDavRemoteStore.js';
import { davAnswer, selfSignedCertificate, startHostileServer, type FakeResource, type HostileServer } from '../../support/hostileServer.js';
import { requireSystemTool } from '../../support/requirements.js';
import { execFileSync } from 'node:child_process';
import { failure } from '../../support/failure.js';
import { FakeClock } from '../../support/fakeClock.js';

const START = Date.parse('Mon, 02 Jun 2025 10:00:00 GMT');

const ROOT = '/dav/Sync/';
const self: FakeResource = { href: ROOT, collection: true, etag: '"root"' };

let hostile: HostileServer;
/** Never waits: records each backoff delay and moves its time forward. */
let clock: FakeClock;
const stores: WebDavRemoteStore[] = [];

function storeFor(options: Partial<WebDavRemoteStoreOptions> = {}): WebDavRemoteStore {
  const store = new WebDavRemoteStore({
    url: `${hostile.url}dav/Sync/`,
    auth: { kind: 'basic', user: 'alice', password: 'Secret-Apps-Password' },
    clock,
    random: () => 0.5,
    retry: { attempts: 3, baseDelayMs: 500, maxDelayMs: 30_000 },
    ...options,
  });
  stores.push(store);
  return store;
}

function sink(): { stream: Writable; received(): Buffer } {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    }),
    received: () => Buffer.concat(chunks),
  };
}

beforeEach(async () => {
  hostile = await startHostileServer();
  clock = new FakeClock(START, { sleeps: 'instant' });
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.dispose();
  await hostile.stop();
});

describe('malformed answers', () => {
  it.each([
    ['truncated XML', `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>${ROOT}</D:href><D:propstat><D:prop>`],
    [
      'XML cut right after a complete response (parses as a shorter list)',
      `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>${ROOT}</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`,
    ],
    ['not XML at all', 'Internal Server Error'],
    ['an HTML page', '<html><body><h1>Maintenance</h1></body></html>'],
    ['another root element', '<D:error xmlns:D="DAV:"><D:lock-token-submitted/></D:error>'],
    ['a response without href', '<D:multistatus xmlns:D="DAV:"><D:response><D:propstat><D:prop/><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>'],
  ])('%s -> BadResponse, not retried', async (_name, body) => {
    hostile.script({ status: 207, headers: { 'Content-Type': 'application/xml' }, body });
    const error = await failure(storeFor().list());
    expect(error.code).toBe(ErrorCode.BadResponse);
    expect(hostile.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('a multistatus that leaves out the folder itself -> BadResponse (a wrongly spelled root would look empty)', async () => {
    hostile.script(davAnswer([{ href: '/dav/sync/file.txt', size: 1, etag: '"f"' }]));
    expect((await failure(storeFor().list())).code).toBe(ErrorCode.BadResponse);
  });

  it('a root that is a file -> Conflict', async () => {
    hostile.script(davAnswer([{ href: ROOT, collection: false, size: 3 }]));
    expect((await failure(storeFor().list())).code).toBe(ErrorCode.Conflict);
  });

  it('a root that answers 404 -> NotFound', async () => {
    hostile.script({ status: 404 });
    expect((await failure(storeFor().list())).code).toBe(ErrorCode.NotFound);
  });

  it('a sub-folder that fails fails the whole listing (never a partial list)', async () => {
    hostile.script(
      davAnswer([self, { href: `${ROOT}a/`, collection: true }, { href: `${ROOT}b/`, collection: true }]),
      (request) => (request.path.endsWith('/a/') ? { status: 403 } : davAnswer([{ href: `${ROOT}b/`, collection: true }])),
      (request) => (request.path.endsWith('/a/') ? { status: 403 } : davAnswer([{ href: `${ROOT}b/`, collection: true }])),
    );
    expect((await failure(storeFor().list())).code).toBe(ErrorCode.Forbidden);
  });
});

describe('retries', () => {
  it('500 then 207 -> succeeds after one backoff on the clock', async () => {
    hostile.script({ status: 500 }, davAnswer([self, { href: `${ROOT}a.txt`, size: 3, etag: '"a"' }]));
    const listing = await storeFor().list();
    expect([...listing.entries.keys()]).toEqual(['a.txt']);
    expect(hostile.requests).toHaveLength(2);
    // Full jitter: random() (0.5) * baseDelayMs (500) * 2^0.
    expect(clock.sleeps).toEqual([250]);
  });

  it('503 with Retry-After: 1 waits exactly one second', async () => {
    hostile.script({ status: 503, headers: { 'Retry-After': '1' } }, davAnswer([self]));
    await storeFor().list();
    expect(clock.sleeps).toEqual([1000]);
  });

  it('429 with an HTTP-date Retry-After waits until then, capped at maxDelayMs', async () => {
    hostile.script(
      { status: 429, headers: { 'Retry-After': new Date(START + 20_000).toUTCString() } },
      { status: 429, headers: { 'Retry-After': '3600' } },
      davAnswer([self]),
    );
    await storeFor({ retry: { attempts: 3, baseDelayMs: 500, maxDelayMs: 10_000 } }).list();
    expect(clock.sleeps).toEqual([10_000, 10_000]);
  });

  it('429 without Retry-After every time -> RateLimited after the last attempt', async () => {
    hostile.setFallback({ status: 429 });
    const error = await failure(storeFor().list());
    expect(error.code).toBe(ErrorCode.RateLimited);
    expect(hostile.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([250, 500]);
  });

  it.each([
    [501, ErrorCode.Server],
    [505, ErrorCode.Server],
    [507, ErrorCode.InsufficientStorage],
    [401, ErrorCode.Unauthorized],
    [403, ErrorCode.Forbidden],
  ])('%i is not retried', async (status, code) => {
    hostile.setFallback({ status });
    expect((await failure(storeFor().list())).code).toBe(code);
    expect(hostile.requests).toHaveLength(1);
  });

  it('a reset connection is retried, then reported as Network', async () => {
    hostile.setFallback({ reset: true });
    const error = await failure(storeFor().list());
    expect(error.code).toBe(ErrorCode.Network);
    expect(hostile.requests).toHaveLength(3);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('a PROPFIND answer cut mid-body is retried and then succeeds', async () => {
    const full = davAnswer([self, { href: `${ROOT}a.txt`, size: 3, etag: '"a"' }]);
    hostile.script({ ...full, resetAfterBytes: 60 }, full);
    const listing = await storeFor().list();
    expect(listing.entries.has('a.txt')).toBe(true);
    expect(hostile.requests).toHaveLength(2);
  });

  it('an upload is retried with a fresh stream from open()', async () => {
    hostile.script({ status: 503 }, { status: 201 }, davAnswer([{ href: `${ROOT}up.txt`, size: 5, etag: '"u1"' }]));
    let opened = 0;
    const { entry } = await storeFor().upload(
      'up.txt',
      () => {
        opened += 1;
        return Readable.from([Buffer.from('hello')]);
      },
      5,
    );
    expect(opened).toBe(2);
    const puts = hostile.requests.filter((request) => request.method === 'PUT');
    expect(puts.map((request) => request.body.toString())).toEqual(['hello', 'hello']);
    expect(entry).toMatchObject({ path: 'up.txt', size: 5, etag: '"u1"' });
  });
});

describe('downloads', () => {
  const content = Buffer.from('0123456789'.repeat(10_000));

  it('a reset before the first byte is retried', async () => {
    hostile.script({ reset: true }, { status: 200, body: content, headers: { ETag: '"d"' } });
    const destination = sink();
    const result = await storeFor().download('file.bin', destination.stream);
    expect(destination.received().equals(content)).toBe(true);
    expect(result).toEqual({ size: content.length, hash: createHash('sha256').update(content).digest('hex'), etag: '"d"', resumed: false, offset: 0 });
    expect(hostile.requests).toHaveLength(2);
  });

  it('a body cut after bytes were written is NOT retried: Network, so the engine refetches the file', async () => {
    hostile.script({ status: 200, body: content, resetAfterBytes: 30_000 });
    hostile.setFallback({ status: 200, body: content });
    const destination = sink();
    const error = await failure(storeFor().download('file.bin', destination.stream));
    expect(error.code).toBe(ErrorCode.Network);
    expect(error.message).toMatch(/interrupted/);
    expect(hostile.requests).toHaveLength(1);
    expect(destination.received().length).toBeGreaterThan(0);
    expect(destination.received().length).toBeLessThan(content.length);
  });

  it('a body shorter than its Content-Length is an error, never a short file taken as complete', async () => {
    hostile.script({ status: 200, body: content, headers: { 'Content-Length': String(content.length + 10) }, resetAfterBytes: content.length });
    const error = await failure(storeFor().download('file.bin', sink().stream));
    expect(error.code).toBe(ErrorCode.Network);
  });

  it('a slow local destination does not count as a server timeout', async () => {
    hostile.script({ status: 200, body: content });
    const slow = new Writable({
      highWaterMark: 1024,
      write(_chunk: Buffer, _encoding, callback) {
        // Each write takes longer than the server timeout: only the watchdog's pause saves it.
        setTimeout(callback, 150);
      },
    });
    const result = await storeFor({ timeoutMs: 100 }).download('file.bin', slow);
    expect(result.size).toBe(content.length);
  });
});

describe('resumed downloads (Range / If-Range)', () => {
  const whole = Buffer.from(Array.from({ length: 5000 }, (_unused, index) => `line ${index}\n`).join(''));
  const OFFSET = 10_000;
  const prefix = whole.subarray(0, OFFSET);
  const rest = whole.subarray(OFFSET);
  const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

  /** A destination that already holds the prefix, and the resume options that go with it. */
  function partial(etag: string | null, offset = OFFSET): { destination: ReturnType<typeof sink>; resumeFrom: ResumeFrom; discarded: () => number } {
    const chunks: Buffer[] = [whole.subarray(0, offset)];
    let discarded = 0;
    return {
      destination: {
        stream: new Writable({
          write(chunk: Buffer, _encoding, callback) {
            chunks.push(chunk);
            callback();
          },
        }),
        received: () => Buffer.concat(chunks),
      },
      resumeFrom: {
        offset,
        etag,
        hasher: createHash('sha256').update(whole.subarray(0, offset)),
        discardPrefix: () => {
          discarded += 1;
          chunks.length = 0;
        },
      },
      discarded: () => discarded,
    };
  }

  const partialAnswer = (contentRange: string, headers: Record<string, string> = {}, body: Buffer = rest) => ({
    status: 206,
    body,
    headers: { 'Content-Range': contentRange, ETag: '"v1"', ...headers },
  });

  it('asks for the rest with Range and If-Range, writes only the rest, and hashes the whole file', async () => {
    hostile.script(partialAnswer(`bytes ${OFFSET}-${whole.length - 1}/${whole.length}`));
    const { destination, resumeFrom, discarded } = partial('"v1"');
    const starts: unknown[] = [];
    const progress: number[] = [];
    const result = await storeFor().download('file.txt', destination.stream, {
      resumeFrom,
      onStart: (start) => starts.push(start),
      onProgress: ({ bytes }) => progress.push(bytes),
    });
    expect(result).toEqual({ size: whole.length, hash: sha256(whole), etag: '"v1"', resumed: true, offset: OFFSET });
    expect(destination.received().equals(whole)).toBe(true);
    expect(discarded()).toBe(0);
    expect(starts).toEqual([{ etag: '"v1"', resumed: true, offset: OFFSET, totalSize: whole.length }]);
    expect(progress[0]).toBeGreaterThan(OFFSET);
    expect(progress.at(-1)).toBe(whole.length);
    const headers = hostile.requests[0]?.headers;
    expect(headers?.['range']).toBe(`bytes=${OFFSET}-`);
    expect(headers?.['if-range']).toBe('"v1"');
    expect(headers?.['accept-encoding']).toBe('identity');
  });

  it('sends If-Range in its strong form (no -gzip suffix), and accepts an unknown total (/*)', async () => {
    hostile.script(partialAnswer(`bytes ${OFFSET}-${whole.length - 1}/*`, { ETag: '"v1"' }));
    const { destination, resumeFrom } = partial('"v1-gzip"');
    const result = await storeFor().download('file.txt', destination.stream, { resumeFrom });
    expect(result).toMatchObject({ resumed: true, offset: OFFSET, size: whole.length, hash: sha256(whole) });
    expect(hostile.requests[0]?.headers['if-range']).toBe('"v1"');
  });

  it('a 206 without an ETag is the version asked for (If-Range): its tag is the one resumed from', async () => {
    hostile.script({ status: 206, body: rest, headers: { 'Content-Range': `bytes ${OFFSET}-${whole.length - 1}/${whole.length}` } });
    const { destination, resumeFrom } = partial('"v1"');
    expect(await storeFor().download('file.txt', destination.stream, { resumeFrom })).toMatchObject({ resumed: true, etag: '"v1"' });
  });

  it('a server that ignores Range (200): the prefix is discarded first, the whole body written and hashed afresh', async () => {
    hostile.script({ status: 200, body: whole, headers: { ETag: '"v1"' } });
    const { destination, resumeFrom, discarded } = partial('"v1"');
    const starts: unknown[] = [];
    const result = await storeFor().download('file.txt', destination.stream, { resumeFrom, onStart: (start) => starts.push(start) });
    expect(result).toEqual({ size: whole.length, hash: sha256(whole), etag: '"v1"', resumed: false, offset: 0 });
    expect(destination.received().equals(whole)).toBe(true);
    expect(discarded()).toBe(1);
    expect(starts).toEqual([{ etag: '"v1"', resumed: false, offset: 0, totalSize: whole.length }]);
    expect(hostile.requests[0]?.headers['range']).toBe(`bytes=${OFFSET}-`);
  });

  it('a changed file (200 with another ETag): the new whole file, resumed false', async () => {
    const changed = Buffer.from('a completely different version\n'.repeat(500));
    hostile.script({ status: 200, body: changed, headers: { ETag: '"v2"' } });
    const { destination, resumeFrom, discarded } = partial('"v1"');
    const result = await storeFor().download('file.txt', destination.stream, { resumeFrom });
    expect(result).toEqual({ size: changed.length, hash: sha256(changed), etag: '"v2"', resumed: false, offset: 0 });
    expect(destination.received().equals(changed)).toBe(true);
    expect(discarded()).toBe(1);
  });

  it.each([
    ['starts elsewhere', `bytes 0-${whole.length - 1}/${whole.length}`],
    ['starts one byte late', `bytes ${OFFSET + 1}-${whole.length - 1}/${whole.length}`],
    ['stops before the end of the file', `bytes ${OFFSET}-${whole.length - 2}/${whole.length}`],
    ['ends before it starts', `bytes ${OFFSET}-${OFFSET - 1}/*`],
    ['is not a byte range', `items ${OFFSET}-${whole.length - 1}/${whole.length}`],
    ['is unreadable', 'bytes */*'],
  ])('a Content-Range that %s -> BadResponse, nothing written, not retried', async (_name, contentRange) => {
    hostile.script(partialAnswer(contentRange));
    hostile.setFallback(partialAnswer(`bytes ${OFFSET}-${whole.length - 1}/${whole.length}`));
    const { destination, resumeFrom, discarded } = partial('"v1"');
    const error = await failure(storeFor().download('file.txt', destination.stream, { resumeFrom }));
    expect(error.code).toBe(ErrorCode.BadResponse);
    expect(error.message).toContain('206');
    expect(destination.received().equals(prefix)).toBe(true);
    expect(discarded()).toBe(0);
    expect(hostile.requests).toHaveLength(1);
  });

  it('a 206 without Content-Range (multipart/byteranges) -> BadResponse', async () => {
    hostile.script({ status: 206, body: rest, headers: { 'Content-Type': 'multipart/byteranges; boundary=x', ETag: '"v1"' } });
    const { destination, resumeFrom } = partial('"v1"');
    expect((await failure(storeFor().download('file.txt', destination.stream, { resumeFrom }))).code).toBe(ErrorCode.BadResponse);
    expect(destination.received().equals(prefix)).toBe(true);
  });

  it('a 206 of another version (ETag) -> BadResponse', async () => {
    hostile.script(partialAnswer(`bytes ${OFFSET}-${whole.length - 1}/${whole.length}`, { ETag: '"v2"' }));
    const { destination, resumeFrom } = partial('"v1"');
    expect((await failure(storeFor().download('file.txt', destination.stream, { resumeFrom }))).code).toBe(ErrorCode.BadResponse);
    expect(destination.received().equals(prefix)).toBe(true);
  });

  it('a compressed 206 -> BadResponse', async () => {
    hostile.script(partialAnswer(`bytes ${OFFSET}-${whole.length - 1}/${whole.length}`, { 'Content-Encoding': 'gzip' }));
    const { destination, resumeFrom } = partial('"v1"');
    expect((await failure(storeFor().download('file.txt', destination.stream, { resumeFrom }))).code).toBe(ErrorCode.BadResponse);
  });

  it('a Content-Length that disagrees with the Content-Range -> BadResponse', async () => {
    hostile.script(partialAnswer(`bytes ${OFFSET}-${whole.length - 1}/${whole.length}`, { 'Content-Length': String(rest.length - 1) }, rest.subarray(1)));
    const { destination, resumeFrom } = partial('"v1"');
    expect((await failure(storeFor().download('file.txt', destination.stream, { resumeFrom }))).code).toBe(ErrorCode.BadResponse);
  });

  it('a 206 body cut short of its Content-Range is not a complete file', async () => {
    hostile.script({ ...partialAnswer(`bytes ${OFFSET}-${whole.length - 1}/${whole.length}`), resetAfterBytes: 1000 });
    const { destination, resumeFrom } = partial('"v1"');
    const error = await failure(storeFor().download('file.txt', destination.stream, { resumeFrom }));
    expect(error.code).toBe(ErrorCode.Network);
  });

  it('a weak tag: no Range at all, the whole file', async () => {
    hostile.script({ status: 200, body: whole, headers: { ETag: 'W/"v1"' } });
    const { destination, resumeFrom, discarded } = partial('W/"v1"');
    const result = await storeFor().download('file.txt', destination.stream, { resumeFrom });
    expect(result).toMatchObject({ resumed: false, offset: 0, hash: sha256(whole) });
    expect(hostile.requests[0]?.headers['range']).toBeUndefined();
    expect(hostile.requests[0]?.headers['if-range']).toBeUndefined();
    expect(destination.received().equals(whole)).toBe(true);
    expect(discarded()).toBe(1);
  });

  it('no tag: no Range either', async () => {
    hostile.script({ status: 200, body: whole });
    const { destination, resumeFrom } = partial(null);
    await storeFor().download('file.txt', destination.stream, { resumeFrom });
    expect(hostile.requests[0]?.headers['range']).toBeUndefined();
    expect(destination.received().equals(whole)).toBe(true);
  });

  it('a 206 to a request that asked for no range -> BadResponse', async () => {
    hostile.script(partialAnswer(`bytes ${OFFSET}-${whole.length - 1}/${whole.length}`));
    const { destination, resumeFrom } = partial('W/"v1"');
    expect((await failure(storeFor().download('file.txt', destination.stream, { resumeFrom }))).code).toBe(ErrorCode.BadResponse);
  });

  it('416 (range not satisfiable): asked again without Range, the whole file', async () => {
    hostile.script({ status: 416, headers: { 'Content-Range': `bytes */${whole.length}` } }, { status: 200, body: whole, headers: { ETag: '"v1"' } });
    const { destination, resumeFrom, discarded } = partial('"v1"', whole.length);
    const result = await storeFor().download('file.txt', destination.stream, { resumeFrom });
    expect(result).toMatchObject({ resumed: false, offset: 0, size: whole.length, hash: sha256(whole) });
    expect(hostile.requests.map((request) => request.headers['range'])).toEqual([`bytes=${whole.length}-`, undefined]);
    expect(destination.received().equals(whole)).toBe(true);
    expect(discarded()).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('once the prefix is discarded, a retry never asks for a range again', async () => {
    // The whole file comes, is cut before its first byte reached us... simulated by a 200
    // whose connection resets before the body, then a plain answer.
    hostile.script({ status: 200, body: whole, headers: { ETag: '"v2"' }, resetAfterBytes: 0 }, { status: 200, body: whole, headers: { ETag: '"v2"' } });
    const { destination, resumeFrom, discarded } = partial('"v1"');
    const result = await storeFor().download('file.txt', destination.stream, { resumeFrom });
    expect(result).toMatchObject({ resumed: false, hash: sha256(whole) });
    expect(hostile.requests.map((request) => request.headers['range'])).toEqual([`bytes=${OFFSET}-`, undefined]);
    expect(discarded()).toBe(1);
    expect(destination.received().equals(whole)).toBe(true);
  });

  it('a failing discardPrefix -> LocalIo, nothing written', async () => {
    hostile.script({ status: 200, body: whole, headers: { ETag: '"v2"' } });
    const { destination, resumeFrom } = partial('"v1"');
    const error = await failure(
      storeFor().download('file.txt', destination.stream, {
        resumeFrom: {
          ...resumeFrom,
          discardPrefix: () => Promise.reject(new Error('EACCES')),
        },
      }),
    );
    expect(error.code).toBe(ErrorCode.LocalIo);
    expect(destination.received().equals(prefix)).toBe(true);
  });

  it('an invalid offset -> LocalIo before any request', async () => {
    for (const offset of [-1, 1.5, Number.NaN]) {
      const { destination, resumeFrom } = partial('"v1"');
      const error = await failure(storeFor().download('file.txt', destination.stream, { resumeFrom: { ...resumeFrom, offset } }));
      expect(error.code).toBe(ErrorCode.LocalIo);
    }
    expect(hostile.requests).toHaveLength(0);
  });
});

describe('bandwidth limits and the idle watchdog', () => {
  const content = Buffer.alloc(100_000, 7);

  it('waiting for download bandwidth is not a silent server', async () => {
    hostile.script({ status: 200, body: content, headers: { ETag: '"b"' } });
    // 64 KiB/s: the first 64 KiB pass at once, then each 16 KiB piece waits 250 ms, longer
    // than timeoutMs; only the watchdog's pause saves the download.
    const store = storeFor({ clock: systemClock, timeoutMs: 150, bandwidth: { downloadKiBps: 64 } });
    const destination = sink();
    const started = performance.now();
    const result = await store.download('file.bin', destination.stream);
    expect(performance.now() - started).toBeGreaterThan(400);
    expect(result.size).toBe(content.length);
    expect(destination.received().equals(content)).toBe(true);
  });

  it('waiting for upload bandwidth is not a silent server', async () => {
    hostile.script({ status: 201 }, davAnswer([{ href: `${ROOT}up.bin`, size: content.length, etag: '"u"' }]));
    const store = storeFor({ clock: systemClock, timeoutMs: 150, bandwidth: { uploadKiBps: 64 } });
    const started = performance.now();
    const { entry } = await store.upload('up.bin', () => Readable.from([content]), content.length);
    expect(performance.now() - started).toBeGreaterThan(400);
    expect(entry.size).toBe(content.length);
    expect(hostile.requests[0]?.body.equals(content)).toBe(true);
  });

  it('a silent server is still caught while a limit is set', async () => {
    hostile.setFallback({ status: 200, body: content, stallAfterBytes: 20_000 });
    const store = storeFor({ clock: systemClock, timeoutMs: 200, retry: { attempts: 1 }, bandwidth: { downloadKiBps: 1024 } });
    const started = performance.now();
    const error = await failure(store.download('file.bin', sink().stream));
    // Bytes were written, so the timeout is reported as an interrupted download.
    expect(error.code).toBe(ErrorCode.Network);
    expect(error.message).toMatch(/interrupted/);
    expect((error.cause as TeraSyncError).code).toBe(ErrorCode.Timeout);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('setBandwidth refuses a negative limit as Configuration, and the constructor too', () => {
    const store = storeFor();
    expect(() => store.setBandwidth({ uploadKiBps: -1 })).toThrow(expect.objectContaining({ code: ErrorCode.Configuration }));
    expect(() => storeFor({ bandwidth: { downloadKiBps: Number.NaN } })).toThrow(expect.objectContaining({ code: ErrorCode.Configuration }));
  });
});

describe('timeouts and cancellation', () => {
  it('no answer within timeoutMs -> Timeout', async () => {
    hostile.setFallback({ ...davAnswer([self]), delayMs: 5_000 });
    const started = performance.now();
    const error = await failure(storeFor({ timeoutMs: 200, retry: { attempts: 2 } }).list());
    expect(error.code).toBe(ErrorCode.Timeout);
    expect(hostile.requests).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('a body that stalls midway -> Timeout (idle gap, not total time)', async () => {
    hostile.setFallback({ ...davAnswer([self]), stallAfterBytes: 40 });
    const error = await failure(storeFor({ timeoutMs: 200, retry: { attempts: 1 } }).list());
    expect(error.code).toBe(ErrorCode.Timeout);
  });

  it('an answer slower than usual but within timeoutMs is not a timeout', async () => {
    hostile.script({ ...davAnswer([self]), delayMs: 100 });
    await expect(storeFor({ timeoutMs: 1_000 }).list()).resolves.toMatchObject({ skipped: [] });
  });

  it('time spent waiting for a free socket behind other requests is not a timeout', async () => {
    // concurrency 1 -> 3 sockets; 6 requests of 400 ms each: the last three wait ~400 ms for a
    // socket and then ~400 ms for their answer, more than timeoutMs in total but never silent.
    // (200 ms of slack per answer: a loaded machine's event loop can lag that much.)
    hostile.setFallback((request) => ({ ...davAnswer([{ href: request.path, size: 1, etag: '"x"' }]), delayMs: 400 }));
    const store = storeFor({ concurrency: 1, timeoutMs: 600, retry: { attempts: 1 } });
    const results = await Promise.all(Array.from({ length: 6 }, (_unused, index) => store.stat(`f${index}.txt`)));
    expect(results.map((entry) => entry?.path)).toEqual(['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt', 'f5.txt']);
    expect(hostile.requests).toHaveLength(6);
  });

  it('the caller aborting -> Cancelled, never retried', async () => {
    hostile.setFallback({ ...davAnswer([self]), delayMs: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(storeFor().list({ signal: controller.signal }));
    expect(error.code).toBe(ErrorCode.Cancelled);
    expect(hostile.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('aborting during a backoff sleep -> Cancelled', async () => {
    const controller = new AbortController();
    const waitingClock: Clock = {
      now: () => START,
      sleep: (_ms, signal) =>
        new Promise<void>((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
          controller.abort();
        }),
    };
    hostile.setFallback({ status: 500 });
    const error = await failure(storeFor({ clock: waitingClock }).list({ signal: controller.signal }));
    expect(error.code).toBe(ErrorCode.Cancelled);
    expect(hostile.requests).toHaveLength(1);
  });
});

describe('names that try to leave the sync root', () => {
  it('skips them as invalid-name and never lists or requests them', async () => {
    hostile.script(
      davAnswer([
        self,
        { href: `${ROOT}ok.txt`, size: 1, etag: '"ok"' },
        { href: 'https://proxy.example/dav/Sync/other%20host.txt', size: 2, etag: '"oh"' },
        { href: `${ROOT}..`, collection: true },
        { href: `${ROOT}%2E%2E/`, collection: true },
        { href: `${ROOT}./`, collection: true },
        { href: `${ROOT}..%2F..%2Fetc%2Fpasswd`, size: 1 },
        { href: `${ROOT}a%2Fb.txt`, size: 1 },
        { href: `${ROOT}a%5Cb.txt`, size: 1 },
        { href: `${ROOT}..%5C..%5Cwin.ini`, size: 1 },
        { href: `${ROOT}nul%00.txt`, size: 1 },
        { href: `${ROOT}bad%ZZ.txt`, size: 1 },
        { href: `${ROOT}../Other/escape.txt`, size: 1 },
        { href: '/dav/Other/outside.txt', size: 1 },
        { href: `${ROOT}deep/er.txt`, size: 1 },
        { href: '/', collection: true },
        { href: `${ROOT}sub/`, collection: true, etag: 'W/"sub"' },
      ]),
      davAnswer([
        { href: `${ROOT}sub/`, collection: true },
        { href: `${ROOT}sub/..%2F..%2Fescape.txt`, size: 1 },
        { href: `${ROOT}sub/fine.txt`, size: 4, etag: 'W/"fine"' },
      ]),
    );
    const listing = await storeFor().list();

    expect([...listing.entries.keys()].sort()).toEqual(['ok.txt', 'other host.txt', 'sub', 'sub/fine.txt']);
    expect(listing.entries.get('sub/fine.txt')).toMatchObject({ type: 'file', size: 4, etag: 'W/"fine"' });
    expect(listing.entries.get('sub')).toMatchObject({ type: 'dir', etag: 'W/"sub"' });
    expect(listing.skipped).toHaveLength(14);
    for (const skipped of listing.skipped) {
      expect(skipped).toMatchObject({ side: 'remote', reason: 'invalid-name' });
    }
    for (const key of listing.entries.keys()) {
      expect(key.split('/').every((name) => name !== '..' && name !== '.' && !name.includes('\\'))).toBe(true);
    }
    // Only the root and the one real sub-folder were asked for.
    expect(hostile.requests.map((request) => request.path)).toEqual([ROOT, `${ROOT}sub/`]);
  });

  it('keeps the first of two names that are equal once NFC-normalised', async () => {
    const nfc = 'caf%C3%A9.txt';
    const nfd = 'cafe%CC%81.txt';
    hostile.script(davAnswer([self, { href: `${ROOT}${nfd}`, size: 1 }, { href: `${ROOT}${nfc}`, size: 2 }]));
    const listing = await storeFor().list();
    expect(listing.entries.get('café.txt')).toMatchObject({ remotePath: 'cafe\u0301.txt', size: 1 });
    expect(listing.skipped).toEqual([expect.objectContaining({ path: 'café.txt', reason: 'case-conflict' })]);
  });
});

describe('listing in parallel', () => {
  it('walks folders concurrently, never more than `concurrency` at a time', async () => {
    let active = 0;
    let peak = 0;
    const folders = Array.from({ length: 12 }, (_unused, index) => `f${index}`);
    hostile.setFallback((request) => {
      active += 1;
      peak = Math.max(peak, active);
      setTimeout(() => {
        active -= 1;
      }, 40);
      if (request.path === ROOT) return { ...davAnswer([self, ...folders.map((name) => ({ href: `${ROOT}${name}/`, collection: true }))]), delayMs: 40 };
      return { ...davAnswer([{ href: request.path, collection: true }, { href: `${request.path}x.txt`, size: 1 }]), delayMs: 40 };
    });
    const listing = await storeFor({ concurrency: 3 }).list();
    expect(listing.entries.size).toBe(24);
    expect(hostile.requests).toHaveLength(13);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(3);
  });
});

describe('weak ETags and If-Match', () => {
  const upload = (store: WebDavRemoteStore, ifMatch: string): Promise<unknown> =>
    store.upload('doc.txt', () => Readable.from([Buffer.from('new')]), 3, { ifMatch });

  it('sends a strong tag quoted, without the -gzip suffix', async () => {
    hostile.script({ status: 204 }, davAnswer([{ href: `${ROOT}doc.txt`, size: 3, etag: '"v2"' }]));
    await upload(storeFor(), '"v1-gzip"');
    expect(hostile.requests[0]?.headers['if-match']).toBe('"v1"');
  });

  it('never sends a weak tag: the file unchanged and still weak -> PUT without If-Match', async () => {
    hostile.script(
      davAnswer([{ href: `${ROOT}doc.txt`, size: 3, etag: 'W/"v1"' }]),
      { status: 204 },
      davAnswer([{ href: `${ROOT}doc.txt`, size: 3, etag: 'W/"v2"' }]),
    );
    await upload(storeFor(), 'W/"v1"');
    const put = hostile.requests.find((request) => request.method === 'PUT');
    expect(put).toBeDefined();
    expect(put?.headers['if-match']).toBeUndefined();
  });

  it('a weak tag the server now shows as strong is sent in its strong form', async () => {
    hostile.script(davAnswer([{ href: `${ROOT}doc.txt`, size: 3, etag: '"v1"' }]), { status: 204 }, davAnswer([{ href: `${ROOT}doc.txt`, size: 3, etag: '"v2"' }]));
    await upload(storeFor(), 'W/"v1"');
    expect(hostile.requests.find((request) => request.method === 'PUT')?.headers['if-match']).toBe('"v1"');
  });

  it('a weak tag that no longer matches -> PreconditionFailed, and nothing is uploaded', async () => {
    hostile.script(davAnswer([{ href: `${ROOT}doc.txt`, size: 3, etag: '"v9"' }]));
    expect((await failure(upload(storeFor(), 'W/"v1"'))).code).toBe(ErrorCode.PreconditionFailed);
    expect(hostile.requests.some((request) => request.method === 'PUT')).toBe(false);
  });

  it('412 on PUT -> PreconditionFailed, not retried', async () => {
    hostile.setFallback({ status: 412 });
    expect((await failure(upload(storeFor(), '"v1"'))).code).toBe(ErrorCode.PreconditionFailed);
    expect(hostile.requests).toHaveLength(1);
  });
});

// A small body is read whole before it is sent; with a bandwidth limit it streams, paced.
describe.each([
  { how: 'read whole', options: {} },
  { how: 'streamed', options: { bandwidth: { uploadKiBps: 100_000 } } },
])('uploads the server answers early (Apache answers once it has Content-Length bytes), $how', ({ options }) => {
  /** `first` at once, then after a pause `later` (if any) and the end. */
  function twoPart(first: string, later: string | null): () => Readable {
    return () => {
      let started = false;
      return new Readable({
        read() {
          if (started) return;
          started = true;
          this.push(Buffer.from(first));
          setTimeout(() => {
            if (later !== null) this.push(Buffer.from(later));
            this.push(null);
          }, 100);
        },
      });
    };
  }

  it('bytes beyond the size given after the answer -> LocalIo, not a success', async () => {
    hostile.script({ status: 201, early: true }, davAnswer([{ href: `${ROOT}grow.log`, size: 3, etag: '"g"' }]));
    const error = await failure(storeFor(options).upload('grow.log', twoPart('abc', 'def'), 3));
    expect(error.code).toBe(ErrorCode.LocalIo);
    expect(error.message).toMatch(/grew/);
  });

  it('waits for the source to end before reporting success', async () => {
    hostile.script({ status: 201, early: true }, davAnswer([{ href: `${ROOT}done.log`, size: 3, etag: '"d"' }]));
    let ended = false;
    const open = twoPart('abc', null);
    const { entry } = await storeFor(options).upload(
      'done.log',
      () => open().once('end', () => {
        ended = true;
      }),
      3,
    );
    expect(ended).toBe(true);
    expect(entry.etag).toBe('"d"');
  });
});

describe('createFolder on mod_dav answers', () => {
  it('405 where a FILE exists is not success', async () => {
    hostile.script({ status: 405 }, davAnswer([{ href: `${ROOT}name`, size: 1 }]));
    expect((await failure(storeFor().createFolder('name'))).code).toBe(ErrorCode.Conflict);
  });

  it('400 (Apache 2.4: MKCOL file/ on a file) where a FILE exists -> Conflict', async () => {
    hostile.script({ status: 400 }, davAnswer([{ href: `${ROOT}name`, size: 1 }]));
    expect((await failure(storeFor().createFolder('name'))).code).toBe(ErrorCode.Conflict);
  });

  it('405 where the folder exists is success', async () => {
    hostile.script({ status: 405 }, davAnswer([{ href: `${ROOT}name/`, collection: true }]));
    await storeFor().createFolder('name');
    expect(hostile.requests.map((request) => `${request.method} ${request.path}`)).toEqual([`MKCOL ${ROOT}name/`, `PROPFIND ${ROOT}name`]);
  });
});

describe('credentials and configuration', () => {
  it('401: advice for TeraCLOUD, no password, no Authorization header in the message', async () => {
    hostile.setFallback({ status: 401, headers: { 'WWW-Authenticate': 'Basic realm="TeraCLOUD"' } });
    const error = await failure(storeFor().list());
    expect(error.code).toBe(ErrorCode.Unauthorized);
    expect(error.message).toMatch(/Apps password/);
    const basic = Buffer.from('alice:Secret-Apps-Password').toString('base64');
    expect(hostile.requests[0]?.headers['authorization']).toBe(`Basic ${basic}`);
    expect(error.message).not.toContain('Secret-Apps-Password');
    expect(error.message).not.toContain(basic);
  });

  it('sends a bearer token, and keeps it out of messages', async () => {
    hostile.setFallback({ status: 401 });
    const error = await failure(storeFor({ auth: { kind: 'bearer', token: 'tok-123-secret' } }).list());
    expect(hostile.requests[0]?.headers['authorization']).toBe('Bearer tok-123-secret');
    expect(error.message).not.toContain('tok-123-secret');
    expect(error.message).toMatch(/sign in again/);
  });

  it.each(['http://kita.teracloud.jp/dav/', 'http://192.168.1.10/dav/', 'http://127.0.0.1.nip.io/dav/', 'ftp://example.com/dav/', 'not a url'])(
    'refuses %s with a Configuration error',
    (url) => {
      expect(() => new WebDavRemoteStore({ url, auth: { kind: 'basic', user: 'u', password: 'p' } })).toThrow(
        expect.objectContaining({ code: ErrorCode.Configuration }),
      );
    },
  );

  it('refuses credentials inside the URL without echoing them', () => {
    let caught: unknown;
    try {
      new WebDavRemoteStore({ url: 'https://alice:hunter2@kita.teracloud.jp/dav/', auth: { kind: 'basic', user: 'u', password: 'p' } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: ErrorCode.Configuration });
    expect((caught as Error).message).not.toContain('hunter2');
  });

  it.each(['https://kita.teracloud.jp/dav/', 'http://localhost:8080/dav/', 'http://127.0.0.1/', 'http://[::1]:80/dav/'])('accepts %s', async (url) => {
    const store = new WebDavRemoteStore({ url, auth: { kind: 'basic', user: 'u', password: 'p' } });
    await store.dispose();
  });
});

const openssl = requireSystemTool('openssl', (() => {
  try {
    execFileSync('openssl', ['version']);
    return true;
  } catch {
    return false;
  }
})());

describe.skipIf(openssl.skip)('TLS', () => {
  it('a certificate it cannot verify -> Tls naming --ca, not retried; trusted with ca', async () => {
    openssl.assertAvailable();
    const certificate = await selfSignedCertificate();
    const tls = await startHostileServer({ tls: certificate });
    try {
      tls.setFallback(davAnswer([self]));
      const untrusted = new WebDavRemoteStore({ url: `${tls.url}dav/Sync/`, auth: { kind: 'basic', user: 'u', password: 'p' }, clock });
      stores.push(untrusted);
      const error = await failure(untrusted.list());
      expect(error.code).toBe(ErrorCode.Tls);
      expect(error.message).toContain('--ca');
      expect(tls.requests).toHaveLength(0);
      expect(clock.sleeps).toEqual([]);

      const trusted = new WebDavRemoteStore({ url: `${tls.url}dav/Sync/`, auth: { kind: 'basic', user: 'u', password: 'p' }, ca: certificate.cert, clock });
      stores.push(trusted);
      await expect(trusted.list()).resolves.toMatchObject({ skipped: [] });
      expect(tls.requests).toHaveLength(1);
    } finally {
      await tls.stop();
    }
  });
});
