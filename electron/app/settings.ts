/**
 * settings.json in the app's data folder: which account and which folder pairs the app shows.
 * Plain Node, no electron: the caller passes the folder (app.getPath('userData') in the app, a
 * temporary folder in tests) and the file system and clock as deps.
 *
 * Format 1:
 *
 *   {
 *     "version": 1,
 *     "account": { "user": "alice", "server": "https://seto.teracloud.jp/dav/", "method": "basic" },
 *     "pairs": [{ "localFolder": "/home/alice/TeraCLOUD", "remoteUrl": "https://seto.teracloud.jp/dav/Sync/" }]
 *   }
 *
 * `account` and `pairs` may be left out; fields this version does not know are ignored, so a
 * later version can add some. Secrets never belong here (they live in the SecretStore): a field
 * named like one, or a URL with a password in it, makes the whole file refused.
 *
 * What happens with a file that cannot be used:
 *
 *   | the file                        | what we do                          | reported as   |
 *   | ------------------------------- | ----------------------------------- | ------------- |
 *   | missing                         | no account, no pairs                | nothing       |
 *   | unreadable (permissions, ...)   | left alone, not used                | LocalIo       |
 *   | holds a secret                  | left alone (moving it would only    | Configuration |
 *   |                                 | hide the secret), not used          |               |
 *   | written by a newer version      | left alone so that version keeps    | Configuration |
 *   |                                 | it, not used                        |               |
 *   | not JSON, or not format 1       | moved to settings.json.corrupt-<t>, | Configuration |
 *   |                                 | the app starts empty                |               |
 *   | corrupt and cannot be moved     | left alone, not used                | LocalIo       |
 *
 * None of these throws: the app must start whatever the file holds.
 */
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, type ErrorInfo } from '../../shared/errors.js';
import type { AccountSummary, AppOverview, AuthMethod, PairSummary } from '../../shared/types.js';

export const settingsFileName = 'settings.json';
export const settingsFormatVersion = 1;

export interface Settings {
  account: AccountSummary;
  pairs: PairSummary[];
}

export interface SettingsFileSystem {
  /** The file's text; rejects with an `ENOENT` code when it does not exist. */
  readFile(filePath: string): Promise<string>;
  rename(from: string, to: string): Promise<void>;
}

export const nodeSettingsFileSystem: SettingsFileSystem = {
  readFile: (filePath) => readFile(filePath, 'utf8'),
  rename: (from, to) => rename(from, to),
};

export interface SettingsDeps {
  fileSystem: SettingsFileSystem;
  /** Milliseconds since the epoch: names the file a corrupt settings.json is moved to. */
  now(): number;
}

export interface SettingsReadResult {
  settings: Settings;
  /** True when a usable settings.json was read. */
  found: boolean;
  /** Why the file was not used; null when it was, or when there is none. */
  problem: ErrorInfo | null;
  /** Where a corrupt file was moved; null when nothing was moved. */
  movedTo: string | null;
}

export function emptySettings(): Settings {
  return { account: { user: null, server: null, method: null }, pairs: [] };
}

export function settingsFilePath(folder: string): string {
  return path.join(folder, settingsFileName);
}

type RefusalKind = 'corrupt' | 'secret' | 'newer';

class SettingsRefusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    message: string,
  ) {
    super(message);
  }
}

/** Field names that hold secrets, compared without case, `-` or `_`, at the end of the name. */
const secretNamePattern = /(password|passwd|passphrase|secret|token|apikey|credential|credentials|privatekey|authorization|cookie)$/;

function looksLikeSecretName(name: string): boolean {
  return secretNamePattern.test(name.toLowerCase().replace(/[-_]/g, ''));
}

function hasPasswordInUrl(value: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(value)) return false;
  try {
    return new URL(value).password !== '';
  } catch {
    return false;
  }
}

/** Throws a 'secret' refusal naming the first field that looks like it holds a secret. */
function rejectSecrets(value: unknown, where: string): void {
  if (typeof value === 'string') {
    if (hasPasswordInUrl(value)) {
      throw new SettingsRefusal('secret', `${where} is a URL with a password in it`);
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => rejectSecrets(item, `${where}[${index}]`));
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const itemWhere = where === '' ? key : `${where}.${key}`;
      if (looksLikeSecretName(key)) throw new SettingsRefusal('secret', `it has a field "${itemWhere}"`);
      rejectSecrets(item, itemWhere);
    }
  }
}

function corrupt(message: string): SettingsRefusal {
  return new SettingsRefusal('corrupt', message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown, where: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim() === '') throw corrupt(`${where} must be a non-empty string`);
  return value;
}

