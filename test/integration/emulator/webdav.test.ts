/**
 * The emulator's WebDAV areas over real HTTP: BASIC both ways, the three areas, and the
 * Apache mod_dav quirks of the real service (docs/SERVICE.md, The WebDAV server) that a client must cope with.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createClient, type FileStat } from 'webdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { basic, etagsByHref, headerOf, send } from './http.js';
import { until } from '../../support/until.js';

const USER = 'demo';
const PASSWORD = 'demo-apps-password';
const AUTH = { Authorization: basic(USER, PASSWORD) };

let emulator: RunningEmulator;
/** The emulator's clock for weak ETags: a test moves it on instead of sleeping. */
let clock = Date.now();

beforeAll(async () => {
  emulator = await startEmulator({
    oauth: false,
    accounts: [
      { userId: USER, appsPassword: PASSWORD, node: 'seto' },
      { userId: 'newcomer', appsPassword: 'newcomer-password', node: 'toi', appsConnection: false },
    ],
    now: () => clock,
  });
});
afterAll(async () => {
  await emulator.close();
});

async function put(path: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  return (await send(`${emulator.davUrl}${path}`, { method: 'PUT', headers: { ...AUTH, ...headers }, body })).status;
}

describe('BASIC', () => {
  it('accepts credentials sent on the first request (preemptive)', async () => {
    expect(await put('preemptive.txt', 'first')).toBe(201);
    const answer = await send(`${emulator.davUrl}preemptive.txt`, { headers: AUTH });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('first');
  });

  it('challenges a request without credentials, and accepts the retry that answers it', async () => {
    await writeFile(join(emulator.filesDir(), 'challenge.txt'), 'behind the challenge');
    const challenge = await send(`${emulator.davUrl}challenge.txt`);
    expect(challenge.status).toBe(401);
    expect(challenge.headers['www-authenticate']).toBe('Basic realm="TeraCLOUD"');
    const retry = await send(`${emulator.davUrl}challenge.txt`, { headers: AUTH });
    expect(retry.status).toBe(200);
    expect(retry.text).toBe('behind the challenge');
  });

  it('refuses a wrong password and an unknown user with 401', async () => {
    expect((await send(emulator.davUrl, { method: 'PROPFIND', headers: { Authorization: basic(USER, 'wrong'), Depth: '0' } })).status).toBe(401);
    expect((await send(emulator.davUrl, { method: 'PROPFIND', headers: { Authorization: basic('nobody', PASSWORD), Depth: '0' } })).status).toBe(401);
    expect((await send(emulator.backupUrl, { method: 'PROPFIND', headers: { Authorization: basic(USER, 'wrong'), Depth: '0' } })).status).toBe(401);
  });

  it('refuses an account whose Apps connection is off, until it is turned on', async () => {
    const headers = { Authorization: basic('newcomer', 'newcomer-password'), Depth: '0' };
    const refused = await send(emulator.davUrl, { method: 'PROPFIND', headers });
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Basic realm="TeraCLOUD"');
    emulator.updateAccount('newcomer', { appsConnection: true });
    try {
      expect((await send(emulator.davUrl, { method: 'PROPFIND', headers })).status).toBe(207);
    } finally {
      emulator.updateAccount('newcomer', { appsConnection: false });
    }
    expect((await send(emulator.davUrl, { method: 'PROPFIND', headers })).status).toBe(401);
  });

  it('accepts only the current Apps password after it is reissued', async () => {
    emulator.updateAccount(USER, { appsPassword: 'reissued' });
    try {
      expect((await send(emulator.davUrl, { method: 'PROPFIND', headers: { ...AUTH, Depth: '0' } })).status).toBe(401);
      expect((await send(emulator.davUrl, { method: 'PROPFIND', headers: { Authorization: basic(USER, 'reissued'), Depth: '0' } })).status).toBe(207);
    } finally {
      emulator.updateAccount(USER, { appsPassword: PASSWORD });
    }
  });

  it('records every request without its credentials', async () => {
    const before = emulator.requests.length;
    await send(`${emulator.davUrl}preemptive.txt`, { headers: AUTH });
    await send(`${emulator.davUrl}preemptive.txt`);
    expect(emulator.requests.slice(before)).toEqual([
      { method: 'GET', path: '/dav/preemptive.txt', status: 200, authorization: 'basic', apiKey: 'none' },
      { method: 'GET', path: '/dav/preemptive.txt', status: 401, authorization: 'none', apiKey: 'none' },
    ]);
    const log = JSON.stringify(emulator.requests);
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain(AUTH.Authorization.slice(6));
  });
});

