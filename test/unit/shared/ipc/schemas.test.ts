import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../shared/errors.js';
import { settingsLimits } from '../../../../shared/limits.js';
import {
  ipcChannels,
  ipcEventNames,
  ipcEventSubscriptions,
  ipcMethods,
  isIpcChannel,
  isIpcEventName,
  maxActivityGroupFiles,
  maxActivityPage,
  type IpcChannel,
  type IpcEventName,
} from '../../../../shared/ipc/contract.js';
import {
  eventValidators,
  requestValidators,
  responseValidators,
  validateAppOverview,
  validateEvent,
  validateRequest,
  validateResponse,
} from '../../../../shared/ipc/schemas.js';
import type { AppOverview } from '../../../../shared/types.js';
import {
  goodEvents,
  goodRequests,
  goodResponses,
  sampleAccount,
  sampleActivityRun,
  sampleBackupState,
  sampleBackupFailSafe,
  sampleBackupSummary,
  sampleConflict,
  sampleFailSafeStatus,
  sampleListing,
  sampleOverview,
  samplePair,
  samplePairStatus,
  samplePreview,
  sampleProgress,
  sampleRemoteFolders,
  sampleRestoreSummary,
  sampleSettings,
  sampleUpdateState,
  sampleStatus,
} from '../../../support/ipc.js';

function failureMessage(result: { ok: boolean; error?: { message: string } }): string {
  expect(result.ok).toBe(false);
  return result.error?.message ?? '';
}

/** A bad value and a part of the message it must get. */
type Bad = readonly [value: unknown, expected: string];

const noPayload: readonly Bad[] = [
  [null, 'expected no payload'],
  [{}, 'expected no payload'],
  ['x', 'expected no payload'],
  [{ path: '/etc/passwd' }, 'expected no payload'],
];

const pairRequest: readonly Bad[] = [
  [undefined, 'expected an object'],
  [{}, 'id: expected a pair id'],
  [{ id: '' }, 'id: expected a pair id'],
  [{ id: '../settings' }, 'id: expected a pair id'],
  [{ id: 'pair-1', extra: true }, 'extra: expected no such field'],
  [{ id: 7 }, 'id: expected a pair id'],
];

const proxyInput = { mode: 'http', host: 'proxy.example.com', port: 3128, user: 'alice' };

const proxyInputs: readonly Bad[] = [
  [undefined, 'expected an object'],
  [{ ...proxyInput, mode: 'pac' }, "mode: expected one of 'system', 'none', 'http', 'socks5'"],
  [{ ...proxyInput, host: 'http://proxy' }, 'host: expected a host name or IP address'],
  [{ ...proxyInput, host: 'proxy:3128' }, 'host: expected a host name or IP address'],
  [{ ...proxyInput, host: 'a'.repeat(254) }, 'host: expected at most 253 characters'],
  [{ ...proxyInput, port: 0 }, 'port: expected an integer from 1 to 65535'],
  [{ ...proxyInput, port: 65_536 }, 'port: expected an integer from 1 to 65535'],
  [{ ...proxyInput, port: '3128' }, 'port: expected an integer from 1 to 65535'],
  [{ ...proxyInput, user: 'a\nb' }, 'user: expected a user name on one line'],
  [{ ...proxyInput, user: undefined }, 'user: expected a user name or null'],
  [{ ...proxyInput, password: 'x'.repeat(1_025) }, 'password: expected at most 1024 characters'],
  [{ ...proxyInput, clearPassword: 'yes' }, 'clearPassword: expected true or false'],
  [{ ...proxyInput, url: 'http://proxy' }, 'url: expected no such field'],
];

const proxyViews: readonly Bad[] = [
  [undefined, 'expected an object'],
  [{ mode: 'http', host: 'proxy', port: 3128, user: 'alice', passwordStored: true, password: 'hunter2' }, 'password: expected no such field'],
  [{ mode: 'http', host: 'proxy', port: 3128, user: 'alice' }, 'passwordStored: expected true or false'],
  [{ mode: 'manual', host: 'proxy', port: 3128, user: null, passwordStored: false }, 'mode: expected one of'],
];

