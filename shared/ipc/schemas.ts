/**
 * Runtime validators for every payload that crosses the process boundary: each request the
 * renderer sends (main checks it before acting), each response main sends and each event it
 * pushes (checked before they leave, so the window only ever sees what the contract promises
 * and never a field that slipped in, such as a token). Both transports use these: Electron's
 * IPC (electron/main/ipc.ts) and the WebSocket bridge for tests (dev/ipcBridge).
 *
 * Hand-written on purpose: a handful of readers below, no dependency. Objects are strict (an
 * unknown field is an error, not silently passed on), strings are bounded, and every validator
 * returns a fresh copy. An error message names the field and what was expected, never the value
 * (which may be a password).
 */
import { ErrorCode, type ErrorInfo, type Result } from '../errors.js';
import { settingsLimits } from '../limits.js';
import { controlCharacters, isAbsolutePath, isPlainName, isUrlLike, maxNameLength } from '../pathRules.js';
import type {
  AccountInfo,
  AccountSummary,
  ActivityFile,
  ActivityGroup,
  ActivityGroupKind,
  ActivityPage,
  ActivityRun,
  AppOverview,
  AuthMethod,
  BackupFailSafeView,
  BackupFileView,
  BackupListing,
  BackupPhase,
  BackupProgress,
  BackupRunView,
  BackupStateView,
  BackupSummaryView,
  BackupSchedule,
  BandwidthLimits,
  ConflictInfo,
  ConflictResolution,
  FailedPath,
  FailSafeDeletion,
  FailSafeInfo,
  FailSafeReason,
  FileFailureView,
  FileVersionView,
  Language,
  LastRunSummary,
  PairPreview,
  PairStatus,
  PairSummary,
  PairView,
  PickPurpose,
  ProxySettingsInput,
  ProxySettingsView,
  ProxyTestResult,
  RemoteFolderListing,
  RemoteFolderView,
  RestoreSummaryView,
  SettingsUpdate,
  SettingsView,
  SignInResult,
  SignOutResult,
  SkippedPath,
  SkipReason,
  SyncProgress,
  SyncState,
  SyncStatus,
  Theme,
} from '../types.js';
import { isProxyHost, proxyLimits, proxyModes, secretStoreKinds } from '../types.js';
import type { LocalFreeSpace, RemoteFolderSize, UpdateBusyReason, UpdateChannel, UpdateDisabledReason, UpdatePhase, UpdateStateView } from '../types.js';
import type { LocalFreeSpaceRequest, RemoteFolderSizeRequest } from './contract.js';
import {
  maxActivityGroupFiles,
  maxActivityPage,
  maxActivityRuns,
  maxBackupHistory,
  maxListedBackupFiles,
  maxListedDeletions,
  maxListedFailures,
  maxListedRunFailures,
  maxListedRunSkips,
  type ActivityListRequest,
  type AddPairRequest,
  type AdvancedSignInOptions,
  type BackupFailSafeDecisionRequest,
  type BackupListRequest,
  type BackupRunRequest,
  type FailSafeDecisionRequest,
  type IpcChannel,
  type IpcEventName,
  type IpcEventPayload,
  type IpcRequest,
  type IpcResponse,
  type ListRemoteFoldersRequest,
  type OAuthSignInRequest,
  type OpenConflictVersionRequest,
  type OpenFolderRequest,
  type OpenUrlRequest,
  type PairRequest,
  type PasswordSignInRequest,
  type PickPathRequest,
  type PreviewPairRequest,
  type ResolveConflictRequest,
  type RestoreRequest,
  type ShowFileRequest,
  type UpdatePairRequest,
} from './contract.js';
import type { DeletedPurgeRequest, DeletedRestoreRequest } from './contract.js';
import type { DeletedFilesUsage, DeletedRunView, PairDeletedFiles, RestoredDeletedEntry } from '../types.js';

export type Validator<T> = (value: unknown) => Result<T>;

/** A malformed message from the other process; requests are relabelled InvalidRequest below. */
const invalidPayloadCode = ErrorCode.BadResponse;

/** Generous bounds for paths, URLs, names and messages; they only stop absurd payloads. */
const maxStringLength = 32_768;
const maxArrayLength = 10_000;
const maxPathLength = 4_096;
const maxUrlLength = 8_192;
const maxUserIdLength = 256;
const maxPasswordLength = 1_024;
/** Backup sources and other lists the user builds by hand. */
const maxSourceCount = 1_000;
/** Ignore patterns: one line each, as in a .gitignore; as many as settings.json may hold. */
const maxPatternCount = settingsLimits.ignorePatternCount;
const maxPatternLength = settingsLimits.ignorePatternLength;

class SchemaViolation extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
  ) {
    super(path === '' ? `expected ${expected}` : `${path}: expected ${expected}`);
  }
}

type Reader<T> = (value: unknown, path: string) => T;

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function readString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new SchemaViolation(path, 'a string');
  if (value.length > maxStringLength) throw new SchemaViolation(path, `at most ${maxStringLength} characters`);
  return value;
}

/** A string of at most `max` characters; `nonEmpty` refuses ''. */
function boundedString(max: number, options: { nonEmpty?: boolean } = {}): Reader<string> {
  return (value, path) => {
    if (typeof value !== 'string') throw new SchemaViolation(path, 'a string');
    if (value.length > max) throw new SchemaViolation(path, `at most ${max} characters`);
    if (options.nonEmpty === true && value === '') throw new SchemaViolation(path, 'a non-empty string');
    return value;
  };
}

function readBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new SchemaViolation(path, 'true or false');
  return value;
}

function integer(min: number, max: number): Reader<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new SchemaViolation(path, `an integer from ${min} to ${max}`);
    }
    return value;
  };
}

/** Counts, byte sizes, ids. */
const readCount = integer(0, Number.MAX_SAFE_INTEGER);

/** Times and durations in ms: clocks may give fractions. */
function readMilliseconds(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new SchemaViolation(path, 'a number of milliseconds');
  return value;
}

function nullable<T>(read: Reader<T>, expected: string): Reader<T | null> {
  return (value, path) => {
    if (value === null) return null;
    try {
      return read(value, path);
    } catch (error) {
      if (error instanceof SchemaViolation && error.path === path) throw new SchemaViolation(path, `${expected} or null`);
      throw error;
    }
  };
}

/** A field that may be left out (undefined); see `definedFields`. */
function optional<T>(read: Reader<T>): Reader<T | undefined> {
  return (value, path) => (value === undefined ? undefined : read(value, path));
}

function oneOf<const T extends string>(allowed: readonly T[]): Reader<T> {
  return (value, path) => {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    throw new SchemaViolation(path, `one of ${allowed.map((item) => `'${item}'`).join(', ')}`);
  };
}

function readArray<T>(value: unknown, path: string, readItem: Reader<T>, max = maxArrayLength): T[] {
  if (!Array.isArray(value)) throw new SchemaViolation(path, 'an array');
  if (value.length > max) throw new SchemaViolation(path, `at most ${max} items`);
  return value.map((item, index) => readItem(item, child(path, index)));
}

function arrayOf<T>(readItem: Reader<T>, max = maxArrayLength): Reader<T[]> {
  return (value, path) => readArray(value, path, readItem, max);
}

/** A plain object with exactly the given fields (each may still be undefined; readers decide). */
function readRecord<K extends string>(value: unknown, path: string, keys: readonly K[]): Record<K, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SchemaViolation(path, 'an object');
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) throw new SchemaViolation(path, 'a plain object');
  for (const key of Object.keys(value)) {
    if (!(keys as readonly string[]).includes(key)) throw new SchemaViolation(child(path, key), 'no such field');
  }
  return value as Record<K, unknown>;
}

/** The copy leaves out fields that were left out (undefined), so handlers see no `key: undefined`. */
function definedFields<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}

// Text that names things on disk or on the server (the rules in shared/pathRules.ts).

function readAbsolutePath(value: unknown, path: string): string {
  const text = boundedString(maxPathLength)(value, path);
  if (text.includes('\0') || !isAbsolutePath(text)) throw new SchemaViolation(path, 'an absolute path');
  return text;
}

/**
 * A '/'-separated relative path ('' for the top): no leading, trailing or doubled '/', no '.'
 * or '..' segment, no backslash, no control character.
 */
function readRelativePath(value: unknown, path: string): string {
  const text = boundedString(maxPathLength)(value, path);
  if (text === '') return text;
  const valid =
    !controlCharacters.test(text) &&
    !text.includes('\\') &&
    text.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
  if (!valid) throw new SchemaViolation(path, "a relative path like 'Documents/Work' (no '..', no leading or trailing '/')");
  return text;
}

/** One name on disk or on the server: no separator, not '.' or '..', no control character. */
function readName(value: unknown, path: string): string {
  const text = boundedString(maxNameLength, { nonEmpty: true })(value, path);
  if (!isPlainName(text)) throw new SchemaViolation(path, 'a name without / or \\');
  return text;
}