describe('areas', () => {
  it('keeps /dav/ on the files folder and /backup/ on a separate one', async () => {
    expect(await put('area.txt', 'files area')).toBe(201);
    expect((await send(`${emulator.backupUrl}area.txt`, { method: 'PUT', headers: AUTH, body: 'backup area' })).status).toBe(201);
    expect(await readFile(join(emulator.filesDir(), 'area.txt'), 'utf8')).toBe('files area');
    expect(await readFile(join(emulator.backupDir(), 'area.txt'), 'utf8')).toBe('backup area');
    expect((await send(`${emulator.davUrl}area.txt`, { headers: AUTH })).text).toBe('files area');
    expect((await send(`${emulator.backupUrl}area.txt`, { headers: AUTH })).text).toBe('backup area');
    await writeFile(join(emulator.backupDir(), 'only-in-backup.txt'), 'x');
    expect((await send(`${emulator.davUrl}only-in-backup.txt`, { headers: AUTH })).status).toBe(404);
  });

  it('gives each user their own files', async () => {
    emulator.updateAccount('newcomer', { appsConnection: true });
    try {
      await writeFile(join(emulator.filesDir('newcomer'), 'mine.txt'), 'newcomer file');
      expect((await send(`${emulator.davUrl}mine.txt`, { headers: { Authorization: basic('newcomer', 'newcomer-password') } })).text).toBe('newcomer file');
      expect((await send(`${emulator.davUrl}mine.txt`, { headers: AUTH })).status).toBe(404);
    } finally {
      emulator.updateAccount('newcomer', { appsConnection: false });
    }
  });

  it('refuses a MOVE from /dav/ to /backup/ with 502 and keeps the file', async () => {
    expect(await put('stays.txt', 'x')).toBe(201);
    const move = await send(`${emulator.davUrl}stays.txt`, { method: 'MOVE', headers: { ...AUTH, Destination: `${emulator.backupUrl}stays.txt` } });
    expect(move.status).toBe(502);
    expect((await send(`${emulator.davUrl}stays.txt`, { headers: AUTH })).status).toBe(200);
  });

  it('works with the webdav npm client: folders, upload, listing, download', async () => {
    clock = Date.now() + 60_000;
    const client = createClient(emulator.davUrl, { username: USER, password: PASSWORD });
    await client.createDirectory('/client');
    await client.putFileContents('/client/hello.txt', 'hello from webdav');
    const listing = (await client.getDirectoryContents('/client/')) as FileStat[];
    expect(listing.map((entry) => [entry.basename, entry.type, entry.size])).toEqual([['hello.txt', 'file', 17]]);
    expect(listing[0]!.etag).toMatch(/^[0-9a-f]+-[0-9a-f]+$/);
    expect(await client.getFileContents('/client/hello.txt', { format: 'text' })).toBe('hello from webdav');
    expect(await readFile(join(emulator.filesDir(), 'client', 'hello.txt'), 'utf8')).toBe('hello from webdav');

    const backup = createClient(emulator.backupUrl, { username: USER, password: PASSWORD });
    expect(await backup.exists('/client/hello.txt')).toBe(false);
    await backup.putFileContents('/kept.txt', 'backed up');
    expect(await backup.getFileContents('/kept.txt', { format: 'text' })).toBe('backed up');
    expect(await client.exists('/kept.txt')).toBe(false);
  });
});