/** Requests the window could send that main must refuse, for every channel. */
const badRequests: { readonly [C in IpcChannel]: readonly Bad[] } = {
  'app:getOverview': noPayload,
  'account:get': noPayload,
  'account:signInWithPassword': [
    [undefined, 'expected an object'],
    [{ userId: 'alice' }, 'password: expected a string'],
    [{ userId: 'alice', password: 'x'.repeat(2000) }, 'password: expected at most 1024 characters'],
    [{ userId: 'alice', password: 'p', preemptive: 'yes' }, 'preemptive: expected true or false'],
    [{ userId: 'alice', password: 'p', location: 5 }, 'location: expected a string'],
    [{ userId: 'alice', password: 'p', api: { applicationKey: 'k' } }, 'api: expected no such field'],
    [{ userId: 'alice', password: 'p', advanced: { apiServer: 'http://api.teracloud.jp/' } }, 'advanced.apiServer: expected an https: URL'],
    [{ userId: 'alice', password: 'p', advanced: { apiKeyPlacement: 'query' } }, "advanced.apiKeyPlacement: expected one of 'header', 'matrix'"],
    [{ userId: 'alice', password: 'p', advanced: { caFile: 'ca.pem' } }, 'advanced.caFile: expected an absolute path'],
    [{ userId: 'alice', password: 'p', advanced: { ca: '-----BEGIN' } }, 'advanced.ca: expected no such field'],
  ],
  'account:signInWithOAuth': [
    [undefined, 'expected an object'],
    [{ location: ['seto'] }, 'location: expected a string'],
    [{ oauth: { clientId: 'evil' } }, 'oauth: expected no such field'],
    [{ advanced: { caFile: 7 } }, 'advanced.caFile: expected a string'],
  ],
  'account:signOut': noPayload,
  'account:cancelSignIn': noPayload,
  'pairs:list': noPayload,
  'pairs:add': [
    [{ localFolder: 'relative/folder', remoteFolder: '' }, 'localFolder: expected an absolute path'],
    [{ localFolder: '/home/a\0b', remoteFolder: '' }, 'localFolder: expected an absolute path'],
    [{ localFolder: '/home/alice', remoteFolder: '../other' }, 'remoteFolder: expected a relative path'],
    [{ localFolder: '/home/alice', remoteFolder: 'Documents//Work' }, 'remoteFolder: expected a relative path'],
    [{ localFolder: '/home/alice', remoteFolder: 'ftp://seto.teracloud.jp/dav/' }, 'remoteFolder: expected a folder path or an http(s) URL'],
    [{ localFolder: '/home/alice', remoteFolder: 'https://alice:pw@seto.teracloud.jp/dav/' }, 'remoteFolder: expected a folder path or an http(s) URL'],
    [{ localFolder: '/home/alice', remoteFolder: 'a\\b' }, 'remoteFolder: expected a relative path'],
    [{ localFolder: '/home/alice' }, 'remoteFolder: expected a string'],
    [{ localFolder: `/${'x'.repeat(5000)}`, remoteFolder: '' }, 'localFolder: expected at most 4096 characters'],
    [{ localFolder: '/home/alice', remoteFolder: '', excludedFolders: ['../x'] }, 'excludedFolders[0]: expected a relative path'],
    [{ localFolder: '/home/alice', remoteFolder: '', excludedFolders: [''] }, "excludedFolders[0]: expected a folder below the pair's folder"],
    [{ localFolder: '/home/alice', remoteFolder: '', excludedFolders: ['A', 'A'] }, 'excludedFolders: expected each folder once'],
  ],
  'pairs:update': [
    [{ id: 'pair-1', bandwidth: { uploadKiBps: -1 } }, 'bandwidth.uploadKiBps: expected an integer from 0'],
    [{ id: 'pair-1', bandwidth: { uploadKiBps: 1.5 } }, 'bandwidth.uploadKiBps: expected an integer'],
    [{ id: 'pair-1', bandwidth: { upload: 5 } }, 'bandwidth.upload: expected no such field'],
    [{ id: 'pair-1', paused: true }, 'paused: expected no such field'],
    [{ bandwidth: {} }, 'id: expected a pair id'],
    [{ id: 'pair-1', excludedFolders: 'Archive' }, 'excludedFolders: expected an array'],
    [{ id: 'pair-1', excludedFolders: ['/Archive'] }, 'excludedFolders[0]: expected a relative path'],
  ],
  'pairs:remove': pairRequest,
  'pairs:pause': pairRequest,
  'pairs:resume': pairRequest,
  'pairs:syncNow': pairRequest,
  'pairs:preview': [
    [undefined, 'expected an object'],
    [{ localFolder: 'here', remoteFolder: '' }, 'localFolder: expected an absolute path'],
    [{ localFolder: '/home/alice', remoteFolder: '', excludedFolders: ['a/../b'] }, 'excludedFolders[0]: expected a relative path'],
  ],
  'remote:listFolders': [
    [undefined, 'expected an object'],
    [{ path: '/' }, 'path: expected a relative path'],
    [{ path: 'Documents/..' }, 'path: expected a relative path'],
    [{ path: 'Documents', depth: 'infinity' }, 'depth: expected no such field'],
  ],
  'remote:folderSize': [
    [undefined, 'expected an object'],
    [{ path: '../etc' }, 'path: expected a relative path'],
    [{ path: 'Documents', maxFolders: 1e9 }, 'maxFolders: expected no such field'],
  ],
  'local:freeSpace': [
    [undefined, 'expected an object'],
    [{ path: 'relative/folder' }, 'path: expected an absolute path'],
  ],
  'status:get': noPayload,
  'activity:list': [
    [undefined, 'expected an object'],
    [{ limit: 0 }, 'limit: expected an integer from 1 to 100'],
    [{ limit: maxActivityPage + 1 }, 'limit: expected an integer from 1 to 100'],
    [{ limit: '10' }, 'limit: expected an integer'],
    [{ limit: Number.NaN }, 'limit: expected an integer'],
    [{ limit: 10, pairId: '../pair' }, 'pairId: expected a pair id'],
    [{ limit: 10, kinds: ['uploaded'] }, 'kinds[0]: expected one of'],
    [{ limit: 10, kinds: 'failed' }, 'kinds: expected an array'],
    [{ limit: 10, before: 0 }, 'before: expected an integer from 1'],
    [{ limit: 10, before: 1.5 }, 'before: expected an integer'],
    [{ limit: 10, offset: 20 }, 'offset: expected no such field'],
  ],
  'conflicts:list': noPayload,
  'conflicts:resolve': [
    [{ pairId: 'pair-1', id: 3, keep: 'mine' }, "keep: expected one of 'local', 'remote', 'both'"],
    [{ pairId: 'pair-1', id: 0, keep: 'local' }, 'id: expected an integer from 1'],
    [{ pairId: 'pair-1', id: '3', keep: 'local' }, 'id: expected an integer'],
    [{ id: 3, keep: 'local' }, 'pairId: expected a pair id'],
  ],
  'conflicts:open': [
    [{ pairId: 'pair-1', id: 3, side: 'local' }, "side: expected one of 'mine', 'theirs'"],
    [{ pairId: 'pair-1', id: 3, side: 'mine', path: '/etc/passwd' }, 'path: expected no such field'],
    [{ pairId: 'pair-1', side: 'mine' }, 'id: expected an integer'],
  ],
  'failsafe:decide': [
    [{ pairId: 'pair-1', decision: 'yes' }, "decision: expected one of 'allow', 'restore', 'keepWaiting'"],
    [{ pairId: 'pair-1' }, 'decision: expected one of'],
    [{ pairId: 'pair-1', decision: 'allow', always: true }, 'always: expected no such field'],
  ],
  'backup:run': [
    [undefined, 'expected an object'],
    [{ sources: 'Photos' }, 'sources: expected an array'],
    [{ sources: ['Photos'] }, 'sources[0]: expected an absolute path'],
    [{ sources: Array.from({ length: 1001 }, (_, index) => `/s${index}`) }, 'sources: expected at most 1000 items'],
    [{ dryRun: 1 }, 'dryRun: expected true or false'],
    [{ allowMassDelete: 'yes' }, 'allowMassDelete: expected true or false'],
  ],
  'backup:cancel': noPayload,
  'backup:list': [
    [undefined, 'expected an object'],
    [{ version: '2025-11-28T120000Z' }, 'version: expected a source with it'],
    [{ source: 'Photos', version: 'latest' }, 'version: expected a version like'],
    [{ source: '../etc' }, 'source: expected a name'],
    [{ source: '' }, 'source: expected a non-empty string'],
  ],
  'restore:run': [
    [{}, 'source: expected a string'],
    [{ source: 'Photos', path: '../../.ssh' }, 'path: expected a relative path'],
    [{ source: 'Photos', to: 'Restored' }, 'to: expected an absolute path'],
    [{ source: 'Photos', version: '2025-11-28' }, 'version: expected a version like'],
    [{ source: 'Pho/tos' }, 'source: expected a name'],
  ],
  'backup:getState': noPayload,
  'backup:decideFailSafe': [
    [undefined, 'expected an object'],
    [{}, "decision: expected one of 'allow', 'leave'"],
    [{ decision: 'restore' }, "decision: expected one of 'allow', 'leave'"],
    [{ decision: 'allow', sources: ['/home/alice/Photos'] }, 'sources: expected no such field'],
  ],
  'settings:get': noPayload,
  'proxy:get': noPayload,
  'proxy:save': proxyInputs,
  'proxy:test': proxyInputs,
  'settings:update': [
    [undefined, 'expected an object'],
    [{ pairs: [] }, 'pairs: expected no such field'],
    [{ sync: { pollIntervalSeconds: 1 } }, 'sync.pollIntervalSeconds: expected an integer from 5 to 86400'],
    [{ sync: { fullScanMinutes: 0 } }, 'sync.fullScanMinutes: expected an integer from 1'],
    [{ backup: { retentionDays: -1 } }, 'backup.retentionDays: expected an integer from 0'],
    [{ backup: { schedule: 'weekly' } }, "backup.schedule: expected one of 'manual', 'hourly', 'daily', 'login'"],
    [{ backup: { sources: ['relative'] } }, 'backup.sources[0]: expected an absolute path'],
    [{ backup: { device: '   ' } }, 'backup.device: expected a device name or null'],
    [{ app: { startAtLogin: null } }, 'app.startAtLogin: expected true or false'],
    [{ update: { channel: 'nightly' } }, "update.channel: expected one of 'stable', 'beta'"],
    [{ update: { enabled: 'yes' } }, 'update.enabled: expected true or false'],
    [{ app: { theme: 'neon' } }, "app.theme: expected one of 'system', 'light', 'dark'"],
    [{ app: { password: 'x' } }, 'app.password: expected no such field'],
    [{ app: { language: 'fr' } }, "app.language: expected one of 'system', 'en', 'ja'"],
    [{ sync: { parallelTransfers: 0 } }, 'sync.parallelTransfers: expected an integer from 1 to 16'],
    [{ sync: { ignorePatterns: ['ok', ''] } }, 'sync.ignorePatterns[1]: expected a non-empty string'],
    [{ sync: { ignorePatterns: ['two\nlines'] } }, 'sync.ignorePatterns[0]: expected one line of a pattern'],
  ],
  'shell:openFolder': [
    [{ kind: 'syncFolder' }, 'pairId: expected a pair id'],
    [{ kind: 'logs', pairId: 'pair-1' }, 'pairId: expected no pair for the logs'],
    [{ kind: 'home' }, "kind: expected one of 'syncFolder', 'logs'"],
    [{ kind: 'logs', path: '/etc' }, 'path: expected no such field'],
  ],
  'shell:openUrl': [
    [{ url: 'http://www.teracloud.jp/' }, 'url: expected an https: URL'],
    [{ url: 'javascript:alert(1)' }, 'url: expected an https: URL'],
    [{ url: 'file:///etc/passwd' }, 'url: expected an https: URL'],
    [{ url: 'https://alice:secret@seto.teracloud.jp/' }, 'url: expected an https: URL'],
    [{ url: 'not a url' }, 'url: expected an https: URL'],
    [{ url: `https://x.jp/${'a'.repeat(9000)}` }, 'url: expected at most 8192 characters'],
  ],
  'shell:showFile': [
    [{ pairId: 'pair-1', path: '../../etc/passwd' }, 'path: expected a relative path'],
    [{ pairId: 'pair-1', path: '' }, "path: expected a file in the pair's folder"],
    [{ pairId: 'pair-1', path: 'C:\\Windows' }, 'path: expected a relative path'],
    [{ path: 'a.txt' }, 'pairId: expected a pair id'],
  ],
  'dialog:pickPath': [
    [{ purpose: 'anything' }, "purpose: expected one of 'syncFolder', 'backupSource', 'restoreTarget', 'caCertificate'"],
    [{ purpose: 'syncFolder', defaultPath: '/etc' }, 'defaultPath: expected no such field'],
    [undefined, 'expected an object'],
  ],
  'deleted:list': noPayload,
  'deleted:restore': [
    [undefined, 'expected an object'],
    [{ pairId: 'pair-1' }, 'runId: expected a deleted-files run id like 2026-12-05T235329Z'],
    [{ pairId: 'pair-1', runId: '../../etc' }, 'runId: expected a deleted-files run id like 2026-12-05T235329Z'],
    [{ pairId: 'pair-1', runId: '2026-12-05T235329Z', path: '../outside.txt' }, "path: expected a relative path like 'Documents/Work' (no '..', no leading or trailing '/')"],
    [{ pairId: 'pair-1', runId: '2026-12-05T235329Z', path: '' }, 'path: expected a file or folder of the run'],
    [{ pairId: '../x', runId: '2026-12-05T235329Z' }, 'pairId: expected a pair id'],
  ],
  'deleted:purge': [
    [undefined, 'expected an object'],
    [{ pairId: 'pair-1', runId: '2026-12-05T235329Z', path: 'a.txt' }, 'path: expected no such field'],
    [{ pairId: 'pair-1', runId: 'latest' }, 'runId: expected a deleted-files run id like 2026-12-05T235329Z'],
  ],
  'deleted:usage': noPayload,
  'update:getState': noPayload,
  'update:check': noPayload,
  'update:restart': noPayload,
};