/** Ids of pairs, as the settings make them (electron/app/settings.ts). */
function readPairId(value: unknown, path: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(value)) throw new SchemaViolation(path, 'a pair id');
  return value;
}

/** A pair's remote folder: a relative path (see readRelativePath), or an http(s) URL without credentials, as given. */
function readRemoteFolder(value: unknown, path: string): string {
  const text = boundedString(maxUrlLength)(value, path);
  if (!isUrlLike(text)) return readRelativePath(text, path);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SchemaViolation(path, 'a folder path or an http(s) URL');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') {
    throw new SchemaViolation(path, 'a folder path or an http(s) URL');
  }
  return text;
}

/** What the user typed as a remote folder: leading and trailing '/' are dropped, as the settings do. */
function readRemoteFolderInput(value: unknown, path: string): string {
  if (typeof value === 'string' && !isUrlLike(value)) return readRemoteFolder(value.replace(/^\/+|\/+$/g, ''), path);
  return readRemoteFolder(value, path);
}

/** A backup version folder's name, `2025-01-31T235959Z`. */
function readVersionStamp(value: unknown, path: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{6}Z$/.test(value)) {
    throw new SchemaViolation(path, 'a version like 2025-01-31T235959Z');
  }
  return value;
}

/** A parsed https: URL without credentials, returned in its parsed form. */
function readHttpsUrl(value: unknown, path: string): string {
  const text = boundedString(maxUrlLength)(value, path);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SchemaViolation(path, 'an https: URL');
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') throw new SchemaViolation(path, 'an https: URL');
  return url.href;
}

// Shared pieces.

const authMethods: readonly AuthMethod[] = ['basic', 'oauth2'];
const errorCodes = Object.values(ErrorCode);
const syncStates: readonly SyncState[] = ['idle', 'scanning', 'syncing', 'paused', 'offline', 'error', 'failsafe', 'stopped'];
const activityGroupKinds: readonly ActivityGroupKind[] = [
  'addedRemote',
  'updatedRemote',
  'addedLocal',
  'updatedLocal',
  'deletedRemote',
  'deletedLocal',
  'moved',
  'conflict',
  'failed',
];
const backupPhases: readonly BackupPhase[] = ['scanning', 'listing', 'comparing', 'quota', 'sending', 'versioning', 'pruning', 'done'];
const conflictResolutions: readonly ConflictResolution[] = ['local', 'remote', 'both'];
const themes: readonly Theme[] = ['system', 'light', 'dark'];
const languages: readonly Language[] = ['system', 'en', 'ja'];
const failSafeReasons: readonly FailSafeReason[] = ['massDelete', 'localEmpty', 'localMissing', 'remoteGone'];
const pickPurposes: readonly PickPurpose[] = ['syncFolder', 'backupSource', 'restoreTarget', 'caCertificate'];
const backupSchedules: readonly BackupSchedule[] = ['manual', 'hourly', 'daily', 'login'];

const readNullableString = nullable(readString, 'a string');
const readNullableAuthMethod = nullable(oneOf(authMethods), `one of ${authMethods.map((m) => `'${m}'`).join(', ')}`);
const readNullableMilliseconds = nullable(readMilliseconds, 'a number of milliseconds');
const readNullableVersionStamp = nullable(readVersionStamp, 'a version');
const readNullableName = nullable(readName, 'a name');

// The limits of the settings, as settings.json is checked with them (shared/limits.ts).
const within = (range: { min: number; max: number }): Reader<number> => integer(range.min, range.max);
const readPollIntervalSeconds = within(settingsLimits.pollIntervalSeconds);
const readFullScanMinutes = within(settingsLimits.fullScanMinutes);
/** 0 keeps every version. */
const readRetentionDays = within(settingsLimits.retentionDays);
/** KiB/s; 0 is unlimited; 10 GiB/s is more than any link. */
const readKiBps = within(settingsLimits.bandwidthKiBps);
const readParallelTransfers = within(settingsLimits.parallelTransfers);

// The deleted-files settings (sync.failSafePercent, sync.deletedRetentionDays).
const deletedFilesSettingKeys = ['failSafePercent', 'deletedRetentionDays'] as const;
const readFailSafePercent = within(settingsLimits.failSafePercent);
const readDeletedRetentionDays = within(settingsLimits.deletedRetentionDays);

/** One ignore pattern (gitignore syntax): one line, not blank. */
function readIgnorePattern(value: unknown, path: string): string {
  const text = boundedString(maxPatternLength, { nonEmpty: true })(value, path);
  if (controlCharacters.test(text) || text.trim() === '') throw new SchemaViolation(path, 'one line of a pattern');
  return text;
}

const readIgnorePatterns = arrayOf(readIgnorePattern, maxPatternCount);

/** Selective sync: relative folder paths, none empty, each once. */
function readExcludedFolders(value: unknown, path: string): string[] {
  const folders = readArray(value, path, (item, at) => {
    const folder = readRelativePath(item, at);
    if (folder === '') throw new SchemaViolation(at, 'a folder below the pair\'s folder');
    return folder;
  }, settingsLimits.excludedFolderCount);
  if (new Set(folders).size !== folders.length) throw new SchemaViolation(path, 'each folder once');
  return folders;
}

/** The backup's device folder name; the backup engine makes it safe for the server. */
function readDeviceName(value: unknown, path: string): string {
  const text = boundedString(maxNameLength, { nonEmpty: true })(value, path);
  if (text.trim() === '' || controlCharacters.test(text)) throw new SchemaViolation(path, 'a device name');
  return text;
}

const readNullableDeviceName = nullable(readDeviceName, 'a device name');

function readErrorInfo(value: unknown, path: string): ErrorInfo {
  const record = readRecord(value, path, ['code', 'message']);
  return {
    code: oneOf(errorCodes)(record.code, child(path, 'code')),
    message: readString(record.message, child(path, 'message')),
  };
}

const readNullableErrorInfo = nullable(readErrorInfo, 'an object');

function readNoPayload(value: unknown, path: string): undefined {
  if (value !== undefined) throw new SchemaViolation(path, 'no payload');
  return undefined;
}

// The overview (settings format 1).

function readAccountSummary(value: unknown, path: string): AccountSummary {
  const record = readRecord(value, path, ['user', 'server', 'method']);
  return {
    user: readNullableString(record.user, child(path, 'user')),
    server: readNullableString(record.server, child(path, 'server')),
    method: readNullableAuthMethod(record.method, child(path, 'method')),
  };
}

function readPairSummary(value: unknown, path: string): PairSummary {
  const record = readRecord(value, path, ['localFolder', 'remoteUrl']);
  return {
    localFolder: readString(record.localFolder, child(path, 'localFolder')),
    remoteUrl: readString(record.remoteUrl, child(path, 'remoteUrl')),
  };
}

function readAppOverview(value: unknown, path: string): AppOverview {
  const record = readRecord(value, path, ['account', 'pairs', 'settingsFile', 'settingsProblem']);
  return {
    account: readAccountSummary(record.account, child(path, 'account')),
    pairs: readArray(record.pairs, child(path, 'pairs'), readPairSummary),
    settingsFile: readString(record.settingsFile, child(path, 'settingsFile')),
    settingsProblem: readNullableErrorInfo(record.settingsProblem, child(path, 'settingsProblem')),
  };
}

// Account.

function readAccountInfo(value: unknown, path: string): AccountInfo {
  const record = readRecord(value, path, [
    'userId',
    'node',
    'webdavUrl',
    'signedInWith',
    'method',
    'fallbackReason',
    'quota',
    'quotaProblem',
    'secretStore',
  ]);
  return {
    userId: boundedString(maxUserIdLength, { nonEmpty: true })(record.userId, child(path, 'userId')),
    node: boundedString(maxNameLength, { nonEmpty: true })(record.node, child(path, 'node')),
    webdavUrl: boundedString(maxUrlLength, { nonEmpty: true })(record.webdavUrl, child(path, 'webdavUrl')),
    signedInWith: oneOf(authMethods)(record.signedInWith, child(path, 'signedInWith')),
    method: oneOf(authMethods)(record.method, child(path, 'method')),
    fallbackReason: readNullableString(record.fallbackReason, child(path, 'fallbackReason')),
    quota: nullable(readQuota, 'an object')(record.quota, child(path, 'quota')),
    quotaProblem: readNullableString(record.quotaProblem, child(path, 'quotaProblem')),
    secretStore: oneOf(secretStoreKinds)(record.secretStore, child(path, 'secretStore')),
  };
}

function readQuota(value: unknown, path: string): { usedBytes: number; quotaBytes: number } {
  const record = readRecord(value, path, ['usedBytes', 'quotaBytes']);
  return { usedBytes: readCount(record.usedBytes, child(path, 'usedBytes')), quotaBytes: readCount(record.quotaBytes, child(path, 'quotaBytes')) };
}

