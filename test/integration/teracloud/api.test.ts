/**
 * TeraCloudApi and discoverAccount against the local TeraCLOUD emulator (dev/emulator): the
 * REST answers, the API key in header and matrix form as the server saw it, and the failures a
 * user meets (wrong key, Apps password, Apps connection off, new node, API down).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorCode, type TeraSyncError } from '../../../shared/errors.js';
import { httpRequest } from '../../../electron/net/httpRequest.js';
import type { ApiKeyPlacement } from '../../../electron/teracloud/apiKey.js';
import { discoverAccount } from '../../../electron/teracloud/discoverAccount.js';
import { nodeFromUserInput } from '../../../electron/teracloud/nodeUrls.js';
import { TeraCloudApi } from '../../../electron/teracloud/TeraCloudApi.js';
import { startEmulator, type RecordedEmulatorRequest, type RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { failure as refusal } from '../../support/failure.js';

const API_KEY = 'A1B2C3D4E5F60718293A4B5C6D7E8F90';
const GIB = 1024 ** 3;

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({
    apiKey: API_KEY,
    oauth: false,
    accounts: [
      { userId: 'alice', appsPassword: 'alice-apps-password', node: 'seto', quotaBytes: 50 * GIB },
      { userId: 'bob', appsPassword: 'bob-apps-password', node: 'kita', appsConnection: false },
      { userId: 'carol', appsPassword: 'carol-apps-password', node: 'uno', nodeReady: false },
      { userId: 'dave', appsPassword: 'dave-apps-password', node: 'wani' },
    ],
  });
});

afterAll(async () => {
  await emulator.close();
});

function api(options: { userId?: string; password?: string; apiKey?: string; placement?: ApiKeyPlacement } = {}): TeraCloudApi {
  return new TeraCloudApi({
    apiBaseUrl: emulator.apiBaseUrl,
    apiKey: options.apiKey ?? API_KEY,
    apiKeyPlacement: options.placement ?? 'header',
    credentials: { userId: options.userId ?? 'alice', password: options.password ?? 'alice-apps-password' },
    timeoutMs: 10_000,
  });
}

/** The requests the emulator recorded while `run` ran, once their answers are sent. */
async function recorded(run: () => Promise<unknown>): Promise<RecordedEmulatorRequest[]> {
  const before = emulator.requests.length;
  await run();
  const seen = emulator.requests.slice(before);
  await vi.waitFor(() => expect(seen.every((request) => request.status !== undefined)).toBe(true));
  return seen;
}

/** The TeraSyncError `promise` rejects with; its message names no apps password. */
const failure = (promise: Promise<unknown>): Promise<TeraSyncError> => refusal(promise, { hiding: ['apps-password'] });

