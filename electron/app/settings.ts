/**
 * settings.json in the app's data folder: the sync pairs, how often to sync, what to back up,
 * and how the app behaves. Plain Node, no electron: the caller passes the folder
 * (app.getPath('userData') in the app, a temporary folder in tests) and the file system and
 * clock as deps. SettingsStore.ts writes it; this file reads and checks it.
 *
 * Format 4:
 *
 *   {
 *     "version": 4,
 *     "pairs": [{
 *       "id": "3f2a9c0d1e4b5a67",                   // letters, digits, - and _; names the pair's journal
 *       "localFolder": "/home/alice/TeraCLOUD",     // absolute
 *       "remoteFolder": "Sync",                     // below the account root ("" is the root), or a full http(s) URL
 *       "paused": false,
 *       "bandwidth": { "upKiBps": 0, "downKiBps": 0 },  // 0: no limit
 *       "excludedFolders": ["Videos", "Photos/raw"]     // selective sync: folders below remoteFolder left alone
 *     }],
 *     "sync": {
 *       "pollIntervalSeconds": 30, "fullScanMinutes": 10,
 *       "ignorePatterns": ["*.tmp", "node_modules/"],  // gitignore lines, for every pair
 *       "parallelTransfers": 4,                        // 1 to 16 at a time
 *       "failSafePercent": 50,       // a run deleting more than this share of the synced files (and 10+) stops first: 1 to 99
 *       "deletedRetentionDays": 30   // days the server-side trash (.terasync-trash) keeps deleted files: 1 to 365
 *     },
 *     "backup": { "sources": ["/home/alice/Documents"], "device": null, "retentionDays": 30,
 *                 "schedule": "manual" },                // "manual" | "hourly" | "daily" | "login"
 *     "app": { "startAtLogin": null, "notifications": true, "theme": "system", "language": "system" },  // language: "system" | "en" | "ja"
 *     "update": { "enabled": true, "channel": "stable" },  // the app's own updates; channel: "stable" | "beta"
 *     "proxy": { "mode": "system", "host": "", "port": 8080 }  // mode: "system" | "none" | "http" | "socks5";
 *                                                             // "user": "alice" when the proxy asks for one
 *   }
 *
 * The proxy: "system" follows the computer's proxy configuration, "none" goes direct, "http"
 * and "socks5" use the proxy at host:port (host required then; port 1 to 65535 always). The
 * proxy's password is a secret: it lives in the SecretStore (`proxySecretKey`), never here.
 *
 * An excluded folder is a '/'-separated path below the pair's remote folder, with no leading or
 * trailing '/', no '.' or '..' and no backslash or control character, each listed once; an
 * ignore pattern is one line that is not blank. Both lists and their items have the bounds of
 * the window's requests (shared/ipc/schemas.ts): whatever the window may send the file can
 * hold, and whatever the file holds the window can show.
 *
 * Every section and every field with a default may be left out; fields this version does not
 * know are ignored (and not written back), so a later version can add some. Two pairs whose
 * local folders are the same or one inside the other make the file invalid: both would sync
 * the same files and undo each other's changes. Older formats are carried forward by the chain
 * in migrations.ts; the account, which format 1 kept here, lives in account.json now.
 *
 * Secrets never belong here (they live in the SecretStore): a field named like one, or a URL
 * with a password in it, makes the whole file refused.
 *
 * What happens with a file that cannot be used:
 *
 *   | the file                        | what we do                          | reported as   |
 *   | ------------------------------- | ----------------------------------- | ------------- |
 *   | missing                         | default settings, no pairs          | nothing       |
 *   | unreadable (permissions, ...)   | left alone, not used                | LocalIo       |
 *   | holds a secret                  | left alone (moving it would only    | Configuration |
 *   |                                 | hide the secret), not used          |               |
 *   | written by a newer version      | left alone so that version keeps    | Configuration |
 *   |                                 | it, not used                        |               |
 *   | not JSON, or not a format we    | moved to settings.json.corrupt-<t>, | Configuration |
 *   | know (after migration)          | the app starts with defaults        |               |
 *   | corrupt and cannot be moved     | left alone, not used                | LocalIo       |
 *
 * None of these throws: the app must start whatever the file holds. An older format is read
 * through the migrations and left as it is on disk until the next save writes format 4.
 */
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, type ErrorInfo } from '../../shared/errors.js';
import { controlCharacters, isUrlLike } from '../../shared/pathRules.js';
import { settingsLimits } from '../../shared/limits.js';
import { isProxyHost, proxyLimits, proxyModes, type AccountSummary, type AppOverview, type Language, type PairSummary, type ProxyMode, type Theme, type UpdateChannel } from '../../shared/types.js';
import { AccountFile, type AccountRecord } from '../auth/AccountRecord.js';
import { backupSchedules, type BackupSchedule } from './BackupScheduler.js';
import { MigrationError, migrateSettingsJson, type MigratedJson } from './migrations.js';

