/**
 * The schemas of every payload that crosses the process boundary, and the validators built
 * from them: each request the renderer sends (main checks it before acting), each response
 * main sends and each event it pushes (checked before they leave, so the window only ever sees
 * what the contract promises and never a field that slipped in, such as a token). Both
 * transports use these: Electron's IPC (electron/main/ipc.ts) and the WebSocket bridge for
 * tests (dev/ipcBridge).
 *
 * One source: the payload types of shared/types.ts and shared/ipc/contract.ts are inferred
 * from the schemas below (`v.InferOutput`), so a field and its check cannot drift apart; a
 * field's doc comment sits on its schema. The schemas are valibot's, run through
 * shared/validation.ts: objects are strict (an unknown field is an error, not silently passed
 * on), strings are bounded, and every validator returns a fresh copy. An error message names
 * the field and what was expected, never the value (which may be a password). The numbers of
 * settings.json come from shared/limits.ts, as electron/app/settings.ts checks the file with
 * them.
 */
import * as v from 'valibot';
import { ErrorCode, type ErrorInfo, type Result } from '../errors.js';
import { settingsLimits, stringLimits } from '../limits.js';
import { controlCharacters, isAbsolutePath, isPatternLine, isPlainName, isRelativePath, isUrlLike, maxNameLength } from '../pathRules.js';
import { isProxyHost, proxyLimits, proxyModes, secretStoreKinds } from '../types.js';
import { boundedString, check, integer, nullable, rule, strictObject, withFieldRule, type Same } from '../validation.js';
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
  type IpcChannel,
  type IpcEventName,
  type IpcEventPayload,
  type IpcRequest,
  type IpcResponse,
} from './contract.js';

export type Validator<T> = (value: unknown) => Result<T>;

/** Generous bounds for paths, URLs, names and messages; they only stop absurd payloads. */
const maxStringLength = stringLimits.text;
const maxArrayLength = stringLimits.list;
const maxPathLength = stringLimits.path;
const maxUrlLength = stringLimits.url;
const maxUserIdLength = stringLimits.name;
const maxPasswordLength = stringLimits.password;
/** Backup sources and other lists the user builds by hand. */
const maxSourceCount = stringLimits.sourceCount;
/** Ignore patterns: one line each, as in a .gitignore; as many as settings.json may hold. */
const maxPatternCount = settingsLimits.ignorePatternCount;
const maxPatternLength = settingsLimits.ignorePatternLength;

// The pieces every payload is made of.

const text = boundedString(maxStringLength);
const bool = v.boolean('true or false');
/** Counts, byte sizes, ids. */
const count = integer(0, Number.MAX_SAFE_INTEGER);
const positiveId = integer(1, Number.MAX_SAFE_INTEGER);
/** Times and durations in ms: clocks may give fractions. */
const milliseconds = v.pipe(
  v.number('a number of milliseconds'),
  v.finite('a number of milliseconds'),
  v.minValue(0, 'a number of milliseconds'),
);
const noPayload = v.undefined('no payload');

/** An array of at most `max` items (`maxArrayLength` unless told). */
function listOf<const S extends v.GenericSchema>(item: S, max: number = maxArrayLength) {
  return v.pipe(v.array(item, 'an array'), v.maxLength(max, `at most ${max} items`));
}

/** A field that may be left out (undefined); the copy then has no such key. */
const optional = v.optional;

// Text that names things on disk or on the server (the rules in shared/pathRules.ts).

const absolutePath = v.pipe(
  boundedString(maxPathLength),
  rule<string>((value) => (value.includes('\0') || !isAbsolutePath(value) ? 'an absolute path' : null)),
);

const relativePathExpected = "a relative path like 'Documents/Work' (no '..', no leading or trailing '/')";

/** What is wrong with a '/'-separated relative path ('' for the top), or null. */
function relativePathProblem(value: string): string | null {
  return value === '' || isRelativePath(value) ? null : relativePathExpected;
}

/**
 * A '/'-separated relative path ('' for the top): no leading, trailing or doubled '/', no '.'
 * or '..' segment, no backslash, no control character.
 */
const relativePath = v.pipe(boundedString(maxPathLength), rule(relativePathProblem));

/** A relative path that names something: not ''. */
function nonEmptyRelativePath(expected: string) {
  return v.pipe(relativePath, rule<string>((value) => (value === '' ? expected : null)));
}

/** One name on disk or on the server: no separator, not '.' or '..', no control character. */
const name = v.pipe(
  boundedString(maxNameLength, { nonEmpty: true }),
  rule<string>((value) => (isPlainName(value) ? null : 'a name without / or \\')),
);

/** Ids of pairs, as the settings make them (electron/app/settings.ts). */
const pairId = v.pipe(v.string('a pair id'), v.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'a pair id'));

/** What is wrong with a URL that must be http(s) (or https: only) without credentials, or null. */
function urlProblem(value: string, protocols: readonly string[], expected: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return expected;
  }
  return !protocols.includes(url.protocol) || url.username !== '' || url.password !== '' ? expected : null;
}

/** A pair's remote folder: a relative path (see relativePath), or an http(s) URL without credentials, as given. */
const remoteFolder = v.pipe(
  boundedString(maxUrlLength),
  rule<string>((value) => {
    if (isUrlLike(value)) return urlProblem(value, ['https:', 'http:'], 'a folder path or an http(s) URL');
    if (value.length > maxPathLength) return `at most ${maxPathLength} characters`;
    return relativePathProblem(value);
  }),
);

/** What the user typed as a remote folder: leading and trailing '/' are dropped, as the settings do. */
const remoteFolderInput = v.pipe(
  v.string('a string'),
  v.transform((value) => (isUrlLike(value) ? value : value.replace(/^\/+|\/+$/g, ''))),
  remoteFolder,
);

/** A backup version folder's name, `2025-01-31T235959Z`. */
const versionStamp = v.pipe(
  v.string('a version like 2025-01-31T235959Z'),
  v.regex(/^\d{4}-\d{2}-\d{2}T\d{6}Z$/, 'a version like 2025-01-31T235959Z'),
);

/** A parsed https: URL without credentials, returned in its parsed form. */
const httpsUrl = v.pipe(
  boundedString(maxUrlLength),
  rule<string>((value) => urlProblem(value, ['https:'], 'an https: URL')),
  v.transform((value) => new URL(value).href),
);

/** An http(s) URL without credentials (the service, or the emulator on loopback), as given. */
const httpUrl = v.pipe(
  boundedString(maxUrlLength),
  rule<string>((value) => urlProblem(value, ['https:', 'http:'], 'an http(s) URL')),
);

/** A run folder of the trash: `YYYY-MM-DDTHHMMSSZ`, maybe with `-N` (electron/sync/remoteTrash.ts). */
const deletedRunId = v.pipe(
  v.string('a deleted-files run id like 2026-12-05T235329Z'),
  v.regex(/^\d{4}-\d{2}-\d{2}T\d{6}Z(?:-\d{1,6})?$/, 'a deleted-files run id like 2026-12-05T235329Z'),
);

/** A path a report names: not '', at most maxPathLength. */
const reportedPath = boundedString(maxPathLength, { nonEmpty: true });

// Shared pieces.

export const authMethodSchema = v.picklist(['basic', 'oauth2']);
/** How the account signs in; the secret itself lives in the SecretStore, never here. */
export type AuthMethod = v.InferOutput<typeof authMethodSchema>;

