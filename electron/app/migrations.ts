/**
 * How settings.json moves from one format to the next: `migrations[n]` turns a format-n file
 * (parsed JSON) into a format-(n+1) one. Each is a pure function of the JSON, so a later format
 * adds one entry and the chain carries any older file forward step by step; the result is then
 * checked by the current format's validator (settings.ts), not here.
 *
 * A migration checks only what it has to read to do its job, and throws a MigrationError (the
 * file is then treated as damaged) when that is not there; everything else is carried over for
 * the validator to judge. What the user should know (something dropped) goes into `notes`.
 */
import { pairId } from '../platform/paths.js';

export type JsonObject = Record<string, unknown>;

export interface MigrationOutput {
  json: JsonObject;
  /** For the user: what changed beyond the shape (something dropped, kept differently). */
  notes: string[];
}

export type Migration = (json: JsonObject) => MigrationOutput;

/** A file whose content the migration needs is not what that format promised. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isWebUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The WebDAV areas that hold the account's files (the same files under either). */
const ACCOUNT_AREAS: readonly (readonly string[])[] = [['v2', 'dav'], ['dav']];

/**
 * `remoteUrl` as a folder path below the account root when it is on `accountOrigin` under
 * /dav/ or /v2/dav/ ('Sync', 'Photos/2024', '' for the root), else null (kept as a URL).
 */
function folderBelowAccount(remoteUrl: string, accountOrigin: string | null): string | null {
  if (accountOrigin === null) return null;
  const url = new URL(remoteUrl);
  if (url.origin !== accountOrigin || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return null;
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  const area = ACCOUNT_AREAS.find((prefix) => prefix.every((segment, index) => segments[index] === segment));
  if (area === undefined) return null;
  const names: string[] = [];
  for (const raw of segments.slice(area.length)) {
    let name: string;
    try {
      name = decodeURIComponent(raw);
    } catch {
      return null;
    }
    // A name that cannot be written as a path segment stays in the URL, where it is exact.
    // eslint-disable-next-line no-control-regex
    if (name === '.' || name === '..' || /[/\\\u0000-\u001f]/.test(name)) return null;
    names.push(name);
  }
  return names.join('/');
}

function originOf(server: unknown): string | null {
  return isWebUrl(server) ? new URL(server).origin : null;
}

/**
 * 1 -> 2: the account leaves settings.json (it lives in account.json now); each pair gets an
 * id, `paused` and `bandwidth`, and its `remoteUrl` becomes `remoteFolder`, a folder path below
 * the account root when the URL is on the account's node, else the URL as it was.
 *
 * The id is the one the journal file is already named after (`pairId(localFolder, remoteUrl)`),
 * so a migrated pair keeps its journal and does not start over.
 */
const fromFormat1: Migration = (json) => {
  const { account, pairs, ...rest } = json;
  const notes: string[] = [];
  const accountOrigin = isJsonObject(account) ? originOf(account['server']) : null;
  if (isJsonObject(account) && Object.values(account).some((value) => value !== null && value !== undefined)) {
    notes.push('The account is no longer kept in settings.json (TeraSync keeps it in account.json), so the copy in settings.json was dropped.');
  }
  if (pairs !== undefined && !Array.isArray(pairs)) throw new MigrationError('pairs must be an array');
  const migratedPairs = (pairs ?? []).map((pair: unknown, index) => {
    const where = `pairs[${index}]`;
    if (!isJsonObject(pair)) throw new MigrationError(`${where} must be an object`);
    const { localFolder, remoteUrl } = pair;
    if (typeof localFolder !== 'string' || localFolder === '') throw new MigrationError(`${where}.localFolder must be an absolute path`);
    if (!isWebUrl(remoteUrl)) throw new MigrationError(`${where}.remoteUrl must be an http(s) URL`);
    return {
      id: pairId(localFolder, remoteUrl),
      localFolder,
      remoteFolder: folderBelowAccount(remoteUrl, accountOrigin) ?? remoteUrl,
      paused: false,
      bandwidth: { upKiBps: 0, downKiBps: 0 },
    };
  });
  return { json: { ...rest, version: 2, pairs: migratedPairs }, notes };
};

/**
 * 2 -> 3: each pair gets `excludedFolders` (none: the whole folder is synced, as before),
 * `sync` gets `ignorePatterns` (none) and `parallelTransfers` (4), `app` gets `language`
 * ("system"). What a format-2 file held under those names is replaced, not carried over: format
 * 2 ignored them, so they meant nothing yet, and a stray value there must not make a file that
 * format 2 read without complaint be refused as damaged now.
 *
 * Sections and pairs that are not objects are left as they are, for the validator to refuse
 * as it refused them in format 2.
 */
const fromFormat2: Migration = (json) => {
  const { pairs, sync, app } = json;
  const migrated: JsonObject = { ...json, version: 3 };
  if (Array.isArray(pairs)) migrated['pairs'] = pairs.map((pair: unknown) => (isJsonObject(pair) ? { ...pair, excludedFolders: [] } : pair));
  if (sync === undefined || isJsonObject(sync)) migrated['sync'] = { ...sync, ignorePatterns: [], parallelTransfers: 4 };
  if (app === undefined || isJsonObject(app)) migrated['app'] = { ...app, language: 'system' };
  return { json: migrated, notes: [] };
};

/**
 * 3 -> 4: the app gets a proxy setting, `proxy`, set to follow the system's proxy
 * configuration, which is what the app did before the setting existed. What a format-3 file held
 * under that name is replaced, not carried over (format 3 ignored it).
 */
const fromFormat3: Migration = (json) => {
  return { json: { ...json, version: 4, proxy: { mode: 'system', host: '', port: 8080 } }, notes: [] };
};

/** `migrations[n]`: format n -> format n + 1. */
export const migrations: Readonly<Record<number, Migration>> = {
  1: fromFormat1,
  2: fromFormat2,
  3: fromFormat3,
};

export interface MigratedJson {
  json: JsonObject;
  /** The format the file was in; equal to the target when nothing was migrated. */
  from: number;
  notes: string[];
}

/**
 * Runs the chain from `json.version` (a whole number, at most `to`, checked by the caller) up
 * to `to`. Throws a MigrationError when a step finds the file damaged.
 */
export function migrateSettingsJson(json: JsonObject, to: number): MigratedJson {
  const from = json['version'] as number;
  let current = json;
  const notes: string[] = [];
  for (let version = from; version < to; version++) {
    const migration = migrations[version];
    // A gap in the chain is a bug in this file (a test checks the chain), not a damaged file.
    if (migration === undefined) throw new Error(`No settings migration from format ${version}`);
    const output = migration(current);
    if (output.json['version'] !== version + 1) throw new Error(`The settings migration from format ${version} did not give format ${version + 1}`);
    current = output.json;
    notes.push(...output.notes);
  }
  return { json: current, from, notes };
}
