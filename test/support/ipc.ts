/**
 * Valid values for every IPC request, response and event, and handlers that answer them: the
 * contract's tests and the transports' tests start from these. The mapped types make a channel
 * or event without a sample a compile error.
 */
import type { PairDeletedFiles, ProxySettingsView, UpdateStateView } from '../../shared/types.js';
import type { IpcHandlers } from '../../electron/app/dispatchIpc.js';
import { ErrorCode } from '../../shared/errors.js';
import type { IpcChannel, IpcEventName, IpcEventPayload, IpcRequest, IpcResponse } from '../../shared/ipc/contract.js';
import type {
  AccountInfo,
  ActivityRun,
  AppOverview,
  BackupFailSafeView,
  BackupListing,
  BackupProgress,
  BackupStateView,
  BackupSummaryView,
  ConflictInfo,
  PairPreview,
  PairStatus,
  PairView,
  RemoteFolderListing,
  RestoreSummaryView,
  SettingsView,
  SyncStatus,
} from '../../shared/types.js';

export function sampleOverview(): AppOverview {
  return {
    account: { user: 'alice', server: 'https://seto.teracloud.jp/dav/', method: 'basic' },
    pairs: [{ localFolder: '/home/alice/TeraCLOUD', remoteUrl: 'https://seto.teracloud.jp/dav/Sync/' }],
    settingsFile: '/home/alice/.config/TeraSync/settings.json',
    settingsProblem: null,
  };
}

export function sampleStatus(): SyncStatus {
  return {
    state: 'syncing',
    lastSyncAt: 1_764_000_000_000,
    progress: { actionsDone: 3, actionsTotal: 10, bytesDone: 1024, bytesTotal: 4096 },
    problem: null,
    retryAt: null,
    watcherFallback: false,
    pending: 7,
    lastRun: {
      conflicts: 1,
      errors: 1,
      failures: [{ path: 'Reports/locked.xlsx', error: { code: ErrorCode.LocalIo, message: 'EBUSY: resource busy or locked' } }],
      skipped: 1,
      skips: [{ path: 'Reports/caf\\xE9.txt', side: 'local', reason: 'invalid-name', message: 'the name is not valid UTF-8 (each byte that is not is shown as \\xHH), so it cannot be synced: the file is left as it is; rename it to sync it' }],
    },
    failSafe: null,
  };
}

export function sampleFailSafeStatus(): SyncStatus {
  return {
    ...sampleStatus(),
    state: 'failsafe',
    progress: null,
    problem: { code: ErrorCode.FailSafeTriggered, message: 'This sync would delete 12 of 20 synced files. Nothing was deleted.' },
    failSafe: { reason: 'massDelete', deletions: [{ path: 'Photos/2024', type: 'dir', side: 'remote' }, { path: 'Photos/2024/a.jpg', type: 'file', side: 'remote' }], total: 12 },
  };
}

export function samplePairStatus(): PairStatus {
  return { pairId: 'pair-1', status: sampleStatus() };
}

export function samplePair(): PairView {
  return {
    id: 'pair-1',
    localFolder: '/home/alice/TeraCLOUD',
    remoteFolder: 'Documents/Work',
    paused: false,
    bandwidth: { uploadKiBps: 0, downloadKiBps: 512 },
    excludedFolders: ['Archive/2019'],
  };
}

export function sampleAccount(): AccountInfo {
  return {
    userId: 'alice',
    node: 'seto',
    webdavUrl: 'https://seto.teracloud.jp/dav/',
    signedInWith: 'basic',
    method: 'basic',
    fallbackReason: null,
    quota: { usedBytes: 1_000_000, quotaBytes: 10_000_000_000 },
    quotaProblem: null,
    secretStore: 'secretService',
  };
}

export function sampleActivityRun(): ActivityRun {
  return {
    id: 7,
    pairId: 'pair-1',
    startedAt: 1_764_000_000_000,
    endedAt: 1_764_000_004_000,
    outcome: 'completed',
    groups: [
      { kind: 'addedRemote', count: 2, files: [{ path: 'Reports/q3.pdf', from: null, error: null }, { path: 'Reports/q4.pdf', from: null, error: null }] },
      { kind: 'deletedRemote', count: 1, files: [{ path: 'old.txt', from: null, error: null }] },
      { kind: 'failed', count: 1, files: [{ path: 'big.iso', from: null, error: { code: ErrorCode.InsufficientStorage, message: 'The storage is full.' } }] },
    ],
  };
}

