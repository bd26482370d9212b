/**
 * Both HTTP stacks (the WebDAV store and httpRequest, which the REST and OAuth2 clients use)
 * through real proxies on loopback, in front of Apache configured like the service (HTTPS with
 * a private CA, BASIC): tinyproxy with and without BASIC proxy authentication, tinyproxy that
 * allows CONNECT only to port 443, and microsocks (SOCKS5) with and without a user.
 *
 * What a user would notice: with the proxy the files are there as without it; the proxy sees
 * only CONNECT lines, never the Apps password; each proxy failure says what it is (not the
 * service's 401 advice) and is coded so that the engine treats an outage as being offline.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import { httpRequest } from '../../../electron/net/httpRequest.js';
import { type ProxySetting } from '../../../electron/net/proxy.js';
import { isRetryable } from '../../../electron/net/retry.js';
import { WebDavRemoteStore } from '../../../electron/webdav/WebDavRemoteStore.js';
import { apacheAvailable, startApache, type ApacheServer } from '../../support/apache.js';
import { microsocksAvailable, startMicrosocks, startTinyproxy, tinyproxyAvailable, type RunningProxy } from '../../support/proxies.js';
import { requireSystemTool } from '../../support/requirements.js';
import { failure } from '../../support/failure.js';

const apache = requireSystemTool('apache2', apacheAvailable(), 'apache2 openssl');
const tinyproxy = requireSystemTool('tinyproxy', tinyproxyAvailable());
const microsocks = requireSystemTool('microsocks', microsocksAvailable());

const PROXY_USER = 'proxy-user';
const PROXY_PASSWORD = 'proxy-pass-Zq81';

let server: ApacheServer;
let ca: string;
const proxies: RunningProxy[] = [];

function store(proxy: ProxySetting, options: { ca?: string | undefined; attempts?: number; concurrency?: number } = {}): WebDavRemoteStore {
  return new WebDavRemoteStore({
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    url: server.url,
    auth: { kind: 'basic', user: server.user, password: server.password },
    ca: 'ca' in options ? options.ca : ca,
    timeoutMs: 10_000,
    retry: { attempts: options.attempts ?? 1, baseDelayMs: 1, maxDelayMs: 1 },
    proxy,
  });
}

async function withStore<T>(proxy: ProxySetting, run: (remote: WebDavRemoteStore) => Promise<T>, options: { ca?: string | undefined } = {}): Promise<T> {
  const remote = store(proxy, options);
  try {
    return await run(remote);
  } finally {
    await remote.dispose();
  }
}

/** Request lines tinyproxy logged ("Request (file descriptor 7): CONNECT 127.0.0.1:443 HTTP/1.1"). */
function requestLines(log: string): string[] {
  return log
    .split('\n')
    .map((line) => /Request \(file descriptor \d+\): (.*)$/.exec(line)?.[1])
    .filter((line): line is string => line !== undefined);
}

const basicForm = (): string => Buffer.from(`${server.user}:${server.password}`).toString('base64');