export const settingsFileName = 'settings.json';
export const settingsFormatVersion = 4;

/** As the file keeps them (the Throttle and the IPC view call them uploadKiBps / downloadKiBps). */
export interface BandwidthSettings {
  /** Upload limit in KiB/s; 0: no limit. */
  upKiBps: number;
  /** Download limit in KiB/s; 0: no limit. */
  downKiBps: number;
}

/** One local folder kept in sync with one remote folder, with its own journal and engine. */
export interface PairSettings {
  id: string;
  localFolder: string;
  /** A folder path below the account root ('Sync', 'Photos/2024', '' for the root), or an http(s) URL. */
  remoteFolder: string;
  paused: boolean;
  bandwidth: BandwidthSettings;
  /**
   * Selective sync: folders below `remoteFolder` ('/'-separated, e.g. 'Photos/raw') that are not
   * synced; what is in them is left as it is on both sides.
   */
  excludedFolders: string[];
}

export interface SyncSettings {
  /** How often the remote side is asked for changes. */
  pollIntervalSeconds: number;
  /** How often the local folders are scanned in full, besides the watcher. */
  fullScanMinutes: number;
  /** Lines in gitignore syntax: what matches is not synced, in any pair. */
  ignorePatterns: string[];
  /** How many transfers run at the same time, per pair and for the backup. */
  parallelTransfers: number;
  /** The mass-delete fail-safe: a run deleting more than this percent of the synced files stops. */
  failSafePercent: number;
  /** How many days files deleted on the server stay in the pair's trash (.terasync-trash). */
  deletedRetentionDays: number;
}

export interface BackupSettings {
  /** Absolute paths of the folders to back up. */
  sources: string[];
  /** The device folder's name in the backup area; null: the computer's name. */
  device: string | null;
  /** How long replaced and deleted copies are kept; 0 keeps them all. */
  retentionDays: number;
  /** When the app backs up by itself (electron/app/BackupScheduler.ts); 'manual': only when asked. */
  schedule: BackupSchedule;
}

export interface AppSettings {
  /** null: not decided yet; the app turns it on after the first successful sign-in. */
  startAtLogin: boolean | null;
  notifications: boolean;
  theme: Theme;
  /** 'system': the language of the operating system. */
  language: Language;
}

/** Updates of the app itself (electron/app/UpdateController.ts). */
export interface UpdateSettings {
  /** false: the update feed is never asked. */
  enabled: boolean;
  /** 'beta': pre-releases too. */
  channel: UpdateChannel;
}

/** How the app's requests go out (electron/app/proxySettings.ts turns it into the process's ProxySetting). */
export interface ProxySettings {
  mode: ProxyMode;
  /** Host name or IP address of the proxy; '' when none was typed (only 'http' and 'socks5' need one). */
  host: string;
  /** 1 to 65535; kept for 'system' and 'none' too, so that switching back finds what was typed. */
  port: number;
  /** The proxy's user name; null: the proxy asks for none. Its password is in the SecretStore. */
  user: string | null;
}

export interface Settings {
  pairs: PairSettings[];
  sync: SyncSettings;
  backup: BackupSettings;
  app: AppSettings;
  update: UpdateSettings;
  proxy: ProxySettings;
}

