import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MigrationError, migrateSettingsJson, migrations } from '../../../../electron/app/migrations.js';
import { settingsFormatVersion } from '../../../../electron/app/settings.js';
import { journalFile, pairId } from '../../../../electron/platform/paths.js';

const localFolder = path.resolve('/home/alice/TeraCLOUD');
const seto = { user: 'alice', server: 'https://seto.teracloud.jp/dav/', method: 'basic' };

function migratePairs(account: unknown, remoteUrls: string[]): unknown[] {
  const pairs = remoteUrls.map((remoteUrl, index) => ({ localFolder: path.join(localFolder, String(index)), remoteUrl }));
  const { json } = migrations[1]!({ version: 1, account, pairs });
  return (json['pairs'] as { remoteFolder: unknown }[]).map((pair) => pair.remoteFolder);
}

describe('the migration chain', () => {
  it('has a step from every older format to the next', () => {
    for (let version = 1; version < settingsFormatVersion; version++) expect(migrations[version], `format ${version}`).toBeTypeOf('function');
  });

  it('leaves a current file alone', () => {
    const json = { version: settingsFormatVersion, pairs: [] };
    expect(migrateSettingsJson(json, settingsFormatVersion)).toEqual({ json, from: settingsFormatVersion, notes: [] });
  });

  it('does not change the JSON it was given', () => {
    const json = { version: 1, account: seto, pairs: [{ localFolder, remoteUrl: 'https://seto.teracloud.jp/dav/Sync/' }] };
    const copy = structuredClone(json);
    migrateSettingsJson(json, settingsFormatVersion);
    expect(json).toEqual(copy);
  });
});

describe('format 1 -> 2', () => {
  it('turns a pair into format 2, with the id its journal is already named after', () => {
    const remoteUrl = 'https://seto.teracloud.jp/dav/Sync/';
    const { json, from, notes } = migrateSettingsJson({ version: 1, account: seto, pairs: [{ localFolder, remoteUrl }] }, 2);
    expect(from).toBe(1);
    expect(json).toEqual({
      version: 2,
      pairs: [{ id: pairId(localFolder, remoteUrl), localFolder, remoteFolder: 'Sync', paused: false, bandwidth: { upKiBps: 0, downKiBps: 0 } }],
    });
    expect(journalFile('/state', localFolder, remoteUrl)).toBe(path.join('/state', 'journals', `${(json['pairs'] as { id: string }[])[0]!.id}.sqlite`));
    expect(notes).toEqual(['The account is no longer kept in settings.json (TeraSync keeps it in account.json), so the copy in settings.json was dropped.']);
  });

  it('makes URLs on the account’s node relative, under /dav/ and /v2/dav/, decoding the folder names', () => {
    expect(
      migratePairs(seto, [
        'https://seto.teracloud.jp/dav/',
        'https://seto.teracloud.jp/dav',
        'https://seto.teracloud.jp/dav/Photos/2024%20summer/',
        'https://seto.teracloud.jp/v2/dav/Work',
      ]),
    ).toEqual(['', '', 'Photos/2024 summer', 'Work']);
  });

  it('keeps as URLs what is not below the account root', () => {
    const kept = [
      'https://other.teracloud.jp/dav/Sync/',
      'https://seto.infini-cloud.net/dav/Sync/',
      'http://seto.teracloud.jp/dav/Sync/',
      'https://seto.teracloud.jp/backup/laptop/',
      'https://seto.teracloud.jp/davfolder/',
      'https://seto.teracloud.jp/dav/a%2Fb/',
      'https://seto.teracloud.jp/dav/Sync/?x=1',
      'https://bob@seto.teracloud.jp/dav/Sync/',
    ];
    expect(migratePairs(seto, kept)).toEqual(kept);
  });

  it('keeps the URLs when the file names no account (or a useless one), and says nothing of an empty account', () => {
    const remoteUrl = 'https://seto.teracloud.jp/dav/Sync/';
    expect(migratePairs(undefined, [remoteUrl])).toEqual([remoteUrl]);
    expect(migratePairs({ user: 'alice', server: 'not a url' }, [remoteUrl])).toEqual([remoteUrl]);
    const empty = migrations[1]!({ version: 1, account: { user: null, server: null, method: null }, pairs: [] });
    expect(empty.notes).toEqual([]);
    expect(migrations[1]!({ version: 1 }).notes).toEqual([]);
  });

  it('gives no pairs for a file without any, and carries unknown fields over for the validator to ignore', () => {
    expect(migrations[1]!({ version: 1, theme: 'dark' }).json).toEqual({ version: 2, theme: 'dark', pairs: [] });
  });

  it.each([
    [{ version: 1, pairs: {} }, 'pairs must be an array'],
    [{ version: 1, pairs: [null] }, 'pairs[0] must be an object'],
    [{ version: 1, pairs: [{ remoteUrl: 'https://a.example/' }] }, 'pairs[0].localFolder must be an absolute path'],
    [{ version: 1, pairs: [{ localFolder, remoteUrl: 'ftp://a.example/' }] }, 'pairs[0].remoteUrl must be an http(s) URL'],
    [{ version: 1, pairs: [{ localFolder }] }, 'pairs[0].remoteUrl must be an http(s) URL'],
  ])('refuses a damaged format-1 file (%j)', (json, message) => {
    expect(() => migrateSettingsJson(json, 2)).toThrow(MigrationError);
    expect(() => migrateSettingsJson(json, 2)).toThrow(message);
  });
});

