/**
 * The app's proxy setting (settings.json's proxy section and the stored password) as the
 * process's ProxySetting, and as the window sees it.
 */
import { describe, expect, it } from 'vitest';
import { chromiumProxyConfig, ProxyLoginResponder, proxySettingFor, proxySettingsView } from '../../../../electron/app/proxySettings.js';
import { proxyPassword, resolveProxy } from '../../../../electron/net/proxy.js';
import { FakeClock } from '../../../support/fakeClock.js';

const target = new URL('https://seto.teracloud.jp/dav/');
const resolver = async (): Promise<string> => 'PROXY pac.example:3128; DIRECT';

describe('proxySettingFor', () => {
  it('no proxy is direct, whatever was typed', async () => {
    const setting = proxySettingFor({ mode: 'none', host: 'proxy', port: 3128, user: 'alice' }, 'pw-1234', resolver);
    expect(setting).toEqual({ mode: 'none' });
    expect(await resolveProxy(target, setting)).toBeNull();
  });

  it('an HTTP proxy is a CONNECT proxy with the user and password beside the URL, never in it', async () => {
    const setting = proxySettingFor({ mode: 'http', host: 'proxy.example.com', port: 3128, user: 'alice' }, 'p@ss:1234', null);
    expect(setting).toEqual({ mode: 'manual', url: 'http://proxy.example.com:3128', username: 'alice', password: 'p@ss:1234' });
    expect(await resolveProxy(target, setting)).toEqual({ protocol: 'http', host: 'proxy.example.com', port: 3128, username: 'alice', password: 'p@ss:1234' });
    expect(proxyPassword(setting)).toBe('p@ss:1234');
  });

  it('a SOCKS5 proxy resolves the service\'s name (socks5h), on an IPv6 address too', async () => {
    const setting = proxySettingFor({ mode: 'socks5', host: '::1', port: 1080, user: null }, null, null);
    expect(setting).toEqual({ mode: 'manual', url: 'socks5h://[::1]:1080' });
    expect(await resolveProxy(target, setting)).toEqual({ protocol: 'socks5h', host: '::1', port: 1080 });
  });

  it('without a user no password is used, even one that is stored', () => {
    expect(proxySettingFor({ mode: 'http', host: 'proxy', port: 3128, user: null }, 'pw-1234', null)).toEqual({ mode: 'manual', url: 'http://proxy:3128' });
  });

  it('the system proxy asks the resolver and gives the user and password to the proxy it names; without a resolver it is direct', async () => {
    const setting = proxySettingFor({ mode: 'system', host: '', port: 8080, user: 'alice' }, 'pw-1234', resolver);
    expect(await resolveProxy(target, setting)).toEqual({ protocol: 'http', host: 'pac.example', port: 3128, username: 'alice', password: 'pw-1234' });
    expect(proxySettingFor({ mode: 'system', host: '', port: 8080, user: null }, null, null)).toEqual({ mode: 'none' });
  });

  it('a follow setting answers with whatever the current setting is at each request', async () => {
    let current = proxySettingFor({ mode: 'http', host: 'a.example', port: 1, user: null }, null, null);
    const follow = { mode: 'follow' as const, current: () => current };
    expect(await resolveProxy(target, follow)).toMatchObject({ host: 'a.example' });
    current = proxySettingFor({ mode: 'none', host: '', port: 8080, user: null }, null, null);
    expect(await resolveProxy(target, follow)).toBeNull();
  });
});

describe('proxySettingsView', () => {
  it('says whether a password is stored, and has no field for it', () => {
    const view = proxySettingsView({ mode: 'http', host: 'proxy', port: 3128, user: 'alice' }, true);
    expect(view).toEqual({ mode: 'http', host: 'proxy', port: 3128, user: 'alice', passwordStored: true });
  });
});

describe('chromiumProxyConfig', () => {
  it('gives Electron\'s session the same choice: the system\'s, direct, or one proxy for every address', () => {
    expect(chromiumProxyConfig({ mode: 'system', host: '', port: 8080, user: 'alice' })).toEqual({ mode: 'system' });
    expect(chromiumProxyConfig({ mode: 'none', host: 'proxy', port: 3128, user: null })).toEqual({ mode: 'direct' });
    expect(chromiumProxyConfig({ mode: 'http', host: 'proxy.example.com', port: 3128, user: 'alice' })).toEqual({ mode: 'fixed_servers', proxyRules: 'http://proxy.example.com:3128' });
    expect(chromiumProxyConfig({ mode: 'socks5', host: 'fd00::1', port: 1080, user: null })).toEqual({ mode: 'fixed_servers', proxyRules: 'socks5://[fd00::1]:1080' });
  });
});

describe('ProxyLoginResponder (a proxy asking the update feed to sign in)', () => {
  const office = { username: 'office', password: 'proxy-pass' };
  const proxyAsks = { isProxy: true, host: 'proxy.example', port: 3128 };

  it('answers a proxy with the setting\'s user and password, never a server', () => {
    const responder = new ProxyLoginResponder(() => office);
    expect(responder.answer(proxyAsks)).toEqual(office);
    expect(responder.answer({ isProxy: false, host: 'seto.teracloud.jp', port: 443 })).toBeNull();
  });

  it('has nothing to answer without a user or a password', () => {
    expect(new ProxyLoginResponder(() => null).answer(proxyAsks)).toBeNull();
    expect(new ProxyLoginResponder(() => ({ username: 'office' })).answer(proxyAsks)).toBeNull();
    expect(new ProxyLoginResponder(() => ({ username: 'office', password: '' })).answer(proxyAsks)).toBeNull();
  });

  it('takes a proxy that keeps asking as a refusal: three answers a minute, then none until the minute has passed', () => {
    const clock = new FakeClock(1_000_000);
    const responder = new ProxyLoginResponder(() => office, clock);
    for (let i = 0; i < 3; i++) expect(responder.answer(proxyAsks), `answer ${i + 1}`).toEqual(office);
    expect(responder.answer(proxyAsks)).toBeNull();
    // Another proxy is counted apart.
    expect(responder.answer({ ...proxyAsks, port: 8080 })).toEqual(office);
    clock.setTime(clock.now() + 30_000);
    expect(responder.answer(proxyAsks)).toBeNull();
    clock.setTime(clock.now() + 30_001);
    expect(responder.answer(proxyAsks)).toEqual(office);
  });

  it('reads the credentials at each challenge: a new password saved meanwhile is the one sent', () => {
    let current = office;
    const responder = new ProxyLoginResponder(() => current);
    expect(responder.answer(proxyAsks)).toEqual(office);
    current = { username: 'office', password: 'new-pass' };
    expect(responder.answer(proxyAsks)).toEqual({ username: 'office', password: 'new-pass' });
  });
});