export { settingsLimits } from '../../shared/limits.js';

export function defaultSettings(): Settings {
  return {
    pairs: [],
    sync: { pollIntervalSeconds: 30, fullScanMinutes: 10, ignorePatterns: [], parallelTransfers: 4, failSafePercent: 50, deletedRetentionDays: 30 },
    backup: { sources: [], device: null, retentionDays: 30, schedule: 'manual' },
    app: { startAtLogin: null, notifications: true, theme: 'system', language: 'system' },
    update: { enabled: true, channel: 'stable' },
    proxy: { mode: 'system', host: '', port: 8080, user: null },
  };
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

export interface SettingsCheckOptions {
  /**
   * Compare local folders without regard to case (two pairs on `~/Docs` and `~/docs` are the
   * same folder on Windows and macOS). Default: true on win32 and darwin.
   */
  caseInsensitivePaths?: boolean;
}

export interface SettingsReadResult {
  settings: Settings;
  /** True when a usable settings.json was read. */
  found: boolean;
  /** Why the file was not used; null when it was, or when there is none. */
  problem: ErrorInfo | null;
  /** Where a corrupt file was moved; null when nothing was moved. */
  movedTo: string | null;
  /** The older format the file was read from (it stays so on disk until the next save); null when current or none. */
  migratedFrom: number | null;
  /** What the migration did beyond the shape, for the user (e.g. the account dropped). */
  notes: string[];
}

export function settingsFilePath(folder: string): string {
  return path.join(folder, settingsFileName);
}

type RefusalKind = 'corrupt' | 'secret' | 'newer';

export class SettingsRefusal extends Error {
  override readonly name = 'SettingsRefusal';

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
export function rejectSecrets(value: unknown, where = ''): void {
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

/** A section that may be left out; present, it must be an object. */
function section(value: unknown, where: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw corrupt(`${where} must be an object`);
  return value;
}

function wholeNumber(value: unknown, where: string, fallback: number, range: { min: number; max: number }): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw corrupt(`${where} must be a whole number from ${range.min} to ${range.max}`);
  }
  return value;
}

function flag(value: unknown, where: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw corrupt(`${where} must be true or false`);
  return value;
}

function absolutePath(value: unknown, where: string): string {
  if (typeof value !== 'string' || !path.isAbsolute(value)) throw corrupt(`${where} must be an absolute path`);
  return value;
}

const pairIdPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function parsePairId(value: unknown, where: string): string {
  if (typeof value !== 'string' || !pairIdPattern.test(value)) {
    throw corrupt(`${where} must be 1 to 64 letters, digits, "-" or "_", starting with a letter or digit`);
  }
  return value;
}

/** `remoteFolder`: a folder path made canonical (no leading or trailing `/`), or an http(s) URL as given. */
function parseRemoteFolder(value: unknown, where: string): string {
  const expected = `${where} must be a folder path below the account root (such as "Sync" or "Photos/2024") or an http(s) URL`;
  if (typeof value !== 'string') throw corrupt(expected);
  if (isUrlLike(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw corrupt(expected);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw corrupt(expected);
    return value;
  }
  const folder = value.replace(/^\/+|\/+$/g, '');
  if (folder === '') return '';
  for (const name of folder.split('/')) {
    // eslint-disable-next-line no-control-regex
    if (name === '' || name === '.' || name === '..' || /[\\\u0000-\u001f]/.test(name)) {
      throw corrupt(`${where} has a folder name TeraSync cannot use ("${name}"): ${expected.slice(where.length + 1)}`);
    }
  }
  return folder;
}

function parseBandwidth(value: unknown, where: string): BandwidthSettings {
  const record = section(value, where);
  return {
    upKiBps: wholeNumber(record['upKiBps'], `${where}.upKiBps`, 0, settingsLimits.bandwidthKiBps),
    downKiBps: wholeNumber(record['downKiBps'], `${where}.downKiBps`, 0, settingsLimits.bandwidthKiBps),
  };
}

/** A list that may be left out (default []); present, an array of at most `max` items. */
function list(value: unknown, where: string, max: number, what: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw corrupt(`${where} must be an array of ${what}`);
  if (value.length > max) throw corrupt(`${where} has ${value.length} items; at most ${max} are allowed`);
  return value;
}

/** Selective sync: the same rules as the window's requests (readExcludedFolders in shared/ipc/schemas.ts). */
function parseExcludedFolders(value: unknown, where: string): string[] {
  const expected = "a folder path below the pair's remote folder, such as \"Photos/raw\" (no leading or trailing \"/\", no \".\" or \"..\", no backslash or control character)";
  const folders = list(value, where, settingsLimits.excludedFolderCount, 'folder paths').map((item: unknown, index) => {
    const itemWhere = `${where}[${index}]`;
    if (typeof item !== 'string' || item === '') throw corrupt(`${itemWhere} must be ${expected}`);
    if (item.length > settingsLimits.excludedFolderLength) {
      throw corrupt(`${itemWhere} is longer than ${settingsLimits.excludedFolderLength} characters`);
    }
    const valid = !controlCharacters.test(item) && !item.includes('\\') && item.split('/').every((name) => name !== '' && name !== '.' && name !== '..');
    if (!valid) throw corrupt(`${itemWhere} ("${item}") must be ${expected}`);
    return item;
  });
  const seen = new Map<string, number>();
  folders.forEach((folder, index) => {
    const other = seen.get(folder);
    if (other !== undefined) throw corrupt(`${where}[${index}] ("${folder}") is also ${where}[${other}]: list each folder once`);
    seen.set(folder, index);
  });
  return folders;
}

/** The same rules as the window's requests (readIgnorePattern in shared/ipc/schemas.ts). */
function parseIgnorePatterns(value: unknown): string[] {
  const where = 'sync.ignorePatterns';
  return list(value, where, settingsLimits.ignorePatternCount, 'patterns').map((item: unknown, index) => {
    const itemWhere = `${where}[${index}]`;
    if (typeof item !== 'string') throw corrupt(`${itemWhere} must be a pattern (one line of gitignore syntax)`);
    if (item.length > settingsLimits.ignorePatternLength) throw corrupt(`${itemWhere} is longer than ${settingsLimits.ignorePatternLength} characters`);
    // A line break would make one entry two patterns; a tab or other control character is a
    // paste accident far more often than part of a file name.
    if (controlCharacters.test(item)) throw corrupt(`${itemWhere} must be one line without control characters`);
    if (item.trim() === '') throw corrupt(`${itemWhere} is blank: a pattern needs at least one character that is not a space`);
    return item;
  });
}

function parsePairs(value: unknown): PairSettings[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw corrupt('pairs must be an array');
  return value.map((pair: unknown, index) => {
    const where = `pairs[${index}]`;
    if (!isRecord(pair)) throw corrupt(`${where} must be an object`);
    return {
      id: parsePairId(pair['id'], `${where}.id`),
      localFolder: absolutePath(pair['localFolder'], `${where}.localFolder`),
      remoteFolder: parseRemoteFolder(pair['remoteFolder'], `${where}.remoteFolder`),
      paused: flag(pair['paused'], `${where}.paused`, false),
      bandwidth: parseBandwidth(pair['bandwidth'], `${where}.bandwidth`),
      excludedFolders: parseExcludedFolders(pair['excludedFolders'], `${where}.excludedFolders`),
    };
  });
}

function parseSync(value: unknown): SyncSettings {
  const record = section(value, 'sync');
  const defaults = defaultSettings().sync;
  return {
    pollIntervalSeconds: wholeNumber(record['pollIntervalSeconds'], 'sync.pollIntervalSeconds', defaults.pollIntervalSeconds, settingsLimits.pollIntervalSeconds),
    fullScanMinutes: wholeNumber(record['fullScanMinutes'], 'sync.fullScanMinutes', defaults.fullScanMinutes, settingsLimits.fullScanMinutes),
    ignorePatterns: parseIgnorePatterns(record['ignorePatterns']),
    parallelTransfers: wholeNumber(record['parallelTransfers'], 'sync.parallelTransfers', defaults.parallelTransfers, settingsLimits.parallelTransfers),
    failSafePercent: wholeNumber(record['failSafePercent'], 'sync.failSafePercent', defaults.failSafePercent, settingsLimits.failSafePercent),
    deletedRetentionDays: wholeNumber(record['deletedRetentionDays'], 'sync.deletedRetentionDays', defaults.deletedRetentionDays, settingsLimits.deletedRetentionDays),
  };
}

function parseDevice(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim() === '' || value.length > settingsLimits.deviceLength) {
    throw corrupt(`backup.device must be null or a name of 1 to ${settingsLimits.deviceLength} characters`);
  }
  return value;
}

function parseBackup(value: unknown, options: SettingsCheckOptions): BackupSettings {
  const record = section(value, 'backup');
  const defaults = defaultSettings().backup;
  const rawSources = record['sources'] ?? [];
  if (!Array.isArray(rawSources)) throw corrupt('backup.sources must be an array of absolute paths');
  const sources = rawSources.map((source: unknown, index) => absolutePath(source, `backup.sources[${index}]`));
  // The backup area names a source after its folder: two with the same name would overwrite
  // each other's copies (the engine refuses such a run; saying so here is earlier).
  const names = new Map<string, number>();
  sources.forEach((source, index) => {
    const name = foldCase(path.basename(path.resolve(source)), options);
    const other = names.get(name);
    if (other !== undefined) {
      throw corrupt(`backup.sources[${index}] (${source}) has the same folder name as backup.sources[${other}]: both would be backed up as "${path.basename(path.resolve(source))}"`);
    }
    names.set(name, index);
  });
  return {
    sources,
    device: parseDevice(record['device']),
    retentionDays: wholeNumber(record['retentionDays'], 'backup.retentionDays', defaults.retentionDays, settingsLimits.retentionDays),
    schedule: oneOf(record['schedule'], 'backup.schedule', backupSchedules, defaults.schedule),
  };
}

const themes: readonly Theme[] = ['system', 'light', 'dark'];
const languages: readonly Language[] = ['system', 'en', 'ja'];

/** One of `allowed`; left out (or null, as format 2 read it for the theme): `fallback`. */
function oneOf<T extends string>(value: unknown, where: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === null) return fallback;
  if (!(allowed as readonly unknown[]).includes(value)) throw corrupt(`${where} must be one of ${allowed.map((name) => `"${name}"`).join(', ')}`);
  return value as T;
}

