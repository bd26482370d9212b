/**
 * settings.json field by field, beyond settings.test.ts: what a missing field, a null, a value
 * at or past a bound, a wrong type in a nested object, an unknown field and an older format
 * give. Each expectation is what the file's reader did before its checks were written as a
 * schema, so the two readers behave alike.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProxySettings, decodeSettings, defaultSettings, parseSettings, serializeSettings, settingsLimits, SettingsRefusal } from '../../../../electron/app/settings.js';
import { stringLimits } from '../../../../shared/limits.js';
import { proxyLimits } from '../../../../shared/types.js';

const localFolder = path.resolve('/home/alice/TeraCLOUD');
const pair = { id: 'docs-1', localFolder, remoteFolder: 'Sync' };

/** The refusal's kind and message, or null when `json` is read. */
function refusal(json: unknown): { kind: string; message: string } | null {
  try {
    parseSettings(json, { caseInsensitivePaths: false });
    return null;
  } catch (error) {
    if (!(error instanceof SettingsRefusal)) throw error;
    return { kind: error.kind, message: error.message };
  }
}

describe('a field left out, or null', () => {
  it('reads a pair with only its three required fields', () => {
    expect(parseSettings({ version: 4, pairs: [pair] }).pairs).toEqual([
      { ...pair, paused: false, bandwidth: { upKiBps: 0, downKiBps: 0 }, excludedFolders: [] },
    ]);
  });

  it.each([
    ['id', 'pairs[0].id must be 1 to 64 letters, digits, "-" or "_", starting with a letter or digit'],
    ['localFolder', 'pairs[0].localFolder must be an absolute path'],
    ['remoteFolder', 'pairs[0].remoteFolder must be a folder path below the account root (such as "Sync" or "Photos/2024") or an http(s) URL'],
  ])('refuses a pair without its %s, with the same words as a wrong value', (field, message) => {
    const { [field as keyof typeof pair]: _left, ...rest } = pair;
    expect(refusal({ version: 4, pairs: [rest] })).toEqual({ kind: 'corrupt', message });
  });

  it('takes null as "left out" where the reader always did: theme, language, schedule, channel, mode, device, sources, startAtLogin, proxy host and user', () => {
    const settings = parseSettings({
      version: 4,
      backup: { sources: null, device: null, schedule: null },
      app: { startAtLogin: null, theme: null, language: null },
      update: { channel: null },
      proxy: { mode: null, host: null, user: null },
    });
    expect(settings).toEqual(defaultSettings());
  });

  it.each([
    ['pairs', { pairs: null }, 'pairs must be an array'],
    ['a section', { sync: null }, 'sync must be an object'],
    ['a pair', { pairs: [null] }, 'pairs[0] must be an object'],
    ['a bandwidth', { pairs: [{ ...pair, bandwidth: null }] }, 'pairs[0].bandwidth must be an object'],
    ['paused', { pairs: [{ ...pair, paused: null }] }, 'pairs[0].paused must be true or false'],
    ['excluded folders', { pairs: [{ ...pair, excludedFolders: null }] }, 'pairs[0].excludedFolders must be an array of folder paths'],
    ['a number', { sync: { pollIntervalSeconds: null } }, 'sync.pollIntervalSeconds must be a whole number from 5 to 86400'],
    ['ignore patterns', { sync: { ignorePatterns: null } }, 'sync.ignorePatterns must be an array of patterns'],
    ['notifications', { app: { notifications: null } }, 'app.notifications must be true or false'],
    ['update.enabled', { update: { enabled: null } }, 'update.enabled must be true or false'],
    ['the proxy port', { proxy: { port: null } }, 'proxy.port must be a whole number from 1 to 65535'],
  ])('refuses null for %s, where the reader always did', (_name, fields, message) => {
    expect(refusal({ version: 4, ...fields })).toEqual({ kind: 'corrupt', message });
  });
});

describe('a section or a pair that is a list', () => {
  it.each([
    ['the sync section', { sync: [] }, 'sync must be an object'],
    ['the backup section', { backup: [1] }, 'backup must be an object'],
    ['the update section', { update: [] }, 'update must be an object'],
    ['the proxy section', { proxy: [] }, 'proxy must be an object'],
    ['a pair', { pairs: [[]] }, 'pairs[0] must be an object'],
    ['a bandwidth', { pairs: [{ ...pair, bandwidth: [0, 0] }] }, 'pairs[0].bandwidth must be an object'],
  ])('refuses %s given as a list', (_name, fields, message) => {
    expect(refusal({ version: 4, ...fields })).toEqual({ kind: 'corrupt', message });
  });
});

