/**
 * The `terasync` command behind real proxies on loopback (test/support/proxies.ts): tinyproxy
 * without and with BASIC proxy authentication, and microsocks (SOCKS5, remote names) with a
 * user, each chosen the ways a user would (HTTPS_PROXY + http_proxy, --proxy, ALL_PROXY), in
 * front of Apache (configured like the service) and the emulator.
 *
 * Through each: a sync and a backup against Apache; a download the proxy drops in the middle
 * (the proxy goes down), which ends offline with nothing lost and resumes with Range once the
 * proxy is back; a sign-in, whoami and a sync with the account against the emulator (with the
 * real keychain). Besides: NO_PROXY sends the host direct, --proxy none wins over the
 * environment, a wrong proxy password exits 4 with the proxy's advice, not the service's.
 * The proxy logs only CONNECT lines, never the Apps password; no output of the command holds
 * the proxy's password.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { apacheAvailable, startApache, type ApacheServer } from '../../support/apache.js';
import { ensureCliBuilt, runCli, startCli, type CliResult } from '../../support/cli.js';
import { microsocksAvailable, startMicrosocks, startTinyproxy, tinyproxyAvailable, type RunningProxy } from '../../support/proxies.js';
import { requireSystemTool } from '../../support/requirements.js';
import { secretServiceToolsAvailable, startPrivateSecretService, type PrivateSecretService } from '../../support/secretService.js';
import { until } from '../../support/until.js';

const apache = requireSystemTool('apache2', apacheAvailable(), 'apache2 openssl');
const tinyproxy = requireSystemTool('tinyproxy', tinyproxyAvailable());
const microsocks = requireSystemTool('microsocks', microsocksAvailable());
const secretService = requireSystemTool('gnome-keyring-daemon and dbus-daemon', secretServiceToolsAvailable(), 'gnome-keyring dbus');

const PROXY_USER = 'office';
const PROXY_PASSWORD = 'proxy-secret-7Hq2';
// Large enough that what the kernel and the proxy buffer when the proxy goes down (a few MiB on
// loopback) is far from all of it.
const BIG_FILE_BYTES = 64 * 1024 * 1024;

let server: ApacheServer;
let emulator: RunningEmulator;
let keyring: PrivateSecretService;
let work: string;
let httpOpen: RunningProxy;
let httpGuarded: RunningProxy;
let socksGuarded: RunningProxy;
const outputs: CliResult[] = [];

interface ProxyKind {
  name: string;
  proxy: () => RunningProxy;
  /** How the command is told: environment variables and/or arguments. */
  env: () => Record<string, string>;
  args: () => string[];
  /** What whoami says (no password). */
  shown: () => string;
  /** tinyproxy keeps a log of request lines; microsocks keeps none. */
  logs: boolean;
}

const kinds: ProxyKind[] = [
  {
    name: 'an HTTP proxy from HTTPS_PROXY / http_proxy',
    proxy: () => httpOpen,
    env: () => ({ HTTPS_PROXY: httpOpen.url, http_proxy: httpOpen.url }),
    args: () => [],
    shown: () => `http://127.0.0.1:${httpOpen.port} (from the environment)`,
    logs: true,
  },
  {
    name: 'an HTTP proxy with BASIC proxy authentication from --proxy',
    proxy: () => httpGuarded,
    env: () => ({}),
    args: () => ['--proxy', httpGuarded.urlWithAuth],
    shown: () => `http://${PROXY_USER}@127.0.0.1:${httpGuarded.port} (from --proxy)`,
    logs: true,
  },
  {
    name: 'a SOCKS5 proxy with a user from ALL_PROXY',
    proxy: () => socksGuarded,
    env: () => ({ ALL_PROXY: socksGuarded.urlWithAuth }),
    args: () => [],
    shown: () => `socks5h://${PROXY_USER}@127.0.0.1:${socksGuarded.port} (from the environment)`,
    logs: false,
  },
];

async function run(args: string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  const result = await runCli(args, env, input);
  outputs.push(result);
  return result;
}