function parseApp(value: unknown): AppSettings {
  const record = section(value, 'app');
  const defaults = defaultSettings().app;
  const startAtLogin = record['startAtLogin'] ?? null;
  if (startAtLogin !== null && typeof startAtLogin !== 'boolean') throw corrupt('app.startAtLogin must be true, false or null');
  return {
    startAtLogin,
    notifications: flag(record['notifications'], 'app.notifications', defaults.notifications),
    theme: oneOf(record['theme'], 'app.theme', themes, defaults.theme),
    language: oneOf(record['language'], 'app.language', languages, defaults.language),
  };
}

const updateChannels: readonly UpdateChannel[] = ['stable', 'beta'];

function parseUpdate(value: unknown): UpdateSettings {
  const record = section(value, 'update');
  const defaults = defaultSettings().update;
  return {
    enabled: flag(record['enabled'], 'update.enabled', defaults.enabled),
    channel: oneOf(record['channel'], 'update.channel', updateChannels, defaults.channel),
  };
}

/**
 * Why `host` cannot name a proxy, or null when it can. Shared with the window's requests
 * (shared/ipc/schemas.ts has the same rule) so that both refuse the same text.
 */
export function proxyHostProblem(host: string): string | null {
  if (host.length > proxyLimits.hostLength) return `at most ${proxyLimits.hostLength} characters`;
  if (!isProxyHost(host)) return 'a host name or IP address only (no scheme such as http://, no port, no user, no spaces)';
  return null;
}