describe('format 2 -> 3', () => {
  const formatTwoPair = { id: 'docs-1', localFolder, remoteFolder: 'Sync', paused: true, bandwidth: { upKiBps: 10, downKiBps: 0 } };

  it('gives every pair no excluded folders, the sync no ignore patterns and 4 transfers, the app the system language, and keeps the rest', () => {
    const json = {
      version: 2,
      pairs: [formatTwoPair],
      sync: { pollIntervalSeconds: 60, fullScanMinutes: 15 },
      backup: { sources: ['/home/alice/Documents'], device: 'laptop', retentionDays: 7 },
      app: { startAtLogin: true, notifications: false, theme: 'dark' },
    };
    const { json: migrated, from, notes } = migrateSettingsJson(json, 3);
    expect(from).toBe(2);
    expect(notes).toEqual([]);
    expect(migrated).toEqual({
      version: 3,
      pairs: [{ ...formatTwoPair, excludedFolders: [] }],
      sync: { pollIntervalSeconds: 60, fullScanMinutes: 15, ignorePatterns: [], parallelTransfers: 4 },
      backup: json.backup,
      app: { startAtLogin: true, notifications: false, theme: 'dark', language: 'system' },
    });
  });

  it('fills in the sections a format-2 file left out', () => {
    expect(migrations[2]!({ version: 2 }).json).toEqual({
      version: 3,
      sync: { ignorePatterns: [], parallelTransfers: 4 },
      app: { language: 'system' },
    });
  });

  it('replaces what format 2 ignored under the new names, so that such a file is not refused now', () => {
    const { json } = migrations[2]!({
      version: 2,
      pairs: [{ ...formatTwoPair, excludedFolders: 'everything' }],
      sync: { ignorePatterns: [''], parallelTransfers: 0 },
      app: { language: 'klingon' },
    });
    expect(json['pairs']).toEqual([{ ...formatTwoPair, excludedFolders: [] }]);
    expect(json['sync']).toEqual({ ignorePatterns: [], parallelTransfers: 4 });
    expect(json['app']).toEqual({ language: 'system' });
  });

  it('leaves what is not an object as it was, for the validator to refuse', () => {
    const { json } = migrations[2]!({ version: 2, pairs: ['x', null], sync: 'fast', app: [] });
    expect(json).toEqual({ version: 3, pairs: ['x', null], sync: 'fast', app: [] });
    expect(migrations[2]!({ version: 2, pairs: 'x' }).json['pairs']).toBe('x');
  });

  it('carries unknown fields over for the validator to ignore', () => {
    expect(migrations[2]!({ version: 2, colour: 'blue', sync: { speed: 'max' } }).json).toMatchObject({ colour: 'blue', sync: { speed: 'max' } });
  });
});

describe('format 1 -> 3, through the chain', () => {
  it('gives a format-1 pair its id, its folder and the format-3 defaults, and says the account was dropped', () => {
    const remoteUrl = 'https://seto.teracloud.jp/dav/Sync/';
    const { json, from, notes } = migrateSettingsJson({ version: 1, account: seto, pairs: [{ localFolder, remoteUrl }] }, 3);
    expect(from).toBe(1);
    expect(json).toEqual({
      version: 3,
      pairs: [{ id: pairId(localFolder, remoteUrl), localFolder, remoteFolder: 'Sync', paused: false, bandwidth: { upKiBps: 0, downKiBps: 0 }, excludedFolders: [] }],
      sync: { ignorePatterns: [], parallelTransfers: 4 },
      app: { language: 'system' },
    });
    expect(notes).toEqual([expect.stringContaining('account.json')]);
  });
});

describe('format 3 -> 4', () => {
  it('gives the app the system proxy and keeps the rest', () => {
    const json = { version: 3, pairs: [], app: { theme: 'dark' }, colour: 'blue' };
    expect(migrations[3]!(json)).toEqual({
      json: { version: 4, pairs: [], app: { theme: 'dark' }, colour: 'blue', proxy: { mode: 'system', host: '', port: 8080 } },
      notes: [],
    });
  });

  it('replaces what format 3 ignored under the name proxy, so that such a file is not refused now', () => {
    expect(migrations[3]!({ version: 3, proxy: 'socks://nowhere' }).json['proxy']).toEqual({ mode: 'system', host: '', port: 8080 });
  });
});
