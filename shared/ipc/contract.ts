/**
 * THE one list of IPC methods and events between the renderer and main. Adding a method takes
 * one entry in `IpcContract` (its types; `request: undefined` when it takes none) and one in
 * `ipcMethods` (its function's name on window.terasync); adding an event, one entry in
 * `IpcEvents` and one in `ipcEventSubscriptions`. The compiler then asks for the validators in
 * schemas.ts and for the handler in the main process, and both transports (the preload, and the
 * WebSocket bridge for tests in dev/ipcBridge) carry it with no more code.
 *
 * Channels are named `domain:verb`, events `domain:pastParticiple`. Every call answers a
 * `Result`: `{ ok: true, value }` or `{ ok: false, error: { code, message } }`, never a thrown
 * error (only a message would survive Electron's serialization of one). Events go from main to
 * the window only.
 */
import type { Result } from '../errors.js';
import type {
  AccountInfo,
  ActivityListRequest,
  ActivityPage,
  ActivityRun,
  AddPairRequest,
  AppOverview,
  BackupFailSafeDecisionRequest,
  BackupListRequest,
  BackupListing,
  BackupProgress,
  BackupRunRequest,
  BackupStateView,
  BackupSummaryView,
  ConflictInfo,
  DeletedFilesUsage,
  DeletedPurgeRequest,
  DeletedRestoreRequest,
  FailSafeDecisionRequest,
  ListRemoteFoldersRequest,
  LocalFreeSpace,
  LocalFreeSpaceRequest,
  OAuthSignInRequest,
  OpenConflictVersionRequest,
  OpenFolderRequest,
  OpenUrlRequest,
  PairDeletedFiles,
  PairPreview,
  PairRequest,
  PairStatus,
  PairView,
  PasswordSignInRequest,
  PickPathRequest,
  PreviewPairRequest,
  ProxySettingsInput,
  ProxySettingsView,
  ProxyTestResult,
  RemoteFolderListing,
  RemoteFolderSize,
  RemoteFolderSizeRequest,
  ResolveConflictRequest,
  RestoreRequest,
  RestoreSummaryView,
  RestoredDeletedEntry,
  SettingsUpdate,
  SettingsView,
  ShowFileRequest,
  SignInResult,
  SignOutResult,
  UpdatePairRequest,
  UpdateStateView,
} from './schemas.js';

/** The requests' types, inferred from their schemas (schemas.ts), where their fields are documented. */
export type {
  AdvancedSignInOptions,
  PasswordSignInRequest,
  OAuthSignInRequest,
  PairRequest,
  AddPairRequest,
  PreviewPairRequest,
  ListRemoteFoldersRequest,
  RemoteFolderSizeRequest,
  LocalFreeSpaceRequest,
  UpdatePairRequest,
  ActivityListRequest,
  OpenConflictVersionRequest,
  ResolveConflictRequest,
  FailSafeDecisionRequest,
  BackupRunRequest,
  BackupFailSafeDecisionRequest,
  BackupListRequest,
  RestoreRequest,
  DeletedRestoreRequest,
  DeletedPurgeRequest,
  OpenFolderRequest,
  OpenUrlRequest,
  ShowFileRequest,
  PickPathRequest,
} from './schemas.js';

export interface IpcContract {
  'app:getOverview': { request: undefined; response: AppOverview };

  'account:get': { request: undefined; response: AccountInfo | null };
  'account:signInWithPassword': { request: PasswordSignInRequest; response: SignInResult };
  'account:signInWithOAuth': { request: OAuthSignInRequest; response: SignInResult };
  'account:signOut': { request: undefined; response: SignOutResult };
  /** Gives up an OAuth2 sign-in that waits for the browser; nothing when none does. */
  'account:cancelSignIn': { request: undefined; response: undefined };

  'pairs:list': { request: undefined; response: PairView[] };
  'pairs:add': { request: AddPairRequest; response: PairView };
  'pairs:update': { request: UpdatePairRequest; response: PairView };
  'pairs:remove': { request: PairRequest; response: undefined };
  'pairs:pause': { request: PairRequest; response: PairView };
  'pairs:resume': { request: PairRequest; response: PairView };
  'pairs:syncNow': { request: PairRequest; response: undefined };
  'pairs:preview': { request: PreviewPairRequest; response: PairPreview };
  'remote:listFolders': { request: ListRemoteFoldersRequest; response: RemoteFolderListing };
  /** The size of a server folder and everything below it, within a bounded number of listings. */
  'remote:folderSize': { request: RemoteFolderSizeRequest; response: RemoteFolderSize };
  /** Free space on the disk of a local folder (its nearest existing parent when it does not exist yet). */
  'local:freeSpace': { request: LocalFreeSpaceRequest; response: LocalFreeSpace };

