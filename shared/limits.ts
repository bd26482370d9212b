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
