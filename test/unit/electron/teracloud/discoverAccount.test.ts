import { describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import { discoverAccount } from '../../../../electron/teracloud/discoverAccount.js';
import type { TeraCloudUser, TeraCloudUserSource } from '../../../../electron/teracloud/TeraCloudApi.js';

function source(answer: TeraCloudUser | Error): TeraCloudUserSource & { signals: (AbortSignal | undefined)[] } {
  const signals: (AbortSignal | undefined)[] = [];
  return {
    signals,
    getUser: async (signal) => {
      signals.push(signal);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

const user = (webdavUrl: string): TeraCloudUser => ({ userId: 'alice', node: 'seto', webdavUrl, capacityGb: 20 });

describe('discoverAccount', () => {
  it('turns the answer into the node location', async () => {
    const controller = new AbortController();
    const api = source(user('https://seto.teracloud.jp/dav/'));
    const result = await discoverAccount(api, { signal: controller.signal });
    expect(result).toEqual({
      ok: true,
      user: user('https://seto.teracloud.jp/dav/'),
      location: {
        node: 'seto',
        origin: 'https://seto.teracloud.jp',
        davUrl: 'https://seto.teracloud.jp/dav/',
        v2DavUrl: 'https://seto.teracloud.jp/v2/dav/',
        backupUrl: 'https://seto.teracloud.jp/backup/',
        provider: 'teracloud',
        area: 'dav',
        folder: '',
      },
    });
    expect(api.signals).toEqual([controller.signal]);
  });

  it('trusts infini-cloud.net nodes', async () => {
    const result = await discoverAccount(source(user('https://otaru.infini-cloud.net/dav/')));
    expect(result).toMatchObject({ ok: true, location: { node: 'otaru', provider: 'infinicloud' } });
  });

  it.each([ErrorCode.Network, ErrorCode.Server, ErrorCode.Unauthorized, ErrorCode.Forbidden, ErrorCode.Timeout])(
    'falls back to manual entry when getUser fails with %s',
    async (code) => {
      const error = new TeraSyncError(code, 'failed');
      expect(await discoverAccount(source(error))).toEqual({ ok: false, error, fallback: 'manual' });
    },
  );

  it('codes an uncoded failure and still falls back', async () => {
    const result = await discoverAccount(source(new Error('boom')));
    expect(result).toMatchObject({ ok: false, fallback: 'manual', error: { code: ErrorCode.Server } });
  });

  it.each(['https://evil.example.com/dav/', 'https://seto.teracloud.jp.evil.com/dav/', 'http://seto.teracloud.jp/dav/', 'not a url', 'https://alice:pw@seto.teracloud.jp/dav/'])(
    'refuses the untrusted WebDAV URL %j and falls back',
    async (webdavUrl) => {
      const result = await discoverAccount(source(user(webdavUrl)), { allowCustomHost: false });
      expect(result).toMatchObject({ ok: false, fallback: 'manual', error: { code: ErrorCode.BadResponse } });
      if (!result.ok) {
        expect(result.error.message).toMatch(/did not use the WebDAV address/);
        expect(result.error.message).toMatch(/Enter your node name or WebDAV URL from MyPage/);
        expect(result.error.message).not.toContain(':pw');
      }
    },
  );

  it('trusts a loopback or custom host only with allowCustomHost', async () => {
    expect(await discoverAccount(source(user('http://127.0.0.1:4000/dav/')))).toMatchObject({ ok: false, fallback: 'manual' });
    expect(await discoverAccount(source(user('http://127.0.0.1:4000/dav/')), { allowCustomHost: true })).toMatchObject({
      ok: true,
      location: { provider: 'custom', origin: 'http://127.0.0.1:4000', davUrl: 'http://127.0.0.1:4000/dav/' },
    });
    expect(await discoverAccount(source(user('https://dav.example.test/dav/')), { allowCustomHost: true })).toMatchObject({
      ok: true,
      location: { provider: 'custom' },
    });
  });
});
