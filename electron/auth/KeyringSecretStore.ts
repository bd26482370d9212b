/**
 * Secrets in the OS keychain through `@napi-rs/keyring`: the macOS Keychain, Windows
 * Credential Manager, or a Secret Service (GNOME Keyring, KWallet, KeePassXC) on Linux. One
 * entry per key: service `TeraSync`, account = the key.
 *
 * Why it is built this way:
 * - Linux entries are pinned to the Secret Service. The library would otherwise fall back,
 *   silently, to the kernel keyring, which lives in memory and is gone after a reboot: the
 *   user would be told the password is saved and be asked again tomorrow. Without a Secret
 *   Service the store fails with KeychainUnavailable and the app can offer
 *   `SessionSecretStore` instead.
 * - The library's `AsyncEntry` does the work on a libuv thread, so an unlock prompt waiting for
 *   the user does not freeze the app. Opening an entry is synchronous, though: on Linux it
 *   makes one D-Bus round trip (a few ms; up to the library's own 2 s D-Bus timeout when the
 *   keyring hangs).
 * - A call is bounded by `timeoutMs` (default 60 s, time enough to type a keyring password
 *   into an unlock prompt). A call that times out keeps its thread until the keychain answers,
 *   so calls run one at a time: a hung keychain holds at most one libuv thread (file I/O shares
 *   that pool), and the user sees at most one prompt. Calls queued behind a hung one time out
 *   without reaching the keychain. A `set` that timed out may still complete later.
 * - Every failure becomes TeraSyncError(KeychainUnavailable) with a message that says what is
 *   wrong and what to do, the library's own words redacted as "Details", and the original
 *   error as `cause`. No secret value is ever part of a message.
 */
import { randomUUID } from 'node:crypto';
import { AsyncEntry } from '@napi-rs/keyring';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { systemClock, type Clock } from '../core/time.js';
import type { SecretStore } from './SecretStore.js';
import type { SecretStoreKind } from '../../shared/types.js';
import { SecretRedactor } from './redact.js';

/** The calls the store makes on one keychain entry; `AsyncEntry` of `@napi-rs/keyring` in the app. */
export interface KeyringEntry {
  getPassword(): Promise<string | null>;
  setPassword(password: string): Promise<void>;
  /** True when something was deleted; false when there was nothing. */
  deleteCredential(): Promise<boolean>;
}

/** Opens the entry for `account` under `service`. May throw (Linux: when no Secret Service answers). */
export type OpenKeyringEntry = (service: string, account: string) => KeyringEntry;

export interface KeyringSecretStoreOptions {
  /** The service name entries are filed under. Default 'TeraSync'; tests use a unique one. */
  service?: string;
  /** Chooses the words of descriptions and messages. Default `process.platform`. */
  platform?: NodeJS.Platform;
  /** Longest wait for one keychain call, unlock prompts included. Default 60 s. */
  timeoutMs?: number;
  clock?: Clock;
  /** Default: `AsyncEntry` of `@napi-rs/keyring`, pinned to the Secret Service on Linux. */
  openEntry?: OpenKeyringEntry;
}

export type KeyringProbeResult = { available: true } | { available: false; reason: string };

export const DEFAULT_KEYRING_SERVICE = 'TeraSync';
const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_DETAIL_LENGTH = 300;

type Operation = 'get' | 'set' | 'delete';

/** What went wrong, as far as the library's words tell. */
type FailureKind = 'absent' | 'refused' | 'noKeyring' | 'ambiguous' | 'tooLong' | 'noAnswer' | 'timeout' | 'other';

const openAsyncEntry: OpenKeyringEntry = (service, account) =>
  new AsyncEntry(service, account, { linux: { store: 'secret-service' } });

