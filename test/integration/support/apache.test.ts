/**
 * Proves the Apache harness answers like the TeraCLOUD WebDAV service (docs/SERVICE.md), so
 * integration tests that pass against it mean something. Each quirk asserted here is what
 * Apache 2.4 with mod_dav actually answers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import https from 'node:https';
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import tls from 'node:tls';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apacheAvailable, startApache } from '../../support/apache.js';
import type { ApacheServer } from '../../support/apache.js';
import { requireSystemTool } from '../../support/requirements.js';

const apache = requireSystemTool('apache2', apacheAvailable(), 'apache2 openssl');

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  reusedSocket: boolean;
}

interface RequestOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  credentials?: { user: string; password: string } | 'none';
  agent?: http.Agent;
}

function send(server: ApacheServer, method: string, url: string, options: RequestOptions = {}): Promise<Reply> {
  const credentials = options.credentials ?? { user: server.user, password: server.password };
  const headers: Record<string, string> = { ...options.headers };
  if (credentials !== 'none') {
    headers['Authorization'] = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;
  }
  return new Promise((resolve, reject) => {
    const callback = (response: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks), reusedSocket: request.reusedSocket }),
      );
      response.on('error', reject);
    };
    // No keep-alive by default: sockets left open would outlive the server in stop().
    const agent = options.agent ?? false;
    const request = url.startsWith('https:')
      ? https.request(url, { method, headers, agent, ca: certificateAuthorityOf(server) }, callback)
      : http.request(url, { method, headers, agent }, callback);
    request.on('error', reject);
    request.end(options.body);
  });
}

const certificateAuthorities = new Map<string, Buffer>();
function certificateAuthorityOf(server: ApacheServer): Buffer {
  // Kept after the first read, so a request to a stopped server still gets as far as connecting.
  let pem = certificateAuthorities.get(server.caFile);
  if (!pem) {
    pem = readFileSync(server.caFile);
    certificateAuthorities.set(server.caFile, pem);
  }
  return pem;
}

const propfindBody = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:getlastmodified/><d:getetag/><d:resourcetype/></d:prop></d:propfind>`;

function proppatchLastModified(value: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:getlastmodified>${value}</d:getlastmodified></d:prop></d:set></d:propertyupdate>`;
}

const compressibleText = Array.from({ length: 2_000 }, (_, index) => `line ${index} of a compressible text file`).join('\n');

describe.skipIf(apache.skip)('Apache harness (like the TeraCLOUD WebDAV service)', () => {
  let server: ApacheServer;

  beforeAll(async () => {
    apache.assertAvailable();
    server = await startApache();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('serves the URLs and directories it announces', () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/dav\/$/);
    expect(server.backupUrl).toBe(`${server.origin}/backup/`);
    expect(server.url).toBe(`${server.origin}/dav/`);
    expect(existsSync(server.dataDir)).toBe(true);
    expect(existsSync(server.backupDir)).toBe(true);
    expect(server.dataDir).not.toBe(server.backupDir);
    expect(server.password.length).toBeGreaterThanOrEqual(16);
  });

  it('advertises DAV class 1 and 2', async () => {
    const reply = await send(server, 'OPTIONS', server.url);
    expect(reply.status).toBe(200);
    expect(reply.headers['dav']).toMatch(/^1,\s?2/);
  });

  it('answers PROPFIND Depth 1 with 207', async () => {
    const reply = await send(server, 'PROPFIND', server.url, {
      headers: { Depth: '1', 'Content-Type': 'application/xml' },
      body: propfindBody,
    });
    expect(reply.status).toBe(207);
    expect(reply.body.toString('utf8')).toContain('<D:href>/dav/</D:href>');
  });

  it('refuses PROPFIND Depth infinity with 403', async () => {
    const reply = await send(server, 'PROPFIND', server.url, {
      headers: { Depth: 'infinity', 'Content-Type': 'application/xml' },
      body: propfindBody,
    });
    expect(reply.status).toBe(403);
  });

  it('answers MKCOL on an existing folder with 301 without the trailing slash and 405 with it', async () => {
    const created = await send(server, 'MKCOL', `${server.url}existing/`);
    expect(created.status).toBe(201);

    const withoutSlash = await send(server, 'MKCOL', `${server.url}existing`);
    expect(withoutSlash.status).toBe(301);
    expect(withoutSlash.headers.location).toBe(`${server.url}existing/`);

    const withSlash = await send(server, 'MKCOL', `${server.url}existing/`);
    expect(withSlash.status).toBe(405);
  });

  it('gzips a text file on request, with a -gzip ETag', async () => {
    expect((await send(server, 'PUT', `${server.url}compressible.txt`, { body: compressibleText })).status).toBe(201);

    const reply = await send(server, 'GET', `${server.url}compressible.txt`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-encoding']).toBe('gzip');
    expect(reply.headers.etag).toMatch(/-gzip"$/);
    expect(gunzipSync(reply.body).toString('utf8')).toBe(compressibleText);
  });

  it('sends the file as it is with Accept-Encoding identity', async () => {
    expect((await send(server, 'PUT', `${server.url}plain.txt`, { body: compressibleText })).status).toBe(201);

    const reply = await send(server, 'GET', `${server.url}plain.txt`, { headers: { 'Accept-Encoding': 'identity' } });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect(reply.headers.etag).not.toMatch(/-gzip"$/);
    expect(reply.headers['content-length']).toBe(String(Buffer.byteLength(compressibleText)));
    expect(reply.body.toString('utf8')).toBe(compressibleText);
  });

  it('with gzip, ignores Range on a large file: a full 200, chunked, with no length', async () => {
    const large = Array.from({ length: 200_000 }, (_, index) => `line ${index}`).join('\n');
    expect((await send(server, 'PUT', `${server.url}large.txt`, { body: large })).status).toBe(201);

    const reply = await send(server, 'GET', `${server.url}large.txt`, { headers: { 'Accept-Encoding': 'gzip', Range: 'bytes=0-9' } });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-encoding']).toBe('gzip');
    expect(reply.headers['content-length']).toBeUndefined();
    expect(reply.headers['transfer-encoding']).toBe('chunked');
    expect(gunzipSync(reply.body).toString('utf8')).toBe(large);
  });

  it('with gzip, applies Range on a small file to the compressed bytes, not the file', async () => {
    // Apache compresses a small file in one piece, knows its length, and then serves the
    // range of the gzip stream: the ten bytes are not the first ten bytes of the file.
    const small = compressibleText.slice(0, 8_000);
    expect((await send(server, 'PUT', `${server.url}small-range.txt`, { body: small })).status).toBe(201);

    const reply = await send(server, 'GET', `${server.url}small-range.txt`, { headers: { 'Accept-Encoding': 'gzip', Range: 'bytes=0-9' } });
    expect(reply.status).toBe(206);
    expect(reply.headers['content-encoding']).toBe('gzip');
    expect(reply.headers['content-range']).toMatch(/^bytes 0-9\/\d+$/);
    expect(reply.headers['content-range']).not.toBe(`bytes 0-9/${Buffer.byteLength(small)}`);
    expect(reply.body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it('keeps Range working with Accept-Encoding identity', async () => {
    expect((await send(server, 'PUT', `${server.url}range.txt`, { body: compressibleText })).status).toBe(201);

    const reply = await send(server, 'GET', `${server.url}range.txt`, { headers: { 'Accept-Encoding': 'identity', Range: 'bytes=0-9' } });
    expect(reply.status).toBe(206);
    expect(reply.body.toString('utf8')).toBe(compressibleText.slice(0, 10));
  });

  it('does not compress PROPFIND answers', async () => {
    const reply = await send(server, 'PROPFIND', server.url, {
      headers: { Depth: '1', 'Content-Type': 'application/xml', 'Accept-Encoding': 'gzip' },
      body: propfindBody,
    });
    expect(reply.status).toBe(207);
    expect(reply.headers['content-encoding']).toBeUndefined();
  });

  it('hands out a weak ETag for a file changed within the last second, a strong one for an older file', async () => {
    expect((await send(server, 'PUT', `${server.url}fresh.txt`, { body: 'fresh' })).status).toBe(201);
    const file = path.join(server.dataDir, 'fresh.txt');
    // Apache makes the tag weak while request time minus mtime is at most a second, as
    // for a file just written. Set the mtime on disk instead of racing the clock: ahead
    // of now is the same case, an hour back is an old file.
    const anHourAhead = new Date(Date.now() + 3_600_000);
    await utimes(file, anHourAhead, anHourAhead);
    const fresh = await send(server, 'HEAD', `${server.url}fresh.txt`);
    expect(fresh.headers.etag).toMatch(/^W\/"/);

    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(file, anHourAgo, anHourAgo);
    const aged = await send(server, 'HEAD', `${server.url}fresh.txt`);
    expect(aged.headers.etag).toMatch(/^"/);
  });

  it('refuses a PROPPATCH of getlastmodified with 409 read-only and keeps the mtime', async () => {
    expect((await send(server, 'PUT', `${server.url}mtime.txt`, { body: 'mtime' })).status).toBe(201);
    const file = path.join(server.dataDir, 'mtime.txt');
    const before = (await stat(file)).mtimeMs;

    const reply = await send(server, 'PROPPATCH', `${server.url}mtime.txt`, {
      headers: { 'Content-Type': 'application/xml' },
      body: proppatchLastModified('Mon, 01 Jan 2001 00:00:00 GMT'),
    });
    expect(reply.status).toBe(207);
    const text = reply.body.toString('utf8');
    // Apache 2.4 writes the status line without a reason phrase: "HTTP/1.1 409 (status)".
    expect(text).toMatch(/<D:status>HTTP\/1\.1 409/);
    expect(text).toContain('Property is read-only.');
    expect((await stat(file)).mtimeMs).toBe(before);
  });

  it('stores a dead property of our own namespace', async () => {
    expect((await send(server, 'PUT', `${server.url}dead.txt`, { body: 'dead' })).status).toBe(201);
    const set = await send(server, 'PROPPATCH', `${server.url}dead.txt`, {
      headers: { 'Content-Type': 'application/xml' },
      body: `<?xml version="1.0" encoding="utf-8"?>
<d:propertyupdate xmlns:d="DAV:" xmlns:t="urn:terasync"><d:set><d:prop><t:mtime>1234</t:mtime></d:prop></d:set></d:propertyupdate>`,
    });
    expect(set.status).toBe(207);
    expect(set.body.toString('utf8')).toContain('HTTP/1.1 200 OK');

    const read = await send(server, 'PROPFIND', `${server.url}dead.txt`, {
      headers: { Depth: '0', 'Content-Type': 'application/xml' },
      body: `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:t="urn:terasync"><d:prop><t:mtime/></d:prop></d:propfind>`,
    });
    expect(read.body.toString('utf8')).toMatch(/<ns\d+:mtime[^>]*>1234</);
  });

  it('asks for BASIC credentials and refuses wrong ones', async () => {
    const anonymous = await send(server, 'PROPFIND', server.url, { headers: { Depth: '0' }, credentials: 'none' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic realm="/);

    const wrong = await send(server, 'PROPFIND', server.url, { headers: { Depth: '0' }, credentials: { user: server.user, password: 'wrong' } });
    expect(wrong.status).toBe(401);
  });

  it('speaks TLS 1.2 and 1.3 with a certificate for 127.0.0.1 and localhost, and refuses TLS 1.1', async () => {
    const port = Number(new URL(server.origin).port);
    const ca = await readFile(server.caFile);
    const handshake = (version: tls.SecureVersion, servername?: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = tls.connect({
          host: '127.0.0.1',
          port,
          ca,
          ...(servername ? { servername } : {}),
          minVersion: version,
          maxVersion: version,
          // Node's OpenSSL would not even offer TLS 1.1 at its default security level; lower
          // it so that the refusal we see is the server's.
          ciphers: 'DEFAULT@SECLEVEL=0',
        });
        socket.once('secureConnect', () => {
          const protocol = socket.getProtocol() ?? '';
          socket.destroy();
          resolve(protocol);
        });
        socket.once('error', reject);
      });

    await expect(handshake('TLSv1.2')).resolves.toBe('TLSv1.2');
    await expect(handshake('TLSv1.3')).resolves.toBe('TLSv1.3');
    await expect(handshake('TLSv1.3', 'localhost')).resolves.toBe('TLSv1.3');
    // Alert 70, protocol_version, from the server.
    await expect(handshake('TLSv1.1')).rejects.toMatchObject({ code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
  });

  it('keeps connections alive', async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await send(server, 'PROPFIND', server.url, { headers: { Depth: '0' }, agent });
      const second = await send(server, 'PROPFIND', server.url, { headers: { Depth: '0' }, agent });
      expect(first.status).toBe(207);
      expect(first.headers.connection).not.toBe('close');
      expect(second.reusedSocket).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('keeps the backup area apart from /dav/', async () => {
    expect((await send(server, 'PUT', `${server.backupUrl}archive.txt`, { body: 'backup' })).status).toBe(201);

    expect(await readFile(path.join(server.backupDir, 'archive.txt'), 'utf8')).toBe('backup');
    expect(existsSync(path.join(server.dataDir, 'archive.txt'))).toBe(false);
    expect((await send(server, 'GET', `${server.url}archive.txt`)).status).toBe(404);
    const listing = await send(server, 'PROPFIND', server.url, { headers: { Depth: '1' }, body: propfindBody });
    expect(listing.body.toString('utf8')).not.toContain('archive.txt');

    const backupListing = await send(server, 'PROPFIND', server.backupUrl, { headers: { Depth: '1' }, body: propfindBody });
    expect(backupListing.status).toBe(207);
    expect(backupListing.body.toString('utf8')).toContain('/backup/archive.txt');
  });

  it('lets Apache change files a test wrote on disk, after grantServerAccess()', async () => {
    await writeFile(path.join(server.dataDir, 'seeded.txt'), 'seeded on disk');
    await server.grantServerAccess();
    expect((await send(server, 'GET', `${server.url}seeded.txt`)).body.toString('utf8')).toBe('seeded on disk');
    expect((await send(server, 'PUT', `${server.url}seeded.txt`, { body: 'changed over WebDAV' })).status).toBe(204);
    expect((await send(server, 'DELETE', `${server.url}seeded.txt`)).status).toBe(204);
  });

  it('records requests in the access log with the decoded path, status and bytes', async () => {
    const name = '日本語 "quoted" name.txt';
    const url = `${server.url}${encodeURIComponent(name)}`;
    expect((await send(server, 'PUT', url, { body: compressibleText })).status).toBe(201);
    const compressed = await send(server, 'GET', url, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(compressed.headers['content-encoding']).toBe('gzip');

    const lines = await server.accessLog((entries) => entries.some((entry) => entry.method === 'GET' && entry.path === `/dav/${name}`));
    expect(lines).toContainEqual({ method: 'PUT', path: `/dav/${name}`, status: 201, bytes: expect.any(Number) });
    // The log counts the bytes sent, after compression.
    expect(lines).toContainEqual({ method: 'GET', path: `/dav/${name}`, status: 200, bytes: compressed.body.length });
    expect(lines).toContainEqual({ method: 'PROPFIND', path: '/dav/', status: 403, bytes: expect.any(Number) });

    const settled = await server.accessLog();
    expect(settled.length).toBeGreaterThanOrEqual(lines.length);
  });
});

describe.skipIf(apache.skip)('Apache harness options and isolation', () => {
  it('serves plain HTTP without mod_deflate when asked', async () => {
    apache.assertAvailable();
    const server = await startApache({ https: false, deflate: false });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dav\/$/);
      expect((await send(server, 'PUT', `${server.url}text.txt`, { body: compressibleText })).status).toBe(201);
      const reply = await send(server, 'GET', `${server.url}text.txt`, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(reply.status).toBe(200);
      expect(reply.headers['content-encoding']).toBeUndefined();
      expect(reply.headers.etag).not.toMatch(/-gzip"$/);
    } finally {
      await server.stop();
    }
  });

  it('runs two servers at once on different ports and directories, and stop() removes everything', async () => {
    apache.assertAvailable();
    const [first, second] = await Promise.all([startApache(), startApache()]);
    try {
      expect(first.origin).not.toBe(second.origin);
      expect(first.dataDir).not.toBe(second.dataDir);
      expect(first.password).not.toBe(second.password);
      for (const server of [first, second]) {
            expect((await send(server, 'PROPFIND', server.url, { headers: { Depth: '0' } })).status).toBe(207);
      }
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
    expect(existsSync(first.dataDir)).toBe(false);
    expect(existsSync(second.dataDir)).toBe(false);
    await expect(send(first, 'PROPFIND', first.url, { headers: { Depth: '0' } })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
