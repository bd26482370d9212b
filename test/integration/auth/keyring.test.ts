/**
 * KeyringSecretStore against a real Secret Service: gnome-keyring-daemon on a private D-Bus
 * session bus (test/support/secretService.ts). Each scenario runs the store in its own child
 * process, because the keyring library keeps the first session bus a process opened.
 *
 * What a user would notice: the password is there after a restart, one account's secret never
 * comes back for another, and when the keyring is locked, missing or hung, sign-in fails at
 * once with a message that says what to do, never with the password in it, and never hangs.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import { requireSystemTool } from '../../support/requirements.js';
import {
  buildKeyringClient,
  KeyringClientError,
  secretServiceToolsAvailable,
  startKeyringClient,
  startPrivateSecretService,
  type KeyringClient,
  type KeyringClientOptions,
  type PrivateSecretService,
} from '../../support/secretService.js';

const secretService = requireSystemTool('gnome-keyring-daemon and dbus-daemon', secretServiceToolsAvailable(), 'gnome-keyring dbus');

/** A failure the user must see quickly: well under the client's 30 s hang limit. */
const PROMPT_FAILURE_MS = 10_000;

const SECRET = 'correct horse battery staple';
const UNICODE_SECRET = 'pässwörd ✓ 日本語のパスワード 🔑 "quoted" \\ back\nnew line\ttab';

function longSecret(): string {
  // An OAuth2 token set as the app stores it: JSON with long JWTs, about 18 kB.
  const jwt = (seed: string): string => Buffer.from(seed.repeat(400)).toString('base64url');
  return JSON.stringify({
    accessToken: `${jwt('access ✓ ')}.${jwt('payload')}.${jwt('signature')}`,
    refreshToken: jwt('refresh'),
    expiresAt: 1_900_000_000_000,
  });
}

let bundle: string;
let workDirectory: string;
const clients: KeyringClient[] = [];
const services: PrivateSecretService[] = [];

async function client(env: Record<string, string>, options: KeyringClientOptions): Promise<KeyringClient> {
  const started = await startKeyringClient(bundle, env, options);
  clients.push(started);
  return started;
}

async function secretServiceWithKeyring(options: { unlock?: boolean } = {}): Promise<PrivateSecretService> {
  const service = await startPrivateSecretService();
  services.push(service);
  await service.startKeyring(options);
  return service;
}

function uniqueService(): string {
  return `TeraSync-test-${randomUUID()}`;
}

/** Runs `call`, expects KeychainUnavailable within PROMPT_FAILURE_MS, and returns the error. */
async function unavailable(call: () => Promise<unknown>): Promise<KeyringClientError> {
  const started = Date.now();
  const error = await call().then(
    () => {
      throw new Error('expected KeychainUnavailable, the call succeeded');
    },
    (failure: unknown) => failure,
  );
  expect(Date.now() - started).toBeLessThan(PROMPT_FAILURE_MS);
  expect(error).toBeInstanceOf(KeyringClientError);
  const coded = error as KeyringClientError;
  expect(coded.code).toBe(ErrorCode.KeychainUnavailable);
  expect(coded.causes.length, 'the original error is kept as cause').toBeGreaterThan(0);
  return coded;
}

function expectNoSecretIn(error: KeyringClientError, keyringClient: KeyringClient, ...secrets: string[]): void {
  const everything = [error.message, ...error.causes, keyringClient.stderr()].join('\n');
  for (const secret of secrets) {
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(encodeURIComponent(secret));
    expect(everything).not.toContain(Buffer.from(secret).toString('base64'));
  }
}