function parseProxy(value: unknown): ProxySettings {
  const record = section(value, 'proxy');
  const defaults = defaultSettings().proxy;
  const mode = oneOf(record['mode'], 'proxy.mode', proxyModes, defaults.mode);
  const rawHost = record['host'] ?? '';
  if (typeof rawHost !== 'string') throw corrupt('proxy.host must be a host name or IP address');
  const host = rawHost.trim().replace(/^\[(.*)\]$/, '$1');
  if (host === '' && (mode === 'http' || mode === 'socks5')) {
    throw corrupt(`proxy.host must name the proxy (a host name or IP address) when proxy.mode is "${mode}"`);
  }
  if (host !== '') {
    const problem = proxyHostProblem(host);
    if (problem !== null) throw corrupt(`proxy.host must be ${problem}`);
  }
  const port = wholeNumber(record['port'], 'proxy.port', defaults.port, proxyLimits.port);
  const rawUser = record['user'] ?? null;
  if (rawUser !== null && typeof rawUser !== 'string') throw corrupt('proxy.user must be a user name or null');
  let user: string | null = null;
  if (rawUser !== null && rawUser !== '') {
    if (rawUser.length > proxyLimits.userLength || controlCharacters.test(rawUser)) {
      throw corrupt(`proxy.user must be a user name of at most ${proxyLimits.userLength} characters, on one line`);
    }
    user = rawUser;
  }
  return { mode, host, port, user };
}