export function keychainDescription(platform: NodeJS.Platform): string {
  switch (platform) {
    case 'darwin':
      return 'the macOS Keychain';
    case 'win32':
      return 'Windows Credential Manager';
    default:
      return 'the Secret Service keyring';
  }
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** keyring-rs error texts (keyring-core `Error`'s Display), stable across the library's versions. */
function failureKind(error: unknown): FailureKind {
  const message = error instanceof Error ? error.message : String(error);
  // libdbus: the keyring owns its name on the bus but does not answer (hung, or stopped).
  if (message.includes('Did not receive a reply')) return 'noAnswer';
  // Secret Service without a default collection (gnome-keyring before any keyring was created).
  if (message.startsWith("Couldn't access platform storage") && message.includes('no result found')) return 'noKeyring';
  if (message.startsWith("Couldn't access platform storage")) return 'refused';
  if (message.startsWith('Platform failure')) return 'absent';
  if (message.startsWith('Entry is matched by')) return 'ambiguous';
  if (message.includes('longer than the platform limit')) return 'tooLong';
  return 'other';
}

/** The kind of keychain of a system, for the window to word. */
export function keychainKind(platform: NodeJS.Platform): SecretStoreKind {
  return platform === 'darwin' ? 'macosKeychain' : platform === 'win32' ? 'windowsCredentialManager' : 'secretService';
}

export class KeyringSecretStore implements SecretStore {
  readonly description: string;
  readonly kind: SecretStoreKind;
  readonly persistent = true;
  private readonly service: string;
  private readonly platform: NodeJS.Platform;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly openEntry: OpenKeyringEntry;
  /** Settles when the keychain call last started has ended (never rejects). */
  private lastCall: Promise<unknown> = Promise.resolve();

  constructor(options: KeyringSecretStoreOptions = {}) {
    this.service = options.service ?? DEFAULT_KEYRING_SERVICE;
    this.platform = options.platform ?? process.platform;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.clock = options.clock ?? systemClock;
    this.openEntry = options.openEntry ?? openAsyncEntry;
    this.description = keychainDescription(this.platform);
    this.kind = keychainKind(this.platform);
  }

  /**
   * Tries a harmless round trip (store, read back, delete a probe entry under the service) so
   * the app can tell the user before sign-in whether the password can be kept.
   */
  static async probe(options: KeyringSecretStoreOptions = {}): Promise<KeyringProbeResult> {
    const store = new KeyringSecretStore(options);
    const key = `probe:${randomUUID()}`;
    const value = `probe ${randomUUID()}`;
    let stored = false;
    try {
      await store.set(key, value);
      stored = true;
      const readBack = await store.get(key);
      const deleted = await store.delete(key);
      stored = false;
      if (readBack !== value || !deleted) {
        return {
          available: false,
          reason: `${capitalized(store.description)} did not give back what TeraSync stored in it. Check it and try again, or keep the secret for this session only.`,
        };
      }
      return { available: true };
    } catch (error) {
      // A probe entry left behind would show in the user's keychain.
      if (stored) await store.delete(key).catch(() => undefined);
      return { available: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  get(key: string): Promise<string | null> {
    return this.call('get', key, undefined, (entry) => entry.getPassword());
  }

  set(key: string, secret: string): Promise<void> {
    if (typeof secret !== 'string') {
      return Promise.reject(new TeraSyncError(ErrorCode.InvalidRequest, 'A secret must be text.'));
    }
    return this.call('set', key, secret, (entry) => entry.setPassword(secret));
  }

  delete(key: string): Promise<boolean> {
    return this.call('delete', key, undefined, (entry) => entry.deleteCredential());
  }

  private async call<T>(operation: Operation, key: string, secret: string | undefined, work: (entry: KeyringEntry) => Promise<T>): Promise<T> {
    if (typeof key !== 'string' || key.length === 0) {
      throw new TeraSyncError(ErrorCode.InvalidRequest, 'A secret needs a non-empty key.');
    }
    const deadline = new AbortController();
    const previous = this.lastCall;
    const keychainCall = previous.then(() => {
      if (deadline.signal.aborted) throw new Error('timed out before the keychain was asked');
      return work(this.openEntry(this.service, key));
    });
    this.lastCall = keychainCall.catch(() => undefined);
    const timeout = this.clock.sleep(this.timeoutMs, deadline.signal).then(() => {
      throw new KeychainTimeout();
    });
    try {
      return await Promise.race([keychainCall, timeout]);
    } catch (error) {
      throw this.unavailable(operation, error, secret);
    } finally {
      deadline.abort();
    }
  }

  private unavailable(operation: Operation, error: unknown, secret: string | undefined): TeraSyncError {
    const kind: FailureKind = error instanceof KeychainTimeout ? 'timeout' : failureKind(error);
    const parts = [this.problem(operation, kind), this.advice(kind)];
    if (kind !== 'timeout') {
      const detail = this.detail(error, secret);
      if (detail !== '') parts.push(`Details: ${detail}`);
    }
    return new TeraSyncError(ErrorCode.KeychainUnavailable, parts.join(' '), { cause: error });
  }

  private problem(operation: Operation, kind: FailureKind): string {
    const keychain = capitalized(this.description);
    const action = { get: 'read the saved sign-in from it', set: 'save the sign-in in it', delete: 'remove the saved sign-in from it' }[operation];
    switch (kind) {
      case 'absent':
        return this.platform === 'darwin' || this.platform === 'win32'
          ? `${keychain} cannot be reached, so TeraSync cannot ${action}.`
          : `No Secret Service keyring answers on this desktop session, so TeraSync cannot ${action}.`;
      case 'refused':
        return `${keychain} is locked or refused access, so TeraSync cannot ${action}.`;
      case 'noKeyring':
        return `${keychain} has no default keyring to keep secrets in, so TeraSync cannot ${action}.`;
      case 'ambiguous':
        return `${keychain} holds more than one entry for this account under "${this.service}", so TeraSync cannot ${action}.`;
      case 'tooLong':
        return `The secret is too long for ${this.description}, so TeraSync cannot ${action}.`;
      case 'noAnswer':
        return `${keychain} did not answer, so TeraSync cannot ${action}.`;
      case 'timeout':
        return `${keychain} did not answer within ${Math.round(this.timeoutMs / 1000)} seconds, so TeraSync cannot ${action}.`;
      case 'other':
        return `${keychain} failed, so TeraSync cannot ${action}.`;
    }
  }

  private advice(kind: FailureKind): string {
    const orSession = 'or keep the secret for this session only.';
    switch (kind) {
      case 'ambiguous':
        return `Delete the duplicate "${this.service}" entries in ${this.description} and try again, ${orSession}`;
      case 'tooLong':
        return `Keep the secret for this session only.`;
      case 'noKeyring':
        return `Create a default keyring (for example in Passwords and Keys) and try again, ${orSession}`;
      case 'noAnswer':
      case 'timeout':
        return `If it asked to be unlocked, unlock it and try again; otherwise restart it (or sign out and in again), ${orSession}`;
      case 'refused':
        if (this.platform === 'darwin') return `Unlock the login keychain in Keychain Access, allow TeraSync to use it, and try again, ${orSession}`;
        if (this.platform === 'win32') return `Make sure your account may use Windows Credential Manager and try again, ${orSession}`;
        return `Unlock the keyring (for example in Passwords and Keys, or by signing out and in again) and try again, ${orSession}`;
      case 'absent':
      case 'other':
        if (this.platform === 'darwin') return `Check that the login keychain exists in Keychain Access and try again, ${orSession}`;
        if (this.platform === 'win32') return `Check that the Credential Manager service is running and try again, ${orSession}`;
        return `Install and start a Secret Service such as GNOME Keyring or KWallet, ${orSession}`;
    }
  }

  /** The library's own words (and its causes'), for a bug report; never a secret. */
  private detail(error: unknown, secret: string | undefined): string {
    const redactor = new SecretRedactor();
    if (secret !== undefined) redactor.add(secret);
    let text = error instanceof Error ? error.message : String(error);
    // The library nests the same words in `cause`: add only what is new.
    let cause: unknown = error instanceof Error ? error.cause : undefined;
    for (let depth = 0; depth < 3 && cause instanceof Error; depth++) {
      if (!text.includes(cause.message)) text = `${text}: ${cause.message}`;
      cause = cause.cause;
    }
    const redacted = redactor.redact(text.replace(/\s+/g, ' ').trim());
    return redacted.length > MAX_DETAIL_LENGTH ? `${redacted.slice(0, MAX_DETAIL_LENGTH - 1)}…` : redacted;
  }
}

class KeychainTimeout extends Error {
  override readonly name = 'KeychainTimeout';
  constructor() {
    super('The keychain did not answer in time.');
  }
}