export function sampleConflict(): ConflictInfo {
  return {
    id: 3,
    pairId: 'pair-1',
    path: 'notes.txt',
    copy: 'notes (conflict 2025-11-28).txt',
    createdAt: 1_764_000_000_000,
    mine: { size: 120, modifiedMs: 1_763_999_000_000 },
    theirs: { size: 98, modifiedMs: 1_763_998_000_000 },
  };
}

export function samplePreview(): PairPreview {
  return {
    upload: { files: 12, bytes: 40_960 },
    download: { files: 3, bytes: 1_048_576 },
    createLocalFolders: 1,
    createRemoteFolders: 2,
    conflicts: 1,
    onBoth: 4,
    skipped: 0,
    conflictPaths: ['notes.txt'],
  };
}

export function sampleRemoteFolders(): RemoteFolderListing {
  return { path: 'Documents', folders: [{ name: 'Work', path: 'Documents/Work' }], files: 3 };
}

export function sampleBackupState(): BackupStateView {
  return {
    running: { operation: 'backup', progress: sampleProgress() },
    history: [
      {
        startedAt: 1_764_000_000_000,
        endedAt: 1_764_000_005_321,
        sources: ['/home/alice/Photos'],
        dryRun: false,
        filesSent: 4,
        bytesSent: 8192,
        versioned: 1,
        failedTotal: 1,
        stopped: null,
        version: '2025-11-28T120000Z',
      },
    ],
  };
}

export function sampleProgress(): BackupProgress {
  return {
    operation: 'backup',
    phase: 'sending',
    filesDone: 2,
    filesTotal: 5,
    bytesDone: 2048,
    bytesTotal: 8192,
    currentFile: 'Photos/2025/beach.jpg',
    remainingMs: 1500,
  };
}

export function sampleBackupSummary(): BackupSummaryView {
  return {
    device: 'alice-laptop',
    version: '2025-11-28T120000Z',
    dryRun: false,
    filesSent: 4,
    bytesSent: 8192,
    unchanged: 120,
    versioned: 1,
    createdFolders: 2,
    skipped: 0,
    pruned: ['2025-10-01T080000Z'],
    failed: [{ source: 'Photos', path: '2025/locked.jpg', error: { code: ErrorCode.LocalIo, message: 'Permission denied' } }],
    failedTotal: 1,
    durationMs: 5321,
    stopped: null,
    quota: { neededBytes: 8192, freeBytes: 1_000_000 },
  };
}

/** A backup stopped by the fail-safe: 1 file where 50 were. */
export function sampleBackupFailSafe(): BackupFailSafeView {
  return {
    sources: [
      { name: 'Photos', root: '/home/alice/Photos', backedUp: 50, wouldMove: 50, localFiles: 1, paths: ['2025/beach.jpg', '2025/dunes.jpg'] },
    ],
  };
}

export function sampleListing(): BackupListing {
  return {
    device: 'alice-laptop',
    sources: ['Documents', 'Photos'],
    versions: ['2025-10-01T080000Z', '2025-11-28T120000Z'],
    source: 'Photos',
    version: null,
    files: [{ path: '2025/beach.jpg', size: 4096, modifiedMs: 1_764_000_000_000 }],
    truncated: false,
  };
}

export function sampleRestoreSummary(): RestoreSummaryView {
  return {
    source: 'Photos',
    version: '2025-11-28T120000Z',
    path: '2025',
    target: '/home/alice/Restored/2025',
    restored: 10,
    unchanged: 2,
    keptAside: [{ path: 'beach.jpg', copy: '/home/alice/Restored/2025/beach (restored 2025-11-28).jpg' }],
    failed: [],
    failedTotal: 0,
    bytes: 40_960,
    durationMs: 812,
    stopped: null,
  };
}

export function sampleSettings(): SettingsView {
  return {
    pairs: [samplePair()],
    sync: { pollIntervalSeconds: 30, fullScanMinutes: 10, ignorePatterns: ['*.tmp', 'node_modules/'], parallelTransfers: 4, failSafePercent: 50, deletedRetentionDays: 30 },
    backup: { sources: ['/home/alice/Photos', 'C:\\Users\\alice\\Documents'], device: null, retentionDays: 30, schedule: 'manual' },
    app: { startAtLogin: null, notifications: false, theme: 'system', language: 'ja' },
    update: { enabled: true, channel: 'beta' },
  };
}

export function sampleProxySettings(): ProxySettingsView {
  return { mode: 'http', host: 'proxy.example.com', port: 3128, user: 'alice', passwordStored: true };
}

export function sampleUpdateState(): UpdateStateView {
  return {
    phase: 'ready',
    disabledReason: null,
    currentVersion: '0.1.0',
    version: '0.2.0',
    percent: null,
    lastCheckedAt: 1_764_000_000_000,
    problem: null,
    nextCheckAt: null,
    restartPending: true,
    busy: 'sync',
  };
}