/**
 * The proxy section checked as settings.json's would be; throws a SettingsRefusal ('corrupt')
 * whose message names the field (for "Test connection", which checks without saving).
 */
export function checkProxySettings(value: unknown): ProxySettings {
  return parseProxy(value);
}

function caseInsensitive(options: SettingsCheckOptions): boolean {
  return options.caseInsensitivePaths ?? (process.platform === 'win32' || process.platform === 'darwin');
}

function foldCase(text: string, options: SettingsCheckOptions): string {
  const normalized = text.normalize('NFC');
  return caseInsensitive(options) ? normalized.toLowerCase() : normalized;
}

/** True when `inner` is `outer` or a folder below it (both resolved and case-folded alike). */
function isSameOrInside(inner: string, outer: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/**
 * Throws when two pairs share an id, or their local folders are the same or one inside the
 * other. Symbolic links are not followed: that needs the disk, and the engine checks it there.
 */
export function checkPairsApart(pairs: readonly PairSettings[], options: SettingsCheckOptions = {}): void {
  const seen: { index: number; key: string }[] = [];
  const ids = new Map<string, number>();
  pairs.forEach((pair, index) => {
    const otherId = ids.get(pair.id);
    if (otherId !== undefined) throw corrupt(`pairs[${index}].id "${pair.id}" is also the id of pairs[${otherId}]`);
    ids.set(pair.id, index);
    const key = foldCase(path.resolve(pair.localFolder), options);
    for (const other of seen) {
      const otherFolder = pairs[other.index]?.localFolder ?? '';
      const risk = 'two pairs syncing the same files would undo each other’s changes';
      if (key === other.key) {
        throw corrupt(`pairs[${index}].localFolder (${pair.localFolder}) is the same folder as pairs[${other.index}].localFolder: ${risk}`);
      }
      if (isSameOrInside(key, other.key)) {
        throw corrupt(`pairs[${index}].localFolder (${pair.localFolder}) is inside pairs[${other.index}].localFolder (${otherFolder}): ${risk}`);
      }
      if (isSameOrInside(other.key, key)) {
        throw corrupt(`pairs[${index}].localFolder (${pair.localFolder}) holds pairs[${other.index}].localFolder (${otherFolder}): ${risk}`);
      }
    }
    seen.push({ index, key });
  });
}

/** Checks format-4 JSON (secrets already refused). Throws a 'corrupt' SettingsRefusal saying what is wrong. */
function parseCurrentFormat(json: Record<string, unknown>, options: SettingsCheckOptions): Settings {
  const settings: Settings = {
    pairs: parsePairs(json['pairs']),
    sync: parseSync(json['sync']),
    backup: parseBackup(json['backup'], options),
    app: parseApp(json['app']),
    update: parseUpdate(json['update']),
    proxy: parseProxy(json['proxy']),
  };
  checkPairsApart(settings.pairs, options);
  return settings;
}

export interface DecodedSettings {
  settings: Settings;
  migratedFrom: number | null;
  notes: string[];
}

/**
 * Checks parsed JSON of any format up to the current one, migrating older ones. Throws a
 * SettingsRefusal saying what is wrong.
 */
export function decodeSettings(json: unknown, options: SettingsCheckOptions = {}): DecodedSettings {
  rejectSecrets(json);
  if (!isRecord(json)) throw corrupt('it is not a JSON object');
  const version = json['version'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw corrupt('"version" is missing or not a positive whole number');
  }
  if (version > settingsFormatVersion) {
    throw new SettingsRefusal('newer', `it was written by a newer TeraSync (format ${version}; this version reads format ${settingsFormatVersion})`);
  }
  let migrated: MigratedJson;
  try {
    migrated = migrateSettingsJson(json, settingsFormatVersion);
  } catch (error) {
    if (error instanceof MigrationError) throw corrupt(`${error.message} (format ${version})`);
    throw error;
  }
  return {
    settings: parseCurrentFormat(migrated.json, options),
    migratedFrom: migrated.from === settingsFormatVersion ? null : migrated.from,
    notes: migrated.notes,
  };
}

/** Checks parsed JSON (any known format) and gives the settings. Throws a SettingsRefusal. */
export function parseSettings(json: unknown, options: SettingsCheckOptions = {}): Settings {
  return decodeSettings(json, options).settings;
}

/** The file's text for `settings` (checked, current format). */
export function serializeSettings(settings: Settings): string {
  const { pairs, sync, backup, app, update } = settings;
  // The user is written only when there is one, as the format above shows.
  const { user, ...proxy } = settings.proxy;
  const proxyJson = user === null ? proxy : { ...proxy, user };
  return `${JSON.stringify({ version: settingsFormatVersion, pairs, sync, backup, app, update, proxy: proxyJson }, null, 2)}\n`;
}

function errorCodeOf(error: unknown): unknown {
  return isRecord(error) ? error['code'] : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `2025-11-28T09-40-00-000Z`: sorts by time and is a valid file name on Windows too. */
function fileTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[:.]/g, '-');
}