const readNullableAccountInfo = nullable(readAccountInfo, 'an account');

function readSignInResult(value: unknown, path: string): SignInResult {
  const record = readRecord(value, path, ['account', 'problem']);
  return {
    account: readAccountInfo(record.account, child(path, 'account')),
    problem: readNullableErrorInfo(record.problem, child(path, 'problem')),
  };
}

function readSignOutResult(value: unknown, path: string): SignOutResult {
  const record = readRecord(value, path, ['signedOut', 'revocation', 'revocationError']);
  return {
    signedOut: readBoolean(record.signedOut, child(path, 'signedOut')),
    revocation: oneOf(['revoked', 'unsupported', 'failed', 'nothing'])(record.revocation, child(path, 'revocation')),
    revocationError: readNullableString(record.revocationError, child(path, 'revocationError')),
  };
}

function readAdvancedSignInOptions(value: unknown, path: string): AdvancedSignInOptions {
  const record = readRecord(value, path, ['apiServer', 'apiKeyPlacement', 'caFile']);
  return definedFields({
    apiServer: optional(readHttpsUrl)(record.apiServer, child(path, 'apiServer')),
    apiKeyPlacement: optional(oneOf(['header', 'matrix']))(record.apiKeyPlacement, child(path, 'apiKeyPlacement')),
    caFile: optional(readAbsolutePath)(record.caFile, child(path, 'caFile')),
  });
}

function readPasswordSignInRequest(value: unknown, path: string): PasswordSignInRequest {
  const record = readRecord(value, path, ['userId', 'password', 'location', 'preemptive', 'advanced']);
  return definedFields({
    userId: boundedString(maxUserIdLength)(record.userId, child(path, 'userId')),
    password: boundedString(maxPasswordLength)(record.password, child(path, 'password')),
    location: optional(boundedString(maxUrlLength))(record.location, child(path, 'location')),
    preemptive: optional(readBoolean)(record.preemptive, child(path, 'preemptive')),
    advanced: optional(readAdvancedSignInOptions)(record.advanced, child(path, 'advanced')),
  });
}

function readOAuthSignInRequest(value: unknown, path: string): OAuthSignInRequest {
  const record = readRecord(value, path, ['location', 'advanced']);
  return definedFields({
    location: optional(boundedString(maxUrlLength))(record.location, child(path, 'location')),
    advanced: optional(readAdvancedSignInOptions)(record.advanced, child(path, 'advanced')),
  });
}

// Pairs and their status.

function readBandwidth(value: unknown, path: string): BandwidthLimits {
  const record = readRecord(value, path, ['uploadKiBps', 'downloadKiBps']);
  return {
    uploadKiBps: readKiBps(record.uploadKiBps, child(path, 'uploadKiBps')),
    downloadKiBps: readKiBps(record.downloadKiBps, child(path, 'downloadKiBps')),
  };
}

function readPairView(value: unknown, path: string): PairView {
  const record = readRecord(value, path, ['id', 'localFolder', 'remoteFolder', 'paused', 'bandwidth', 'excludedFolders']);
  return {
    id: readPairId(record.id, child(path, 'id')),
    localFolder: readAbsolutePath(record.localFolder, child(path, 'localFolder')),
    remoteFolder: readRemoteFolder(record.remoteFolder, child(path, 'remoteFolder')),
    paused: readBoolean(record.paused, child(path, 'paused')),
    bandwidth: readBandwidth(record.bandwidth, child(path, 'bandwidth')),
    excludedFolders: readExcludedFolders(record.excludedFolders, child(path, 'excludedFolders')),
  };
}

function readPairRequest(value: unknown, path: string): PairRequest {
  const record = readRecord(value, path, ['id']);
  return { id: readPairId(record.id, child(path, 'id')) };
}

function readAddPairRequest(value: unknown, path: string): AddPairRequest {
  const record = readRecord(value, path, ['localFolder', 'remoteFolder', 'excludedFolders']);
  return definedFields({
    localFolder: readAbsolutePath(record.localFolder, child(path, 'localFolder')),
    remoteFolder: readRemoteFolderInput(record.remoteFolder, child(path, 'remoteFolder')),
    excludedFolders: optional(readExcludedFolders)(record.excludedFolders, child(path, 'excludedFolders')),
  });
}

function readPreviewPairRequest(value: unknown, path: string): PreviewPairRequest {
  return readAddPairRequest(value, path);
}

function readPairPreview(value: unknown, path: string): PairPreview {
  const record = readRecord(value, path, [
    'upload',
    'download',
    'createLocalFolders',
    'createRemoteFolders',
    'conflicts',
    'onBoth',
    'skipped',
    'conflictPaths',
  ]);
  const transfer = (item: unknown, at: string): { files: number; bytes: number } => {
    const fields = readRecord(item, at, ['files', 'bytes']);
    return { files: readCount(fields.files, child(at, 'files')), bytes: readCount(fields.bytes, child(at, 'bytes')) };
  };
  return {
    upload: transfer(record.upload, child(path, 'upload')),
    download: transfer(record.download, child(path, 'download')),
    createLocalFolders: readCount(record.createLocalFolders, child(path, 'createLocalFolders')),
    createRemoteFolders: readCount(record.createRemoteFolders, child(path, 'createRemoteFolders')),
    conflicts: readCount(record.conflicts, child(path, 'conflicts')),
    onBoth: readCount(record.onBoth, child(path, 'onBoth')),
    skipped: readCount(record.skipped, child(path, 'skipped')),
    conflictPaths: readArray(record.conflictPaths, child(path, 'conflictPaths'), boundedString(maxPathLength, { nonEmpty: true }), 100),
  };
}

function readListRemoteFoldersRequest(value: unknown, path: string): ListRemoteFoldersRequest {
  const record = readRecord(value, path, ['path']);
  return { path: readRelativePath(record.path, child(path, 'path')) };
}

function readRemoteFolderView(value: unknown, path: string): RemoteFolderView {
  const record = readRecord(value, path, ['name', 'path']);
  return { name: readName(record.name, child(path, 'name')), path: readRelativePath(record.path, child(path, 'path')) };
}

function readRemoteFolderListing(value: unknown, path: string): RemoteFolderListing {
  const record = readRecord(value, path, ['path', 'folders', 'files']);
  return {
    path: readRelativePath(record.path, child(path, 'path')),
    folders: readArray(record.folders, child(path, 'folders'), readRemoteFolderView),
    files: readCount(record.files, child(path, 'files')),
  };
}

function readRemoteFolderSizeRequest(value: unknown, path: string): RemoteFolderSizeRequest {
  const record = readRecord(value, path, ['path']);
  return { path: readRelativePath(record.path, child(path, 'path')) };
}

function readRemoteFolderSize(value: unknown, path: string): RemoteFolderSize {
  const record = readRecord(value, path, ['path', 'bytes', 'files', 'complete']);
  return {
    path: readRelativePath(record.path, child(path, 'path')),
    bytes: readCount(record.bytes, child(path, 'bytes')),
    files: readCount(record.files, child(path, 'files')),
    complete: readBoolean(record.complete, child(path, 'complete')),
  };
}

function readLocalFreeSpaceRequest(value: unknown, path: string): LocalFreeSpaceRequest {
  const record = readRecord(value, path, ['path']);
  return { path: readAbsolutePath(record.path, child(path, 'path')) };
}

function readLocalFreeSpace(value: unknown, path: string): LocalFreeSpace {
  const record = readRecord(value, path, ['path', 'freeBytes']);
  return { path: readAbsolutePath(record.path, child(path, 'path')), freeBytes: readCount(record.freeBytes, child(path, 'freeBytes')) };
}

function readUpdatePairRequest(value: unknown, path: string): UpdatePairRequest {
  const record = readRecord(value, path, ['id', 'bandwidth', 'excludedFolders']);
  const bandwidth = optional((item, at) => {
    const limits = readRecord(item, at, ['uploadKiBps', 'downloadKiBps']);
    return definedFields({
      uploadKiBps: optional(readKiBps)(limits.uploadKiBps, child(at, 'uploadKiBps')),
      downloadKiBps: optional(readKiBps)(limits.downloadKiBps, child(at, 'downloadKiBps')),
    });
  })(record.bandwidth, child(path, 'bandwidth'));
  const excludedFolders = optional(readExcludedFolders)(record.excludedFolders, child(path, 'excludedFolders'));
  return definedFields({ id: readPairId(record.id, child(path, 'id')), bandwidth, excludedFolders });
}

function readSyncProgress(value: unknown, path: string): SyncProgress {
  const record = readRecord(value, path, ['actionsDone', 'actionsTotal', 'bytesDone', 'bytesTotal']);
  return {
    actionsDone: readCount(record.actionsDone, child(path, 'actionsDone')),
    actionsTotal: readCount(record.actionsTotal, child(path, 'actionsTotal')),
    bytesDone: readCount(record.bytesDone, child(path, 'bytesDone')),
    bytesTotal: readCount(record.bytesTotal, child(path, 'bytesTotal')),
  };
}