const pairViews: readonly Bad[] = [
  [[{ ...samplePair(), localFolder: 'relative' }], '[0].localFolder: expected an absolute path'],
  [[{ ...samplePair(), bandwidth: { uploadKiBps: 0 } }], '[0].bandwidth.downloadKiBps: expected an integer'],
  [[{ ...samplePair(), secret: 'x' }], '[0].secret: expected no such field'],
  [{}, 'expected an array'],
];

const pairView: readonly Bad[] = [
  [{ ...samplePair(), paused: 'no' }, 'paused: expected true or false'],
  [{ ...samplePair(), remoteFolder: '/Sync/' }, 'remoteFolder: expected a relative path'],
  [{ ...samplePair(), id: undefined }, 'id: expected a pair id'],
  [null, 'expected an object'],
];

const nothing: readonly Bad[] = [
  [null, 'expected no payload'],
  [{ done: true }, 'expected no payload'],
  [0, 'expected no payload'],
];

const accountResults: readonly Bad[] = [
  [{ account: { ...sampleAccount(), password: 'hunter2' }, problem: null }, 'account.password: expected no such field'],
  [{ account: { ...sampleAccount(), accessToken: 'token' }, problem: null }, 'account.accessToken: expected no such field'],
  [{ account: sampleAccount() }, 'problem: expected an object or null'],
  [{ account: null, problem: null }, 'account: expected an object'],
];