/** The answer when the file cannot be used: the default settings, with why (and where the file went). */
function defaultSettingsResult(problem: ErrorInfo, movedTo: string | null = null): SettingsReadResult {
  return { settings: defaultSettings(), found: false, problem, movedTo, migratedFrom: null, notes: [] };
}

/** Reads `<folder>/settings.json`. Never throws: see the table at the top of this file. */
export async function readSettings(folder: string, deps: SettingsDeps, options: SettingsCheckOptions = {}): Promise<SettingsReadResult> {
  const file = settingsFilePath(folder);
  let text: string;
  try {
    text = await deps.fileSystem.readFile(file);
  } catch (error) {
    if (errorCodeOf(error) === 'ENOENT') return { settings: defaultSettings(), found: false, problem: null, movedTo: null, migratedFrom: null, notes: [] };
    return defaultSettingsResult({ code: ErrorCode.LocalIo, message: `The settings file ${file} could not be read: ${messageOf(error)}` });
  }

  let refusal: SettingsRefusal;
  try {
    const decoded = decodeSettings(JSON.parse(text) as unknown, options);
    return { ...decoded, found: true, problem: null, movedTo: null };
  } catch (error) {
    if (error instanceof SettingsRefusal) refusal = error;
    else if (error instanceof SyntaxError) refusal = corrupt(`it is not valid JSON (${error.message})`);
    // Anything else is our bug, not the file's fault: leave the file where it is.
    else return defaultSettingsResult({ code: ErrorCode.Configuration, message: `The settings file ${file} could not be used: ${messageOf(error)}` });
  }
  switch (refusal.kind) {
    case 'secret':
      return defaultSettingsResult({
        code: ErrorCode.Configuration,
        message:
          `The settings file ${file} was not used because ${refusal.message}, which looks like a secret. ` +
          'TeraSync keeps passwords and tokens in the system keychain, never in settings: remove it from the file.',
      });
    case 'newer':
      return defaultSettingsResult({
        code: ErrorCode.Configuration,
        message: `The settings file ${file} was not used because ${refusal.message}. It was left as it is.`,
      });
    case 'corrupt':
      return moveAside(file, refusal.message, deps);
  }
}