  'status:get': { request: undefined; response: PairStatus[] };
  /** The activity history, newest first, filtered by pair and by kind, a page at a time. */
  'activity:list': { request: ActivityListRequest; response: ActivityPage };
  'conflicts:list': { request: undefined; response: ConflictInfo[] };
  'conflicts:resolve': { request: ResolveConflictRequest; response: undefined };
  'conflicts:open': { request: OpenConflictVersionRequest; response: undefined };
  'failsafe:decide': { request: FailSafeDecisionRequest; response: undefined };

  'backup:run': { request: BackupRunRequest; response: BackupSummaryView };
  /** Cancels the backup or restore that is running; nothing when none is. */
  'backup:cancel': { request: undefined; response: undefined };
  'backup:list': { request: BackupListRequest; response: BackupListing };
  'restore:run': { request: RestoreRequest; response: RestoreSummaryView };
  'backup:getState': { request: undefined; response: BackupStateView };
  /** Answers a backup stopped by the fail-safe; 'allow' answers with the new run's summary, 'leave' with null. */
  'backup:decideFailSafe': { request: BackupFailSafeDecisionRequest; response: BackupSummaryView | null };

  'settings:get': { request: undefined; response: SettingsView };
  'settings:update': { request: SettingsUpdate; response: SettingsView };
  /** The app's proxy setting, and whether a proxy password is stored (never the password). */
  'proxy:get': { request: undefined; response: ProxySettingsView };
  /** Saves the proxy setting (a new password goes to the keychain); every next request follows it. */
  'proxy:save': { request: ProxySettingsInput; response: ProxySettingsView };
  /** Tries the service's address through the proposed setting, without saving it. */
  'proxy:test': { request: ProxySettingsInput; response: ProxyTestResult };

  'shell:openFolder': { request: OpenFolderRequest; response: undefined };
  'shell:openUrl': { request: OpenUrlRequest; response: undefined };
  /** Shows an activity item's file in the file manager (its folder when the file is gone). */
  'shell:showFile': { request: ShowFileRequest; response: undefined };
  /** The system's folder (or, for a CA certificate, file) dialog; null when the user cancelled. */
  'dialog:pickPath': { request: PickPathRequest; response: string | null };

  // Deleted files (each pair's server-side trash).
  'deleted:list': { request: undefined; response: PairDeletedFiles[] };
  'deleted:restore': { request: DeletedRestoreRequest; response: RestoredDeletedEntry[] };
  'deleted:purge': { request: DeletedPurgeRequest; response: undefined };
  'deleted:usage': { request: undefined; response: DeletedFilesUsage };

  // Updates of the app itself.
  'update:getState': { request: undefined; response: UpdateStateView };
  /** Asks the feed now (the app also does by itself); answers at once, the result comes as `update:changed`. */
  'update:check': { request: undefined; response: UpdateStateView };
  /** Installs the downloaded update: now, or as soon as no sync run or backup is in progress. */
  'update:restart': { request: undefined; response: UpdateStateView };
}

/** Main -> window: the payload each event carries. */
export interface IpcEvents {
  'status:changed': PairStatus;
  /** A sync run that changed something was added to the activity history. */
  'activity:runAdded': ActivityRun;
  /** Every open conflict of every pair, after any change. */
  'conflicts:changed': ConflictInfo[];
  'backup:progress': BackupProgress;
  'account:changed': AccountInfo | null;
  'settings:changed': SettingsView;
  /** A backup or restore started or ended. */
  'backup:changed': BackupStateView;
  /** The app's own update moved on (checking, downloading, ready, ...). */
  'update:changed': UpdateStateView;
}

export type IpcChannel = keyof IpcContract;
export type IpcRequest<C extends IpcChannel> = IpcContract[C]['request'];
export type IpcResponse<C extends IpcChannel> = IpcContract[C]['response'];
export type IpcResult<C extends IpcChannel> = Result<IpcResponse<C>>;

export type IpcEventName = keyof IpcEvents;
export type IpcEventPayload<E extends IpcEventName> = IpcEvents[E];
/** One event with its payload, as a discriminated union (what a transport forwards). */
export type IpcEventMessage = { [E in IpcEventName]: { event: E; payload: IpcEvents[E] } }[IpcEventName];

/** The most runs one `activity:list` page answers. */
export const maxActivityPage = 100;
/** The most files a run's group lists (its `count` counts them all). */
export const maxActivityGroupFiles = 50;
/** The most runs the activity history keeps. */
export const maxActivityRuns = 500;
/** How long the activity history keeps a run. */
export const activityRetentionMs = 30 * 24 * 60 * 60 * 1000;
/** The most files one `backup:list` answers (`truncated` says when there were more). */
export const maxListedBackupFiles = 10_000;
// How much of a run's lists a status carries: the engines cut their reports there too.
export { maxListedDeletions, maxListedFailures, maxListedRunFailures, maxListedRunSkips } from '../limits.js';
/** The most runs the backup history keeps. */
export const maxBackupHistory = 50;