/** Responses a buggy handler could give that must never reach the window, for every channel. */
const badResponses: { readonly [C in IpcChannel]: readonly Bad[] } = {
  'app:getOverview': [
    [{ ...sampleOverview(), pairs: null }, 'pairs: expected an array'],
    [{ ...sampleOverview(), account: { ...sampleOverview().account, password: 'x' } }, 'account.password: expected no such field'],
    [undefined, 'expected an object'],
  ],
  'account:get': [
    [{ ...sampleAccount(), refreshToken: 'r' }, 'refreshToken: expected no such field'],
    [{ ...sampleAccount(), method: 'digest' }, "method: expected one of 'basic', 'oauth2'"],
    [{ ...sampleAccount(), quota: { usedBytes: -1, quotaBytes: 1 } }, 'quota.usedBytes: expected an integer'],
    [{ ...sampleAccount(), userId: '' }, 'userId: expected a non-empty string'],
    [undefined, 'expected an account or null'],
  ],
  'account:signInWithPassword': accountResults,
  'account:signInWithOAuth': accountResults,
  'account:signOut': [
    [{ signedOut: true, revocation: 'maybe', revocationError: null }, 'revocation: expected one of'],
    [{ signedOut: 'yes', revocation: 'nothing', revocationError: null }, 'signedOut: expected true or false'],
    [{ signedOut: true, revocation: 'nothing' }, 'revocationError: expected a string or null'],
  ],
  'account:cancelSignIn': nothing,
  'pairs:list': pairViews,
  'pairs:add': pairView,
  'pairs:update': pairView,
  'pairs:remove': nothing,
  'pairs:pause': pairView,
  'pairs:resume': pairView,
  'pairs:syncNow': nothing,
  'pairs:preview': [
    [{ upload: { files: 1, bytes: 2 } }, 'download: expected an object'],
    [{ ...samplePreview(), conflicts: -1 }, 'conflicts: expected an integer'],
    [{ ...samplePreview(), plan: [] }, 'plan: expected no such field'],
  ],
  'remote:listFolders': [
    [{ ...sampleRemoteFolders(), folders: [{ name: '..', path: '' }] }, 'folders[0].name: expected a name'],
    [{ ...sampleRemoteFolders(), files: undefined }, 'files: expected an integer'],
    [{ ...sampleRemoteFolders(), url: 'https://alice:pw@seto.teracloud.jp/dav/' }, 'url: expected no such field'],
  ],
  'remote:folderSize': [
    [{ path: 'Documents', bytes: -1, files: 0, complete: true }, 'bytes: expected an integer'],
    [{ path: 'Documents', bytes: 1, files: 0 }, 'complete: expected'],
    [{ path: 'Documents', bytes: 1, files: 0, complete: true, url: 'https://seto.teracloud.jp/dav/Documents' }, 'url: expected no such field'],
  ],
  'local:freeSpace': [
    [{ path: '/home/alice', freeBytes: 1.5 }, 'freeBytes: expected an integer'],
    [{ path: 'home', freeBytes: 1 }, 'path: expected an absolute path'],
  ],
  'status:get': [
    [[{ pairId: 'pair-1', status: { ...sampleStatus(), state: 'busy' } }], '[0].status.state: expected one of'],
    [[{ pairId: 'pair-1', status: { ...sampleStatus(), progress: { actionsDone: 1 } } }], '[0].status.progress.actionsTotal: expected an integer'],
    [[{ pairId: 'pair-1', status: { ...sampleStatus(), lastSyncAt: -5 } }], '[0].status.lastSyncAt: expected a number of milliseconds or null'],
    [[{ pairId: 'pair-1' }], '[0].status: expected an object'],
    [[{ pairId: 'pair-1', status: { ...sampleStatus(), failSafe: { reason: 'panic', deletions: [], total: 0 } } }], '[0].status.failSafe.reason: expected one of'],
    [[{ pairId: 'pair-1', status: { ...sampleFailSafeStatus(), failSafe: { ...sampleFailSafeStatus().failSafe, deletions: [{ path: 'a', type: 'file', side: 'both' }] } } }], '[0].status.failSafe.deletions[0].side: expected one of'],
    [[{ pairId: 'pair-1', status: { ...sampleStatus(), lastRun: { conflicts: 0, errors: 0 } } }], '[0].status.lastRun.failures: expected an array'],
    [[{ pairId: 'pair-1', status: { ...sampleStatus(), lastRun: { conflicts: 0, errors: 0, failures: [] } } }], '[0].status.lastRun.skipped: expected an integer'],
    [[{ pairId: 'pair-1', status: { ...sampleStatus(), lastRun: { ...sampleStatus().lastRun, skips: [{ path: 'a', side: 'both', message: 'x' }] } } }], '[0].status.lastRun.skips[0].side: expected one of'],
    [[{ pairId: 'pair-1', status: { ...sampleStatus(), lastRun: { ...sampleStatus().lastRun, skips: [{ path: '', side: 'local', reason: 'symlink', message: 'x' }] } } }], '[0].status.lastRun.skips[0].path'],
    [[{ pairId: 'pair-1', status: { ...sampleStatus(), lastRun: { ...sampleStatus().lastRun, skips: [{ path: 'a', side: 'local', message: 'x', reason: 'lost' }] } } }], '[0].status.lastRun.skips[0].reason'],
    [[{ pairId: 'pair-1', status: { ...sampleStatus(), lastRun: { ...sampleStatus().lastRun, skips: [{ path: 'a', side: 'local', message: 'x' }] } } }], '[0].status.lastRun.skips[0].reason'],
  ],
  'activity:list': [
    [[sampleActivityRun()], 'expected an object'],
    [{ runs: [sampleActivityRun()] }, 'more: expected true or false'],
    [{ runs: Array.from({ length: maxActivityPage + 1 }, sampleActivityRun), more: false }, 'runs: expected at most 100 items'],
    [{ runs: [{ ...sampleActivityRun(), pairId: null }], more: false }, 'runs[0].pairId: expected a pair id'],
    [{ runs: [{ ...sampleActivityRun(), outcome: 'crashed' }], more: false }, 'runs[0].outcome: expected one of'],
    [{ runs: [{ ...sampleActivityRun(), endedAt: 1 }], more: false }, 'runs[0].endedAt: expected a time not before startedAt'],
    [{ runs: [{ ...sampleActivityRun(), groups: [{ kind: 'exploded', count: 1, files: [] }] }], more: false }, 'runs[0].groups[0].kind: expected one of'],
    [{ runs: [{ ...sampleActivityRun(), groups: [{ kind: 'failed', count: 0, files: [] }] }], more: false }, 'runs[0].groups[0].count: expected an integer from 1'],
    [{ runs: [{ ...sampleActivityRun(), groups: [{ kind: 'failed', count: 1, files: [{ path: 'a', from: null, error: null }, { path: 'b', from: null, error: null }] }] }], more: false }, 'runs[0].groups[0].files: expected no more files than count'],
    [{ runs: [{ ...sampleActivityRun(), groups: [{ kind: 'moved', count: 1, files: [] }, { kind: 'moved', count: 1, files: [] }] }], more: false }, 'runs[0].groups: expected one group per kind'],
    [
      { runs: [{ ...sampleActivityRun(), groups: [{ kind: 'addedLocal', count: 100, files: Array.from({ length: maxActivityGroupFiles + 1 }, (_, index) => ({ path: `f${index}`, from: null, error: null })) }] }], more: false },
      'runs[0].groups[0].files: expected at most 50 items',
    ],
    [{ runs: [{ ...sampleActivityRun(), groups: [{ kind: 'failed', count: 1, files: [{ path: '', from: null, error: null }] }] }], more: false }, 'runs[0].groups[0].files[0].path: expected a non-empty string'],
    [{ runs: [{ ...sampleActivityRun(), groups: [{ kind: 'failed', count: 1, files: [{ path: 'a', from: null, error: 'bad' }] }] }], more: false }, 'runs[0].groups[0].files[0].error: expected an object or null'],
  ],
  'conflicts:list': [
    [[{ ...sampleConflict(), id: 1.5 }], '[0].id: expected an integer'],
    [[{ ...sampleConflict(), copy: '' }], '[0].copy: expected a non-empty string'],
    [[{ ...sampleConflict(), state: 'open' }], '[0].state: expected no such field'],
    [[{ ...sampleConflict(), mine: { size: 1 } }], '[0].mine.modifiedMs: expected a number of milliseconds'],
    [[{ ...sampleConflict(), theirs: undefined }], '[0].theirs: expected an object or null'],
  ],
  'conflicts:resolve': nothing,
  'conflicts:open': nothing,
  'failsafe:decide': nothing,
  'backup:run': [
    [{ ...sampleBackupSummary(), sent: [] }, 'sent: expected no such field'],
    [{ ...sampleBackupSummary(), version: 'today' }, 'version: expected a version or null'],
    [{ ...sampleBackupSummary(), failed: [{ source: 'Photos', path: 'a', code: 'LocalIo', message: 'x' }] }, 'failed[0].code: expected no such field'],
    [{ ...sampleBackupSummary(), failed: Array.from({ length: 1001 }, () => sampleBackupSummary().failed[0]) }, 'failed: expected at most 1000 items'],
    [{ ...sampleBackupSummary(), stopped: { code: 'Boom', message: 'x' } }, 'stopped.code: expected one of'],
    [{ ...sampleBackupSummary(), failSafe: null }, 'failSafe: expected an object'],
    [{ ...sampleBackupSummary(), failSafe: { sources: [{ ...sampleBackupFailSafe().sources[0], root: 'Photos' }] } }, 'failSafe.sources[0].root: expected an absolute path'],
    [{ ...sampleBackupSummary(), failSafe: { sources: [{ ...sampleBackupFailSafe().sources[0], paths: [''] }] } }, 'failSafe.sources[0].paths[0]: expected a non-empty string'],
    [{ ...sampleBackupSummary(), failSafe: { sources: [{ ...sampleBackupFailSafe().sources[0], wouldMove: -1 }] } }, 'failSafe.sources[0].wouldMove: expected an integer'],
  ],
  'backup:cancel': nothing,
  'backup:list': [
    [{ ...sampleListing(), files: [{ path: '/abs', size: 1, modifiedMs: 0 }] }, 'files[0].path: expected a relative path'],
    [{ ...sampleListing(), versions: ['v1'] }, 'versions[0]: expected a version like'],
    [{ ...sampleListing(), truncated: undefined }, 'truncated: expected true or false'],
  ],
  'restore:run': [
    [{ ...sampleRestoreSummary(), target: 'relative' }, 'target: expected an absolute path'],
    [{ ...sampleRestoreSummary(), keptAside: [{ path: 'a', copy: 'b' }] }, 'keptAside[0].copy: expected an absolute path'],
    [{ ...sampleRestoreSummary(), failedTotal: -1 }, 'failedTotal: expected an integer'],
  ],
  'backup:getState': [
    [{ running: null }, 'history: expected an array'],
    [{ running: { operation: 'sync', progress: null }, history: [] }, "running.operation: expected one of 'backup', 'restore'"],
    [{ running: null, history: [{ ...sampleBackupState().history[0], sources: ['Photos'] }] }, 'history[0].sources[0]: expected an absolute path'],
    [{ running: null, history: [], failSafe: { sources: [{ ...sampleBackupFailSafe().sources[0], secret: 1 }] } }, 'failSafe.sources[0].secret: expected no such field'],
  ],
  'backup:decideFailSafe': [
    [undefined, 'expected a backup summary or null'],
    [{ ...sampleBackupSummary(), sent: [] }, 'sent: expected no such field'],
  ],
  'settings:get': [
    [{ ...sampleSettings(), app: { ...sampleSettings().app, theme: 'neon' } }, 'app.theme: expected one of'],
    [{ ...sampleSettings(), account: { password: 'x' } }, 'account: expected no such field'],
    [{ ...sampleSettings(), sync: undefined }, 'sync: expected an object'],
    [{ ...sampleSettings(), backup: { ...sampleSettings().backup, sources: ['Photos'] } }, 'backup.sources[0]: expected an absolute path'],
    [{ ...sampleSettings(), app: { ...sampleSettings().app, language: 'de' } }, 'app.language: expected one of'],
    [{ ...sampleSettings(), sync: { ...sampleSettings().sync, parallelTransfers: 99 } }, 'sync.parallelTransfers: expected an integer from 1 to 16'],
    [{ ...sampleSettings(), backup: { ...sampleSettings().backup, schedule: 'weekly' } }, 'backup.schedule: expected one of'],
  ],
  'settings:update': [
    [{ ...sampleSettings(), pairs: [{ ...samplePair(), id: '' }] }, 'pairs[0].id: expected a pair id'],
    [{ ...sampleSettings(), backup: { ...sampleSettings().backup, device: '' } }, 'backup.device: expected a device name or null'],
    [{ ...sampleSettings(), sync: { pollIntervalSeconds: 30 } }, 'sync.fullScanMinutes: expected an integer'],
  ],
  'proxy:get': proxyViews,
  'proxy:save': proxyViews,
  'proxy:test': [
    [undefined, 'expected an object'],
    [{ ok: true, target: 'https://seto.teracloud.jp/', via: null, error: { code: 'ProxyAuth', message: '407' } }, 'error: expected null when ok'],
    [{ ok: false, target: 'https://seto.teracloud.jp/', via: null, error: null }, 'error: expected the failure when not ok'],
    [{ ok: true, target: 'https://alice:pw@seto.teracloud.jp/', via: null, error: null }, 'target: expected an http(s) URL'],
    [{ ok: true, target: 'https://seto.teracloud.jp/', via: null, error: null, password: 'x' }, 'password: expected no such field'],
  ],
  'shell:openFolder': nothing,
  'shell:openUrl': nothing,
  'shell:showFile': nothing,
  'dialog:pickPath': [
    ['relative/folder', 'expected an absolute path or null'],
    [undefined, 'expected an absolute path or null'],
  ],
  'deleted:list': [
    [[{ pairId: 'pair-1', runs: [], bytes: -1, problem: null }], '[0].bytes: expected an integer from 0 to 9007199254740991'],
    [[{ pairId: 'pair-1', runs: [{ runId: '2026-12-05T235329Z', deletedAt: 1, files: [{ path: '/etc/passwd', size: 1 }], bytes: 1 }], bytes: 1, problem: null }], "[0].runs[0].files[0].path: expected a relative path like 'Documents/Work' (no '..', no leading or trailing '/')"],
  ],
  'deleted:restore': [[[{ path: 'a.txt' }], '[0].restoredTo: expected a string']],
  'deleted:purge': [[{}, 'expected no payload']],
  'deleted:usage': [[{ bytes: 0, retentionDays: 0 }, 'retentionDays: expected an integer from 1 to 365']],
  'update:getState': [
    [{ ...sampleUpdateState(), phase: 'disabled' }, 'disabledReason: expected a reason exactly when disabled'],
    [{ ...sampleUpdateState(), version: null }, 'version: expected the version downloaded'],
  ],
  'update:check': [[{ ...sampleUpdateState(), percent: 101 }, 'percent: expected a percentage or null']],
  'update:restart': [[{ ...sampleUpdateState(), feedUrl: 'https://example.com/' }, 'feedUrl: expected no such field']],
};

