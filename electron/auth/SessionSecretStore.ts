/**
 * Secrets in memory for this process only: the fallback when there is no usable keychain and
 * the user agreed to sign in again after every start. Nothing is ever written to disk.
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import type { SecretStoreKind } from '../../shared/types.js';
import type { SecretStore } from './SecretStore.js';

export class SessionSecretStore implements SecretStore {
  readonly description = 'memory, for this session only';
  readonly kind: SecretStoreKind = 'session';
  readonly persistent = false;
  private readonly secrets = new Map<string, string>();

  async get(key: string): Promise<string | null> {
    checkKey(key);
    return this.secrets.get(key) ?? null;
  }

  async set(key: string, secret: string): Promise<void> {
    checkKey(key);
    if (typeof secret !== 'string') throw new TeraSyncError(ErrorCode.InvalidRequest, 'A secret must be text.');
    this.secrets.set(key, secret);
  }

  async delete(key: string): Promise<boolean> {
    checkKey(key);
    return this.secrets.delete(key);
  }

  /** Forgets every secret, for sign-out of everything or app shutdown. */
  clear(): void {
    this.secrets.clear();
  }
}

/** The same rule as KeyringSecretStore, so a caller cannot rely on one store's leniency. */
function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) {
    throw new TeraSyncError(ErrorCode.InvalidRequest, 'A secret needs a non-empty key.');
  }
}