const errorCodes = Object.values(ErrorCode);

export const errorInfoSchema = strictObject({
  code: v.picklist(errorCodes),
  message: text,
});
/** ErrorInfo stays declared in shared/errors.ts, beside TeraSyncError that makes it: this schema must describe exactly it. */
true satisfies Same<ErrorInfo, v.InferOutput<typeof errorInfoSchema>>;
const nullableErrorInfo = nullable(errorInfoSchema, 'an object');

export const syncStateSchema = v.picklist(['idle', 'scanning', 'syncing', 'paused', 'offline', 'error', 'failsafe', 'stopped']);
/** What one sync pair's engine is doing: the tray icon, the status screen, `terasync status`. */
export type SyncState = v.InferOutput<typeof syncStateSchema>;

const activityGroupKinds = [
  'addedRemote',
  'updatedRemote',
  'addedLocal',
  'updatedLocal',
  'deletedRemote',
  'deletedLocal',
  'moved',
  'conflict',
  'failed',
] as const;
export const activityGroupKindSchema = v.picklist(activityGroupKinds);
/**
 * What happened to the files of a group: added or updated on TeraCLOUD (uploads), added or
 * updated on this computer (downloads), deleted on either side, moved, kept as a conflict, or
 * failed.
 */
export type ActivityGroupKind = v.InferOutput<typeof activityGroupKindSchema>;

export const backupPhaseSchema = v.picklist(['scanning', 'listing', 'comparing', 'quota', 'sending', 'versioning', 'pruning', 'done']);
export type BackupPhase = v.InferOutput<typeof backupPhaseSchema>;

export const conflictResolutionSchema = v.picklist(['local', 'remote', 'both']);
export type ConflictResolution = v.InferOutput<typeof conflictResolutionSchema>;

export const themeSchema = v.picklist(['system', 'light', 'dark']);
export type Theme = v.InferOutput<typeof themeSchema>;

export const languageSchema = v.picklist(['system', 'en', 'ja']);
/** The window's language; 'system' follows the system's. */
export type Language = v.InferOutput<typeof languageSchema>;

export const failSafeReasonSchema = v.picklist(['massDelete', 'localEmpty', 'localMissing', 'remoteGone']);
/**
 * Why a run stopped before deleting:
 * - 'massDelete': it would delete more than half of the synced files (and at least ten);
 * - 'localEmpty': the local folder is empty while the journal remembers synced files;
 * - 'localMissing': the local folder is gone (an unmounted drive looks the same);
 * - 'remoteGone': the server folder is gone.
 */
export type FailSafeReason = v.InferOutput<typeof failSafeReasonSchema>;

export const pickPurposeSchema = v.picklist(['syncFolder', 'backupSource', 'restoreTarget', 'caCertificate']);
/** What the window asks the system's dialog for: a folder, or (caCertificate) a PEM file. */
export type PickPurpose = v.InferOutput<typeof pickPurposeSchema>;

export const backupScheduleSchema = v.picklist(['manual', 'hourly', 'daily', 'login']);
/**
 * When the app backs up by itself: 'manual' only when asked, 'hourly' and 'daily' an hour or
 * a day after the last backup, 'login' once when the app starts.
 */
export type BackupSchedule = v.InferOutput<typeof backupScheduleSchema>;

export const skipReasonSchema = v.picklist(['symlink', 'special', 'invalid-name', 'unreadable', 'case-conflict', 'ignored']);
/** Why a path was left alone: the window says it in the user's language from this. */
export type SkipReason = v.InferOutput<typeof skipReasonSchema>;

const side = v.picklist(['local', 'remote']);
const operation = v.picklist(['backup', 'restore']);

// The limits of the settings, as settings.json is checked with them (shared/limits.ts).
const within = (range: { min: number; max: number }) => integer(range.min, range.max);
const pollIntervalSeconds = within(settingsLimits.pollIntervalSeconds);
const fullScanMinutes = within(settingsLimits.fullScanMinutes);
/** 0 keeps every version. */
const retentionDays = within(settingsLimits.retentionDays);
/** KiB/s; 0 is unlimited; 10 GiB/s is more than any link. */
const kiBps = within(settingsLimits.bandwidthKiBps);
const parallelTransfers = within(settingsLimits.parallelTransfers);
const failSafePercent = within(settingsLimits.failSafePercent);
const deletedRetentionDays = within(settingsLimits.deletedRetentionDays);

/** One ignore pattern (gitignore syntax): one line, not blank. */
const ignorePattern = v.pipe(
  boundedString(maxPatternLength, { nonEmpty: true }),
  rule<string>((value) => (isPatternLine(value) ? null : 'one line of a pattern')),
);
const ignorePatterns = listOf(ignorePattern, maxPatternCount);

/** Selective sync: relative folder paths, none empty, each once. */
const excludedFolders = v.pipe(
  listOf(nonEmptyRelativePath("a folder below the pair's folder"), settingsLimits.excludedFolderCount),
  rule<string[]>((folders) => (new Set(folders).size === folders.length ? null : 'each folder once')),
);

/** The backup's device folder name; the backup engine makes it safe for the server. */
const deviceName = v.pipe(
  boundedString(maxNameLength, { nonEmpty: true }),
  rule<string>((value) => (value.trim() === '' || controlCharacters.test(value) ? 'a device name' : null)),
);
const nullableDeviceName = nullable(deviceName, 'a device name');

// The overview (settings format 1).

export const accountSummarySchema = strictObject({
  user: nullable(text, 'a string'),
  /** The WebDAV root of the account's node, e.g. `https://seto.teracloud.jp/dav/`. */
  server: nullable(text, 'a string'),
  method: nullable(authMethodSchema, "one of 'basic', 'oauth2'"),
});
export type AccountSummary = v.InferOutput<typeof accountSummarySchema>;

/** One local folder kept in sync with one remote folder. */
export const pairSummarySchema = strictObject({ localFolder: text, remoteUrl: text });
export type PairSummary = v.InferOutput<typeof pairSummarySchema>;

export const appOverviewSchema = strictObject({
  account: accountSummarySchema,
  pairs: listOf(pairSummarySchema),
  /** Absolute path of settings.json, so the user knows what to edit or back up. */
  settingsFile: text,
  /**
   * Why the settings could not be used, when they could not (a corrupt file moved aside, a
   * file written by a newer version, a secret where none belongs); null when all is well.
   */
  settingsProblem: nullableErrorInfo,
});
export type AppOverview = v.InferOutput<typeof appOverviewSchema>;

// Account.

const quotaSchema = strictObject({ usedBytes: count, quotaBytes: count });

/** The signed-in account as the window sees it (never a password or a token). */
export const accountInfoSchema = strictObject({
  userId: boundedString(maxUserIdLength, { nonEmpty: true }),
  /** The storage node's name, e.g. `seto`. */
  node: boundedString(maxNameLength, { nonEmpty: true }),
  /** The WebDAV root in use: `<origin>/v2/dav/` or `<origin>/dav/`. */
  webdavUrl: boundedString(maxUrlLength, { nonEmpty: true }),
  /** How the user signed in. */
  signedInWith: authMethodSchema,
  /** What connections use now (an OAuth2 account may be on BASIC after a fallback). */
  method: authMethodSchema,
  /** Why an OAuth2 account uses /dav/ with BASIC; null when it does not. */
  fallbackReason: nullable(text, 'a string'),
  quota: nullable(quotaSchema, 'an object'),
  /** Why there is no quota; null when there is. */
  quotaProblem: nullable(text, 'a string'),
  /** Where the secrets are kept (the window says it in its language). */
  secretStore: v.picklist(secretStoreKinds),
});
export type AccountInfo = v.InferOutput<typeof accountInfoSchema>;
const nullableAccountInfo = nullable(accountInfoSchema, 'an account');