/** Event payloads that must never be pushed to the window, for every event. */
const badEvents: { readonly [E in IpcEventName]: readonly Bad[] } = {
  'status:changed': [
    [{ pairId: 'pair-1', status: { ...sampleStatus(), watcherFallback: 1 } }, 'status.watcherFallback: expected true or false'],
    [sampleStatus(), 'state: expected no such field'],
    [{ ...samplePairStatus(), pairId: null }, 'pairId: expected a pair id'],
  ],
  'activity:runAdded': [
    [{ ...sampleActivityRun(), startedAt: 'now' }, 'startedAt: expected a number of milliseconds'],
    [{ ...sampleActivityRun(), pairId: 'a b' }, 'pairId: expected a pair id'],
    [{ ...sampleActivityRun(), id: 0 }, 'id: expected an integer from 1'],
    [{ ...sampleActivityRun(), trashRunId: '../elsewhere' }, 'trashRunId: expected a deleted-files run id'],
    [[sampleActivityRun()], 'expected an object'],
  ],
  'conflicts:changed': [
    [sampleConflict(), 'expected an array'],
    [[{ ...sampleConflict(), pairId: undefined }], '[0].pairId: expected a pair id'],
  ],
  'backup:progress': [
    [{ ...sampleProgress(), phase: 'uploading' }, 'phase: expected a phase or null'],
    [{ ...sampleProgress(), operation: 'sync' }, "operation: expected one of 'backup', 'restore'"],
    [{ ...sampleProgress(), bytesDone: Number.POSITIVE_INFINITY }, 'bytesDone: expected an integer'],
  ],
  'account:changed': [
    [undefined, 'expected an account or null'],
    [{ ...sampleAccount(), password: 'x' }, 'password: expected no such field'],
  ],
  'settings:changed': [
    [{ ...sampleSettings(), app: { startAtLogin: true, notifications: true } }, 'app.theme: expected one of'],
    [{}, 'pairs: expected an array'],
  ],
  'backup:changed': [
    [{ running: null, history: null }, 'history: expected an array'],
    [{ running: { operation: 'backup' }, history: [] }, 'running.progress: expected an object or null'],
    [{ running: null, history: [], retryAt: 'soon' }, 'retryAt: expected a number of milliseconds'],
    [{ running: null, history: [], nextRunAt: -1 }, 'nextRunAt: expected a number of milliseconds'],
  ],
  'update:changed': [
    [{ ...sampleUpdateState(), phase: 'downloading', version: null }, 'version: expected the version being downloaded'],
    [{ ...sampleUpdateState(), busy: 'restore' }, 'busy: expected a run or null'],
    [{ ...sampleUpdateState(), problem: 'offline' }, 'problem: expected an object or null'],
  ],
};

