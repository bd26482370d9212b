/**
 * `terasync login | whoami | logout` and `sync` with the signed-in account: the built command
 * in child processes, the secrets in a real keychain (gnome-keyring on a private D-Bus session,
 * test/support/secretService.ts), the TeraCLOUD emulator in this process, and the headless
 * browser for the OAuth2 sign-in.
 *
 * What a user would notice: they sign in once and later commands just work; the password is
 * never an argument; after logout nothing of the account is left; and no file or line of
 * output ever holds the Apps password or a token (the leak check the issue asks for).
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../dev/emulator/TeraCloudEmulator.js';
import { basicSecretKey, oauthSecretKey, type OAuthSettings } from '../../../electron/auth/AccountRecord.js';
import { ensureCliBuilt, runCli, startCli, type CliResult } from '../../support/cli.js';
import { completeBrowserSignIn, type BrowserResult } from '../../support/oauthBrowser.js';
import { requireSystemTool } from '../../support/requirements.js';
import {
  buildKeyringClient,
  secretServiceToolsAvailable,
  startKeyringClient,
  startPrivateSecretService,
  type PrivateSecretService,
} from '../../support/secretService.js';

const secretService = requireSystemTool('gnome-keyring-daemon and dbus-daemon', secretServiceToolsAvailable(), 'gnome-keyring dbus');

const USER = 'demo';
const PASSWORD = 'demo-apps-password';
const BASIC_FORM = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const SCOPES = 'openid offline_access dav';

let emulator: RunningEmulator;
let keyring: PrivateSecretService;
let bundle: string;
let workDirectory: string;
const cleanups: Array<() => Promise<void>> = [];

/** One installation: its own state folder, local folder and keychain service name, and every output of the command. */
interface Installation {
  state: string;
  local: string;
  service: string;
  env: Record<string, string>;
  outputs: CliResult[];
  run(args: string[], input?: string): Promise<CliResult>;
}

async function installation(sessionEnv: Record<string, string> = keyring.env): Promise<Installation> {
  const base = await mkdtemp(join(tmpdir(), 'terasync-cli-account-'));
  cleanups.push(() => rm(base, { recursive: true, force: true }));
  const state = join(base, 'state');
  const local = join(base, 'local');
  await mkdir(local);
  const service = `TeraSync-test-${randomUUID()}`;
  const env = { ...sessionEnv, TERASYNC_KEYRING_SERVICE: service, TERASYNC_NO_BROWSER: '1' };
  const outputs: CliResult[] = [];
  return {
    state,
    local,
    service,
    env,
    outputs,
    async run(args, input) {
      const result = await runCli([...args, '--state', state], env, input);
      outputs.push(result);
      return result;
    },
  };
}

function loginWithPassword(user: Installation): Promise<CliResult> {
  return user.run(['login', '--user', USER, '--password-stdin', '--api-key', emulator.apiKey, '--api-url', emulator.apiBaseUrl], `${PASSWORD}\n`);
}

function oauthSettings(): OAuthSettings {
  const oauth = emulator.oauth!;
  return { issuer: oauth.issuer, clientId: oauth.clientId, scopes: SCOPES.split(' ') };
}

