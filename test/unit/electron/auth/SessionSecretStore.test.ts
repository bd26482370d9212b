import { describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import { SessionSecretStore } from '../../../../electron/auth/SessionSecretStore.js';

describe('SessionSecretStore', () => {
  it('says it keeps secrets in memory for this session only', () => {
    const store = new SessionSecretStore();
    expect(store.description).toBe('memory, for this session only');
    expect(store.persistent).toBe(false);
  });

  it('stores, replaces, reads and deletes; a missing entry is null / false', async () => {
    const store = new SessionSecretStore();
    expect(await store.get('basic:alice@seto.teracloud.jp')).toBeNull();
    await store.set('basic:alice@seto.teracloud.jp', 'first');
    await store.set('basic:alice@seto.teracloud.jp', 'second');
    expect(await store.get('basic:alice@seto.teracloud.jp')).toBe('second');
    expect(await store.delete('basic:alice@seto.teracloud.jp')).toBe(true);
    expect(await store.delete('basic:alice@seto.teracloud.jp')).toBe(false);
    expect(await store.get('basic:alice@seto.teracloud.jp')).toBeNull();
  });

  it('keeps keys apart, and two stores share nothing', async () => {
    const store = new SessionSecretStore();
    const other = new SessionSecretStore();
    await store.set('basic:alice@seto.teracloud.jp', 'alice');
    await store.set('basic:bob@seto.teracloud.jp', 'bob');
    expect(await store.get('basic:alice@seto.teracloud.jp')).toBe('alice');
    expect(await store.get('basic:bob@seto.teracloud.jp')).toBe('bob');
    expect(await other.get('basic:alice@seto.teracloud.jp')).toBeNull();
  });

  it('keeps an empty secret and a long unicode one exactly', async () => {
    const store = new SessionSecretStore();
    const long = '🔑 日本語 '.repeat(5000);
    await store.set('empty', '');
    await store.set('long', long);
    expect(await store.get('empty')).toBe('');
    expect(await store.get('long')).toBe(long);
  });

  it('forgets everything on clear', async () => {
    const store = new SessionSecretStore();
    await store.set('key1', 'secret');
    store.clear();
    expect(await store.get('key1')).toBeNull();
  });

  it('rejects an empty key like the keychain store does', async () => {
    const store = new SessionSecretStore();
    const error: unknown = await store.set('', 'secret').catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(TeraSyncError);
    expect((error as TeraSyncError).code).toBe(ErrorCode.InvalidRequest);
  });
});