describe('Apache mod_dav quirks', () => {
  it('advertises DAV classes 1 and 2 on OPTIONS', async () => {
    const answer = await send(emulator.davUrl, { method: 'OPTIONS', headers: AUTH });
    expect(answer.status).toBe(200);
    expect(answer.headers['dav']).toBe('1,2, <http://apache.org/dav/propset/fs/1>');
  });

  it('refuses PROPFIND with Depth: infinity or without Depth (403), answers Depth: 1 with path hrefs', async () => {
    expect((await send(emulator.davUrl, { method: 'PROPFIND', headers: { ...AUTH, Depth: 'infinity' } })).status).toBe(403);
    expect((await send(emulator.davUrl, { method: 'PROPFIND', headers: AUTH })).status).toBe(403);
    await put('listed.txt', 'x');
    const listing = await send(emulator.davUrl, { method: 'PROPFIND', headers: { ...AUTH, Depth: '1' } });
    expect(listing.status).toBe(207);
    expect([...etagsByHref(listing.text).keys()]).toEqual(expect.arrayContaining(['/dav/', '/dav/listed.txt']));
  });

  it('answers MKCOL on an existing folder with 301 (no trailing slash) and 405 (trailing slash)', async () => {
    expect((await send(`${emulator.davUrl}made`, { method: 'MKCOL', headers: AUTH })).status).toBe(201);
    const again = await send(`${emulator.davUrl}made`, { method: 'MKCOL', headers: AUTH });
    expect(again.status).toBe(301);
    expect(again.headers.location).toBe(`${emulator.davUrl}made/`);
    expect((await send(`${emulator.davUrl}made/`, { method: 'MKCOL', headers: AUTH })).status).toBe(405);
    expect((await send(`${emulator.davUrl}missing/made/`, { method: 'MKCOL', headers: AUTH })).status).toBe(409);
  });

  it('redirects any method on a folder URL without the trailing slash (mod_dir)', async () => {
    await send(`${emulator.davUrl}redirected/`, { method: 'MKCOL', headers: AUTH });
    const propfind = await send(`${emulator.davUrl}redirected`, { method: 'PROPFIND', headers: { ...AUTH, Depth: '0' } });
    expect(propfind.status).toBe(301);
    expect(propfind.headers.location).toBe(`${emulator.davUrl}redirected/`);
    expect((await send(`${emulator.davUrl}redirected`, { method: 'DELETE', headers: AUTH })).status).toBe(301);
    expect((await stat(join(emulator.filesDir(), 'redirected'))).isDirectory()).toBe(true);
    expect((await send(`${emulator.davUrl}redirected/`, { method: 'DELETE', headers: AUTH })).status).toBe(204);
  });

  it('refuses to DELETE or MOVE the root of an area (403)', async () => {
    expect((await send(emulator.davUrl, { method: 'DELETE', headers: AUTH })).status).toBe(403);
    expect((await send(emulator.backupUrl, { method: 'MOVE', headers: { ...AUTH, Destination: `${emulator.backupUrl}elsewhere/` } })).status).toBe(403);
    expect((await stat(emulator.filesDir())).isDirectory()).toBe(true);
    expect((await stat(emulator.backupDir())).isDirectory()).toBe(true);
  });

  it('answers PUT with 201 for a new file and 204 for a replaced one, 409 without the parent folder', async () => {
    expect(await put('replaced.txt', 'one')).toBe(201);
    expect(await put('replaced.txt', 'two')).toBe(204);
    expect(await readFile(join(emulator.filesDir(), 'replaced.txt'), 'utf8')).toBe('two');
    expect(await put('no-such-folder/file.txt', 'x')).toBe(409);
  });

  it('hands out a weak ETag within a second of the write and the strong one afterwards, in GET and PROPFIND alike', async () => {
    clock = Date.now();
    expect(await put('fresh.txt', 'fresh content')).toBe(201);
    const young = await send(`${emulator.davUrl}fresh.txt`, { headers: AUTH });
    expect(young.headers.etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    const youngListing = await send(`${emulator.davUrl}fresh.txt`, { method: 'PROPFIND', headers: { ...AUTH, Depth: '0' } });
    expect(etagsByHref(youngListing.text).get('/dav/fresh.txt')).toBe(young.headers.etag);

    clock = Date.now() + 1500;
    const settled = await send(`${emulator.davUrl}fresh.txt`, { headers: AUTH });
    expect(settled.headers.etag).toBe(young.headers.etag!.slice(2));
    const settledListing = await send(`${emulator.davUrl}fresh.txt`, { method: 'PROPFIND', headers: { ...AUTH, Depth: '0' } });
    expect(etagsByHref(settledListing.text).get('/dav/fresh.txt')).toBe(settled.headers.etag);
    expect((await send(`${emulator.davUrl}fresh.txt`, { headers: AUTH })).headers.etag).toBe(settled.headers.etag);
  });

  it('changes the ETag when the content changes, even at the same size right away', async () => {
    clock = Date.now() + 60_000;
    await put('changing.txt', 'aaaa');
    const first = (await send(`${emulator.davUrl}changing.txt`, { headers: AUTH })).headers.etag;
    await put('changing.txt', 'bbbb');
    const second = (await send(`${emulator.davUrl}changing.txt`, { headers: AUTH })).headers.etag;
    expect(first).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(second).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(second).not.toBe(first);
  });

  it('compares If-Match strongly: a weak tag, even the current one, gives 412', async () => {
    clock = Date.now();
    await put('guarded.txt', 'original');
    const weak = (await send(`${emulator.davUrl}guarded.txt`, { headers: AUTH })).headers.etag!;
    expect(weak.startsWith('W/')).toBe(true);
    expect(await put('guarded.txt', 'overwritten', { 'If-Match': weak })).toBe(412);
    expect((await send(`${emulator.davUrl}guarded.txt`, { method: 'DELETE', headers: { ...AUTH, 'If-Match': weak } })).status).toBe(412);
    expect(await readFile(join(emulator.filesDir(), 'guarded.txt'), 'utf8')).toBe('original');

    clock = Date.now() + 1500;
    const strong = (await send(`${emulator.davUrl}guarded.txt`, { headers: AUTH })).headers.etag!;
    expect(await put('guarded.txt', 'overwritten', { 'If-Match': '"0-0"' })).toBe(412);
    expect(await put('guarded.txt', 'overwritten', { 'If-Match': strong })).toBe(204);
    expect(await readFile(join(emulator.filesDir(), 'guarded.txt'), 'utf8')).toBe('overwritten');
  });

  it('refuses PUT with If-None-Match: * on an existing file (412) and allows it on a new one', async () => {
    expect(await put('exclusive.txt', 'first', { 'If-None-Match': '*' })).toBe(201);
    expect(await put('exclusive.txt', 'second', { 'If-None-Match': '*' })).toBe(412);
    expect(await readFile(join(emulator.filesDir(), 'exclusive.txt'), 'utf8')).toBe('first');
  });

  it('compresses a GET with Accept-Encoding: gzip, adds -gzip to the ETag and ignores Range', async () => {
    clock = Date.now() + 60_000;
    const content = 'TeraCLOUD '.repeat(1000);
    await put('compressible.txt', content);
    const plain = await send(`${emulator.davUrl}compressible.txt`, { headers: AUTH });
    const gzipped = await send(`${emulator.davUrl}compressible.txt`, { headers: { ...AUTH, 'Accept-Encoding': 'gzip' } });
    expect(gzipped.status).toBe(200);
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.etag).toBe(`${plain.headers.etag!.slice(0, -1)}-gzip"`);
    expect(gunzipSync(gzipped.body).toString('utf8')).toBe(content);

    const ranged = await send(`${emulator.davUrl}compressible.txt`, { headers: { ...AUTH, 'Accept-Encoding': 'gzip', Range: 'bytes=100-' } });
    expect(ranged.status).toBe(200);
    expect(ranged.headers['content-range']).toBeUndefined();
    expect(ranged.headers['content-length']).toBeUndefined();
    expect(gunzipSync(ranged.body).toString('utf8')).toBe(content);
  });

  it('serves byte ranges without gzip: 206, If-Range with a strong tag, 416 past the end', async () => {
    clock = Date.now() + 60_000;
    await put('ranged.txt', '0123456789');
    const whole = await send(`${emulator.davUrl}ranged.txt`, { headers: { ...AUTH, 'Accept-Encoding': 'identity' } });
    expect(whole.headers['content-length']).toBe('10');
    const part = await send(`${emulator.davUrl}ranged.txt`, { headers: { ...AUTH, Range: 'bytes=4-', 'If-Range': whole.headers.etag! } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 4-9/10');
    expect(part.text).toBe('456789');
    const stale = await send(`${emulator.davUrl}ranged.txt`, { headers: { ...AUTH, Range: 'bytes=4-', 'If-Range': '"0-0"' } });
    expect(stale.status).toBe(200);
    expect(stale.text).toBe('0123456789');
    const beyond = await send(`${emulator.davUrl}ranged.txt`, { headers: { ...AUTH, Range: 'bytes=10-' } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe('bytes */10');
  });

  it('serves no quota properties in PROPFIND', async () => {
    const body =
      '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:quota-used-bytes/><d:quota-available-bytes/><d:getetag/></d:prop></d:propfind>';
    const asked = await send(emulator.davUrl, { method: 'PROPFIND', headers: { ...AUTH, Depth: '0', 'Content-Type': 'application/xml' }, body });
    expect(asked.status).toBe(207);
    const found = /<D:propstat><D:status>HTTP\/1.1 200 OK<\/D:status><D:prop>(.*?)<\/D:prop><\/D:propstat>/.exec(asked.text)?.[1];
    expect(found).toMatch(/^<D:getetag>(W\/)?"[0-9a-f]+-[0-9a-f]+"<\/D:getetag>$/);
    expect(asked.text).toMatch(/<D:propstat><D:prop>[^]*quota-used-bytes[^]*quota-available-bytes[^]*<\/D:prop><D:status>HTTP\/1.1 404 Not Found<\/D:status>/);
    const all = await send(emulator.davUrl, { method: 'PROPFIND', headers: { ...AUTH, Depth: '1' } });
    expect(all.text).not.toContain('quota');
  });

  it('refuses to set getlastmodified: 207 with 409 for the property', async () => {
    await put('mtime.txt', 'x');
    const body =
      '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:getlastmodified>Mon, 01 Jan 2001 00:00:00 GMT</d:getlastmodified></d:prop></d:set></d:propertyupdate>';
    const answer = await send(`${emulator.davUrl}mtime.txt`, { method: 'PROPPATCH', headers: { ...AUTH, 'Content-Type': 'application/xml' }, body });
    expect(answer.status).toBe(207);
    expect(answer.text).toContain('<D:status>HTTP/1.1 409 Conflict</D:status>');
    expect(answer.text).not.toContain('200 OK');
  });

  it('holds a lock against a write without its token (423) and lets the token holder write', async () => {
    await put('locked.txt', 'before');
    const lock = await send(`${emulator.davUrl}locked.txt`, {
      method: 'LOCK',
      headers: { ...AUTH, 'Content-Type': 'application/xml', Timeout: 'Second-60' },
      body: '<?xml version="1.0"?><d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockinfo>',
    });
    expect(lock.status).toBe(200);
    const token = headerOf(lock, 'Lock-Token');
    expect(token).toMatch(/^<urn:uuid:[0-9a-f-]+>$/);
    expect(await put('locked.txt', 'intruder')).toBe(423);
    expect(await put('locked.txt', 'holder', { If: `(${token})` })).toBe(204);
    expect((await send(`${emulator.davUrl}locked.txt`, { method: 'UNLOCK', headers: { ...AUTH, 'Lock-Token': token } })).status).toBe(204);
    expect(await put('locked.txt', 'after')).toBe(204);
    expect(await readFile(join(emulator.filesDir(), 'locked.txt'), 'utf8')).toBe('after');
  });

  it('keeps the previous version when an upload breaks off, and no trace of the upload', async () => {
    await put('interrupted.txt', 'complete old version');
    const { port } = new URL(emulator.origin);
    const uploads = join(emulator.dataDir, '.uploads');
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`PUT /dav/interrupted.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${AUTH.Authorization}\r\nContent-Length: 1000\r\n\r\npartial new`);
    // Break off once the emulator has started writing the body.
    await until('the upload in progress on disk', async () => (await readdir(uploads)).length === 1, { timeoutMs: 5_000, intervalMs: 10 });
    socket.destroy();
    await until('the broken upload cleaned up', async () => (await readdir(uploads)).length === 0, { timeoutMs: 5_000, intervalMs: 10 });
    expect((await send(`${emulator.davUrl}interrupted.txt`, { headers: AUTH })).text).toBe('complete old version');
  });
});
