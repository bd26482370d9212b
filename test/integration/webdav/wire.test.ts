/**
 * What WebDavTransport.send puts on the wire and makes of the answer, against a scripted server
 * (test/support/hostileServer.ts): the headers every request carries, a small PUT's body and
 * length, compressed listings, and which redirects are followed.
 */
import { Readable, Writable } from 'node:stream';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import { WebDavRemoteStore } from '../../../electron/webdav/WebDavRemoteStore.js';
import { davAnswer, multistatus, selfSignedCertificate, startHostileServer, type HostileServer } from '../../support/hostileServer.js';
import { failure } from '../../support/failure.js';
import { FakeClock } from '../../support/fakeClock.js';

const ROOT = '/dav/Sync/';
const AUTHORIZATION = `Basic ${Buffer.from('alice:Secret-Apps-Password').toString('base64')}`;

let hostile: HostileServer;
const others: HostileServer[] = [];
const stores: WebDavRemoteStore[] = [];

function storeFor(server: HostileServer = hostile, ca?: string): WebDavRemoteStore {
  const store = new WebDavRemoteStore({
    url: `${server.url}dav/Sync/`,
    ...(ca === undefined ? {} : { ca }),
    auth: { kind: 'basic', user: 'alice', password: 'Secret-Apps-Password' },
    clock: new FakeClock(Date.parse('Mon, 02 Jun 2025 10:00:00 GMT'), { sleeps: 'instant' }),
    random: () => 0.5,
    retry: { attempts: 1 },
  });
  stores.push(store);
  return store;
}

beforeEach(async () => {
  hostile = await startHostileServer();
});

afterEach(async () => {
  for (const store of stores.splice(0)) store.dispose();
  for (const other of others.splice(0)) await other.stop();
  await hostile.stop();
});

describe('requests', () => {
  it('a small PUT carries its length, the user agent and the credentials, and the whole body', async () => {
    hostile.script({ status: 201 });
    await storeFor().upload('note.txt', () => Readable.from([Buffer.from('hel'), Buffer.from('lo')]), 5, { statAfter: false });
    const put = hostile.requests[0];
    expect(put?.method).toBe('PUT');
    expect(put?.headers['content-length']).toBe('5');
    expect(put?.headers['transfer-encoding']).toBeUndefined();
    expect(put?.headers['user-agent']).toBe('TeraSync');
    expect(put?.headers.authorization).toBe(AUTHORIZATION);
    expect(put?.body.toString()).toBe('hello');
  });

  it('a listing asks for a compressed answer; a download asks for none', async () => {
    hostile.script(davAnswer([{ href: `${ROOT}a.txt`, size: 1, etag: '"a"' }]), { status: 200, headers: { ETag: '"a"' }, body: 'x' });
    const store = storeFor();
    await store.stat('a.txt');
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    await store.download('a.txt', stream);
    expect(hostile.requests.map((request) => [request.method, request.headers['accept-encoding']])).toEqual([
      ['PROPFIND', 'gzip, br'],
      ['GET', 'identity'],
    ]);
    expect(Buffer.concat(chunks).toString()).toBe('x');
  });
});

describe('compressed answers', () => {
  const body = multistatus([{ href: `${ROOT}a.txt`, size: 7, etag: '"zipped"' }]);

  it.each([
    { encoding: 'gzip', compress: gzipSync },
    { encoding: 'br', compress: brotliCompressSync },
  ])('a listing sent with Content-Encoding: $encoding is read decompressed', async ({ encoding, compress }) => {
    hostile.script({ status: 207, headers: { 'Content-Type': 'application/xml; charset=utf-8', 'Content-Encoding': encoding }, body: compress(Buffer.from(body)) });
    expect(await storeFor().stat('a.txt')).toMatchObject({ path: 'a.txt', size: 7, etag: '"zipped"' });
  });

  it('a download the server compressed although asked for identity is written decoded', async () => {
    hostile.script({ status: 200, headers: { 'Content-Encoding': 'gzip', ETag: '"g"' }, body: gzipSync(Buffer.from('plain text')) });
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    const result = await storeFor().download('a.txt', stream);
    expect(Buffer.concat(chunks).toString()).toBe('plain text');
    expect(result.size).toBe(10);
  });
});

describe('redirects', () => {
  it('follows a PROPFIND of a folder to its address with the slash (mod_dir), with the credentials', async () => {
    hostile.script({ status: 301, headers: { Location: `${hostile.url}dav/Sync/folder/` } }, davAnswer([{ href: `${ROOT}folder/`, collection: true, etag: '"f"' }]));
    expect(await storeFor().stat('folder')).toMatchObject({ path: 'folder', type: 'dir' });
    expect(hostile.requests.map((request) => [request.method, request.path, request.headers.authorization])).toEqual([
      ['PROPFIND', '/dav/Sync/folder', AUTHORIZATION],
      ['PROPFIND', '/dav/Sync/folder/', AUTHORIZATION],
    ]);
    // The PROPFIND body is sent again with the second request.
    expect(hostile.requests[1]?.body.toString()).toBe(hostile.requests[0]?.body.toString());
    expect(hostile.requests[1]?.body.length).toBeGreaterThan(0);
  });

  it('does not follow a redirect to another server: BadResponse, and nothing reaches it', async () => {
    const other = await startHostileServer();
    others.push(other);
    hostile.script({ status: 302, headers: { Location: `${other.url}dav/Sync/folder/` } });
    const error = await failure(storeFor().stat('folder'));
    expect(error.code).toBe(ErrorCode.BadResponse);
    expect(error.message).toMatch(/redirected PROPFIND "folder" somewhere it cannot be followed/);
    expect(other.requests).toEqual([]);
  });

  it('refuses a redirect from HTTPS to plain HTTP (Configuration), and nothing reaches the plain server', async () => {
    const certificate = await selfSignedCertificate();
    const secure = await startHostileServer({ tls: certificate });
    const plain = await startHostileServer();
    others.push(secure, plain);
    secure.script({ status: 301, headers: { Location: `${plain.url}dav/Sync/folder/` } });
    const error = await failure(storeFor(secure, certificate.cert).stat('folder'));
    expect(error.code, error.message).toBe(ErrorCode.Configuration);
    expect(error.message).toMatch(/plain HTTP/);
    expect(secure.requests).toHaveLength(1);
    expect(plain.requests).toEqual([]);
  });

  it('does not follow a redirect of a PUT (the change is not sent elsewhere)', async () => {
    hostile.script({ status: 307, headers: { Location: `${hostile.url}dav/Sync/elsewhere.txt` } });
    await failure(storeFor().upload('note.txt', () => Readable.from([Buffer.from('hello')]), 5, { statAfter: false }));
    expect(hostile.requests.map((request) => [request.method, request.path])).toEqual([['PUT', '/dav/Sync/note.txt']]);
  });

  it('gives up after 20 redirects (BadResponse)', async () => {
    hostile.setFallback({ status: 301, headers: { Location: `${hostile.url}dav/Sync/loop/` } });
    const error = await failure(storeFor().stat('loop'));
    expect(error.code).toBe(ErrorCode.BadResponse);
    expect(hostile.requests).toHaveLength(21);
  });
});