export const signInResultSchema = strictObject({
  account: accountInfoSchema,
  /** Signed in, but syncing cannot connect yet (say so); null when all is well. */
  problem: nullableErrorInfo,
});
export type SignInResult = v.InferOutput<typeof signInResultSchema>;

export const signOutResultSchema = strictObject({
  /** False when there was no account to sign out of. */
  signedOut: bool,
  /** What became of the OAuth2 tokens on the server ('nothing': there were none). */
  revocation: v.picklist(['revoked', 'unsupported', 'failed', 'nothing']),
  revocationError: nullable(text, 'a string'),
});
export type SignOutResult = v.InferOutput<typeof signOutResultSchema>;

/** The sign-in screen's advanced section: each left out takes the app's default. */
export const advancedSignInOptionsSchema = strictObject({
  /** The REST API's base URL (https:), for node discovery and the quota. */
  apiServer: optional(httpsUrl),
  /** How the API key goes to the REST API: the X-TeraCLOUD-API-KEY header, or the `;api_key=` matrix parameter. */
  apiKeyPlacement: optional(v.picklist(['header', 'matrix'])),
  /** Absolute path of a PEM file: a private CA trusted, besides the system's, by every connection of the account. */
  caFile: optional(absolutePath),
});
export type AdvancedSignInOptions = v.InferOutput<typeof advancedSignInOptionsSchema>;

export const passwordSignInRequestSchema = strictObject({
  userId: boundedString(maxUserIdLength),
  /** The Apps password: crosses IPC this once, and never comes back. */
  password: boundedString(maxPasswordLength),
  /** A node name or the WebDAV URL from MyPage; found through the REST API when left out. */
  location: optional(boundedString(maxUrlLength)),
  /** Default true: BASIC on the first request; false: answer the server's challenge. */
  preemptive: optional(bool),
  advanced: optional(advancedSignInOptionsSchema),
});
export type PasswordSignInRequest = v.InferOutput<typeof passwordSignInRequestSchema>;

export const oauthSignInRequestSchema = strictObject({
  location: optional(boundedString(maxUrlLength)),
  advanced: optional(advancedSignInOptionsSchema),
});
export type OAuthSignInRequest = v.InferOutput<typeof oauthSignInRequestSchema>;

// Pairs and their status.

/** Per direction, in KiB/s; 0 is unlimited (as electron/webdav/Throttle.ts takes them). */
export const bandwidthLimitsSchema = strictObject({ uploadKiBps: kiBps, downloadKiBps: kiBps });
export type BandwidthLimits = v.InferOutput<typeof bandwidthLimitsSchema>;

/** One sync pair as the settings keep it (since format 2). */
export const pairViewSchema = strictObject({
  /** Stable and opaque; names the pair in every request and event. */
  id: pairId,
  /** Absolute path of the folder on this computer. */
  localFolder: absolutePath,
  /**
   * The folder below the account's WebDAV root, '/'-separated without a leading or trailing '/'
   * ('' for the root), or a full http(s) URL (the settings keep either).
   */
  remoteFolder,
  paused: bool,
  bandwidth: bandwidthLimitsSchema,
  /**
   * Selective sync: folders below the pair's remote folder ('/'-separated, relative) that are
   * not synced. Nothing in them is deleted on either side; they are left as they are.
   */
  excludedFolders,
});
export type PairView = v.InferOutput<typeof pairViewSchema>;

/** Names one sync pair. */
export const pairRequestSchema = strictObject({ id: pairId });
export type PairRequest = v.InferOutput<typeof pairRequestSchema>;

export const addPairRequestSchema = strictObject({
  /** Absolute. */
  localFolder: absolutePath,
  /** As PairView.remoteFolder. */
  remoteFolder: remoteFolderInput,
  /** Selective sync (PairView.excludedFolders); none when left out. */
  excludedFolders: optional(excludedFolders),
});
export type AddPairRequest = v.InferOutput<typeof addPairRequestSchema>;

/** What the first sync of a pair would do (nothing is changed on either side). */
export const previewPairRequestSchema = addPairRequestSchema;
export type PreviewPairRequest = v.InferOutput<typeof previewPairRequestSchema>;

const transferSchema = strictObject({ files: count, bytes: count });

/** What a first sync would do: counts and bytes each way, before it starts. */
export const pairPreviewSchema = strictObject({
  upload: transferSchema,
  download: transferSchema,
  createLocalFolders: count,
  createRemoteFolders: count,
  /** Files on both sides that differ: both versions are kept (the local one as a conflict copy). */
  conflicts: count,
  /** Files on both sides; the same content is recorded, a different one becomes a conflict. */
  onBoth: count,
  /** Entries left alone (unreadable, symlinks, names this system refuses). */
  skipped: count,
  /** A few of the conflicting paths, for the preview to name. */
  conflictPaths: listOf(reportedPath, 100),
});
export type PairPreview = v.InferOutput<typeof pairPreviewSchema>;

export const listRemoteFoldersRequestSchema = strictObject({
  /** '/'-separated below the account root; '' for the root. */
  path: relativePath,
});
export type ListRemoteFoldersRequest = v.InferOutput<typeof listRemoteFoldersRequestSchema>;

/** One folder of the server, as the remote folder browser shows it. */
export const remoteFolderViewSchema = strictObject({
  name,
  /** '/'-separated below the account root, no leading or trailing '/'. */
  path: relativePath,
});
export type RemoteFolderView = v.InferOutput<typeof remoteFolderViewSchema>;

export const remoteFolderListingSchema = strictObject({
  /** The folder listed ('' for the account root). */
  path: relativePath,
  /** Its subfolders, by name. */
  folders: listOf(remoteFolderViewSchema),
  /** How many files it holds directly. */
  files: count,
});
export type RemoteFolderListing = v.InferOutput<typeof remoteFolderListingSchema>;

/** A server folder to measure (remote:folderSize). */
export const remoteFolderSizeRequestSchema = strictObject({
  /** '/'-separated below the account root; '' for the root. */
  path: relativePath,
});
export type RemoteFolderSizeRequest = v.InferOutput<typeof remoteFolderSizeRequestSchema>;

/**
 * How much a server folder holds, everything below it counted (remote:folderSize). The count
 * stops after a bounded number of folders: then `complete` is false and the figures are a
 * lower bound ("more than").
 */
export const remoteFolderSizeSchema = strictObject({
  /** The folder measured, below the account root ('' for the root). */
  path: relativePath,
  bytes: count,
  files: count,
  complete: bool,
});
export type RemoteFolderSize = v.InferOutput<typeof remoteFolderSizeSchema>;

/** A local folder whose disk's free space is asked for (local:freeSpace); it need not exist yet. */
export const localFreeSpaceRequestSchema = strictObject({
  /** Absolute. */
  path: absolutePath,
});
export type LocalFreeSpaceRequest = v.InferOutput<typeof localFreeSpaceRequestSchema>;