describe('bounds', () => {
  const numbers = [
    ['sync', 'pollIntervalSeconds', settingsLimits.pollIntervalSeconds],
    ['sync', 'fullScanMinutes', settingsLimits.fullScanMinutes],
    ['sync', 'parallelTransfers', settingsLimits.parallelTransfers],
    ['sync', 'failSafePercent', settingsLimits.failSafePercent],
    ['sync', 'deletedRetentionDays', settingsLimits.deletedRetentionDays],
    ['backup', 'retentionDays', settingsLimits.retentionDays],
    ['proxy', 'port', proxyLimits.port],
  ] as const;

  it.each(numbers)('%s.%s: accepts both ends, refuses one past either end', (section, field, range) => {
    for (const value of [range.min, range.max]) {
      const settings = parseSettings({ version: 4, [section]: { [field]: value } }) as unknown as Record<string, Record<string, unknown>>;
      expect(settings[section]?.[field]).toBe(value);
    }
    for (const value of [range.min - 1, range.max + 1]) {
      expect(refusal({ version: 4, [section]: { [field]: value } })).toEqual({
        kind: 'corrupt',
        message: `${section}.${field} must be a whole number from ${range.min} to ${range.max}`,
      });
    }
  });

  it('bandwidth: accepts 0 and 10 GiB/s, refuses one more', () => {
    const { max } = settingsLimits.bandwidthKiBps;
    const bandwidth = parseSettings({ version: 4, pairs: [{ ...pair, bandwidth: { upKiBps: max, downKiBps: 0 } }] }).pairs[0]?.bandwidth;
    expect(bandwidth).toEqual({ upKiBps: max, downKiBps: 0 });
    expect(refusal({ version: 4, pairs: [{ ...pair, bandwidth: { downKiBps: max + 1 } }] })?.message).toBe(
      `pairs[0].bandwidth.downKiBps must be a whole number from 0 to ${max}`,
    );
  });

  it('the device name: 255 characters are read, 256 are refused', () => {
    const name = 'd'.repeat(settingsLimits.deviceLength);
    expect(parseSettings({ version: 4, backup: { device: name } }).backup.device).toBe(name);
    expect(refusal({ version: 4, backup: { device: `${name}d` } })?.message).toBe('backup.device must be null or a name of 1 to 255 characters');
  });

  it('the pair id: 64 characters are read, 65 are refused, and so is one starting with "-"', () => {
    const id = `a${'b'.repeat(63)}`;
    expect(parseSettings({ version: 4, pairs: [{ ...pair, id }] }).pairs[0]?.id).toBe(id);
    expect(refusal({ version: 4, pairs: [{ ...pair, id: `${id}c` }] })?.message).toContain('pairs[0].id must be 1 to 64 letters');
    expect(refusal({ version: 4, pairs: [{ ...pair, id: '-a' }] })?.message).toContain('pairs[0].id must be 1 to 64 letters');
  });

  it('paths: a local folder and a backup source of 4,096 characters are read, one more is refused', () => {
    const long = (length: number): string => path.resolve('/', 'p'.repeat(length - path.resolve('/').length));
    const folder = long(stringLimits.path);
    expect(folder).toHaveLength(stringLimits.path);
    expect(parseSettings({ version: 4, pairs: [{ ...pair, localFolder: folder }] }).pairs[0]?.localFolder).toBe(folder);
    expect(refusal({ version: 4, pairs: [{ ...pair, localFolder: `${folder}p` }] })?.message).toBe('pairs[0].localFolder is longer than 4096 characters');
    expect(parseSettings({ version: 4, backup: { sources: [folder] } }).backup.sources).toEqual([folder]);
    expect(refusal({ version: 4, backup: { sources: [`${folder}p`] } })?.message).toBe('backup.sources[0] is longer than 4096 characters');
  });

  it('backup sources: 1,000 are counted before one is read, 1,001 are refused', () => {
    const sources = Array.from({ length: stringLimits.sourceCount + 1 }, (_, index) => path.resolve(`/data/s${index}`));
    expect(refusal({ version: 4, backup: { sources } })?.message).toBe('backup.sources has 1001 items; at most 1000 are allowed');
  });

  it('a remote folder given as an address: 8,192 characters are the most', () => {
    const url = `https://seto.teracloud.jp/dav/${'r'.repeat(stringLimits.url)}`;
    expect(refusal({ version: 4, pairs: [{ ...pair, remoteFolder: url }] })?.message).toBe('pairs[0].remoteFolder is longer than 8192 characters');
  });

  it('the proxy user: 256 characters are read, 257 are refused', () => {
    const user = 'u'.repeat(proxyLimits.userLength);
    expect(parseSettings({ version: 4, proxy: { user } }).proxy.user).toBe(user);
    expect(refusal({ version: 4, proxy: { user: `${user}u` } })?.message).toBe('proxy.user must be a user name of at most 256 characters, on one line');
  });
});

