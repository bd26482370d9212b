/**
 * KeyringSecretStore's own logic on a fake keychain and a fake clock: the error messages per
 * platform and failure, redaction of the library's words, the time limit and the one-call-at-
 * a-time queue, and probe. The real keychain is exercised in test/integration/auth/keyring.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import { KeyringSecretStore, type KeyringEntry, type KeyringSecretStoreOptions } from '../../../../electron/auth/KeyringSecretStore.js';
import { FakeClock, settle } from '../../../support/fakeClock.js';

/** Errors shaped like @napi-rs/keyring's: the keyring-core words, the platform's words as cause. */
function nativeError(message: string, causeMessage?: string): Error {
  const error = new Error(message, causeMessage === undefined ? undefined : { cause: new Error(causeMessage) });
  Object.assign(error, { code: 'GenericFailure' });
  return error;
}

const PLATFORM_FAILURE = () =>
  nativeError(
    'Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files',
    'DBus error: The name org.freedesktop.secrets was not provided by any .service files',
  );
const LOCKED = () =>
  nativeError("Couldn't access platform storage: Secret Service: unlock prompt was dismissed", 'Secret Service: unlock prompt was dismissed');

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** An in-memory keychain with the calls recorded and failures on demand. */
class FakeKeychain {
  readonly entries = new Map<string, string>();
  readonly opened: Array<{ service: string; account: string }> = [];
  /** Thrown by openEntry (Linux: the constructor fails when no Secret Service answers). */
  openFailure: (() => Error) | null = null;
  /** Rejects every entry call. */
  callFailure: (() => Error) | null = null;
  /** When set, entry calls wait for it before doing anything. */
  gate: Promise<void> | null = null;
  /** What get answers instead of the stored value, for a keychain that loses writes. */
  readOverride: string | null | undefined = undefined;

  options(extra: KeyringSecretStoreOptions = {}): KeyringSecretStoreOptions {
    return { service: 'TeraSync-unit', platform: 'linux', openEntry: (service, account) => this.open(service, account), ...extra };
  }

  private open(service: string, account: string): KeyringEntry {
    this.opened.push({ service, account });
    if (this.openFailure) throw this.openFailure();
    const id = `${service}\u0000${account}`;
    const run = async <T>(work: () => T): Promise<T> => {
      if (this.gate) await this.gate;
      if (this.callFailure) throw this.callFailure();
      return work();
    };
    return {
      getPassword: () => run(() => (this.readOverride !== undefined ? this.readOverride : (this.entries.get(id) ?? null))),
      setPassword: (password) => run(() => void this.entries.set(id, password)),
      deleteCredential: () => run(() => this.entries.delete(id)),
    };
  }
}

async function rejection(promise: Promise<unknown>): Promise<TeraSyncError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(TeraSyncError);
  return error as TeraSyncError;
}