/** Free space on the disk that holds a local folder, or would hold it (local:freeSpace). */
export const localFreeSpaceSchema = strictObject({
  /** The folder asked about. */
  path: absolutePath,
  /** Bytes this user can still write there. */
  freeBytes: count,
});
export type LocalFreeSpace = v.InferOutput<typeof localFreeSpaceSchema>;

export const updatePairRequestSchema = strictObject({
  id: pairId,
  bandwidth: optional(strictObject({ uploadKiBps: optional(kiBps), downloadKiBps: optional(kiBps) })),
  /** Replaces the pair's list: a folder taken out of it is synced again, one put in is left alone on both sides. */
  excludedFolders: optional(excludedFolders),
});
export type UpdatePairRequest = v.InferOutput<typeof updatePairRequestSchema>;

export const syncProgressSchema = strictObject({
  actionsDone: count,
  actionsTotal: count,
  bytesDone: count,
  bytesTotal: count,
});
export type SyncProgress = v.InferOutput<typeof syncProgressSchema>;

/** A path the last run could not sync, and why. */
export const failedPathSchema = strictObject({ path: boundedString(maxPathLength), error: errorInfoSchema });
export type FailedPath = v.InferOutput<typeof failedPathSchema>;

/**
 * An entry the last run left alone on one side, and why in a sentence that says what to do (a
 * name that cannot be synced, a symbolic link, a folder it may not read).
 */
export const skippedPathSchema = strictObject({
  /** As the report shows it: bytes that are not UTF-8 as `\xHH`. */
  path: reportedPath,
  side,
  reason: skipReasonSchema,
  /** The engine's own words (English): for the technical details and the log. */
  message: text,
});
export type SkippedPath = v.InferOutput<typeof skippedPathSchema>;

export const lastRunSummarySchema = strictObject({
  conflicts: count,
  /** How many paths failed in all. */
  errors: count,
  /** The first failed paths (at most maxListedRunFailures in shared/limits.ts). */
  failures: listOf(failedPathSchema, maxListedRunFailures),
  /** How many entries were left alone in all (ignored ones not counted). */
  skipped: count,
  /** The first of them (at most maxListedRunSkips in shared/limits.ts). */
  skips: listOf(skippedPathSchema, maxListedRunSkips),
});
export type LastRunSummary = v.InferOutput<typeof lastRunSummarySchema>;

/** One entry the stopped run would have deleted. */
export const failSafeDeletionSchema = strictObject({
  path: reportedPath,
  type: v.picklist(['file', 'dir']),
  /** Where it would be deleted: 'remote' when it is gone here, 'local' when it is gone on the server. */
  side,
});
export type FailSafeDeletion = v.InferOutput<typeof failSafeDeletionSchema>;

export const failSafeInfoSchema = strictObject({
  reason: failSafeReasonSchema,
  /** The first deletions (at most maxListedDeletions in shared/limits.ts). */
  deletions: listOf(failSafeDeletionSchema, maxListedDeletions),
  /** How many files would be deleted in all. */
  total: count,
});
export type FailSafeInfo = v.InferOutput<typeof failSafeInfoSchema>;

export const syncStatusSchema = strictObject({
  state: syncStateSchema,
  /** When the last run ended in sync (ms since the epoch), or null. */
  lastSyncAt: nullable(milliseconds, 'a number of milliseconds'),
  /** While syncing: how far the run is. */
  progress: nullable(syncProgressSchema, 'an object'),
  /** Why the engine is offline, in error or waiting at the fail-safe. */
  problem: nullableErrorInfo,
  /** When the next attempt is due while offline or in error (ms since the epoch). */
  retryAt: nullable(milliseconds, 'a number of milliseconds'),
  /** The watcher failed and the engine falls back on periodic full scans. */
  watcherFallback: bool,
  /** Conflicts and failed paths of the last run. */
  lastRun: nullable(lastRunSummarySchema, 'an object'),
  /** While waiting at the fail-safe (state 'failsafe'): what the run would have deleted; null otherwise. */
  failSafe: nullable(failSafeInfoSchema, 'an object'),
  /**
   * How many changes are known to be waiting: local paths not synced yet, actions the run in
   * progress has left, what the last run deferred. 0 with state 'idle' is "up to date".
   */
  pending: count,
});
export type SyncStatus = v.InferOutput<typeof syncStatusSchema>;

/** One pair's SyncStatus, as `status:get` lists them and `status:changed` sends them. */
export const pairStatusSchema = strictObject({ pairId, status: syncStatusSchema });
export type PairStatus = v.InferOutput<typeof pairStatusSchema>;

// Activity, conflicts, the fail-safe.

export const activityFileSchema = strictObject({
  /** Relative to the pair's folders, '/'-separated; a move's new path. */
  path: reportedPath,
  /** A move's old path; null otherwise. */
  from: nullable(boundedString(maxPathLength), 'a string'),
  /** Why it failed (a 'failed' group); null otherwise. */
  error: nullableErrorInfo,
});
export type ActivityFile = v.InferOutput<typeof activityFileSchema>;

export const activityGroupSchema = withFieldRule(
  strictObject({
    kind: activityGroupKindSchema,
    /** Every file of this kind in the run. */
    count: positiveId,
    /** The first of them (at most maxActivityGroupFiles), in the order they happened. */
    files: listOf(activityFileSchema, maxActivityGroupFiles),
  }),
  (group) => (group.files.length > group.count ? { field: 'files', expected: 'no more files than count' } : null),
);
export type ActivityGroup = v.InferOutput<typeof activityGroupSchema>;

/** One sync run of one pair, as the activity history keeps it. */
export const activityRunSchema = withFieldRule(
  strictObject({
    /** Increases with each run recorded, across restarts: the paging cursor (`before`). */
    id: positiveId,
    pairId,
    /** ms since the epoch. */
    startedAt: milliseconds,
    endedAt: milliseconds,
    /** 'interrupted': the run stopped before its end (offline, stopped, signed out). */
    outcome: v.picklist(['completed', 'interrupted']),
    /** In the order of ActivityGroupKind; only kinds that happened. */
    groups: listOf(activityGroupSchema, activityGroupKinds.length),
    /**
     * The run's folder in the pair's trash (DeletedRunView.runId), when it deleted files on
     * TeraCLOUD (runs recorded before it was carried have none).
     */
    trashRunId: optional(deletedRunId),
  }),
  (run) => {
    if (run.endedAt < run.startedAt) return { field: 'endedAt', expected: 'a time not before startedAt' };
    if (new Set(run.groups.map((group) => group.kind)).size !== run.groups.length) return { field: 'groups', expected: 'one group per kind' };
    return null;
  },
);
export type ActivityRun = v.InferOutput<typeof activityRunSchema>;

/** One page of the history, newest first; `more`: older runs match too. */
export const activityPageSchema = strictObject({
  runs: listOf(activityRunSchema, maxActivityPage),
  more: bool,
});
export type ActivityPage = v.InferOutput<typeof activityPageSchema>;

/** `activity:list`: each filter left out matches everything. */
export const activityListRequestSchema = strictObject({
  /** Only this pair's runs. */
  pairId: optional(pairId),
  /** Only runs with a group of these kinds, and of them only those groups. */
  kinds: optional(listOf(activityGroupKindSchema, activityGroupKinds.length)),
  /** Only runs older than this one (its id): the next page after a page's last run. */
  before: optional(positiveId),
  /** At most maxActivityPage. */
  limit: integer(1, maxActivityPage),
});
export type ActivityListRequest = v.InferOutput<typeof activityListRequestSchema>;