describe('a wrong type in a nested object', () => {
  it.each([
    ['a bandwidth as text', { pairs: [{ ...pair, bandwidth: { upKiBps: '5' } }] }, 'pairs[0].bandwidth.upKiBps must be a whole number from 0 to 10485760'],
    ['a pair id as a number', { pairs: [{ ...pair, id: 7 }] }, 'pairs[0].id must be 1 to 64 letters'],
    ['a local folder as a list', { pairs: [{ ...pair, localFolder: [localFolder] }] }, 'pairs[0].localFolder must be an absolute path'],
    ['the second pair', { pairs: [pair, { ...pair, id: 'b', localFolder: path.resolve('/b'), paused: 0 }] }, 'pairs[1].paused must be true or false'],
    ['a backup source as a number', { backup: { sources: [7] } }, 'backup.sources[0] must be an absolute path'],
    ['a retention as text', { backup: { retentionDays: '30' } }, 'backup.retentionDays must be a whole number from 0 to 36500'],
    ['a theme as an object', { app: { theme: { name: 'dark' } } }, 'app.theme must be one of "system", "light", "dark"'],
    ['a proxy mode as a boolean', { proxy: { mode: true } }, 'proxy.mode must be one of "system", "none", "http", "socks5"'],
    ['a proxy user as a list', { proxy: { user: ['alice'] } }, 'proxy.user must be a user name or null'],
  ])('refuses %s, naming the field', (_name, fields, message) => {
    const result = refusal({ version: 4, ...fields });
    expect(result?.kind).toBe('corrupt');
    expect(result?.message).toContain(message);
  });

  it('names the first field in the file’s order when a section has two problems', () => {
    expect(refusal({ version: 4, sync: { pollIntervalSeconds: 1, fullScanMinutes: 0 } })?.message).toContain('sync.pollIntervalSeconds');
  });
});

describe('unknown fields', () => {
  it('ignores them at every level and does not write them back', () => {
    const json = {
      version: 4,
      future: { anything: true },
      pairs: [{ ...pair, colour: 'red', bandwidth: { upKiBps: 1, burst: 9 } }],
      sync: { pollIntervalSeconds: 60, jitter: 3 },
      backup: { retentionDays: 7, compress: 'zstd' },
      app: { theme: 'dark', fontSize: 14 },
      update: { channel: 'beta', mirror: 'x' },
      proxy: { mode: 'http', host: 'proxy', port: 3128, pac: 'http://wpad/' },
    };
    const settings = parseSettings(json);
    expect(settings).toEqual({
      pairs: [{ ...pair, paused: false, bandwidth: { upKiBps: 1, downKiBps: 0 }, excludedFolders: [] }],
      sync: { ...defaultSettings().sync, pollIntervalSeconds: 60 },
      backup: { ...defaultSettings().backup, retentionDays: 7 },
      app: { ...defaultSettings().app, theme: 'dark' },
      update: { enabled: true, channel: 'beta' },
      proxy: { mode: 'http', host: 'proxy', port: 3128, user: null },
    });
    const written = serializeSettings(settings);
    for (const name of ['future', 'colour', 'burst', 'jitter', 'compress', 'fontSize', 'mirror', 'pac']) expect(written).not.toContain(name);
  });

  it('still refuses an unknown field named like a secret, wherever it is', () => {
    expect(refusal({ version: 4, pairs: [{ ...pair, bandwidth: { apiToken: 'x' } }] })).toEqual({ kind: 'secret', message: 'it has a field "pairs[0].bandwidth.apiToken"' });
  });
});

