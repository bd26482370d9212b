import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createAppOverviewReader,
  nodeSettingsFileSystem,
  readSettings,
  type SettingsDeps,
} from '../../../../electron/app/settings.js';
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

async function writeSettings(value: unknown): Promise<void> {
  await writeFile(settingsFile(), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

const validSettings = {
  version: 1,
  account: { user: 'alice', server: 'https://seto.teracloud.jp/dav/', method: 'basic' },
  pairs: [{ localFolder, remoteUrl: 'https://seto.teracloud.jp/dav/Sync/' }],
};

describe('readSettings', () => {
  it('gives no account and no pairs when there is no settings file', async () => {
    const result = await readSettings(folder, deps);
    expect(result).toEqual({
      settings: { account: { user: null, server: null, method: null }, pairs: [] },
      found: false,
      problem: null,
      movedTo: null,
    });
  });

  it('reads a valid file', async () => {
    await writeSettings(validSettings);
    const result = await readSettings(folder, deps);
    expect(result.problem).toBeNull();
    expect(result.found).toBe(true);
    expect(result.settings).toEqual({ account: validSettings.account, pairs: validSettings.pairs });
  });

  it('reads a file with only a version, and ignores fields it does not know', async () => {
    await writeSettings({ version: 1, theme: 'dark' });
    const result = await readSettings(folder, deps);
    expect(result.problem).toBeNull();
    expect(result.settings).toEqual({ account: { user: null, server: null, method: null }, pairs: [] });
  });

  it.each([
    ['not JSON', '{ "version": 1, ', 'not valid JSON'],
    ['an empty file', '', 'not valid JSON'],
    ['a JSON array', [], 'it is not a JSON object'],
    ['no version', { pairs: [] }, '"version" is missing'],
    ['a relative local folder', { version: 1, pairs: [{ localFolder: 'docs', remoteUrl: 'https://a.example/dav/' }] }, 'pairs[0].localFolder must be an absolute path'],
    ['a remote URL that is not http(s)', { version: 1, pairs: [{ localFolder, remoteUrl: 'ftp://a.example/' }] }, 'pairs[0].remoteUrl must be an http(s) URL'],
    ['an unknown sign-in method', { version: 1, account: { user: 'a', method: 'digest' } }, 'account.method must be one of'],
  ])('moves a corrupt file (%s) aside and reports it', async (_name, content, reason) => {
    await writeSettings(content);
    const result = await readSettings(folder, deps);

    const movedTo = `${settingsFile()}.corrupt-2025-11-28T09-40-00-123Z`;
    expect(result.movedTo).toBe(movedTo);
    expect(result.found).toBe(false);
    expect(result.settings).toEqual({ account: { user: null, server: null, method: null }, pairs: [] });
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
    await writeSettings({ version: 2, pairs: 'a new shape' });
    const result = await readSettings(folder, deps);
    expect(result.problem?.code).toBe(ErrorCode.Configuration);
    expect(result.problem?.message).toContain('written by a newer TeraSync (format 2');
    expect(result.movedTo).toBeNull();
    expect(await readdir(folder)).toEqual(['settings.json']);
  });

  it.each([
    ['account.password', { ...validSettings, account: { ...validSettings.account, password: 'hunter2' } }],
    ['account.appsPassword', { ...validSettings, account: { ...validSettings.account, appsPassword: 'x' } }],
    ['account.accessToken', { ...validSettings, account: { ...validSettings.account, accessToken: 'x' } }],
    ['refresh_token', { ...validSettings, refresh_token: 'x' }],
    ['pairs[0].api-key', { ...validSettings, pairs: [{ ...validSettings.pairs[0], 'api-key': 'x' }] }],
    ['clientSecret', { ...validSettings, clientSecret: 'x' }],
    ['credentials', { version: 1, credentials: { user: 'a' } }],
  ])('refuses a file with a secret-looking field (%s), keeps it in place, and says so', async (field, content) => {
    await writeSettings(content);
    const result = await readSettings(folder, deps);
    expect(result.problem?.code).toBe(ErrorCode.Configuration);
    expect(result.problem?.message).toContain(`"${field}"`);
    expect(result.problem?.message).toContain('looks like a secret');
    expect(result.settings.account.user).toBeNull();
    expect(result.settings.pairs).toEqual([]);
    expect(result.movedTo).toBeNull();
    expect(await readdir(folder)).toEqual(['settings.json']);
  });

  it('refuses a URL with a password in it', async () => {
    await writeSettings({ ...validSettings, pairs: [{ localFolder, remoteUrl: 'https://alice:hunter2@seto.teracloud.jp/dav/' }] });
    const result = await readSettings(folder, deps);
    expect(result.problem?.message).toContain('pairs[0].remoteUrl is a URL with a password in it');
    expect(result.problem?.message).not.toContain('hunter2');
    expect(result.settings.pairs).toEqual([]);
  });

  it('accepts names that only contain a secret word elsewhere (tokenUrl) and a user name in a URL', async () => {
    await writeSettings({ ...validSettings, oauth: { tokenUrl: 'https://auth.example/token' }, pairs: [{ localFolder, remoteUrl: 'https://alice@seto.teracloud.jp/dav/' }] });
    const result = await readSettings(folder, deps);
    expect(result.problem).toBeNull();
  });
});

describe('createAppOverviewReader', () => {
  it('gives the overview with the settings file path', async () => {
    await writeSettings(validSettings);
    const overview = await createAppOverviewReader(folder, deps)();
    expect(overview).toEqual({
      account: validSettings.account,
      pairs: validSettings.pairs,
      settingsFile: settingsFile(),
      settingsProblem: null,
    });
  });

  it('keeps reporting a corrupt file after it was moved aside, until a usable file appears', async () => {
    const getOverview = createAppOverviewReader(folder, deps);
    await writeSettings('{');
    const first = await getOverview();
    expect(first.settingsProblem?.code).toBe(ErrorCode.Configuration);

    const second = await getOverview();
    expect(second.settingsProblem).toEqual(first.settingsProblem);
    expect(second.pairs).toEqual([]);

    await writeSettings(validSettings);
    const third = await getOverview();
    expect(third.settingsProblem).toBeNull();
    expect(third.pairs).toEqual(validSettings.pairs);
  });
});