describe('getUser', () => {
  it('finds the user and node with the key in the header', async () => {
    let user: unknown;
    const requests = await recorded(async () => {
      user = await api().getUser();
    });
    expect(user).toEqual({ userId: 'alice', node: 'seto', webdavUrl: emulator.davUrl, capacityGb: 50 });
    expect(requests).toEqual([{ method: 'GET', path: '/v2/api/ba/user', status: 200, authorization: 'basic', apiKey: 'header' }]);
  });

  it('finds the user and node with the key as a matrix parameter', async () => {
    let user: unknown;
    const requests = await recorded(async () => {
      user = await api({ placement: 'matrix' }).getUser();
    });
    expect(user).toMatchObject({ userId: 'alice', node: 'seto' });
    expect(requests).toEqual([{ method: 'GET', path: `/v2/api/ba/user;api_key=${API_KEY}`, status: 200, authorization: 'basic', apiKey: 'matrix' }]);
  });

  it('refuses a malformed key before any request', async () => {
    const before = emulator.requests.length;
    for (const apiKey of [API_KEY.toLowerCase(), API_KEY.slice(1), `${API_KEY.slice(0, 31)}G`]) {
      expect(() => api({ apiKey })).toThrow(expect.objectContaining({ code: ErrorCode.Configuration }));
    }
    expect(emulator.requests.length).toBe(before);
  });

  it.each(['header', 'matrix'] as const)('reports a wrong key (%s) as Forbidden', async (placement) => {
    let error: TeraSyncError | undefined;
    const requests = await recorded(async () => {
      error = await failure(api({ apiKey: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF', placement }).getUser());
    });
    expect(error!.code).toBe(ErrorCode.Forbidden);
    expect(error!.status).toBe(403);
    expect(error!.message).toMatch(/refused the application's API key/);
    expect(requests).toMatchObject([{ status: 403, apiKey: placement }]);
  });

  it('explains the Apps password on a wrong password', async () => {
    const error = await failure(api({ password: 'the-login-password' }).getUser());
    expect(error.code).toBe(ErrorCode.Unauthorized);
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/Apps password, not the login password/);
    expect(error.message).toMatch(/Apps connection/);
    expect(error.message).toMatch(/few minutes/);
    expect(error.message).toMatch(/invalidates/);
    expect(error.message).not.toContain('the-login-password');
  });

  it('explains Apps connection when it is off, and works once the user turns it on', async () => {
    const bob = api({ userId: 'bob', password: 'bob-apps-password' });
    const error = await failure(bob.getUser());
    expect(error.code).toBe(ErrorCode.Unauthorized);
    expect(error.message).toMatch(/"Apps connection" \(BASIC access\) is switched on in MyPage \(accounts made after 2021-06 have it off\)/);
    emulator.updateAccount('bob', { appsConnection: true });
    try {
      expect(await bob.getUser()).toMatchObject({ userId: 'bob', node: 'kita' });
    } finally {
      emulator.updateAccount('bob', { appsConnection: false });
    }
  });

  it('refuses an unknown bearer token with "sign in again"', async () => {
    const bearerApi = new TeraCloudApi({ apiBaseUrl: emulator.apiBaseUrl, apiKey: API_KEY, credentials: { bearer: async () => 'not-a-real-token' } });
    let error: TeraSyncError | undefined;
    const requests = await recorded(async () => {
      error = await failure(bearerApi.getUser());
    });
    expect(error!.code).toBe(ErrorCode.Unauthorized);
    expect(error!.message).toMatch(/sign in again/);
    expect(requests).toEqual([{ method: 'GET', path: '/v2/api/user', status: 401, authorization: 'bearer', apiKey: 'header' }]);
  });

  it('says a new node is still being prepared (202)', async () => {
    const error = await failure(api({ userId: 'carol', password: 'carol-apps-password' }).getUser());
    expect(error.code).toBe(ErrorCode.Server);
    expect(error.status).toBe(202);
    expect(error.message).toMatch(/still being prepared.*Try again in a few minutes, or enter your node name or WebDAV URL from MyPage/);
  });
});

describe('discoverAccount', () => {
  it('gives the node location from the WebDAV URL the API names', async () => {
    const result = await discoverAccount(api(), { allowCustomHost: true });
    expect(result).toEqual({
      ok: true,
      user: { userId: 'alice', node: 'seto', webdavUrl: emulator.davUrl, capacityGb: 50 },
      location: {
        node: new URL(emulator.origin).host,
        origin: emulator.origin,
        davUrl: emulator.davUrl,
        v2DavUrl: emulator.v2DavUrl,
        backupUrl: emulator.backupUrl,
        provider: 'custom',
        area: 'dav',
        folder: '',
      },
    });
  });

  it('does not trust the loopback WebDAV URL without allowCustomHost', async () => {
    const result = await discoverAccount(api());
    expect(result).toMatchObject({ ok: false, fallback: 'manual', error: { code: ErrorCode.BadResponse } });
  });

  it('falls back to manual entry for a new node, and succeeds once it is ready', async () => {
    const carol = api({ userId: 'carol', password: 'carol-apps-password' });
    expect(await discoverAccount(carol, { allowCustomHost: true })).toMatchObject({ ok: false, fallback: 'manual', error: { status: 202 } });
    emulator.updateAccount('carol', { nodeReady: true });
    try {
      expect(await discoverAccount(carol, { allowCustomHost: true })).toMatchObject({ ok: true, user: { node: 'uno' } });
    } finally {
      emulator.updateAccount('carol', { nodeReady: false });
    }
  });

  it('falls back to manual entry when the API is down, and the manual way still reaches WebDAV', async () => {
    emulator.setApiDown(true);
    try {
      const result = await discoverAccount(api(), { allowCustomHost: true });
      expect(result).toMatchObject({ ok: false, fallback: 'manual' });
      if (result.ok) return;
      expect(result.error.code).toBe(ErrorCode.Server);
      expect(result.error.status).toBe(503);
      expect(result.error.message).toBe('The TeraCLOUD API is unavailable (503). You can enter your node name or WebDAV URL from MyPage instead.');

      const location = nodeFromUserInput(emulator.davUrl);
      const answer = await httpRequest(location.davUrl, {
        method: 'PROPFIND',
        headers: { Depth: '0', Authorization: `Basic ${Buffer.from('alice:alice-apps-password').toString('base64')}` },
      });
      expect(answer.status).toBe(207);
    } finally {
      emulator.setApiDown(false);
    }
  });
});

describe('getQuota', () => {
  it('reports the quota and the usage on disk', async () => {
    const dave = api({ userId: 'dave', password: 'dave-apps-password' });
    expect(await dave.getQuota(emulator.origin)).toEqual({ quotaBytes: 20 * GIB, usedBytes: 0 });
    await mkdir(join(emulator.filesDir('dave'), 'Photos'), { recursive: true });
    await writeFile(join(emulator.filesDir('dave'), 'Photos', 'a.jpg'), Buffer.alloc(5000));
    await writeFile(join(emulator.backupDir('dave'), 'b.bin'), Buffer.alloc(1));
    // The emulator counts whole 4 KiB blocks, like the service's on-disk usage differs from file sizes.
    expect(await dave.getQuota(emulator.origin)).toEqual({ quotaBytes: 20 * GIB, usedBytes: 8192 + 4096 });
  });

  it('sends (capacity) literally with the matrix key', async () => {
    let quota: unknown;
    const requests = await recorded(async () => {
      quota = await api({ placement: 'matrix' }).getQuota(emulator.origin);
    });
    expect(quota).toMatchObject({ quotaBytes: 50 * GIB });
    expect(requests).toEqual([
      { method: 'GET', path: `/v2/api/ba/dataset/(capacity);api_key=${API_KEY}`, status: 200, authorization: 'basic', apiKey: 'matrix' },
    ]);
  });

  it('maps a wrong password on the node to Unauthorized', async () => {
    const error = await failure(api({ password: 'wrong' }).getQuota(emulator.origin));
    expect(error.code).toBe(ErrorCode.Unauthorized);
    expect(error.message).toMatch(/^Your storage node 127\.0\.0\.1:\d+ refused the user ID or Apps password \(401\)/);
  });
});