describe('the contract', () => {
  it('has a function name, a request validator and a response validator for every channel', () => {
    expect(ipcChannels).toHaveLength(45);
    for (const channel of ipcChannels) {
      expect(ipcMethods[channel]).toMatch(/^[a-z][A-Za-z]+$/);
      expect(requestValidators[channel]).toBeTypeOf('function');
      expect(responseValidators[channel]).toBeTypeOf('function');
    }
  });

  it('has a subscription name and a validator for every event', () => {
    expect(ipcEventNames).toEqual([
      'status:changed',
      'activity:runAdded',
      'conflicts:changed',
      'backup:progress',
      'account:changed',
      'settings:changed',
      'backup:changed',
      'update:changed',
    ]);
    for (const event of ipcEventNames) {
      expect(ipcEventSubscriptions[event]).toMatch(/^on[A-Z][A-Za-z]+$/);
      expect(eventValidators[event]).toBeTypeOf('function');
    }
  });

  it('names channels and events domain:verb, and no two functions alike', () => {
    for (const channel of ipcChannels) expect(channel).toMatch(/^[a-z]+:[a-z][A-Za-z]+$/);
    for (const event of ipcEventNames) expect(event).toMatch(/^[a-z]+:[a-z][A-Za-z]+$/);
    const names = [...Object.values(ipcMethods), ...Object.values(ipcEventSubscriptions)];
    expect(new Set(names).size).toBe(names.length);
    const channels = [...ipcChannels, ...ipcEventNames];
    expect(new Set(channels).size).toBe(channels.length);
  });

  it('tells channels and events from other strings', () => {
    expect(isIpcChannel('pairs:add')).toBe(true);
    expect(isIpcChannel('status:changed')).toBe(false);
    expect(isIpcChannel('toString')).toBe(false);
    expect(isIpcEventName('status:changed')).toBe(true);
    expect(isIpcEventName('pairs:add')).toBe(false);
    expect(isIpcEventName('constructor')).toBe(false);
  });
});