describe('what is given back', () => {
  it('gives fresh lists and objects each time, so changing one reading changes no other', () => {
    const first = parseSettings({ version: 4 });
    first.sync.ignorePatterns.push('*.tmp');
    first.pairs.push({ ...pair, paused: false, bandwidth: { upKiBps: 0, downKiBps: 0 }, excludedFolders: [] });
    first.backup.sources.push(localFolder);
    first.proxy.port = 1;
    expect(parseSettings({ version: 4 })).toEqual(defaultSettings());
    expect(defaultSettings().sync.ignorePatterns).toEqual([]);
  });

  it('does not change the JSON it was given', () => {
    const json = { version: 4, pairs: [{ ...pair, remoteFolder: '/Sync/' }], proxy: { mode: 'http', host: ' [::1] ', port: 3128, user: '' } };
    const copy = structuredClone(json);
    const settings = parseSettings(json);
    expect(settings.pairs[0]?.remoteFolder).toBe('Sync');
    expect(settings.proxy).toEqual({ mode: 'http', host: '::1', port: 3128, user: null });
    expect(json).toEqual(copy);
  });
});

describe('older formats', () => {
  it('reads a format-3 file with every field, and gives it the system proxy', () => {
    const decoded = decodeSettings({
      version: 3,
      pairs: [{ ...pair, paused: true, bandwidth: { upKiBps: 10, downKiBps: 20 }, excludedFolders: ['Videos'] }],
      sync: { pollIntervalSeconds: 60, fullScanMinutes: 15, ignorePatterns: ['*.tmp'], parallelTransfers: 2, failSafePercent: 20, deletedRetentionDays: 5 },
      backup: { sources: [localFolder], device: 'laptop', retentionDays: 0, schedule: 'login' },
      app: { startAtLogin: false, notifications: true, theme: 'light', language: 'en' },
      update: { enabled: true, channel: 'stable' },
    });
    expect(decoded.migratedFrom).toBe(3);
    expect(decoded.settings).toEqual({
      pairs: [{ ...pair, paused: true, bandwidth: { upKiBps: 10, downKiBps: 20 }, excludedFolders: ['Videos'] }],
      sync: { pollIntervalSeconds: 60, fullScanMinutes: 15, ignorePatterns: ['*.tmp'], parallelTransfers: 2, failSafePercent: 20, deletedRetentionDays: 5 },
      backup: { sources: [localFolder], device: 'laptop', retentionDays: 0, schedule: 'login' },
      app: { startAtLogin: false, notifications: true, theme: 'light', language: 'en' },
      update: { enabled: true, channel: 'stable' },
      proxy: { mode: 'system', host: '', port: 8080, user: null },
    });
  });

  it('refuses a format-2 file whose pair is damaged as the current format would, naming the field', () => {
    expect(refusal({ version: 2, pairs: [{ ...pair, bandwidth: { upKiBps: -1 } }] })?.message).toBe('pairs[0].bandwidth.upKiBps must be a whole number from 0 to 10485760');
    expect(refusal({ version: 2, sync: 'often' })?.message).toBe('sync must be an object');
  });

  it('carries a format-1 file with a damaged section to the check of the current format', () => {
    expect(refusal({ version: 1, app: { theme: 'blue' } })?.message).toBe('app.theme must be one of "system", "light", "dark"');
  });
});

describe('checkProxySettings', () => {
  it('gives the proxy as the file would, and names the field in a refusal', () => {
    expect(checkProxySettings({ mode: 'socks5', host: '[fe80::1]', port: 1080, user: 'bob' })).toEqual({ mode: 'socks5', host: 'fe80::1', port: 1080, user: 'bob' });
    expect(() => checkProxySettings({ mode: 'http', host: '', port: 3128, user: null })).toThrow(
      'proxy.host must name the proxy (a host name or IP address) when proxy.mode is "http"',
    );
    expect(() => checkProxySettings({ mode: 'http', host: 'proxy', port: 0, user: null })).toThrow('proxy.port must be a whole number from 1 to 65535');
    expect(() => checkProxySettings('http://proxy')).toThrow('proxy must be an object');
  });
});
