/**
 * Which proxy a request goes through: proxy URLs as curl reads them, curl's NO_PROXY rules,
 * the environment's variables (upper and lower case), PAC answers, and what is said about a
 * proxy (never its password).
 */
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import {
  createProxyProbe,
  describeProxy,
  firstReachable,
  noProxyMatches,
  parsePacAnswer,
  parseProxyUrl,
  proxyFromEnvironment,
  proxyPassword,
  resolveProxy,
  ProxyError,
  PROXY_ERROR_CODES,
} from '../../../../electron/net/proxy.js';
import { commandProxy, describeProxyReport, proxyReport } from '../../../../electron/cli/proxyOption.js';
import { FakeClock } from '../../../support/fakeClock.js';

const https = new URL('https://seto.teracloud.jp/dav/');
const http = new URL('http://127.0.0.1:8080/dav/');

describe('parseProxyUrl', () => {
  it('reads scheme, credentials, host and port; no scheme is http, no port 1080 (443 for https)', () => {
    expect(parseProxyUrl('http://alice:p%40ss@proxy.example:3128')).toEqual({ protocol: 'http', host: 'proxy.example', port: 3128, username: 'alice', password: 'p@ss' });
    expect(parseProxyUrl('proxy.example:8080')).toEqual({ protocol: 'http', host: 'proxy.example', port: 8080 });
    expect(parseProxyUrl('proxy.example')).toEqual({ protocol: 'http', host: 'proxy.example', port: 1080 });
    expect(parseProxyUrl('https://proxy.example')).toEqual({ protocol: 'https', host: 'proxy.example', port: 443 });
    expect(parseProxyUrl('socks5h://[::1]:1080')).toEqual({ protocol: 'socks5h', host: '::1', port: 1080 });
    expect(parseProxyUrl('socks://10.0.0.1:9050').protocol).toBe('socks5');
  });

  it('refuses what is not a proxy, without repeating the password', () => {
    for (const bad of ['ftp://proxy:21', 'http://user:secret-pw@proxy:80/path', 'http://:80']) {
      let caught: unknown;
      try {
        parseProxyUrl(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(TeraSyncError);
      expect((caught as TeraSyncError).code).toBe(ErrorCode.Configuration);
      expect((caught as TeraSyncError).message).not.toContain('secret-pw');
    }
  });

  it('describes a proxy without its password', () => {
    expect(describeProxy(parseProxyUrl('http://alice:hunter22@proxy:3128'))).toBe('http://alice@proxy:3128');
    expect(describeProxy(parseProxyUrl('socks5h://[::1]:1080'))).toBe('socks5h://[::1]:1080');
    expect(describeProxy(null)).toBe('none (direct)');
  });
});

describe('NO_PROXY (curl rules)', () => {
  it.each([
    ['*', 'anything.example', 443, true],
    ['teracloud.jp', 'seto.teracloud.jp', 443, true],
    ['teracloud.jp', 'teracloud.jp', 443, true],
    ['.teracloud.jp', 'teracloud.jp', 443, true],
    ['.teracloud.jp', 'seto.teracloud.jp', 443, true],
    ['TeraCloud.JP', 'seto.teracloud.jp', 443, true],
    ['cloud.jp', 'seto.teracloud.jp', 443, false],
    ['example.com, teracloud.jp', 'seto.teracloud.jp', 443, true],
    ['example.com teracloud.jp', 'seto.teracloud.jp', 443, true],
    ['127.0.0.1', '127.0.0.1', 80, true],
    ['127.0.0.1', '127.0.0.2', 80, false],
    ['127.0.0.0/8', '127.4.5.6', 80, true],
    ['10.0.0.0/8', '127.4.5.6', 80, false],
    ['192.168.1.0/24', '192.168.1.77', 80, true],
    ['::1', '[::1]', 80, true],
    ['fd00::/8', 'fd12::5', 80, true],
    ['fd00::/8', 'fe80::1', 80, false],
    ['seto.teracloud.jp:443', 'seto.teracloud.jp', 443, true],
    ['seto.teracloud.jp:8443', 'seto.teracloud.jp', 443, false],
    ['', 'seto.teracloud.jp', 443, false],
  ])('%j for %s:%d is %s', (noProxy, host, port, expected) => {
    expect(noProxyMatches(host, port, noProxy)).toBe(expected);
  });
});

describe('the environment', () => {
  it('HTTPS_PROXY for https, http_proxy (lower case only) for http, ALL_PROXY for both', () => {
    expect(proxyFromEnvironment(https, { HTTPS_PROXY: 'http://p:3128' })).toMatchObject({ host: 'p', port: 3128 });
    expect(proxyFromEnvironment(https, { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' })).toMatchObject({ host: 'lower' });
    expect(proxyFromEnvironment(http, { http_proxy: 'http://p:3128' })).toMatchObject({ host: 'p' });
    // curl never reads HTTP_PROXY (a CGI request's Proxy: header would set it).
    expect(proxyFromEnvironment(http, { HTTP_PROXY: 'http://p:3128' })).toBeNull();
    expect(proxyFromEnvironment(https, { http_proxy: 'http://p:3128' })).toBeNull();
    expect(proxyFromEnvironment(https, { ALL_PROXY: 'socks5h://s:1080' })).toMatchObject({ protocol: 'socks5h', host: 's' });
    expect(proxyFromEnvironment(http, { all_proxy: 'socks5://s:1080' })).toMatchObject({ protocol: 'socks5' });
    expect(proxyFromEnvironment(https, { HTTPS_PROXY: 'http://p:1', ALL_PROXY: 'socks5://s:2' })).toMatchObject({ host: 'p' });
    expect(proxyFromEnvironment(https, {})).toBeNull();
    expect(proxyFromEnvironment(https, { HTTPS_PROXY: '  ' })).toBeNull();
  });

  it('NO_PROXY / no_proxy send the host direct, lower case first', () => {
    expect(proxyFromEnvironment(https, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'teracloud.jp' })).toBeNull();
    expect(proxyFromEnvironment(https, { HTTPS_PROXY: 'http://p:1', no_proxy: 'example.com', NO_PROXY: 'teracloud.jp' })).not.toBeNull();
    expect(proxyFromEnvironment(http, { http_proxy: 'http://p:1', no_proxy: '127.0.0.1:8080' })).toBeNull();
  });

  it('an unreadable variable is a Configuration error naming the variable', () => {
    expect(() => proxyFromEnvironment(https, { HTTPS_PROXY: 'gopher://p:1' })).toThrow(/HTTPS_PROXY/);
  });
});

describe('PAC answers', () => {
  it('reads PROXY, HTTPS, SOCKS5 (remote names), SOCKS (v4) and DIRECT, in order', () => {
    expect(parsePacAnswer('PROXY proxy.corp:8080; SOCKS5 s.corp:1080; DIRECT')).toEqual([
      { protocol: 'http', host: 'proxy.corp', port: 8080 },
      { protocol: 'socks5h', host: 's.corp', port: 1080 },
      null,
    ]);
    expect(parsePacAnswer('HTTPS [::1]:443')).toEqual([{ protocol: 'https', host: '::1', port: 443 }]);
    expect(parsePacAnswer('SOCKS s:1080')[0]?.protocol).toBe('socks4');
    expect(parsePacAnswer('')).toEqual([null]);
    expect(parsePacAnswer('DIRECT')).toEqual([null]);
  });

  it('an answer it cannot use is a resolve failure', () => {
    expect(() => parsePacAnswer('QUIC q:443')).toThrow(ProxyError);
    expect(() => parsePacAnswer('PROXY nohostport')).toThrow(/cannot use/);
  });

  it('system: the first entry, with the stored credentials; a resolver that throws is a ProxyError', async () => {
    const setting = { mode: 'system' as const, resolve: async () => 'PROXY p:3128; DIRECT', username: 'u', password: 'pw-1234' };
    expect(await resolveProxy(https, setting)).toEqual({ protocol: 'http', host: 'p', port: 3128, username: 'u', password: 'pw-1234' });
    expect(await resolveProxy(https, { mode: 'system', resolve: async () => 'DIRECT; PROXY p:1' })).toBeNull();
    const failed = resolveProxy(https, { mode: 'system', resolve: () => Promise.reject(new Error('PAC broke')) });
    await expect(failed).rejects.toMatchObject({ code: PROXY_ERROR_CODES.resolve });
  });

  it('system: the PAC answer\'s entries are tried in order, passing over proxies that cannot be reached', async () => {
    const setting = { mode: 'system' as const, resolve: async () => 'PROXY a:1; SOCKS5 b:2; DIRECT', username: 'u', password: 'pw-1234' };
    const asked: string[] = [];
    const down = (...hosts: string[]) => async (server: { host: string }) => {
      asked.push(server.host);
      return !hosts.includes(server.host);
    };
    expect(await resolveProxy(https, setting, down())).toMatchObject({ protocol: 'http', host: 'a', port: 1, username: 'u', password: 'pw-1234' });
    expect(asked).toEqual(['a']);
    asked.length = 0;
    expect(await resolveProxy(https, setting, down('a'))).toMatchObject({ protocol: 'socks5h', host: 'b', port: 2, username: 'u' });
    expect(asked).toEqual(['a', 'b']);
    asked.length = 0;
    expect(await resolveProxy(https, setting, down('a', 'b'))).toBeNull();
    expect(asked).toEqual(['a', 'b']);
  });
});

describe('firstReachable', () => {
  const a = { protocol: 'http' as const, host: 'a', port: 1 };
  const b = { protocol: 'http' as const, host: 'b', port: 2 };
  const none = async (): Promise<boolean> => false;

  it('takes the last entry without asking, so that its own failure is what the user reads', async () => {
    expect(await firstReachable([a, b], none)).toBe(b);
    expect(await firstReachable([a], none)).toBe(a);
  });

  it('stops at DIRECT: a proxy after it is never used', async () => {
    const asked: string[] = [];
    expect(await firstReachable([a, null, b], async (server) => (asked.push(server.host), false))).toBeNull();
    expect(asked).toEqual(['a']);
    expect(await firstReachable([null, a], none)).toBeNull();
    expect(await firstReachable([], none)).toBeNull();
  });
});

describe('createProxyProbe', () => {
  async function listening(): Promise<{ port: number; close(): Promise<void> }> {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  it('says a listening proxy is reachable and a closed port is not, and passes over the closed one until the pause ends', async () => {
    const open = await listening();
    const closed = await listening();
    await closed.close();
    const clock = new FakeClock(1_000_000);
    const probe = createProxyProbe(clock);
    try {
      expect(await probe({ protocol: 'http', host: '127.0.0.1', port: open.port })).toBe(true);
      const dead = { protocol: 'http' as const, host: '127.0.0.1', port: closed.port };
      expect(await probe(dead)).toBe(false);
      // The proxy comes back on that port: still passed over within the pause, tried again after it.
      const back = createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => back.listen(closed.port, '127.0.0.1', resolve));
      try {
        expect(await probe(dead)).toBe(false);
        clock.setTime(clock.now() + 60_000);
        expect(await probe(dead)).toBe(true);
      } finally {
        await new Promise<void>((resolve) => back.close(() => resolve()));
      }
    } finally {
      await open.close();
    }
  });
});

describe('passwords, for the redactor', () => {
  it('finds the password of every setting', () => {
    expect(proxyPassword({ mode: 'manual', url: 'http://u:in-url-pw@p:1' })).toBe('in-url-pw');
    expect(proxyPassword({ mode: 'manual', url: 'http://p:1', username: 'u', password: 'beside-pw' })).toBe('beside-pw');
    expect(proxyPassword({ mode: 'env', env: { ALL_PROXY: 'socks5://u:env-pw@s:1' } })).toBe('env-pw');
    expect(proxyPassword({ mode: 'none' })).toBeUndefined();
  });
});

describe('the command: --proxy and the environment', () => {
  it('--proxy wins over the environment; none and direct go direct', () => {
    const env = { HTTPS_PROXY: 'http://env:1' };
    expect(commandProxy('http://cli:2', env)).toEqual({ setting: { mode: 'manual', url: 'http://cli:2' }, source: '--proxy' });
    expect(commandProxy('none', env)).toEqual({ setting: { mode: 'none' }, source: '--proxy' });
    expect(commandProxy('DIRECT', env).setting).toEqual({ mode: 'none' });
    expect(commandProxy(undefined, env).source).toBe('environment');
    expect(commandProxy(undefined, {}).source).toBe('none');
    expect(() => commandProxy('ftp://x:1', {})).toThrow(/--proxy/);
    expect(() => commandProxy(undefined, { ALL_PROXY: 'ftp://x:1' })).toThrow(/ALL_PROXY/);
  });

  it('says which proxy an address goes through, without the password', () => {
    const report = proxyReport(commandProxy('http://alice:pw-9876@proxy:3128', {}), 'https://seto.teracloud.jp/dav/');
    expect(report).toEqual({ url: 'http://alice@proxy:3128', source: '--proxy' });
    expect(describeProxyReport(report)).toBe('http://alice@proxy:3128 (from --proxy)');
    const bypassed = proxyReport(commandProxy(undefined, { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.teracloud.jp' }), 'https://seto.teracloud.jp/dav/');
    expect(bypassed).toEqual({ url: null, source: 'environment' });
    expect(describeProxyReport(bypassed)).toMatch(/^none \(direct/);
  });
});