function readFailedPath(value: unknown, path: string): FailedPath {
  const record = readRecord(value, path, ['path', 'error']);
  return { path: boundedString(maxPathLength)(record.path, child(path, 'path')), error: readErrorInfo(record.error, child(path, 'error')) };
}

const skipReasons: readonly SkipReason[] = ['symlink', 'special', 'invalid-name', 'unreadable', 'case-conflict', 'ignored'];

function readSkippedPath(value: unknown, path: string): SkippedPath {
  const record = readRecord(value, path, ['path', 'side', 'reason', 'message']);
  return {
    path: boundedString(maxPathLength, { nonEmpty: true })(record.path, child(path, 'path')),
    side: oneOf(['local', 'remote'])(record.side, child(path, 'side')),
    reason: oneOf(skipReasons)(record.reason, child(path, 'reason')),
    message: readString(record.message, child(path, 'message')),
  };
}

function readLastRun(value: unknown, path: string): LastRunSummary {
  const record = readRecord(value, path, ['conflicts', 'errors', 'failures', 'skipped', 'skips']);
  return {
    conflicts: readCount(record.conflicts, child(path, 'conflicts')),
    errors: readCount(record.errors, child(path, 'errors')),
    failures: readArray(record.failures, child(path, 'failures'), readFailedPath, maxListedRunFailures),
    skipped: readCount(record.skipped, child(path, 'skipped')),
    skips: readArray(record.skips, child(path, 'skips'), readSkippedPath, maxListedRunSkips),
  };
}

function readFailSafeDeletion(value: unknown, path: string): FailSafeDeletion {
  const record = readRecord(value, path, ['path', 'type', 'side']);
  return {
    path: boundedString(maxPathLength, { nonEmpty: true })(record.path, child(path, 'path')),
    type: oneOf(['file', 'dir'])(record.type, child(path, 'type')),
    side: oneOf(['local', 'remote'])(record.side, child(path, 'side')),
  };
}

function readFailSafeInfo(value: unknown, path: string): FailSafeInfo {
  const record = readRecord(value, path, ['reason', 'deletions', 'total']);
  return {
    reason: oneOf(failSafeReasons)(record.reason, child(path, 'reason')),
    deletions: readArray(record.deletions, child(path, 'deletions'), readFailSafeDeletion, maxListedDeletions),
    total: readCount(record.total, child(path, 'total')),
  };
}

function readSyncStatus(value: unknown, path: string): SyncStatus {
  const record = readRecord(value, path, ['state', 'lastSyncAt', 'progress', 'problem', 'retryAt', 'watcherFallback', 'lastRun', 'failSafe', 'pending']);
  return {
    state: oneOf(syncStates)(record.state, child(path, 'state')),
    lastSyncAt: readNullableMilliseconds(record.lastSyncAt, child(path, 'lastSyncAt')),
    progress: nullable(readSyncProgress, 'an object')(record.progress, child(path, 'progress')),
    problem: readNullableErrorInfo(record.problem, child(path, 'problem')),
    retryAt: readNullableMilliseconds(record.retryAt, child(path, 'retryAt')),
    watcherFallback: readBoolean(record.watcherFallback, child(path, 'watcherFallback')),
    lastRun: nullable(readLastRun, 'an object')(record.lastRun, child(path, 'lastRun')),
    failSafe: nullable(readFailSafeInfo, 'an object')(record.failSafe, child(path, 'failSafe')),
    pending: readCount(record.pending, child(path, 'pending')),
  };
}

function readPairStatus(value: unknown, path: string): PairStatus {
  const record = readRecord(value, path, ['pairId', 'status']);
  return { pairId: readPairId(record.pairId, child(path, 'pairId')), status: readSyncStatus(record.status, child(path, 'status')) };
}

// Activity, conflicts, the fail-safe.

function readActivityFile(value: unknown, path: string): ActivityFile {
  const record = readRecord(value, path, ['path', 'from', 'error']);
  return {
    path: boundedString(maxPathLength, { nonEmpty: true })(record.path, child(path, 'path')),
    from: nullable(boundedString(maxPathLength), 'a string')(record.from, child(path, 'from')),
    error: readNullableErrorInfo(record.error, child(path, 'error')),
  };
}

function readActivityGroup(value: unknown, path: string): ActivityGroup {
  const record = readRecord(value, path, ['kind', 'count', 'files']);
  const group = {
    kind: oneOf(activityGroupKinds)(record.kind, child(path, 'kind')),
    count: integer(1, Number.MAX_SAFE_INTEGER)(record.count, child(path, 'count')),
    files: readArray(record.files, child(path, 'files'), readActivityFile, maxActivityGroupFiles),
  };
  if (group.files.length > group.count) throw new SchemaViolation(child(path, 'files'), 'no more files than count');
  return group;
}

function readActivityRun(value: unknown, path: string): ActivityRun {
  const record = readRecord(value, path, ['id', 'pairId', 'startedAt', 'endedAt', 'outcome', 'groups', 'trashRunId']);
  const run: ActivityRun = {
    id: integer(1, Number.MAX_SAFE_INTEGER)(record.id, child(path, 'id')),
    pairId: readPairId(record.pairId, child(path, 'pairId')),
    startedAt: readMilliseconds(record.startedAt, child(path, 'startedAt')),
    endedAt: readMilliseconds(record.endedAt, child(path, 'endedAt')),
    outcome: oneOf(['completed', 'interrupted'])(record.outcome, child(path, 'outcome')),
    groups: readArray(record.groups, child(path, 'groups'), readActivityGroup, activityGroupKinds.length),
  };
  // The run's folder in the pair's trash (runs recorded before it was carried have none).
  if (record.trashRunId !== undefined) run.trashRunId = readDeletedRunId(record.trashRunId, child(path, 'trashRunId'));
  if (run.endedAt < run.startedAt) throw new SchemaViolation(child(path, 'endedAt'), 'a time not before startedAt');
  if (new Set(run.groups.map((group) => group.kind)).size !== run.groups.length) throw new SchemaViolation(child(path, 'groups'), 'one group per kind');
  return run;
}

function readActivityPage(value: unknown, path: string): ActivityPage {
  const record = readRecord(value, path, ['runs', 'more']);
  return {
    runs: readArray(record.runs, child(path, 'runs'), readActivityRun, maxActivityPage),
    more: readBoolean(record.more, child(path, 'more')),
  };
}

function readActivityListRequest(value: unknown, path: string): ActivityListRequest {
  const record = readRecord(value, path, ['pairId', 'kinds', 'before', 'limit']);
  return definedFields({
    pairId: optional(readPairId)(record.pairId, child(path, 'pairId')),
    kinds: optional(arrayOf(oneOf(activityGroupKinds), activityGroupKinds.length))(record.kinds, child(path, 'kinds')),
    before: optional(integer(1, Number.MAX_SAFE_INTEGER))(record.before, child(path, 'before')),
    limit: integer(1, maxActivityPage)(record.limit, child(path, 'limit')),
  });
}

/** The activity history's file (electron/app/ActivityHistory.ts): its runs, as the window would accept them. */
export const validateActivityRuns: Validator<ActivityRun[]> = toValidator(arrayOf(readActivityRun, maxActivityRuns));

function readFileVersion(value: unknown, path: string): FileVersionView {
  const record = readRecord(value, path, ['size', 'modifiedMs']);
  return { size: readCount(record.size, child(path, 'size')), modifiedMs: readMilliseconds(record.modifiedMs, child(path, 'modifiedMs')) };
}

const readNullableFileVersion = nullable(readFileVersion, 'an object');

function readConflictInfo(value: unknown, path: string): ConflictInfo {
  const record = readRecord(value, path, ['id', 'pairId', 'path', 'copy', 'createdAt', 'mine', 'theirs']);
  return {
    id: readCount(record.id, child(path, 'id')),
    pairId: readPairId(record.pairId, child(path, 'pairId')),
    path: boundedString(maxPathLength, { nonEmpty: true })(record.path, child(path, 'path')),
    copy: boundedString(maxPathLength, { nonEmpty: true })(record.copy, child(path, 'copy')),
    createdAt: readMilliseconds(record.createdAt, child(path, 'createdAt')),
    mine: readNullableFileVersion(record.mine, child(path, 'mine')),
    theirs: readNullableFileVersion(record.theirs, child(path, 'theirs')),
  };
}

function readOpenConflictVersionRequest(value: unknown, path: string): OpenConflictVersionRequest {
  const record = readRecord(value, path, ['pairId', 'id', 'side']);
  return {
    pairId: readPairId(record.pairId, child(path, 'pairId')),
    id: integer(1, Number.MAX_SAFE_INTEGER)(record.id, child(path, 'id')),
    side: oneOf(['mine', 'theirs'])(record.side, child(path, 'side')),
  };
}

