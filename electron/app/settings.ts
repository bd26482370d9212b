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
 * The format is `settingsSchema` below, a valibot schema: the types (`Settings`,
 * `PairSettings`, ...) and the defaults are read from it, the bounds come from
 * shared/limits.ts, and a refusal names the field ("pairs[0].bandwidth.upKiBps must be a whole
 * number from 0 to 10485760"). Every section and every field with a default may be left out;
 * fields this version does not know are ignored (and not written back), so a later version can
 * add some: unlike the window's requests, the file's objects are not strict. Two pairs whose
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
import * as v from 'valibot';
import { ErrorCode, type ErrorInfo } from '../../shared/errors.js';
import { boundedList, checkFile, fileObject } from '../../shared/fileSchemas.js';
import { rule } from '../../shared/validation.js';
import { controlCharacters, isRelativePath, isUrlLike } from '../../shared/pathRules.js';
import { settingsLimits, stringLimits } from '../../shared/limits.js';
import { isProxyHost, proxyLimits, proxyModes, type AccountSummary, type AppOverview, type Language, type PairSummary, type Theme, type UpdateChannel } from '../../shared/types.js';
import { AccountFile, type AccountRecord } from '../auth/AccountRecord.js';
import { backupSchedules } from './BackupScheduler.js';
import { MigrationError, migrateSettingsJson, type MigratedJson } from './migrations.js';
import type { WallClock } from '../core/time.js';
import { looksLikeSecretName } from '../core/secretNames.js';

export const settingsFileName = 'settings.json';
export const settingsFormatVersion = 4;

export { settingsLimits } from '../../shared/limits.js';

// ---------------------------------------------------------------------------------------------
// The schema of format 4. Each field's message is what follows its path in a refusal
// ("pairs[0].paused" + " must be true or false"); see shared/fileSchemas.ts. A field with a
// default may be left out (`v.optional`), and where the reader always took null for "left out"
// too, so may null (`v.nullish`). Objects are not strict: a field this version does not know
// is dropped (see the top of this file).

type Range = { readonly min: number; readonly max: number };

/** A whole number in `range`; left out: `fallback`. */
function wholeNumber(range: Range, fallback: number) {
  const message = `must be a whole number from ${range.min} to ${range.max}`;
  return v.optional(v.pipe(v.number(message), v.integer(message), v.minValue(range.min, message), v.maxValue(range.max, message)), fallback);
}

/** true or false; left out: `fallback`. */
function flag(fallback: boolean) {
  return v.optional(v.boolean('must be true or false'), fallback);
}

/** One of `allowed`; left out or null (as format 2 read the theme): `fallback`. */
function oneOf<const T extends string>(allowed: readonly T[], fallback: NoInfer<T>) {
  return v.nullish(v.picklist(allowed, `must be one of ${allowed.map((name) => `"${name}"`).join(', ')}`), fallback);
}

/** A section that may be left out (all its fields then take their defaults); present, it must be an object. */
function section<const E extends v.ObjectEntries>(entries: E) {
  return v.optional(fileObject(entries, 'must be an object'), {});
}

const absolutePath = v.pipe(
  v.string('must be an absolute path'),
  v.maxLength(stringLimits.path, `is longer than ${stringLimits.path} characters`),
  v.check((value) => path.isAbsolute(value), 'must be an absolute path'),
);

const pairIdMessage = 'must be 1 to 64 letters, digits, "-" or "_", starting with a letter or digit';
const remoteFolderMessage = 'must be a folder path below the account root (such as "Sync" or "Photos/2024") or an http(s) URL';

/** Why `value` is no remote folder, or null: a folder path below the account root, or an http(s) URL. */
function remoteFolderProblem(value: string): string | null {
  if (isUrlLike(value)) {
    try {
      const { protocol } = new URL(value);
      return protocol === 'https:' || protocol === 'http:' ? null : remoteFolderMessage;
    } catch {
      return remoteFolderMessage;
    }
  }
  const folder = canonicalRemoteFolder(value);
  if (folder === '') return null;
  // eslint-disable-next-line no-control-regex
  const bad = folder.split('/').find((name) => name === '' || name === '.' || name === '..' || /[\\\u0000-\u001f]/.test(name));
  return bad === undefined ? null : `has a folder name TeraSync cannot use ("${bad}"): ${remoteFolderMessage}`;
}

/** A folder path without leading or trailing `/`; a URL as given. */
function canonicalRemoteFolder(value: string): string {
  return isUrlLike(value) ? value : value.replace(/^\/+|\/+$/g, '');
}

const excludedFolderExpected =
  "a folder path below the pair's remote folder, such as \"Photos/raw\" (no leading or trailing \"/\", no \".\" or \"..\", no backslash or control character)";

/** Selective sync: the same rules as the window's requests (`excludedFolders` in shared/ipc/schemas.ts). */
const excludedFolder = v.pipe(
  v.string(`must be ${excludedFolderExpected}`),
  v.minLength(1, `must be ${excludedFolderExpected}`),
  v.maxLength(settingsLimits.excludedFolderLength, `is longer than ${settingsLimits.excludedFolderLength} characters`),
  v.check(
    (item) => isRelativePath(item),
    (issue) => `("${issue.input}") must be ${excludedFolderExpected}`,
  ),
);

/** The same rules as the window's requests (`ignorePattern` in shared/ipc/schemas.ts). */
const ignorePattern = v.pipe(
  v.string('must be a pattern (one line of gitignore syntax)'),
  v.maxLength(settingsLimits.ignorePatternLength, `is longer than ${settingsLimits.ignorePatternLength} characters`),
  // A line break would make one entry two patterns; a tab or other control character is a
  // paste accident far more often than part of a file name.
  v.check((item) => !controlCharacters.test(item), 'must be one line without control characters'),
  v.check((item) => item.trim() !== '', 'is blank: a pattern needs at least one character that is not a space'),
);

/** As the file keeps them (the Throttle and the IPC view call them uploadKiBps / downloadKiBps). */
const bandwidthEntries = {
  /** Upload limit in KiB/s; 0: no limit. */
  upKiBps: wholeNumber(settingsLimits.bandwidthKiBps, 0),
  /** Download limit in KiB/s; 0: no limit. */
  downKiBps: wholeNumber(settingsLimits.bandwidthKiBps, 0),
};

/** One local folder kept in sync with one remote folder, with its own journal and engine. */
const pairSchema = fileObject(
  {
    /** Names the pair's journal. */
    id: v.pipe(v.string(pairIdMessage), v.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, pairIdMessage)),
    /** Absolute; no two pairs on the same or nested folders (checked after the schema). */
    localFolder: absolutePath,
    /** A folder path below the account root ('Sync', 'Photos/2024', '' for the root), or an http(s) URL. */
    remoteFolder: v.pipe(
      v.string(remoteFolderMessage),
      v.maxLength(stringLimits.url, `is longer than ${stringLimits.url} characters`),
      rule(remoteFolderProblem),
      v.transform(canonicalRemoteFolder),
    ),
    paused: flag(false),
    bandwidth: section(bandwidthEntries),
    /**
     * Selective sync: folders below `remoteFolder` ('/'-separated, e.g. 'Photos/raw') that are not
     * synced; what is in them is left as it is on both sides. Each listed once (checked after the schema).
     */
    excludedFolders: v.optional(boundedList(excludedFolder, settingsLimits.excludedFolderCount, 'must be an array of folder paths'), () => []),
  },
  'must be an object',
);

