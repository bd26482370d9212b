/**
 * Which SecretStore an app session uses: the OS keychain when it works; when it does not
 * (Linux without a Secret Service, a keychain that refuses), the user is told why and asked
 * whether to keep secrets in memory for this session only. Nothing is ever written in clear
 * text: a "no" means no sign-in is kept at all.
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import type { SecretStore } from './SecretStore.js';
import { SessionSecretStore } from './SessionSecretStore.js';

export interface KeychainProbe {
  probe(): Promise<{ available: true } | { available: false; reason: string }>;
  store: SecretStore;
}

/**
 * @param askSessionOnly shown the reason; resolves true when the user agrees to keep secrets
 *   for this session only
 */
export async function selectSecretStore(keychain: KeychainProbe, askSessionOnly: (reason: string) => Promise<boolean>): Promise<SecretStore> {
  const result = await keychain.probe();
  if (result.available) return keychain.store;
  if (await askSessionOnly(result.reason)) return new SessionSecretStore();
  throw new TeraSyncError(
    ErrorCode.KeychainUnavailable,
    `${result.reason} Your sign-in was not kept: TeraSync never writes passwords or tokens to a file.`,
  );
}