function readResolveConflictRequest(value: unknown, path: string): ResolveConflictRequest {
  const record = readRecord(value, path, ['pairId', 'id', 'keep']);
  return {
    pairId: readPairId(record.pairId, child(path, 'pairId')),
    id: integer(1, Number.MAX_SAFE_INTEGER)(record.id, child(path, 'id')),
    keep: oneOf(conflictResolutions)(record.keep, child(path, 'keep')),
  };
}

function readFailSafeDecisionRequest(value: unknown, path: string): FailSafeDecisionRequest {
  const record = readRecord(value, path, ['pairId', 'decision']);
  return {
    pairId: readPairId(record.pairId, child(path, 'pairId')),
    decision: oneOf(['allow', 'restore', 'keepWaiting'])(record.decision, child(path, 'decision')),
  };
}

// Backup and restore.

function readBackupRunRequest(value: unknown, path: string): BackupRunRequest {
  const record = readRecord(value, path, ['sources', 'dryRun', 'allowMassDelete']);
  return definedFields({
    sources: optional(arrayOf(readAbsolutePath, maxSourceCount))(record.sources, child(path, 'sources')),
    dryRun: optional(readBoolean)(record.dryRun, child(path, 'dryRun')),
    allowMassDelete: optional(readBoolean)(record.allowMassDelete, child(path, 'allowMassDelete')),
  });
}

function readBackupFailSafeDecisionRequest(value: unknown, path: string): BackupFailSafeDecisionRequest {
  const record = readRecord(value, path, ['decision']);
  return { decision: oneOf(['allow', 'leave'])(record.decision, child(path, 'decision')) };
}

function readBackupFailSafe(value: unknown, path: string): BackupFailSafeView {
  const record = readRecord(value, path, ['sources']);
  return {
    sources: readArray(
      record.sources,
      child(path, 'sources'),
      (item, at) => {
        const source = readRecord(item, at, ['name', 'root', 'backedUp', 'wouldMove', 'localFiles', 'paths']);
        return {
          name: readName(source.name, child(at, 'name')),
          root: readAbsolutePath(source.root, child(at, 'root')),
          backedUp: readCount(source.backedUp, child(at, 'backedUp')),
          wouldMove: readCount(source.wouldMove, child(at, 'wouldMove')),
          localFiles: readCount(source.localFiles, child(at, 'localFiles')),
          paths: readArray(source.paths, child(at, 'paths'), boundedString(maxPathLength, { nonEmpty: true }), maxListedDeletions),
        };
      },
      maxSourceCount,
    ),
  };
}

function readBackupListRequest(value: unknown, path: string): BackupListRequest {
  const record = readRecord(value, path, ['source', 'version']);
  const source = optional(readName)(record.source, child(path, 'source'));
  const version = optional(readVersionStamp)(record.version, child(path, 'version'));
  if (version !== undefined && source === undefined) throw new SchemaViolation(child(path, 'version'), 'a source with it');
  return definedFields({ source, version });
}

function readRestoreRequest(value: unknown, path: string): RestoreRequest {
  const record = readRecord(value, path, ['source', 'version', 'path', 'to']);
  return definedFields({
    source: readName(record.source, child(path, 'source')),
    version: optional(readVersionStamp)(record.version, child(path, 'version')),
    path: optional(readRelativePath)(record.path, child(path, 'path')),
    to: optional(readAbsolutePath)(record.to, child(path, 'to')),
  });
}

function readFileFailure(value: unknown, path: string): FileFailureView {
  const record = readRecord(value, path, ['source', 'path', 'error']);
  return {
    source: readNullableName(record.source, child(path, 'source')),
    path: boundedString(maxPathLength)(record.path, child(path, 'path')),
    error: readErrorInfo(record.error, child(path, 'error')),
  };
}

function readBackupSummary(value: unknown, path: string): BackupSummaryView {
  const record = readRecord(value, path, [
    'device',
    'version',
    'dryRun',
    'filesSent',
    'bytesSent',
    'unchanged',
    'versioned',
    'createdFolders',
    'skipped',
    'pruned',
    'failed',
    'failedTotal',
    'durationMs',
    'stopped',
    'quota',
    'failSafe',
  ]);
  return definedFields({
    device: readName(record.device, child(path, 'device')),
    version: readNullableVersionStamp(record.version, child(path, 'version')),
    dryRun: readBoolean(record.dryRun, child(path, 'dryRun')),
    filesSent: readCount(record.filesSent, child(path, 'filesSent')),
    bytesSent: readCount(record.bytesSent, child(path, 'bytesSent')),
    unchanged: readCount(record.unchanged, child(path, 'unchanged')),
    versioned: readCount(record.versioned, child(path, 'versioned')),
    createdFolders: readCount(record.createdFolders, child(path, 'createdFolders')),
    skipped: readCount(record.skipped, child(path, 'skipped')),
    pruned: readArray(record.pruned, child(path, 'pruned'), boundedString(maxPathLength)),
    failed: readArray(record.failed, child(path, 'failed'), readFileFailure, maxListedFailures),
    failedTotal: readCount(record.failedTotal, child(path, 'failedTotal')),
    durationMs: readMilliseconds(record.durationMs, child(path, 'durationMs')),
    stopped: readNullableErrorInfo(record.stopped, child(path, 'stopped')),
    quota: nullable((item, at) => {
      const quota = readRecord(item, at, ['neededBytes', 'freeBytes']);
      return { neededBytes: readCount(quota.neededBytes, child(at, 'neededBytes')), freeBytes: readCount(quota.freeBytes, child(at, 'freeBytes')) };
    }, 'an object')(record.quota, child(path, 'quota')),
    failSafe: optional(readBackupFailSafe)(record.failSafe, child(path, 'failSafe')),
  });
}

function readBackupFile(value: unknown, path: string): BackupFileView {
  const record = readRecord(value, path, ['path', 'size', 'modifiedMs']);
  return {
    path: readRelativePath(record.path, child(path, 'path')),
    size: readCount(record.size, child(path, 'size')),
    modifiedMs: readMilliseconds(record.modifiedMs, child(path, 'modifiedMs')),
  };
}

function readBackupListing(value: unknown, path: string): BackupListing {
  const record = readRecord(value, path, ['device', 'sources', 'versions', 'source', 'version', 'files', 'truncated']);
  return {
    device: readName(record.device, child(path, 'device')),
    sources: readArray(record.sources, child(path, 'sources'), readName),
    versions: readArray(record.versions, child(path, 'versions'), readVersionStamp),
    source: readNullableName(record.source, child(path, 'source')),
    version: readNullableVersionStamp(record.version, child(path, 'version')),
    files: readArray(record.files, child(path, 'files'), readBackupFile, maxListedBackupFiles),
    truncated: readBoolean(record.truncated, child(path, 'truncated')),
  };
}

function readRestoreSummary(value: unknown, path: string): RestoreSummaryView {
  const record = readRecord(value, path, [
    'source',
    'version',
    'path',
    'target',
    'restored',
    'unchanged',
    'keptAside',
    'failed',
    'failedTotal',
    'bytes',
    'durationMs',
    'stopped',
  ]);
  return {
    source: readName(record.source, child(path, 'source')),
    version: readNullableVersionStamp(record.version, child(path, 'version')),
    path: readRelativePath(record.path, child(path, 'path')),
    target: readAbsolutePath(record.target, child(path, 'target')),
    restored: readCount(record.restored, child(path, 'restored')),
    unchanged: readCount(record.unchanged, child(path, 'unchanged')),
    keptAside: readArray(record.keptAside, child(path, 'keptAside'), (item, at) => {
      const kept = readRecord(item, at, ['path', 'copy']);
      return { path: boundedString(maxPathLength)(kept.path, child(at, 'path')), copy: readAbsolutePath(kept.copy, child(at, 'copy')) };
    }),
    failed: readArray(record.failed, child(path, 'failed'), readFileFailure, maxListedFailures),
    failedTotal: readCount(record.failedTotal, child(path, 'failedTotal')),
    bytes: readCount(record.bytes, child(path, 'bytes')),
    durationMs: readMilliseconds(record.durationMs, child(path, 'durationMs')),
    stopped: readNullableErrorInfo(record.stopped, child(path, 'stopped')),
  };
}

function readBackupProgress(value: unknown, path: string): BackupProgress {
  const record = readRecord(value, path, [
    'operation',
    'phase',
    'filesDone',
    'filesTotal',
    'bytesDone',
    'bytesTotal',
    'currentFile',
    'remainingMs',
  ]);
  return {
    operation: oneOf(['backup', 'restore'])(record.operation, child(path, 'operation')),
    phase: nullable(oneOf(backupPhases), 'a phase')(record.phase, child(path, 'phase')),
    filesDone: readCount(record.filesDone, child(path, 'filesDone')),
    filesTotal: readCount(record.filesTotal, child(path, 'filesTotal')),
    bytesDone: readCount(record.bytesDone, child(path, 'bytesDone')),
    bytesTotal: readCount(record.bytesTotal, child(path, 'bytesTotal')),
    currentFile: nullable(boundedString(maxPathLength), 'a string')(record.currentFile, child(path, 'currentFile')),
    remainingMs: readNullableMilliseconds(record.remainingMs, child(path, 'remainingMs')),
  };
}