describe.each(ipcChannels)('%s', (channel) => {
  it('accepts a good request and hands on a copy', () => {
    const request = goodRequests[channel]();
    const result = validateRequest(channel, request);
    expect(result).toEqual({ ok: true, value: request });
    if (typeof request === 'object') expect(result.ok && result.value).not.toBe(request);
  });

  it.each(badRequests[channel].map(([value, expected]) => ({ value, expected })))('refuses the request $value', ({ value, expected }) => {
    const result = validateRequest(channel, value);
    expect(failureMessage(result)).toContain(`Invalid ${channel} request: `);
    expect(failureMessage(result)).toContain(expected);
    expect(!result.ok && result.error.code).toBe(ErrorCode.InvalidRequest);
  });

  it('accepts a good response', () => {
    const response = goodResponses[channel]();
    expect(validateResponse(channel, response)).toEqual({ ok: true, value: response });
  });

  it.each(badResponses[channel].map(([value, expected]) => ({ value, expected })))('refuses the response $value', ({ value, expected }) => {
    const result = validateResponse(channel, value);
    expect(failureMessage(result)).toContain(`Invalid ${channel} response: `);
    expect(failureMessage(result)).toContain(expected);
    expect(!result.ok && result.error.code).toBe(ErrorCode.BadResponse);
  });
});

describe.each(ipcEventNames)('the %s event', (event) => {
  it('accepts a good payload', () => {
    const payload = goodEvents[event]();
    expect(validateEvent(event, payload)).toEqual({ ok: true, value: payload });
  });

  it.each(badEvents[event].map(([value, expected]) => ({ value, expected })))('refuses the payload $value', ({ value, expected }) => {
    const result = validateEvent(event, value);
    expect(failureMessage(result)).toContain(`Invalid ${event} event: `);
    expect(failureMessage(result)).toContain(expected);
  });
});

