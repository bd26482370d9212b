import { describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import { selectSecretStore, type KeychainProbe } from '../../../../electron/auth/selectSecretStore.js';
import { SessionSecretStore } from '../../../../electron/auth/SessionSecretStore.js';

function keychain(result: Awaited<ReturnType<KeychainProbe['probe']>>): KeychainProbe {
  return { probe: async () => result, store: new SessionSecretStore() };
}

describe('selectSecretStore', () => {
  it('uses the keychain when it works, without asking', async () => {
    const available = keychain({ available: true });
    let asked = 0;
    const store = await selectSecretStore(available, async () => {
      asked++;
      return true;
    });
    expect(store).toBe(available.store);
    expect(asked).toBe(0);
  });

  it('tells the user why and keeps secrets in memory for this session only when they agree', async () => {
    const reasons: string[] = [];
    const store = await selectSecretStore(keychain({ available: false, reason: 'No Secret Service is running.' }), async (reason) => {
      reasons.push(reason);
      return true;
    });
    expect(reasons).toEqual(['No Secret Service is running.']);
    expect(store.persistent).toBe(false);
    expect(store.description).toMatch(/this session only/);
  });

  it('keeps nothing when the user declines: KeychainUnavailable, nothing in clear text', async () => {
    const error = await selectSecretStore(keychain({ available: false, reason: 'The keyring is locked.' }), async () => false).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TeraSyncError);
    expect((error as TeraSyncError).code).toBe(ErrorCode.KeychainUnavailable);
    expect((error as Error).message).toMatch(/The keyring is locked\. Your sign-in was not kept/);
  });
});