function readBackupRun(value: unknown, path: string): BackupRunView {
  const record = readRecord(value, path, [
    'startedAt',
    'endedAt',
    'sources',
    'dryRun',
    'filesSent',
    'bytesSent',
    'versioned',
    'failedTotal',
    'stopped',
    'version',
  ]);
  return {
    startedAt: readMilliseconds(record.startedAt, child(path, 'startedAt')),
    endedAt: readMilliseconds(record.endedAt, child(path, 'endedAt')),
    sources: readArray(record.sources, child(path, 'sources'), readAbsolutePath, maxSourceCount),
    dryRun: readBoolean(record.dryRun, child(path, 'dryRun')),
    filesSent: readCount(record.filesSent, child(path, 'filesSent')),
    bytesSent: readCount(record.bytesSent, child(path, 'bytesSent')),
    versioned: readCount(record.versioned, child(path, 'versioned')),
    failedTotal: readCount(record.failedTotal, child(path, 'failedTotal')),
    stopped: readNullableErrorInfo(record.stopped, child(path, 'stopped')),
    version: readNullableVersionStamp(record.version, child(path, 'version')),
  };
}

function readBackupState(value: unknown, path: string): BackupStateView {
  const record = readRecord(value, path, ['running', 'history', 'failSafe', 'retryAt', 'nextRunAt']);
  return definedFields({
    running: nullable((item, at) => {
      const running = readRecord(item, at, ['operation', 'progress']);
      return {
        operation: oneOf(['backup', 'restore'])(running.operation, child(at, 'operation')),
        progress: nullable(readBackupProgress, 'an object')(running.progress, child(at, 'progress')),
      };
    }, 'an object')(record.running, child(path, 'running')),
    history: readArray(record.history, child(path, 'history'), readBackupRun, maxBackupHistory),
    failSafe: optional(readBackupFailSafe)(record.failSafe, child(path, 'failSafe')),
    retryAt: optional(readMilliseconds)(record.retryAt, child(path, 'retryAt')),
    nextRunAt: optional(readMilliseconds)(record.nextRunAt, child(path, 'nextRunAt')),
  });
}

// Deleted files (each pair's server-side trash).

/** A run folder of the trash: `YYYY-MM-DDTHHMMSSZ`, maybe with `-N` (electron/sync/remoteTrash.ts). */
function readDeletedRunId(value: unknown, path: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{6}Z(?:-\d{1,6})?$/.test(value)) throw new SchemaViolation(path, 'a deleted-files run id like 2026-12-05T235329Z');
  return value;
}

function readNonEmptyRelativePath(value: unknown, path: string): string {
  const text = readRelativePath(value, path);
  if (text === '') throw new SchemaViolation(path, 'a file or folder of the run');
  return text;
}

function readDeletedRun(value: unknown, path: string): DeletedRunView {
  const record = readRecord(value, path, ['runId', 'deletedAt', 'files', 'bytes']);
  return {
    runId: readDeletedRunId(record.runId, child(path, 'runId')),
    deletedAt: readMilliseconds(record.deletedAt, child(path, 'deletedAt')),
    files: readArray(record.files, child(path, 'files'), (item, at) => {
      const file = readRecord(item, at, ['path', 'size']);
      return { path: readNonEmptyRelativePath(file.path, child(at, 'path')), size: readCount(file.size, child(at, 'size')) };
    }),
    bytes: readCount(record.bytes, child(path, 'bytes')),
  };
}

function readPairDeletedFiles(value: unknown, path: string): PairDeletedFiles {
  const record = readRecord(value, path, ['pairId', 'runs', 'bytes', 'problem']);
  return {
    pairId: readPairId(record.pairId, child(path, 'pairId')),
    runs: readArray(record.runs, child(path, 'runs'), readDeletedRun),
    bytes: readCount(record.bytes, child(path, 'bytes')),
    problem: readNullableErrorInfo(record.problem, child(path, 'problem')),
  };
}

function readDeletedFilesUsage(value: unknown, path: string): DeletedFilesUsage {
  const record = readRecord(value, path, ['bytes', 'retentionDays']);
  return { bytes: readCount(record.bytes, child(path, 'bytes')), retentionDays: integer(1, 365)(record.retentionDays, child(path, 'retentionDays')) };
}

function readRestoredDeletedEntry(value: unknown, path: string): RestoredDeletedEntry {
  const record = readRecord(value, path, ['path', 'restoredTo']);
  return { path: readNonEmptyRelativePath(record.path, child(path, 'path')), restoredTo: readNonEmptyRelativePath(record.restoredTo, child(path, 'restoredTo')) };
}

function readDeletedRestoreRequest(value: unknown, path: string): DeletedRestoreRequest {
  const record = readRecord(value, path, ['pairId', 'runId', 'path']);
  return definedFields({
    pairId: readPairId(record.pairId, child(path, 'pairId')),
    runId: readDeletedRunId(record.runId, child(path, 'runId')),
    path: optional(readNonEmptyRelativePath)(record.path, child(path, 'path')),
  });
}

function readDeletedPurgeRequest(value: unknown, path: string): DeletedPurgeRequest {
  const record = readRecord(value, path, ['pairId', 'runId']);
  return { pairId: readPairId(record.pairId, child(path, 'pairId')), runId: readDeletedRunId(record.runId, child(path, 'runId')) };
}

// Settings.

function readSettingsView(value: unknown, path: string): SettingsView {
  const record = readRecord(value, path, ['pairs', 'sync', 'backup', 'app', 'update']);
  const pairs = readArray(record.pairs, child(path, 'pairs'), readPairView);
  const syncPath = child(path, 'sync');
  const sync = readRecord(record.sync, syncPath, ['pollIntervalSeconds', 'fullScanMinutes', 'ignorePatterns', 'parallelTransfers', ...deletedFilesSettingKeys]);
  const backupPath = child(path, 'backup');
  const backup = readRecord(record.backup, backupPath, ['sources', 'device', 'retentionDays', 'schedule']);
  const appPath = child(path, 'app');
  const app = readRecord(record.app, appPath, ['startAtLogin', 'notifications', 'theme', 'language']);
  const updatePath = child(path, 'update');
  const update = readRecord(record.update, updatePath, ['enabled', 'channel']);
  return {
    pairs,
    sync: {
      pollIntervalSeconds: readPollIntervalSeconds(sync.pollIntervalSeconds, child(syncPath, 'pollIntervalSeconds')),
      fullScanMinutes: readFullScanMinutes(sync.fullScanMinutes, child(syncPath, 'fullScanMinutes')),
      ignorePatterns: readIgnorePatterns(sync.ignorePatterns, child(syncPath, 'ignorePatterns')),
      parallelTransfers: readParallelTransfers(sync.parallelTransfers, child(syncPath, 'parallelTransfers')),
      failSafePercent: readFailSafePercent(sync.failSafePercent, child(syncPath, 'failSafePercent')),
      deletedRetentionDays: readDeletedRetentionDays(sync.deletedRetentionDays, child(syncPath, 'deletedRetentionDays')),
    },
    backup: {
      sources: readArray(backup.sources, child(backupPath, 'sources'), readAbsolutePath, maxSourceCount),
      device: readNullableDeviceName(backup.device, child(backupPath, 'device')),
      retentionDays: readRetentionDays(backup.retentionDays, child(backupPath, 'retentionDays')),
      schedule: oneOf(backupSchedules)(backup.schedule, child(backupPath, 'schedule')),
    },
    app: {
      startAtLogin: nullable(readBoolean, 'true or false')(app.startAtLogin, child(appPath, 'startAtLogin')),
      notifications: readBoolean(app.notifications, child(appPath, 'notifications')),
      theme: oneOf(themes)(app.theme, child(appPath, 'theme')),
      language: oneOf(languages)(app.language, child(appPath, 'language')),
    },
    update: {
      enabled: readBoolean(update.enabled, child(updatePath, 'enabled')),
      channel: oneOf(updateChannels)(update.channel, child(updatePath, 'channel')),
    },
  };
}

