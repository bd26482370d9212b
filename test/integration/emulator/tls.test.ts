/**
 * The emulator over HTTPS (the `tls` option), as the service is only reached over TLS: a
 * throwaway self-signed certificate for 127.0.0.1 made with openssl.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { requireSystemTool } from '../../support/requirements.js';
import { basic } from './http.js';

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const openssl = requireSystemTool('openssl', opensslAvailable());

describe.skipIf(openssl.skip)('HTTPS', () => {
  let folder: string;
  let certificate: string;
  let emulator: RunningEmulator;

  beforeAll(async () => {
    openssl.assertAvailable();
    folder = await mkdtemp(join(tmpdir(), 'terasync-emulator-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(folder, 'key.pem'), '-out', join(folder, 'cert.pem'),
    ], { stdio: 'ignore' });
    certificate = await readFile(join(folder, 'cert.pem'), 'utf8');
    emulator = await startEmulator({ oauth: false, tls: { key: await readFile(join(folder, 'key.pem'), 'utf8'), cert: certificate } });
  });
  afterAll(async () => {
    await emulator?.close();
    await rm(folder, { recursive: true, force: true });
  });

  function get(url: string, headers: Record<string, string>, ca: string | undefined): Promise<{ status: number; body: string; location?: string }> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers, agent: false, ...(ca === undefined ? {} : { ca }) }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ...(res.headers.location === undefined ? {} : { location: res.headers.location }) }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('serves https URLs for WebDAV and the REST API', async () => {
    expect(emulator.davUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/dav\/$/);
    const user = await get(`${emulator.apiBaseUrl}v2/api/ba/user;api_key=${emulator.apiKey}`, { Authorization: basic('demo', 'demo-apps-password') }, certificate);
    expect(user.status).toBe(200);
    expect(JSON.parse(user.body)).toMatchObject({ user: 'demo', webdav_url: emulator.davUrl });
    const redirect = await get(emulator.davUrl.slice(0, -1), { Authorization: basic('demo', 'demo-apps-password') }, certificate);
    expect(redirect.status).toBe(301);
    expect(redirect.location).toBe(emulator.davUrl);
  });

  it('is refused by a client that does not trust its certificate', async () => {
    await expect(get(emulator.davUrl, {}, undefined)).rejects.toThrow(/self[- ]signed/i);
  });
});