/** `login --oauth` in a child; the headless browser opens the address the command prints on stderr. */
async function loginWithOAuth(user: Installation): Promise<{ result: CliResult; browser: BrowserResult }> {
  const oauth = emulator.oauth!;
  const running = startCli(
    [
      'login',
      '--oauth',
      '--issuer',
      oauth.issuer,
      '--client-id',
      oauth.clientId,
      '--scopes',
      SCOPES,
      '--api-key',
      emulator.apiKey,
      '--api-url',
      emulator.apiBaseUrl,
      '--state',
      user.state,
    ],
    user.env,
  );
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no authorization address on stderr within 15 s:\n${seen}`)), 15_000);
    running.child.stderr!.on('data', (chunk: string) => {
      seen += chunk;
      const found = /https?:\/\/\S+\/auth\?\S+/.exec(seen);
      if (found !== null) {
        clearTimeout(timer);
        resolve(found[0]);
      }
    });
    void running.done.then((result) => {
      clearTimeout(timer);
      reject(new Error(`the command ended (${result.code}) before printing the address:\n${result.stderr}`));
    });
  });
  expect(new URL(url).searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  const browser = await completeBrowserSignIn(url, { userId: USER, password: PASSWORD });
  const result = await running.done;
  user.outputs.push(result);
  return { result, browser };
}

async function whoamiJson(user: Installation): Promise<Record<string, unknown>> {
  const result = await user.run(['whoami', '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** Every file below `folder`, as raw bytes (journals are SQLite: binary). */
async function filesBelow(folder: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  if (!existsSync(folder)) return files;
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(folder, path), await readFile(path));
  }
  return files;
}

/** Which of `secrets` occur in which file or output: [] when none does. */
async function leaks(user: Installation, secrets: Record<string, string>): Promise<string[]> {
  const found: string[] = [];
  const files = await filesBelow(user.state);
  for (const [name, secret] of Object.entries(secrets)) {
    expect(secret.length, `${name} is a real secret`).toBeGreaterThan(8);
    for (const [path, bytes] of files) {
      if (bytes.includes(Buffer.from(secret, 'utf8'))) found.push(`${name} in ${path}`);
    }
    user.outputs.forEach((output, index) => {
      if (output.stdout.includes(secret)) found.push(`${name} in the stdout of run ${index}`);
      if (output.stderr.includes(secret)) found.push(`${name} in the stderr of run ${index}`);
    });
  }
  return found;
}

describe.skipIf(secretService.skip)('terasync login / whoami / logout with the real keychain', () => {
  beforeAll(async () => {
    secretService.assertAvailable();
    ensureCliBuilt();
    workDirectory = await mkdtemp(join(tmpdir(), 'terasync-cli-keyring-'));
    [bundle, keyring, emulator] = await Promise.all([buildKeyringClient(workDirectory), startPrivateSecretService(), startEmulator()]);
    await keyring.startKeyring();
  }, 60_000);

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await emulator?.close();
    await keyring?.dispose();
    if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
  });

  it('login with the Apps password on stdin, whoami, sync and status with the account, logout; then whoami and sync say "not signed in"', async () => {
    const user = await installation();
    const login = await loginWithPassword(user);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(`Signed in as ${USER} on seto`);
    expect(login.stdout).toContain('the Secret Service keyring');
    expect(existsSync(join(user.state, 'account.json'))).toBe(true);

    const info = await whoamiJson(user);
    expect(info).toEqual({
      userId: USER,
      node: 'seto',
      origin: emulator.origin,
      signedInWith: 'basic',
      method: 'basic',
      webdavUrl: emulator.davUrl,
      fallbackReason: null,
      quota: { quotaBytes: 20 * 1024 ** 3, usedBytes: expect.any(Number) },
      quotaProblem: null,
      secretStore: 'the Secret Service keyring',
      secretStoreKind: 'secretService',
      proxy: { url: null, source: 'none' },
    });

    const folder = `Sync-${randomUUID().slice(0, 8)}`;
    await mkdir(join(user.local, 'docs'));
    await writeFile(join(user.local, 'docs', 'note.txt'), 'signed in once');
    await writeFile(join(user.local, 'top.txt'), 'and synced');
    const mark = emulator.requests.length;
    const sync = await user.run(['sync', '--once', '--local', user.local, '--remote', folder, '--device', 'testbox']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(await readFile(join(emulator.filesDir(), folder, 'docs', 'note.txt'), 'utf8')).toBe('signed in once');
    expect(await readFile(join(emulator.filesDir(), folder, 'top.txt'), 'utf8')).toBe('and synced');
    const dav = emulator.requests.slice(mark).filter((request) => request.path.startsWith('/dav/'));
    expect(dav.length).toBeGreaterThan(0);
    expect(dav.every((request) => request.authorization === 'basic')).toBe(true);

    const status = await user.run(['status', '--local', user.local, '--remote', folder]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('In sync');
    expect(status.stdout).toContain(`${emulator.origin}/dav/${folder}/`);

    const logout = await user.run(['logout']);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stdout).toContain('Signed out');
    expect(existsSync(join(user.state, 'account.json'))).toBe(false);

    const whoami = await user.run(['whoami']);
    expect(whoami.code).toBe(4);
    expect(whoami.stderr).toContain('not signed in');
    const again = await user.run(['sync', '--once', '--local', user.local, '--remote', folder]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('not signed in');
    const secondLogout = await user.run(['logout']);
    expect(secondLogout.code).toBe(0);
    expect(secondLogout.stdout).toContain('Not signed in');
  });

  it('never takes the password from the command line: without --password-stdin and a terminal, exit 2 naming --password-stdin', async () => {
    const user = await installation();
    const withoutStdin = await user.run(['login', '--user', USER, '--api-key', emulator.apiKey, '--api-url', emulator.apiBaseUrl]);
    expect(withoutStdin.code).toBe(2);
    expect(withoutStdin.stderr).toContain('--password-stdin');
    const asArgument = await user.run(['login', '--user', USER, '--password', PASSWORD, '--api-key', emulator.apiKey, '--api-url', emulator.apiBaseUrl]);
    expect(asArgument.code).toBe(2);
    expect(existsSync(join(user.state, 'account.json'))).toBe(false);
  });

  it('login --oauth in the browser: whoami says oauth2 on /v2/dav/, and sync goes there with the bearer token', async () => {
    const user = await installation();
    const { result, browser } = await loginWithOAuth(user);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('OAuth2');
    expect(result.stdout).toContain(`Signed in as ${USER} on seto`);
    expect(browser.finalBody).toContain('Signed in to TeraSync');

    const info = await whoamiJson(user);
    expect(info).toMatchObject({ userId: USER, node: 'seto', signedInWith: 'oauth2', method: 'oauth2', fallbackReason: null, quota: null });
    expect(info['webdavUrl']).toBe(emulator.v2DavUrl);
    expect(String(info['webdavUrl'])).toMatch(/\/v2\/dav\/$/);

    const folder = `OAuth-${randomUUID().slice(0, 8)}`;
    await writeFile(join(user.local, 'bearer.txt'), 'through /v2/dav/');
    const mark = emulator.requests.length;
    const sync = await user.run(['sync', '--once', '--local', user.local, '--remote', folder, '--device', 'testbox']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(await readFile(join(emulator.filesDir(), folder, 'bearer.txt'), 'utf8')).toBe('through /v2/dav/');
    const used = emulator.requests.slice(mark);
    expect(used.length).toBeGreaterThan(0);
    expect(used.every((request) => request.path.startsWith('/v2/dav/') && request.authorization === 'bearer')).toBe(true);
  });

  it('leak check: after password and OAuth2 sign-in, a sync and logout, no file under --state and no output holds the password or a token', async () => {
    const user = await installation();
    expect((await loginWithPassword(user)).code).toBe(0);
    const { result } = await loginWithOAuth(user);
    expect(result.code, result.stderr).toBe(0);
    const folder = `Leak-${randomUUID().slice(0, 8)}`;
    await writeFile(join(user.local, 'a.txt'), 'content');
    const sync = await user.run(['sync', '--once', '--local', user.local, '--remote', folder, '--device', 'testbox']);
    expect(sync.code, sync.stderr).toBe(0);
    const info = await whoamiJson(user);
    // One account with both secrets: OAuth2 on /v2/dav/, the Apps password kept for the quota and the fallback.
    expect(info).toMatchObject({ signedInWith: 'oauth2', method: 'oauth2', quota: expect.objectContaining({ quotaBytes: 20 * 1024 ** 3 }) });

    // What the keychain holds, read as another program would.
    const reader = await startKeyringClient(bundle, keyring.env, { service: user.service });
    cleanups.push(() => reader.close());
    const basicKey = basicSecretKey({ userId: USER, origin: emulator.origin });
    const oauthKey = oauthSecretKey(oauthSettings());
    expect(await reader.get(basicKey)).toBe(PASSWORD);
    const tokenText = await reader.get(oauthKey);
    expect(tokenText).not.toBeNull();
    const tokens = JSON.parse(tokenText!) as { accessToken: string; refreshToken: string | null };
    expect(tokens.refreshToken).toEqual(expect.any(String));
    const secrets = {
      'the Apps password': PASSWORD,
      'the BASIC credentials': BASIC_FORM,
      'the access token': tokens.accessToken,
      'the refresh token': tokens.refreshToken!,
    };

    // The state folder really holds what a sync leaves: the account, the journal, the status.
    const before = [...(await filesBelow(user.state)).keys()];
    expect(before).toContain('account.json');
    expect(before.some((name) => name.startsWith('journals/') && name.endsWith('.sqlite'))).toBe(true);
    expect(before.some((name) => name.startsWith('status/'))).toBe(true);
    expect(await leaks(user, secrets)).toEqual([]);

    const logout = await user.run(['logout']);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stdout).toContain('revoked');
    expect(await reader.get(basicKey)).toBeNull();
    expect(await reader.get(oauthKey)).toBeNull();
    expect(await leaks(user, secrets)).toEqual([]);
    expect(user.outputs.length).toBeGreaterThanOrEqual(5);
  });

  describe('without a usable keychain', () => {
    it.each([
      ['no D-Bus session bus', async () => keyring.envWithoutBus],
      [
        'DBUS_SESSION_BUS_ADDRESS unset',
        async () => {
          const env: Record<string, string> = { ...keyring.env };
          delete env['DBUS_SESSION_BUS_ADDRESS'];
          return env;
        },
      ],
      [
        'a session bus without a Secret Service',
        async () => {
          const bare = await startPrivateSecretService();
          cleanups.push(() => bare.dispose());
          return bare.env;
        },
      ],
    ])('%s: login fails with exit 2 about the keychain, and nothing is written under --state', async (_what, sessionEnv) => {
      const user = await installation(await sessionEnv());
      const login = await loginWithPassword(user);
      expect(login.code).toBe(2);
      expect(login.stderr).toContain('Secret Service');
      expect(login.stderr).toContain('keyring');
      expect(login.stderr).not.toContain(PASSWORD);
      expect(existsSync(join(user.state, 'account.json'))).toBe(false);
      expect(await leaks(user, { 'the Apps password': PASSWORD, 'the BASIC credentials': BASIC_FORM })).toEqual([]);

      const whoami = await user.run(['whoami']);
      expect(whoami.code).toBe(4);
      expect(whoami.stderr).toContain('not signed in');
    });
  });
});