function readSettingsUpdate(value: unknown, path: string): SettingsUpdate {
  const record = readRecord(value, path, ['sync', 'backup', 'app', 'update']);
  const sync = optional((item, at): SettingsUpdate['sync'] => {
    const fields = readRecord(item, at, ['pollIntervalSeconds', 'fullScanMinutes', 'ignorePatterns', 'parallelTransfers', ...deletedFilesSettingKeys]);
    return definedFields({
      pollIntervalSeconds: optional(readPollIntervalSeconds)(fields.pollIntervalSeconds, child(at, 'pollIntervalSeconds')),
      fullScanMinutes: optional(readFullScanMinutes)(fields.fullScanMinutes, child(at, 'fullScanMinutes')),
      ignorePatterns: optional(readIgnorePatterns)(fields.ignorePatterns, child(at, 'ignorePatterns')),
      parallelTransfers: optional(readParallelTransfers)(fields.parallelTransfers, child(at, 'parallelTransfers')),
      failSafePercent: optional(readFailSafePercent)(fields.failSafePercent, child(at, 'failSafePercent')),
      deletedRetentionDays: optional(readDeletedRetentionDays)(fields.deletedRetentionDays, child(at, 'deletedRetentionDays')),
    });
  })(record.sync, child(path, 'sync'));
  const backup = optional((item, at): SettingsUpdate['backup'] => {
    const fields = readRecord(item, at, ['sources', 'device', 'retentionDays', 'schedule']);
    return definedFields({
      sources: optional(arrayOf(readAbsolutePath, maxSourceCount))(fields.sources, child(at, 'sources')),
      device: optional(readNullableDeviceName)(fields.device, child(at, 'device')),
      retentionDays: optional(readRetentionDays)(fields.retentionDays, child(at, 'retentionDays')),
      schedule: optional(oneOf(backupSchedules))(fields.schedule, child(at, 'schedule')),
    });
  })(record.backup, child(path, 'backup'));
  const app = optional((item, at): SettingsUpdate['app'] => {
    const fields = readRecord(item, at, ['startAtLogin', 'notifications', 'theme', 'language']);
    return definedFields({
      startAtLogin: optional(readBoolean)(fields.startAtLogin, child(at, 'startAtLogin')),
      notifications: optional(readBoolean)(fields.notifications, child(at, 'notifications')),
      theme: optional(oneOf(themes))(fields.theme, child(at, 'theme')),
      language: optional(oneOf(languages))(fields.language, child(at, 'language')),
    });
  })(record.app, child(path, 'app'));
  const update = optional((item, at): SettingsUpdate['update'] => {
    const fields = readRecord(item, at, ['enabled', 'channel']);
    return definedFields({
      enabled: optional(readBoolean)(fields.enabled, child(at, 'enabled')),
      channel: optional(oneOf(updateChannels))(fields.channel, child(at, 'channel')),
    });
  })(record.update, child(path, 'update'));
  return definedFields({ sync, backup, app, update });
}

// Updates of the app itself.

const updateChannels = ['stable', 'beta'] as const satisfies readonly UpdateChannel[];
const updatePhases = ['disabled', 'idle', 'checking', 'downloading', 'ready', 'installing'] as const satisfies readonly UpdatePhase[];
const updateDisabledReasons = ['setting', 'not-packaged', 'unsupported', 'no-feed'] as const satisfies readonly UpdateDisabledReason[];
const updateBusyReasons = ['sync', 'backup'] as const satisfies readonly UpdateBusyReason[];
/** Versions are semver: short, printable. */
const readVersion = boundedString(64, { nonEmpty: true });

function readUpdateState(value: unknown, path: string): UpdateStateView {
  const record = readRecord(value, path, [
    'phase',
    'disabledReason',
    'currentVersion',
    'version',
    'percent',
    'lastCheckedAt',
    'problem',
    'nextCheckAt',
    'restartPending',
    'busy',
  ]);
  const phase = oneOf(updatePhases)(record.phase, child(path, 'phase'));
  const disabledReason = nullable(oneOf(updateDisabledReasons), 'a reason')(record.disabledReason, child(path, 'disabledReason'));
  if ((phase === 'disabled') !== (disabledReason !== null)) throw new SchemaViolation(child(path, 'disabledReason'), 'a reason exactly when disabled');
  const version = nullable(readVersion, 'a version')(record.version, child(path, 'version'));
  if ((phase === 'downloading' || phase === 'ready' || phase === 'installing') && version === null) {
    throw new SchemaViolation(child(path, 'version'), `the version ${phase === 'downloading' ? 'being downloaded' : 'downloaded'}`);
  }
  return {
    phase,
    disabledReason,
    currentVersion: readVersion(record.currentVersion, child(path, 'currentVersion')),
    version,
    percent: nullable(integer(0, 100), 'a percentage')(record.percent, child(path, 'percent')),
    lastCheckedAt: readNullableMilliseconds(record.lastCheckedAt, child(path, 'lastCheckedAt')),
    problem: readNullableErrorInfo(record.problem, child(path, 'problem')),
    nextCheckAt: readNullableMilliseconds(record.nextCheckAt, child(path, 'nextCheckAt')),
    restartPending: readBoolean(record.restartPending, child(path, 'restartPending')),
    busy: nullable(oneOf(updateBusyReasons), 'a run')(record.busy, child(path, 'busy')),
  };
}

// The shell.

function readOpenFolderRequest(value: unknown, path: string): OpenFolderRequest {
  const record = readRecord(value, path, ['kind', 'pairId']);
  const kind = oneOf(['syncFolder', 'logs'])(record.kind, child(path, 'kind'));
  const pairId = optional(readPairId)(record.pairId, child(path, 'pairId'));
  if (kind === 'syncFolder' && pairId === undefined) throw new SchemaViolation(child(path, 'pairId'), 'a pair id');
  if (kind === 'logs' && pairId !== undefined) throw new SchemaViolation(child(path, 'pairId'), 'no pair for the logs');
  return definedFields({ kind, pairId });
}

function readOpenUrlRequest(value: unknown, path: string): OpenUrlRequest {
  const record = readRecord(value, path, ['url']);
  return { url: readHttpsUrl(record.url, child(path, 'url')) };
}

function readShowFileRequest(value: unknown, path: string): ShowFileRequest {
  const record = readRecord(value, path, ['pairId', 'path']);
  const file = readRelativePath(record.path, child(path, 'path'));
  if (file === '') throw new SchemaViolation(child(path, 'path'), 'a file in the pair\'s folder');
  return { pairId: readPairId(record.pairId, child(path, 'pairId')), path: file };
}

function readPickPathRequest(value: unknown, path: string): PickPathRequest {
  const record = readRecord(value, path, ['purpose']);
  return { purpose: oneOf(pickPurposes)(record.purpose, child(path, 'purpose')) };
}

const readNullableAbsolutePath = nullable(readAbsolutePath, 'an absolute path');

// The proxy (settings format 4's proxy section; the same rules as electron/app/settings.ts).

/** A host name or IP address, or '' (only 'http' and 'socks5' need one; main says so by name). */
function readProxyHost(value: unknown, path: string): string {
  const text = boundedString(proxyLimits.hostLength)(value, path).trim();
  if (text !== '' && !isProxyHost(text)) {
    throw new SchemaViolation(path, 'a host name or IP address (no scheme, no port, no spaces)');
  }
  return text;
}

const readProxyPort = integer(proxyLimits.port.min, proxyLimits.port.max);

function readProxyUser(value: unknown, path: string): string {
  const text = boundedString(proxyLimits.userLength)(value, path);
  if (controlCharacters.test(text)) throw new SchemaViolation(path, 'a user name on one line');
  return text;
}
/** null, or a user name (and then its own message when it is not one). */
function readNullableProxyUser(value: unknown, path: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw new SchemaViolation(path, 'a user name or null');
  return readProxyUser(value, path);
}

function readProxySettingsView(value: unknown, path: string): ProxySettingsView {
  const record = readRecord(value, path, ['mode', 'host', 'port', 'user', 'passwordStored']);
  return {
    mode: oneOf(proxyModes)(record.mode, child(path, 'mode')),
    host: readProxyHost(record.host, child(path, 'host')),
    port: readProxyPort(record.port, child(path, 'port')),
    user: readNullableProxyUser(record.user, child(path, 'user')),
    passwordStored: readBoolean(record.passwordStored, child(path, 'passwordStored')),
  };
}

function readProxySettingsInput(value: unknown, path: string): ProxySettingsInput {
  const record = readRecord(value, path, ['mode', 'host', 'port', 'user', 'password', 'clearPassword']);
  return definedFields({
    mode: oneOf(proxyModes)(record.mode, child(path, 'mode')),
    host: readProxyHost(record.host, child(path, 'host')),
    port: readProxyPort(record.port, child(path, 'port')),
    user: readNullableProxyUser(record.user, child(path, 'user')),
    password: optional(boundedString(proxyLimits.passwordLength))(record.password, child(path, 'password')),
    clearPassword: optional(readBoolean)(record.clearPassword, child(path, 'clearPassword')),
  });
}

function readProxyTestResult(value: unknown, path: string): ProxyTestResult {
  const record = readRecord(value, path, ['ok', 'target', 'via', 'error']);
  const ok = readBoolean(record.ok, child(path, 'ok'));
  const error = readNullableErrorInfo(record.error, child(path, 'error'));
  if (ok !== (error === null)) throw new SchemaViolation(child(path, 'error'), ok ? 'null when ok' : 'the failure when not ok');
  return {
    ok,
    target: readHttpUrl(record.target, child(path, 'target')),
    via: readNullableString(record.via, child(path, 'via')),
    error,
  };
}