/** One version of a file, as the conflicts screen compares them. */
export const fileVersionViewSchema = strictObject({
  size: count,
  /** ms since the epoch. */
  modifiedMs: milliseconds,
});
export type FileVersionView = v.InferOutput<typeof fileVersionViewSchema>;

/** An open conflict: both sides changed a file, the local version was kept aside as `copy`. */
export const conflictInfoSchema = strictObject({
  /** Unique within its pair (each pair has its own journal), so a conflict is named by both. */
  id: count,
  pairId,
  path: reportedPath,
  /** The conflict copy's path, relative to the pair's local folder. */
  copy: reportedPath,
  /** ms since the epoch. */
  createdAt: milliseconds,
  /** This computer's version (the conflict copy); null when the copy is gone. */
  mine: nullable(fileVersionViewSchema, 'an object'),
  /** The server's version (the file at `path`, as downloaded); null when it is gone. */
  theirs: nullable(fileVersionViewSchema, 'an object'),
});
export type ConflictInfo = v.InferOutput<typeof conflictInfoSchema>;

export const openConflictVersionRequestSchema = strictObject({
  pairId,
  id: positiveId,
  /** 'mine': this computer's version (the conflict copy); 'theirs': the server's (the file at the path). */
  side: v.picklist(['mine', 'theirs']),
});
export type OpenConflictVersionRequest = v.InferOutput<typeof openConflictVersionRequestSchema>;

export const resolveConflictRequestSchema = strictObject({
  pairId,
  id: positiveId,
  /** 'local': the conflict copy replaces the server's file; 'remote': the copy goes; 'both': the copy stays as a file of its own. */
  keep: conflictResolutionSchema,
});
export type ResolveConflictRequest = v.InferOutput<typeof resolveConflictRequestSchema>;

export const failSafeDecisionRequestSchema = strictObject({
  pairId,
  /**
   * 'allow': go ahead with the deletions once; 'restore': bring every entry back from the side
   * that still has it (nothing is deleted); 'keepWaiting': leave the pair stopped.
   */
  decision: v.picklist(['allow', 'restore', 'keepWaiting']),
});
export type FailSafeDecisionRequest = v.InferOutput<typeof failSafeDecisionRequestSchema>;

// Backup and restore.

export const backupRunRequestSchema = strictObject({
  /** Absolute paths, each one of the configured sources; all of them when left out. */
  sources: optional(listOf(absolutePath, maxSourceCount)),
  dryRun: optional(bool),
  /** Go ahead although the backup would move most of a folder's files out of its latest copy (the fail-safe). */
  allowMassDelete: optional(bool),
});
export type BackupRunRequest = v.InferOutput<typeof backupRunRequestSchema>;

export const backupFailSafeDecisionRequestSchema = strictObject({
  /**
   * 'allow': run the stopped backup again, letting it move those files into `.versions/`;
   * 'leave': leave the backup as it is (nothing is moved; the stop is forgotten).
   */
  decision: v.picklist(['allow', 'leave']),
});
export type BackupFailSafeDecisionRequest = v.InferOutput<typeof backupFailSafeDecisionRequestSchema>;

/**
 * A backup stopped by the fail-safe: per folder, what it would have moved out of the latest
 * copy (another drive at the same path, a folder swapped). Nothing was changed.
 */
export const backupFailSafeViewSchema = strictObject({
  sources: listOf(
    strictObject({
      /** The folder's name in the backup area. */
      name,
      /** The local folder (absolute). */
      root: absolutePath,
      /** Files in its latest copy. */
      backedUp: count,
      /** Of those, the files the backup would move into `.versions/`. */
      wouldMove: count,
      /** Files the local folder holds now. */
      localFiles: count,
      /** The first of the files it would move, relative to the folder (at most maxListedDeletions). */
      paths: listOf(reportedPath, maxListedDeletions),
    }),
    maxSourceCount,
  ),
});
export type BackupFailSafeView = v.InferOutput<typeof backupFailSafeViewSchema>;

export const backupListRequestSchema = withFieldRule(
  strictObject({
    /** A source's name in the backup area. */
    source: optional(name),
    /** A version stamp (`2025-01-31T235959Z`); needs `source`. */
    version: optional(versionStamp),
  }),
  (request) =>
    request.version !== undefined && request.source === undefined ? { field: 'version', expected: 'a source with it' } : null,
);
export type BackupListRequest = v.InferOutput<typeof backupListRequestSchema>;

export const restoreRequestSchema = strictObject({
  source: name,
  /** A version stamp; the latest copy when left out. */
  version: optional(versionStamp),
  /** A file or folder in the source, '/'-separated; the whole source when left out. */
  path: optional(relativePath),
  /** Absolute path of the folder to restore into; the original place when left out. */
  to: optional(absolutePath),
});
export type RestoreRequest = v.InferOutput<typeof restoreRequestSchema>;

export const fileFailureViewSchema = strictObject({
  /** The backup source; null in a restore's summary (one source). */
  source: nullable(name, 'a name'),
  path: boundedString(maxPathLength),
  error: errorInfoSchema,
});
export type FileFailureView = v.InferOutput<typeof fileFailureViewSchema>;

export const backupSummaryViewSchema = strictObject({
  device: name,
  /** The version folder of this run, or null. */
  version: nullable(versionStamp, 'a version'),
  dryRun: bool,
  /** Files sent (a dry run: files that would be sent). */
  filesSent: count,
  bytesSent: count,
  unchanged: count,
  versioned: count,
  createdFolders: count,
  /** Entries not backed up (symlinks, special files, unreadable folders). */
  skipped: count,
  /** Version folders (or a source's part of one) removed by the retention. */
  pruned: listOf(boundedString(maxPathLength)),
  /** The first failures (at most maxListedFailures in shared/limits.ts). */
  failed: listOf(fileFailureViewSchema, maxListedFailures),
  /** How many files failed in all. */
  failedTotal: count,
  durationMs: milliseconds,
  /** Why the run stopped before the end; null when it did not. */
  stopped: nullableErrorInfo,
  quota: nullable(strictObject({ neededBytes: count, freeBytes: count }), 'an object'),
  /** Present when the fail-safe stopped the run: what it would have moved away. */
  failSafe: optional(backupFailSafeViewSchema),
});
export type BackupSummaryView = v.InferOutput<typeof backupSummaryViewSchema>;

export const backupFileViewSchema = strictObject({
  /** Relative to the source. */
  path: relativePath,
  size: count,
  /** When the server wrote the copy (ms since the epoch). */
  modifiedMs: milliseconds,
});
export type BackupFileView = v.InferOutput<typeof backupFileViewSchema>;

export const backupListingSchema = strictObject({
  device: name,
  /** Every source backed up from this device, by name. */
  sources: listOf(name),
  /** Every version folder of this device, oldest first. */
  versions: listOf(versionStamp),
  /** The source asked for, or null. */
  source: nullable(name, 'a name'),
  /** The version asked for, or null for the latest copy. */
  version: nullable(versionStamp, 'a version'),
  /** The files of `source` (latest copy, or `version`); empty when no source was asked for. */
  files: listOf(backupFileViewSchema, maxListedBackupFiles),
  /** True when `files` was cut at the listing limit. */
  truncated: bool,
});
export type BackupListing = v.InferOutput<typeof backupListingSchema>;

