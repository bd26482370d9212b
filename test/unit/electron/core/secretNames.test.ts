/**
 * The one rule for names that hold a secret, and the three places that use it: settings.json
 * and account.json refuse such a field, the log redactor blanks its value.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSettings, SettingsRefusal } from '../../../../electron/app/settings.js';
import { AccountFile } from '../../../../electron/auth/AccountRecord.js';
import { SecretRedactor } from '../../../../electron/auth/redact.js';
import { looksLikeSecretName } from '../../../../electron/core/secretNames.js';

const secretNames = ['password', 'proxyPassword', 'proxy_password', 'passwd', 'passphrase', 'client-secret', 'access_token', 'refreshToken', 'id_token', 'sessionToken', 'api_key', 'apiKey', 'x-teracloud-api-key', 'credentials', 'privateKey', 'Authorization', 'set-cookie', 'code_verifier'];
const plainNames = ['code', 'user', 'tokenEndpoint', 'token_type', 'tokenType', 'expires_in', 'applicationKey', 'keyPlacement', 'passwordless', 'path', 'secretary'];

describe('looksLikeSecretName', () => {
  it.each(secretNames)('%s holds a secret', (name) => expect(looksLikeSecretName(name)).toBe(true));
  it.each(plainNames)('%s does not', (name) => expect(looksLikeSecretName(name)).toBe(false));
});

describe('the places that judge a name use the one rule', () => {
  it.each(secretNames)('settings.json refuses a field named %s, wherever it is', (name) => {
    expect(() => parseSettings({ version: 4, sync: { [name]: 'x' } })).toThrow(SettingsRefusal);
  });

  it.each(secretNames)('account.json refuses a field named %s', async (name) => {
    const folder = await mkdtemp(join(tmpdir(), 'terasync-secret-names-'));
    try {
      const file = new AccountFile(folder);
      const basic = { version: 1, method: 'basic', origin: 'https://seto.teracloud.jp', userId: 'alice', node: 'seto' };
      await writeFile(file.file, JSON.stringify({ ...basic, [name]: 'hunter22' }));
      const { record, problem } = await file.read();
      expect(record).toBeNull();
      expect(problem?.message).toContain(`its field "${name}" looks like a secret`);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it.each(secretNames)('the log blanks %s as a JSON field and as a parameter', (name) => {
    const redactor = new SecretRedactor();
    expect(redactor.redact(`{"${name}":"hunter22"}`)).not.toContain('hunter22');
    const query = redactor.redact(`GET /x?${name}=hunter22&page=2`);
    expect(query).not.toContain('hunter22');
    expect(query).toContain(`${name}=[redacted]`);
  });

  it.each(plainNames)('the log keeps %s', (name) => {
    const redactor = new SecretRedactor();
    expect(redactor.redact(`{"${name}":"plain22"} ${name}=plain22`)).toBe(`{"${name}":"plain22"} ${name}=plain22`);
  });
});
