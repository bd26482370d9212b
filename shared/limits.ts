/**
 * How many entries a report keeps of a list that can be long (every deletion of a fail-safe
 * stop, every failed path of a run): the engines cut their reports at these, and the IPC
 * contract (shared/ipc/contract.ts) promises the window no more. The totals are always counted
 * in full beside the list.
 */
/** The most failures a backup or restore summary lists (`failedTotal` counts them all). */
export const maxListedFailures = 1_000;
/** The most deletions a fail-safe status lists (`total` counts them all). */
export const maxListedDeletions = 1_000;
/** The most failed paths a status's last run lists (`errors` counts them all). */
export const maxListedRunFailures = 100;
/** The most skipped entries a status's last run lists (`skipped` counts them all). */
export const maxListedRunSkips = 100;

/**
 * The bounds of every number and list of settings.json (electron/app/settings.ts checks the
 * file with them) and of the window's requests that change them (shared/ipc/schemas.ts): one
 * definition, so that the two validators accept the same values.
 */
export const settingsLimits = {
  pollIntervalSeconds: { min: 5, max: 86_400 },
  fullScanMinutes: { min: 1, max: 10_080 },
  retentionDays: { min: 0, max: 36_500 },
  /** 10 GiB/s: anything above is a typing error, not a limit. */
  bandwidthKiBps: { min: 0, max: 10_485_760 },
  deviceLength: 255,
  parallelTransfers: { min: 1, max: 16 },
  failSafePercent: { min: 1, max: 99 },
  deletedRetentionDays: { min: 1, max: 365 },
  excludedFolderCount: 1_000,
  excludedFolderLength: 4_096,
  ignorePatternCount: 1_000,
  ignorePatternLength: 1_024,
} as const;

/**
 * Generous bounds for the strings and lists of the IPC payloads (shared/ipc/schemas.ts) and of
 * the files on disk (settings.json, account.json): they stop absurd values, never a real one,
 * and a value the files accept always fits the window's payloads that carry it.
 */
export const stringLimits = {
  /** Free text: messages, descriptions. */
  text: 32_768,
  /** Lists that are not bounded otherwise. */
  list: 10_000,
  /** An absolute or relative path (Linux's PATH_MAX). */
  path: 4_096,
  /** An address: a WebDAV URL, an OAuth endpoint, a remote folder given as a URL. */
  url: 8_192,
  /** A user ID, a node name, an OAuth client ID or scope. */
  name: 256,
  password: 1_024,
  /** Backup sources and other lists the user builds by hand. */
  sourceCount: 1_000,
} as const;