export const restoreSummaryViewSchema = strictObject({
  source: name,
  version: nullable(versionStamp, 'a version'),
  path: relativePath,
  /** Absolute local path restored to. */
  target: absolutePath,
  restored: count,
  unchanged: count,
  /** Local files renamed aside to make room, with their new absolute path. */
  keptAside: listOf(strictObject({ path: boundedString(maxPathLength), copy: absolutePath })),
  /** The first failures (at most maxListedFailures in shared/limits.ts). */
  failed: listOf(fileFailureViewSchema, maxListedFailures),
  /** How many files failed in all. */
  failedTotal: count,
  bytes: count,
  durationMs: milliseconds,
  stopped: nullableErrorInfo,
});
export type RestoreSummaryView = v.InferOutput<typeof restoreSummaryViewSchema>;

/** A running backup's or restore's progress (`backup:progress`). */
export const backupProgressSchema = strictObject({
  operation,
  /** The backup's phase; null for a restore. */
  phase: nullable(backupPhaseSchema, 'a phase'),
  filesDone: count,
  filesTotal: count,
  bytesDone: count,
  bytesTotal: count,
  /** `<source>/<path>` of the file moving now, or null. */
  currentFile: nullable(boundedString(maxPathLength), 'a string'),
  /** Estimated ms left; null until there is a rate. */
  remainingMs: nullable(milliseconds, 'a number of milliseconds'),
});
export type BackupProgress = v.InferOutput<typeof backupProgressSchema>;

/** One backup run, as the backup screen's history lists it. */
export const backupRunViewSchema = strictObject({
  /** ms since the epoch. */
  startedAt: milliseconds,
  endedAt: milliseconds,
  sources: listOf(absolutePath, maxSourceCount),
  dryRun: bool,
  filesSent: count,
  bytesSent: count,
  versioned: count,
  failedTotal: count,
  /** Why it stopped before the end (cancelled, the quota, ...); null when it did not. */
  stopped: nullableErrorInfo,
  /** The version folder it made, or null. */
  version: nullable(versionStamp, 'a version'),
});
export type BackupRunView = v.InferOutput<typeof backupRunViewSchema>;

export const backupStateViewSchema = strictObject({
  /** The backup or restore that is running, or null. */
  running: nullable(strictObject({ operation, progress: nullable(backupProgressSchema, 'an object') }), 'an object'),
  /** The latest runs, newest first. */
  history: listOf(backupRunViewSchema, maxBackupHistory),
  /** Present while a backup stopped by the fail-safe waits for an answer (`backup:decideFailSafe`). */
  failSafe: optional(backupFailSafeViewSchema),
  /** Present while a retry of a backup that could not reach TeraCLOUD is armed: when it runs (ms since the epoch). */
  retryAt: optional(milliseconds),
  /** Present while the schedule (hourly, daily) has a backup armed: when it runs. */
  nextRunAt: optional(milliseconds),
});
export type BackupStateView = v.InferOutput<typeof backupStateViewSchema>;

// Deleted files: each pair's server-side trash (.terasync-trash).

/** A file or folder of a run of the trash: not ''. */
const deletedPath = nonEmptyRelativePath('a file or folder of the run');

/** A file a sync deleted on the server, kept in the pair's trash. */
export const deletedFileViewSchema = strictObject({
  /** Where it was, relative to the pair's folder (where a restore puts it back). */
  path: deletedPath,
  size: count,
});
export type DeletedFileView = v.InferOutput<typeof deletedFileViewSchema>;

/** One sync run's deletions: its folder in the trash. */
export const deletedRunViewSchema = strictObject({
  /** The run's folder name in the trash (`2026-12-05T235329Z`, or with `-2`). */
  runId: deletedRunId,
  /** When the run started (ms since the epoch). */
  deletedAt: milliseconds,
  files: listOf(deletedFileViewSchema),
  bytes: count,
});
export type DeletedRunView = v.InferOutput<typeof deletedRunViewSchema>;

/** What one pair's trash holds; `problem` when it could not be listed. */
export const pairDeletedFilesSchema = strictObject({
  pairId,
  runs: listOf(deletedRunViewSchema),
  bytes: count,
  problem: nullableErrorInfo,
});
export type PairDeletedFiles = v.InferOutput<typeof pairDeletedFilesSchema>;

/** The trash of every pair together, for the quota display. */
export const deletedFilesUsageSchema = strictObject({ bytes: count, retentionDays: deletedRetentionDays });
export type DeletedFilesUsage = v.InferOutput<typeof deletedFilesUsageSchema>;

/** A restored entry: its path, and where it went (a restored copy's name when the path was taken). */
export const restoredDeletedEntrySchema = strictObject({ path: deletedPath, restoredTo: deletedPath });
export type RestoredDeletedEntry = v.InferOutput<typeof restoredDeletedEntrySchema>;

/** `deleted:restore`: a run of a pair's trash, or one file or folder of it (`path`). */
export const deletedRestoreRequestSchema = strictObject({ pairId, runId: deletedRunId, path: optional(deletedPath) });
export type DeletedRestoreRequest = v.InferOutput<typeof deletedRestoreRequestSchema>;

/** `deleted:purge`: deletes a run of a pair's trash for good. */
export const deletedPurgeRequestSchema = strictObject({ pairId, runId: deletedRunId });
export type DeletedPurgeRequest = v.InferOutput<typeof deletedPurgeRequestSchema>;

// Updates of the app itself.

export const updateChannelSchema = v.picklist(['stable', 'beta']);
/** 'stable': releases only; 'beta': pre-releases too (and the releases after them). */
export type UpdateChannel = v.InferOutput<typeof updateChannelSchema>;

export const updatePhaseSchema = v.picklist(['disabled', 'idle', 'checking', 'downloading', 'ready', 'installing']);
/**
 * Where the app's own update stands:
 *
 * - disabled: no checks (`disabledReason` says why);
 * - idle: waiting for the next check (`problem` holds the last failure, kept quiet);
 * - checking, downloading (with `percent`): in the background;
 * - ready: `version` is downloaded and verified; "Restart to update" installs it;
 * - installing: the app is stopping to install it.
 */
export type UpdatePhase = v.InferOutput<typeof updatePhaseSchema>;

export const updateDisabledReasonSchema = v.picklist(['setting', 'not-packaged', 'unsupported', 'no-feed']);
/**
 * Why updates are off: the setting; a copy run from a checkout or an unpacked folder
 * (`not-packaged`); an install that cannot replace itself, such as an unpacked folder on Linux
 * (`unsupported`); a build with no update feed configured (`no-feed`).
 */
export type UpdateDisabledReason = v.InferOutput<typeof updateDisabledReasonSchema>;

export const updateBusyReasonSchema = v.picklist(['sync', 'backup']);
/** What keeps a restart waiting: a sync run or a backup (or restore) in progress. */
export type UpdateBusyReason = v.InferOutput<typeof updateBusyReasonSchema>;

/** Versions are semver: short, printable. */
const appVersion = boundedString(64, { nonEmpty: true });