const syncEntries = {
  /** How often the remote side is asked for changes. */
  pollIntervalSeconds: wholeNumber(settingsLimits.pollIntervalSeconds, 30),
  /** How often the local folders are scanned in full, besides the watcher. */
  fullScanMinutes: wholeNumber(settingsLimits.fullScanMinutes, 10),
  /** Lines in gitignore syntax: what matches is not synced, in any pair. */
  ignorePatterns: v.optional(boundedList(ignorePattern, settingsLimits.ignorePatternCount, 'must be an array of patterns'), () => []),
  /** How many transfers run at the same time, per pair and for the backup. */
  parallelTransfers: wholeNumber(settingsLimits.parallelTransfers, 4),
  /** The mass-delete fail-safe: a run deleting more than this percent of the synced files stops. */
  failSafePercent: wholeNumber(settingsLimits.failSafePercent, 50),
  /** How many days files deleted on the server stay in the pair's trash (.terasync-trash). */
  deletedRetentionDays: wholeNumber(settingsLimits.deletedRetentionDays, 30),
};

const deviceMessage = `must be null or a name of 1 to ${settingsLimits.deviceLength} characters`;

const backupEntries = {
  /** Absolute paths of the folders to back up (no two with the same folder name: checked after the schema). */
  sources: v.nullish(boundedList(absolutePath, stringLimits.sourceCount, 'must be an array of absolute paths'), () => []),
  /** The device folder's name in the backup area; null: the computer's name. */
  device: v.nullish(
    v.pipe(v.string(deviceMessage), v.check((name) => name.trim() !== '', deviceMessage), v.maxLength(settingsLimits.deviceLength, deviceMessage)),
    null,
  ),
  /** How long replaced and deleted copies are kept; 0 keeps them all. */
  retentionDays: wholeNumber(settingsLimits.retentionDays, 30),
  /** When the app backs up by itself (electron/app/BackupScheduler.ts); 'manual': only when asked. */
  schedule: oneOf(backupSchedules, 'manual'),
};

