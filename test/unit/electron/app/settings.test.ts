import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  accountSummaryFromRecord,
  createAppOverviewReader,
  decodeSettings,
  defaultSettings,
  nodeSettingsFileSystem,
  parseSettings,
  readSettings,
  resolveRemoteFolder,
  serializeSettings,
  settingsFormatVersion,
  settingsLimits,
  type SettingsDeps,
} from '../../../../electron/app/settings.js';
import { pairId } from '../../../../electron/platform/paths.js';
import { ErrorCode } from '../../../../shared/errors.js';
import { validateSettingsView } from '../../../../shared/ipc/schemas.js';
import { FakeClock } from '../../../support/fakeClock.js';

/** 2025-11-28T09:40:00.123Z */
const fixedNow = Date.UTC(2025, 10, 28, 9, 40, 0, 123);

let folder: string;
let deps: SettingsDeps;

beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'terasync-settings-'));
  deps = { fileSystem: nodeSettingsFileSystem, clock: new FakeClock(fixedNow) };
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const settingsFile = (): string => path.join(folder, 'settings.json');
const localFolder = path.resolve('/home/alice/TeraCLOUD');
const photosFolder = path.resolve('/home/alice/Photos');

async function writeSettings(value: unknown): Promise<void> {
  await writeFile(settingsFile(), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

const validPair = {
  id: 'docs-1',
  localFolder,
  remoteFolder: 'Sync',
  paused: false,
  bandwidth: { upKiBps: 0, downKiBps: 512 },
  excludedFolders: ['Videos', 'Photos/raw 2024', 'Café/Ü'],
};

const validSettings = {
  version: 4,
  pairs: [validPair],
  sync: { pollIntervalSeconds: 60, fullScanMinutes: 15, ignorePatterns: ['*.tmp', 'node_modules/', '!keep.tmp', '# a comment line', 'my file.txt'], parallelTransfers: 8, failSafePercent: 40, deletedRetentionDays: 60 },
  backup: { sources: [path.resolve('/home/alice/Documents')], device: 'laptop', retentionDays: 7, schedule: 'daily' },
  app: { startAtLogin: true, notifications: false, theme: 'dark', language: 'ja' },
  update: { enabled: false, channel: 'beta' },
  proxy: { mode: 'http', host: 'proxy.example.com', port: 3128, user: 'alice' },
};

/** The same settings as format 2 wrote them, before excluded folders, ignore patterns, parallel transfers and the language. */
const formatTwo = {
  version: 2,
  pairs: [{ id: 'docs-1', localFolder, remoteFolder: 'Sync', paused: false, bandwidth: { upKiBps: 0, downKiBps: 512 } }],
  sync: { pollIntervalSeconds: 60, fullScanMinutes: 15 },
  backup: { sources: [path.resolve('/home/alice/Documents')], device: 'laptop', retentionDays: 7 },
  app: { startAtLogin: true, notifications: false, theme: 'dark' },
};

const { version: _version, ...validParsed } = validSettings;

const formatOne = {
  version: 1,
  account: { user: 'alice', server: 'https://seto.teracloud.jp/dav/', method: 'basic' },
  pairs: [{ localFolder, remoteUrl: 'https://seto.teracloud.jp/dav/Sync/' }],
};

describe('readSettings', () => {
  it('gives the defaults when there is no settings file', async () => {
    const result = await readSettings(folder, deps);
    expect(result).toEqual({ settings: defaultSettings(), found: false, problem: null, movedTo: null, migratedFrom: null, notes: [] });
    expect(result.settings).toEqual({
      pairs: [],
      sync: { pollIntervalSeconds: 30, fullScanMinutes: 10, ignorePatterns: [], parallelTransfers: 4, failSafePercent: 50, deletedRetentionDays: 30 },
      backup: { sources: [], device: null, retentionDays: 30, schedule: 'manual' },
      app: { startAtLogin: null, notifications: true, theme: 'system', language: 'system' },
      update: { enabled: true, channel: 'stable' },
      proxy: { mode: 'system', host: '', port: 8080, user: null },
    });
  });

  it('reads a valid file', async () => {
    await writeSettings(validSettings);
    const result = await readSettings(folder, deps);
    expect(result.problem).toBeNull();
    expect(result.found).toBe(true);
    expect(result.migratedFrom).toBeNull();
    expect(result.settings).toEqual(validParsed);
  });

  it('fills in every default, and ignores fields it does not know', async () => {
    await writeSettings({ version: 3, colour: 'blue', pairs: [{ id: 'a', localFolder, remoteFolder: '', extra: 1 }], app: { fontSize: 3 } });
    const result = await readSettings(folder, deps);
    expect(result.problem).toBeNull();
    expect(result.settings).toEqual({
      ...defaultSettings(),
      pairs: [{ id: 'a', localFolder, remoteFolder: '', paused: false, bandwidth: { upKiBps: 0, downKiBps: 0 }, excludedFolders: [] }],
    });
  });

  it('keeps a remote folder given as a full URL, and makes a folder path canonical', async () => {
    await writeSettings({
      version: 2,
      pairs: [
        { id: 'a', localFolder, remoteFolder: 'https://other.example/dav/Shared/' },
        { id: 'b', localFolder: photosFolder, remoteFolder: '/Photos/2024/' },
        { id: 'c', localFolder: path.resolve('/home/alice/Notes'), remoteFolder: 'Notes: 2024' },
      ],
    });
    const result = await readSettings(folder, deps);
    expect(result.problem).toBeNull();
    expect(result.settings.pairs.map((pair) => pair.remoteFolder)).toEqual(['https://other.example/dav/Shared/', 'Photos/2024', 'Notes: 2024']);
  });

  it('reads format 1 through the migration, and leaves the file as it is', async () => {
    await writeSettings(formatOne);
    const result = await readSettings(folder, deps);
    expect(result.problem).toBeNull();
    expect(result.found).toBe(true);
    expect(result.migratedFrom).toBe(1);
    expect(result.notes).toEqual([expect.stringContaining('account.json')]);
    expect(result.settings).toEqual({
      ...defaultSettings(),
      pairs: [
        {
          id: pairId(localFolder, formatOne.pairs[0]!.remoteUrl),
          localFolder,
          remoteFolder: 'Sync',
          paused: false,
          bandwidth: { upKiBps: 0, downKiBps: 0 },
          excludedFolders: [],
        },
      ],
    });
    expect(JSON.parse(await readFile(settingsFile(), 'utf8'))).toEqual(formatOne);
  });

  it('reads format 2 through the migration with the new fields at their defaults, and leaves the file as it is', async () => {
    await writeSettings(formatTwo);
    const result = await readSettings(folder, deps);
    expect(result.problem).toBeNull();
    expect(result.found).toBe(true);
    expect(result.migratedFrom).toBe(2);
    expect(result.notes).toEqual([]);
    expect(result.settings).toEqual({
      pairs: [{ ...formatTwo.pairs[0], excludedFolders: [] }],
      sync: { pollIntervalSeconds: 60, fullScanMinutes: 15, ignorePatterns: [], parallelTransfers: 4, failSafePercent: 50, deletedRetentionDays: 30 },
      backup: { ...formatTwo.backup, schedule: 'manual' },
      app: { startAtLogin: true, notifications: false, theme: 'dark', language: 'system' },
      update: { enabled: true, channel: 'stable' },
      proxy: { mode: 'system', host: '', port: 8080, user: null },
    });
    expect(JSON.parse(await readFile(settingsFile(), 'utf8'))).toEqual(formatTwo);
  });

  it('reads a format-2 file whose fields of those names format 2 ignored, rather than moving it aside', async () => {
    await writeSettings({
      ...formatTwo,
      pairs: [{ ...formatTwo.pairs[0], excludedFolders: '/not/a/list' }],
      sync: { ...formatTwo.sync, ignorePatterns: [''], parallelTransfers: 99 },
      app: { ...formatTwo.app, language: 'fr' },
    });
    const result = await readSettings(folder, deps);
    expect(result.problem).toBeNull();
    expect(result.movedTo).toBeNull();
    expect(result.settings.pairs[0]!.excludedFolders).toEqual([]);
    expect(result.settings.sync).toMatchObject({ ignorePatterns: [], parallelTransfers: 4 });
    expect(result.settings.app.language).toBe('system');
  });

  it('reads a format-1 file with only a version, and one with a sign-in method it never knew', async () => {
    await writeSettings({ version: 1, theme: 'dark' });
    expect((await readSettings(folder, deps)).settings).toEqual(defaultSettings());
    // Format 1 refused this; the account is dropped now, so it no longer matters.
    await writeSettings({ version: 1, account: { user: 'a', method: 'digest' } });
    const result = await readSettings(folder, deps);
    expect(result.problem).toBeNull();
    expect(result.notes).toHaveLength(1);
  });

  const invalidPair = (fields: Record<string, unknown>): unknown => ({ version: 3, pairs: [{ ...validPair, ...fields }] });
  const manyFolders = (count: number): string[] => Array.from({ length: count }, (_, index) => `Folder ${index}`);

  it.each([
    ['not JSON', '{ "version": 2, ', 'not valid JSON'],
    ['an empty file', '', 'not valid JSON'],
    ['a JSON array', [], 'it is not a JSON object'],
    ['no version', { pairs: [] }, '"version" is missing'],
    ['a version that is not a whole number', { version: 1.5 }, '"version" is missing or not a positive whole number'],
    ['pairs not an array', { version: 3, pairs: {} }, 'pairs must be an array'],
    ['a pair that is not an object', { version: 3, pairs: ['x'] }, 'pairs[0] must be an object'],
    ['a pair without an id', invalidPair({ id: undefined }), 'pairs[0].id must be 1 to 64 letters'],
    ['a pair id with a slash', invalidPair({ id: 'a/b' }), 'pairs[0].id must be 1 to 64 letters'],
    ['a relative local folder', invalidPair({ localFolder: 'docs' }), 'pairs[0].localFolder must be an absolute path'],
    ['a remote folder that is not a string', invalidPair({ remoteFolder: 3 }), 'pairs[0].remoteFolder must be a folder path below the account root'],
    ['a remote URL that is not http(s)', invalidPair({ remoteFolder: 'ftp://a.example/' }), 'pairs[0].remoteFolder must be a folder path'],
    ['a remote folder with ..', invalidPair({ remoteFolder: 'Sync/../Other' }), 'pairs[0].remoteFolder has a folder name TeraSync cannot use ("..")'],
    ['a remote folder with an empty name', invalidPair({ remoteFolder: 'Sync//Other' }), 'pairs[0].remoteFolder has a folder name TeraSync cannot use ("")'],
    ['paused not a boolean', invalidPair({ paused: 'yes' }), 'pairs[0].paused must be true or false'],
    ['bandwidth not an object', invalidPair({ bandwidth: 5 }), 'pairs[0].bandwidth must be an object'],
    ['a negative upload limit', invalidPair({ bandwidth: { upKiBps: -1 } }), 'pairs[0].bandwidth.upKiBps must be a whole number from 0 to'],
    ['a fractional download limit', invalidPair({ bandwidth: { downKiBps: 1.5 } }), 'pairs[0].bandwidth.downKiBps must be a whole number from 0 to'],
    ['sync not an object', { version: 3, sync: [] }, 'sync must be an object'],
    ['a poll interval below 5 s', { version: 3, sync: { pollIntervalSeconds: 4 } }, 'sync.pollIntervalSeconds must be a whole number from 5 to 86400'],
    ['a poll interval above a day', { version: 3, sync: { pollIntervalSeconds: 86_401 } }, 'sync.pollIntervalSeconds must be a whole number from 5 to 86400'],
    ['a poll interval as text', { version: 3, sync: { pollIntervalSeconds: '30' } }, 'sync.pollIntervalSeconds must be a whole number'],
    ['a full scan every 0 minutes', { version: 3, sync: { fullScanMinutes: 0 } }, 'sync.fullScanMinutes must be a whole number from 1 to'],
    ['backup sources not an array', { version: 3, backup: { sources: '/home' } }, 'backup.sources must be an array of absolute paths'],
    ['a relative backup source', { version: 3, backup: { sources: ['Documents'] } }, 'backup.sources[0] must be an absolute path'],
    [
      'two backup sources with the same folder name',
      { version: 3, backup: { sources: [path.resolve('/a/Documents'), path.resolve('/b/Documents')] } },
      'backup.sources[1]',
    ],
    ['an empty device name', { version: 3, backup: { device: ' ' } }, 'backup.device must be null or a name of 1 to 255 characters'],
    ['a device name that is a number', { version: 3, backup: { device: 7 } }, 'backup.device must be null or a name'],
    ['a negative retention', { version: 3, backup: { retentionDays: -1 } }, 'backup.retentionDays must be a whole number from 0 to'],
    ['an unknown backup schedule', { version: 3, backup: { schedule: 'weekly' } }, 'backup.schedule must be one of "manual", "hourly", "daily", "login"'],
    ['startAtLogin as text', { version: 3, app: { startAtLogin: 'yes' } }, 'app.startAtLogin must be true, false or null'],
    ['notifications as a number', { version: 3, app: { notifications: 1 } }, 'app.notifications must be true or false'],
    ['an unknown theme', { version: 3, app: { theme: 'blue' } }, 'app.theme must be one of "system", "light", "dark"'],
    ['app not an object', { version: 3, app: 'dark' }, 'app must be an object'],
    ['excluded folders not an array', invalidPair({ excludedFolders: 'Videos' }), 'pairs[0].excludedFolders must be an array of folder paths'],
    ['an excluded folder that is not a string', invalidPair({ excludedFolders: [7] }), 'pairs[0].excludedFolders[0] must be a folder path below the pair'],
    ['an empty excluded folder', invalidPair({ excludedFolders: ['Videos', ''] }), 'pairs[0].excludedFolders[1] must be a folder path below the pair'],
    ['an excluded folder "."', invalidPair({ excludedFolders: ['.'] }), 'pairs[0].excludedFolders[0] (".") must be a folder path'],
    ['an excluded folder with ..', invalidPair({ excludedFolders: ['Photos/../Work'] }), 'pairs[0].excludedFolders[0] ("Photos/../Work") must be a folder path'],
    ['an excluded folder with a leading /', invalidPair({ excludedFolders: ['/Videos'] }), 'pairs[0].excludedFolders[0] ("/Videos") must be a folder path'],
    ['an excluded folder with a trailing /', invalidPair({ excludedFolders: ['Videos/'] }), 'pairs[0].excludedFolders[0] ("Videos/") must be a folder path'],
    ['an excluded folder with //', invalidPair({ excludedFolders: ['Photos//raw'] }), 'pairs[0].excludedFolders[0] ("Photos//raw") must be a folder path'],
    ['an excluded folder with a backslash', invalidPair({ excludedFolders: ['Photos\\raw'] }), 'pairs[0].excludedFolders[0] ("Photos\\raw") must be a folder path'],
    ['an excluded folder with a line break', invalidPair({ excludedFolders: ['Photos\nraw'] }), 'pairs[0].excludedFolders[0]'],
    ['an excluded folder with DEL', invalidPair({ excludedFolders: ['Photos\u007f'] }), 'pairs[0].excludedFolders[0]'],
    ['an excluded folder listed twice', invalidPair({ excludedFolders: ['Videos', 'Music', 'Videos'] }), 'pairs[0].excludedFolders[2] ("Videos") is also pairs[0].excludedFolders[0]: list each folder once'],
    ['1,001 excluded folders', invalidPair({ excludedFolders: manyFolders(1_001) }), 'pairs[0].excludedFolders has 1001 items; at most 1000 are allowed'],
    ['an excluded folder of 4,097 characters', invalidPair({ excludedFolders: ['a'.repeat(4_097)] }), 'pairs[0].excludedFolders[0] is longer than 4096 characters'],
    ['ignore patterns not an array', { version: 3, sync: { ignorePatterns: '*.tmp' } }, 'sync.ignorePatterns must be an array of patterns'],
    ['an ignore pattern that is not a string', { version: 3, sync: { ignorePatterns: ['*.tmp', null] } }, 'sync.ignorePatterns[1] must be a pattern'],
    ['an empty ignore pattern', { version: 3, sync: { ignorePatterns: [''] } }, 'sync.ignorePatterns[0] is blank'],
    ['a blank ignore pattern', { version: 3, sync: { ignorePatterns: ['*.tmp', '   '] } }, 'sync.ignorePatterns[1] is blank'],
    ['an ignore pattern of two lines', { version: 3, sync: { ignorePatterns: ['*.tmp\n*.bak'] } }, 'sync.ignorePatterns[0] must be one line without control characters'],
    ['an ignore pattern with a tab', { version: 3, sync: { ignorePatterns: ['a\tb'] } }, 'sync.ignorePatterns[0] must be one line'],
    ['an ignore pattern of 1,025 characters', { version: 3, sync: { ignorePatterns: ['x'.repeat(1_025)] } }, 'sync.ignorePatterns[0] is longer than 1024 characters'],
    ['1,001 ignore patterns', { version: 3, sync: { ignorePatterns: manyFolders(1_001) } }, 'sync.ignorePatterns has 1001 items; at most 1000 are allowed'],
    ['no parallel transfers', { version: 3, sync: { parallelTransfers: 0 } }, 'sync.parallelTransfers must be a whole number from 1 to 16'],
    ['17 parallel transfers', { version: 3, sync: { parallelTransfers: 17 } }, 'sync.parallelTransfers must be a whole number from 1 to 16'],
    ['2.5 parallel transfers', { version: 3, sync: { parallelTransfers: 2.5 } }, 'sync.parallelTransfers must be a whole number from 1 to 16'],
    ['parallel transfers as text', { version: 3, sync: { parallelTransfers: '4' } }, 'sync.parallelTransfers must be a whole number from 1 to 16'],
    ['a fail-safe of 0%', { version: 3, sync: { failSafePercent: 0 } }, 'sync.failSafePercent must be a whole number from 1 to 99'],
    ['a fail-safe of 100%', { version: 3, sync: { failSafePercent: 100 } }, 'sync.failSafePercent must be a whole number from 1 to 99'],
    ['deleted files kept 0 days', { version: 3, sync: { deletedRetentionDays: 0 } }, 'sync.deletedRetentionDays must be a whole number from 1 to 365'],
    ['deleted files kept 366 days', { version: 3, sync: { deletedRetentionDays: 366 } }, 'sync.deletedRetentionDays must be a whole number from 1 to 365'],
    ['deleted files kept 1.5 days', { version: 3, sync: { deletedRetentionDays: 1.5 } }, 'sync.deletedRetentionDays must be a whole number from 1 to 365'],
    ['an unknown language', { version: 3, app: { language: 'fr' } }, 'app.language must be one of "system", "en", "ja"'],
    ['an unknown update channel', { version: 3, update: { channel: 'nightly' } }, 'update.channel must be one of "stable", "beta"'],
    ['update.enabled as text', { version: 3, update: { enabled: 'no' } }, 'update.enabled must be true or false'],
    ['a language in capitals', { version: 3, app: { language: 'EN' } }, 'app.language must be one of "system", "en", "ja"'],
    ['a language that is a number', { version: 3, app: { language: 1 } }, 'app.language must be one of'],
    ['two pairs with the same id', { version: 3, pairs: [validPair, { ...validPair, localFolder: photosFolder }] }, 'pairs[1].id "docs-1" is also the id of pairs[0]'],
    ['an unknown proxy mode', { version: 4, proxy: { mode: 'pac' } }, 'proxy.mode must be one of "system", "none", "http", "socks5"'],
    ['an HTTP proxy without a host', { version: 4, proxy: { mode: 'http', host: '', port: 3128 } }, 'proxy.host must name the proxy (a host name or IP address) when proxy.mode is "http"'],
    ['a SOCKS5 proxy with a blank host', { version: 4, proxy: { mode: 'socks5', host: '  ', port: 1080 } }, 'proxy.host must name the proxy (a host name or IP address) when proxy.mode is "socks5"'],
    ['a proxy host with a scheme', { version: 4, proxy: { mode: 'http', host: 'http://proxy', port: 3128 } }, 'proxy.host must be a host name or IP address only (no scheme'],
    ['a proxy host with a port', { version: 4, proxy: { mode: 'http', host: 'proxy:3128', port: 3128 } }, 'proxy.host must be a host name or IP address only'],
    ['a proxy host with a space', { version: 4, proxy: { mode: 'http', host: 'my proxy', port: 3128 } }, 'proxy.host must be a host name or IP address only'],
    ['a proxy host that is a number', { version: 4, proxy: { mode: 'system', host: 3128 } }, 'proxy.host must be a host name or IP address'],
    ['a proxy host of 254 characters', { version: 4, proxy: { mode: 'http', host: 'a'.repeat(254), port: 3128 } }, 'proxy.host must be at most 253 characters'],
    ['proxy port 0', { version: 4, proxy: { mode: 'http', host: 'proxy', port: 0 } }, 'proxy.port must be a whole number from 1 to 65535'],
    ['proxy port 65536', { version: 4, proxy: { mode: 'socks5', host: 'proxy', port: 65_536 } }, 'proxy.port must be a whole number from 1 to 65535'],
    ['proxy port as text', { version: 4, proxy: { mode: 'http', host: 'proxy', port: '3128' } }, 'proxy.port must be a whole number from 1 to 65535'],
    ['a proxy user on two lines', { version: 4, proxy: { mode: 'http', host: 'proxy', port: 3128, user: 'a\nb' } }, 'proxy.user must be a user name of at most 256 characters, on one line'],
    ['a proxy user that is a number', { version: 4, proxy: { mode: 'http', host: 'proxy', port: 3128, user: 7 } }, 'proxy.user must be a user name or null'],
    ['proxy not an object', { version: 4, proxy: 'direct' }, 'proxy must be an object'],
    ['format 1 pairs not an array', { version: 1, pairs: 'x' }, 'pairs must be an array (format 1)'],
    ['a format-1 relative local folder', { version: 1, pairs: [{ localFolder: 'docs', remoteUrl: 'https://a.example/dav/' }] }, 'pairs[0].localFolder must be an absolute path'],
    ['a format-1 remote URL that is not http(s)', { version: 1, pairs: [{ localFolder, remoteUrl: 'ftp://a.example/' }] }, 'pairs[0].remoteUrl must be an http(s) URL (format 1)'],
  ])('moves a corrupt file (%s) aside and reports it', async (_name, content, reason) => {
    await writeSettings(content);
    const result = await readSettings(folder, deps);

    const movedTo = `${settingsFile()}.corrupt-2025-11-28T09-40-00-123Z`;
    expect(result.movedTo).toBe(movedTo);
    expect(result.found).toBe(false);
    expect(result.settings).toEqual(defaultSettings());
    expect(result.problem?.code).toBe(ErrorCode.Configuration);
    expect(result.problem?.message).toContain(reason);
    expect(result.problem?.message).toContain(movedTo);
    expect(await readdir(folder)).toEqual([path.basename(movedTo)]);
    expect(await readFile(movedTo, 'utf8')).toBe(typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  });

  it('reports, without crashing, a corrupt file it cannot move aside', async () => {
    await writeSettings('not json');
    const result = await readSettings(folder, {
      ...deps,
      fileSystem: { ...nodeSettingsFileSystem, rename: () => Promise.reject(new Error('EACCES: permission denied')) },
    });
    expect(result.problem?.code).toBe(ErrorCode.LocalIo);
    expect(result.problem?.message).toContain('could not be moved aside: EACCES: permission denied');
    expect(result.movedTo).toBeNull();
    expect(await readdir(folder)).toEqual(['settings.json']);
  });

  it('reports a file it cannot read and leaves it in place', async () => {
    const result = await readSettings(folder, {
      ...deps,
      fileSystem: { ...nodeSettingsFileSystem, readFile: () => Promise.reject(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })) },
    });
    expect(result.problem).toEqual({
      code: ErrorCode.LocalIo,
      message: `The settings file ${settingsFile()} could not be read: EACCES: permission denied`,
    });
    expect(result.movedTo).toBeNull();
  });

  it('leaves a file from a newer version in place and does not use it', async () => {
    await writeSettings({ version: 5, pairs: 'a new shape' });
    const result = await readSettings(folder, deps);
    expect(result.problem?.code).toBe(ErrorCode.Configuration);
    expect(result.problem?.message).toContain('written by a newer TeraSync (format 5; this version reads format 4)');
    expect(result.problem?.message).toContain('left as it is');
    expect(result.settings).toEqual(defaultSettings());
    expect(result.movedTo).toBeNull();
    expect(await readdir(folder)).toEqual(['settings.json']);
    expect(await readFile(settingsFile(), 'utf8')).toBe(JSON.stringify({ version: 5, pairs: 'a new shape' }, null, 2));
  });

  it.each([
    ['pairs[0].password', { ...validSettings, pairs: [{ ...validPair, password: 'hunter2' }] }],
    ['pairs[0].appsPassword', { ...validSettings, pairs: [{ ...validPair, appsPassword: 'x' }] }],
    ['app.accessToken', { ...validSettings, app: { ...validSettings.app, accessToken: 'x' } }],
    ['refresh_token', { ...validSettings, refresh_token: 'x' }],
    ['pairs[0].api-key', { ...validSettings, pairs: [{ ...validPair, 'api-key': 'x' }] }],
    ['clientSecret', { ...validSettings, clientSecret: 'x' }],
    ['credentials', { version: 2, credentials: { user: 'a' } }],
    ['account.password', { ...formatOne, account: { ...formatOne.account, password: 'hunter2' } }],
  ])('refuses a file with a secret-looking field (%s), keeps it in place, and says so', async (field, content) => {
    await writeSettings(content);
    const result = await readSettings(folder, deps);
    expect(result.problem?.code).toBe(ErrorCode.Configuration);
    expect(result.problem?.message).toContain(`"${field}"`);
    expect(result.problem?.message).toContain('looks like a secret');
    expect(result.problem?.message).not.toContain('hunter2');
    expect(result.settings).toEqual(defaultSettings());
    expect(result.movedTo).toBeNull();
    expect(await readdir(folder)).toEqual(['settings.json']);
  });

  it('refuses a URL with a password in it, in either format', async () => {
    await writeSettings({ version: 2, pairs: [{ ...validPair, remoteFolder: 'https://alice:hunter2@seto.teracloud.jp/dav/' }] });
    const result = await readSettings(folder, deps);
    expect(result.problem?.message).toContain('pairs[0].remoteFolder is a URL with a password in it');
    expect(result.problem?.message).not.toContain('hunter2');
    expect(result.settings.pairs).toEqual([]);

    await writeSettings({ ...formatOne, pairs: [{ localFolder, remoteUrl: 'https://alice:hunter2@seto.teracloud.jp/dav/' }] });
    expect((await readSettings(folder, deps)).problem?.message).toContain('pairs[0].remoteUrl is a URL with a password in it');
  });

  it('accepts names that only contain a secret word elsewhere (tokenUrl) and a user name in a URL', async () => {
    await writeSettings({ ...validSettings, oauth: { tokenUrl: 'https://auth.example/token' }, pairs: [{ ...validPair, remoteFolder: 'https://alice@seto.teracloud.jp/dav/' }] });
    const result = await readSettings(folder, deps);
    expect(result.problem).toBeNull();
  });
});

describe('format 4: the proxy', () => {
  it.each([
    ['system, nothing typed', { mode: 'system' }, { mode: 'system', host: '', port: 8080, user: null }],
    ['none, keeping what was typed', { mode: 'none', host: 'proxy.example.com', port: 3128 }, { mode: 'none', host: 'proxy.example.com', port: 3128, user: null }],
    ['http with a user', { mode: 'http', host: 'proxy.example.com', port: 3128, user: 'alice' }, { mode: 'http', host: 'proxy.example.com', port: 3128, user: 'alice' }],
    ['socks5 on an IPv4 address', { mode: 'socks5', host: '10.0.0.1', port: 1080 }, { mode: 'socks5', host: '10.0.0.1', port: 1080, user: null }],
    ['http on an IPv6 address in brackets', { mode: 'http', host: '[::1]', port: 3128 }, { mode: 'http', host: '::1', port: 3128, user: null }],
    ['an empty user', { mode: 'http', host: 'proxy', port: 3128, user: '' }, { mode: 'http', host: 'proxy', port: 3128, user: null }],
    ['a host with spaces around it', { mode: 'http', host: ' proxy ', port: 3128 }, { mode: 'http', host: 'proxy', port: 3128, user: null }],
  ])('reads %s', (_name, proxy, expected) => {
    expect(parseSettings({ version: 4, proxy }).proxy).toEqual(expected);
  });

  it('gives a format-3 file the system proxy, as the app used before the setting existed', () => {
    const decoded = decodeSettings({ version: 3, proxy: { mode: 'none' } });
    expect(decoded.migratedFrom).toBe(3);
    expect(decoded.settings.proxy).toEqual({ mode: 'system', host: '', port: 8080, user: null });
  });

  it('writes the user only when there is one, and never a password', () => {
    const settings = parseSettings({ version: 4, proxy: { mode: 'http', host: 'proxy', port: 3128 } });
    expect(JSON.parse(serializeSettings(settings)).proxy).toEqual({ mode: 'http', host: 'proxy', port: 3128 });
    settings.proxy.user = 'alice';
    expect(JSON.parse(serializeSettings(settings)).proxy).toEqual({ mode: 'http', host: 'proxy', port: 3128, user: 'alice' });
    expect(() => parseSettings({ version: 4, proxy: { mode: 'http', host: 'proxy', port: 3128, user: 'alice', password: 'hunter2' } })).toThrow(
      'it has a field "proxy.password"',
    );
  });
});

describe('format 3: selective sync, ignore patterns, parallel transfers, language', () => {
  const withPair = (fields: Record<string, unknown>): unknown => ({ version: settingsFormatVersion, pairs: [{ ...validPair, ...fields }] });

  it('accepts every field at its bounds', () => {
    const folders = Array.from({ length: settingsLimits.excludedFolderCount }, (_, index) => `Folder ${index}`);
    folders[0] = 'a'.repeat(settingsLimits.excludedFolderLength);
    const patterns = Array.from({ length: settingsLimits.ignorePatternCount }, (_, index) => `*.${index}`);
    patterns[0] = 'x'.repeat(settingsLimits.ignorePatternLength);
    for (const parallelTransfers of [1, 16]) {
      const settings = parseSettings({ version: settingsFormatVersion, pairs: [{ ...validPair, excludedFolders: folders }], sync: { ignorePatterns: patterns, parallelTransfers } });
      expect(settings.pairs[0]!.excludedFolders).toEqual(folders);
      expect(settings.sync.ignorePatterns).toEqual(patterns);
      expect(settings.sync.parallelTransfers).toBe(parallelTransfers);
    }
    expect(settingsLimits.parallelTransfers).toEqual({ min: 1, max: 16 });
  });

  it.each(['system', 'en', 'ja'] as const)('accepts the language "%s"', (language) => {
    expect(parseSettings({ version: settingsFormatVersion, app: { language } }).app.language).toBe(language);
  });

  it('keeps excluded folders and patterns exactly as written (no case folding, no trimming)', () => {
    const settings = parseSettings({
      version: settingsFormatVersion,
      pairs: [{ ...validPair, excludedFolders: ['Videos', 'videos', 'a b/ c'] }],
      sync: { ignorePatterns: ['  leading spaces', 'trailing\\ ', '*.tmp', '*.tmp'] },
    });
    expect(settings.pairs[0]!.excludedFolders).toEqual(['Videos', 'videos', 'a b/ c']);
    expect(settings.sync.ignorePatterns).toEqual(['  leading spaces', 'trailing\\ ', '*.tmp', '*.tmp']);
  });

  /** Each value with a name for the test's title (a long one by its length). */
  const cases = (rows: [string, boolean][]): [string, string, boolean][] =>
    rows.map(([value, valid]) => [value.length > 40 ? `of ${value.length} characters` : JSON.stringify(value), value, valid]);

  /** What the window's validators say of the same value, as a view of the settings. */
  function windowAccepts(excludedFolders: unknown, ignorePatterns: unknown): boolean {
    const { bandwidth, ...pair } = { ...validPair, excludedFolders };
    return validateSettingsView({
      pairs: [{ ...pair, bandwidth: { uploadKiBps: bandwidth.upKiBps, downloadKiBps: bandwidth.downKiBps } }],
      sync: { ...validSettings.sync, ignorePatterns },
      backup: validSettings.backup,
      app: validSettings.app,
      update: validSettings.update,
    }).ok;
  }

  function fileAccepts(excludedFolders: unknown, ignorePatterns: unknown): boolean {
    try {
      parseSettings({ ...validSettings, pairs: [{ ...validPair, excludedFolders }], sync: { ...validSettings.sync, ignorePatterns } });
      return true;
    } catch {
      return false;
    }
  }

  it.each(cases([
    ['Videos', true],
    ['Photos/raw 2024', true],
    ['日本語/フォルダ', true],
    ['', false],
    ['.', false],
    ['..', false],
    ['a/./b', false],
    ['a/../b', false],
    ['/a', false],
    ['a/', false],
    ['a//b', false],
    ['a\\b', false],
    ['a\u0000b', false],
    ['a\u001fb', false],
    ['a\u007fb', false],
    ['a'.repeat(4_096), true],
    ['a'.repeat(4_097), false],
  ]))('an excluded folder %s: valid in settings.json %s, and exactly when the window may send it', (_label, folder, valid) => {
    expect(fileAccepts([folder], [])).toBe(valid);
    expect(windowAccepts([folder], [])).toBe(valid);
  });

  it.each(cases([
    ['*.tmp', true],
    ['!keep.me', true],
    ['# comment', true],
    [' x ', true],
    ['', false],
    [' ', false],
    ['\t', false],
    ['a\nb', false],
    ['a\rb', false],
    ['a\u007f', false],
    ['x'.repeat(1_024), true],
    ['x'.repeat(1_025), false],
  ]))('an ignore pattern %s: valid in settings.json %s, and exactly when the window may send it', (_label, pattern, valid) => {
    expect(fileAccepts([], [pattern])).toBe(valid);
    expect(windowAccepts([], [pattern])).toBe(valid);
  });

  it('agrees with the window on duplicates and on the number of items', () => {
    expect(fileAccepts(['a', 'a'], [])).toBe(false);
    expect(windowAccepts(['a', 'a'], [])).toBe(false);
    expect(fileAccepts([], ['*.tmp', '*.tmp'])).toBe(windowAccepts([], ['*.tmp', '*.tmp']));
    for (const count of [1_000, 1_001]) {
      const items = Array.from({ length: count }, (_, index) => `item${index}`);
      expect(fileAccepts(items, []), `${count} folders`).toBe(windowAccepts(items, []));
      expect(fileAccepts([], items), `${count} patterns`).toBe(windowAccepts([], items));
    }
  });

  it('moves a file with a bad excluded folder aside, naming the pair and the folder', async () => {
    await writeSettings(withPair({ excludedFolders: ['Photos', '../outside'] }));
    const result = await readSettings(folder, deps);
    expect(result.problem?.code).toBe(ErrorCode.Configuration);
    expect(result.problem?.message).toContain('pairs[0].excludedFolders[1] ("../outside")');
    expect(result.movedTo).not.toBeNull();
    expect(result.settings).toEqual(defaultSettings());
  });
});

describe('pairs that overlap', () => {
  const pair = (id: string, local: string): Record<string, unknown> => ({ id, localFolder: local, remoteFolder: id });
  const parse = (pairs: unknown[], caseInsensitivePaths = false): unknown => parseSettings({ version: 2, pairs }, { caseInsensitivePaths });

  it('refuses the same local folder twice, also written differently', () => {
    expect(() => parse([pair('a', localFolder), pair('b', localFolder)])).toThrow(/pairs\[1\]\.localFolder .* is the same folder as pairs\[0\]\.localFolder: two pairs syncing the same files/);
    expect(() => parse([pair('a', localFolder), pair('b', `${localFolder}${path.sep}`)])).toThrow('is the same folder as pairs[0].localFolder');
    expect(() => parse([pair('a', localFolder), pair('b', path.join(localFolder, 'x', '..'))])).toThrow('is the same folder');
  });

  it('refuses a local folder inside another pair’s folder, whichever comes first', () => {
    expect(() => parse([pair('a', localFolder), pair('b', path.join(localFolder, 'Work'))])).toThrow(
      `pairs[1].localFolder (${path.join(localFolder, 'Work')}) is inside pairs[0].localFolder (${localFolder})`,
    );
    expect(() => parse([pair('a', path.join(localFolder, 'Work')), pair('b', localFolder)])).toThrow(
      `pairs[1].localFolder (${localFolder}) holds pairs[0].localFolder`,
    );
  });

  it('accepts folders side by side, also when one name starts with the other', () => {
    expect(() => parse([pair('a', localFolder), pair('b', `${localFolder}-Old`), pair('c', photosFolder)])).not.toThrow();
    expect(() => parse([pair('a', localFolder), pair('b', path.join(path.dirname(localFolder), '..TeraCLOUD'))])).not.toThrow();
  });

  it('compares without case where the file system does', () => {
    const upper = path.join(path.dirname(localFolder), 'TERACLOUD');
    expect(() => parse([pair('a', localFolder), pair('b', upper)], true)).toThrow('is the same folder');
    expect(() => parse([pair('a', localFolder), pair('b', upper)], false)).not.toThrow();
  });

  it('moves a file with overlapping pairs aside with the reason', async () => {
    await writeSettings({ version: 2, pairs: [pair('a', localFolder), pair('b', path.join(localFolder, 'Work'))] });
    const result = await readSettings(folder, deps);
    expect(result.problem?.message).toContain('is inside pairs[0].localFolder');
    expect(result.movedTo).not.toBeNull();
  });
});

describe('resolveRemoteFolder', () => {
  it('puts a folder path under the account root, encoded', () => {
    expect(resolveRemoteFolder('Photos/2024 summer', 'https://seto.teracloud.jp/v2/dav/')).toBe('https://seto.teracloud.jp/v2/dav/Photos/2024%20summer/');
    expect(resolveRemoteFolder('', 'https://seto.teracloud.jp/dav')).toBe('https://seto.teracloud.jp/dav/');
    expect(resolveRemoteFolder('Sync', null)).toBeNull();
  });

  it('keeps a URL', () => {
    expect(resolveRemoteFolder('https://other.example/dav/x/', 'https://seto.teracloud.jp/dav/')).toBe('https://other.example/dav/x/');
    expect(resolveRemoteFolder('https://other.example/dav/x/', null)).toBe('https://other.example/dav/x/');
  });
});

describe('createAppOverviewReader', () => {
  const account = { user: 'alice', server: 'https://seto.teracloud.jp/dav/', method: 'basic' as const };

  it('gives the overview: the account from the caller, the pairs with their remote URLs, the settings file path', async () => {
    await writeSettings({ version: 2, pairs: [validPair, { id: 'b', localFolder: photosFolder, remoteFolder: 'https://other.example/dav/P/' }] });
    const overview = await createAppOverviewReader(folder, { ...deps, readAccount: () => Promise.resolve(account) })();
    expect(overview).toEqual({
      account,
      pairs: [
        { localFolder, remoteUrl: 'https://seto.teracloud.jp/dav/Sync/' },
        { localFolder: photosFolder, remoteUrl: 'https://other.example/dav/P/' },
      ],
      settingsFile: settingsFile(),
      settingsProblem: null,
    });
  });

  it('reads the account from account.json when the caller does not give one', async () => {
    await writeFile(
      path.join(folder, 'account.json'),
      JSON.stringify({ version: 1, userId: 'bob', origin: 'https://seto.teracloud.jp', node: 'seto', method: 'basic', basicSignIn: true, oauth: null, api: null }),
    );
    await writeSettings({ version: 2, pairs: [validPair] });
    const overview = await createAppOverviewReader(folder, deps)();
    expect(overview.account).toEqual({ user: 'bob', server: 'https://seto.teracloud.jp/dav/', method: 'basic' });
    expect(overview.pairs).toEqual([{ localFolder, remoteUrl: 'https://seto.teracloud.jp/dav/Sync/' }]);
  });

  it('shows a folder path as a path while nobody is signed in, and survives an account reader that fails', async () => {
    await writeSettings({ version: 2, pairs: [validPair] });
    const overview = await createAppOverviewReader(folder, { ...deps, readAccount: () => Promise.reject(new Error('keychain locked')) })();
    expect(overview.account).toEqual({ user: null, server: null, method: null });
    expect(overview.pairs).toEqual([{ localFolder, remoteUrl: '/Sync' }]);
  });

  it('keeps reporting a corrupt file after it was moved aside, until a usable file appears', async () => {
    const getOverview = createAppOverviewReader(folder, { ...deps, readAccount: () => Promise.resolve(account) });
    await writeSettings('{');
    const first = await getOverview();
    expect(first.settingsProblem?.code).toBe(ErrorCode.Configuration);

    const second = await getOverview();
    expect(second.settingsProblem).toEqual(first.settingsProblem);
    expect(second.pairs).toEqual([]);

    await writeSettings(validSettings);
    const third = await getOverview();
    expect(third.settingsProblem).toBeNull();
    expect(third.pairs).toEqual([{ localFolder, remoteUrl: 'https://seto.teracloud.jp/dav/Sync/' }]);
  });
});

describe('accountSummaryFromRecord', () => {
  it('gives the WebDAV root of the sign-in method', () => {
    const record = { userId: 'alice', origin: 'https://seto.teracloud.jp', node: 'seto', basicPreemptive: true, basicSignIn: false, oauth: null, api: null };
    expect(accountSummaryFromRecord({ ...record, method: 'oauth2' })).toEqual({ user: 'alice', server: 'https://seto.teracloud.jp/v2/dav/', method: 'oauth2' });
    expect(accountSummaryFromRecord({ ...record, method: 'basic' }).server).toBe('https://seto.teracloud.jp/dav/');
    expect(accountSummaryFromRecord(null)).toEqual({ user: null, server: null, method: null });
  });
});
