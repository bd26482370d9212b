/**
 * Resumed downloads (DownloadOptions.resumeFrom) against real servers: the in-process
 * webdav-server (with the harness's Apache-like If-Range / 416, test/support/webdavServer.ts)
 * and Apache httpd + mod_dav over HTTPS, configured like TeraCLOUD (mod_deflate on, so a
 * .txt file is one it would compress if asked).
 *
 * Both servers derive the ETag from the modification time, and Apache hands out a weak tag
 * for a file written within the last second: each test pins the mtime to a past date to get
 * a strong tag it knows.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isStrongEtag } from '../../../shared/etag.js';
import type { ResumeFrom } from '../../../electron/sync/ports.js';
import { WebDavRemoteStore } from '../../../electron/webdav/WebDavRemoteStore.js';
import { apacheAvailable, startApache, type AccessLogLine } from '../../support/apache.js';
import { requireSystemTool } from '../../support/requirements.js';
import { startWebDavServer } from '../../support/webdavServer.js';
import { until } from '../../support/until.js';

const apache = requireSystemTool('apache2', apacheAvailable(), 'apache2 openssl');

interface Server {
  /** Root of the WebDAV area, ending in '/'. */
  url: string;
  user: string;
  password: string;
  ca?: string;
  dataDir: string;
  /** Statuses of the GETs for files under `folder`, in order. */
  getStatuses(folder: string, atLeast: number): Promise<number[]>;
  /** Range header of each GET under `folder` (in-process only: Apache does not log it). */
  getRanges?(folder: string): Array<string | undefined>;
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
        url: server.url,
        user: server.user,
        password: server.password,
        dataDir: server.dataDir,
        async getStatuses(folder, atLeast) {
          await until(`${atLeast} answered GETs`, () => gets(folder).filter((request) => request.status !== undefined).length >= atLeast, { timeoutMs: 5_000, intervalMs: 10 });
          return gets(folder).map((request) => request.status ?? 0);
        },
        getRanges: (folder) => gets(folder).map((request) => request.headers['range'] as string | undefined),
        stop: () => server.stop(),
      };
    },
  },
  {
    name: 'Apache mod_dav over HTTPS',
    skip: apache.skip,
    async start() {
      apache.assertAvailable();
      const server = await startApache();
      const gets = (lines: AccessLogLine[], folder: string): AccessLogLine[] =>
        lines.filter((line) => line.method === 'GET' && line.path.startsWith(`/dav/${folder}/`));
      return {
        url: server.url,
        user: server.user,
        password: server.password,
        ca: await readFile(server.caFile, 'utf8'),
        dataDir: server.dataDir,
        async getStatuses(folder, atLeast) {
          const lines = await server.accessLog((all) => gets(all, folder).length >= atLeast);
          return gets(lines, folder).map((line) => line.status);
        },
        stop: () => server.stop(),
      };
    },
  },
];

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A destination holding the first `offset` bytes of `original`, and the resume options for it. */
function partialOf(original: Buffer, offset: number, etag: string | null) {
  const chunks: Buffer[] = [original.subarray(0, offset)];
  let discarded = 0;
  const resumeFrom: ResumeFrom = {
    offset,
    etag,
    hasher: createHash('sha256').update(original.subarray(0, offset)),
    discardPrefix: () => {
      discarded += 1;
      chunks.length = 0;
    },
  };
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    }),
    resumeFrom,
    received: () => Buffer.concat(chunks),
    discarded: () => discarded,
  };
}

/** Text, so that mod_deflate would compress it for a client that accepted gzip. */
function textOf(bytes: number, seed: string): Buffer {
  const line = `${seed} ${randomBytes(24).toString('hex')}\n`;
  return Buffer.from(line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes));
}