const themes: readonly Theme[] = ['system', 'light', 'dark'];
const languages: readonly Language[] = ['system', 'en', 'ja'];
const updateChannels: readonly UpdateChannel[] = ['stable', 'beta'];

const appEntries = {
  /** null: not decided yet; the app turns it on after the first successful sign-in. */
  startAtLogin: v.nullish(v.boolean('must be true, false or null'), null),
  notifications: flag(true),
  theme: oneOf(themes, 'system'),
  /** 'system': the language of the operating system. */
  language: oneOf(languages, 'system'),
};

/** Updates of the app itself (electron/app/UpdateController.ts). */
const updateEntries = {
  /** false: the update feed is never asked. */
  enabled: flag(true),
  /** 'beta': pre-releases too. */
  channel: oneOf(updateChannels, 'stable'),
};

/**
 * Why `host` cannot name a proxy, or null when it can. Shared with the window's requests
 * (shared/ipc/schemas.ts has the same rule) so that both refuse the same text.
 */
export function proxyHostProblem(host: string): string | null {
  if (host.length > proxyLimits.hostLength) return `at most ${proxyLimits.hostLength} characters`;
  if (!isProxyHost(host)) return 'a host name or IP address only (no scheme such as http://, no port, no user, no spaces)';
  return null;
}

const proxyUserMessage = `must be a user name of at most ${proxyLimits.userLength} characters, on one line`;

/** How the app's requests go out (electron/app/proxySettings.ts turns it into the process's ProxySetting). */
const proxySchema = v.pipe(
  fileObject(
    {
      mode: oneOf(proxyModes, 'system'),
      /** Host name or IP address of the proxy ([::1] is kept as ::1); '' when none was typed (only 'http' and 'socks5' need one). */
      host: v.nullish(
        v.pipe(
          v.string('must be a host name or IP address'),
          v.transform((host) => host.trim().replace(/^\[(.*)\]$/, '$1')),
          rule((host: string) => {
            const problem = host === '' ? null : proxyHostProblem(host);
            return problem === null ? null : `must be ${problem}`;
          }),
        ),
        '',
      ),
      /** 1 to 65535; kept for 'system' and 'none' too, so that switching back finds what was typed. */
      port: wholeNumber(proxyLimits.port, 8080),
      /** The proxy's user name; null (or ''): the proxy asks for none. Its password is in the SecretStore. */
      user: v.nullish(
        v.pipe(
          v.string('must be a user name or null'),
          v.check((user) => user.length <= proxyLimits.userLength && !controlCharacters.test(user), proxyUserMessage),
          v.transform((user) => (user === '' ? null : user)),
        ),
        null,
      ),
    },
    'must be an object',
  ),
  v.forward(
    v.partialCheck(
      [['mode'], ['host']],
      ({ mode, host }) => host !== '' || (mode !== 'http' && mode !== 'socks5'),
      (issue) => `must name the proxy (a host name or IP address) when proxy.mode is "${issue.input.mode}"`,
    ),
    ['host'],
  ),
);