describe.skipIf(apache.skip || tinyproxy.skip || microsocks.skip)('through real proxies, in front of Apache', () => {
  beforeAll(async () => {
    apache.assertAvailable();
    tinyproxy.assertAvailable();
    microsocks.assertAvailable();
    server = await startApache();
    ca = await readFile(server.caFile, 'utf8');
    await writeFile(join(server.dataDir, 'hello.txt'), 'hello through the tunnel\n');
    await server.grantServerAccess();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await server?.stop();
  });

  async function proxy(start: () => Promise<RunningProxy>): Promise<RunningProxy> {
    const running = await start();
    proxies.push(running);
    return running;
  }

  it('lists and downloads through tinyproxy; the proxy logs only CONNECT, never the Apps password', async () => {
    const http = await proxy(() => startTinyproxy());
    const listing = await withStore({ mode: 'manual', url: http.url }, async (remote) => {
      const found = await remote.list();
      // Several requests on the store's keep-alive connections through the tunnel.
      await remote.stat('hello.txt');
      await remote.stat('hello.txt');
      return found;
    });
    expect([...listing.entries.keys()]).toContain('hello.txt');
    const log = await http.log();
    const lines = requestLines(log);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^CONNECT 127\.0\.0\.1:\d+ HTTP\/1\.1$/);
    // Keep-alive through the tunnel: fewer tunnels than requests.
    expect(lines.length).toBeLessThan(3);
    expect(log).not.toContain(server.password);
    expect(log).not.toContain(basicForm());
  });

  it("keeps the store's socket limit through the proxy: a wide listing uses at most concurrency + 2 tunnels", async () => {
    const http = await proxy(() => startTinyproxy());
    for (let index = 0; index < 12; index++) {
      await mkdir(join(server.dataDir, 'wide', `folder-${index}`), { recursive: true });
      await writeFile(join(server.dataDir, 'wide', `folder-${index}`, 'file.txt'), `file ${index}\n`);
    }
    await server.grantServerAccess();
    const remote = store({ mode: 'manual', url: http.url }, { concurrency: 1 });
    try {
      const listing = await remote.list();
      expect([...listing.entries.keys()].filter((key) => key.startsWith('wide/') && key.endsWith('/file.txt'))).toHaveLength(12);
      await Promise.all(Array.from({ length: 12 }, (_, index) => remote.stat(`wide/folder-${index}/file.txt`)));
    } finally {
      await remote.dispose();
    }
    const tunnels = requestLines(await http.log()).length;
    expect(tunnels).toBeGreaterThan(0);
    expect(tunnels).toBeLessThanOrEqual(3);
  });

  it('httpRequest (REST, OAuth2) goes through the proxy the same way', async () => {
    const http = await proxy(() => startTinyproxy());
    const response = await httpRequest(`${server.origin}/dav/hello.txt`, {
      ca,
      headers: { Authorization: `Basic ${basicForm()}` },
      proxy: { mode: 'manual', url: http.url },
    });
    expect(response.status).toBe(200);
    expect(response.body).toBe('hello through the tunnel\n');
    expect(requestLines(await http.log())).toEqual([expect.stringMatching(/^CONNECT 127\.0\.0\.1:\d+ HTTP\/1\.1$/)]);
  });

  it('with BASIC proxy authentication: the right user passes, none or a wrong password is ProxyAuth with its own advice', async () => {
    const guarded = await proxy(() => startTinyproxy({ auth: { user: PROXY_USER, password: PROXY_PASSWORD } }));
    const entries = await withStore({ mode: 'manual', url: guarded.urlWithAuth }, (remote) => remote.list());
    expect([...entries.entries.keys()]).toContain('hello.txt');
    // Credentials beside the URL (the app's keychain) count the same.
    const viaFields = await withStore({ mode: 'manual', url: guarded.url, username: PROXY_USER, password: PROXY_PASSWORD }, (remote) => remote.stat('hello.txt'));
    expect(viaFields?.type).toBe('file');

    const missing = await failure(withStore({ mode: 'manual', url: guarded.url }, (remote) => remote.list()));
    expect(missing.code).toBe(ErrorCode.ProxyAuth);
    expect(missing.status).toBe(407);
    expect(missing.message).toMatch(/wants a user name and password \(407\)/);
    expect(missing.message).not.toMatch(/Apps connection/);

    const wrong = await failure(
      withStore({ mode: 'manual', url: `http://${PROXY_USER}:not-the-password@127.0.0.1:${guarded.port}` }, (remote) => remote.list()),
    );
    expect(wrong.code).toBe(ErrorCode.ProxyAuth);
    // tinyproxy answers a wrong password with 401 (a standard proxy with 407): both are the proxy's.
    expect(wrong.message).toMatch(/refused the proxy user name or password \((?:407|401)\)/);
    expect(wrong.message).toContain(`http://${PROXY_USER}@127.0.0.1:${guarded.port}`);
    expect(wrong.message).not.toContain('not-the-password');
    expect(isRetryable(wrong)).toBe(false);

    const viaRequest = await failure(httpRequest(`${server.origin}/dav/`, { ca, proxy: { mode: 'manual', url: guarded.url } }));
    expect(viaRequest.code).toBe(ErrorCode.ProxyAuth);
    const log = await guarded.log();
    expect(log).not.toContain(PROXY_PASSWORD);
    expect(log).not.toContain(server.password);
  });

  it('a CONNECT the proxy refuses for the host says so (Configuration, not the service)', async () => {
    const strict = await proxy(() => startTinyproxy({ connectPorts: [443] }));
    const refused = await failure(withStore({ mode: 'manual', url: strict.url }, (remote) => remote.list()));
    expect(refused.code).toBe(ErrorCode.Configuration);
    expect(refused.message).toMatch(/refused to open a connection to 127\.0\.0\.1:\d+ \(403/);
    expect(refused.message).toMatch(/NO_PROXY/);
  });

  it('a proxy that is down is Network and retried like a dropped connection, and works again once back', async () => {
    const http = await proxy(() => startTinyproxy());
    await http.stop();
    const down = await failure(withStore({ mode: 'manual', url: http.url }, (remote) => remote.list()));
    expect(down.code).toBe(ErrorCode.Network);
    expect(down.message).toMatch(new RegExp(`Could not reach the proxy http://127\\.0\\.0\\.1:${http.port} \\(ECONNREFUSED\\)`));
    expect(isRetryable(down)).toBe(true);
    const downRequest = await failure(httpRequest(`${server.origin}/dav/`, { ca, proxy: { mode: 'manual', url: http.url } }));
    expect(downRequest.code).toBe(ErrorCode.Network);
    expect(downRequest.message).toMatch(/Could not reach the proxy/);

    // The same store, with retries, gets through once the proxy is back.
    const remote = store({ mode: 'manual', url: http.url }, { attempts: 1 });
    try {
      expect((await failure(remote.stat('hello.txt'))).code).toBe(ErrorCode.Network);
      await http.start();
      expect((await remote.stat('hello.txt'))?.type).toBe('file');
    } finally {
      await remote.dispose();
    }
  });

  it('TLS stays end to end and checked: without the CA the message names the proxy and --ca', async () => {
    const http = await proxy(() => startTinyproxy());
    const unchecked = await failure(withStore({ mode: 'manual', url: http.url }, (remote) => remote.list(), { ca: undefined }));
    expect(unchecked.code).toBe(ErrorCode.Tls);
    expect(unchecked.message).toMatch(new RegExp(`through the proxy http://127\\.0\\.0\\.1:${http.port}`));
    expect(unchecked.message).toMatch(/inspects TLS/);
    expect(unchecked.message).toMatch(/--ca <file\.pem>/);
    const viaRequest = await failure(httpRequest(`${server.origin}/dav/`, { proxy: { mode: 'manual', url: http.url } }));
    expect(viaRequest.code).toBe(ErrorCode.Tls);
    expect(viaRequest.message).toMatch(/--ca <file\.pem>/);
  });

  it('SOCKS5 (remote names) and SOCKS5 with a user: the same files; a wrong SOCKS password is ProxyAuth', async () => {
    const open = await proxy(() => startMicrosocks());
    const listing = await withStore({ mode: 'manual', url: open.url }, (remote) => remote.list());
    expect([...listing.entries.keys()]).toContain('hello.txt');
    const local = await withStore({ mode: 'manual', url: open.url.replace('socks5h:', 'socks5:') }, (remote) => remote.stat('hello.txt'));
    expect(local?.type).toBe('file');
    const response = await httpRequest(`${server.origin}/dav/hello.txt`, { ca, headers: { Authorization: `Basic ${basicForm()}` }, proxy: { mode: 'manual', url: open.url } });
    expect(response.body).toBe('hello through the tunnel\n');

    const guarded = await proxy(() => startMicrosocks({ auth: { user: PROXY_USER, password: PROXY_PASSWORD } }));
    expect((await withStore({ mode: 'manual', url: guarded.urlWithAuth }, (remote) => remote.stat('hello.txt')))?.type).toBe('file');
    const wrong = await failure(withStore({ mode: 'manual', url: `socks5h://${PROXY_USER}:wrong-one@127.0.0.1:${guarded.port}` }, (remote) => remote.list()));
    expect(wrong.code).toBe(ErrorCode.ProxyAuth);
    expect(wrong.message).not.toContain('wrong-one');

    await open.stop();
    const down = await failure(withStore({ mode: 'manual', url: open.url }, (remote) => remote.list()));
    expect(down.code).toBe(ErrorCode.Network);
    expect(isRetryable(down)).toBe(true);
  });

  it('the environment: HTTPS_PROXY is used, NO_PROXY sends the host direct', async () => {
    const http = await proxy(() => startTinyproxy());
    await withStore({ mode: 'env', env: { HTTPS_PROXY: http.url } }, (remote) => remote.list());
    expect(requestLines(await http.log()).length).toBeGreaterThan(0);
    const before = requestLines(await http.log()).length;
    await withStore({ mode: 'env', env: { HTTPS_PROXY: http.url, NO_PROXY: 'example.com,127.0.0.0/8' } }, (remote) => remote.list());
    await httpRequest(`${server.origin}/dav/`, { ca, proxy: { mode: 'env', env: { https_proxy: http.url, no_proxy: '127.0.0.1' } }, headers: { Authorization: `Basic ${basicForm()}` } });
    expect(requestLines(await http.log()).length).toBe(before);
  });

  it('the system resolver (a PAC answer) picks the proxy per address, DIRECT goes direct', async () => {
    const http = await proxy(() => startTinyproxy());
    const asked: string[] = [];
    const resolve = async (url: string): Promise<string> => {
      asked.push(url);
      return `PROXY 127.0.0.1:${http.port}; DIRECT`;
    };
    await withStore({ mode: 'system', resolve }, (remote) => remote.list());
    expect(asked[0]).toBe(`${server.origin}/`);
    expect(requestLines(await http.log()).length).toBeGreaterThan(0);
    const before = requestLines(await http.log()).length;
    await withStore({ mode: 'system', resolve: async () => 'DIRECT' }, (remote) => remote.list());
    expect(requestLines(await http.log()).length).toBe(before);
    const broken = await failure(
      withStore({ mode: 'system', resolve: async () => Promise.reject(new Error('PAC script threw')) }, (remote) => remote.list()),
    );
    expect(broken.code).toBe(ErrorCode.Configuration);
    expect(broken.message).toMatch(/PAC script\) failed/);
  });

  it('a PAC answer naming a dead proxy first: the next proxy is used, then DIRECT', async () => {
    const http = await proxy(() => startTinyproxy());
    const dead = await closedPort();
    await withStore({ mode: 'system', resolve: async () => `PROXY 127.0.0.1:${dead}; PROXY 127.0.0.1:${http.port}; DIRECT` }, async (remote) => {
      const listing = await remote.list();
      expect([...listing.entries.keys()]).toContain('hello.txt');
    });
    const lines = requestLines(await http.log());
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^CONNECT 127\.0\.0\.1:\d+ HTTP\/1\.1$/);
    // httpRequest (REST, OAuth2) too; and with no proxy alive, DIRECT.
    const before = lines.length;
    const answer = await httpRequest(`${server.origin}/dav/`, {
      ca,
      proxy: { mode: 'system', resolve: async () => `PROXY 127.0.0.1:${dead}; PROXY 127.0.0.1:${http.port}; DIRECT` },
      method: 'PROPFIND',
      headers: { Authorization: `Basic ${basicForm()}`, Depth: '0' },
    });
    expect(answer.status).toBe(207);
    expect(requestLines(await http.log()).length).toBe(before + 1);
    await withStore({ mode: 'system', resolve: async () => `PROXY 127.0.0.1:${dead}; DIRECT` }, (remote) => remote.list());
    expect(requestLines(await http.log()).length).toBe(before + 1);
    // A dead proxy as the only entry is the error the user reads.
    const down = await failure(withStore({ mode: 'system', resolve: async () => `PROXY 127.0.0.1:${dead}` }, (remote) => remote.list()));
    expect(down.code).toBe(ErrorCode.Network);
    expect(down.message).toContain(`Could not reach the proxy http://127.0.0.1:${dead}`);
  });
});

/** A loopback port nothing listens on (a server's, closed again). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