/** An http(s) URL without credentials (the service, or the emulator on loopback). */
function readHttpUrl(value: unknown, path: string): string {
  const text = boundedString(maxUrlLength)(value, path);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SchemaViolation(path, 'an http(s) URL');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') throw new SchemaViolation(path, 'an http(s) URL');
  return text;
}

function toValidator<T>(read: Reader<T>): Validator<T> {
  return (value) => {
    try {
      return { ok: true, value: read(value, '') };
    } catch (error) {
      if (error instanceof SchemaViolation) return { ok: false, error: { code: invalidPayloadCode, message: error.message } };
      throw error;
    }
  };
}

export const validateNoPayload: Validator<undefined> = toValidator(readNoPayload);
export const validateAppOverview: Validator<AppOverview> = toValidator(readAppOverview);
export const validateErrorInfo: Validator<ErrorInfo> = toValidator(readErrorInfo);
export const validateAccountInfo: Validator<AccountInfo | null> = toValidator(readNullableAccountInfo);
export const validatePairView: Validator<PairView> = toValidator(readPairView);
export const validatePairStatus: Validator<PairStatus> = toValidator(readPairStatus);
export const validateActivityRun: Validator<ActivityRun> = toValidator(readActivityRun);
export const validateConflicts: Validator<ConflictInfo[]> = toValidator(arrayOf(readConflictInfo));
export const validateBackupProgress: Validator<BackupProgress> = toValidator(readBackupProgress);
export const validateSettingsView: Validator<SettingsView> = toValidator(readSettingsView);
export const validateBackupState: Validator<BackupStateView> = toValidator(readBackupState);
export const validateUpdateState: Validator<UpdateStateView> = toValidator(readUpdateState);

/** Every channel's request validator; the mapped type makes a missing one a compile error. */
export const requestValidators: { readonly [C in IpcChannel]: Validator<IpcRequest<C>> } = {
  'app:getOverview': validateNoPayload,
  'account:get': validateNoPayload,
  'account:signInWithPassword': toValidator(readPasswordSignInRequest),
  'account:signInWithOAuth': toValidator(readOAuthSignInRequest),
  'account:signOut': validateNoPayload,
  'account:cancelSignIn': validateNoPayload,
  'pairs:list': validateNoPayload,
  'pairs:add': toValidator(readAddPairRequest),
  'pairs:update': toValidator(readUpdatePairRequest),
  'pairs:remove': toValidator(readPairRequest),
  'pairs:pause': toValidator(readPairRequest),
  'pairs:resume': toValidator(readPairRequest),
  'pairs:syncNow': toValidator(readPairRequest),
  'pairs:preview': toValidator(readPreviewPairRequest),
  'remote:listFolders': toValidator(readListRemoteFoldersRequest),
  'remote:folderSize': toValidator(readRemoteFolderSizeRequest),
  'local:freeSpace': toValidator(readLocalFreeSpaceRequest),
  'status:get': validateNoPayload,
  'activity:list': toValidator(readActivityListRequest),
  'conflicts:list': validateNoPayload,
  'conflicts:resolve': toValidator(readResolveConflictRequest),
  'conflicts:open': toValidator(readOpenConflictVersionRequest),
  'failsafe:decide': toValidator(readFailSafeDecisionRequest),
  'backup:run': toValidator(readBackupRunRequest),
  'backup:cancel': validateNoPayload,
  'backup:list': toValidator(readBackupListRequest),
  'restore:run': toValidator(readRestoreRequest),
  'backup:getState': validateNoPayload,
  'backup:decideFailSafe': toValidator(readBackupFailSafeDecisionRequest),
  'settings:get': validateNoPayload,
  'settings:update': toValidator(readSettingsUpdate),
  'proxy:get': validateNoPayload,
  'proxy:save': toValidator(readProxySettingsInput),
  'proxy:test': toValidator(readProxySettingsInput),
  'shell:openFolder': toValidator(readOpenFolderRequest),
  'shell:openUrl': toValidator(readOpenUrlRequest),
  'shell:showFile': toValidator(readShowFileRequest),
  'dialog:pickPath': toValidator(readPickPathRequest),
  'deleted:list': validateNoPayload,
  'deleted:restore': toValidator(readDeletedRestoreRequest),
  'deleted:purge': toValidator(readDeletedPurgeRequest),
  'deleted:usage': validateNoPayload,
  'update:getState': validateNoPayload,
  'update:check': validateNoPayload,
  'update:restart': validateNoPayload,
};

/** Every channel's response validator. */
export const responseValidators: { readonly [C in IpcChannel]: Validator<IpcResponse<C>> } = {
  'app:getOverview': validateAppOverview,
  'account:get': validateAccountInfo,
  'account:signInWithPassword': toValidator(readSignInResult),
  'account:signInWithOAuth': toValidator(readSignInResult),
  'account:signOut': toValidator(readSignOutResult),
  'account:cancelSignIn': validateNoPayload,
  'pairs:list': toValidator(arrayOf(readPairView)),
  'pairs:add': validatePairView,
  'pairs:update': validatePairView,
  'pairs:remove': validateNoPayload,
  'pairs:pause': validatePairView,
  'pairs:resume': validatePairView,
  'pairs:syncNow': validateNoPayload,
  'pairs:preview': toValidator(readPairPreview),
  'remote:listFolders': toValidator(readRemoteFolderListing),
  'remote:folderSize': toValidator(readRemoteFolderSize),
  'local:freeSpace': toValidator(readLocalFreeSpace),
  'status:get': toValidator(arrayOf(readPairStatus)),
  'activity:list': toValidator(readActivityPage),
  'conflicts:list': validateConflicts,
  'conflicts:resolve': validateNoPayload,
  'conflicts:open': validateNoPayload,
  'failsafe:decide': validateNoPayload,
  'backup:run': toValidator(readBackupSummary),
  'backup:cancel': validateNoPayload,
  'backup:list': toValidator(readBackupListing),
  'restore:run': toValidator(readRestoreSummary),
  'backup:getState': validateBackupState,
  'backup:decideFailSafe': toValidator(nullable(readBackupSummary, 'a backup summary')),
  'settings:get': validateSettingsView,
  'settings:update': validateSettingsView,
  'proxy:get': toValidator(readProxySettingsView),
  'proxy:save': toValidator(readProxySettingsView),
  'proxy:test': toValidator(readProxyTestResult),
  'shell:openFolder': validateNoPayload,
  'shell:openUrl': validateNoPayload,
  'shell:showFile': validateNoPayload,
  'dialog:pickPath': toValidator(readNullableAbsolutePath),
  'deleted:list': toValidator(arrayOf(readPairDeletedFiles)),
  'deleted:restore': toValidator(arrayOf(readRestoredDeletedEntry)),
  'deleted:purge': validateNoPayload,
  'deleted:usage': toValidator(readDeletedFilesUsage),
  'update:getState': validateUpdateState,
  'update:check': validateUpdateState,
  'update:restart': validateUpdateState,
};

/** Every event's payload validator. */
export const eventValidators: { readonly [E in IpcEventName]: Validator<IpcEventPayload<E>> } = {
  'status:changed': validatePairStatus,
  'activity:runAdded': validateActivityRun,
  'conflicts:changed': validateConflicts,
  'backup:progress': validateBackupProgress,
  'account:changed': validateAccountInfo,
  'settings:changed': validateSettingsView,
  'backup:changed': validateBackupState,
  'update:changed': validateUpdateState,
};

function withContext<T>(result: Result<T>, context: string): Result<T> {
  if (result.ok) return result;
  return { ok: false, error: { code: result.error.code, message: `${context}: ${result.error.message}` } };
}

/** Checks what the renderer sent on `channel`; the error message names the channel and field. */
export function validateRequest<C extends IpcChannel>(channel: C, payload: unknown): Result<IpcRequest<C>> {
  const validate = requestValidators[channel] as Validator<IpcRequest<C>>;
  const result = validate(payload);
  if (result.ok) return result;
  return { ok: false, error: { code: ErrorCode.InvalidRequest, message: `Invalid ${channel} request: ${result.error.message}` } };
}

/** Checks what main is about to answer on `channel`. */
export function validateResponse<C extends IpcChannel>(channel: C, payload: unknown): Result<IpcResponse<C>> {
  const validate = responseValidators[channel] as Validator<IpcResponse<C>>;
  return withContext(validate(payload), `Invalid ${channel} response`);
}

/** Checks what main is about to push as `event`. */
export function validateEvent<E extends IpcEventName>(event: E, payload: unknown): Result<IpcEventPayload<E>> {
  const validate = eventValidators[event] as Validator<IpcEventPayload<E>>;
  return withContext(validate(payload), `Invalid ${event} event`);
}
