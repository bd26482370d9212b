/**
 * The emulator's REST API over real HTTP: /v2/api/ba/user and /v2/api/ba/dataset/(capacity)
 * with BASIC and the API key as header or matrix parameter, and the failures a client has to
 * tell apart (403 key, 401 credentials, 202 new node, 503 API server down).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { basic, send } from './http.js';

const KEY = 'FEDCBA9876543210FEDCBA9876543210';
const AUTH = basic('demo', 'demo-apps-password');

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({
    oauth: false,
    apiKey: KEY,
    accounts: [
      { userId: 'demo', appsPassword: 'demo-apps-password', node: 'seto' },
      { userId: 'fresh', appsPassword: 'fresh-password', node: 'uno', nodeReady: false },
      { userId: 'small', appsPassword: 'small-password', node: 'wani', quotaBytes: 5 * 1024 ** 3 },
    ],
  });
});
afterAll(async () => {
  await emulator.close();
});

async function json(path: string, headers: Record<string, string>): Promise<{ status: number; body: unknown; headers: Record<string, unknown> }> {
  const answer = await send(`${emulator.apiBaseUrl}${path}`, { headers });
  expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  return { status: answer.status, body: JSON.parse(answer.text) as unknown, headers: answer.headers };
}

describe('GET /v2/api/ba/user', () => {
  const expected = (): unknown => ({
    result: 0,
    user: 'demo',
    node: 'seto',
    webdav_url: emulator.davUrl,
    capacity: 20,
    api_key: { status: 'valid' },
  });

  it('answers the user and node with BASIC and the key as a header', async () => {
    const answer = await json('v2/api/ba/user', { Authorization: AUTH, 'X-TeraCLOUD-API-KEY': KEY });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(expected());
    expect(emulator.requests.at(-1)).toEqual({ method: 'GET', path: '/v2/api/ba/user', status: 200, authorization: 'basic', apiKey: 'header' });
  });

  it('accepts the key as a matrix parameter on the path', async () => {
    const answer = await json(`v2/api/ba/user;api_key=${KEY}`, { Authorization: AUTH });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(expected());
    expect(emulator.requests.at(-1)).toEqual({ method: 'GET', path: `/v2/api/ba/user;api_key=${KEY}`, status: 200, authorization: 'basic', apiKey: 'matrix' });
  });

  it('reports the capacity in GB from the account quota', async () => {
    const answer = await json('v2/api/ba/user', { Authorization: basic('small', 'small-password'), 'X-TeraCLOUD-API-KEY': KEY });
    expect(answer.body).toMatchObject({ result: 0, user: 'small', node: 'wani', capacity: 5 });
  });

  it('refuses a missing, a malformed and an unknown key with 403', async () => {
    const missing = await json('v2/api/ba/user', { Authorization: AUTH });
    expect(missing.status).toBe(403);
    expect(missing.body).toMatchObject({ result: 1 });
    const lowerCase = await json('v2/api/ba/user', { Authorization: AUTH, 'X-TeraCLOUD-API-KEY': KEY.toLowerCase() });
    expect(lowerCase.status).toBe(403);
    const short = await json(`v2/api/ba/user;api_key=${KEY.slice(1)}`, { Authorization: AUTH });
    expect(short.status).toBe(403);
    const unknown = await json('v2/api/ba/user', { Authorization: AUTH, 'X-TeraCLOUD-API-KEY': '0123456789ABCDEF0123456789ABCDEF' });
    expect(unknown.status).toBe(403);
    expect(unknown.body).toMatchObject({ result: 1, message: expect.any(String) });
  });

  it('refuses a wrong password, no credentials and a switched-off Apps connection with 401', async () => {
    const wrong = await json('v2/api/ba/user', { Authorization: basic('demo', 'wrong'), 'X-TeraCLOUD-API-KEY': KEY });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ result: 1, message: expect.any(String) });
    const none = await json('v2/api/ba/user', { 'X-TeraCLOUD-API-KEY': KEY });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Basic realm="TeraCLOUD"');
    emulator.updateAccount('demo', { appsConnection: false });
    try {
      expect((await json('v2/api/ba/user', { Authorization: AUTH, 'X-TeraCLOUD-API-KEY': KEY })).status).toBe(401);
    } finally {
      emulator.updateAccount('demo', { appsConnection: true });
    }
  });

  it('answers 202 without a node while a new account is being prepared, 200 once it is ready', async () => {
    const headers = { Authorization: basic('fresh', 'fresh-password'), 'X-TeraCLOUD-API-KEY': KEY };
    const preparing = await json('v2/api/ba/user', headers);
    expect(preparing.status).toBe(202);
    expect(preparing.body).toEqual({ result: 0, message: 'node is being prepared' });
    emulator.updateAccount('fresh', { nodeReady: true });
    const ready = await json('v2/api/ba/user', headers);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ user: 'fresh', node: 'uno' });
  });

  it('answers 503 while the API server is down, and WebDAV keeps working', async () => {
    emulator.setApiDown(true);
    try {
      expect((await json('v2/api/ba/user', { Authorization: AUTH, 'X-TeraCLOUD-API-KEY': KEY })).status).toBe(503);
      expect((await json(`v2/api/ba/dataset/(capacity);api_key=${KEY}`, { Authorization: AUTH })).status).toBe(503);
      const dav = await send(emulator.davUrl, { method: 'PROPFIND', headers: { Authorization: AUTH, Depth: '0' } });
      expect(dav.status).toBe(207);
    } finally {
      emulator.setApiDown(false);
    }
    expect((await json('v2/api/ba/user', { Authorization: AUTH, 'X-TeraCLOUD-API-KEY': KEY })).status).toBe(200);
  });

  it('answers 404 for an API it does not have', async () => {
    const answer = await json('v2/api/ba/nothing', { Authorization: AUTH, 'X-TeraCLOUD-API-KEY': KEY });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ result: 1 });
  });
});

describe('GET /v2/api/ba/dataset/(capacity)', () => {
  it('reports the quota and the usage of files and backup in whole 4 KiB blocks', async () => {
    // small: 1 byte (1 block) + 4096 (1 block) + 5000 (2 blocks) in files, 10 bytes (1 block) in backup.
    await mkdir(join(emulator.filesDir('small'), 'folder'), { recursive: true });
    await writeFile(join(emulator.filesDir('small'), 'one.bin'), Buffer.alloc(1));
    await writeFile(join(emulator.filesDir('small'), 'folder', 'block.bin'), Buffer.alloc(4096));
    await writeFile(join(emulator.filesDir('small'), 'folder', 'more.bin'), Buffer.alloc(5000));
    await writeFile(join(emulator.backupDir('small'), 'backup.bin'), Buffer.alloc(10));
    const headers = { Authorization: basic('small', 'small-password'), 'X-TeraCLOUD-API-KEY': KEY };

    for (const path of ['v2/api/ba/dataset/(capacity)', 'v2/api/ba/dataset/%28capacity%29']) {
      const answer = await json(path, headers);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ result: 0, dataset: { __ROOT__: { quota: 5 * 1024 ** 3, used: 5 * 4096 } } });
    }
    const matrix = await json(`v2/api/ba/dataset/(capacity);api_key=${KEY}`, { Authorization: basic('small', 'small-password') });
    expect(matrix.body).toEqual({ result: 0, dataset: { __ROOT__: { quota: 5 * 1024 ** 3, used: 5 * 4096 } } });
  });

  it('refuses without the key (403) and with a wrong password (401)', async () => {
    expect((await json('v2/api/ba/dataset/(capacity)', { Authorization: AUTH })).status).toBe(403);
    expect((await json(`v2/api/ba/dataset/(capacity);api_key=${KEY}`, { Authorization: basic('demo', 'nope') })).status).toBe(401);
  });
});
