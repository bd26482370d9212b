import { describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import type { HttpRequestOptions, HttpTextResponse } from '../../../../electron/net/httpRequest.js';
import { TeraCloudApi, type TeraCloudApiDeps, type TeraCloudApiOptions } from '../../../../electron/teracloud/TeraCloudApi.js';
import { FakeClock } from '../../../support/fakeClock.js';
import { failure as refusal } from '../../../support/failure.js';

const KEY = '0123456789ABCDEF0123456789ABCDEF';
const PASSWORD = 'Apps-Pa55word-XYZ';
const NOW = Date.parse('2025-01-01T00:00:00Z');

interface Sent {
  url: string;
  options: HttpRequestOptions;
}

type Answer = Partial<HttpTextResponse> | Error;

function fakeServer(answer: Answer | ((url: URL) => Answer)) {
  const sent: Sent[] = [];
  const deps: TeraCloudApiDeps = {
    clock: new FakeClock(NOW),
    request: async (url, options) => {
      sent.push({ url: url.href, options });
      const result = typeof answer === 'function' ? answer(url) : answer;
      if (result instanceof Error) throw result;
      return { status: 200, headers: {}, body: '', ...result };
    },
  };
  return { sent, deps };
}

function json(value: unknown, status = 200): Partial<HttpTextResponse> {
  return { status, body: JSON.stringify(value) };
}

const USER_ANSWER = {
  result: 0,
  user: 'alice',
  node: 'seto',
  webdav_url: 'https://seto.teracloud.jp/dav/',
  capacity: 20,
  api_key: { name: 'TeraSync' },
};

const QUOTA_ANSWER = { result: 0, dataset: { __ROOT__: { quota: 21474836480, used: 1234567 } } };

function basicApi(deps: TeraCloudApiDeps, extra: Partial<TeraCloudApiOptions> = {}): TeraCloudApi {
  return new TeraCloudApi({ apiKey: KEY, credentials: { userId: 'alice', password: PASSWORD }, ...extra }, deps);
}

/** The TeraSyncError `promise` rejects with; its message names neither the password nor the key. */
const failure = (promise: Promise<unknown>): Promise<TeraSyncError> =>
  refusal(promise, { hiding: [PASSWORD, KEY, Buffer.from(`alice:${PASSWORD}`).toString('base64')] });

describe('TeraCloudApi construction', () => {
  it.each([KEY.toLowerCase(), 'short', '', `${KEY}00`])('refuses the malformed key %j before any request', (apiKey) => {
    const { sent, deps } = fakeServer(json(USER_ANSWER));
    expect(() => new TeraCloudApi({ apiKey, credentials: { userId: 'alice', password: PASSWORD } }, deps)).toThrow(
      expect.objectContaining({ code: ErrorCode.Configuration }),
    );
    expect(sent).toEqual([]);
  });

  it.each([
    ['not a url', /not a web address/],
    ['http://api.example.com/', /plain HTTP/],
    ['ftp://api.teracloud.jp/', /https: only/],
    ['https://u:p@api.teracloud.jp/', /user name or password/],
    ['https://api.teracloud.jp/?x=1', /query or fragment/],
  ])('refuses the API address %j', (apiBaseUrl, reason) => {
    const { deps } = fakeServer(json(USER_ANSWER));
    expect(() => basicApi(deps, { apiBaseUrl })).toThrow(expect.objectContaining({ code: ErrorCode.Configuration, message: expect.stringMatching(reason) }));
  });

  it.each([
    [{ userId: '', password: PASSWORD }, /user ID/],
    [{ userId: 'ali:ce', password: PASSWORD }, /colon/],
    [{ userId: 'alice', password: '' }, /Apps password is empty/],
  ])('refuses unusable BASIC credentials %#', (credentials, reason) => {
    const { deps } = fakeServer(json(USER_ANSWER));
    expect(() => new TeraCloudApi({ apiKey: KEY, credentials }, deps)).toThrow(
      expect.objectContaining({ code: ErrorCode.Configuration, message: expect.stringMatching(reason) }),
    );
  });

  it('refuses an unknown key placement', () => {
    const { deps } = fakeServer(json(USER_ANSWER));
    expect(() => basicApi(deps, { apiKeyPlacement: 'query' as never })).toThrow(expect.objectContaining({ code: ErrorCode.Configuration }));
  });
});

describe('TeraCloudApi.getUser', () => {
  it('asks the default API server with preemptive BASIC and the key in the header', async () => {
    const { sent, deps } = fakeServer(json(USER_ANSWER));
    const user = await basicApi(deps, { ca: 'PEM', timeoutMs: 1234 }).getUser();
    expect(user).toEqual({ userId: 'alice', node: 'seto', webdavUrl: 'https://seto.teracloud.jp/dav/', capacityGb: 20 });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe('https://api.teracloud.jp/v2/api/ba/user');
    expect(sent[0]!.options).toMatchObject({
      method: 'GET',
      ca: 'PEM',
      timeoutMs: 1234,
      headers: { 'X-TeraCLOUD-API-KEY': KEY, Authorization: `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}` },
    });
  });

  it('puts the key in the matrix parameter when asked, and no key header', async () => {
    const { sent, deps } = fakeServer(json(USER_ANSWER));
    await basicApi(deps, { apiKeyPlacement: 'matrix', apiBaseUrl: 'http://127.0.0.1:4000/base' }).getUser();
    expect(sent[0]!.url).toBe(`http://127.0.0.1:4000/base/v2/api/ba/user;api_key=${KEY}`);
    expect(sent[0]!.options.headers).not.toHaveProperty('X-TeraCLOUD-API-KEY');
  });

  it('encodes a non-ASCII password as UTF-8', async () => {
    const { sent, deps } = fakeServer(json(USER_ANSWER));
    await new TeraCloudApi({ apiKey: KEY, credentials: { userId: 'alice', password: 'pässwörd' } }, deps).getUser();
    expect(sent[0]!.options.headers!.Authorization).toBe(`Basic ${Buffer.from('alice:pässwörd', 'utf8').toString('base64')}`);
  });

  it('uses /v2/api/user with a bearer token, asked for on every call', async () => {
    const { sent, deps } = fakeServer(json(USER_ANSWER));
    let calls = 0;
    const api = new TeraCloudApi({ apiKey: KEY, credentials: { bearer: async () => `token-${++calls}` } }, deps);
    await api.getUser();
    await api.getUser();
    expect(sent.map((request) => request.url)).toEqual(['https://api.teracloud.jp/v2/api/user', 'https://api.teracloud.jp/v2/api/user']);
    expect(sent.map((request) => request.options.headers!.Authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('turns a failing or empty token source into Unauthorized', async () => {
    const { sent, deps } = fakeServer(json(USER_ANSWER));
    const throwing = new TeraCloudApi({ apiKey: KEY, credentials: { bearer: () => Promise.reject(new Error('no refresh token')) } }, deps);
    expect((await failure(throwing.getUser())).code).toBe(ErrorCode.Unauthorized);
    const empty = new TeraCloudApi({ apiKey: KEY, credentials: { bearer: async () => '' } }, deps);
    expect((await failure(empty.getUser())).code).toBe(ErrorCode.Unauthorized);
    const coded = new TeraSyncError(ErrorCode.KeychainUnavailable, 'keychain locked');
    const keychain = new TeraCloudApi({ apiKey: KEY, credentials: { bearer: () => Promise.reject(coded) } }, deps);
    expect(await failure(keychain.getUser())).toBe(coded);
    expect(sent).toEqual([]);
  });

  it('reads a missing or null capacity as null', async () => {
    const { capacity: _capacity, ...withoutCapacity } = USER_ANSWER;
    expect((await basicApi(fakeServer(json(withoutCapacity)).deps).getUser()).capacityGb).toBeNull();
    expect((await basicApi(fakeServer(json({ ...USER_ANSWER, capacity: null })).deps).getUser()).capacityGb).toBeNull();
    expect((await basicApi(fakeServer(json({ ...USER_ANSWER, capacity: 0.5 })).deps).getUser()).capacityGb).toBe(0.5);
  });

  it('passes the signal on', async () => {
    const { sent, deps } = fakeServer(json(USER_ANSWER));
    const controller = new AbortController();
    await basicApi(deps).getUser(controller.signal);
    expect(sent[0]!.options.signal).toBe(controller.signal);
  });

  it('says the node is still being prepared on 202', async () => {
    const error = await failure(basicApi(fakeServer(json({ result: 0 }, 202)).deps).getUser());
    expect(error.code).toBe(ErrorCode.Server);
    expect(error.status).toBe(202);
    expect(error.message).toMatch(/still being prepared/);
    expect(error.message).toMatch(/try again in a few minutes/i);
    expect(error.message).toMatch(/node name or WebDAV URL from MyPage/);
  });

  it('explains the Apps password on 401', async () => {
    const error = await failure(basicApi(fakeServer({ status: 401, body: 'Unauthorized' }).deps).getUser());
    expect(error.code).toBe(ErrorCode.Unauthorized);
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/Apps password/);
    expect(error.message).toMatch(/Apps connection/);
    expect(error.message).toMatch(/2021-06/);
    expect(error.message).toMatch(/few minutes/);
    expect(error.message).toMatch(/reissuing it .* invalidates/);
  });

  it('asks to sign in again when a bearer token gets 401', async () => {
    const api = new TeraCloudApi({ apiKey: KEY, credentials: { bearer: async () => 'tok' } }, fakeServer({ status: 401 }).deps);
    const error = await failure(api.getUser());
    expect(error.code).toBe(ErrorCode.Unauthorized);
    expect(error.message).toMatch(/sign in again/);
  });

  it('says the API key was refused on 403', async () => {
    const error = await failure(basicApi(fakeServer({ status: 403 }).deps).getUser());
    expect(error.code).toBe(ErrorCode.Forbidden);
    expect(error.message).toMatch(/refused the application's API key \(403\)/);
  });

  it.each([500, 502, 503])('points to the manual way on %i', async (status) => {
    const error = await failure(basicApi(fakeServer({ status, headers: { 'retry-after': '120' } }).deps).getUser());
    expect(error.code).toBe(ErrorCode.Server);
    expect(error.status).toBe(status);
    expect(error.retryAfterSeconds).toBe(120);
    expect(error.message).toBe(`The TeraCLOUD API is unavailable (${status}). You can enter your node name or WebDAV URL from MyPage instead.`);
  });

  it('maps 429 to RateLimited with Retry-After as a date', async () => {
    const at = new Date(NOW + 30_000).toUTCString();
    const error = await failure(basicApi(fakeServer({ status: 429, headers: { 'retry-after': at } }).deps).getUser());
    expect(error.code).toBe(ErrorCode.RateLimited);
    expect(error.retryAfterSeconds).toBe(30);
  });

  it('maps 404 to NotFound and other statuses to BadResponse', async () => {
    expect((await failure(basicApi(fakeServer({ status: 404 }).deps).getUser())).code).toBe(ErrorCode.NotFound);
    expect((await failure(basicApi(fakeServer({ status: 302 }).deps).getUser())).code).toBe(ErrorCode.BadResponse);
    expect((await failure(basicApi(fakeServer({ status: 204 }).deps).getUser())).code).toBe(ErrorCode.BadResponse);
  });

  it.each([
    [new TeraSyncError(ErrorCode.Network, 'Could not reach the TeraCLOUD API (ECONNREFUSED). Check your connection.'), ErrorCode.Network],
    [new TeraSyncError(ErrorCode.Timeout, 'the TeraCLOUD API did not answer within 30 s.'), ErrorCode.Timeout],
    [new Error('socket exploded'), ErrorCode.Network],
  ])('turns transport failure %# into a coded error that points to the manual way', async (thrown, code) => {
    const error = await failure(basicApi(fakeServer(thrown).deps).getUser());
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/enter your node name or WebDAV URL/);
  });

  it('passes TLS and cancellation errors through unchanged', async () => {
    for (const code of [ErrorCode.Tls, ErrorCode.Cancelled]) {
      const thrown = new TeraSyncError(code, 'x');
      expect(await failure(basicApi(fakeServer(thrown).deps).getUser())).toBe(thrown);
    }
  });

  it.each([
    ['not JSON', { body: '<html>' }, ErrorCode.BadResponse],
    ['an array', json([USER_ANSWER]), ErrorCode.BadResponse],
    ['no result', json({ ...USER_ANSWER, result: undefined }), ErrorCode.BadResponse],
    ['a string result', json({ ...USER_ANSWER, result: '0' }), ErrorCode.BadResponse],
    ['a failing result', json({ ...USER_ANSWER, result: 12 }), ErrorCode.Server],
    ['no node', json({ ...USER_ANSWER, node: undefined }), ErrorCode.BadResponse],
    ['an empty node', json({ ...USER_ANSWER, node: '' }), ErrorCode.BadResponse],
    ['a numeric user', json({ ...USER_ANSWER, user: 42 }), ErrorCode.BadResponse],
    ['no webdav_url', json({ ...USER_ANSWER, webdav_url: undefined }), ErrorCode.BadResponse],
    ['a string capacity', json({ ...USER_ANSWER, capacity: '20' }), ErrorCode.BadResponse],
    ['a negative capacity', json({ ...USER_ANSWER, capacity: -1 }), ErrorCode.BadResponse],
  ])('refuses an answer with %s', async (_what, answer, code) => {
    const error = await failure(basicApi(fakeServer(answer).deps).getUser());
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/node name or WebDAV URL/);
  });

  it('never repeats the answer body in a message', async () => {
    const error = await failure(basicApi(fakeServer({ status: 500, body: 'secret-internal-detail' }).deps).getUser());
    expect(error.message).not.toContain('secret-internal-detail');
  });
});

describe('TeraCloudApi.getQuota', () => {
  it('asks the node for (capacity), parentheses literal, key in the header', async () => {
    const { sent, deps } = fakeServer(json(QUOTA_ANSWER));
    expect(await basicApi(deps).getQuota('https://seto.teracloud.jp')).toEqual({ quotaBytes: 21474836480, usedBytes: 1234567 });
    expect(sent[0]!.url).toBe('https://seto.teracloud.jp/v2/api/ba/dataset/(capacity)');
    expect(sent[0]!.options.headers).toMatchObject({ 'X-TeraCLOUD-API-KEY': KEY, Authorization: expect.stringMatching(/^Basic /) });
  });

  it('puts the key after (capacity) as a matrix parameter', async () => {
    const { sent, deps } = fakeServer(json(QUOTA_ANSWER));
    await basicApi(deps, { apiKeyPlacement: 'matrix' }).getQuota('https://seto.teracloud.jp/');
    expect(sent[0]!.url).toBe(`https://seto.teracloud.jp/v2/api/ba/dataset/(capacity);api_key=${KEY}`);
  });

  it.each(['https://seto.teracloud.jp/dav/', 'http://seto.teracloud.jp', 'https://u:p@seto.teracloud.jp', 'seto'])(
    'refuses %j as a node origin before any request',
    async (origin) => {
      const { sent, deps } = fakeServer(json(QUOTA_ANSWER));
      expect((await failure(basicApi(deps).getQuota(origin))).code).toBe(ErrorCode.Configuration);
      expect(sent).toEqual([]);
    },
  );

  it('needs BASIC credentials', async () => {
    const { sent, deps } = fakeServer(json(QUOTA_ANSWER));
    const api = new TeraCloudApi({ apiKey: KEY, credentials: { bearer: async () => 'tok' } }, deps);
    expect((await failure(api.getQuota('https://seto.teracloud.jp'))).code).toBe(ErrorCode.Configuration);
    expect(sent).toEqual([]);
  });

  it.each([
    ['no dataset', { result: 0 }],
    ['no __ROOT__', { result: 0, dataset: {} }],
    ['a string quota', { result: 0, dataset: { __ROOT__: { quota: '1', used: 0 } } }],
    ['a negative used', { result: 0, dataset: { __ROOT__: { quota: 1, used: -1 } } }],
    ['a fractional used', { result: 0, dataset: { __ROOT__: { quota: 1, used: 0.5 } } }],
    ['no used', { result: 0, dataset: { __ROOT__: { quota: 1 } } }],
  ])('refuses an answer with %s', async (_what, answer) => {
    expect((await failure(basicApi(fakeServer(json(answer)).deps).getQuota('https://seto.teracloud.jp'))).code).toBe(ErrorCode.BadResponse);
  });

  it('names the node, not the API server, when it fails', async () => {
    const error = await failure(basicApi(fakeServer({ status: 503 }).deps).getQuota('https://seto.teracloud.jp'));
    expect(error.code).toBe(ErrorCode.Server);
    expect(error.message).toBe('Your storage node seto.teracloud.jp is unavailable (503). Try again later.');
    const unauthorized = await failure(basicApi(fakeServer({ status: 401 }).deps).getQuota('https://seto.teracloud.jp'));
    expect(unauthorized.code).toBe(ErrorCode.Unauthorized);
    expect(unauthorized.message).toMatch(/Apps connection/);
  });
});