function webUrl(value: unknown, where: string): string {
  if (typeof value !== 'string') throw corrupt(`${where} must be an http(s) URL`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw corrupt(`${where} must be an http(s) URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw corrupt(`${where} must be an http(s) URL`);
  return value;
}

const authMethods: readonly AuthMethod[] = ['basic', 'oauth2'];

function parseAccount(value: unknown): AccountSummary {
  if (value === undefined || value === null) return emptySettings().account;
  if (!isRecord(value)) throw corrupt('account must be an object');
  const method = value.method ?? null;
  if (method !== null && !authMethods.includes(method as AuthMethod)) {
    throw corrupt(`account.method must be one of ${authMethods.map((m) => `"${m}"`).join(', ')}`);
  }
  return {
    user: optionalString(value.user, 'account.user'),
    server: value.server === undefined || value.server === null ? null : webUrl(value.server, 'account.server'),
    method: method as AuthMethod | null,
  };
}

function parsePairs(value: unknown): PairSummary[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw corrupt('pairs must be an array');
  return value.map((pair: unknown, index) => {
    const where = `pairs[${index}]`;
    if (!isRecord(pair)) throw corrupt(`${where} must be an object`);
    const localFolder = pair.localFolder;
    if (typeof localFolder !== 'string' || !path.isAbsolute(localFolder)) {
      throw corrupt(`${where}.localFolder must be an absolute path`);
    }
    return { localFolder, remoteUrl: webUrl(pair.remoteUrl, `${where}.remoteUrl`) };
  });
}

/** Checks parsed JSON against format 1. Throws a SettingsRefusal saying what is wrong. */
export function parseSettings(json: unknown): Settings {
  rejectSecrets(json, '');
  if (!isRecord(json)) throw corrupt('it is not a JSON object');
  const version = json.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw corrupt('"version" is missing or not a positive whole number');
  }
  if (version > settingsFormatVersion) {
    throw new SettingsRefusal('newer', `it was written by a newer TeraSync (format ${version}; this version reads format ${settingsFormatVersion})`);
  }
  return { account: parseAccount(json.account), pairs: parsePairs(json.pairs) };
}

function errorCodeOf(error: unknown): unknown {
  return isRecord(error) ? error.code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `2025-11-28T09-40-00-000Z`: sorts by time and is a valid file name on Windows too. */
function fileTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[:.]/g, '-');
}

function unused(problem: ErrorInfo, movedTo: string | null = null): SettingsReadResult {
  return { settings: emptySettings(), found: false, problem, movedTo };
}

/** Reads `<folder>/settings.json`. Never throws: see the table at the top of this file. */
export async function readSettings(folder: string, deps: SettingsDeps): Promise<SettingsReadResult> {
  const file = settingsFilePath(folder);
  let text: string;
  try {
    text = await deps.fileSystem.readFile(file);
  } catch (error) {
    if (errorCodeOf(error) === 'ENOENT') return { settings: emptySettings(), found: false, problem: null, movedTo: null };
    return unused({ code: ErrorCode.LocalIo, message: `The settings file ${file} could not be read: ${messageOf(error)}` });
  }

  try {
    return { settings: parseSettings(JSON.parse(text) as unknown), found: true, problem: null, movedTo: null };
  } catch (error) {
    const refusal = error instanceof SettingsRefusal ? error : corrupt(`it is not valid JSON (${messageOf(error)})`);
    switch (refusal.kind) {
      case 'secret':
        return unused({
          code: ErrorCode.Configuration,
          message:
            `The settings file ${file} was not used because ${refusal.message}, which looks like a secret. ` +
            'TeraSync keeps passwords and tokens in the system keychain, never in settings: remove it from the file.',
        });
      case 'newer':
        return unused({
          code: ErrorCode.Configuration,
          message: `The settings file ${file} was not used because ${refusal.message}. It was left as it is.`,
        });
      case 'corrupt':
        return moveAside(file, refusal.message, deps);
    }
  }
}

async function moveAside(file: string, reason: string, deps: SettingsDeps): Promise<SettingsReadResult> {
  const movedTo = `${file}.corrupt-${fileTimestamp(deps.now())}`;
  try {
    await deps.fileSystem.rename(file, movedTo);
  } catch (error) {
    return unused({
      code: ErrorCode.LocalIo,
      message: `The settings file ${file} is damaged (${reason}) and could not be moved aside: ${messageOf(error)}`,
    });
  }
  return unused(
    {
      code: ErrorCode.Configuration,
      message: `The settings file ${file} was damaged (${reason}). It was moved to ${movedTo} and TeraSync started with empty settings.`,
    },
    movedTo,
  );
}

/**
 * The overview the window shows, read afresh on each call so edits to settings.json show up.
 * A problem stays reported for the rest of the session, even though a corrupt file is gone
 * from its place after the first read, until a usable settings.json appears.
 */
export function createAppOverviewReader(folder: string, deps: SettingsDeps): () => Promise<AppOverview> {
  let problem: ErrorInfo | null = null;
  return async () => {
    const result = await readSettings(folder, deps);
    if (result.problem !== null) problem = result.problem;
    else if (result.found) problem = null;
    return {
      account: result.settings.account,
      pairs: result.settings.pairs,
      settingsFile: settingsFilePath(folder),
      settingsProblem: problem,
    };
  };
}