describe('KeyringSecretStore', () => {
  describe('description and defaults', () => {
    it.each([
      ['darwin', 'the macOS Keychain'],
      ['win32', 'Windows Credential Manager'],
      ['linux', 'the Secret Service keyring'],
      ['freebsd', 'the Secret Service keyring'],
    ] as const)('on %s it is %s, and persistent', (platform, description) => {
      const store = new KeyringSecretStore({ platform, openEntry: new FakeKeychain().options().openEntry! });
      expect(store.description).toBe(description);
      expect(store.persistent).toBe(true);
    });

    it("files entries under the service 'TeraSync' with the key as account", async () => {
      const keychain = new FakeKeychain();
      const store = new KeyringSecretStore({ ...keychain.options(), service: undefined });
      await store.set('basic:alice@seto.teracloud.jp', 'secret');
      expect(keychain.opened).toEqual([{ service: 'TeraSync', account: 'basic:alice@seto.teracloud.jp' }]);
    });
  });

  describe('get, set, delete', () => {
    it('round trips, replaces, and treats a missing entry as null / false', async () => {
      const keychain = new FakeKeychain();
      const store = new KeyringSecretStore(keychain.options());
      expect(await store.get('basic:alice@seto.teracloud.jp')).toBeNull();
      await store.set('basic:alice@seto.teracloud.jp', 'first');
      await store.set('basic:alice@seto.teracloud.jp', 'second');
      expect(await store.get('basic:alice@seto.teracloud.jp')).toBe('second');
      expect(await store.delete('basic:alice@seto.teracloud.jp')).toBe(true);
      expect(await store.delete('basic:alice@seto.teracloud.jp')).toBe(false);
      expect(await store.get('basic:alice@seto.teracloud.jp')).toBeNull();
    });

    it('refuses an empty key without asking the keychain', async () => {
      const keychain = new FakeKeychain();
      const store = new KeyringSecretStore(keychain.options());
      expect((await rejection(store.get(''))).code).toBe(ErrorCode.InvalidRequest);
      expect((await rejection(store.set('', 'secret'))).code).toBe(ErrorCode.InvalidRequest);
      expect(keychain.opened).toEqual([]);
    });

    it('leaves no timer behind after a call', async () => {
      const clock = new FakeClock();
      const store = new KeyringSecretStore(new FakeKeychain().options({ clock }));
      await store.set('key1', 'secret');
      await store.get('key1');
      expect(clock.pending()).toBe(0);
    });
  });

  describe('failures become KeychainUnavailable with words for the user', () => {
    const verbs = [
      ['get', 'read the saved sign-in from it', (store: KeyringSecretStore) => store.get('basic:alice@seto.teracloud.jp')],
      ['set', 'save the sign-in in it', (store: KeyringSecretStore) => store.set('basic:alice@seto.teracloud.jp', 'hunter2hunter2')],
      ['delete', 'remove the saved sign-in from it', (store: KeyringSecretStore) => store.delete('basic:alice@seto.teracloud.jp')],
    ] as const;

    it.each(verbs)('Linux without a Secret Service (%s): install one, or keep it for this session', async (_name, action, call) => {
      const keychain = new FakeKeychain();
      const failure = PLATFORM_FAILURE();
      keychain.openFailure = () => failure;
      const error = await rejection(call(new KeyringSecretStore(keychain.options())));
      expect(error.code).toBe(ErrorCode.KeychainUnavailable);
      expect(error.message).toBe(
        `No Secret Service keyring answers on this desktop session, so TeraSync cannot ${action}. ` +
          'Install and start a Secret Service such as GNOME Keyring or KWallet, or keep the secret for this session only. ' +
          'Details: Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files',
      );
      expect(error.cause).toBe(failure);
    });

    it('a locked keyring on Linux: unlock it', async () => {
      const keychain = new FakeKeychain();
      keychain.callFailure = LOCKED;
      const error = await rejection(new KeyringSecretStore(keychain.options()).get('key1'));
      expect(error.code).toBe(ErrorCode.KeychainUnavailable);
      expect(error.message).toMatch(/^The Secret Service keyring is locked or refused access, so TeraSync cannot read the saved sign-in from it\. Unlock the keyring/);
      expect(error.message).toMatch(/keep the secret for this session only\. Details: Couldn't access platform storage: Secret Service: unlock prompt was dismissed$/);
    });

    it('a locked or refused macOS Keychain: Keychain Access', async () => {
      const keychain = new FakeKeychain();
      keychain.callFailure = () => nativeError("Couldn't access platform storage: The user name or passphrase you entered is not correct.");
      const error = await rejection(new KeyringSecretStore(keychain.options({ platform: 'darwin' })).set('key1', 'topsecret'));
      expect(error.message).toMatch(
        /^The macOS Keychain is locked or refused access, so TeraSync cannot save the sign-in in it\. Unlock the login keychain in Keychain Access, allow TeraSync to use it, and try again, or keep the secret for this session only\./,
      );
    });

    it('Windows Credential Manager failing, and a secret too long for it', async () => {
      const keychain = new FakeKeychain();
      keychain.callFailure = () => nativeError('Platform failure: Windows error 1312');
      const unreachable = await rejection(new KeyringSecretStore(keychain.options({ platform: 'win32' })).get('key1'));
      expect(unreachable.message).toMatch(
        /^Windows Credential Manager cannot be reached, so TeraSync cannot read the saved sign-in from it\. Check that the Credential Manager service is running/,
      );

      keychain.callFailure = () => nativeError("Attribute 'password' is longer than the platform limit of 2560 chars");
      const tooLong = await rejection(new KeyringSecretStore(keychain.options({ platform: 'win32' })).set('key1', 'x'.repeat(3000)));
      expect(tooLong.code).toBe(ErrorCode.KeychainUnavailable);
      expect(tooLong.message).toMatch(/^The secret is too long for Windows Credential Manager, so TeraSync cannot save the sign-in in it\. Keep the secret for this session only\./);
    });

    it('duplicate entries, no default keyring, no answer, and anything else', async () => {
      const keychain = new FakeKeychain();
      const store = new KeyringSecretStore(keychain.options());

      keychain.callFailure = () => nativeError('Entry is matched by 2 credentials: [...]');
      expect((await rejection(store.get('key1'))).message).toMatch(
        /^The Secret Service keyring holds more than one entry for this account under "TeraSync-unit".*Delete the duplicate "TeraSync-unit" entries in the Secret Service keyring/,
      );

      keychain.callFailure = () => nativeError("Couldn't access platform storage: Secret Service: no result found");
      expect((await rejection(store.set('key1', 'topsecret'))).message).toMatch(
        /^The Secret Service keyring has no default keyring to keep secrets in, so TeraSync cannot save the sign-in in it\. Create a default keyring/,
      );

      keychain.callFailure = () => nativeError('Platform failure: DBus error: Did not receive a reply. Possible causes include: ...');
      expect((await rejection(store.get('key1'))).message).toMatch(/^The Secret Service keyring did not answer, so TeraSync cannot read the saved sign-in from it\. If it asked to be unlocked/);

      keychain.callFailure = () => new TypeError('something unexpected');
      const other = await rejection(store.get('key1'));
      expect(other.code).toBe(ErrorCode.KeychainUnavailable);
      expect(other.message).toMatch(/^The Secret Service keyring failed, so TeraSync cannot read the saved sign-in from it\. .* Details: something unexpected$/);
    });

    it('never puts the secret in a message, even when the library repeats it', async () => {
      const keychain = new FakeKeychain();
      const secret = 'p@ss word/with%signs';
      keychain.callFailure = () =>
        nativeError(
          `Platform failure: could not store ${secret}`,
          `encoded ${encodeURIComponent(secret)} and ${Buffer.from(`alice:${secret}`).toString('base64')}`,
        );
      const error = await rejection(new KeyringSecretStore(keychain.options()).set('basic:alice@seto.teracloud.jp', secret));
      expect(error.message).toContain('Details: Platform failure: could not store [redacted]: encoded [redacted] and [redacted]');
      expect(error.message).not.toContain(secret);
      expect(error.message).not.toContain(encodeURIComponent(secret));
    });

    it('keeps long library words short', async () => {
      const keychain = new FakeKeychain();
      keychain.callFailure = () => nativeError(`Platform failure: ${'x'.repeat(2000)}`);
      const error = await rejection(new KeyringSecretStore(keychain.options()).get('key1'));
      expect(error.message.length).toBeLessThan(700);
      expect(error.message.endsWith('…')).toBe(true);
    });
  });

  describe('time limit and one call at a time', () => {
    it('a call the keychain does not answer fails after timeoutMs; calls queued behind it fail without reaching the keychain', async () => {
      const clock = new FakeClock();
      const keychain = new FakeKeychain();
      const unlockPrompt = deferred<undefined>();
      keychain.gate = unlockPrompt.promise;
      const store = new KeyringSecretStore(keychain.options({ clock, timeoutMs: 30_000 }));

      const hung = rejection(store.get('key1'));
      await settle();
      const queued = rejection(store.set('key2', 'queued secret'));
      await settle();
      expect(keychain.opened.map((entry) => entry.account), 'the second call waits for the first').toEqual(['key1']);

      await clock.advance(29_999);
      let settled = false;
      void hung.then(() => {
        settled = true;
      });
      await settle();
      expect(settled).toBe(false);

      await clock.advance(1);
      const error = await hung;
      expect(error.code).toBe(ErrorCode.KeychainUnavailable);
      expect(error.message).toBe(
        'The Secret Service keyring did not answer within 30 seconds, so TeraSync cannot read the saved sign-in from it. ' +
          'If it asked to be unlocked, unlock it and try again; otherwise restart it (or sign out and in again), or keep the secret for this session only.',
      );
      const queuedError = await queued;
      expect(queuedError.code).toBe(ErrorCode.KeychainUnavailable);
      expect(keychain.opened.map((entry) => entry.account), 'still only the hung call reached the keychain').toEqual(['key1']);

      // The user answers the prompt at last: the keychain is usable again.
      unlockPrompt.resolve(undefined);
      keychain.gate = null;
      await settle();
      await store.set('key3', 'later');
      expect(await store.get('key3')).toBe('later');
      expect(keychain.entries.has('TeraSync-unit\u0000key2'), 'the queued set never ran').toBe(false);
      expect(clock.pending()).toBe(0);
    });

    it('defaults to 60 seconds', async () => {
      const clock = new FakeClock();
      const keychain = new FakeKeychain();
      keychain.gate = new Promise<void>(() => undefined);
      const pending = rejection(new KeyringSecretStore(keychain.options({ clock })).get('key1'));
      await settle();
      expect(clock.nextDelay()).toBe(60_000);
      await clock.advance(60_000);
      expect((await pending).message).toMatch(/did not answer within 60 seconds/);
    });
  });

  describe('probe', () => {
    it('is available after a full round trip and leaves no entry behind', async () => {
      const keychain = new FakeKeychain();
      expect(await KeyringSecretStore.probe(keychain.options())).toEqual({ available: true });
      expect(keychain.opened.length).toBe(3);
      expect(keychain.entries.size).toBe(0);
    });

    it('is unavailable with the message for the user when the keychain fails', async () => {
      const keychain = new FakeKeychain();
      keychain.openFailure = PLATFORM_FAILURE;
      const result = await KeyringSecretStore.probe(keychain.options());
      expect(result).toEqual({ available: false, reason: expect.stringMatching(/^No Secret Service keyring answers on this desktop session/) as unknown });
      expect(keychain.opened.length, 'no clean-up attempt after a failed store').toBe(1);
    });

    it('is unavailable when the keychain gives back something else, and cleans up', async () => {
      const keychain = new FakeKeychain();
      keychain.readOverride = null;
      const result = await KeyringSecretStore.probe(keychain.options());
      expect(result).toEqual({ available: false, reason: expect.stringMatching(/^The Secret Service keyring did not give back what TeraSync stored in it\./) as unknown });
      expect(keychain.entries.size).toBe(0);
    });

    it('removes its entry when reading it back fails', async () => {
      const keychain = new FakeKeychain();
      const store = keychain.options();
      let calls = 0;
      const openEntry = store.openEntry!;
      const result = await KeyringSecretStore.probe({
        ...store,
        openEntry: (service, account) => {
          const entry = openEntry(service, account);
          calls++;
          return calls === 2 ? { ...entry, getPassword: () => Promise.reject(LOCKED()) } : entry;
        },
      });
      expect(result.available).toBe(false);
      expect(keychain.entries.size).toBe(0);
    });
  });
});