export const updateStateViewSchema = withFieldRule(
  strictObject({
    phase: updatePhaseSchema,
    disabledReason: nullable(updateDisabledReasonSchema, 'a reason'),
    /** The version running now. */
    currentVersion: appVersion,
    /** The newer version being downloaded, ready or being installed. */
    version: nullable(appVersion, 'a version'),
    /** 0 to 100 while downloading. */
    percent: nullable(integer(0, 100), 'a percentage'),
    /** When the feed last answered (whether or not there was an update). */
    lastCheckedAt: nullable(milliseconds, 'a number of milliseconds'),
    /** The last check or download failed: it is tried again by itself at `nextCheckAt`. */
    problem: nullableErrorInfo,
    nextCheckAt: nullable(milliseconds, 'a number of milliseconds'),
    /** The user asked to restart while a run was in progress: it restarts as soon as none is. */
    restartPending: bool,
    /** A run in progress now, which a restart waits for. */
    busy: nullable(updateBusyReasonSchema, 'a run'),
  }),
  (state) => {
    if ((state.phase === 'disabled') !== (state.disabledReason !== null)) return { field: 'disabledReason', expected: 'a reason exactly when disabled' };
    if ((state.phase === 'downloading' || state.phase === 'ready' || state.phase === 'installing') && state.version === null) {
      return { field: 'version', expected: `the version ${state.phase === 'downloading' ? 'being downloaded' : 'downloaded'}` };
    }
    return null;
  },
);
export type UpdateStateView = v.InferOutput<typeof updateStateViewSchema>;

// Settings.

const syncSettings = {
  /** How often the server is asked for changes. */
  pollIntervalSeconds,
  /** How often the local folders are scanned in full, besides the watcher. */
  fullScanMinutes,
  /** Patterns (gitignore syntax) never synced in any pair, besides the built-in ones and .terasyncignore. */
  ignorePatterns,
  /** Transfers at the same time, per pair and for the backup. */
  parallelTransfers,
  /** A run deleting more than this percent of the synced files (and at least 10) stops and asks (1..99). */
  failSafePercent,
  /** Days files deleted on the server stay in the pair's trash (1..365). */
  deletedRetentionDays,
};

const backupSettings = {
  /** Absolute paths of the folders to back up. */
  sources: listOf(absolutePath, maxSourceCount),
  /** The device folder's name in the backup area; null: the computer's name. */
  device: nullableDeviceName,
  /** Versions older than this are pruned; 0 keeps them all. */
  retentionDays,
  /** When the app backs up by itself; 'manual': only when asked. */
  schedule: backupScheduleSchema,
};

const appSettings = {
  /** null: not decided yet (the app turns it on after the first sign-in). */
  startAtLogin: nullable(bool, 'true or false'),
  notifications: bool,
  theme: themeSchema,
  language: languageSchema,
};

const updateSettings = {
  /** false: the app never asks the update feed. */
  enabled: bool,
  channel: updateChannelSchema,
};

/** Each field of `entries`, optional: what an update of a settings section may carry. */
function partial<const E extends v.ObjectEntries>(entries: E): { [K in keyof E]: v.OptionalSchema<E[K], undefined> } {
  return Object.fromEntries(Object.entries(entries).map(([key, schema]) => [key, optional(schema)])) as { [K in keyof E]: v.OptionalSchema<E[K], undefined> };
}

/** The settings the window shows and edits (settings format 4; the proxy has its own methods, proxy:get / proxy:save). */
export const settingsViewSchema = strictObject({
  pairs: listOf(pairViewSchema),
  sync: strictObject(syncSettings),
  backup: strictObject(backupSettings),
  app: strictObject(appSettings),
  /** Updates of the app itself (electron/app/UpdateController.ts). */
  update: strictObject(updateSettings),
});
export type SettingsView = v.InferOutput<typeof settingsViewSchema>;

/** `settings:update`: any of the fields; pairs change through the pairs:* methods. */
export const settingsUpdateSchema = strictObject({
  sync: optional(strictObject(partial(syncSettings))),
  backup: optional(strictObject(partial(backupSettings))),
  /** startAtLogin is the user's decision: true or false, never back to undecided. */
  app: optional(strictObject(partial({ ...appSettings, startAtLogin: bool }))),
  update: optional(strictObject(partial(updateSettings))),
});
export type SettingsUpdate = v.InferOutput<typeof settingsUpdateSchema>;

// The shell.

export const openFolderRequestSchema = withFieldRule(
  strictObject({
    kind: v.picklist(['syncFolder', 'logs']),
    /** Required for 'syncFolder', refused for 'logs'. */
    pairId: optional(pairId),
  }),
  (request) => {
    if (request.kind === 'syncFolder' && request.pairId === undefined) return { field: 'pairId', expected: 'a pair id' };
    if (request.kind === 'logs' && request.pairId !== undefined) return { field: 'pairId', expected: 'no pair for the logs' };
    return null;
  },
);
export type OpenFolderRequest = v.InferOutput<typeof openFolderRequestSchema>;

export const openUrlRequestSchema = strictObject({
  /** https: only. */
  url: httpsUrl,
});
export type OpenUrlRequest = v.InferOutput<typeof openUrlRequestSchema>;

export const showFileRequestSchema = strictObject({
  pairId,
  /** Relative to the pair's local folder, '/'-separated (an activity item's path). */
  path: nonEmptyRelativePath("a file in the pair's folder"),
});
export type ShowFileRequest = v.InferOutput<typeof showFileRequestSchema>;

export const pickPathRequestSchema = strictObject({ purpose: pickPurposeSchema });
export type PickPathRequest = v.InferOutput<typeof pickPathRequestSchema>;

// The proxy (settings format 4's proxy section; the same rules as electron/app/settings.ts).

/** A host name or IP address, or '' (only 'http' and 'socks5' need one; main says so by name). */
const proxyHost = v.pipe(
  boundedString(proxyLimits.hostLength),
  v.trim(),
  rule<string>((value) => (value !== '' && !isProxyHost(value) ? 'a host name or IP address (no scheme, no port, no spaces)' : null)),
);

const proxyPort = integer(proxyLimits.port.min, proxyLimits.port.max);

/** null, or a user name on one line (and then its own message when it is not one). */
const nullableProxyUser = v.nullable(
  v.pipe(
    v.string('a user name or null'),
    v.maxLength(proxyLimits.userLength, `at most ${proxyLimits.userLength} characters`),
    rule<string>((value) => (controlCharacters.test(value) ? 'a user name on one line' : null)),
  ),
);

const proxyModeSchema = v.picklist(proxyModes);

/** The proxy setting as settings.json keeps it (settings format 4): no password. */
export const proxySettingsViewSchema = strictObject({
  mode: proxyModeSchema,
  /** The proxy's host name or IP address; '' when none was typed ('system' and 'none' need none). */
  host: proxyHost,
  port: proxyPort,
  /** The proxy's user name, when it asks for one; null: none. */
  user: nullableProxyUser,
  /** True when a proxy password is kept in the keychain (the password itself never leaves main). */
  passwordStored: bool,
});
export type ProxySettingsView = v.InferOutput<typeof proxySettingsViewSchema>;

/** `proxy:save` and `proxy:test`: the proxy setting the user typed. */
export const proxySettingsInputSchema = strictObject({
  mode: proxyModeSchema,
  host: proxyHost,
  port: proxyPort,
  /** null or '': no user (and then no password). */
  user: nullableProxyUser,
  /** A new password; left out: keep the stored one. */
  password: optional(boundedString(proxyLimits.passwordLength)),
  /** True: remove the stored password (a new `password` wins). */
  clearPassword: optional(bool),
});
export type ProxySettingsInput = v.InferOutput<typeof proxySettingsInputSchema>;