describe.skipIf(secretService.skip)('KeyringSecretStore on gnome-keyring in a private D-Bus session', () => {
  beforeAll(async () => {
    secretService.assertAvailable();
    workDirectory = await mkdtemp(path.join(os.tmpdir(), 'terasync-keyring-client-'));
    bundle = await buildKeyringClient(workDirectory);
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((started) => started.close()));
  });

  afterAll(async () => {
    await Promise.all(clients.splice(0).map((started) => started.close()));
    await Promise.all(services.splice(0).map((service) => service.dispose()));
    if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
  });

  describe('an unlocked keyring', () => {
    let keyring: PrivateSecretService;
    beforeAll(async () => {
      keyring = await secretServiceWithKeyring();
    });

    it('describes itself as the persistent Secret Service keyring', async () => {
      const store = await client(keyring.env, { service: uniqueService() });
      expect(await store.describe()).toEqual({ description: 'the Secret Service keyring', persistent: true });
    });

    it('stores, reads back, replaces and deletes a secret, as one item in the keyring', async () => {
      const service = uniqueService();
      const key = 'basic:alice@seto.teracloud.jp';
      const store = await client(keyring.env, { service });

      await store.set(key, SECRET);
      expect(await store.get(key)).toBe(SECRET);
      // Really in gnome-keyring, filed under the service with the key as account.
      expect(await keyring.searchItems({ service, username: key })).toHaveLength(1);

      await store.set(key, 'a new password');
      expect(await store.get(key)).toBe('a new password');
      expect(await keyring.searchItems({ service, username: key }), 'replaced, not added').toHaveLength(1);

      expect(await store.delete(key)).toBe(true);
      expect(await store.get(key)).toBeNull();
      expect(await keyring.searchItems({ service, username: key })).toHaveLength(0);
      expect(await store.delete(key), 'nothing left to delete').toBe(false);
    });

    it('reads a missing entry as null and deleting it as false', async () => {
      const store = await client(keyring.env, { service: uniqueService() });
      expect(await store.get('basic:nobody@seto.teracloud.jp')).toBeNull();
      expect(await store.delete('basic:nobody@seto.teracloud.jp')).toBe(false);
    });

    it('keeps two keys apart, and the same key under two service names apart', async () => {
      const service = uniqueService();
      const other = uniqueService();
      const store = await client(keyring.env, { service });
      const otherStore = await client(keyring.env, { service: other });

      await store.set('basic:alice@seto.teracloud.jp', 'alice secret');
      await store.set('basic:bob@seto.teracloud.jp', 'bob secret');
      await otherStore.set('basic:alice@seto.teracloud.jp', 'alice in the other service');

      expect(await store.get('basic:alice@seto.teracloud.jp')).toBe('alice secret');
      expect(await store.get('basic:bob@seto.teracloud.jp')).toBe('bob secret');
      expect(await otherStore.get('basic:alice@seto.teracloud.jp')).toBe('alice in the other service');
      expect(await otherStore.get('basic:bob@seto.teracloud.jp')).toBeNull();

      expect(await store.delete('basic:alice@seto.teracloud.jp')).toBe(true);
      expect(await store.get('basic:bob@seto.teracloud.jp'), 'deleting one key leaves the other').toBe('bob secret');
      expect(await otherStore.get('basic:alice@seto.teracloud.jp')).toBe('alice in the other service');
    });

    it('gives back unicode and long secrets unchanged', async () => {
      const store = await client(keyring.env, { service: uniqueService() });
      const long = longSecret();
      expect(long.length).toBeGreaterThan(16_000);

      await store.set('oauth:ユーザー@https://auth.example', UNICODE_SECRET);
      await store.set('oauth:alice@https://auth.example', long);
      expect(await store.get('oauth:ユーザー@https://auth.example')).toBe(UNICODE_SECRET);
      expect(await store.get('oauth:alice@https://auth.example')).toBe(long);
    });

    it('runs calls made at the same time one after the other, each with its own answer', async () => {
      const store = await client(keyring.env, { service: uniqueService() });
      const keys = Array.from({ length: 8 }, (_, index) => `basic:user${index}@seto.teracloud.jp`);
      await Promise.all(keys.map((key, index) => store.set(key, `secret number ${index}`)));
      expect(await Promise.all(keys.map((key) => store.get(key)))).toEqual(keys.map((_, index) => `secret number ${index}`));
    });

    it('probe reports the keyring available and leaves nothing behind', async () => {
      const service = uniqueService();
      const store = await client(keyring.env, { service });
      expect(await store.probe()).toEqual({ available: true });
      expect(await keyring.searchItems({ service }), 'no probe entry left in the keyring').toEqual([]);
    });
  });

  describe('a secret survives a restart of the keyring', () => {
    it('is there when gnome-keyring starts again on the same keyring files', async () => {
      const keyring = await secretServiceWithKeyring();
      const service = uniqueService();
      const writer = await client(keyring.env, { service });
      await writer.set('basic:alice@seto.teracloud.jp', SECRET);
      await writer.close();

      await keyring.stopKeyring();
      await keyring.startKeyring();
      const reader = await client(keyring.env, { service });
      expect(await reader.get('basic:alice@seto.teracloud.jp')).toBe(SECRET);
    });
  });

  describe('a locked keyring', () => {
    it('fails at once with KeychainUnavailable that says to unlock it, never with the secret, and loses nothing', async () => {
      const keyring = await secretServiceWithKeyring();
      const service = uniqueService();
      const key = 'basic:alice@seto.teracloud.jp';
      const writer = await client(keyring.env, { service });
      await writer.set(key, SECRET);
      await writer.close();

      await keyring.lockDefaultCollection();
      expect(await keyring.isDefaultCollectionLocked()).toBe(true);

      // The unlock prompt cannot be shown (no prompter on this bus): gnome-keyring dismisses it.
      const store = await client(keyring.env, { service });
      const readError = await unavailable(() => store.get(key));
      expect(readError.message).toMatch(/^The Secret Service keyring is locked or refused access, so TeraSync cannot read the saved sign-in from it\./);
      expect(readError.message).toMatch(/Unlock the keyring/);
      expect(readError.message).toMatch(/keep the secret for this session only/);
      expectNoSecretIn(readError, store, SECRET);

      const newSecret = 'a brand new password 42';
      const writeError = await unavailable(() => store.set(key, newSecret));
      expect(writeError.message).toMatch(/locked or refused access, so TeraSync cannot save the sign-in in it/);
      expectNoSecretIn(writeError, store, SECRET, newSecret);

      const deleteError = await unavailable(() => store.delete(key));
      expect(deleteError.message).toMatch(/locked or refused access, so TeraSync cannot remove the saved sign-in from it/);

      const probe = await store.probe();
      expect(probe.available).toBe(false);
      expect(probe.available ? '' : probe.reason).toMatch(/locked or refused access/);

      // Unlocking (gnome-keyring started again with the password) finds the secret untouched.
      await keyring.stopKeyring();
      await keyring.startKeyring();
      const reader = await client(keyring.env, { service });
      expect(await reader.get(key)).toBe(SECRET);
    });

    it('a Secret Service without any keyring yet (never unlocked) cannot save, and says so', async () => {
      const keyring = await secretServiceWithKeyring({ unlock: false });
      const store = await client(keyring.env, { service: uniqueService() });
      const error = await unavailable(() => store.set('basic:alice@seto.teracloud.jp', SECRET));
      expect(error.message).toMatch(/^The Secret Service keyring has no default keyring to keep secrets in, so TeraSync cannot save the sign-in in it\./);
      expect(error.message).toMatch(/keep the secret for this session only/);
      expectNoSecretIn(error, store, SECRET);
      expect((await store.probe()).available).toBe(false);
    });
  });

  describe('no keyring', () => {
    it('a session bus without a Secret Service: KeychainUnavailable, install GNOME Keyring or KWallet', async () => {
      const bus = await startPrivateSecretService();
      services.push(bus);
      const store = await client(bus.env, { service: uniqueService() });

      for (const call of [() => store.get('basic:alice@seto.teracloud.jp'), () => store.set('basic:alice@seto.teracloud.jp', SECRET), () => store.delete('basic:alice@seto.teracloud.jp')]) {
        const error = await unavailable(call);
        expect(error.message).toMatch(/^No Secret Service keyring answers on this desktop session, so TeraSync cannot/);
        expect(error.message).toMatch(/Install and start a Secret Service such as GNOME Keyring or KWallet, or keep the secret for this session only\./);
        expect(error.message).toMatch(/Details: .*org\.freedesktop\.secrets/);
        expectNoSecretIn(error, store, SECRET);
      }
      const probe = await store.probe();
      expect(probe).toEqual({ available: false, reason: expect.stringMatching(/^No Secret Service keyring answers/) as unknown });
    });

    it('no D-Bus session at all: KeychainUnavailable with the same advice', async () => {
      const bus = await startPrivateSecretService();
      services.push(bus);
      const store = await client(bus.envWithoutBus, { service: uniqueService() });
      const error = await unavailable(() => store.set('basic:alice@seto.teracloud.jp', SECRET));
      expect(error.message).toMatch(/^No Secret Service keyring answers on this desktop session, so TeraSync cannot save the sign-in in it\./);
      expect(error.message).toMatch(/Install and start a Secret Service such as GNOME Keyring or KWallet/);
      expectNoSecretIn(error, store, SECRET);
      expect((await store.probe()).available).toBe(false);
    });

    it('a keyring that stopped answering: KeychainUnavailable in bounded time, not a hang', async () => {
      const keyring = await secretServiceWithKeyring();
      const store = await client(keyring.env, { service: uniqueService(), timeoutMs: 5_000 });
      keyring.freezeKeyring();
      try {
        const error = await unavailable(() => store.set('basic:alice@seto.teracloud.jp', SECRET));
        expect(error.message).toMatch(/^The Secret Service keyring did not answer/);
        expect(error.message).toMatch(/keep the secret for this session only/);
        expectNoSecretIn(error, store, SECRET);
      } finally {
        keyring.thawKeyring();
      }
    });
  });
});