async function folder(name: string): Promise<string> {
  const path = join(work, `${name}-${randomUUID().slice(0, 8)}`);
  await mkdir(path, { recursive: true });
  return path;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function bigContent(): Buffer {
  return randomBytes(BIG_FILE_BYTES);
}

/** tinyproxy's request lines. */
function requestLines(log: string): string[] {
  return log
    .split('\n')
    .map((line) => /Request \(file descriptor \d+\): (.*)$/.exec(line)?.[1])
    .filter((line): line is string => line !== undefined);
}

async function expectOnlyConnect(proxy: RunningProxy, secrets: string[]): Promise<void> {
  const log = await proxy.log();
  const lines = requestLines(log);
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(line).toMatch(/^CONNECT 127\.0\.0\.1:\d+ HTTP\/1\.1$/);
  for (const secret of secrets) expect(log).not.toContain(secret);
}

const apacheEnv = (): Record<string, string> => ({ TERASYNC_USER: server.user, TERASYNC_PASSWORD: server.password });

describe.skipIf(apache.skip || tinyproxy.skip || microsocks.skip || secretService.skip)('the command behind real proxies', () => {
  beforeAll(async () => {
    apache.assertAvailable();
    tinyproxy.assertAvailable();
    microsocks.assertAvailable();
    secretService.assertAvailable();
    ensureCliBuilt();
    work = await mkdtemp(join(tmpdir(), 'terasync-cli-proxy-'));
    [server, emulator, keyring, httpOpen, httpGuarded, socksGuarded] = await Promise.all([
      startApache(),
      startEmulator(),
      startPrivateSecretService(),
      startTinyproxy(),
      startTinyproxy({ auth: { user: PROXY_USER, password: PROXY_PASSWORD } }),
      startMicrosocks({ auth: { user: PROXY_USER, password: PROXY_PASSWORD } }),
    ]);
    await keyring.startKeyring();
  }, 90_000);

  afterAll(async () => {
    // Nothing the command printed, in any test, holds the proxy's password.
    for (const [index, output] of outputs.entries()) {
      expect(output.stdout, `stdout of run ${index}`).not.toContain(PROXY_PASSWORD);
      expect(output.stderr, `stderr of run ${index}`).not.toContain(PROXY_PASSWORD);
    }
    await Promise.all([httpOpen?.close(), httpGuarded?.close(), socksGuarded?.close()]);
    await emulator?.close();
    await keyring?.dispose();
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  describe.each(kinds)('through $name', (kind) => {
    it('a sync and a backup against Apache', async () => {
      const local = await folder('local');
      const state = await folder('state');
      const pair = `pair-${randomUUID().slice(0, 8)}`;
      await writeFile(join(local, 'up.txt'), 'from this computer\n');
      const env = { ...apacheEnv(), ...kind.env() };
      const common = ['--state', state, '--ca', server.caFile, ...kind.args()];
      const first = await run(['sync', '--once', '--local', local, '--remote', `${server.url}${pair}/`, ...common], env);
      expect(first.code, first.stderr).toBe(0);
      expect(await readFile(join(server.dataDir, pair, 'up.txt'), 'utf8')).toBe('from this computer\n');

      await writeFile(join(server.dataDir, pair, 'down.txt'), 'from the server\n');
      await server.grantServerAccess();
      const second = await run(['sync', '--once', '--local', local, '--remote', `${server.url}${pair}/`, ...common], env);
      expect(second.code, second.stderr).toBe(0);
      expect(await readFile(join(local, 'down.txt'), 'utf8')).toBe('from the server\n');

      const source = await folder('source');
      await writeFile(join(source, 'kept.txt'), 'backed up through the proxy\n');
      const device = `dev-${randomUUID().slice(0, 6)}`;
      const backup = await run(['backup', '--source', source, '--remote', server.backupUrl, '--device', device, ...common], env);
      expect(backup.code, backup.stderr).toBe(0);
      const deviceFolder = join(server.backupDir, device);
      const [sourceName] = await readdir(deviceFolder);
      expect(await readFile(join(deviceFolder, sourceName ?? '', 'kept.txt'), 'utf8')).toBe('backed up through the proxy\n');

      if (kind.logs) await expectOnlyConnect(kind.proxy(), [server.password, Buffer.from(`${server.user}:${server.password}`).toString('base64')]);
    }, 60_000);

    it('the proxy goes down in the middle of a download: the run ends offline, nothing is lost, and the download resumes once it is back', async () => {
      const local = await folder('local');
      const state = await folder('state');
      const pair = `resume-${randomUUID().slice(0, 8)}`;
      const content = bigContent();
      await mkdir(join(server.dataDir, pair), { recursive: true });
      await writeFile(join(server.dataDir, pair, 'big.bin'), content);
      // Apache's ETag is weak for a second after a write, and only a strong one is resumed.
      const hourAgo = new Date(Date.now() - 3_600_000);
      await utimes(join(server.dataDir, pair, 'big.bin'), hourAgo, hourAgo);
      await server.grantServerAccess();
      await writeFile(join(local, 'mine.txt'), 'written while the proxy was down\n');
      const env = { ...apacheEnv(), ...kind.env() };
      const common = ['--local', local, '--remote', `${server.url}${pair}/`, '--state', state, '--ca', server.caFile, ...kind.args()];

      // Slow enough to be stopped in the middle.
      const running = startCli(['sync', '--once', '--limit-down', '2048', '--concurrency', '1', ...common], env);
      const checkWhileDown = async (): Promise<void> => {
        const cut = await running.done;
        outputs.push(cut);
        expect(cut.code).toBe(1);
        expect(`${cut.stdout}\n${cut.stderr}`).toMatch(/Could not reach the proxy|connection closed|Could not reach the server/i);
        expect(existsSync(join(local, 'big.bin'))).toBe(false);
        expect(await partial()).toBeGreaterThan(0);
        expect(await readFile(join(local, 'mine.txt'), 'utf8')).toBe('written while the proxy was down\n');
        // While it is down: offline, nothing changes.
        const down = await run(['sync', '--once', ...common], env);
        expect(down.code).toBe(1);
        expect(down.stderr).toMatch(/Could not reach the proxy/);
        expect(down.stderr).not.toMatch(/Apps connection/);
      };
      const partial = async (): Promise<number> => {
        const names = await readdir(local).catch(() => [] as string[]);
        const temp = names.find((name) => name.startsWith('.terasync-') && name.endsWith('.tmp'));
        return temp === undefined ? 0 : (await stat(join(local, temp))).size;
      };
      await until('a part of the download on disk', async () => (await partial()) >= 1024 * 1024, 30_000);
      await kind.proxy().stop();
      try {
        await checkWhileDown();
      } finally {
        await kind.proxy().start();
      }

      const back = await run(['sync', '--once', ...common], env);
      expect(back.code, back.stderr).toBe(0);
      expect(sha256(await readFile(join(local, 'big.bin')))).toBe(sha256(content));
      expect(await readFile(join(server.dataDir, pair, 'mine.txt'), 'utf8')).toBe('written while the proxy was down\n');
      const log = await server.accessLog((lines) => lines.some((line) => line.method === 'GET' && line.path === `/dav/${pair}/big.bin` && line.status === 206));
      expect(log.filter((line) => line.method === 'GET' && line.path === `/dav/${pair}/big.bin`).map((line) => line.status)).toContain(206);
      expect((await readdir(local)).filter((name) => name.startsWith('.terasync-') && name.endsWith('.tmp'))).toEqual([]);
    }, 90_000);

    it('sign-in, whoami and a sync with the account against the emulator', async () => {
      const local = await folder('local');
      const state = await folder('state');
      const env = { ...keyring.env, TERASYNC_KEYRING_SERVICE: `TeraSync-test-${randomUUID()}`, TERASYNC_NO_BROWSER: '1', ...kind.env() };
      const login = await run(
        ['login', '--user', 'demo', '--password-stdin', '--api-key', emulator.apiKey, '--api-url', emulator.apiBaseUrl, '--state', state, ...kind.args()],
        env,
        'demo-apps-password\n',
      );
      expect(login.code, login.stderr).toBe(0);
      const whoami = await run(['whoami', '--state', state, ...kind.args()], env);
      expect(whoami.code, whoami.stderr).toBe(0);
      expect(whoami.stdout).toContain(`proxy:    ${kind.shown()}`);
      const json = await run(['whoami', '--json', '--state', state, ...kind.args()], env);
      expect((JSON.parse(json.stdout) as { proxy: unknown }).proxy).toEqual({ url: kind.shown().replace(/ \(from .*\)$/, ''), source: kind.args().length > 0 ? '--proxy' : 'environment' });
      await writeFile(join(local, 'note.txt'), 'through the proxy to the emulator\n');
      const sync = await run(['sync', '--once', '--local', local, '--remote', 'Sync', '--state', state, ...kind.args()], env);
      expect(sync.code, sync.stderr).toBe(0);
      expect(await readFile(join(emulator.filesDir(), 'Sync', 'note.txt'), 'utf8')).toBe('through the proxy to the emulator\n');
      if (kind.logs) {
        const lines = requestLines(await kind.proxy().log());
        expect(lines).toContain(`CONNECT 127.0.0.1:${new URL(emulator.origin).port} HTTP/1.1`);
      }
    }, 60_000);
  });

  it('a wrong proxy password exits 4 with the proxy advice, not the service one (HTTP and SOCKS)', async () => {
    const local = await folder('local');
    for (const proxy of [
      `http://${PROXY_USER}:not-it-1234@127.0.0.1:${httpGuarded.port}`,
      `socks5h://${PROXY_USER}:not-it-1234@127.0.0.1:${socksGuarded.port}`,
    ]) {
      const result = await run(['sync', '--once', '--local', local, '--remote', server.url, '--ca', server.caFile, '--state', await folder('state'), '--proxy', proxy], apacheEnv());
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(/refused the proxy user name or password/);
      expect(result.stderr).toMatch(/proxy's sign-in, not TeraCLOUD's/);
      expect(result.stderr).not.toMatch(/Apps connection/);
      expect(result.stderr).not.toContain('not-it-1234');
    }
    const none = await run(['sync', '--once', '--local', local, '--remote', server.url, '--ca', server.caFile, '--state', await folder('state')], { ...apacheEnv(), HTTPS_PROXY: httpGuarded.url });
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(/wants a user name and password \(407\)/);
  }, 60_000);

  it('NO_PROXY sends the host direct, and --proxy none wins over the environment', async () => {
    // A proxy address where nothing listens: any request that went there would fail.
    const stopped = await startTinyproxy();
    await stopped.close();
    const local = await folder('local');
    await writeFile(join(local, 'direct.txt'), 'no proxy for this one\n');
    const pair = `direct-${randomUUID().slice(0, 8)}`;
    const args = ['sync', '--once', '--local', local, '--remote', `${server.url}${pair}/`, '--ca', server.caFile, '--state', await folder('state')];
    const bypassed = await run(args, { ...apacheEnv(), HTTPS_PROXY: stopped.url, NO_PROXY: 'localhost,127.0.0.0/8' });
    expect(bypassed.code, bypassed.stderr).toBe(0);
    expect(await readFile(join(server.dataDir, pair, 'direct.txt'), 'utf8')).toBe('no proxy for this one\n');
    const overridden = await run([...args, '--proxy', 'none'], { ...apacheEnv(), HTTPS_PROXY: stopped.url });
    expect(overridden.code, overridden.stderr).toBe(0);
    const through = await run(args, { ...apacheEnv(), HTTPS_PROXY: stopped.url });
    expect(through.code).toBe(1);
    expect(through.stderr).toMatch(new RegExp(`Could not reach the proxy http://127\\.0\\.0\\.1:${stopped.port} \\(ECONNREFUSED\\)`));
    const bad = await run([...args, '--proxy', 'ftp://127.0.0.1:21'], apacheEnv());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--proxy uses ftp:/);
  }, 60_000);
});