async function moveAside(file: string, reason: string, deps: SettingsDeps): Promise<SettingsReadResult> {
  let movedTo: string;
  try {
    movedTo = `${file}.corrupt-${fileTimestamp(deps.now())}`;
    await deps.fileSystem.rename(file, movedTo);
  } catch (error) {
    return defaultSettingsResult({
      code: ErrorCode.LocalIo,
      message: `The settings file ${file} is damaged (${reason}) and could not be moved aside: ${messageOf(error)}`,
    });
  }
  return defaultSettingsResult(
    {
      code: ErrorCode.Configuration,
      message: `The settings file ${file} was damaged (${reason}). It was moved to ${movedTo} and TeraSync started with default settings.`,
    },
    movedTo,
  );
}

/**
 * The WebDAV URL of a pair's remote folder: the URL itself, or the folder below `accountRoot`
 * (the connection's root, e.g. `https://seto.teracloud.jp/v2/dav/`). Null for a folder path
 * when there is no account to put it under.
 */
export function resolveRemoteFolder(remoteFolder: string, accountRoot: string | null): string | null {
  if (isUrlLike(remoteFolder)) return remoteFolder;
  if (accountRoot === null) return null;
  const root = accountRoot.endsWith('/') ? accountRoot : `${accountRoot}/`;
  if (remoteFolder === '') return root;
  return `${root}${remoteFolder.split('/').map(encodeURIComponent).join('/')}/`;
}

/** What the window shows of the account in account.json: who, which WebDAV root, which sign-in. */
export function accountSummaryFromRecord(record: AccountRecord | null): AccountSummary {
  if (record === null) return { user: null, server: null, method: null };
  return { user: record.userId, server: `${record.origin}${record.method === 'oauth2' ? '/v2/dav/' : '/dav/'}`, method: record.method };
}

export interface AppOverviewDeps extends SettingsDeps, SettingsCheckOptions {
  /**
   * The signed-in account (the AccountService's view). Default: account.json in the same
   * folder, read afresh each time; a problem with it is the AccountService's to report.
   */
  readAccount?: () => Promise<AccountSummary>;
}

/**
 * The overview the window shows, read afresh on each call so edits to settings.json show up.
 * A problem stays reported for the rest of the session, even though a corrupt file is gone
 * from its place after the first read, until a usable settings.json appears.
 *
 * A pair's `remoteUrl` is its remote folder under the account's WebDAV root; a folder path
 * while nobody is signed in is shown as the path (`/Sync`).
 */
export function createAppOverviewReader(folder: string, deps: AppOverviewDeps): () => Promise<AppOverview> {
  let problem: ErrorInfo | null = null;
  const accountFile = new AccountFile(folder, deps.now);
  const readAccount =
    deps.readAccount ??
    (async (): Promise<AccountSummary> => accountSummaryFromRecord((await accountFile.read()).record));
  const readAccountOrNone = (): Promise<AccountSummary> => readAccount().catch(() => accountSummaryFromRecord(null));
  return async () => {
    const [result, account] = await Promise.all([readSettings(folder, deps, deps), readAccountOrNone()]);
    if (result.problem !== null) problem = result.problem;
    else if (result.found) problem = null;
    const pairs: PairSummary[] = result.settings.pairs.map((pair) => ({
      localFolder: pair.localFolder,
      remoteUrl: resolveRemoteFolder(pair.remoteFolder, account.server) ?? `/${pair.remoteFolder}`,
    }));
    return { account, pairs, settingsFile: settingsFilePath(folder), settingsProblem: problem };
  };
}
