/**
 * The app's proxy setting (issue 17) through dispatchIpc with the real handlers, on AppServices
 * against the TeraCLOUD emulator and real proxies on loopback (tinyproxy with and without BASIC
 * proxy authentication): what is saved where (settings.json, the keychain), what the window
 * learns, what "Test connection" answers for each failure, that a running pair follows a new
 * setting from its next request, and that the proxy password reaches no file and no log line.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { AppServices } from '../../../electron/app/AppServices.js';
import { createIpcHandlers } from '../../../electron/app/createIpcHandlers.js';
import { dispatchIpc, type IpcHandlers } from '../../../electron/app/dispatchIpc.js';
import { redactingLogger, SecretRedactor } from '../../../electron/auth/redact.js';
import { PROXY_PASSWORD_SECRET_KEY } from '../../../electron/auth/SecretStore.js';
import { SessionSecretStore } from '../../../electron/auth/SessionSecretStore.js';
import { NO_PROXY_SETTING, setProcessProxy } from '../../../electron/net/proxy.js';
import type { Logger } from '../../../electron/core/logger.js';
import { ErrorCode } from '../../../shared/errors.js';
import type { IpcChannel, IpcRequest, IpcResponse, IpcResult } from '../../../shared/ipc/contract.js';
import type { ProxySettingsInput } from '../../../shared/types.js';
import { testServicesDeps } from '../../support/appServices.js';
import { startTinyproxy, tinyproxyAvailable, type RunningProxy } from '../../support/proxies.js';
import { requireSystemTool } from '../../support/requirements.js';
import { until } from '../../support/until.js';

const tinyproxy = requireSystemTool('tinyproxy', tinyproxyAvailable());

const USER = 'demo';
const PASSWORD = 'demo-apps-password';
const PROXY_USER = 'office';
const PROXY_PASSWORD = 'proxy-pass-Vr42x';

let emulator: RunningEmulator;
let folder: string;
let services: AppServices;
let handlers: IpcHandlers;
let open: RunningProxy;
let guarded: RunningProxy;
const secrets = new SessionSecretStore();
const logLines: string[] = [];
const internalErrors: unknown[] = [];

async function call<C extends IpcChannel>(channel: C, ...request: IpcRequest<C> extends undefined ? [] : [IpcRequest<C>]): Promise<IpcResult<C>> {
  return dispatchIpc(channel, request, handlers, { onInternalError: (_where, error) => internalErrors.push(error) });
}

async function value<C extends IpcChannel>(channel: C, ...request: IpcRequest<C> extends undefined ? [] : [IpcRequest<C>]): Promise<IpcResponse<C>> {
  const result = await call(channel, ...request);
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code} ${result.error.message}`);
  return result.value;
}

/** Request lines tinyproxy logged ("Request (file descriptor 7): CONNECT 127.0.0.1:443 HTTP/1.1"). */
async function requestLines(proxy: RunningProxy): Promise<string[]> {
  return (await proxy.log())
    .split('\n')
    .map((line) => /Request \(file descriptor \d+\): (.*)$/.exec(line)?.[1])
    .filter((line): line is string => line !== undefined);
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const settingsText = (): Promise<string> => readFile(join(folder, 'appdata', 'settings.json'), 'utf8');

describe.skipIf(tinyproxy.skip)('the app\'s proxy setting, on the real services', () => {
  beforeAll(async () => {
    tinyproxy.assertAvailable();
    emulator = await startEmulator();
    open = await startTinyproxy();
    guarded = await startTinyproxy({ auth: { user: PROXY_USER, password: PROXY_PASSWORD } });
    folder = await mkdtemp(join(tmpdir(), 'terasync-proxy-app-'));
    const redactor = new SecretRedactor();
    const capture: Logger = {
      debug: (message, fields) => void logLines.push(`${message} ${JSON.stringify(fields ?? {})}`),
      info: (message, fields) => void logLines.push(`${message} ${JSON.stringify(fields ?? {})}`),
      warn: (message, fields) => void logLines.push(`${message} ${JSON.stringify(fields ?? {})}`),
      error: (message, fields) => void logLines.push(`${message} ${JSON.stringify(fields ?? {})}`),
    };
    services = new AppServices(
      testServicesDeps(folder, {
        secrets,
        logger: redactingLogger(capture, redactor),
        syncOptions: { quietMs: 50 },
        redactSecret: (secret) => redactor.add(secret),
        // What session.resolveProxy answers in the app: here a PAC answer naming the open proxy.
        systemProxy: async () => `PROXY 127.0.0.1:${open.port}; DIRECT`,
      }),
    );
    handlers = createIpcHandlers(services);
    await services.start();
  }, 60_000);

  afterAll(async () => {
    expect(internalErrors).toEqual([]);
    await services?.stop();
    setProcessProxy(NO_PROXY_SETTING);
    await Promise.all([open?.close(), guarded?.close()]);
    await emulator?.close();
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  });

  it('starts with the system proxy and no password; the sign-in goes through what the system names', async () => {
    expect(await value('proxy:get')).toEqual({ mode: 'system', host: '', port: 8080, user: null, passwordStored: false });
    await value('account:signInWithPassword', { userId: USER, password: PASSWORD, location: emulator.davUrl });
    const lines = await requestLines(open);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toBe(`CONNECT 127.0.0.1:${new URL(emulator.origin).port} HTTP/1.1`);
  });

  it('refuses a setting it cannot use, naming the field, and keeps the one it had', async () => {
    const noHost = await call('proxy:save', { mode: 'http', host: '', port: 3128, user: null });
    expect(noHost.ok === false && noHost.error).toMatchObject({ code: ErrorCode.InvalidRequest, message: expect.stringContaining('proxy.host must name the proxy') });
    const badPort = await call('proxy:save', { mode: 'socks5', host: 'proxy', port: 0, user: null });
    expect(badPort.ok === false && badPort.error.code).toBe(ErrorCode.InvalidRequest);
    const passwordAlone = await call('proxy:save', { mode: 'http', host: 'proxy', port: 3128, user: null, password: 'x1234' });
    expect(passwordAlone.ok === false && passwordAlone.error.message).toContain('needs the proxy user name');
    expect((await value('proxy:get')).mode).toBe('system');
  });

  it('tests a proposed setting without saving it: ok, 407, refused password, unreachable', async () => {
    const guardedInput: ProxySettingsInput = { mode: 'http', host: '127.0.0.1', port: guarded.port, user: null };
    const target = `${emulator.origin}/`;
    expect(await value('proxy:test', { mode: 'http', host: '127.0.0.1', port: open.port, user: null })).toEqual({
      ok: true,
      target,
      via: `http://127.0.0.1:${open.port}`,
      error: null,
    });
    const wantsPassword = await value('proxy:test', guardedInput);
    expect(wantsPassword).toMatchObject({ ok: false, target, error: { code: ErrorCode.ProxyAuth, message: expect.stringContaining('wants a user name and password') } });
    const wrong = await value('proxy:test', { ...guardedInput, user: PROXY_USER, password: 'not-the-password' });
    expect(wrong).toMatchObject({ ok: false, via: `http://${PROXY_USER}@127.0.0.1:${guarded.port}`, error: { code: ErrorCode.ProxyAuth, message: expect.stringContaining('refused the proxy user name or password') } });
    expect(await value('proxy:test', { ...guardedInput, user: PROXY_USER, password: PROXY_PASSWORD })).toMatchObject({ ok: true, error: null });
    const dead = await closedPort();
    const unreachable = await value('proxy:test', { mode: 'socks5', host: '127.0.0.1', port: dead, user: null });
    expect(unreachable).toMatchObject({ ok: false, error: { code: ErrorCode.Network, message: expect.stringContaining(`Could not reach the proxy socks5h://127.0.0.1:${dead}`) } });
    expect(await value('proxy:test', { mode: 'none', host: '', port: 8080, user: null })).toEqual({ ok: true, target, via: null, error: null });
    // Nothing was saved.
    expect(await value('proxy:get')).toEqual({ mode: 'system', host: '', port: 8080, user: null, passwordStored: false });
    expect(await secrets.get(PROXY_PASSWORD_SECRET_KEY)).toBeNull();
  });

  it('saves the proxy with its password in the keychain, never in settings.json, and a running pair follows it', async () => {
    const local = join(folder, 'Local');
    await mkdir(local, { recursive: true });
    await writeFile(join(local, 'first.txt'), 'first');
    const pair = await value('pairs:add', { localFolder: local, remoteFolder: 'Pair' });
    await until('the first sync', async () => (await value('status:get')).find((item) => item.pairId === pair.id)?.status.lastSyncAt != null, 20_000);

    const saved = await value('proxy:save', { mode: 'http', host: '127.0.0.1', port: guarded.port, user: PROXY_USER, password: PROXY_PASSWORD });
    expect(saved).toEqual({ mode: 'http', host: '127.0.0.1', port: guarded.port, user: PROXY_USER, passwordStored: true });
    expect(await secrets.get(PROXY_PASSWORD_SECRET_KEY)).toBe(PROXY_PASSWORD);
    const text = await settingsText();
    expect(JSON.parse(text).proxy).toEqual({ mode: 'http', host: '127.0.0.1', port: guarded.port, user: PROXY_USER });
    expect(text).not.toContain(PROXY_PASSWORD);
    // What main answers a proxy's sign-in challenge to the update feed with.
    expect(services.proxyCredentials()).toEqual({ username: PROXY_USER, password: PROXY_PASSWORD });

    // The pair's store was built before the change; its next requests go through the new proxy.
    const before = (await requestLines(guarded)).length;
    await writeFile(join(local, 'second.txt'), 'second');
    await value('pairs:syncNow', { id: pair.id });
    await until('the file on the server', async () => (await readFile(join(emulator.filesDir(USER), 'Pair', 'second.txt'), 'utf8').catch(() => null)) === 'second', 20_000);
    expect((await requestLines(guarded)).length).toBeGreaterThan(before);

    // Saved again without a password (or an empty one): the stored one stays.
    expect((await value('proxy:save', { mode: 'http', host: '127.0.0.1', port: guarded.port, user: PROXY_USER })).passwordStored).toBe(true);
    expect((await value('proxy:save', { mode: 'http', host: '127.0.0.1', port: guarded.port, user: PROXY_USER, password: '' })).passwordStored).toBe(true);
    expect(await secrets.get(PROXY_PASSWORD_SECRET_KEY)).toBe(PROXY_PASSWORD);
    expect(await value('proxy:test', { mode: 'http', host: '127.0.0.1', port: guarded.port, user: PROXY_USER })).toMatchObject({ ok: true });
  });

  it('removes the stored password when asked, or when the user is cleared', async () => {
    const cleared = await value('proxy:save', { mode: 'http', host: '127.0.0.1', port: guarded.port, user: PROXY_USER, clearPassword: true });
    expect(cleared.passwordStored).toBe(false);
    expect(await secrets.get(PROXY_PASSWORD_SECRET_KEY)).toBeNull();
    await value('proxy:save', { mode: 'http', host: '127.0.0.1', port: guarded.port, user: PROXY_USER, password: PROXY_PASSWORD });
    const noUser = await value('proxy:save', { mode: 'none', host: '127.0.0.1', port: guarded.port, user: null });
    expect(noUser).toEqual({ mode: 'none', host: '127.0.0.1', port: guarded.port, user: null, passwordStored: false });
    expect(await secrets.get(PROXY_PASSWORD_SECRET_KEY)).toBeNull();
    expect(services.proxyCredentials()).toBeNull();
  });

  it('wrote no proxy password to any log line', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.some((line) => line.includes('proxy: http://office@127.0.0.1'))).toBe(true);
    for (const line of logLines) expect(line).not.toContain(PROXY_PASSWORD);
  });
});