describe.each(kinds)('resumed downloads against $name', (kind) => {
  let server: Server;
  let store: WebDavRemoteStore;
  let folder: string;
  let count = 0;

  beforeAll(async () => {
    if (kind.skip) return;
    server = await kind.start();
  });

  afterAll(async () => {
    await store?.dispose();
    await server?.stop();
  });

  beforeEach(async () => {
    if (kind.skip) return;
    count += 1;
    folder = `Resume ${count}`;
    await store?.dispose();
    const admin = new WebDavRemoteStore({ url: server.url, auth: { kind: 'basic', user: server.user, password: server.password }, ca: server.ca });
    await admin.createFolder(folder);
    await admin.dispose();
    store = new WebDavRemoteStore({
      url: `${server.url}${encodeURIComponent(folder)}/`,
      auth: { kind: 'basic', user: server.user, password: server.password },
      ca: server.ca,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
    });
  });

  async function put(name: string, content: Buffer): Promise<void> {
    await store.upload(name, () => Readable.from([content]), content.length);
  }

  /** Sets the file's mtime (so its ETag) to `when`, and returns the strong tag the server now lists. */
  async function pin(name: string, when: string): Promise<string> {
    await utimes(join(server.dataDir, folder, name), new Date(when), new Date(when));
    const etag = (await store.stat(name))?.etag ?? null;
    expect(isStrongEtag(etag)).toBe(true);
    return etag!;
  }

  it.skipIf(kind.skip)('a resumed download writes only the rest and yields the exact file', async () => {
    const content = textOf(300_000, 'resume');
    await put('notes.txt', content);
    const etag = await pin('notes.txt', '2024-01-01T00:00:00Z');
    const offset = 123_457;
    const partial = partialOf(content, offset, etag);
    const result = await store.download('notes.txt', partial.stream, { resumeFrom: partial.resumeFrom });

    expect(result).toMatchObject({ resumed: true, offset, size: content.length, hash: sha256(content) });
    expect(partial.received().equals(content)).toBe(true);
    expect(partial.discarded()).toBe(0);
    expect(await server.getStatuses(folder, 1)).toEqual([206]);
    if (server.getRanges) expect(server.getRanges(folder)).toEqual([`bytes=${offset}-`]);
  });

  it.skipIf(kind.skip)('a file changed since (another ETag): the new whole file with 200, resumed false', async () => {
    const first = textOf(200_000, 'first version');
    await put('doc.txt', first);
    const oldTag = await pin('doc.txt', '2024-01-01T00:00:00Z');
    const second = textOf(150_000, 'second version');
    await put('doc.txt', second);
    const newTag = await pin('doc.txt', '2024-02-01T00:00:00Z');
    expect(newTag).not.toBe(oldTag);

    const partial = partialOf(first, 50_000, oldTag);
    const result = await store.download('doc.txt', partial.stream, { resumeFrom: partial.resumeFrom });

    expect(result).toMatchObject({ resumed: false, offset: 0, size: second.length, hash: sha256(second) });
    expect(partial.received().equals(second)).toBe(true);
    expect(partial.discarded()).toBe(1);
    expect(await server.getStatuses(folder, 1)).toEqual([200]);
    // The Range went out; the server's If-Range said no.
    if (server.getRanges) expect(server.getRanges(folder)).toEqual(['bytes=50000-']);
  });

  it.skipIf(kind.skip)('a weak tag sends no Range: the whole file with 200', async () => {
    const content = textOf(100_000, 'weak');
    await put('weak.txt', content);
    const strong = await pin('weak.txt', '2024-01-01T00:00:00Z');
    const partial = partialOf(content, 40_000, `W/${strong}`);
    const result = await store.download('weak.txt', partial.stream, { resumeFrom: partial.resumeFrom });

    expect(result).toMatchObject({ resumed: false, offset: 0, size: content.length, hash: sha256(content) });
    expect(partial.received().equals(content)).toBe(true);
    expect(await server.getStatuses(folder, 1)).toEqual([200]);
    if (server.getRanges) expect(server.getRanges(folder)).toEqual([undefined]);
  });

  it.skipIf(kind.skip)('an offset at the end of the file (416): asked again without Range, the whole file', async () => {
    const content = textOf(50_000, 'complete');
    await put('done.txt', content);
    const etag = await pin('done.txt', '2024-01-01T00:00:00Z');
    const partial = partialOf(content, content.length, etag);
    const result = await store.download('done.txt', partial.stream, { resumeFrom: partial.resumeFrom });

    expect(result).toMatchObject({ resumed: false, offset: 0, size: content.length, hash: sha256(content) });
    expect(partial.received().equals(content)).toBe(true);
    expect(await server.getStatuses(folder, 2)).toEqual([416, 200]);
    if (server.getRanges) expect(server.getRanges(folder)).toEqual([`bytes=${content.length}-`, undefined]);
  });

  it.skipIf(kind.skip)('a binary file resumed at every awkward offset: 1 byte, and one byte short of the end', async () => {
    const content = randomBytes(70_000);
    await put('blob.bin', content);
    const etag = await pin('blob.bin', '2024-01-01T00:00:00Z');
    for (const offset of [1, content.length - 1]) {
      const partial = partialOf(content, offset, etag);
      const result = await store.download('blob.bin', partial.stream, { resumeFrom: partial.resumeFrom });
      expect(result).toMatchObject({ resumed: true, offset, size: content.length, hash: sha256(content) });
      expect(partial.received().equals(content)).toBe(true);
    }
  });
});