describe('requests', () => {
  it('leave out optional fields that were left out, and accept the minimal forms', () => {
    expect(validateRequest('account:signInWithPassword', { userId: 'alice', password: 'p', location: undefined })).toEqual({
      ok: true,
      value: { userId: 'alice', password: 'p' },
    });
    expect(validateRequest('account:signInWithOAuth', {})).toEqual({ ok: true, value: {} });
    expect(validateRequest('backup:run', {})).toEqual({ ok: true, value: {} });
    expect(validateRequest('backup:list', {})).toEqual({ ok: true, value: {} });
    expect(validateRequest('restore:run', { source: 'Photos' })).toEqual({ ok: true, value: { source: 'Photos' } });
    expect(validateRequest('settings:update', {})).toEqual({ ok: true, value: {} });
    expect(validateRequest('pairs:update', { id: 'p' })).toEqual({ ok: true, value: { id: 'p' } });
    expect(validateRequest('shell:openFolder', { kind: 'logs' })).toEqual({ ok: true, value: { kind: 'logs' } });
  });

  it('settings:update accepts exactly what settings.json may hold (one set of limits, shared/limits.ts)', () => {
    const numbers: [string, string, { min: number; max: number }][] = [
      ['sync', 'pollIntervalSeconds', settingsLimits.pollIntervalSeconds],
      ['sync', 'fullScanMinutes', settingsLimits.fullScanMinutes],
      ['sync', 'parallelTransfers', settingsLimits.parallelTransfers],
      ['sync', 'failSafePercent', settingsLimits.failSafePercent],
      ['sync', 'deletedRetentionDays', settingsLimits.deletedRetentionDays],
      ['backup', 'retentionDays', settingsLimits.retentionDays],
    ];
    for (const [section, field, range] of numbers) {
      for (const value of [range.min, range.max]) expect(validateRequest('settings:update', { [section]: { [field]: value } }).ok, `${field} ${value}`).toBe(true);
      for (const value of [range.min - 1, range.max + 1]) expect(validateRequest('settings:update', { [section]: { [field]: value } }).ok, `${field} ${value}`).toBe(false);
    }
    const patterns = Array.from({ length: settingsLimits.ignorePatternCount }, (_, index) => `*.${index}`);
    patterns[0] = 'x'.repeat(settingsLimits.ignorePatternLength);
    expect(validateRequest('settings:update', { sync: { ignorePatterns: patterns } }).ok).toBe(true);
    expect(validateRequest('settings:update', { sync: { ignorePatterns: [...patterns, '*.more'] } }).ok).toBe(false);
    expect(validateRequest('settings:update', { sync: { ignorePatterns: ['x'.repeat(settingsLimits.ignorePatternLength + 1)] } }).ok).toBe(false);
  });

  it('take absolute paths of every platform', () => {
    for (const localFolder of ['/home/alice', 'C:\\Users\\alice', 'D:/Sync', '\\\\server\\share\\folder']) {
      expect(validateRequest('pairs:add', { localFolder, remoteFolder: '' }).ok).toBe(true);
    }
    for (const localFolder of ['', 'C:', 'C:relative', '~/Sync', '.\\Sync', '\\\\server']) {
      expect(validateRequest('pairs:add', { localFolder, remoteFolder: '' }).ok).toBe(false);
    }
  });

  it('take a remote folder as the settings do: slashes around it dropped, or an http(s) URL as given', () => {
    expect(validateRequest('pairs:add', { localFolder: '/a', remoteFolder: '/Photos/2024/' })).toEqual({
      ok: true,
      value: { localFolder: '/a', remoteFolder: 'Photos/2024' },
    });
    expect(validateRequest('pairs:add', { localFolder: '/a', remoteFolder: 'Notes: 2024' }).ok).toBe(true);
    const url = 'https://seto.teracloud.jp/dav/Sync%20Folder/';
    expect(validateRequest('pairs:add', { localFolder: '/a', remoteFolder: url })).toEqual({ ok: true, value: { localFolder: '/a', remoteFolder: url } });
    expect(validateResponse('pairs:list', [{ ...samplePair(), remoteFolder: url }]).ok).toBe(true);
  });

  it('pass on a URL in its parsed form', () => {
    expect(validateRequest('shell:openUrl', { url: 'HTTPS://Example.COM/a b' })).toEqual({ ok: true, value: { url: 'https://example.com/a%20b' } });
  });

  it('never repeat the value in a refusal, so a password does not end up in a log', () => {
    const password = 'x'.repeat(1025);
    expect(failureMessage(validateRequest('account:signInWithPassword', { userId: 'alice', password }))).not.toContain('xxxx');
    const message = failureMessage(validateRequest('account:signInWithPassword', { userId: 'alice', password: 'hunter2', token: 'hunter3' }));
    expect(message).not.toContain('hunter');
  });

  it('refuse objects that are not plain', () => {
    class PairRef {
      id = 'pair-1';
    }
    expect(failureMessage(validateRequest('pairs:remove', new PairRef()))).toBe('Invalid pairs:remove request: expected a plain object');
  });
});

describe('AppOverview', () => {
  it('accepts a full overview and returns a copy', () => {
    const value = sampleOverview();
    const result = validateAppOverview(value);
    expect(result).toEqual({ ok: true, value });
    expect(result.ok && result.value).not.toBe(value);
    expect(result.ok && result.value.pairs).not.toBe(value.pairs);
  });

  it('accepts an overview with no account, no pairs and a settings problem', () => {
    const value: AppOverview = {
      account: { user: null, server: null, method: null },
      pairs: [],
      settingsFile: '/tmp/settings.json',
      settingsProblem: { code: ErrorCode.Configuration, message: 'The settings file was damaged.' },
    };
    expect(validateAppOverview(value)).toEqual({ ok: true, value });
  });

  it.each([
    ['not an object', 'nope', 'expected an object'],
    ['a numeric user', { ...sampleOverview(), account: { user: 7, server: null, method: null } }, 'account.user: expected a string or null'],
    ['an unknown method', { ...sampleOverview(), account: { user: null, server: null, method: 'digest' } }, "account.method: expected one of 'basic', 'oauth2' or null"],
    ['a pair without remoteUrl', { ...sampleOverview(), pairs: [{ localFolder: '/a' }] }, 'pairs[0].remoteUrl: expected a string'],
    ['an unknown error code', { ...sampleOverview(), settingsProblem: { code: 'Oops', message: 'x' } }, 'settingsProblem.code: expected one of'],
    ['a problem that is a string', { ...sampleOverview(), settingsProblem: 'broken' }, 'settingsProblem: expected an object or null'],
    ['a huge string', { ...sampleOverview(), settingsFile: 'x'.repeat(40_000) }, 'settingsFile: expected at most'],
  ])('refuses %s', (_name, value, expected) => {
    const result = validateAppOverview(value);
    expect(failureMessage(result)).toContain(expected);
    expect(!result.ok && result.error.code).toBe(ErrorCode.BadResponse);
  });

  it('refuses a field the contract does not have, so nothing extra (a token) crosses', () => {
    const value = { ...sampleOverview(), account: { ...sampleOverview().account, accessToken: 'secret' } };
    expect(failureMessage(validateAppOverview(value))).toBe('account.accessToken: expected no such field');
    expect(failureMessage(validateAppOverview({ ...sampleOverview(), extra: 1 }))).toBe('extra: expected no such field');
  });
});
