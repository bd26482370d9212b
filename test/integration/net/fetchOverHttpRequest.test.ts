/**
 * The fetch adapter over httpRequest, against a real HTTP server on loopback and a real proxy
 * (tinyproxy): what a library that calls fetch sends arrives as sent, the answer comes back
 * as a standard Response, and failures are httpRequest's coded errors, not fetch's TypeError.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import { fetchOverHttpRequest } from '../../../electron/net/fetchOverHttpRequest.js';
import { NO_PROXY_SETTING } from '../../../electron/net/proxy.js';
import { startTinyproxy, tinyproxyAvailable, type RunningProxy } from '../../support/proxies.js';
import { requireSystemTool } from '../../support/requirements.js';
import { makeTestCertificates, opensslAvailable, startTlsServer, type TestCertificates, type TestServer } from '../../support/tlsServers.js';
import { failure } from '../../support/failure.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const tinyproxy = requireSystemTool('tinyproxy', tinyproxyAvailable());
const openssl = requireSystemTool('openssl', opensslAvailable());

let server: Server;
let origin: string;
const seen: Seen[] = [];

function handle(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
    switch (request.url) {
      case '/json':
        response.writeHead(201, { 'Content-Type': 'application/json', 'Set-Cookie': ['a=1', 'b=2'], 'X-Answer': 'yes' });
        response.end(JSON.stringify({ ok: true, text: 'ünïcode' }));
        return;
      case '/empty':
        response.writeHead(204);
        response.end();
        return;
      case '/error':
        response.writeHead(400, { 'Content-Type': 'application/json' });
        response.end('{"error":"invalid_grant"}');
        return;
      case '/redirect':
        response.writeHead(302, { Location: '/json' });
        response.end();
        return;
      case '/silent':
        // Never answers: the caller's timeout or signal ends the wait.
        return;
      default:
        response.writeHead(404);
        response.end('missing');
    }
  });
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const direct = fetchOverHttpRequest({ proxy: NO_PROXY_SETTING, what: 'the test server' });

describe('fetchOverHttpRequest', () => {
  it('sends the method, headers and form body, and hands back status, headers and body as a Response', async () => {
    seen.length = 0;
    const response = await direct(`${origin}/json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', 'User-Agent': 'some-library/1' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'a b&c' }),
      redirect: 'manual',
    });
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-answer')).toBe('yes');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.json()).toEqual({ ok: true, text: 'ünïcode' });

    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(seen[0]?.headers['accept']).toBe('application/json');
    // The project's stack names the client, whatever the library would have said.
    expect(seen[0]?.headers['user-agent']).toBe('TeraSync');
    expect(new URLSearchParams(seen[0]?.body).get('refresh_token')).toBe('a b&c');
  });

  it('takes Headers and a text body, and gives a GET without a body when none is set', async () => {
    seen.length = 0;
    await direct(`${origin}/json`, { method: 'PUT', headers: new Headers({ 'X-One': '1' }), body: 'plain text' });
    await direct(`${origin}/json`);
    expect(seen.map((request) => [request.method, request.headers['x-one'], request.body])).toEqual([
      ['PUT', '1', 'plain text'],
      ['GET', undefined, ''],
    ]);
  });

  it('hands back error statuses, empty answers and redirects as they are (nothing is followed)', async () => {
    const error = await direct(`${origin}/error`, { method: 'POST', body: '' });
    expect(error.status).toBe(400);
    expect(await error.json()).toEqual({ error: 'invalid_grant' });

    const empty = await direct(`${origin}/empty`);
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe('');

    const redirect = await direct(`${origin}/redirect`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/json');
  });

  it("fails with httpRequest's coded errors: refused, timeout, cancelled, insecure address, too large", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await failure(direct(`http://127.0.0.1:${closedPort}/`));
    expect(refused.code).toBe(ErrorCode.Network);
    expect(refused.message).toContain('the test server');

    const slow = fetchOverHttpRequest({ proxy: NO_PROXY_SETTING, timeoutMs: 200 });
    expect((await failure(slow(`${origin}/silent`))).code).toBe(ErrorCode.Timeout);

    const controller = new AbortController();
    const cancelled = failure(direct(`${origin}/silent`, { signal: controller.signal }));
    controller.abort();
    expect((await cancelled).code).toBe(ErrorCode.Cancelled);

    expect((await failure(direct('http://auth.example/token'))).code).toBe(ErrorCode.Configuration);

    const small = fetchOverHttpRequest({ proxy: NO_PROXY_SETTING, maxBodyBytes: 10 });
    expect((await failure(small(`${origin}/json`))).code).toBe(ErrorCode.BadResponse);
  });

  it('refuses a body it cannot send as text', async () => {
    const body = new Blob(['x']) as unknown as string;
    expect((await failure(direct(`${origin}/json`, { method: 'POST', body }))).code).toBe(ErrorCode.InvalidRequest);
  });
});

describe.skipIf(tinyproxy.skip)('fetchOverHttpRequest through a proxy', () => {
  let proxy: RunningProxy;

  beforeAll(async () => {
    tinyproxy.assertAvailable();
    proxy = await startTinyproxy();
  }, 30_000);

  afterAll(async () => {
    await proxy?.close();
  });

  it("goes through the proxy it is given, like every other request of httpRequest's", async () => {
    seen.length = 0;
    const viaProxy = fetchOverHttpRequest({ proxy: { mode: 'manual', url: proxy.url } });
    const response = await viaProxy(`${origin}/json`, { method: 'POST', body: 'x=1' });
    expect(response.status).toBe(201);
    expect(seen.map((request) => request.body)).toEqual(['x=1']);
    expect(await proxy.log()).toContain(`CONNECT 127.0.0.1:${new URL(origin).port}`);
  });
});

describe.skipIf(openssl.skip)('fetchOverHttpRequest over TLS', () => {
  let certificates: TestCertificates;
  let tls: TestServer;

  beforeAll(async () => {
    openssl.assertAvailable();
    certificates = await makeTestCertificates();
    tls = await startTlsServer(certificates.server);
  }, 30_000);

  afterAll(async () => {
    await tls?.stop();
  });

  it('trusts the private CA it is given, and fails with Tls, saying what to do, without it', async () => {
    const trusting = fetchOverHttpRequest({ proxy: NO_PROXY_SETTING, ca: certificates.ca });
    const response = await trusting(`${tls.origin}/hello`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('hello');

    const untrusting = fetchOverHttpRequest({ proxy: NO_PROXY_SETTING, what: 'the sign-in server' });
    const error = await failure(untrusting(`${tls.origin}/hello`));
    expect(error.code).toBe(ErrorCode.Tls);
    expect(error.message).toContain('the sign-in server');
  });
});
