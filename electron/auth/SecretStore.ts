/**
 * Where passwords, access tokens and refresh tokens live: the OS keychain (macOS Keychain,
 * Windows Credential Manager, Secret Service on Linux) through `KeyringSecretStore`, or, when
 * there is none and the user agreed, memory for this session only. Never a file, a log line,
 * an error message or the renderer.
 *
 * Keys name what the secret belongs to, e.g. `basic:alice@seto.teracloud.jp` or
 * `oauth:alice@https://auth.example`, or `proxy:password` (the password of the app's proxy
 * setting, electron/app/proxySettings.ts); values are strings (token sets as JSON).
 */
import type { SecretStoreKind } from '../../shared/types.js';
export interface SecretStore {
  /** Where secrets go, in words for the user: "the macOS Keychain", "memory, for this session only". */
  readonly description: string;
  /** The same, as a kind the window words in its own language. */
  readonly kind: SecretStoreKind;
  /** False for a store that forgets everything when the process ends. */
  readonly persistent: boolean;
  /** The secret, or null when there is none. Rejects with KeychainUnavailable when the keychain cannot be used. */
  get(key: string): Promise<string | null>;
  /** Stores or replaces. Rejects with KeychainUnavailable when the keychain cannot be used. */
  set(key: string, secret: string): Promise<void>;
  /** True when something was deleted. */
  delete(key: string): Promise<boolean>;
}

/** The key of the password of the app's proxy (one proxy setting, so one password). */
export const PROXY_PASSWORD_SECRET_KEY = 'proxy:password';