/**
 * The runtime list of channels, each with the name of its function on window.terasync. Typed
 * so that a channel missing here, or one here that the contract does not know, fails to compile.
 */
export const ipcMethods = {
  'app:getOverview': 'getOverview',
  'account:get': 'getAccount',
  'account:signInWithPassword': 'signInWithPassword',
  'account:signInWithOAuth': 'signInWithOAuth',
  'account:signOut': 'signOut',
  'account:cancelSignIn': 'cancelSignIn',
  'pairs:list': 'listPairs',
  'pairs:add': 'addPair',
  'pairs:update': 'updatePair',
  'pairs:remove': 'removePair',
  'pairs:pause': 'pausePair',
  'pairs:resume': 'resumePair',
  'pairs:syncNow': 'syncPairNow',
  'pairs:preview': 'previewPair',
  'remote:listFolders': 'listRemoteFolders',
  'remote:folderSize': 'measureRemoteFolder',
  'local:freeSpace': 'localFreeSpace',
  'status:get': 'getStatus',
  'activity:list': 'listActivity',
  'conflicts:list': 'listConflicts',
  'conflicts:resolve': 'resolveConflict',
  'conflicts:open': 'openConflictVersion',
  'failsafe:decide': 'decideFailSafe',
  'backup:run': 'runBackup',
  'backup:cancel': 'cancelBackup',
  'backup:list': 'listBackups',
  'restore:run': 'runRestore',
  'backup:getState': 'getBackupState',
  'backup:decideFailSafe': 'decideBackupFailSafe',
  'settings:get': 'getSettings',
  'settings:update': 'updateSettings',
  'proxy:get': 'getProxySettings',
  'proxy:save': 'saveProxySettings',
  'proxy:test': 'testProxySettings',
  'shell:openFolder': 'openFolder',
  'shell:openUrl': 'openUrl',
  'shell:showFile': 'showFile',
  'dialog:pickPath': 'pickPath',
  'deleted:list': 'listDeletedFiles',
  'deleted:restore': 'restoreDeletedFiles',
  'deleted:purge': 'purgeDeletedFiles',
  'deleted:usage': 'getDeletedFilesUsage',
  'update:getState': 'getUpdateState',
  'update:check': 'checkForUpdate',
  'update:restart': 'restartToUpdate',
} as const satisfies { [C in IpcChannel]: string };

/** Each event with the name of its subscription function on window.terasync. */
export const ipcEventSubscriptions = {
  'status:changed': 'onStatusChanged',
  'activity:runAdded': 'onActivityRunAdded',
  'conflicts:changed': 'onConflictsChanged',
  'backup:progress': 'onBackupProgress',
  'account:changed': 'onAccountChanged',
  'settings:changed': 'onSettingsChanged',
  'backup:changed': 'onBackupChanged',
  'update:changed': 'onUpdateChanged',
} as const satisfies { [E in IpcEventName]: `on${string}` };

export const ipcChannels = Object.keys(ipcMethods) as IpcChannel[];
export const ipcEventNames = Object.keys(ipcEventSubscriptions) as IpcEventName[];

export function isIpcChannel(value: unknown): value is IpcChannel {
  return typeof value === 'string' && Object.hasOwn(ipcMethods, value);
}

export function isIpcEventName(value: unknown): value is IpcEventName {
  return typeof value === 'string' && Object.hasOwn(ipcEventSubscriptions, value);
}

type MethodName<C extends IpcChannel> = (typeof ipcMethods)[C];
type SubscriptionName<E extends IpcEventName> = (typeof ipcEventSubscriptions)[E];

/** A method whose request is `undefined` takes no argument. */
type ApiFunction<C extends IpcChannel> = [IpcRequest<C>] extends [undefined]
  ? () => Promise<IpcResult<C>>
  : (request: IpcRequest<C>) => Promise<IpcResult<C>>;

/** Calls `callback` with each event's payload (and nothing else) until the returned function is called. */
export type Subscribe<E extends IpcEventName> = (callback: (payload: IpcEventPayload<E>) => void) => () => void;

/**
 * What the window sees as `window.terasync`, whichever transport carries it: one function per
 * contract method and one subscription per event.
 */
export type TeraSyncApi = { readonly [C in IpcChannel as MethodName<C>]: ApiFunction<C> } & {
  readonly [E in IpcEventName as SubscriptionName<E>]: Subscribe<E>;
};