export const goodRequests: { readonly [C in IpcChannel]: () => IpcRequest<C> } = {
  'app:getOverview': () => undefined,
  'account:get': () => undefined,
  'account:signInWithPassword': () => ({ userId: 'alice', password: 'apps-password-1', location: 'seto', preemptive: false }),
  'account:signInWithOAuth': () => ({ location: 'https://seto.teracloud.jp/dav/', advanced: { apiKeyPlacement: 'matrix', caFile: '/etc/ssl/private-ca.pem' } }),
  'account:signOut': () => undefined,
  'account:cancelSignIn': () => undefined,
  'pairs:list': () => undefined,
  'pairs:add': () => ({ localFolder: '/home/alice/TeraCLOUD', remoteFolder: 'Documents/Work' }),
  'pairs:update': () => ({ id: 'pair-1', bandwidth: { uploadKiBps: 256 } }),
  'pairs:remove': () => ({ id: 'pair-1' }),
  'pairs:pause': () => ({ id: 'pair-1' }),
  'pairs:resume': () => ({ id: 'pair-1' }),
  'pairs:syncNow': () => ({ id: 'pair-1' }),
  'pairs:preview': () => ({ localFolder: '/home/alice/TeraCLOUD', remoteFolder: 'Documents', excludedFolders: ['Documents/Old'] }),
  'remote:listFolders': () => ({ path: 'Documents' }),
  'remote:folderSize': () => ({ path: 'Documents' }),
  'local:freeSpace': () => ({ path: '/home/alice/TeraCLOUD' }),
  'status:get': () => undefined,
  'activity:list': () => ({ pairId: 'pair-1', kinds: ['deletedRemote', 'failed'], before: 40, limit: 20 }),
  'conflicts:list': () => undefined,
  'conflicts:resolve': () => ({ pairId: 'pair-1', id: 3, keep: 'both' }),
  'conflicts:open': () => ({ pairId: 'pair-1', id: 3, side: 'theirs' }),
  'failsafe:decide': () => ({ pairId: 'pair-1', decision: 'restore' }),
  'backup:run': () => ({ sources: ['/home/alice/Photos'], dryRun: true, allowMassDelete: false }),
  'backup:cancel': () => undefined,
  'backup:list': () => ({ source: 'Photos', version: '2025-11-28T120000Z' }),
  'restore:run': () => ({ source: 'Photos', version: '2025-11-28T120000Z', path: '2025/beach.jpg', to: '/home/alice/Restored' }),
  'backup:getState': () => undefined,
  'backup:decideFailSafe': () => ({ decision: 'allow' }),
  'settings:get': () => undefined,
  'settings:update': () => ({ sync: { pollIntervalSeconds: 60 }, backup: { device: 'Alice laptop' }, app: { theme: 'dark', startAtLogin: true }, update: { channel: 'beta' } }),
  'proxy:get': () => undefined,
  'proxy:save': () => ({ mode: 'http', host: 'proxy.example.com', port: 3128, user: 'alice', password: 'proxy-pass-1' }),
  'proxy:test': () => ({ mode: 'socks5', host: '::1', port: 1080, user: null, clearPassword: true }),
  'shell:openFolder': () => ({ kind: 'syncFolder', pairId: 'pair-1' }),
  'shell:openUrl': () => ({ url: 'https://www.teracloud.jp/en/modules/mypage/' }),
  'shell:showFile': () => ({ pairId: 'pair-1', path: 'Reports/q3.pdf' }),
  'dialog:pickPath': () => ({ purpose: 'syncFolder' }),
  'deleted:list': () => undefined,
  'deleted:restore': () => ({ pairId: 'pair-1', runId: '2026-12-05T235329Z', path: 'Reports/q3 draft.pdf' }),
  'deleted:purge': () => ({ pairId: 'pair-1', runId: '2026-12-05T235329Z-2' }),
  'deleted:usage': () => undefined,
  'update:getState': () => undefined,
  'update:check': () => undefined,
  'update:restart': () => undefined,
};

