/**
 * The data both processes see. Pure types: the main side builds these from its services, the
 * renderer shows them, and shared/ipc/schemas.ts checks them at the process boundary. Nothing
 * here ever carries a secret.
 *
 * What the app's window sees over IPC (shared/ipc/contract.ts) are views, not the services' own
 * records: each carries what the window shows and nothing more, never a secret, so that a
 * field added to a service record does not cross the process boundary by accident (the
 * validators in shared/ipc/schemas.ts refuse unknown fields). Their types are inferred from
 * those schemas and re-exported here under their names: the schema is the one description of
 * a payload, its fields documented there. `import type` only, so that nothing here loads the
 * validation library at run time.
 */
export type {
  AuthMethod,
  SyncState,
  ActivityGroupKind,
  BackupPhase,
  ConflictResolution,
  Theme,
  Language,
  FailSafeReason,
  PickPurpose,
  BackupSchedule,
  SkipReason,
  AccountSummary,
  PairSummary,
  AppOverview,
  AccountInfo,
  SignInResult,
  SignOutResult,
  BandwidthLimits,
  PairView,
  PairPreview,
  RemoteFolderView,
  RemoteFolderListing,
  RemoteFolderSize,
  LocalFreeSpace,
  SyncProgress,
  FailedPath,
  SkippedPath,
  LastRunSummary,
  FailSafeDeletion,
  FailSafeInfo,
  SyncStatus,
  PairStatus,
  ActivityFile,
  ActivityGroup,
  ActivityRun,
  ActivityPage,
  FileVersionView,
  ConflictInfo,
  BackupFailSafeView,
  FileFailureView,
  BackupSummaryView,
  BackupFileView,
  BackupListing,
  RestoreSummaryView,
  BackupProgress,
  BackupRunView,
  BackupStateView,
  DeletedFileView,
  DeletedRunView,
  PairDeletedFiles,
  DeletedFilesUsage,
  RestoredDeletedEntry,
  UpdateChannel,
  UpdatePhase,
  UpdateDisabledReason,
  UpdateBusyReason,
  UpdateStateView,
  SettingsView,
  SettingsUpdate,
  ProxySettingsView,
  ProxySettingsInput,
  ProxyTestResult,
} from './ipc/schemas.js';

/** Where secrets are kept: the system's keychain of each system, or memory for this session. */
export type SecretStoreKind = 'macosKeychain' | 'windowsCredentialManager' | 'secretService' | 'session';
export const secretStoreKinds: readonly SecretStoreKind[] = ['macosKeychain', 'windowsCredentialManager', 'secretService', 'session'];

// The app's proxy -----------------------------------------------------------------------------

/**
 * How the app's requests go out: 'system' follows the computer's proxy configuration (PAC
 * files included), 'none' goes direct, 'http' / 'socks5' use the proxy at host:port.
 */
export type ProxyMode = 'system' | 'none' | 'http' | 'socks5';

export const proxyModes: readonly ProxyMode[] = ['system', 'none', 'http', 'socks5'];

/** The bounds both validators use (settings.ts and shared/ipc/schemas.ts), and the window. */
export const proxyLimits = { hostLength: 253, userLength: 256, passwordLength: 1_024, port: { min: 1, max: 65_535 } } as const;

/**
 * True when `text` is a bare host name (letters, digits, '.', '-', '_') or IP address (IPv6
 * with or without brackets): no scheme, port, user or space. The one rule for settings.ts,
 * shared/ipc/schemas.ts and the Proxy card.
 */
export function isProxyHost(text: string): boolean {
  return text.length <= proxyLimits.hostLength && /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?|\[?[0-9A-Fa-f:.]+(?:%[A-Za-z0-9]+)?\]?)$/.test(text);
}
