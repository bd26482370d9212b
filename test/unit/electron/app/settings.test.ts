import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  accountSummaryFromRecord,
  createAppOverviewReader,
  defaultSettings,
  nodeSettingsFileSystem,
  parseSettings,
  readSettings,
  resolveRemoteFolder,
  type SettingsDeps,
} from '../../../../electron/app/settings.js';
import { pairId } from '../../../../electron/platform/paths.js';
import { ErrorCode } from '../../../../shared/errors.js';

/** 2025-11-28T09:40:00.123Z */
const fixedNow = Date.UTC(2025, 10, 28, 9, 40, 0, 123);

let folder: string;
let deps: SettingsDeps;

beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'terasync-settings-'));
  deps = { fileSystem: nodeSettingsFileSystem, now: () => fixedNow };
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
};

const validSettings = {
  version: 2,
  pairs: [validPair],
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
      sync: { pollIntervalSeconds: 30, fullScanMinutes: 10 },
      backup: { sources: [], device: null, retentionDays: 30 },
      app: { startAtLogin: null, notifications: true, theme: 'system' },
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
    await writeSettings({ version: 2, colour: 'blue', pairs: [{ id: 'a', localFolder, remoteFolder: '', extra: 1 }], app: { fontSize: 3 } });
    const result = await readSettings(folder, deps);
    expect(result.problem).toBeNull();
    expect(result.settings).toEqual({
      ...defaultSettings(),
      pairs: [{ id: 'a', localFolder, remoteFolder: '', paused: false, bandwidth: { upKiBps: 0, downKiBps: 0 } }],
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
        },
      ],
    });
    expect(JSON.parse(await readFile(settingsFile(), 'utf8'))).toEqual(formatOne);
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

  const invalidPair = (fields: Record<string, unknown>): unknown => ({ version: 2, pairs: [{ ...validPair, ...fields }] });

  it.each([
    ['not JSON', '{ "version": 2, ', 'not valid JSON'],
    ['an empty file', '', 'not valid JSON'],
    ['a JSON array', [], 'it is not a JSON object'],
    ['no version', { pairs: [] }, '"version" is missing'],
    ['a version that is not a whole number', { version: 1.5 }, '"version" is missing or not a positive whole number'],
    ['pairs not an array', { version: 2, pairs: {} }, 'pairs must be an array'],
    ['a pair that is not an object', { version: 2, pairs: ['x'] }, 'pairs[0] must be an object'],
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
    ['sync not an object', { version: 2, sync: [] }, 'sync must be an object'],
    ['a poll interval below 5 s', { version: 2, sync: { pollIntervalSeconds: 4 } }, 'sync.pollIntervalSeconds must be a whole number from 5 to 86400'],
    ['a poll interval above a day', { version: 2, sync: { pollIntervalSeconds: 86_401 } }, 'sync.pollIntervalSeconds must be a whole number from 5 to 86400'],
    ['a poll interval as text', { version: 2, sync: { pollIntervalSeconds: '30' } }, 'sync.pollIntervalSeconds must be a whole number'],
    ['a full scan every 0 minutes', { version: 2, sync: { fullScanMinutes: 0 } }, 'sync.fullScanMinutes must be a whole number from 1 to'],
    ['backup sources not an array', { version: 2, backup: { sources: '/home' } }, 'backup.sources must be an array of absolute paths'],
    ['a relative backup source', { version: 2, backup: { sources: ['Documents'] } }, 'backup.sources[0] must be an absolute path'],
    [
      'two backup sources with the same folder name',
      { version: 2, backup: { sources: [path.resolve('/a/Documents'), path.resolve('/b/Documents')] } },
      'backup.sources[1]',
    ],
    ['an empty device name', { version: 2, backup: { device: ' ' } }, 'backup.device must be null or a name of 1 to 255 characters'],
    ['a device name that is a number', { version: 2, backup: { device: 7 } }, 'backup.device must be null or a name'],
    ['a negative retention', { version: 2, backup: { retentionDays: -1 } }, 'backup.retentionDays must be a whole number from 0 to'],
    ['startAtLogin as text', { version: 2, app: { startAtLogin: 'yes' } }, 'app.startAtLogin must be true, false or null'],
    ['notifications as a number', { version: 2, app: { notifications: 1 } }, 'app.notifications must be true or false'],
    ['an unknown theme', { version: 2, app: { theme: 'blue' } }, 'app.theme must be one of "system", "light", "dark"'],
    ['app not an object', { version: 2, app: 'dark' }, 'app must be an object'],
    ['two pairs with the same id', { version: 2, pairs: [validPair, { ...validPair, localFolder: photosFolder }] }, 'pairs[1].id "docs-1" is also the id of pairs[0]'],
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
    await writeSettings({ version: 3, pairs: 'a new shape' });
    const result = await readSettings(folder, deps);
    expect(result.problem?.code).toBe(ErrorCode.Configuration);
    expect(result.problem?.message).toContain('written by a newer TeraSync (format 3; this version reads format 2)');
    expect(result.problem?.message).toContain('left as it is');
    expect(result.settings).toEqual(defaultSettings());
    expect(result.movedTo).toBeNull();
    expect(await readdir(folder)).toEqual(['settings.json']);
    expect(await readFile(settingsFile(), 'utf8')).toBe(JSON.stringify({ version: 3, pairs: 'a new shape' }, null, 2));
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