/** What "Test connection" found. */
export const proxyTestResultSchema = withFieldRule(
  strictObject({
    /** True when the service answered through the proposed setting. */
    ok: bool,
    /** The address that was tried (the account's server, or TeraCLOUD's). */
    target: httpUrl,
    /** The proxy the request went through, without its password; null: direct. */
    via: nullable(text, 'a string'),
    /** Why it failed (ProxyAuth, Network, Configuration, Timeout, Tls ...); null when ok. */
    error: nullableErrorInfo,
  }),
  (result) =>
    result.ok !== (result.error === null) ? { field: 'error', expected: result.ok ? 'null when ok' : 'the failure when not ok' } : null,
);
export type ProxyTestResult = v.InferOutput<typeof proxyTestResultSchema>;

// The validators.

function toValidator<const S extends v.GenericSchema>(schema: S): Validator<v.InferOutput<S>> {
  return (value) => check(schema, value, ErrorCode.BadResponse);
}

export const validateNoPayload: Validator<undefined> = toValidator(noPayload);
export const validateAppOverview: Validator<AppOverview> = toValidator(appOverviewSchema);
export const validateErrorInfo: Validator<ErrorInfo> = toValidator(errorInfoSchema);
export const validateAccountInfo: Validator<AccountInfo | null> = toValidator(nullableAccountInfo);
export const validatePairView: Validator<PairView> = toValidator(pairViewSchema);
export const validatePairStatus: Validator<PairStatus> = toValidator(pairStatusSchema);
export const validateActivityRun: Validator<ActivityRun> = toValidator(activityRunSchema);
export const validateConflicts: Validator<ConflictInfo[]> = toValidator(listOf(conflictInfoSchema));
export const validateBackupProgress: Validator<BackupProgress> = toValidator(backupProgressSchema);
export const validateSettingsView: Validator<SettingsView> = toValidator(settingsViewSchema);
export const validateBackupState: Validator<BackupStateView> = toValidator(backupStateViewSchema);
export const validateUpdateState: Validator<UpdateStateView> = toValidator(updateStateViewSchema);
/** The activity history's file (electron/app/ActivityHistory.ts): its runs, as the window would accept them. */
export const validateActivityRuns: Validator<ActivityRun[]> = toValidator(listOf(activityRunSchema, maxActivityRuns));

/** Every channel's request validator; the mapped type makes a missing one a compile error. */
export const requestValidators: { readonly [C in IpcChannel]: Validator<IpcRequest<C>> } = {
  'app:getOverview': validateNoPayload,
  'account:get': validateNoPayload,
  'account:signInWithPassword': toValidator(passwordSignInRequestSchema),
  'account:signInWithOAuth': toValidator(oauthSignInRequestSchema),
  'account:signOut': validateNoPayload,
  'account:cancelSignIn': validateNoPayload,
  'pairs:list': validateNoPayload,
  'pairs:add': toValidator(addPairRequestSchema),
  'pairs:update': toValidator(updatePairRequestSchema),
  'pairs:remove': toValidator(pairRequestSchema),
  'pairs:pause': toValidator(pairRequestSchema),
  'pairs:resume': toValidator(pairRequestSchema),
  'pairs:syncNow': toValidator(pairRequestSchema),
  'pairs:preview': toValidator(previewPairRequestSchema),
  'remote:listFolders': toValidator(listRemoteFoldersRequestSchema),
  'remote:folderSize': toValidator(remoteFolderSizeRequestSchema),
  'local:freeSpace': toValidator(localFreeSpaceRequestSchema),
  'status:get': validateNoPayload,
  'activity:list': toValidator(activityListRequestSchema),
  'conflicts:list': validateNoPayload,
  'conflicts:resolve': toValidator(resolveConflictRequestSchema),
  'conflicts:open': toValidator(openConflictVersionRequestSchema),
  'failsafe:decide': toValidator(failSafeDecisionRequestSchema),
  'backup:run': toValidator(backupRunRequestSchema),
  'backup:cancel': validateNoPayload,
  'backup:list': toValidator(backupListRequestSchema),
  'restore:run': toValidator(restoreRequestSchema),
  'backup:getState': validateNoPayload,
  'backup:decideFailSafe': toValidator(backupFailSafeDecisionRequestSchema),
  'settings:get': validateNoPayload,
  'settings:update': toValidator(settingsUpdateSchema),
  'proxy:get': validateNoPayload,
  'proxy:save': toValidator(proxySettingsInputSchema),
  'proxy:test': toValidator(proxySettingsInputSchema),
  'shell:openFolder': toValidator(openFolderRequestSchema),
  'shell:openUrl': toValidator(openUrlRequestSchema),
  'shell:showFile': toValidator(showFileRequestSchema),
  'dialog:pickPath': toValidator(pickPathRequestSchema),
  'deleted:list': validateNoPayload,
  'deleted:restore': toValidator(deletedRestoreRequestSchema),
  'deleted:purge': toValidator(deletedPurgeRequestSchema),
  'deleted:usage': validateNoPayload,
  'update:getState': validateNoPayload,
  'update:check': validateNoPayload,
  'update:restart': validateNoPayload,
};

/** Every channel's response validator. */
export const responseValidators: { readonly [C in IpcChannel]: Validator<IpcResponse<C>> } = {
  'app:getOverview': validateAppOverview,
  'account:get': validateAccountInfo,
  'account:signInWithPassword': toValidator(signInResultSchema),
  'account:signInWithOAuth': toValidator(signInResultSchema),
  'account:signOut': toValidator(signOutResultSchema),
  'account:cancelSignIn': validateNoPayload,
  'pairs:list': toValidator(listOf(pairViewSchema)),
  'pairs:add': validatePairView,
  'pairs:update': validatePairView,
  'pairs:remove': validateNoPayload,
  'pairs:pause': validatePairView,
  'pairs:resume': validatePairView,
  'pairs:syncNow': validateNoPayload,
  'pairs:preview': toValidator(pairPreviewSchema),
  'remote:listFolders': toValidator(remoteFolderListingSchema),
  'remote:folderSize': toValidator(remoteFolderSizeSchema),
  'local:freeSpace': toValidator(localFreeSpaceSchema),
  'status:get': toValidator(listOf(pairStatusSchema)),
  'activity:list': toValidator(activityPageSchema),
  'conflicts:list': validateConflicts,
  'conflicts:resolve': validateNoPayload,
  'conflicts:open': validateNoPayload,
  'failsafe:decide': validateNoPayload,
  'backup:run': toValidator(backupSummaryViewSchema),
  'backup:cancel': validateNoPayload,
  'backup:list': toValidator(backupListingSchema),
  'restore:run': toValidator(restoreSummaryViewSchema),
  'backup:getState': validateBackupState,
  'backup:decideFailSafe': toValidator(nullable(backupSummaryViewSchema, 'a backup summary')),
  'settings:get': validateSettingsView,
  'settings:update': validateSettingsView,
  'proxy:get': toValidator(proxySettingsViewSchema),
  'proxy:save': toValidator(proxySettingsViewSchema),
  'proxy:test': toValidator(proxyTestResultSchema),
  'shell:openFolder': validateNoPayload,
  'shell:openUrl': validateNoPayload,
  'shell:showFile': validateNoPayload,
  'dialog:pickPath': toValidator(nullable(absolutePath, 'an absolute path')),
  'deleted:list': toValidator(listOf(pairDeletedFilesSchema)),
  'deleted:restore': toValidator(listOf(restoredDeletedEntrySchema)),
  'deleted:purge': validateNoPayload,
  'deleted:usage': toValidator(deletedFilesUsageSchema),
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