export const goodResponses: { readonly [C in IpcChannel]: () => IpcResponse<C> } = {
  'app:getOverview': sampleOverview,
  'account:get': sampleAccount,
  'account:signInWithPassword': () => ({ account: sampleAccount(), problem: null }),
  'account:signInWithOAuth': () => ({
    account: { ...sampleAccount(), signedInWith: 'oauth2', method: 'oauth2', webdavUrl: 'https://seto.teracloud.jp/v2/dav/' },
    problem: { code: ErrorCode.NotFound, message: '/v2/dav/ is not available yet.' },
  }),
  'account:signOut': () => ({ signedOut: true, revocation: 'revoked', revocationError: null }),
  'account:cancelSignIn': () => undefined,
  'pairs:list': () => [samplePair()],
  'pairs:add': samplePair,
  'pairs:update': samplePair,
  'pairs:remove': () => undefined,
  'pairs:pause': () => ({ ...samplePair(), paused: true }),
  'pairs:resume': samplePair,
  'pairs:syncNow': () => undefined,
  'pairs:preview': samplePreview,
  'remote:listFolders': sampleRemoteFolders,
  'remote:folderSize': () => ({ path: 'Documents', bytes: 4_200_000, files: 12, complete: true }),
  'local:freeSpace': () => ({ path: '/home/alice/TeraCLOUD', freeBytes: 50_000_000_000 }),
  'status:get': () => [samplePairStatus(), { pairId: 'pair-2', status: sampleFailSafeStatus() }],
  'activity:list': () => ({ runs: [sampleActivityRun()], more: true }),
  'conflicts:list': () => [sampleConflict()],
  'conflicts:resolve': () => undefined,
  'conflicts:open': () => undefined,
  'failsafe:decide': () => undefined,
  'backup:run': sampleBackupSummary,
  'backup:cancel': () => undefined,
  'backup:list': sampleListing,
  'restore:run': sampleRestoreSummary,
  'backup:getState': () => ({ ...sampleBackupState(), failSafe: sampleBackupFailSafe() }),
  'backup:decideFailSafe': () => ({ ...sampleBackupSummary(), stopped: null }),
  'settings:get': sampleSettings,
  'settings:update': sampleSettings,
  'proxy:get': sampleProxySettings,
  'proxy:save': sampleProxySettings,
  'proxy:test': () => ({ ok: false, target: 'https://seto.teracloud.jp/', via: 'http://alice@proxy.example.com:3128', error: { code: ErrorCode.ProxyAuth, message: 'The proxy refused the proxy user name or password (407).' } }),
  'shell:openFolder': () => undefined,
  'shell:openUrl': () => undefined,
  'shell:showFile': () => undefined,
  'dialog:pickPath': () => '/home/alice/Pictures',
  'deleted:list': () => [sampleDeletedFiles()],
  'deleted:restore': () => [{ path: 'Reports/q3 draft.pdf', restoredTo: 'Reports/q3 draft (restored).pdf' }],
  'deleted:purge': () => undefined,
  'deleted:usage': () => ({ bytes: 12_582_912, retentionDays: 30 }),
  'update:getState': sampleUpdateState,
  'update:check': () => ({ ...sampleUpdateState(), phase: 'checking', version: null, restartPending: false, busy: null }),
  'update:restart': () => ({ ...sampleUpdateState(), phase: 'installing', restartPending: false, busy: null }),
};

/** A pair's trash with one run of two files. */
export function sampleDeletedFiles(): PairDeletedFiles {
  return {
    pairId: 'pair-1',
    runs: [{ runId: '2026-12-05T235329Z', deletedAt: Date.UTC(2026, 11, 5, 23, 53, 29), files: [{ path: 'Reports/q3 draft.pdf', size: 12_000 }, { path: 'Reports/日本語 メモ.txt', size: 582 }], bytes: 12_582 }],
    bytes: 12_582,
    problem: null,
  };
}

export const goodEvents: { readonly [E in IpcEventName]: () => IpcEventPayload<E> } = {
  'status:changed': samplePairStatus,
  'activity:runAdded': sampleActivityRun,
  'conflicts:changed': () => [sampleConflict()],
  'backup:progress': sampleProgress,
  'account:changed': () => null,
  'settings:changed': sampleSettings,
  'backup:changed': () => ({ running: null, history: sampleBackupState().history, retryAt: 1_764_000_060_000, nextRunAt: 1_764_003_600_000 }),
  'update:changed': () => ({ ...sampleUpdateState(), phase: 'downloading', percent: 42, restartPending: false, busy: null }),
};

/** Handlers that answer the good responses; `overrides` replace some. */
export function fakeHandlers(overrides: Partial<IpcHandlers> = {}): IpcHandlers {
  const answer = <C extends IpcChannel>(channel: C) => () => Promise.resolve(goodResponses[channel]());
  const handlers = Object.fromEntries(Object.keys(goodResponses).map((channel) => [channel, answer(channel as IpcChannel)]));
  return { ...handlers, ...overrides } as IpcHandlers;
}