/**
 * Format 4, after the secrets were refused and older formats migrated. What relates items to
 * each other is checked after it (`parseCurrentFormat`).
 */
const settingsSchema = fileObject(
  {
    pairs: v.optional(v.array(pairSchema, 'must be an array'), () => []),
    sync: section(syncEntries),
    backup: section(backupEntries),
    app: section(appEntries),
    update: section(updateEntries),
    proxy: v.optional(proxySchema, {}),
  },
  'it is not a JSON object',
);

export type Settings = v.InferOutput<typeof settingsSchema>;
export type PairSettings = v.InferOutput<typeof pairSchema>;
export type BandwidthSettings = PairSettings['bandwidth'];
export type SyncSettings = Settings['sync'];
export type BackupSettings = Settings['backup'];
export type AppSettings = Settings['app'];
export type UpdateSettings = Settings['update'];
export type ProxySettings = Settings['proxy'];

/** Every field at its default, no pairs: the schema's reading of an empty file. */
export function defaultSettings(): Settings {
  return v.parse(settingsSchema, {});
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
  /** Names the file a corrupt settings.json is moved to. */
  clock: WallClock;
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


/** Throws when a pair lists an excluded folder twice (the window refuses that too). */
function checkExcludedFoldersOnce(pairs: readonly PairSettings[]): void {
  pairs.forEach((pair, pairIndex) => {
    const where = `pairs[${pairIndex}].excludedFolders`;
    const seen = new Map<string, number>();
    pair.excludedFolders.forEach((folder, index) => {
      const other = seen.get(folder);
      if (other !== undefined) throw corrupt(`${where}[${index}] ("${folder}") is also ${where}[${other}]: list each folder once`);
      seen.set(folder, index);
    });
  });
}

/**
 * Throws when two backup sources have the same folder name: the backup area names a source
 * after its folder, so they would overwrite each other's copies (the engine refuses such a
 * run; saying so here is earlier).
 */
function checkBackupSourceNames(sources: readonly string[], options: SettingsCheckOptions): void {
  const names = new Map<string, number>();
  sources.forEach((source, index) => {
    const name = foldCase(path.basename(path.resolve(source)), options);
    const other = names.get(name);
    if (other !== undefined) {
      throw corrupt(`backup.sources[${index}] (${source}) has the same folder name as backup.sources[${other}]: both would be backed up as "${path.basename(path.resolve(source))}"`);
    }
    names.set(name, index);
  });
}

/**
 * The proxy section checked as settings.json's would be; throws a SettingsRefusal ('corrupt')
 * whose message names the field (for "Test connection", which checks without saving).
 */
export function checkProxySettings(value: unknown): ProxySettings {
  const checked = checkFile(proxySchema, value, 'proxy');
  if (!checked.ok) throw corrupt(checked.error.message);
  return checked.value;
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
  const checked = checkFile(settingsSchema, json);
  if (!checked.ok) throw corrupt(checked.error.message);
  const settings = checked.value;
  checkExcludedFoldersOnce(settings.pairs);
  checkBackupSourceNames(settings.backup.sources, options);
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
    movedTo = `${file}.corrupt-${fileTimestamp(deps.clock.now())}`;
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
  const accountFile = new AccountFile(folder, deps.clock);
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
