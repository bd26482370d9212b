/**
 * What TeraCloudApi puts on the wire, seen by a bare node:http server on loopback: the raw
 * request line (parentheses and matrix parameter literal), preemptive BASIC, the key header,
 * and a server that never answers (timeout).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../shared/errors.js';
import { TeraCloudApi } from '../../../electron/teracloud/TeraCloudApi.js';
import { discoverAccount } from '../../../electron/teracloud/discoverAccount.js';

const KEY = '0123456789ABCDEF0123456789ABCDEF';

interface Seen {
  rawUrl: string;
  authorization: string | undefined;
  apiKeyHeader: string | undefined;
}

let server: Server | undefined;

async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ origin: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((request, response) => {
    seen.push({
      rawUrl: request.url ?? '',
      authorization: request.headers.authorization,
      apiKeyHeader: request.headers['x-teracloud-api-key'] as string | undefined,
    });
    handler(request, response);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

afterEach(async () => {
  const current = server;
  server = undefined;
  if (current) {
    current.closeAllConnections();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  }
});

function answer(body: unknown) {
  return (_request: IncomingMessage, response: ServerResponse): void => {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(body));
  };
}

describe('TeraCloudApi on the wire', () => {
  it('sends (capacity) and the matrix key literally, with BASIC on the first request', async () => {
    const { origin, seen } = await listen(answer({ result: 0, dataset: { __ROOT__: { quota: 100, used: 7 } } }));
    const api = new TeraCloudApi({ apiKey: KEY, apiKeyPlacement: 'matrix', credentials: { userId: 'alice', password: 'pw' } });
    expect(await api.getQuota(origin)).toEqual({ quotaBytes: 100, usedBytes: 7 });
    expect(seen).toEqual([
      { rawUrl: `/v2/api/ba/dataset/(capacity);api_key=${KEY}`, authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}`, apiKeyHeader: undefined },
    ]);
  });

  it('sends the key header and no matrix parameter by default', async () => {
    const { origin, seen } = await listen(answer({ result: 0, user: 'alice', node: 'seto', webdav_url: 'https://seto.teracloud.jp/dav/', capacity: 20 }));
    const api = new TeraCloudApi({ apiBaseUrl: `${origin}/`, apiKey: KEY, credentials: { userId: 'alice', password: 'pw' } });
    expect(await api.getUser()).toMatchObject({ node: 'seto' });
    expect(seen).toEqual([{ rawUrl: '/v2/api/ba/user', authorization: expect.stringMatching(/^Basic /), apiKeyHeader: KEY }]);
  });

  it('gives up on a silent API server after timeoutMs, and discovery falls back', async () => {
    const { origin } = await listen(() => undefined);
    const api = new TeraCloudApi({ apiBaseUrl: origin, apiKey: KEY, credentials: { userId: 'alice', password: 'pw' }, timeoutMs: 300 });
    const result = await discoverAccount(api);
    expect(result).toMatchObject({ ok: false, fallback: 'manual', error: { code: ErrorCode.Timeout } });
    if (!result.ok) expect(result.error.message).toBe('The TeraCLOUD API did not answer within 300 ms. You can enter your node name or WebDAV URL from MyPage instead.');
  });

  it('reports a refused connection as Network with the manual way', async () => {
    const { origin } = await listen(answer({}));
    const current = server!;
    server = undefined;
    await new Promise<void>((resolve) => current.close(() => resolve()));
    const api = new TeraCloudApi({ apiBaseUrl: origin, apiKey: KEY, credentials: { userId: 'alice', password: 'pw' } });
    const error = await api.getUser().then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(TeraSyncError);
    expect((error as TeraSyncError).code).toBe(ErrorCode.Network);
    expect((error as TeraSyncError).message).toMatch(/^Could not reach the TeraCLOUD API \(ECONNREFUSED\)\. .*You can enter your node name or WebDAV URL/);
  });
});
